package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/store"
)

// testOptions are the cluster's in tests: a short lease, so that a
// failover takes a few seconds, but not so short that a renewal late on
// a busy machine moves the feed (which would make a send in flight
// uncertain).
var testOptions = Options{Replicas: 3, LeaseTTL: 3 * time.Second}

// testCluster is n JetStream servers on loopback, routed to each other.
type testCluster struct {
	servers []*server.Server
}

func newTestCluster(t testing.TB, n int) *testCluster {
	t.Helper()
	tc := &testCluster{}
	var routes []string
	for i := range n {
		o := &server.Options{
			ServerName: fmt.Sprintf("s%d", i),
			Host:       "127.0.0.1",
			Port:       -1,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "tribune-test", Host: "127.0.0.1", Port: -1},
			Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
		}
		s, err := Serve(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
		tc.servers = append(tc.servers, s)
		routes = append(routes, "nats://"+s.ClusterAddr().String())
	}
	tc.waitLeader()
	return tc
}

// waitLeader waits until the running servers have elected a JetStream
// meta leader: before that, a request to create a stream goes
// unanswered (dial asks again for what follows the election).
func (tc *testCluster) waitLeader() {
	for {
		for _, s := range tc.servers {
			if s.Running() && s.JetStreamIsLeader() {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// url is server i's client address.
func (tc *testCluster) url(i int) string { return tc.servers[i].ClientURL() }

// dial connects node to server i, once the cluster has a JetStream
// leader to create the streams with.
func dial(t testing.TB, tc *testCluster, i int, node string) *Conn {
	t.Helper()
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := Dial(ctx, tc.url(i), node, testOptions)
		cancel()
		if err == nil {
			t.Cleanup(c.NC.Close)
			return c
		}
		if attempt == 120 {
			t.Fatalf("dialing the cluster: %v", err)
		}
		// The meta leader is being elected, or the peers are joining
		// ("no suitable peers for placement"): ask again.
		time.Sleep(50 * time.Millisecond << min(attempt, 4))
	}
}

// dialOnly connects node to server i and to no other: when that server
// stops, the node is cut from the cluster.
func dialOnly(t testing.TB, tc *testCluster, i int, node string) *Conn {
	t.Helper()
	nc, err := nats.Connect(tc.url(i), nats.IgnoreDiscoveredServers(), nats.MaxReconnects(-1),
		nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := setup(ctx, nc, node, testOptions)
		cancel()
		if err == nil {
			return c
		}
		if attempt == 120 {
			t.Fatalf("dialing the cluster: %v", err)
		}
		// The peers are still joining: ask again.
		time.Sleep(50 * time.Millisecond << min(attempt, 4))
	}
}

// platform is a chat platform the ingest nodes read from: a log of
// messages, resumable by position, that records every action done.
type platform struct {
	mu   sync.Mutex
	msgs []string
	grew chan struct{}
	done map[string]int // action id → times done
	did  chan struct{}
	// gate, when set, holds every action until it is closed.
	gate chan struct{}
}

func newPlatform() *platform {
	return &platform{grew: make(chan struct{}), done: make(map[string]int), did: make(chan struct{}, 1)}
}

func (p *platform) post(n int) {
	p.mu.Lock()
	for range n {
		p.msgs = append(p.msgs, fmt.Sprintf("message %d", len(p.msgs)))
	}
	close(p.grew)
	p.grew = make(chan struct{})
	p.mu.Unlock()
}

func (p *platform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.msgs)
}

// source is one ingest node's connector to the platform.
type source struct {
	p      *platform
	mu     sync.Mutex
	cursor int
	runs   int
	from   []int // where each run started
}

func (s *source) Platform() string { return "test" }
func (s *source) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{Actions: []feeds.ActionKind{feeds.ActReply}}
}

func (s *source) Run(ctx context.Context, st feeds.Stream) error {
	s.mu.Lock()
	s.runs++
	s.from = append(s.from, s.cursor)
	s.mu.Unlock()
	st.Connected()
	for {
		s.p.mu.Lock()
		grew := s.p.grew
		msgs := s.p.msgs
		s.p.mu.Unlock()
		s.mu.Lock()
		from := s.cursor
		s.mu.Unlock()
		for i := from; i < len(msgs); i++ {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			st.Emit(feeds.Event{ID: strconv.Itoa(i), Kind: feeds.KindMessage, Author: "fan", Text: msgs[i]})
			s.mu.Lock()
			s.cursor = i + 1
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-grew:
		}
	}
}

func (s *source) Do(ctx context.Context, a feeds.Action) error {
	s.p.mu.Lock()
	s.p.done[a.ID]++
	gate := s.p.gate
	s.p.mu.Unlock()
	select {
	case s.p.did <- struct{}{}:
	default:
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// times is how often the platform did action id.
func (p *platform) times(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[id]
}

func (s *source) Cursor() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strconv.Itoa(s.cursor)
}

func (s *source) Resume(c string) {
	n, err := strconv.Atoi(c)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.cursor = n
	s.mu.Unlock()
}

// ingestNode is a running ingest node.
type ingestNode struct {
	c      *Conn
	in     *Ingest
	src    *source
	cancel context.CancelFunc
	done   chan struct{}
}

func startIngest(t testing.TB, c *Conn, p *platform) *ingestNode {
	t.Helper()
	name := c.Node
	src := &source{p: p}
	in, err := c.NewIngest([]Feed{{ID: "chat", Conn: src}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &ingestNode{c: c, in: in, src: src, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(n.done); in.Run(ctx, func(e string) { t.Logf("%s: %s", name, e) }) }()
	t.Cleanup(n.kill)
	return n
}

// kill stops the node as a crash would: its connection first, so that
// it gives nothing up.
func (n *ingestNode) kill() {
	n.c.NC.Close()
	n.cancel()
	<-n.done
}

// frontEnd is a running front-end: a hub over its own bbolt, following
// the stream, and what its sessions were shown (kept across restarts).
type frontEnd struct {
	c      *Conn
	name   string
	path   string
	db     *store.DB
	hub    *hub.Hub
	disp   *dispatch.Dispatcher
	team   *presence.Team
	cancel context.CancelFunc
	done   sync.WaitGroup
	shown  *shown
}

// shown counts the events a front-end published to its sessions, by id.
type shown struct {
	mu      sync.Mutex
	n       map[string]int
	states  map[string]outbox.State // outbox items, by id
	changed chan struct{}
}

func newShown() *shown {
	return &shown{n: make(map[string]int), states: make(map[string]outbox.State), changed: make(chan struct{}, 1)}
}

func (s *shown) outbox(os []outbox.Outgoing) {
	s.mu.Lock()
	for _, o := range os {
		s.states[o.Action.ID] = o.State
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// ping says the front-end's store changed (a draft, read marks, ...).
func (s *shown) ping() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// waitState waits until the sessions were shown item id in state st.
func (s *shown) waitState(id string, st outbox.State) {
	for {
		s.mu.Lock()
		got := s.states[id]
		s.mu.Unlock()
		if got == st {
			return
		}
		<-s.changed
	}
}

func (s *shown) add(evs []feeds.Event) {
	s.mu.Lock()
	for _, ev := range evs {
		s.n[ev.ID]++
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// check reports whether ids 0..n-1 were each shown once, and fails the
// test at once if one was shown twice. The notice of a feed moved
// without a cursor (TestUnresumedMoveShowsGap) is not counted.
func (s *shown) check(t testing.TB, n int) bool {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	moved := 0
	for id, k := range s.n {
		if k > 1 {
			t.Fatalf("event %s shown %d times", id, k)
		}
		if strings.HasPrefix(id, "~moved-") {
			moved++
		}
	}
	for i := range n {
		if s.n[strconv.Itoa(i)] != 1 {
			return false
		}
	}
	return len(s.n)-moved == n
}

// waitShown waits until ids 0..n-1 were each shown once.
func (s *shown) wait(t testing.TB, n int) {
	t.Helper()
	for !s.check(t, n) {
		<-s.changed
	}
}

func startFrontEnd(t testing.TB, tc *testCluster, server int, name, dbPath string, sh *shown) *frontEnd {
	t.Helper()
	c := dial(t, tc, server, name)
	drafts, audit, read, prefs, crisis := c.Drafts(), c.Audit(), c.ReadMarks(), c.Prefs(), c.Crisis()
	db, err := store.Open(dbPath, store.Options{OnDraft: func(op string, d store.Draft, deleted bool) {
		drafts.Saved(op, d, deleted)
		sh.ping()
	}, OnAudit: audit.Noted, OnRead: func(op string, upto uint64, seqs []uint64) {
		read.Marked(op, upto, seqs)
		sh.ping()
	}, OnPref: func(op, key, value string) {
		prefs.Saved(op, key, value)
		sh.ping()
	}, OnHold: crisis.Held, OnIncident: crisis.Incident})
	if err != nil {
		t.Fatal(err)
	}
	lastSeq, err := db.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	recent, err := db.Recent(5000)
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New(hub.Options{Store: db, LastSeq: lastSeq, Seen: recent})
	if err := h.Add("chat", c.Remote("chat", &source{})); err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(db, h, dispatch.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	team := presence.NewTeam()
	relay := c.RelayTeam(team)
	fe := &frontEnd{c: c, name: name, path: dbPath, db: db, hub: h, disp: d, team: team, cancel: cancel, shown: sh}
	sub := h.Subscribe(ctx)
	fe.done.Add(11)
	go func() { defer fe.done.Done(); crisis.Run(ctx, d, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); relay.Run(ctx, h, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); prefs.Run(ctx, db, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); read.Run(ctx, db, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); audit.Run(ctx, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); drafts.Run(ctx, db, func(err error) { t.Logf("%s: %v", name, err) }) }()
	go func() { defer fe.done.Done(); _ = h.Run(ctx) }()
	go func() { defer fe.done.Done(); _ = d.Run(ctx) }()
	go func() {
		defer fe.done.Done()
		if err := c.FollowOutcomes(ctx, db, h); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}()
	go func() {
		defer fe.done.Done()
		if err := c.Follow(ctx, h, func(err error) { t.Logf("%s: %v", name, err) }); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}()
	go func() {
		defer fe.done.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Ready():
				b := sub.Take()
				sh.add(hub.Items(b, hub.TopicEvents))
				sh.outbox(hub.Items(b, hub.TopicOutbox))
			}
		}
	}()
	t.Cleanup(fe.stop)
	return fe
}

// stop stops the front-end (as a crash would: nothing more is acked).
func (fe *frontEnd) stop() {
	if fe.cancel == nil {
		return
	}
	fe.cancel()
	fe.done.Wait()
	fe.db.Close()
	fe.cancel = nil
}

func dbIn(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name+".db") }

// waitCursor waits until the feed's stored cursor is at least n, and
// returns it.
func waitCursor(t testing.TB, c *Conn, feed string, n int) int {
	t.Helper()
	w, err := c.cursor.Watch(context.Background(), Token(feed))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for e := range w.Updates() {
		if e == nil {
			continue // the end of what was stored
		}
		if k, _ := strconv.Atoi(string(e.Value())); k >= n {
			return k
		}
	}
	t.Fatal("the cursor watch ended")
	return 0
}

// reply queues a reply on fe, as the composer does.
func (fe *frontEnd) reply(t testing.TB, text string) string {
	t.Helper()
	now := time.Now()
	a := feeds.Action{ID: feeds.NewActionID(now), Feed: "chat", Kind: feeds.ActReply, Text: text, Operator: "alice", Created: now}
	if err := fe.disp.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: now}); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// waitAudit waits until the cluster's audit log holds an entry of node
// (any ingest node: "ingest") saying what of action id.
func waitAudit(t testing.TB, c *Conn, node, what, id string) {
	t.Helper()
	subject := auditSubjects + Token(node)
	if node == "ingest" {
		subject = auditSubjects + ">"
	}
	cons, err := c.JS.OrderedConsumer(context.Background(), AuditStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
	})
	if err != nil {
		t.Fatal(err)
	}
	it, err := cons.Messages()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		var e outbox.AuditEntry
		if json.Unmarshal(m.Data(), &e) == nil && e.What == what && e.ActionID == id &&
			(node != "ingest" || strings.HasPrefix(e.By, "ingest-")) {
			return
		}
	}
}
