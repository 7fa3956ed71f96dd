package cluster

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/feeds"
)

// The first node makes the event stream with its keep_for and
// keep_count; a node whose config says otherwise brings the stream to
// it, says so, and the stream keeps what it now says.
func TestRetainFollowsTheConfig(t *testing.T) {
	srv, err := Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	dial := func(node string, o Options) *Conn {
		c, err := Dial(context.Background(), srv.ClientURL(), node, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.NC.Close)
		return c
	}
	ctx := context.Background()
	a := dial("ingest-a", Options{KeepFor: time.Hour, KeepCount: 10})
	if said, err := a.Retain(ctx); err != nil || said != "" {
		t.Errorf("the stream's maker's Retain = %q, %v; want nothing to change", said, err)
	}
	b := dial("ingest-b", Options{KeepFor: 2 * time.Hour, KeepCount: 5})
	said, err := b.Retain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "the stream TRIBUNE_EVENTS now keeps 5 a feed for 2h0m0s (it kept 10 a feed for 1h0m0s)"; said != want {
		t.Errorf("Retain said %q, want %q", said, want)
	}
	if said, err := b.Retain(ctx); err != nil || said != "" {
		t.Errorf("Retain again = %q, %v; want nothing to change", said, err)
	}
	evs := make([]feeds.Event, 8)
	for i := range evs {
		evs[i] = feeds.Event{Feed: "chat", ID: strconv.Itoa(i), Kind: feeds.KindMessage, Time: time.Now(), Text: "hi"}
	}
	if err := b.Publisher().AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	st, err := b.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := st.Write(&out); err != nil {
		t.Fatal(err)
	}
	if want := EventStream + "           5 messages, "; !strings.HasPrefix(out.String(), "connected to "+srv.Name()+"\n") ||
		!strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), ", keeps 5 a feed for 2h0m0s\n") {
		t.Errorf("cluster status, after 8 events on a feed kept to 5:\n%s", out.String())
	}
	// A config without bounds unbounds it.
	c := dial("ingest-c", Options{})
	if said, err := c.Retain(ctx); err != nil || !strings.Contains(said, "now keeps all of each feed for ever") {
		t.Errorf("Retain without bounds = %q, %v", said, err)
	}
}
