package mastodon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// fakeServer is a Mastodon instance on 127.0.0.1 that speaks the
// documented formats: the streaming API's WebSocket (methods/streaming),
// timelines with min_id and Link headers (methods/timelines,
// api/guidelines#pagination), statuses with Idempotency-Key
// (methods/statuses), accounts, reports and the instance's configuration.
// Every REST request must carry the token; each is recorded.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	tag      []status // the hashtag timeline, oldest first
	byID     map[string]status
	keys     map[string]string // Idempotency-Key → status id
	posts    []map[string]any  // statuses created by POST /api/v1/statuses
	reqs     []request
	pageSize int  // the most a timeline page holds, whatever the limit asked
	dropNext bool // the next new post is stored, then its answer lost
	nextID   int
	header   http.Header // added to every REST answer
	status   int         // when set, every action answers it with errBody
	errBody  string

	conns chan *fakeConn
}

// request is one REST request as the server saw it.
type request struct {
	method, path string
	query        url.Values
	header       http.Header
	body         map[string]any
}

// fakeConn is one streaming connection.
type fakeConn struct {
	ws         *websocket.Conn
	r          *http.Request
	subscribed chan map[string]string
}

func (fc *fakeConn) send(t *testing.T, frame []byte) {
	t.Helper()
	if err := fc.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		t.Errorf("sending a frame: %v", err)
	}
}

// drop cuts the connection without a close frame, as a network would.
func (fc *fakeConn) drop() { fc.ws.UnderlyingConn().Close() }

var brandAccount = account{ID: "9", Username: "lumio", Acct: "lumio", DisplayName: "Lumio"}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, byID: map[string]status{}, keys: map[string]string{}, pageSize: 40,
		conns: make(chan *fakeConn, 8), header: http.Header{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/streaming", f.streaming)
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", f.rest(func(w http.ResponseWriter, r request) any { return brandAccount }))
	mux.HandleFunc("GET /api/v2/instance", f.rest(func(w http.ResponseWriter, r request) any {
		return map[string]any{"configuration": map[string]any{
			"urls":     map[string]any{"streaming": "ws://" + f.srv.Listener.Addr().String()},
			"statuses": map[string]any{"max_characters": 300, "characters_reserved_per_url": 23},
		}}
	}))
	mux.HandleFunc("GET /api/v1/timelines/tag/{tag}", f.rest(f.timeline))
	mux.HandleFunc("GET /api/v1/notifications", f.rest(func(w http.ResponseWriter, r request) any { return []any{} }))
	mux.HandleFunc("GET /api/v1/timelines/list/{id}", f.rest(func(w http.ResponseWriter, r request) any { return []any{} }))
	mux.HandleFunc("GET /api/v1/timelines/home", f.rest(func(w http.ResponseWriter, r request) any { return []any{} }))
	mux.HandleFunc("GET /api/v1/statuses/{id}", f.rest(func(w http.ResponseWriter, r request) any {
		f.mu.Lock()
		defer f.mu.Unlock()
		st, ok := f.byID[strings.TrimPrefix(r.path, "/api/v1/statuses/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return map[string]string{"error": "Record not found"}
		}
		return st
	}))
	mux.HandleFunc("POST /api/v1/statuses", f.createStatus)
	action := f.rest(func(w http.ResponseWriter, r request) any {
		f.mu.Lock()
		code, body := f.status, f.errBody
		f.mu.Unlock()
		if code != 0 {
			w.WriteHeader(code)
			return json.RawMessage(body)
		}
		return map[string]string{"id": "1"}
	})
	mux.HandleFunc("POST /api/v1/statuses/{id}/favourite", action)
	mux.HandleFunc("POST /api/v1/statuses/{id}/reblog", action)
	mux.HandleFunc("DELETE /api/v1/statuses/{id}", action)
	mux.HandleFunc("POST /api/v1/accounts/{id}/mute", action)
	mux.HandleFunc("POST /api/v1/accounts/{id}/block", action)
	mux.HandleFunc("POST /api/v1/reports", action)
	mux.HandleFunc("GET /api/v1/accounts/lookup", f.rest(func(w http.ResponseWriter, r request) any {
		if r.query.Get("acct") == "eve@evil.example" {
			return account{ID: "666", Acct: "eve@evil.example"}
		}
		w.WriteHeader(http.StatusNotFound)
		return map[string]string{"error": "Record not found"}
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// rest wraps a REST handler: it checks the token, records the request and
// writes the answer as JSON.
func (f *fakeServer) rest(h func(w http.ResponseWriter, r request) any) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		r, ok := f.record(w, hr)
		if !ok {
			return
		}
		f.mu.Lock()
		for k, vs := range f.header {
			w.Header()[k] = vs
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		out := h(w, r)
		json.NewEncoder(w).Encode(out)
	}
}

func (f *fakeServer) record(w http.ResponseWriter, hr *http.Request) (request, bool) {
	r := request{method: hr.Method, path: hr.URL.Path, query: hr.URL.Query(), header: hr.Header.Clone()}
	if hr.Body != nil {
		data, _ := io.ReadAll(hr.Body)
		if len(data) > 0 {
			if ct := hr.Header.Get("Content-Type"); ct != "application/json" {
				f.t.Errorf("%s %s: Content-Type %q", hr.Method, hr.URL.Path, ct)
			}
			if err := json.Unmarshal(data, &r.body); err != nil {
				f.t.Errorf("%s %s: body %q is not a JSON object: %v", hr.Method, hr.URL.Path, data, err)
			}
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	if hr.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"The access token is invalid"}`)
		return r, false
	}
	return r, true
}

// requests returns the requests to path so far.
func (f *fakeServer) requests(method, path string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if r.method == method && r.path == path {
			out = append(out, r)
		}
	}
	return out
}

// newStatus makes a status in the hashtag timeline, by alice unless acct
// says otherwise.
func (f *fakeServer) newStatus(text string) status {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	st := status{
		ID:         strconv.Itoa(110000000000000000 + f.nextID),
		CreatedAt:  fmt.Sprintf("2024-05-02T12:%02d:00.000Z", f.nextID%60),
		Visibility: "public",
		Content:    "<p>" + text + "</p>",
		Account:    account{ID: "1001", Username: "alice", Acct: "alice"},
	}
	f.tag = append(f.tag, st)
	f.byID[st.ID] = st
	return st
}

// updateFrame is the streaming frame of st on the hashtag stream.
func updateFrame(st status) []byte {
	payload, _ := json.Marshal(st)
	frame, _ := json.Marshal(map[string]any{"stream": []string{"hashtag", "lumio"}, "event": "update", "payload": string(payload)})
	return frame
}

// timeline answers GET /api/v1/timelines/tag/:tag: newest first, the
// statuses immediately newer than min_id (or the newest), at most limit
// (and pageSize), with Link headers to the pages on each side.
func (f *fakeServer) timeline(w http.ResponseWriter, r request) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	limit := 20
	if n, err := strconv.Atoi(r.query.Get("limit")); err == nil && n > 0 {
		limit = min(n, 40)
	}
	limit = min(limit, f.pageSize)
	var page []status
	if min := r.query.Get("min_id"); min != "" {
		for _, st := range f.tag {
			if compareIDs(st.ID, min) > 0 && len(page) < limit {
				page = append(page, st)
			}
		}
	} else {
		page = f.tag[max(len(f.tag)-limit, 0):]
	}
	page = slices.Clone(page)
	slices.Reverse(page)
	if len(page) > 0 {
		base := "http://" + f.srv.Listener.Addr().String() + r.path
		w.Header().Set("Link", fmt.Sprintf(`<%s?limit=%d&max_id=%s>; rel="next", <%s?limit=%d&min_id=%s>; rel="prev"`,
			base, limit, page[len(page)-1].ID, base, limit, page[0].ID))
	}
	if page == nil {
		return []status{}
	}
	return page
}

// createStatus answers POST /api/v1/statuses, honouring Idempotency-Key:
// a key seen before answers the status it created.
func (f *fakeServer) createStatus(w http.ResponseWriter, hr *http.Request) {
	r, ok := f.record(w, hr)
	if !ok {
		return
	}
	key := hr.Header.Get("Idempotency-Key")
	f.mu.Lock()
	id, seen := f.keys[key]
	var st status
	if seen {
		st = f.byID[id]
	} else {
		f.nextID++
		text, _ := r.body["status"].(string)
		vis, _ := r.body["visibility"].(string)
		reply, _ := r.body["in_reply_to_id"].(string)
		st = status{ID: strconv.Itoa(110000000000000000 + f.nextID), Content: "<p>" + text + "</p>", Visibility: vis, InReplyToID: reply, Account: brandAccount}
		f.byID[st.ID] = st
		if key != "" {
			f.keys[key] = st.ID
		}
		f.posts = append(f.posts, r.body)
	}
	drop := f.dropNext && !seen
	f.dropNext = false
	f.mu.Unlock()
	if drop {
		// Stored, and the answer is lost with the connection.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}

// streaming upgrades GET /api/v1/streaming, after checking the token, and
// hands the connection to the test, then reads subscribe messages (and
// answers pings) until it closes.
func (f *fakeServer) streaming(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"Error: Missing access token"}`)
		return
	}
	up := websocket.Upgrader{}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	fc := &fakeConn{ws: ws, r: r, subscribed: make(chan map[string]string, 8)}
	f.conns <- fc
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var msg map[string]string
		if json.Unmarshal(data, &msg) == nil {
			fc.subscribed <- msg
		}
	}
}
