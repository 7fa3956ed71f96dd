package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// The crash test runs this test binary again as a child that works the
// database as the dashboard does (replies queued, drafts typed, the
// dispatcher sending) and reports on stdout each write it has committed;
// the parent kills it with SIGKILL at a random moment, reopens the
// database and checks that nothing acknowledged was lost or doubled.
const crashChildEnv = "TRIBUNE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if path := os.Getenv(pruneChildEnv); path != "" {
		pruneChild(path) // never returns: killed mid-prune
	}
	os.Exit(m.Run())
}

// Feeds of the crash test: one platform without idempotency, whose sends
// must never repeat, and one with it.
const (
	crashChat   = "chat"
	crashSocial = "social"
	crashDrafts = 5 // draft keys the child types into, over and over
)

// sendLog is a connector whose Do appends the action id to a file and
// syncs it before returning: the platform's own record of what it got.
type sendLog struct {
	mu         sync.Mutex
	f          *os.File
	idempotent bool
}

func (s *sendLog) Platform() string { return "test" }
func (s *sendLog) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply}, Idempotent: s.idempotent}
}
func (s *sendLog) Run(ctx context.Context, _ feeds.Stream) error { <-ctx.Done(); return ctx.Err() }
func (s *sendLog) Do(_ context.Context, a feeds.Action) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintln(s.f, a.ID); err != nil {
		return err
	}
	return s.f.Sync()
}

func crashChild(dir string) error {
	db, err := Open(filepath.Join(dir, "tribune.db"), Options{Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	hub := hub.New(hub.Options{Store: db})
	for _, f := range []struct {
		id   string
		idem bool
	}{{crashChat, false}, {crashSocial, true}} {
		log, err := os.OpenFile(filepath.Join(dir, f.id+".sent"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		if err := hub.Add(f.id, &sendLog{f: log, idempotent: f.idem}); err != nil {
			return err
		}
	}
	d := dispatch.New(db, hub, dispatch.Options{})
	go d.Run(context.Background())

	out := bufio.NewWriter(os.Stdout)
	ack := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush() // after the commit, before the next write
	}
	rev := time.Now().UnixNano()
	for i := 0; ; i++ {
		now := time.Now()
		feed := crashChat
		if i%3 == 0 {
			feed = crashSocial
		}
		a := feeds.Action{ID: feeds.NewActionID(now), Feed: feed, Kind: feeds.ActReply, Text: "reply " + strconv.Itoa(i),
			Operator: "crash", Created: now}
		if err := db.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: now}); err != nil {
			return err
		}
		ack("Q %s", a.ID)
		d.Wake()

		rev++
		key := fmt.Sprintf("draft-%d", i%crashDrafts)
		draft := Draft{Key: key, Rev: rev, Action: feeds.Action{Feed: crashChat, Kind: feeds.ActReply, Text: "typing " + strconv.FormatInt(rev, 10)}}
		if _, err := db.SaveDraft("crash", draft); err != nil {
			return err
		}
		ack("D %s %d", key, rev)
	}
}

// acks is what one child acknowledged before it died.
type acks struct {
	queued []string
	drafts map[string]int64 // key -> highest rev acknowledged
}

// readAcks reads complete lines only: a line cut by the kill was never
// acknowledged. It closes started at the first one.
func readAcks(r *bufio.Reader, started chan<- struct{}) (acks, error) {
	a := acks{drafts: make(map[string]int64)}
	for n := 0; ; n++ {
		line, err := r.ReadString('\n')
		if n == 0 {
			close(started)
		}
		if err != nil {
			return a, nil // EOF at the kill; a partial line is dropped
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Q":
			a.queued = append(a.queued, f[1])
		case len(f) == 3 && f[0] == "D":
			rev, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				return a, fmt.Errorf("bad ack %q", line)
			}
			a.drafts[f[1]] = max(a.drafts[f[1]], rev)
		default:
			return a, fmt.Errorf("bad ack %q", line)
		}
	}
}

func TestCrashLosesNothingAcknowledged(t *testing.T) {
	rounds := 50
	if testing.Short() {
		rounds = 10
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	queued := make(map[string]bool) // every id ever acknowledged
	drafts := make(map[string]int64)
	for round := 1; round <= rounds; round++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		got := make(chan acks, 1)
		started := make(chan struct{})
		go func() {
			a, err := readAcks(bufio.NewReader(stdout), started)
			if err != nil {
				t.Error(err)
			}
			got <- a
		}()
		// Kill at a random moment of the work, not of the start-up (which
		// is slow under -race): from the first acknowledgement on.
		select {
		case <-started:
		case <-time.After(time.Minute):
			t.Fatalf("round %d: the child acknowledged nothing in a minute", round)
		}
		time.Sleep(time.Duration(r.IntN(100)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		a := <-got
		werr := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(werr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the child did not die by SIGKILL: %v\n%s", round, werr, stderr.String())
		}
		for _, id := range a.queued {
			queued[id] = true
		}
		for k, rev := range a.drafts {
			drafts[k] = max(drafts[k], rev)
		}
		checkAfterCrash(t, round, dir, queued, drafts)
	}
	if len(queued) < rounds {
		t.Errorf("only %d replies acknowledged over %d rounds: the child barely ran", len(queued), rounds)
	}
	t.Logf("%d rounds, %d replies and %d draft keys acknowledged", rounds, len(queued), len(drafts))
}

func checkAfterCrash(t *testing.T, round int, dir string, queued map[string]bool, drafts map[string]int64) {
	t.Helper()
	db, err := Open(filepath.Join(dir, "tribune.db"), Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("round %d: reopening: %v", round, err)
	}
	defer db.Close()
	if probs := db.Check(); len(probs) > 0 {
		t.Fatalf("round %d: check: %v", round, errors.Join(probs...))
	}
	items, err := db.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]outbox.Outgoing, len(items))
	texts := make(map[string]int)
	for _, o := range items {
		byID[o.Action.ID] = o
		texts[o.Action.Text+"/"+o.Action.ID]++
	}
	for id := range queued {
		if _, ok := byID[id]; !ok {
			t.Fatalf("round %d: acknowledged reply %s is not in the outbox", round, id)
		}
	}
	for k, n := range texts {
		if n != 1 {
			t.Fatalf("round %d: %s is in the outbox %d times", round, k, n)
		}
	}
	// What the non-idempotent platform received, it received once, and
	// the outbox never has it queued again.
	sent, _ := os.ReadFile(filepath.Join(dir, crashChat+".sent"))
	seen := make(map[string]bool)
	for _, id := range strings.Fields(string(sent)) {
		if seen[id] {
			t.Fatalf("round %d: %s was posted twice on a platform without idempotency", round, id)
		}
		seen[id] = true
		if o := byID[id]; o.State == outbox.StateQueued {
			t.Fatalf("round %d: %s was posted and is queued again", round, id)
		}
	}
	got, err := db.Drafts("crash")
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]int64)
	for _, d := range got {
		have[d.Key] = d.Rev
	}
	for k, rev := range drafts {
		if have[k] < rev {
			t.Fatalf("round %d: draft %s is at rev %d, but rev %d was acknowledged", round, k, have[k], rev)
		}
	}
}
