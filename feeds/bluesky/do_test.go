package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

var queued = time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC)

func action(kind feeds.ActionKind, target, text string) feeds.Action {
	return feeds.Action{
		ID: feeds.NewActionID(queued), Feed: "bsky", Kind: kind, Target: target, Text: text,
		Operator: "cm", Created: queued,
	}
}

// showAliceReply feeds the connector the sample reply, as Run would.
func showAliceReply(t *testing.T, c *Connector) string {
	f, err := decodeFrame([]byte(sample(t, "post_reply.json")))
	if err != nil {
		t.Fatal(err)
	}
	c.handle(discard{}, f)
	return atURI(aliceDID, collPost, "3lbhtytnn2k2f")
}

type discard struct{}

func (discard) Emit(feeds.Event)                            {}
func (discard) Commit(context.Context, []feeds.Event) error { return nil }
func (discard) Connected()                                  {}
func (discard) Status(string, string)                       {}

type sentPost struct {
	Repo, Collection, RKey string
	Record                 struct {
		Type      string     `json:"$type"`
		Text      string     `json:"text"`
		CreatedAt string     `json:"createdAt"`
		Facets    []facet    `json:"facets"`
		Reply     *replyRefs `json:"reply"`
		Subject   *strongRef `json:"subject"`
	}
}

func sent(t *testing.T, p *fakePDS, coll string, a feeds.Action) sentPost {
	t.Helper()
	_, body, _ := p.record(coll, tidFor(a.ID, a.Created))
	if body == nil {
		t.Fatalf("no %s under %s", coll, tidFor(a.ID, a.Created))
	}
	var s sentPost
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A reply carries the thread's root and the parent as strong refs, facets
// with UTF-8 byte offsets, and the record key derived from the action.
func TestReplyRefsAndFacets(t *testing.T) {
	p := newFakePDS(t)
	p.handles["alice.test"] = aliceDID
	c := newConn(t, nil, p, nil)
	parent := showAliceReply(t, c)

	text := "Merci 👋🏽 @alice.test, voir https://example.com/a_(b) #Lancement! @nobody.test"
	a := action(feeds.ActReply, parent, text)
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	got := sent(t, p, collPost, a)
	if got.Repo != brandDID || got.Collection != collPost || got.RKey != tidFor(a.ID, a.Created) || !validTID(got.RKey) {
		t.Errorf("createRecord input: %+v", got)
	}
	r := got.Record
	if r.Type != collPost || r.Text != text || r.CreatedAt != "2026-11-30T12:00:00.123Z" {
		t.Errorf("record: %+v", r)
	}
	wantReply := replyRefs{
		Root:   strongRef{URI: "at://did:plc:brand2222222222222222222/app.bsky.feed.post/3lbhrootroot2", CID: "bafyreiroot222222222222222222222222222222222222222222222222"},
		Parent: strongRef{URI: parent, CID: "bafyreialice22222222222222222222222222222222222222222222222"},
	}
	if r.Reply == nil || *r.Reply != wantReply {
		t.Errorf("reply = %+v, want %+v", r.Reply, wantReply)
	}
	at := func(s string) facetIndex {
		i := strings.Index(text, s)
		return facetIndex{ByteStart: i, ByteEnd: i + len(s)}
	}
	want := []facet{
		{Index: at("@alice.test"), Features: []facetFeature{{Type: featMention, DID: aliceDID}}},
		{Index: at("https://example.com/a_(b)"), Features: []facetFeature{{Type: featLink, URI: "https://example.com/a_(b)"}}},
		{Index: at("#Lancement"), Features: []facetFeature{{Type: featTag, Tag: "Lancement"}}},
	}
	gotJSON, _ := json.Marshal(r.Facets)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("facets\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	if p.count("com.atproto.server.createSession") != 1 {
		t.Errorf("%d sessions", p.count("com.atproto.server.createSession"))
	}

	// A reply to the root post itself: root and parent are the same. It
	// was shown before a restart: the AppView knows it.
	root := "at://did:plc:bob22222222222222222222222/app.bsky.feed.post/3lbhzzzzzzz22"
	p.posts[root] = `{"uri":"` + root + `","cid":"bafyreibob","record":{"$type":"app.bsky.feed.post","text":"hi"}}`
	a2 := action(feeds.ActReply, root, "plain")
	a2.ID = feeds.NewActionID(queued.Add(time.Second))
	if err := c.Do(context.Background(), a2); err != nil {
		t.Fatal(err)
	}
	if r := sent(t, p, collPost, a2).Record; r.Reply == nil || r.Reply.Root != r.Reply.Parent || r.Reply.Parent.URI != root || r.Facets != nil {
		t.Errorf("reply to a root: %+v", r)
	}
	// A post that no longer exists cannot be answered.
	a3 := action(feeds.ActReply, "at://did:plc:bob22222222222222222222222/app.bsky.feed.post/3lbhgonegone2", "x")
	if err := c.Do(context.Background(), a3); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "gone") {
		t.Errorf("reply to a gone post: %v", err)
	}
}

// The first try stores the reply but its answer is lost; the retry finds
// its record key taken and counts that as done: one reply, not two.
func TestRetriedReplyIsNotDoubled(t *testing.T) {
	for _, dup := range []int{http.StatusConflict, http.StatusInternalServerError} {
		p := newFakePDS(t)
		p.loseAnswer, p.dupStatus = true, dup
		c := newConn(t, nil, p, nil)
		parent := showAliceReply(t, c)
		a := action(feeds.ActReply, parent, "on it")
		err := c.Do(context.Background(), a)
		if err == nil || feeds.IsPermanent(err) || feeds.IsNotSent(err) {
			t.Fatalf("dup %d: lost answer: %v, want a retryable, maybe-sent error", dup, err)
		}
		if err := c.Do(context.Background(), a); err != nil {
			t.Fatalf("dup %d: retry: %v", dup, err)
		}
		if _, _, n := p.record(collPost, tidFor(a.ID, a.Created)); n != 1 || p.count("com.atproto.repo.createRecord") != 2 {
			t.Errorf("dup %d: %d records after %d createRecord calls", dup, n, p.count("com.atproto.repo.createRecord"))
		}
	}
}

// The access token expires; the connector refreshes the session and the
// action goes through, without signing in again.
func TestExpiredSessionIsRefreshed(t *testing.T) {
	p := newFakePDS(t)
	c := newConn(t, nil, p, nil)
	parent := showAliceReply(t, c)
	if err := c.Do(context.Background(), action(feeds.ActFavourite, parent, "")); err != nil {
		t.Fatal(err)
	}
	p.expireAll()
	a := action(feeds.ActBoost, parent, "")
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if n, r := p.count("com.atproto.server.createSession"), p.count("com.atproto.server.refreshSession"); n != 1 || r != 1 {
		t.Errorf("%d sessions, %d refreshes; want 1 and 1", n, r)
	}
	if s := sent(t, p, collRepost, a).Record; s.Type != collRepost || s.Subject == nil || s.Subject.URI != parent || s.Subject.CID == "" {
		t.Errorf("repost = %+v", s)
	}

	// Refresh token gone too: a new session.
	p.expireAll()
	p.mu.Lock()
	clear(p.refresh)
	p.mu.Unlock()
	a2 := action(feeds.ActPost, "", "hello tribune")
	a2.ID = feeds.NewActionID(queued.Add(time.Minute))
	if err := c.Do(context.Background(), a2); err != nil {
		t.Fatal(err)
	}
	if n := p.count("com.atproto.server.createSession"); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	if r := sent(t, p, collPost, a2).Record; r.Reply != nil || r.Text != "hello tribune" {
		t.Errorf("post = %+v", r)
	}
}

func TestLikeAndDelete(t *testing.T) {
	p := newFakePDS(t)
	c := newConn(t, nil, p, nil)
	parent := showAliceReply(t, c)
	like := action(feeds.ActFavourite, parent, "")
	if err := c.Do(context.Background(), like); err != nil {
		t.Fatal(err)
	}
	if s := sent(t, p, collLike, like).Record; s.Type != collLike || s.Subject == nil || s.Subject.URI != parent {
		t.Errorf("like = %+v", s)
	}
	// Our own post can be deleted; anyone else's cannot.
	mine := action(feeds.ActPost, "", "oops tribune")
	if err := c.Do(context.Background(), mine); err != nil {
		t.Fatal(err)
	}
	own := atURI(brandDID, collPost, tidFor(mine.ID, mine.Created))
	if err := c.Do(context.Background(), action(feeds.ActDelete, own, "")); err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := p.record(collPost, tidFor(mine.ID, mine.Created)); rec != nil {
		t.Error("own post not deleted")
	}
	if err := c.Do(context.Background(), action(feeds.ActDelete, parent, "")); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "own posts") {
		t.Errorf("deleting someone else's post: %v", err)
	}
	if err := c.Do(context.Background(), action(feeds.ActBan, parent, "")); !feeds.IsPermanent(err) {
		t.Errorf("ban: %v", err)
	}
}

// 300 graphemes, not runes: 300 thumbs with a skin tone (600 runes) pass,
// 301 do not; MaxText is the rune bound.
func TestGraphemeLimit(t *testing.T) {
	p := newFakePDS(t)
	c := newConn(t, nil, p, nil)
	ok := action(feeds.ActPost, "", strings.Repeat("👍🏽", 300))
	if err := c.Do(context.Background(), ok); err != nil {
		t.Errorf("300 graphemes refused: %v", err)
	}
	over := action(feeds.ActPost, "", strings.Repeat("e\u0301", 301))
	err := c.Do(context.Background(), over)
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "301 characters (graphemes), Bluesky allows 300") {
		t.Errorf("301 graphemes: %v", err)
	}
	if err := c.Do(context.Background(), action(feeds.ActPost, "", "ok \xff")); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if err := c.Do(context.Background(), action(feeds.ActPost, "", " \n")); !feeds.IsPermanent(err) {
		t.Errorf("empty post: %v", err)
	}
	if caps := c.Capabilities(); caps.MaxText != 300 || !caps.Idempotent || !caps.Can(feeds.ActReply) || caps.Can(feeds.ActBan) {
		t.Errorf("capabilities %+v", caps)
	}
}

// Rate limits wait as long as the PDS says; refusals are permanent and
// carry its own words; secrets show nowhere.
func TestErrorsSayWhatThePDSSaid(t *testing.T) {
	p := newFakePDS(t)
	c := newConn(t, nil, p, nil)
	p.rateLimit = time.Now().Add(20 * time.Minute)
	err := c.Do(context.Background(), action(feeds.ActPost, "", "tribune"))
	if w, ok := feeds.RetryAfterOf(err); !ok || w < 15*time.Minute || w > 21*time.Minute {
		t.Errorf("rate limited: %v (wait %v)", err, w)
	}
	p.refuse = "Record/text must not be longer than 300 graphemes"
	err = c.Do(context.Background(), action(feeds.ActPost, "", "tribune"))
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "InvalidRequest: Record/text must not be longer than 300 graphemes") {
		t.Errorf("refused: %v", err)
	}

	t.Setenv("WRONG_PASSWORD", "wrong-pass-zzzz")
	bad, err := New("bsky", Config{Handle: testHandle, AppPasswordEnv: "WRONG_PASSWORD", PDS: p.URL, AppView: p.URL, Terms: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Do(context.Background(), action(feeds.ActPost, "", "tribune"))
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "Invalid identifier or password") || strings.Contains(err.Error(), "wrong-pass") {
		t.Errorf("bad password: %v", err)
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Errorf("%T", err)
	}
}

func TestReadOnlyWithoutPassword(t *testing.T) {
	c, err := New("bsky", Config{Terms: []string{"tribune"}})
	if err != nil {
		t.Fatal(err)
	}
	if caps := c.Capabilities(); len(caps.Actions) != 0 || caps.Idempotent {
		t.Errorf("read-only capabilities: %+v", caps)
	}
	if err := c.Do(context.Background(), action(feeds.ActPost, "", "x")); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only Do: %v", err)
	}
}

// Mute, block and report act on the author of the post picked, or on the
// account named when there is no post; a block is a record under the
// action's key, so a retry is not a second block.
func TestMuteBlockReport(t *testing.T) {
	p := newFakePDS(t)
	p.handles["alice.test"] = aliceDID
	c := newConn(t, nil, p, nil)
	post := showAliceReply(t, c)
	ctx := context.Background()

	mute := action(feeds.ActMute, post, "")
	if err := c.Do(ctx, mute); err != nil {
		t.Fatal(err)
	}
	byHandle := action(feeds.ActMute, "", "")
	byHandle.TargetAuthor = "@alice.test"
	if err := c.Do(ctx, byHandle); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	muted := slices.Clone(p.muted)
	p.mu.Unlock()
	if !slices.Equal(muted, []string{aliceDID, aliceDID}) {
		t.Errorf("muted %q, want alice's DID twice", muted)
	}
	timed := action(feeds.ActMute, post, "")
	timed.Duration = time.Hour
	if err := c.Do(ctx, timed); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "no duration") {
		t.Errorf("mute for an hour: %v", err)
	}
	unknown := action(feeds.ActMute, "", "")
	unknown.TargetAuthor = "nobody.test"
	if err := c.Do(ctx, unknown); !feeds.IsNotSent(err) || !strings.Contains(err.Error(), "nobody.test") {
		t.Errorf("unknown handle: %v", err)
	}

	block := action(feeds.ActBlock, post, "")
	for range 2 { // the second is a retry
		if err := c.Do(ctx, block); err != nil {
			t.Fatal(err)
		}
	}
	rec, _, _ := p.record(collBlock, tidFor(block.ID, block.Created))
	var b blockOut
	if err := json.Unmarshal(rec, &b); err != nil || b.Type != collBlock || b.Subject != aliceDID {
		t.Errorf("block record %s (%v)", rec, err)
	}
	if n := p.count("com.atproto.repo.createRecord"); n != 2 {
		t.Errorf("%d createRecord calls, want 2 (the retry answered 409)", n)
	}

	report := action(feeds.ActReport, post, "")
	report.Reason = "  spam link, " + strings.Repeat("é", 2100)
	if err := c.Do(ctx, report); err != nil {
		t.Fatal(err)
	}
	account := action(feeds.ActReport, "", "")
	account.TargetAuthor = aliceDID
	if err := c.Do(ctx, account); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	reports := slices.Clone(p.reports)
	p.mu.Unlock()
	if len(reports) != 2 {
		t.Fatalf("%d reports, want 2", len(reports))
	}
	var got [2]struct {
		ReasonType string            `json:"reasonType"`
		Reason     *string           `json:"reason"`
		Subject    map[string]string `json:"subject"`
	}
	for i := range got {
		if err := json.Unmarshal(reports[i], &got[i]); err != nil {
			t.Fatal(err)
		}
	}
	if s := got[0].Subject; s["$type"] != "com.atproto.repo.strongRef" || s["uri"] != post || s["cid"] == "" {
		t.Errorf("post report subject %v", s)
	}
	if r := got[0].Reason; r == nil || !strings.HasPrefix(*r, "spam link, ééé") || !strings.HasSuffix(*r, "…") ||
		len([]rune(*r)) != maxReportReason {
		t.Errorf("reason not trimmed to %d graphemes", maxReportReason)
	}
	if s := got[1].Subject; s["$type"] != "com.atproto.admin.defs#repoRef" || s["did"] != aliceDID || got[1].Reason != nil {
		t.Errorf("account report %+v", got[1])
	}
	if got[0].ReasonType != "com.atproto.moderation.defs#reasonOther" {
		t.Errorf("reasonType %q", got[0].ReasonType)
	}
}
