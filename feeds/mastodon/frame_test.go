package mastodon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// testConnector builds a connector for instance with the token in an
// environment variable.
func testConnector(t testing.TB, instance string, streams ...string) *Connector {
	t.Helper()
	t.Setenv("MASTODON_TEST_TOKEN", testToken)
	c, err := New("social", Config{Instance: instance, TokenEnv: "MASTODON_TEST_TOKEN", Streams: streams})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const testToken = "tok-secret-123"

func readFrame(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handleFrames runs frames through the connector's frame handling as the
// stream would, and returns the events.
func handleFrames(t *testing.T, c *Connector, frames ...[]byte) ([]feeds.Event, *feedstest.Stream) {
	t.Helper()
	s := feedstest.NewStream()
	h := health{s: s}
	for _, f := range frames {
		c.handle(s, f, &h)
	}
	return s.Events(), s
}

func TestFrames(t *testing.T) {
	c := testConnector(t, "https://social.example", "hashtag:Lumio", "user")
	c.me = account{ID: "9", Acct: "lumio"}
	c.now = func() time.Time { return time.Date(2024, 5, 2, 12, 5, 0, 0, time.UTC) }

	evs, s := handleFrames(t, c,
		readFrame(t, "update.json"),
		readFrame(t, "reblog.json"),
		readFrame(t, "status_update.json"),
		readFrame(t, "delete.json"),
		readFrame(t, "notification_mention.json"),
		readFrame(t, "notification_favourite.json"),
		readFrame(t, "filters_changed.json"),
		readFrame(t, "update.json"), // again: emitted once
	)
	if len(evs) != 6 {
		t.Fatalf("got %d events: %+v", len(evs), evs)
	}
	up := evs[0]
	wantText := "@bob@other.example the keynote starts at 14:00 & the stream is https://lumio.example/live/keynote-2024-launch :blobcat:\n\nsee you there\n(bring snacks) #lumio"
	if up.ID != "110000000000000001" || up.Kind != feeds.KindMessage || up.Author != "alice" || up.AuthorName != "Alice :blobcat:" ||
		up.Channel != "#lumio" || up.Text != wantText || up.Platform != "mastodon" || up.Feed != "social" ||
		!up.Time.Equal(time.Date(2024, 5, 2, 12, 1, 30, 0, time.UTC)) || up.Direct || up.RepostOf != "" {
		t.Errorf("update = %+v\ntext %q", up, up.Text)
	}
	rb := evs[1]
	if rb.ID != "110000000000000002" || rb.Author != "bob@other.example" || rb.RepostOf != "alice" || rb.Warning != "keynote leaks" ||
		rb.Text != "spoilers inside" || rb.AuthorName != "" {
		t.Errorf("boost = %+v", rb)
	}
	ed := evs[2]
	if ed.ID != "110000000000000001~2024-05-02T12:03:00.000Z" || ed.Text != "(edited) the keynote starts at 14:30" || statusID(ed.ID) != "110000000000000001" {
		t.Errorf("edit = %+v", ed)
	}
	del := evs[3]
	if del.Kind != feeds.KindDelete || del.Target != "110000000000000001" || del.ID != "delete:110000000000000001" {
		t.Errorf("delete = %+v", del)
	}
	dm := evs[4]
	if dm.ID != "110000000000000003" || !dm.Direct || dm.Channel != "mentions" || dm.ReplyTo != "110000000000000000" ||
		dm.Text != "@lumio is the launch delayed?" || dm.Author != "bob@other.example" {
		t.Errorf("direct mention = %+v", dm)
	}
	fav := evs[5]
	if fav.Kind != feeds.KindNotice || fav.ID != "notification:5002" || fav.Text != "alice favourited your post: we are live!" || fav.Channel != "notifications" {
		t.Errorf("favourite = %+v", fav)
	}
	if s.StatusOf("lag") == "" || s.StatusOf("last event") == "" {
		t.Errorf("no health status: lag %q, last event %q", s.StatusOf("lag"), s.StatusOf("last event"))
	}
	// Cursors moved: the hashtag stream to the newest update, the user
	// stream's notifications to the newest notification.
	if cur := c.cursors["hashtag:lumio"]; cur == nil || cur.status != "110000000000000002" {
		t.Errorf("hashtag cursor = %+v", cur)
	}
	if cur := c.cursors["user"]; cur == nil || cur.notification != "5002" {
		t.Errorf("user cursor = %+v", cur)
	}
	// What Do needs was remembered: the boost resolves to its original.
	if info, ok := c.statuses.get("110000000000000002"); !ok || info.id != "109999999999999990" || info.acct != "alice" {
		t.Errorf("boost info = %+v, %v", info, ok)
	}
}

func TestFrameErrors(t *testing.T) {
	c := testConnector(t, "https://social.example", "public:local")
	evs, s := handleFrames(t, c,
		readFrame(t, "error.json"),
		[]byte("not json"),
		[]byte(`{"stream":["public:local"],"event":"update","payload":"{\"id\":"}`),
		[]byte(`{"stream":["public:local"],"event":"delete","payload":""}`),
	)
	if len(evs) != 0 {
		t.Errorf("events from bad frames: %+v", evs)
	}
	if s.StatusOf("stream error") != "Unknown stream type" || s.StatusOf("unreadable frames") != "3" {
		t.Errorf("status: error %q, unreadable %q", s.StatusOf("stream error"), s.StatusOf("unreadable frames"))
	}
}

// A payload sent as an object rather than a string is read too.
func TestFramePayloadObject(t *testing.T) {
	d, err := decodeFrame([]byte(`{"stream":["list","42"],"event":"update","payload":{"id":"7","content":"<p>hi</p>","account":{"acct":"a"}}}`))
	if err != nil || d.stream != "list:42" || d.status == nil || d.status.ID != "7" {
		t.Errorf("decoded %+v, %v", d, err)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			f.Add(readFrame(f, e.Name()))
		}
	}
	f.Add([]byte(`{"event":"update","payload":"\"x\""}`))
	f.Add([]byte(`{"event":"notification","payload":"{\"id\":\"1\",\"type\":\"mention\",\"status\":{\"id\":\"2\",\"reblog\":{}}}"}`))
	c := testConnector(f, "https://social.example", "hashtag:lumio", "user")
	c.now = func() time.Time { return time.Unix(0, 0) }
	f.Fuzz(func(t *testing.T, data []byte) {
		s := feedstest.NewStream()
		h := health{s: s}
		c.handle(s, data, &h)
		for _, ev := range s.Events() {
			if ev.ID == "" || ev.Feed != "social" || ev.Platform != "mastodon" {
				t.Errorf("event without id, feed or platform: %+v", ev)
			}
			if ev.Kind == feeds.KindDelete && ev.Target == "" {
				t.Errorf("delete without target: %+v", ev)
			}
		}
	})
}
