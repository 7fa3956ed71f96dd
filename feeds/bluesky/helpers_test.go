package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// wait bounds a broken test only; it asserts nothing about speed.
const wait = 30 * time.Second

const (
	brandDID   = "did:plc:brand2222222222222222222"
	brandPass  = "app-pass-s3cr3t-1234"
	aliceDID   = "did:plc:alice2222222222222222222"
	otherCID   = "bafyreiother222222222222222222222222222222222222222222222"
	testHandle = "brand.test"
)

func sample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// postFrame is a Jetstream commit creating a post.
func postFrame(did, rkey string, timeUS int64, text string) string {
	rec, _ := json.Marshal(map[string]any{"$type": collPost, "text": text, "createdAt": "2024-11-21T16:25:48.741Z"})
	return fmt.Sprintf(`{"did":%q,"time_us":%d,"kind":"commit","commit":{"rev":%q,"operation":"create","collection":"app.bsky.feed.post","rkey":%q,"record":%s,"cid":"bafyrei%s"}}`,
		did, timeUS, rkey, rkey, rec, strings.Repeat("a", 52))
}

// fakeJetstream speaks Jetstream's /subscribe: it replays its log from the
// cursor asked for (every frame whose time_us is at or after it), then
// streams what is appended. Connection n is cut, without a close frame,
// after drops[n] frames when that is positive.
type fakeJetstream struct {
	*httptest.Server
	mu      sync.Mutex
	frames  []string
	times   []int64
	changed chan struct{}
	drops   []int
	conns   int
	queries chan url.Values
}

func newFakeJetstream(t *testing.T, drops ...int) *fakeJetstream {
	j := &fakeJetstream{changed: make(chan struct{}), drops: drops, queries: make(chan url.Values, 64)}
	up := websocket.Upgrader{}
	j.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/subscribe" {
			http.NotFound(w, r)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		j.queries <- r.URL.Query()
		gone := make(chan struct{})
		go func() { // reads until the client goes; answers its pings
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					close(gone)
					return
				}
			}
		}()
		j.mu.Lock()
		n := j.conns
		j.conns++
		drop := 0
		if n < len(j.drops) {
			drop = j.drops[n]
		}
		j.mu.Unlock()
		cursor, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
		pos, sent := -1, 0
		for {
			j.mu.Lock()
			if pos < 0 {
				pos = 0
				for pos < len(j.times) && j.times[pos] < cursor {
					pos++
				}
			}
			batch := append([]string(nil), j.frames[pos:]...)
			changed := j.changed
			j.mu.Unlock()
			for _, f := range batch {
				if drop > 0 && sent == drop {
					conn.UnderlyingConn().Close() // cut, no close frame
					return
				}
				if conn.WriteMessage(websocket.TextMessage, []byte(f)) != nil {
					return
				}
				sent++
				pos++
			}
			select {
			case <-changed:
			case <-gone:
				return
			}
		}
	}))
	t.Cleanup(j.Close)
	return j
}

// add appends frames to the log (time_us read from each).
func (j *fakeJetstream) add(frames ...string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, f := range frames {
		var head struct {
			TimeUS int64 `json:"time_us"`
		}
		json.Unmarshal([]byte(f), &head)
		j.frames = append(j.frames, f)
		j.times = append(j.times, head.TimeUS)
	}
	close(j.changed)
	j.changed = make(chan struct{})
}

func (j *fakeJetstream) url() string { return "ws" + strings.TrimPrefix(j.URL, "http") + "/subscribe" }

// fakePDS is a PDS and an AppView: the XRPC methods the connector calls,
// each checking its method, auth and body.
type fakePDS struct {
	*httptest.Server
	t  *testing.T
	mu sync.Mutex

	records  map[string]json.RawMessage // collection/rkey → record
	bodies   map[string]json.RawMessage // collection/rkey → the whole createRecord input
	access   map[string]bool            // access token → still valid
	refresh  map[string]bool
	issued   int
	calls    map[string]int
	profiles map[string][2]string // did → handle, display name
	handles  map[string]string    // handle → did
	posts    map[string]string    // getPosts: uri → JSON post view
	muted    []string             // muteActor's actors, in order
	reports  []json.RawMessage    // createReport's bodies, in order

	// loseAnswer: the next createRecord stores the record, then cuts the
	// connection instead of answering.
	loseAnswer bool
	// dupStatus is the answer to a createRecord whose key is taken: 409
	// RecordAlreadyExists, or 500 as PDSes answered before atproto#4728.
	dupStatus int
	// rateLimit: the next createRecord answers 429 with ratelimit-reset.
	rateLimit time.Time
	// refuse: the next createRecord answers 400 with this message.
	refuse string
}

func newFakePDS(t *testing.T) *fakePDS {
	p := &fakePDS{
		t: t, records: map[string]json.RawMessage{}, bodies: map[string]json.RawMessage{},
		access: map[string]bool{}, refresh: map[string]bool{}, calls: map[string]int{},
		profiles: map[string][2]string{}, handles: map[string]string{testHandle: brandDID},
		posts: map[string]string{}, dupStatus: http.StatusConflict,
	}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func xrpcErr(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// expireAll makes every access token issued so far expired.
func (p *fakePDS) expireAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.access {
		p.access[k] = false
	}
}

func (p *fakePDS) count(nsid string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[nsid]
}

func (p *fakePDS) record(coll, rkey string) (json.RawMessage, json.RawMessage, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.records[coll+"/"+rkey], p.bodies[coll+"/"+rkey], len(p.records)
}

func (p *fakePDS) serve(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[nsid]++
	procedure := map[string]bool{
		"com.atproto.server.createSession": true, "com.atproto.server.refreshSession": true,
		"com.atproto.repo.createRecord": true, "com.atproto.repo.deleteRecord": true,
		"app.bsky.graph.muteActor": true, "com.atproto.moderation.createReport": true,
	}[nsid]
	if want := map[bool]string{true: http.MethodPost, false: http.MethodGet}[procedure]; r.Method != want {
		xrpcErr(w, http.StatusMethodNotAllowed, "InvalidRequest", "wrong method "+r.Method)
		return
	}
	var in map[string]any
	var raw []byte
	if procedure && nsid != "com.atproto.server.refreshSession" {
		if r.Header.Get("Content-Type") != "application/json" {
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "not JSON")
			return
		}
		raw, _ = io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &in); err != nil {
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "bad JSON")
			return
		}
	}
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	issue := func() {
		p.issued++
		acc, ref := fmt.Sprintf("acc-%d", p.issued), fmt.Sprintf("ref-%d", p.issued)
		p.access[acc], p.refresh[ref] = true, true
		answer(w, map[string]any{"accessJwt": acc, "refreshJwt": ref, "handle": testHandle, "did": brandDID, "active": true})
	}
	authed := func() bool {
		valid, known := p.access[bearer]
		switch {
		case !known:
			xrpcErr(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
		case !valid:
			xrpcErr(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
		}
		return known && valid
	}
	switch nsid {
	case "com.atproto.server.createSession":
		if in["identifier"] != testHandle || in["password"] != brandPass {
			xrpcErr(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
			return
		}
		issue()
	case "com.atproto.server.refreshSession":
		if !p.refresh[bearer] {
			xrpcErr(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
			return
		}
		delete(p.refresh, bearer)
		issue()
	case "com.atproto.repo.createRecord":
		if !authed() {
			return
		}
		if !p.rateLimit.IsZero() {
			w.Header().Set("Ratelimit-Limit", "5000")
			w.Header().Set("Ratelimit-Remaining", "0")
			w.Header().Set("Ratelimit-Reset", strconv.FormatInt(p.rateLimit.Unix(), 10))
			w.Header().Set("Ratelimit-Policy", "5000;w=3600")
			p.rateLimit = time.Time{}
			xrpcErr(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
			return
		}
		if p.refuse != "" {
			msg := p.refuse
			p.refuse = ""
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", msg)
			return
		}
		rkey, _ := in["rkey"].(string)
		coll, _ := in["collection"].(string)
		rec, _ := json.Marshal(in["record"])
		switch {
		case in["repo"] != brandDID:
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "repo is not the session's")
			return
		case !validTID(rkey):
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "rkey must be a TID")
			return
		case p.records[coll+"/"+rkey] != nil:
			if p.dupStatus == http.StatusConflict {
				xrpcErr(w, http.StatusConflict, "RecordAlreadyExists", "Record already exists")
			} else {
				xrpcErr(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
			}
			return
		}
		p.records[coll+"/"+rkey] = rec
		p.bodies[coll+"/"+rkey] = raw
		if p.loseAnswer {
			p.loseAnswer = false
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		answer(w, map[string]string{"uri": atURI(brandDID, coll, rkey), "cid": otherCID})
	case "com.atproto.repo.deleteRecord":
		if !authed() {
			return
		}
		delete(p.records, fmt.Sprint(in["collection"], "/", in["rkey"]))
		answer(w, map[string]any{})
	case "app.bsky.graph.muteActor":
		if !authed() {
			return
		}
		p.muted = append(p.muted, fmt.Sprint(in["actor"]))
	case "com.atproto.moderation.createReport":
		if !authed() {
			return
		}
		p.reports = append(p.reports, raw)
		answer(w, map[string]any{"id": len(p.reports), "reasonType": in["reasonType"], "subject": in["subject"], "reportedBy": brandDID, "createdAt": "2026-11-30T12:00:00Z"})
	case "com.atproto.repo.getRecord":
		q := r.URL.Query()
		rec := p.records[q.Get("collection")+"/"+q.Get("rkey")]
		if q.Get("repo") != brandDID || rec == nil {
			xrpcErr(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record")
			return
		}
		answer(w, map[string]any{"uri": atURI(brandDID, q.Get("collection"), q.Get("rkey")), "cid": otherCID, "value": rec})
	case "com.atproto.identity.resolveHandle":
		did, ok := p.handles[r.URL.Query().Get("handle")]
		if !ok {
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
			return
		}
		answer(w, map[string]string{"did": did})
	case "app.bsky.actor.getProfile":
		actor := r.URL.Query().Get("actor")
		pr, ok := p.profiles[actor]
		if !ok {
			xrpcErr(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
			return
		}
		answer(w, map[string]string{"did": actor, "handle": pr[0], "displayName": pr[1]})
	case "app.bsky.feed.getPosts":
		var views []json.RawMessage
		for _, u := range r.URL.Query()["uris"] {
			if v, ok := p.posts[u]; ok {
				views = append(views, json.RawMessage(v))
			}
		}
		answer(w, map[string]any{"posts": views})
	default:
		xrpcErr(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
	}
}

// newConn builds a connector on the fake servers; edit adjusts the config.
func newConn(t *testing.T, j *fakeJetstream, p *fakePDS, edit func(*Config)) *Connector {
	t.Helper()
	t.Setenv("TEST_BSKY_PASSWORD", brandPass)
	c := Config{
		Handle: testHandle, AppPasswordEnv: "TEST_BSKY_PASSWORD",
		PDS: p.URL, AppView: p.URL, Terms: []string{"tribune"},
	}
	if j != nil {
		c.Jetstream = j.url()
	} else {
		c.Jetstream = "ws://127.0.0.1:1/subscribe"
	}
	if edit != nil {
		edit(&c)
	}
	conn, err := New("bsky", c)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// supervise runs the connector as the supervisor would, again after each
// failure, until the test ends.
func supervise(t *testing.T, c *Connector) *feedstest.Stream {
	s := feedstest.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c.Run(ctx, s)
			select { // the supervisor's backoff, short
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func messages(evs []feeds.Event) []feeds.Event {
	var out []feeds.Event
	for _, e := range evs {
		if e.Kind != feeds.KindNotice {
			out = append(out, e)
		}
	}
	return out
}
