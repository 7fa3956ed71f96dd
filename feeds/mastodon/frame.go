package mastodon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The entities, as far as the connector reads them
// (docs.joinmastodon.org/entities/Status, Account, Notification). Fields
// that may be null are plain strings: encoding/json leaves them empty.

type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	Bot         bool   `json:"bot"`
}

type mention struct {
	ID   string `json:"id"`
	URL  string `json:"url"`
	Acct string `json:"acct"`
}

type attachment struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

type pollOption struct {
	Title string `json:"title"`
}

type poll struct {
	Options []pollOption `json:"options"`
}

type status struct {
	ID          string       `json:"id"`
	CreatedAt   string       `json:"created_at"`
	EditedAt    string       `json:"edited_at"`
	InReplyToID string       `json:"in_reply_to_id"`
	Visibility  string       `json:"visibility"`
	SpoilerText string       `json:"spoiler_text"`
	Content     string       `json:"content"`
	Account     account      `json:"account"`
	Reblog      *status      `json:"reblog"`
	Mentions    []mention    `json:"mentions"`
	Media       []attachment `json:"media_attachments"`
	Poll        *poll        `json:"poll"`
}

type notification struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	CreatedAt string  `json:"created_at"`
	Account   account `json:"account"`
	Status    *status `json:"status"`
}

// frame is one message of the streaming API over WebSocket
// (methods/streaming#websocket):
//
//	{"stream":["hashtag","foo"],"event":"update","payload":"{\"id\":…}"}
//
// The payload is a JSON document cast to a string, decoded a second time;
// for delete it is the bare id; filters_changed has none. An error is
// {"error":"Unknown stream type","status":400}.
type frame struct {
	Stream  []string        `json:"stream"`
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
	Error   string          `json:"error"`
	Status  int             `json:"status"`
}

// decoded is what one frame says.
type decoded struct {
	stream       string // the stream key ("hashtag:foo", "user", …)
	event        string
	status       *status       // update, status.update
	notification *notification // notification
	deleted      string        // delete
	err          string        // an error frame's message
}

// decodeFrame reads one frame. Events the connector has no use for
// (filters_changed, announcement, conversation, …) decode with only event
// and stream set.
func decodeFrame(data []byte) (decoded, error) {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return decoded{}, fmt.Errorf("not a streaming frame: %w", err)
	}
	d := decoded{stream: streamKey(f.Stream), event: f.Event}
	if f.Event == "" {
		if f.Error != "" {
			d.err = f.Error
			return d, nil
		}
		return d, errors.New("a frame with no event")
	}
	payload, err := payloadBytes(f.Payload)
	if err != nil {
		return d, fmt.Errorf("%s: %w", f.Event, err)
	}
	switch f.Event {
	case "update", "status.update":
		var st status
		if err := json.Unmarshal(payload, &st); err != nil {
			return d, fmt.Errorf("%s: %w", f.Event, err)
		}
		if st.ID == "" {
			return d, fmt.Errorf("%s: a status with no id", f.Event)
		}
		d.status = &st
	case "notification":
		var n notification
		if err := json.Unmarshal(payload, &n); err != nil {
			return d, fmt.Errorf("notification: %w", err)
		}
		if n.ID == "" {
			return d, errors.New("notification: no id")
		}
		d.notification = &n
	case "delete":
		id := string(bytes.TrimSpace(payload))
		if id == "" || len(id) > 64 || !utf8.ValidString(id) {
			return d, errors.New("delete: not a status id")
		}
		d.deleted = id
	}
	return d, nil
}

// payloadBytes is the payload as a JSON document: the string decoded, or,
// from a server that sends the object itself, as it is.
func payloadBytes(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// streamKey names the stream a frame came from as the config does:
// ["hashtag","Foo"] is "hashtag:foo", ["list","42"] "list:42",
// ["user"] and ["user:notification"] "user".
func streamKey(s []string) string {
	if len(s) == 0 {
		return ""
	}
	switch s[0] {
	case "hashtag", "hashtag:local":
		if len(s) > 1 {
			return "hashtag:" + strings.ToLower(s[1])
		}
	case "list":
		if len(s) > 1 {
			return "list:" + s[1]
		}
	case "user", "user:notification":
		return "user"
	}
	return s[0]
}

// parseTime reads an entity's timestamp (ISO 8601), or returns zero.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// compareIDs orders Mastodon ids. They are strings to treat as opaque, but
// they sort: Mastodon's are decimal snowflakes (a longer one is newer),
// GoToSocial's ULIDs of one length.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
