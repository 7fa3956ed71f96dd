package irc

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// statusLog records every Status call, in order.
type statusLog struct {
	*feedstest.Stream
	mu  sync.Mutex
	log []string
}

func (s *statusLog) Status(key, value string) {
	s.mu.Lock()
	s.log = append(s.log, key+"="+value)
	s.mu.Unlock()
	s.Stream.Status(key, value)
}

func (s *statusLog) history() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func twitchConfig(t *testing.T, addr string) Config {
	t.Setenv("TRIBUNE_TEST_TWITCH", "oauth:chat-token")
	return Config{
		Server: addr, Transport: "tcp", Dialect: "twitch", Nick: "Lumio",
		Channels: []string{"Dallas"}, PasswordEnv: "TRIBUNE_TEST_TWITCH",
	}
}

// twitchWelcome plays Twitch's side of the documented handshake.
func (p *peer) twitchWelcome() {
	p.t.Helper()
	p.expectLine("CAP REQ :twitch.tv/tags twitch.tv/commands")
	p.expectLine("PASS oauth:chat-token")
	p.expectLine("NICK lumio")
	p.send(
		":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands",
		":tmi.twitch.tv 001 lumio :Welcome, GLHF!",
		":tmi.twitch.tv 002 lumio :Your host is tmi.twitch.tv",
		":tmi.twitch.tv 003 lumio :This server is rather new",
		":tmi.twitch.tv 004 lumio :-",
		":tmi.twitch.tv 375 lumio :-",
		":tmi.twitch.tv 372 lumio :You are in a maze of twisty passages, all alike.",
		":tmi.twitch.tv 376 lumio :>",
	)
	p.expectLine("JOIN #dallas")
}

// replay sends a testdata file, skipping comments and blank lines.
func (p *peer) replay(name string) {
	p.t.Helper()
	f, err := os.Open(name)
	if err != nil {
		p.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p.send(line)
	}
	if err := sc.Err(); err != nil {
		p.t.Fatal(err)
	}
}

// want is the part of an event a test checks.
type want struct {
	kind       feeds.Kind
	id         string
	author     string
	authorName string
	badges     []string
	text       string
	replyTo    string
	target     string
}

func checkEvents(t *testing.T, got []feeds.Event, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for i, ev := range got {
			t.Logf("%d: %s %s %s %q", i, ev.Kind, ev.ID, ev.Author, ev.Text)
		}
		t.Fatalf("got %d events, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		ev := got[i]
		if ev.Kind != w.kind || (w.id != "" && ev.ID != w.id) || ev.Author != w.author ||
			ev.AuthorName != w.authorName || !slices.Equal(ev.Badges, w.badges) || ev.Text != w.text ||
			ev.ReplyTo != w.replyTo || ev.Target != w.target || ev.Platform != "twitch" || ev.Channel != "#dallas" {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, ev, w)
		}
	}
}

func TestTwitchReplay(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, twitchConfig(t, srv.addr()))
	if k.Platform() != "twitch" {
		t.Fatalf("platform %q", k.Platform())
	}
	st := &statusLog{Stream: feedstest.NewStream()}
	r := start(t, k, st)
	p := srv.accept(t)
	p.twitchWelcome()
	p.replay("testdata/twitch_chat.irc")

	err := r.ended(t)
	if wait, ok := feeds.RetryAfterOf(err); !ok || wait != 0 {
		t.Fatalf("RECONNECT: Run returned %v, want RetryAfter(0) so the supervisor reconnects at once", err)
	}
	if n := st.Connections(); n != 1 {
		t.Errorf("Connected %d times, want once", n)
	}
	const (
		ronniQ     = "b34ccfc7-4977-403a-8a94-33c6bac34fb8"
		ronniCheer = "c1f6a3e0-5b7a-4d1e-9f0e-2a0f8f6d9b11"
		troll      = "0d7a4f43-6f1c-4c56-a0a4-8a3b9d6e5f21"
	)
	evs := st.Events()
	checkEvents(t, evs, []want{
		{kind: feeds.KindMessage, id: "7eb848c9-1060-4e5e-9f4c-612877982e79", author: "dallas", authorName: "Dallas",
			badges: []string{feeds.BadgeBroadcaster}, text: "Welcome to the Halo launch!"},
		{kind: feeds.KindMessage, id: ronniQ, author: "ronni", authorName: "Ronni",
			badges: []string{feeds.BadgeVIP, feeds.BadgeSubscriber}, text: "is the Halo case waterproof?"},
		{kind: feeds.KindMessage, id: "885196de-cb67-427a-baa8-82f9b0fcd05f", author: "mod_bob", authorName: "Mod_Bob",
			badges: []string{feeds.BadgeModerator, feeds.BadgeVerified}, text: "@Ronni IPX4, splash resistant", replyTo: ronniQ},
		{kind: feeds.KindAction, id: ronniCheer, author: "ronni", authorName: "Ronni",
			badges: []string{feeds.BadgeVIP, feeds.BadgeSubscriber}, text: "cheers"},
		{kind: feeds.KindMessage, id: troll, author: "troll42", authorName: "troll42", text: "buy followers at spam dot example"},
		{kind: feeds.KindNotice, id: "db25007f-7a18-43eb-9379-80131e44d633", author: "ronni", authorName: "ronni",
			badges: []string{feeds.BadgeStaff, feeds.BadgeBroadcaster}, text: "ronni has subscribed for 6 months! — Great stream -- keep it up!"},
		{kind: feeds.KindNotice, id: "3d830f12-795c-447d-af3c-ea05e40fbddb", author: "testchannel", authorName: "TestChannel",
			text: "15 raiders from TestChannel have joined!"},
		{kind: feeds.KindNotice, id: "bb1bec25-8f26-4ba3-a084-a6a2ca332f00", author: "pajbot", authorName: "pajbot",
			badges: []string{feeds.BadgeModerator, feeds.BadgeSubscriber}, text: "Announcement: Giveaway at 8pm!"},
		{kind: feeds.KindDelete, id: "del-" + ronniQ, author: "ronni", target: ronniQ},
		// CLEARCHAT ronni: every recent message of theirs, then the notice.
		{kind: feeds.KindDelete, id: "del-" + ronniQ, author: "ronni", target: ronniQ},
		{kind: feeds.KindDelete, id: "del-" + ronniCheer, author: "ronni", target: ronniCheer},
		{kind: feeds.KindNotice, author: "ronni", text: "ronni timed out for 350s"},
		{kind: feeds.KindDelete, id: "del-" + troll, author: "troll42", target: troll},
		{kind: feeds.KindNotice, author: "troll42", text: "troll42 banned"},
		{kind: feeds.KindNotice, text: "chat cleared by a moderator"},
		{kind: feeds.KindNotice, text: "This room is now in emote-only mode."},
	})
	if want := time.UnixMilli(1642786203573); !evs[0].Time.Equal(want) {
		t.Errorf("time %v, want tmi-sent-ts %v", evs[0].Time, want)
	}
	if !strings.HasPrefix(evs[11].ID, "clearchat-") {
		t.Errorf("CLEARCHAT notice id %q should be derived from the line, so a replay is one notice", evs[11].ID)
	}
	wantStatus := []string{
		"slow=", "followers-only=", "emote-only=", "subs-only=", "unique-chat=", // the join's full ROOMSTATE
		"slow=10s", "followers-only=10m", "emote-only=on", "emote-only=",
	}
	if got := st.history(); !slices.Equal(got, wantStatus) {
		t.Errorf("status changes %q, want %q", got, wantStatus)
	}
	// What Helix will need, learned from the tags.
	k.mu.Lock()
	room := k.rooms["#dallas"]
	ronni, _ := k.users.Get("ronni")
	trollID, _ := k.users.Get("troll42")
	k.mu.Unlock()
	if room != "12345678" || ronni != "87654321" || trollID != "99887766" {
		t.Errorf("room %q, ronni %q, troll %q", room, ronni, trollID)
	}
}

func TestTwitchReplies(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, twitchConfig(t, srv.addr()))
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.twitchWelcome()
	p.send(":lumio!lumio@lumio.tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st, 1)

	// Accepted: Twitch answers with a USERSTATE carrying the message id.
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Channel: "#dallas", Text: "thanks\nfor asking!", Target: "b34ccfc7"})
	p.expectLine("@reply-parent-msg-id=b34ccfc7 PRIVMSG #dallas :thanks for asking!")
	p.send("@badge-info=;badges=moderator/1;color=;display-name=Lumio;emote-sets=0;id=e5f6a7b8-0000-4000-8000-000000000001;mod=1;subscriber=0;user-type=mod :tmi.twitch.tv USERSTATE #dallas")
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
	checkEvents(t, st.Events(), []want{{
		kind: feeds.KindMessage, id: "e5f6a7b8-0000-4000-8000-000000000001", author: "lumio", authorName: "Lumio",
		badges: []string{feeds.BadgeModerator, feeds.BadgeBrand}, text: "thanks for asking!", replyTo: "b34ccfc7",
	}})

	// Refused: slow mode is worth a retry later, a ban is not.
	res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "again"})
	p.expectLine("PRIVMSG #dallas again")
	p.send("@msg-id=msg_slowmode :tmi.twitch.tv NOTICE #dallas :This room is in slow mode and you are sending messages too quickly. You will be able to talk again in 5 seconds.")
	err := result(t, res)
	if d, _ := feeds.RetryAfterOf(err); d != 5*time.Second {
		t.Errorf("slow mode: %v (%s), want a retry after the 5 s Twitch named", err, classify(err))
	}
	res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "hello?"})
	p.expectLine("PRIVMSG #dallas hello?")
	p.send("@msg-id=msg_banned :tmi.twitch.tv NOTICE #dallas :You are permanently banned from talking in dallas.")
	if err := result(t, res); classify(err) != "permanent" {
		t.Errorf("banned: %v (%s)", err, classify(err))
	}
	res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "hello?"})
	p.expectLine("PRIVMSG #dallas hello?")
	p.send("@msg-id=msg_duplicate :tmi.twitch.tv NOTICE #dallas :Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.")
	if err := result(t, res); classify(err) != "permanent" {
		t.Errorf("duplicate: %v (%s)", err, classify(err))
	}
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: strings.Repeat("é", 501)}); classify(err) != "permanent" {
		t.Errorf("501 characters: %v", err)
	}
}

func TestTwitchAnonymousIsReadOnly(t *testing.T) {
	srv := newFakeServer(t)
	k, err := New("tw", Config{Server: srv.addr(), Transport: "tcp", Dialect: "twitch", Channels: []string{"dallas"}})
	if err != nil {
		t.Fatal(err)
	}
	if caps := k.Capabilities(); len(caps.Actions) != 0 {
		t.Fatalf("anonymous Twitch offers %v", caps.Actions)
	}
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.expectLine("CAP REQ :twitch.tv/tags twitch.tv/commands")
	nick := p.expect("NICK").Params[0]
	if !strings.HasPrefix(nick, "justinfan") {
		t.Fatalf("anonymous nick %q", nick)
	}
	p.send(":tmi.twitch.tv 001 " + nick + " :Welcome, GLHF!")
	p.expectLine("JOIN #dallas")
	p.send(":" + nick + "!" + nick + "@" + nick + ".tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st, 1)
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: "hi"}); !feeds.IsPermanent(err) {
		t.Fatalf("reply without a token: %v", err)
	}
}

func TestTwitchLoginFailureIsPermanent(t *testing.T) {
	srv := newFakeServer(t)
	r := start(t, testConnector(t, twitchConfig(t, srv.addr())), feedstest.NewStream())
	p := srv.accept(t)
	p.expect("NICK")
	p.send(":tmi.twitch.tv NOTICE * :Login authentication failed")
	if err := r.ended(t); !feeds.IsPermanent(err) {
		t.Fatalf("Run returned %v, want permanent", err)
	}
}

// fakeHelix is a local Helix that checks every request's credentials and
// records what was asked.
type fakeHelix struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []string
	// fail, when set, answers instead of the normal handler.
	fail func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeHelix(t *testing.T) *fakeHelix {
	h := &fakeHelix{t: t}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

var helixUsersByLogin = map[string]string{"": "5678", "lumio": "5678", "dallas": "1234", "newbie": "9999"}

func (h *fakeHelix) serve(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Client-Id"); got != "app-client-id" {
		h.t.Errorf("%s %s: Client-Id %q", r.Method, r.URL, got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer helix-token" {
		h.t.Errorf("%s %s: Authorization %q", r.Method, r.URL, got)
	}
	rec := r.Method + " " + r.URL.Path
	if q := r.URL.Query().Encode(); q != "" {
		rec += "?" + q
	}
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				h.t.Errorf("%s: Content-Type %q", rec, ct)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				h.t.Errorf("%s: body %q is not JSON", rec, b)
			}
			norm, _ := json.Marshal(v) // sorted keys
			rec += " " + string(norm)
		}
	}
	h.mu.Lock()
	h.reqs = append(h.reqs, rec)
	h.mu.Unlock()
	if h.fail != nil && h.fail(w, r) {
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/helix/users":
		id, ok := helixUsersByLogin[r.URL.Query().Get("login")]
		if !ok {
			io.WriteString(w, `{"data":[]}`)
			return
		}
		io.WriteString(w, `{"data":[{"id":"`+id+`","login":"x","display_name":"X"}]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/helix/moderation/bans":
		io.WriteString(w, `{"data":[{"broadcaster_id":"1234","moderator_id":"5678","user_id":"9999","created_at":"2026-11-23T10:00:00Z","end_time":null}]}`)
	case r.Method == http.MethodDelete && (r.URL.Path == "/helix/moderation/bans" || r.URL.Path == "/helix/moderation/chat"):
		w.WriteHeader(http.StatusNoContent)
	default:
		h.t.Errorf("unexpected request %s", rec)
		http.NotFound(w, r)
	}
}

func (h *fakeHelix) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.reqs
	h.reqs = nil
	return out
}

func helixConnector(t *testing.T, api string) *Connector {
	t.Setenv("TRIBUNE_TEST_HELIX", "helix-token")
	cfg := twitchConfig(t, "127.0.0.1:1")
	cfg.ClientID, cfg.HelixTokenEnv, cfg.HelixURL = "app-client-id", "TRIBUNE_TEST_HELIX", api+"/helix"
	return testConnector(t, cfg)
}

func TestHelixModeration(t *testing.T) {
	api := newFakeHelix(t)
	k := helixConnector(t, api.srv.URL)
	if caps := k.Capabilities(); !slices.Equal(caps.Actions, []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban}) {
		t.Fatalf("actions %v", caps.Actions)
	}
	ctx := context.Background()
	steps := []struct {
		a    feeds.Action
		reqs []string
	}{
		{feeds.Action{Kind: feeds.ActBan, Channel: "#dallas", TargetAuthor: "newbie", Reason: "spam\nlinks"}, []string{
			"GET /helix/users?login=dallas", // the broadcaster, before any ROOMSTATE
			"GET /helix/users",              // the token's user: the moderator
			"GET /helix/users?login=newbie",
			`POST /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678 {"data":{"reason":"spam links","user_id":"9999"}}`,
		}},
		{feeds.Action{Kind: feeds.ActTimeout, Channel: "dallas", TargetAuthor: "NewBie", Duration: 90*time.Second + time.Millisecond}, []string{
			`POST /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678 {"data":{"duration":91,"user_id":"9999"}}`,
		}},
		{feeds.Action{Kind: feeds.ActTimeout, TargetAuthor: "newbie"}, []string{
			`POST /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678 {"data":{"duration":600,"user_id":"9999"}}`,
		}},
		{feeds.Action{Kind: feeds.ActTimeout, TargetAuthor: "newbie", Duration: time.Hour, Reason: "  flood,  twice "}, []string{
			`POST /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678 {"data":{"duration":3600,"reason":"flood, twice","user_id":"9999"}}`,
		}},
		// Queued before actions had a Reason: the reason was the text.
		{feeds.Action{Kind: feeds.ActBan, TargetAuthor: "newbie", Text: "old reason"}, []string{
			`POST /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678 {"data":{"reason":"old reason","user_id":"9999"}}`,
		}},
		{feeds.Action{Kind: feeds.ActDelete, Channel: "#dallas", Target: "abc-123", TargetAuthor: "newbie"}, []string{
			"DELETE /helix/moderation/chat?broadcaster_id=1234&message_id=abc-123&moderator_id=5678",
		}},
		{feeds.Action{Kind: feeds.ActUnban, Channel: "#dallas", TargetAuthor: "newbie"}, []string{
			"DELETE /helix/moderation/bans?broadcaster_id=1234&moderator_id=5678&user_id=9999",
		}},
	}
	for _, s := range steps {
		if err := k.Do(ctx, s.a); err != nil {
			t.Fatalf("%s: %v", s.a.Kind, err)
		}
		if got := api.take(); !slices.Equal(got, s.reqs) {
			t.Errorf("%s: requests\n%q\nwant\n%q", s.a.Kind, got, s.reqs)
		}
	}
	err := k.Do(ctx, feeds.Action{Kind: feeds.ActBan, TargetAuthor: "nobody"})
	if classify(err) != "permanent" || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown user: %v", err)
	}
	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActDelete, Target: "~local-1"}); classify(err) != "permanent" {
		t.Errorf("deleting a message Twitch never numbered: %v", err)
	}
}

func TestHelixUsesIDsSeenInChat(t *testing.T) {
	api := newFakeHelix(t)
	k := helixConnector(t, api.srv.URL)
	// What a ROOMSTATE and a PRIVMSG taught the connector.
	k.setRoom("#dallas", "12345678")
	k.users.Put("ronni", "87654321")
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActBan, TargetAuthor: "Ronni"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /helix/users",
		`POST /helix/moderation/bans?broadcaster_id=12345678&moderator_id=5678 {"data":{"user_id":"87654321"}}`,
	}
	if got := api.take(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

func TestHelixErrors(t *testing.T) {
	api := newFakeHelix(t)
	k := helixConnector(t, api.srv.URL)
	now := time.Unix(1_800_000_000, 0)
	k.helix.now = func() time.Time { return now }
	k.setRoom("#dallas", "1234")
	ban := feeds.Action{Kind: feeds.ActBan, TargetAuthor: "newbie"}
	if err := k.Do(context.Background(), ban); err != nil { // learns the ids
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		status int
		header string
		body   string
		want   string
	}{
		{"rate limited", 429, "1800000007", `{"error":"Too Many Requests","status":429,"message":""}`, "retry-after"},
		{"already banned", 400, "", `{"error":"Bad Request","status":400,"message":"user is already banned"}`, "permanent"},
		{"bad token", 401, "", `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}`, "permanent"},
		{"not a moderator", 403, "", `{"error":"Forbidden","status":403,"message":"user is not a moderator"}`, "permanent"},
		{"server error", 503, "", `oops`, "uncertain"},
	}
	for _, c := range cases {
		api.fail = func(w http.ResponseWriter, r *http.Request) bool {
			if c.header != "" {
				w.Header().Set("Ratelimit-Reset", c.header)
			}
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
			return true
		}
		err := k.Do(context.Background(), ban)
		if got := classify(err); got != c.want {
			t.Errorf("%s: %v is %s, want %s", c.name, err, got, c.want)
		}
		if c.status == 429 {
			if d, _ := feeds.RetryAfterOf(err); d != 7*time.Second {
				t.Errorf("rate limited: wait %s, want the 7 s until Ratelimit-Reset", d)
			}
		}
		if c.status == 400 && !strings.Contains(err.Error(), "user is already banned") {
			t.Errorf("the error should carry Twitch's message: %v", err)
		}
	}
	api.srv.Close()
	if err := k.Do(context.Background(), ban); classify(err) != "not-sent" {
		t.Errorf("API unreachable: %v (%s), want not-sent", err, classify(err))
	}
}
