package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// crashEnv runs the cluster's crash test: it takes a minute or two of
// both cores, so `go test ./...` leaves it to CI (.ci/run sets it).
const crashEnv = "TRIBUNE_CLUSTER_CRASH"

// crashNode is one child process of the crash test, across its lives.
type crashNode struct {
	kind, name string
	lives      int
	cmd        *exec.Cmd
	ready      chan struct{} // closed at its "R"
	done       chan struct{} // closed when its stdout ends
	stderr     string        // the file its stderr goes to
}

func (n *crashNode) String() string { return n.kind + " " + n.name }

// crashReply is an acknowledged reply: its feed, and the front-end that
// queued it.
type crashReply struct{ feed, fe string }

// crashWorld is what the children acknowledged, and, from the quiet
// front-ends, what they hold.
type crashWorld struct {
	t        *testing.T
	exe, dir string
	posted   int // messages on each platform

	mu      sync.Mutex
	queued  map[string]crashReply
	drafts  map[string]int64                   // key → highest rev acknowledged
	states  map[string]map[string]outbox.State // quiet front-end → id → state
	revs    map[string]map[string]int64        // quiet front-end → key → rev
	changed chan struct{}

	outcomes map[string]outcome // each reply's last in the cluster, once settled
}

// TestClusterCrash: 50 rounds of SIGKILL on a random node of a cluster of
// real processes (three JetStream servers, two ingest nodes, two
// front-ends queueing replies and typing drafts), each node restarted
// at once. At the end, every acknowledged reply was sent once, or, on
// the platform without idempotency and only when interrupted mid-send,
// is uncertain and was never sent twice; the latest acknowledged
// revision of every draft is on both front-ends; every event the stream
// took is in each front-end's database once, and the stream has every
// message of the platforms, once.
func TestClusterCrash(t *testing.T) {
	if os.Getenv(crashEnv) == "" {
		t.Skip(crashEnv + " is not set: the cluster crash test runs in CI (.ci/run)")
	}
	rounds := 50
	if n, err := strconv.Atoi(os.Getenv(crashEnv)); err == nil && n > 1 {
		rounds = n
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := &crashWorld{t: t, exe: exe, dir: t.TempDir(), queued: make(map[string]crashReply),
		drafts: make(map[string]int64), states: make(map[string]map[string]outbox.State),
		revs: make(map[string]map[string]int64), changed: make(chan struct{}, 1)}
	ports, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(crashPorts{Client: ports[:3], Cluster: ports[3:]})
	if err := os.WriteFile(filepath.Join(w.dir, "ports.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	w.post(100)

	var servers, ingest, fronts []*crashNode
	for i := range 3 {
		servers = append(servers, &crashNode{kind: "server", name: strconv.Itoa(i)})
	}
	ingest = []*crashNode{{kind: "ingest", name: "ingest-a"}, {kind: "ingest", name: "ingest-b"}}
	fronts = []*crashNode{{kind: "front", name: "fe1"}, {kind: "front", name: "fe2"}}
	all := slices.Concat(servers, ingest, fronts)
	t.Cleanup(func() {
		for _, n := range all {
			w.kill(n)
		}
	})
	for _, n := range servers {
		w.start(n, false)
	}
	for _, n := range servers {
		w.waitReady(n)
	}
	for _, n := range slices.Concat(ingest, fronts) {
		w.start(n, false)
	}
	for _, n := range slices.Concat(ingest, fronts) {
		w.waitReady(n)
	}
	check := crashDial("crash-check", crashPorts{Client: ports[:3]})
	defer check.NC.Close()

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	killed := make(map[string]int)
	for round := 1; round <= rounds; round++ {
		w.post(100)
		// A random moment: the nodes work meanwhile.
		time.Sleep(time.Duration(r.IntN(800)) * time.Millisecond)
		n := all[r.IntN(len(all))]
		w.kill(n)
		killed[n.kind]++
		w.start(n, false)
		w.waitReady(n)
	}
	// A last crash of both front-ends, mid-typing: they come back only
	// to follow, and the cluster settles.
	for _, n := range fronts {
		w.kill(n)
		w.start(n, true)
	}
	for _, n := range fronts {
		w.waitReady(n)
	}
	w.settle(check, fronts, all)
	w.checkCluster(check)
	for _, n := range all {
		w.kill(n)
	}
	w.checkFrontEnds(fronts)
	t.Logf("%d rounds (servers killed %d times, ingest nodes %d, front-ends %d): %d replies, %d draft keys, %d messages per platform",
		rounds, killed["server"], killed["ingest"], killed["front"], len(w.queued), len(w.drafts), w.posted)
}

// post adds n messages to each platform.
func (w *crashWorld) post(n int) {
	w.posted += n
	for _, feed := range []string{crashChat, crashSocial} {
		tmp := filepath.Join(w.dir, feed+".size.tmp")
		if err := os.WriteFile(tmp, []byte(strconv.Itoa(w.posted)), 0o600); err != nil {
			w.t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(w.dir, feed+".size")); err != nil {
			w.t.Fatal(err)
		}
	}
}

// start starts n's next life, and reads its reports.
func (w *crashWorld) start(n *crashNode, quiet bool) {
	w.t.Helper()
	n.lives++
	env := []string{crashLifeEnv + "=" + strconv.Itoa(n.lives)}
	if quiet {
		env = append(env, crashQuietEnv+"=1")
	}
	n.cmd = crashCmd(w.exe, w.dir, n.String(), env...)
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	n.stderr = filepath.Join(w.dir, fmt.Sprintf("%s.%d.stderr", n.name, n.lives))
	errf, err := os.Create(n.stderr)
	if err != nil {
		w.t.Fatal(err)
	}
	defer errf.Close()
	n.cmd.Stderr = errf
	if err := n.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	n.ready, n.done = make(chan struct{}), make(chan struct{})
	go w.read(n, bufio.NewReader(stdout), n.ready, n.done)
}

// read takes n's reports until its stdout ends; a line cut by the kill
// was never acknowledged.
func (w *crashWorld) read(n *crashNode, r *bufio.Reader, ready, done chan struct{}) {
	defer close(done)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		w.mu.Lock()
		switch {
		case len(f) == 1 && f[0] == "R":
			close(ready)
		case len(f) == 3 && f[0] == "Q":
			w.queued[f[1]] = crashReply{feed: f[2], fe: n.name}
		case len(f) == 3 && f[0] == "D":
			rev, _ := strconv.ParseInt(f[2], 10, 64)
			w.drafts[f[1]] = max(w.drafts[f[1]], rev)
		case len(f) == 3 && f[0] == "O":
			if w.states[n.name] == nil {
				w.states[n.name] = make(map[string]outbox.State)
			}
			w.states[n.name][f[1]] = outbox.State(f[2])
		case len(f) == 3 && f[0] == "H":
			rev, _ := strconv.ParseInt(f[2], 10, 64)
			if w.revs[n.name] == nil {
				w.revs[n.name] = make(map[string]int64)
			}
			w.revs[n.name][f[1]] = rev
		default:
			w.t.Errorf("%s: a report that does not read: %q", n, line)
		}
		w.mu.Unlock()
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}

// waitReady waits for n's "R"; a node that dies first fails the test.
func (w *crashWorld) waitReady(n *crashNode) {
	w.t.Helper()
	select {
	case <-n.ready:
	case <-n.done:
		w.t.Fatalf("%s died before it was ready: %v\n%s", n, n.cmd.Wait(), w.tail(n, 4000))
	}
}

// kill SIGKILLs n and waits for it; a node that had died by itself fails
// the test.
func (w *crashWorld) kill(n *crashNode) {
	w.t.Helper()
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
	err := n.cmd.Wait()
	cmd := n.cmd
	n.cmd = nil
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		w.t.Fatalf("%s (pid %d) did not die by SIGKILL: %v\n%s", n, cmd.Process.Pid, err, w.tail(n, 4000))
	}
}

// tail is the end of n's stderr.
func (w *crashWorld) tail(n *crashNode, size int) string {
	data, _ := os.ReadFile(n.stderr)
	if len(data) > size {
		data = data[len(data)-size:]
	}
	return string(data)
}

// settle waits until the cluster has done all it was given: every
// message of the platforms in the stream and in each front-end, the
// work queue empty, each acknowledged reply in a final state on its
// front-end, as the cluster has it, and each acknowledged draft
// revision on both front-ends. It fails, saying what is missing, a
// little before the test's deadline.
func (w *crashWorld) settle(c *Conn, fronts, all []*crashNode) {
	w.t.Helper()
	var give <-chan time.Time
	if d, ok := w.t.Deadline(); ok {
		give = time.After(time.Until(d) - 30*time.Second)
	}
	start, told := time.Now(), time.Now()
	for {
		missing := w.missing(c, fronts)
		if missing == "" {
			w.t.Logf("settled in %v", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(told) > 10*time.Second {
			told = time.Now()
			w.t.Logf("settling for %v: %.300s", time.Since(start).Round(time.Second), missing)
		}
		select {
		case <-w.changed:
		case <-time.After(250 * time.Millisecond): // what the cluster holds changes unseen
		case <-give:
			// Where the front-ends are stuck: their goroutines, dumped
			// to stderr by SIGQUIT.
			for _, fe := range all {
				if fe.kind == "server" {
					continue
				}
				w.t.Logf("%s said:\n%s", fe, w.tail(fe, 5000))
				_ = fe.cmd.Process.Signal(syscall.SIGQUIT)
				<-fe.done
				_ = fe.cmd.Wait()
				fe.cmd = nil
				w.t.Logf("%s:\n%s", fe, w.tail(fe, 30000))
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if seen, err := streamEvents(ctx, c); err == nil {
				var gaps []string
				for _, feed := range []string{crashChat, crashSocial} {
					for i := range w.posted {
						if seen[feed+"/"+strconv.Itoa(i)] == 0 {
							gaps = append(gaps, feed+"/"+strconv.Itoa(i))
						}
					}
				}
				w.t.Logf("not in the stream: %v", gaps)
			}
			w.t.Fatalf("the cluster did not settle: %s", missing)
		}
	}
}

// missing says what the cluster has not done yet ("" when all).
func (w *crashWorld) missing(c *Conn, fronts []*crashNode) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events, err := c.JS.Stream(ctx, EventStream)
	if err != nil {
		return err.Error()
	}
	want := uint64(2 * w.posted)
	if st := events.CachedInfo().State; st.Msgs != want {
		return fmt.Sprintf("the stream holds %d events, want %d", st.Msgs, want)
	}
	for _, fe := range fronts {
		ci, err := c.JS.Consumer(ctx, EventStream, consumerName(fe.name))
		if err != nil {
			return err.Error()
		}
		if info := ci.CachedInfo(); info.NumPending != 0 || info.NumAckPending != 0 {
			return fmt.Sprintf("%s has %d events to take and %d to acknowledge", fe.name, info.NumPending, info.NumAckPending)
		}
	}
	queue, err := c.JS.Stream(ctx, OutboxStream)
	if err != nil {
		return err.Error()
	}
	if n := queue.CachedInfo().State.Msgs; n != 0 {
		return fmt.Sprintf("the work queue holds %d items", n)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var miss []string
	for id, r := range w.queued {
		got := w.states[r.fe][id]
		if got != outbox.StateSent && got != outbox.StateUncertain && got != outbox.StateFailed {
			o, _, err := c.lastOutcome(ctx, r.feed, id)
			miss = append(miss, fmt.Sprintf("reply %s (%s) is %q on %s, %+v (%v) in the cluster", id, r.feed, got, r.fe, o, err))
		}
	}
	for key, rev := range w.drafts {
		for _, fe := range fronts {
			if got := w.revs[fe.name][key]; got < rev {
				var in int64
				if e, err := c.drafts.Get(ctx, draftKey(crashOp, key)); err == nil {
					var de draftEntry
					_ = json.Unmarshal(e.Value(), &de)
					in = de.Rev
				}
				miss = append(miss, fmt.Sprintf("draft %s is at rev %d on %s, want %d (the bucket has %d)", key, got, fe.name, rev, in))
			}
		}
	}
	if len(miss) > 10 {
		miss = append([]string{fmt.Sprintf("%d things to do", len(miss))}, miss[:10]...)
	}
	return strings.Join(miss, "; ")
}

// checkCluster checks what the cluster holds once settled: the stream
// has each platform's messages once, with no gap, and the drafts bucket
// the latest acknowledged revisions. It also reads each reply's outcome
// for checkFrontEnds.
func (w *crashWorld) checkCluster(c *Conn) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen, err := streamEvents(ctx, c)
	if err != nil {
		w.t.Fatalf("reading the stream: %v", err)
	}
	for _, feed := range []string{crashChat, crashSocial} {
		for i := range w.posted {
			if n := seen[feed+"/"+strconv.Itoa(i)]; n != 1 {
				w.t.Errorf("message %d of %s is in the stream %d times", i, feed, n)
			}
		}
	}
	for key, rev := range w.drafts {
		e, err := c.drafts.Get(ctx, draftKey(crashOp, key))
		var de draftEntry
		if err == nil {
			err = json.Unmarshal(e.Value(), &de)
		}
		if err != nil || de.Rev < rev {
			w.t.Errorf("draft %s is at rev %d in the bucket (%v), want %d", key, de.Rev, err, rev)
		}
	}
	w.outcomes = make(map[string]outcome)
	for id, r := range w.queued {
		o, ok, err := c.lastOutcome(ctx, r.feed, id)
		if err != nil {
			w.t.Fatal(err)
		}
		if ok {
			w.outcomes[id] = o
		}
	}
}

// checkFrontEnds checks the front-ends' databases, and the platforms'
// records, once every node is stopped.
func (w *crashWorld) checkFrontEnds(fronts []*crashNode) {
	w.t.Helper()
	sent := map[string]map[string]int{crashChat: w.sent(crashChat), crashSocial: w.sent(crashSocial)}
	for id, n := range sent[crashChat] {
		if n > 1 {
			w.t.Errorf("reply %s was posted %d times on the platform without idempotency", id, n)
		}
	}
	states := make(map[string]outbox.State)
	for _, fe := range fronts {
		db, err := store.Open(filepath.Join(w.dir, fe.name+".db"), store.Options{Timeout: 10 * time.Second})
		if err != nil {
			w.t.Fatal(err)
		}
		if probs := db.Check(); len(probs) > 0 {
			w.t.Errorf("%s: %v", fe.name, errors.Join(probs...))
		}
		got := make(map[string]int)
		if err := db.Events(store.Filter{}, func(ev feeds.Event) error {
			got[ev.Feed+"/"+ev.ID]++
			return nil
		}); err != nil {
			w.t.Fatal(err)
		}
		if len(got) != 2*w.posted {
			w.t.Errorf("%s holds %d distinct events, want %d", fe.name, len(got), 2*w.posted)
		}
		for _, feed := range []string{crashChat, crashSocial} {
			for i := range w.posted {
				if n := got[feed+"/"+strconv.Itoa(i)]; n != 1 {
					w.t.Errorf("%s holds message %d of %s %d times", fe.name, i, feed, n)
				}
			}
		}
		items, err := db.RecentOutbox(1 << 30)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, o := range items {
			if w.queued[o.Action.ID].fe == fe.name {
				states[o.Action.ID] = o.State
			}
		}
		ds, err := db.Drafts(crashOp)
		if err != nil {
			w.t.Fatal(err)
		}
		have := make(map[string]int64)
		for _, d := range ds {
			have[d.Key] = d.Rev
		}
		for key, rev := range w.drafts {
			if have[key] < rev {
				w.t.Errorf("%s has draft %s at rev %d, but rev %d was acknowledged", fe.name, key, have[key], rev)
			}
		}
		db.Close()
	}
	var uncertain, resent int
	for id, r := range w.queued {
		st, n := states[id], sent[r.feed][id]
		o, ok := w.outcomes[id]
		switch {
		case st == outbox.StateSent && n == 0:
			w.t.Errorf("reply %s (%s) is sent on %s, but the platform never had it", id, r.feed, r.fe)
		case st == outbox.StateSent && (!ok || o.State != outbox.StateSent):
			w.t.Errorf("reply %s (%s) is sent on %s, but the cluster says %+v", id, r.feed, r.fe, o)
		case st == outbox.StateSent:
			if n > 1 {
				resent++
			}
		case st == outbox.StateUncertain && r.feed == crashChat:
			// Interrupted mid-send (an ingest node, or the front-end
			// while handing it over): never called sent by the cluster.
			if ok && o.State != outbox.StateUncertain {
				w.t.Errorf("reply %s is uncertain on %s, but the cluster says %+v", id, r.fe, o)
			}
			uncertain++
		default:
			w.t.Errorf("reply %s (%s) is %q on %s (the cluster says %+v, the platform had it %d times)", id, r.feed, st, r.fe, o, n)
		}
	}
	w.t.Logf("%d replies uncertain on the platform without idempotency, %d sent again on the one with it", uncertain, resent)
}

// sent reads a platform's record: how often it took each action.
func (w *crashWorld) sent(feed string) map[string]int {
	data, err := os.ReadFile(filepath.Join(w.dir, feed+".sent"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	n := make(map[string]int)
	for _, id := range strings.Fields(string(data)) {
		n[id]++
	}
	return n
}

// streamEvents counts the events of the stream by feed/id.
func streamEvents(ctx context.Context, c *Conn) (map[string]int, error) {
	s, err := c.JS.Stream(ctx, EventStream)
	if err != nil {
		return nil, err
	}
	n := s.CachedInfo().State.Msgs
	cons, err := c.JS.OrderedConsumer(ctx, EventStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, err
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, err
	}
	defer it.Stop()
	seen := make(map[string]int)
	for range n {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		var ev feeds.Event
		if err := json.Unmarshal(m.Data(), &ev); err != nil {
			return nil, err
		}
		seen[ev.Feed+"/"+ev.ID]++
	}
	return seen, nil
}
