package cluster

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds"
)

// live reads the test platform without a cursor, from its newest message
// on, as IRC or a WebSocket feed does: what was said while no node read
// it is lost.
type live struct{ src *source }

func (l live) Platform() string                             { return l.src.Platform() }
func (l live) Capabilities() feeds.Capabilities             { return l.src.Capabilities() }
func (l live) Do(ctx context.Context, a feeds.Action) error { return l.src.Do(ctx, a) }
func (l live) Run(ctx context.Context, st feeds.Stream) error {
	n := l.src.p.count()
	l.src.mu.Lock()
	l.src.cursor = n
	l.src.mu.Unlock()
	return l.src.Run(ctx, st)
}

func startLive(t *testing.T, c *Conn, p *platform) *ingestNode {
	t.Helper()
	src := &source{p: p}
	in, err := c.NewIngest([]Feed{{ID: "chat", Conn: live{src}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &ingestNode{c: c, in: in, src: src, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(n.done); in.Run(ctx, func(e string) { t.Logf("%s: %s", c.Node, e) }) }()
	t.Cleanup(n.kill)
	return n
}

// A feed that cannot resume moves to another node: the Feed says so,
// once, with the span in which messages may be missing. A resumed feed
// says nothing (TestFailoverAndCatchUp sees every event once, and no
// other).
func TestUnresumedMoveShowsGap(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	a := startLive(t, dial(t, tc, 0, "ingest-a"), p)
	sh := newShown()
	fe := startFrontEnd(t, tc, 2, "fe", dbIn(t, "fe"), sh)
	for sh.ids("0") == 0 { // a reads the feed
		p.post(1)
		<-sh.changed
	}
	startLive(t, dial(t, tc, 1, "ingest-b"), p)
	a.kill()
	for sh.ids("~moved-") == 0 {
		<-sh.changed
	}
	// b reads on from there.
	p.post(1)
	for sh.ids(strconv.Itoa(p.count()-1)) == 0 {
		<-sh.changed
	}
	if n := sh.ids("~moved-"); n != 1 {
		t.Errorf("%d notices of the move, want one", n)
	}
	evs, err := fe.db.Recent(1000)
	if err != nil {
		t.Fatal(err)
	}
	var notices []feeds.Event
	for _, ev := range evs {
		if ev.Kind == feeds.KindNotice {
			notices = append(notices, ev)
		}
	}
	if len(notices) != 1 {
		t.Fatalf("notices %+v, want one", notices)
	}
	n := notices[0]
	if !strings.HasPrefix(n.Text, "— feed moved from ingest-a to ingest-b; messages between ") ||
		!strings.HasSuffix(n.Text, " UTC may be missing") || n.Feed != "chat" {
		t.Errorf("notice %+v", n)
	}
}

// ids is how many distinct ids starting with prefix were shown.
func (s *shown) ids(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id := range s.n {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}
