package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// The cluster's crash test runs this test binary again as the nodes of a
// cluster, each a process of its own: three JetStream servers, two
// ingest nodes and two front-ends. Each child reports on stdout what it
// acknowledged (a reply queued, a draft saved); the parent SIGKILLs one
// child at random, restarts it, and at the end checks the promises
// against what the platforms recorded, the cluster holds and the
// front-ends' databases keep. The parent's side is in
// crash_test.go.
const (
	crashRoleEnv  = "TRIBUNE_CLUSTER_CRASH_ROLE" // "server 0", "ingest ingest-a", "front fe1"
	crashDirEnv   = "TRIBUNE_CLUSTER_CRASH_DIR"
	crashQuietEnv = "TRIBUNE_CLUSTER_CRASH_QUIET" // a front-end that only follows
	crashLifeEnv  = "TRIBUNE_CLUSTER_CRASH_LIFE"  // which start of the node this is
)

// The platforms of the crash test: one without idempotency, where an
// interrupted send must end uncertain and never be sent twice, and one
// with it, where it is sent again.
const (
	crashChat   = "chat"
	crashSocial = "social"
	crashOp     = "crash"
)

// crashOptions are the cluster's in the crash test: a failover in about
// two seconds.
var crashOptions = Options{Replicas: 3, LeaseTTL: 2 * time.Second}

func TestMain(m *testing.M) {
	if role := os.Getenv(crashRoleEnv); role != "" {
		if err := crashChild(role, os.Getenv(crashDirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashPorts are the loopback ports of the three servers, chosen by the
// parent and kept across restarts.
type crashPorts struct {
	Client  []int `json:"client"`
	Cluster []int `json:"cluster"`
}

func (p crashPorts) urls() string {
	var us []string
	for _, port := range p.Client {
		us = append(us, "nats://127.0.0.1:"+strconv.Itoa(port))
	}
	return strings.Join(us, ",")
}

func readPorts(dir string) (crashPorts, error) {
	var p crashPorts
	data, err := os.ReadFile(filepath.Join(dir, "ports.json"))
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	return p, err
}

// acker writes a child's reports, each flushed at once: a line on stdout
// is a promise made.
type acker struct {
	mu  sync.Mutex
	out *bufio.Writer
}

func (a *acker) say(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.out, format+"\n", args...)
	a.out.Flush()
}

func crashChild(role, dir string) error {
	kind, name, _ := strings.Cut(role, " ")
	ports, err := readPorts(dir)
	if err != nil {
		return err
	}
	ack := &acker{out: bufio.NewWriter(os.Stdout)}
	switch kind {
	case "server":
		return crashServer(ack, dir, name, ports)
	case "ingest":
		return crashIngest(ack, dir, name, ports)
	case "front":
		return crashFrontEnd(ack, dir, name, ports)
	}
	return fmt.Errorf("unknown role %q", role)
}

// crashServer runs JetStream server i of three, and says "R" once it is
// healthy: its streams and consumers caught up with the others'.
func crashServer(ack *acker, dir, name string, p crashPorts) error {
	i, err := strconv.Atoi(name)
	if err != nil {
		return err
	}
	var routes []string
	for j, port := range p.Cluster {
		if j != i {
			routes = append(routes, "nats://127.0.0.1:"+strconv.Itoa(port))
		}
	}
	s, err := Serve(&server.Options{
		ServerName: "s" + name,
		Host:       "127.0.0.1",
		Port:       p.Client[i],
		StoreDir:   filepath.Join(dir, "s"+name),
		NoLog:      true,
		Cluster:    server.ClusterOpts{Name: "tribune-crash", Host: "127.0.0.1", Port: p.Cluster[i]},
		Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
	})
	if err != nil {
		return err
	}
	for s.Healthz(&server.HealthzOptions{}).StatusCode != 200 {
		time.Sleep(50 * time.Millisecond)
	}
	ack.say("R")
	select {} // until killed
}

// crashDial connects node to the cluster, asking again while a JetStream
// leader is being elected.
func crashDial(node string, p crashPorts) *Conn {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := Dial(ctx, p.urls(), node, crashOptions)
		cancel()
		if err == nil {
			return c
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// crashPlatform is one platform as an ingest node sees it: a log of
// messages whose length the parent writes to <feed>.size, read from a
// cursor, and a record <feed>.sent of every action done, appended and
// synced before Do returns (shared by both ingest nodes, as a platform
// is).
type crashPlatform struct {
	dir    string
	feed   string
	idem   bool
	mu     sync.Mutex
	cursor int
	sent   *os.File
}

func (p *crashPlatform) Platform() string { return "crash" }
func (p *crashPlatform) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply}, Idempotent: p.idem}
}

func (p *crashPlatform) Cursor() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strconv.Itoa(p.cursor)
}

func (p *crashPlatform) Resume(c string) {
	if n, err := strconv.Atoi(c); err == nil {
		p.mu.Lock()
		p.cursor = n
		p.mu.Unlock()
	}
}

// Run emits the log from the cursor, at most one message a millisecond,
// and looks for more every 10 ms.
func (p *crashPlatform) Run(ctx context.Context, s feeds.Stream) error {
	s.Connected()
	for {
		size := crashSize(p.dir, p.feed)
		p.mu.Lock()
		from := p.cursor
		p.mu.Unlock()
		for i := from; i < size; i++ {
			s.Emit(feeds.Event{ID: strconv.Itoa(i), Kind: feeds.KindMessage, Author: "fan", Text: "message " + strconv.Itoa(i)})
			p.mu.Lock()
			p.cursor = i + 1
			p.mu.Unlock()
			if i%5 == 4 && !sleep(ctx, 5*time.Millisecond) {
				return ctx.Err()
			}
		}
		if !sleep(ctx, 10*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// Do records the action on the platform, taking a few milliseconds on
// either side so that a kill can fall before, during and after it.
func (p *crashPlatform) Do(ctx context.Context, a feeds.Action) error {
	if !sleep(ctx, time.Duration(rand.IntN(5))*time.Millisecond) {
		return feeds.NotSent(ctx.Err())
	}
	p.mu.Lock()
	_, err := fmt.Fprintln(p.sent, a.ID)
	if err == nil {
		err = p.sent.Sync()
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	sleep(ctx, time.Duration(rand.IntN(5))*time.Millisecond)
	return nil
}

func crashSize(dir, feed string) int {
	data, _ := os.ReadFile(filepath.Join(dir, feed+".size"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

// crashIngest runs an ingest node holding both feeds, and says "R" once
// it is connected.
func crashIngest(ack *acker, dir, name string, p crashPorts) error {
	var fs []Feed
	for _, f := range []struct {
		id   string
		idem bool
	}{{crashChat, false}, {crashSocial, true}} {
		sent, err := os.OpenFile(filepath.Join(dir, f.id+".sent"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		fs = append(fs, Feed{ID: f.id, Conn: &crashPlatform{dir: dir, feed: f.id, idem: f.idem, sent: sent}})
	}
	c := crashDial(name, p)
	in, err := c.NewIngest(fs, nil)
	if err != nil {
		return err
	}
	ack.say("R")
	in.Run(context.Background(), func(e string) { fmt.Fprintln(os.Stderr, name+":", e) })
	return nil
}

// crashCaps is a feed as a front-end's config builds it: what it can do.
type crashCaps struct{ idem bool }

func (c crashCaps) Platform() string { return "crash" }
func (c crashCaps) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply}, Idempotent: c.idem}
}
func (crashCaps) Run(ctx context.Context, _ feeds.Stream) error { <-ctx.Done(); return ctx.Err() }
func (crashCaps) Do(context.Context, feeds.Action) error {
	return feeds.Permanent(fmt.Errorf("not here"))
}

// crashFrontEnd runs a front-end as `serve --cluster` does, and queues
// replies and saves drafts as operators would, saying "Q id feed" once a
// reply is on disk and "D key rev" once a draft is. Quiet, it only
// follows, and says "O id state" and "H key rev" for what its outbox and
// drafts hold, as they change.
func crashFrontEnd(ack *acker, dir, name string, p crashPorts) error {
	c := crashDial(name, p)
	drafts, audit := c.Drafts(), c.Audit()
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	db, err := store.Open(filepath.Join(dir, name+".db"), store.Options{Timeout: 10 * time.Second,
		OnDraft: func(op string, d store.Draft, deleted bool) { drafts.Saved(op, d, deleted); poke() },
		OnAudit: audit.Noted})
	if err != nil {
		return err
	}
	lastSeq, err := db.LastSeq()
	if err != nil {
		return err
	}
	recent, err := db.Recent(5000)
	if err != nil {
		return err
	}
	h := hub.New(hub.Options{Store: db, LastSeq: lastSeq, Seen: recent})
	for _, f := range []struct {
		id   string
		idem bool
	}{{crashChat, false}, {crashSocial, true}} {
		if err := h.Add(f.id, c.Remote(f.id, crashCaps{idem: f.idem})); err != nil {
			return err
		}
	}
	d := dispatch.New(db, h, dispatch.Options{})
	ctx := context.Background()
	logErr := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
		}
	}
	sub := h.Subscribe(ctx)
	go audit.Run(ctx, logErr)
	go drafts.Run(ctx, db, logErr)
	go func() { _ = h.Run(ctx) }()
	go func() { _ = d.Run(ctx) }()
	go func() { logErr(c.FollowOutcomes(ctx, db, h)) }()
	go func() { logErr(c.Follow(ctx, h, logErr)) }()
	go func() {
		for range sub.Ready() {
			if len(hub.Items(sub.Take(), hub.TopicOutbox)) > 0 {
				poke()
			}
		}
	}()
	ack.say("R")

	if os.Getenv(crashQuietEnv) != "" {
		return crashReport(ack, db, changed)
	}
	life := os.Getenv(crashLifeEnv)
	replies := time.NewTicker(time.Second)
	for i := 0; ; i++ {
		// A draft typed every 20 ms: this life's own keys, whose last
		// revision no one else overwrites, and keys shared with the other
		// front-end, where the newest edit wins.
		key := fmt.Sprintf("%s-%s-%d", name, life, i%3)
		if i%2 == 1 {
			key = fmt.Sprintf("shared-%d", i%3)
		}
		rev := time.Now().UnixNano()
		wrote, err := db.SaveDraft(crashOp, store.Draft{Key: key, Rev: rev,
			Action: feeds.Action{Feed: crashChat, Kind: feeds.ActReply, Text: "typing " + strconv.FormatInt(rev, 10)}})
		if err != nil {
			return err
		}
		if wrote {
			ack.say("D %s %d", key, rev)
		}
		select {
		case <-replies.C:
			now := time.Now()
			feed := crashChat
			if i%2 == 0 {
				feed = crashSocial
			}
			a := feeds.Action{ID: feeds.NewActionID(now), Feed: feed, Kind: feeds.ActReply,
				Text: "reply " + strconv.Itoa(i), Operator: crashOp, Created: now}
			if err := d.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: now}); err != nil {
				return err
			}
			ack.say("Q %s %s", a.ID, feed)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// crashReport says, as they change, the state of each item of db's
// outbox and the rev of each draft.
func crashReport(ack *acker, db *store.DB, changed <-chan struct{}) error {
	states := make(map[string]outbox.State)
	revs := make(map[string]int64)
	for {
		items, err := db.RecentOutbox(1 << 30)
		if err != nil {
			return err
		}
		for _, o := range items {
			if states[o.Action.ID] != o.State {
				states[o.Action.ID] = o.State
				ack.say("O %s %s", o.Action.ID, o.State)
			}
		}
		ds, err := db.Drafts(crashOp)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if revs[d.Key] != d.Rev {
				revs[d.Key] = d.Rev
				ack.say("H %s %d", d.Key, d.Rev)
			}
		}
		select {
		case <-changed:
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// freePorts returns n loopback ports free now.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// crashCmd starts the test binary as role.
func crashCmd(exe, dir, role string, env ...string) *exec.Cmd {
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashRoleEnv+"="+role, crashDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlives the test
	return cmd
}
