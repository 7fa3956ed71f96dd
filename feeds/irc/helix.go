package irc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

// helix is the slice of Twitch's API that moderation needs.
type helix struct {
	base     string // no trailing slash
	clientID string
	token    string
	hc       *http.Client
	now      func() time.Time
}

func newHelix(base, clientID, token string) *helix {
	return &helix{
		base:     base,
		clientID: clientID,
		token:    token,
		// The dispatcher's context bounds each action; this bounds a
		// request made without one.
		hc:  &http.Client{Timeout: time.Minute},
		now: time.Now,
	}
}

// helixError is the body of a Helix error answer.
type helixError struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// call makes one request. 429 becomes RetryAfter (Twitch says in
// Ratelimit-Reset when the bucket refills), any other 4xx Permanent, and a
// failure to connect NotSent.
func (h *helix) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return feeds.Permanent(fmt.Errorf("twitch %s %s: %w", method, path, err))
		}
		rd = bytes.NewReader(b)
	}
	u := h.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return feeds.Permanent(fmt.Errorf("twitch %s %s: %w", method, path, err))
	}
	req.Header.Set("Client-Id", h.clientID)
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		// Go names the whole request URL (query and user included);
		// method and path say enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return feeds.NotSent(fmt.Errorf("twitch %s %s: %w", method, path, err))
		}
		return fmt.Errorf("twitch %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil && resp.StatusCode < 300 {
		return fmt.Errorf("twitch %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("twitch %s %s: reading the answer: %w", method, path, err)
			}
		}
		return nil
	}
	var he helixError
	_ = json.Unmarshal(data, &he)
	why := he.Message
	if why == "" {
		why = strings.TrimSpace(string(data))
	}
	if len(why) > 200 || !utf8.ValidString(why) {
		why = cleanTag(why[:min(len(why), 200)])
	}
	apiErr := fmt.Errorf("twitch %s %s: %s: %s", method, path, resp.Status, why)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return feeds.RetryAfter(h.resetWait(resp.Header.Get("Ratelimit-Reset")), apiErr)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return feeds.Permanent(apiErr)
	}
	return apiErr
}

// resetWait reads Ratelimit-Reset, the Unix time at which the bucket is
// full again.
func (h *helix) resetWait(reset string) time.Duration {
	const fallback = time.Second
	secs, err := strconv.ParseInt(reset, 10, 64)
	if err != nil {
		return fallback
	}
	wait := time.Unix(secs, 0).Sub(h.now())
	return min(max(wait, 0), time.Minute)
}

// helixUsers is the answer of GET /users.
type helixUsers struct {
	Data []struct {
		ID    string `json:"id"`
		Login string `json:"login"`
	} `json:"data"`
}

// lookup reads user ids: the token's owner with no login, else the login's.
// A lookup changes nothing, so failing it means the action was not sent.
func (h *helix) lookup(ctx context.Context, login string) (string, error) {
	q := url.Values{}
	if login != "" {
		q.Set("login", login)
	}
	var users helixUsers
	if err := h.call(ctx, http.MethodGet, "/users", q, nil, &users); err != nil {
		if feeds.IsPermanent(err) {
			return "", err
		}
		if _, ok := feeds.RetryAfterOf(err); ok {
			return "", err
		}
		return "", feeds.NotSent(err)
	}
	if len(users.Data) == 0 || !isTwitchID(users.Data[0].ID) {
		who := "the token's user"
		if login != "" {
			who = strconv.Quote(login)
		}
		return "", feeds.Permanent(fmt.Errorf("twitch: no user id for %s", who))
	}
	return users.Data[0].ID, nil
}

// banBody is the body of POST /moderation/bans; no duration is a ban.
type banBody struct {
	Data banData `json:"data"`
}

type banData struct {
	UserID   string `json:"user_id"`
	Duration int    `json:"duration,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Twitch's bounds on a timeout, and our default when none is given.
const (
	maxTimeout     = 1209600 // two weeks, in seconds
	defaultTimeout = 600
)

// moderate carries out a Twitch moderation action through Helix.
func (k *Connector) moderate(ctx context.Context, a feeds.Action) error {
	channel, err := k.target(a)
	if err != nil {
		return err
	}
	if !isChannel(channel) {
		return feeds.Permanent(fmt.Errorf("irc: %s needs a channel, not %q", a.Kind, channel))
	}
	broadcaster, err := k.roomID(ctx, channel)
	if err != nil {
		return err
	}
	moderator, err := k.moderatorID(ctx)
	if err != nil {
		return err
	}
	q := url.Values{"broadcaster_id": {broadcaster}, "moderator_id": {moderator}}
	switch a.Kind {
	case feeds.ActDelete:
		if a.Target == "" || isLocalID(a.Target) {
			return feeds.Permanent(errors.New("irc: delete needs the id of a Twitch message"))
		}
		q.Set("message_id", a.Target)
		return k.helix.call(ctx, http.MethodDelete, "/moderation/chat", q, nil, nil)
	case feeds.ActTimeout, feeds.ActBan:
		uid, err := k.userID(ctx, a.TargetAuthor)
		if err != nil {
			return err
		}
		body := banBody{Data: banData{UserID: uid, Reason: reason(why(a))}}
		if a.Kind == feeds.ActTimeout {
			body.Data.Duration = timeoutSeconds(a.Duration)
		}
		return k.helix.call(ctx, http.MethodPost, "/moderation/bans", q, body, nil)
	case feeds.ActUnban:
		uid, err := k.userID(ctx, a.TargetAuthor)
		if err != nil {
			return err
		}
		q.Set("user_id", uid)
		return k.helix.call(ctx, http.MethodDelete, "/moderation/bans", q, nil, nil)
	}
	return feeds.Permanent(fmt.Errorf("irc: twitch cannot %s", a.Kind))
}

// why is the reason the operator gave for a ban or a timeout: Reason, or
// for an action queued before the outbox had one, its Text.
func why(a feeds.Action) string {
	if a.Reason != "" {
		return a.Reason
	}
	return a.Text
}

// reason is the operator's text as a ban reason: one line, at most the
// 500 characters Twitch takes.
func reason(text string) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	return string(r[:min(len(r), 500)])
}

// timeoutSeconds rounds d up to whole seconds within Twitch's bounds.
func timeoutSeconds(d time.Duration) int {
	if d <= 0 {
		return defaultTimeout
	}
	secs := (d + time.Second - 1) / time.Second
	return int(min(max(secs, 1), maxTimeout))
}

// roomID is the broadcaster id of channel: from its ROOMSTATE, else asked.
func (k *Connector) roomID(ctx context.Context, channel string) (string, error) {
	k.mu.Lock()
	id, ok := k.rooms[foldName(channel)]
	k.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := k.helix.lookup(ctx, strings.TrimPrefix(foldName(channel), "#"))
	if err != nil {
		return "", err
	}
	k.setRoom(channel, id)
	return id, nil
}

// moderatorID is the user id of the token's owner, asked once.
func (k *Connector) moderatorID(ctx context.Context) (string, error) {
	k.mu.Lock()
	id := k.modID
	k.mu.Unlock()
	if id != "" {
		return id, nil
	}
	id, err := k.helix.lookup(ctx, "")
	if err != nil {
		return "", err
	}
	k.mu.Lock()
	k.modID = id
	k.mu.Unlock()
	return id, nil
}

// userID is the user id of login: from the user-id tags seen in chat, else
// asked.
func (k *Connector) userID(ctx context.Context, login string) (string, error) {
	login = strings.TrimPrefix(strings.TrimSpace(login), "@")
	if login == "" || !validNick(login) {
		return "", feeds.Permanent(fmt.Errorf("irc: %q is not a Twitch login", login))
	}
	key := foldName(login)
	k.mu.Lock()
	id, ok := k.users.Get(key)
	k.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := k.helix.lookup(ctx, key)
	if err != nil {
		return "", err
	}
	k.mu.Lock()
	k.users.Put(key, id)
	k.mu.Unlock()
	return id, nil
}
