package bluesky

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

func TestDecodeSamples(t *testing.T) {
	f, err := decodeFrame([]byte(sample(t, "post_reply.json")))
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != "commit" || f.TimeUS != 1732206349000167 || f.Commit.Operation != "create" || f.Commit.RKey != "3lbhtytnn2k2f" {
		t.Errorf("post: %+v", f)
	}
	var rec postRecord
	if err := json.Unmarshal(f.Commit.Record, &rec); err != nil || rec.Reply == nil || len(rec.Facets) != 2 || warning(rec) != "labelled graphic-media" {
		t.Errorf("record: %+v, %v", rec, err)
	}
	if f, err := decodeFrame([]byte(sample(t, "post_delete.json"))); err != nil || f.Commit.Operation != "delete" || f.Commit.Record != nil || f.Commit.CID != "" {
		t.Errorf("delete: %+v, %v", f, err)
	}
	if f, err := decodeFrame([]byte(sample(t, "identity.json"))); err != nil || f.Identity.Handle != "alice.example.com" {
		t.Errorf("identity: %+v, %v", f, err)
	}
	if _, err := decodeFrame([]byte(sample(t, "account.json"))); err != nil {
		t.Errorf("account: %v", err)
	}
	for _, bad := range []string{
		``, `[]`, `{"did":"did:plc:x","time_us":0,"kind":"commit"}`,
		`{"did":"nope","time_us":1,"kind":"identity"}`,
		`{"did":"did:plc:x","time_us":1,"kind":"commit"}`,
		`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"../x"}}`,
		`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"explode","collection":"app.bsky.feed.post","rkey":"a"}}`,
		`{"did":"did:plc:x","time_us":1,"kind":"gossip"}`,
	} {
		if _, err := decodeFrame([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

// The connector keeps what the configuration asks for, shows handles
// once resolved, deletions and reposts of what it showed, and nothing else.
func TestStreamFiltersAndShows(t *testing.T) {
	j := newFakeJetstream(t)
	p := newFakePDS(t)
	p.profiles[aliceDID] = [2]string{"alice.test", "Alice"}
	p.handles["watched.test"] = "did:plc:watched22222222222222"
	c := newConn(t, j, p, func(c *Config) {
		c.Terms = []string{"Tribune"}
		c.Hashtags = []string{"#launchday"}
		c.Watch = []string{"watched.test"}
		c.Reposts = true
	})
	j.add(
		sample(t, "post_plain.json"), // nothing to do with us
		postFrame("did:plc:x22222222222222222222222", "3aaaaaaaaaa22", 1732206340000001, "I love TRIBUNE"),  // term
		postFrame("did:plc:y22222222222222222222222", "3aaaaaaaaab22", 1732206340000002, "go #LaunchDay!"),  // tag in text
		postFrame("did:plc:watched22222222222222", "3aaaaaaaaac22", 1732206340000003, "anything"),           // watched
		postFrame(brandDID, "3aaaaaaaaad22", 1732206340000004, "our own post"),                              // the account
		postFrame("did:plc:z22222222222222222222222", "3aaaaaaaaae22", 1732206340000005, "hi @Brand.test."), // mention in text
		sample(t, "post_reply.json"),                                  // mention facet, reply, label
		sample(t, "identity.json"),                                    // alice's new handle
		sample(t, "account.json"),                                     // ignored
		sample(t, "repost.json"),                                      // of alice's post, shown
		`{"did":"did:plc:x","time_us":5,"kind":"commit","commit":{}}`, // skipped
		`{"did":"did:plc:q22222222222222222222222","time_us":1732206349600000,"kind":"commit","commit":{"rev":"3lbhtzbbbb22c","operation":"delete","collection":"app.bsky.feed.post","rkey":"3unknownkey22"}}`,
		sample(t, "post_delete.json"), // of alice's post
	)
	s := supervise(t, c)
	evs := s.WaitEvents(t, 8, wait)
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprintf("%s %s %q", e.Kind, e.Author, e.Text))
	}
	want := []string{
		`message did:plc:x22222222222222222222222 "I love TRIBUNE"`,
		`message did:plc:y22222222222222222222222 "go #LaunchDay!"`,
		`message watched.test "anything"`,
		`message brand.test "our own post"`,
		`message did:plc:z22222222222222222222222 "hi @Brand.test."`,
		`message ` + aliceDID + ` "agreed! @brand.test #TribuneLaunch"`,
		`message did:plc:carol2222222222222222222 "agreed! @brand.test #TribuneLaunch"`,
		`delete  ""`,
	}
	if strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reply, repost, del := evs[5], evs[6], evs[7]
	uri := atURI(aliceDID, collPost, "3lbhtytnn2k2f")
	if reply.ID != uri || reply.ReplyTo != "at://did:plc:bob22222222222222222222222/app.bsky.feed.post/3lbhparentpa2" ||
		reply.Warning != "labelled graphic-media" || reply.Platform != "bluesky" || reply.Feed != "bsky" || reply.Time.UnixMicro() != 1732206349000167 {
		t.Errorf("reply = %+v", reply)
	}
	if repost.RepostOf == "" || repost.ID != atURI("did:plc:carol2222222222222222222", collRepost, "3lbhtyzzzz22b") {
		t.Errorf("repost = %+v", repost)
	}
	if del.Target != uri {
		t.Errorf("delete = %+v", del)
	}
	if !evs[3].HasBadge(feeds.BadgeBrand) {
		t.Errorf("own post without the brand badge: %+v", evs[3])
	}
	if s.StatusOf("lag") == "" || s.StatusOf("last event") == "" || s.StatusOf("skipped") == "" || s.Connections() != 1 {
		t.Errorf("lag %q, %d connections", s.StatusOf("lag"), s.Connections())
	}
	if q := <-j.queries; strings.Join(q["wantedCollections"], ",") != "app.bsky.feed.post,app.bsky.feed.repost" || q.Has("cursor") || q.Has("wantedDids") {
		t.Errorf("subscribed with %v", q)
	}

	// Alice resolves in the background; her next post shows her handle,
	// the one from her identity frame.
	s.WaitFor(t, wait, "alice resolved", func(*feedstest.Stream) bool {
		pr, ok := c.profiles.Get(aliceDID)
		return ok && pr.handle != ""
	})
	j.add(postFrame(aliceDID, "3aaaaaaaaaf22", 1732206360000000, "tribune again"))
	evs = s.WaitEvents(t, 9, wait)
	// A text far over a post's 3,000 bytes (Jetstream checks no lexicon)
	// is cut before it is kept.
	j.add(postFrame("did:plc:x22222222222222222222222", "3aaaaaaaaag22", 1732206361000000, "tribune "+strings.Repeat("é", 200_000)))
	if huge := s.WaitEvents(t, 10, wait)[9]; len(huge.Text) > maxPostBytes || !strings.HasPrefix(huge.Text, "tribune é") {
		t.Errorf("huge post kept %d bytes", len(huge.Text))
	}
	if last := evs[len(evs)-1]; last.Author != "alice.test" && last.Author != "alice.example.com" || last.AuthorName != "Alice" {
		t.Errorf("resolved author: %+v", last)
	}
	if evs = s.Events(); len(messages(evs)) != 10 {
		t.Errorf("%d events, want 10: %v", len(evs), evs)
	}
}

// The stream is cut mid-way; the connector resumes from its cursor,
// rewound, and the feed gets everything once.
func TestResumeFromCursor(t *testing.T) {
	j := newFakeJetstream(t, 4, 6)
	p := newFakePDS(t)
	c := newConn(t, j, p, func(c *Config) { c.Rewind = 2_500_000_000 }) // 2.5 s
	const base = int64(1732206300000000)
	var frames []string
	for i := range 12 {
		frames = append(frames, postFrame("did:plc:x22222222222222222222222", fmt.Sprintf("3aaaaaaaa%03d2", i), base+int64(i)*1_000_000, fmt.Sprintf("tribune %d", i)))
	}
	j.add(frames...)
	s := supervise(t, c)
	s.WaitFor(t, wait, "12 posts", func(s *feedstest.Stream) bool { return len(messages(s.Events())) >= 12 })
	j.add(postFrame("did:plc:x22222222222222222222222", "3aaaaaaaazzz2", base+20_000_000, "tribune last"))
	s.WaitFor(t, wait, "13 posts", func(s *feedstest.Stream) bool { return len(messages(s.Events())) >= 13 })

	seen := map[string]int{}
	var texts []string
	var notices []feeds.Event
	for _, e := range s.Events() {
		if e.Kind == feeds.KindNotice {
			notices = append(notices, e)
			continue
		}
		seen[e.ID]++
		texts = append(texts, e.Text)
	}
	for i, txt := range texts[:12] {
		if txt != fmt.Sprintf("tribune %d", i) {
			t.Fatalf("post %d is %q: %q", i, txt, texts)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s shown %d times", id, n)
		}
	}
	if len(seen) != 13 {
		t.Errorf("%d posts shown, want 13", len(seen))
	}
	// Cut after frames 0..3, then after 1..6 (replayed from 2.5 s before
	// frame 3, of which 1..3 are dropped as seen).
	var cursors []string
	for range 3 {
		cursors = append(cursors, (<-j.queries).Get("cursor"))
	}
	want := []string{"", strconv.FormatInt(base+3_000_000-2_500_000, 10), ""}
	if cursors[0] != want[0] || cursors[1] != want[1] || cursors[2] == "" {
		t.Errorf("cursors %q, want %q then a later one", cursors, want[:2])
	}
	if len(notices) != 2 || !strings.Contains(notices[0].Text, "replaying from") || notices[0].ID == notices[1].ID {
		t.Errorf("notices: %+v", notices)
	}
}

// A stream narrowed to the watched accounts asks Jetstream for their DIDs.
func TestOnlyWatchedSubscribesToDIDs(t *testing.T) {
	j := newFakeJetstream(t)
	p := newFakePDS(t)
	p.handles["watched.test"] = "did:plc:watched22222222222222"
	c := newConn(t, j, p, func(c *Config) {
		c.Watch = []string{"watched.test", "did:plc:other22222222222222222", "gone.test"}
		c.OnlyWatched = true
	})
	s := supervise(t, c)
	q := <-j.queries
	if got := strings.Join(q["wantedDids"], ","); got != brandDID+",did:plc:other22222222222222222,did:plc:watched22222222222222" {
		t.Errorf("wantedDids = %s", got)
	}
	s.WaitFor(t, wait, "the unresolved handle in status", func(s *feedstest.Stream) bool { return s.StatusOf("unresolved") == "gone.test" })
}

// A cursor read from one connector is where another resumes, rewound:
// how an ingest node of a cluster takes a feed over.
func TestCursorHandsOver(t *testing.T) {
	j := newFakeJetstream(t)
	p := newFakePDS(t)
	first := newConn(t, j, p, nil)
	if first.Cursor() != "" {
		t.Errorf("a new connector's cursor is %q", first.Cursor())
	}
	first.cursor = 1732206300000000
	next := newConn(t, j, p, func(c *Config) { c.Rewind = 2_000_000_000 }) // 2 s
	next.Resume("not a number")
	next.Resume(first.Cursor())
	if _, from, err := next.subscribeURL(); err != nil || from != 1732206300000000-2_000_000 {
		t.Errorf("resumes from %d (%v), want 2 s before the cursor", from, err)
	}
}
