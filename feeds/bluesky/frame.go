package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Jetstream frames (github.com/bluesky-social/jetstream, README "Consuming
// Jetstream" and its example events; the same format as the public
// instances at jetstream{1,2}.us-{east,west}.bsky.network): one JSON
// object per text frame,
//
//	{"did":"did:plc:…","time_us":1732206349000167,"kind":"commit",
//	 "commit":{"rev":"3lbh…","operation":"create","collection":"app.bsky.feed.post",
//	           "rkey":"3lbh…","record":{"$type":"app.bsky.feed.post",…},"cid":"bafy…"}}
//
// kind is "commit", "identity" (a handle change: "identity":{"did","handle",
// "seq","time"}) or "account" ("account":{"active","did","seq","time"});
// every subscriber gets identity and account frames whatever collections
// it asked for. A commit's operation is "create", "update" or "delete"; a
// delete carries no record and no cid. time_us is Jetstream's own clock,
// the cursor to resume from. Samples are in testdata/.

const (
	collPost   = "app.bsky.feed.post"
	collRepost = "app.bsky.feed.repost"
	collLike   = "app.bsky.feed.like"
	collBlock  = "app.bsky.graph.block"
)

type frame struct {
	DID      string    `json:"did"`
	TimeUS   int64     `json:"time_us"`
	Kind     string    `json:"kind"`
	Commit   *commit   `json:"commit"`
	Identity *identity `json:"identity"`
}

type commit struct {
	Rev        string          `json:"rev"`
	Operation  string          `json:"operation"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Record     json.RawMessage `json:"record"`
	CID        string          `json:"cid"`
}

type identity struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

// strongRef is com.atproto.repo.strongRef: a record and the hash of the
// version meant.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type postRecord struct {
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
	Reply     *struct {
		Root   strongRef `json:"root"`
		Parent strongRef `json:"parent"`
	} `json:"reply"`
	Facets []facet `json:"facets"`
	// Self-labels (com.atproto.label.defs#selfLabels) the author put on
	// the post: "nsfw", "graphic-media", "porn", "sexual", "!warn"…
	Labels *struct {
		Values []struct {
			Val string `json:"val"`
		} `json:"values"`
	} `json:"labels"`
}

type repostRecord struct {
	Subject strongRef `json:"subject"`
}

// decodeFrame parses one frame and checks what the connector builds ids
// from: a DID, a positive time, and for a commit a collection and a record
// key of the allowed characters. encoding/json bounds nesting depth, and
// the connection bounds the frame size.
func decodeFrame(data []byte) (frame, error) {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("not a Jetstream frame: %w", err)
	}
	switch {
	case !validDID(f.DID):
		return f, errors.New("frame without a valid did")
	case f.TimeUS <= 0:
		return f, errors.New("frame without time_us")
	}
	switch f.Kind {
	case "commit":
		c := f.Commit
		switch {
		case c == nil:
			return f, errors.New("commit frame without a commit")
		case !validNSID(c.Collection) || !validRKey(c.RKey):
			return f, errors.New("commit with an invalid collection or rkey")
		case c.Operation != "create" && c.Operation != "update" && c.Operation != "delete":
			return f, fmt.Errorf("commit with operation %.20q", c.Operation)
		}
	case "identity", "account":
	default:
		return f, fmt.Errorf("frame of kind %.20q", f.Kind)
	}
	return f, nil
}

// atURI is the address of a record.
func atURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// parseAtURI splits at://did/collection/rkey.
func parseAtURI(uri string) (did, collection, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || !validDID(parts[0]) || !validNSID(parts[1]) || !validRKey(parts[2]) {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// validDID: did:method:identifier (https://atproto.com/specs/did).
func validDID(s string) bool {
	if len(s) > 2048 || !strings.HasPrefix(s, "did:") {
		return false
	}
	method, id, ok := strings.Cut(s[4:], ":")
	if !ok || method == "" || id == "" || strings.HasSuffix(id, ":") {
		return false
	}
	for i := 0; i < len(method); i++ {
		if c := method[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return allBytes(id, "._:%-")
}

// validNSID is a loose check: dotted segments of letters, digits and
// hyphens, three at least.
func validNSID(s string) bool {
	return len(s) <= 317 && strings.Count(s, ".") >= 2 && allBytes(s, ".-") &&
		!strings.Contains(s, "..") && s[0] != '.' && s[len(s)-1] != '.'
}

// validRKey (https://atproto.com/specs/record-key): 1 to 512 of
// A-Za-z0-9 . - _ : ~, not "." or "..".
func validRKey(s string) bool {
	return s != "" && len(s) <= 512 && s != "." && s != ".." && allBytes(s, ".-_:~")
}

func allBytes(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}
