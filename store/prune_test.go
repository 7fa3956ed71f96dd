package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// A backlog far beyond retention is pruned after Open returns, in many
// small transactions, to exactly what retention keeps.
func TestOpenPrunesBacklogInBoundedTransactions(t *testing.T) {
	path := dbPath(t)
	fillDB(t, path, map[string]int{"busy": 10_100, "quiet": 50}, t0)
	db := openAt(t, path, Options{Retention: 100})
	waitPruned(t, db)
	if _, txs := pruneMaxTx(db); txs < 10_000/pruneTxKeys {
		t.Errorf("pruned 10,000 events in %d transactions, want at least %d", txs, 10_000/pruneTxKeys)
	}
	got, _ := db.Recent(1000)
	perFeed := map[string]int{}
	for _, e := range got {
		perFeed[e.Feed]++
	}
	if perFeed["busy"] != 100 || perFeed["quiet"] != 50 {
		t.Errorf("kept %v, want busy 100, quiet 50", perFeed)
	}
	if last, _ := db.LastSeq(); got[len(got)-1].Seq != last {
		t.Errorf("newest kept %d, last seq %d", got[len(got)-1].Seq, last)
	}
	if probs := db.Check(); len(probs) > 0 {
		t.Fatal(errors.Join(probs...))
	}
}

// Ingest goes on while the backlog is pruned: nothing it adds is lost, and
// the end state is what retention keeps.
func TestAppendWhilePruning(t *testing.T) {
	path := dbPath(t)
	fillDB(t, path, map[string]int{"chat": 20_000}, t0)
	db := openAt(t, path, Options{Retention: 500})
	last, _ := db.LastSeq()
	var want []uint64
	for i := range 50 {
		var batch []feeds.Event
		for j := range 5 {
			last++
			batch = append(batch, ev(last, "chat", fmt.Sprintf("new-%d-%d", i, j)))
			want = append(want, last)
		}
		mustAppend(t, db, batch...)
	}
	waitPruned(t, db)
	got, _ := db.Recent(1000)
	if len(got) != 500 {
		t.Fatalf("kept %d events, want 500", len(got))
	}
	if s := seqsOf(got); !slices.Equal(s[len(s)-len(want):], want) {
		t.Errorf("the events appended while pruning are not the newest kept")
	}
	if probs := db.Check(); len(probs) > 0 {
		t.Fatal(errors.Join(probs...))
	}
}

// AppendEvents prunes within its budget and leaves the rest of a large
// backlog to the pruner, which it asks for.
func TestAppendLeavesBacklogToThePruner(t *testing.T) {
	db := openTemp(t, Options{Retention: 100_000})
	var batch []feeds.Event
	for seq := uint64(1); seq <= 5000; seq++ {
		batch = append(batch, ev(seq, "chat", fmt.Sprint(seq)))
	}
	mustAppend(t, db, batch...)
	waitPruned(t, db)
	db.stopPruner()        // only AppendEvents prunes now
	db.opts.Retention = 10 // as if keep_count were lowered while running
	mustAppend(t, db, ev(5001, "chat", "5001"))
	if got, want := countEvents(t, db), 5001-(2+appendPruneSlack); got != want {
		t.Errorf("after one append %d events left, want %d: the ingest transaction pruned past its budget", got, want)
	}
	if len(db.pr.kick) != 1 {
		t.Error("AppendEvents left a backlog without asking the pruner")
	}
	if probs := db.Check(); len(probs) > 0 {
		t.Fatal(errors.Join(probs...))
	}
}

func countEvents(t *testing.T, db *DB) int {
	t.Helper()
	evs, err := db.Recent(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// The prune crash test: a child opens a database with a backlog to prune
// and is killed with SIGKILL while the pruner works; every round, the
// database must check clean, and the next Open finishes the job.
const pruneChildEnv = "TRIBUNE_PRUNE_CHILD"

func pruneChild(path string) {
	db, err := Open(path, Options{Retention: 100, Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "prune child:", err)
		os.Exit(1)
	}
	fmt.Println("open")
	<-db.pruned()
	fmt.Println("pruned")
	select {}
}

func TestKillMidPruneLeavesAConsistentDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	path := dbPath(t)
	fillDB(t, path, map[string]int{"chat": 60_000, "social": 3000}, t0)
	killedMidway := 0
	for round := 0; round < 4; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), pruneChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "open" {
			_ = cmd.Process.Kill()
			t.Fatalf("round %d: the child did not open the database: %q", round, lines.Text())
		}
		time.Sleep(time.Duration(round*15) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		done := lines.Scan() && lines.Text() == "pruned"
		_ = cmd.Wait()
		if !done {
			killedMidway++
		}
		db, err := OpenExisting(path, Options{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if probs := db.Check(); len(probs) > 0 {
			t.Fatalf("round %d: after a kill mid-prune: %v", round, errors.Join(probs...))
		}
		mustClose(t, db)
	}
	t.Logf("%d of 4 kills landed before the pruning was done", killedMidway)
	db := openAt(t, path, Options{Retention: 100})
	waitPruned(t, db)
	if n := countEvents(t, db); n != 200 {
		t.Errorf("after the last open kept %d events, want 200 (100 per feed)", n)
	}
	if probs := db.Check(); len(probs) > 0 {
		t.Fatal(errors.Join(probs...))
	}
}

// With a PruneDelay nothing is pruned before it, and Close does not wait
// for it.
func TestPruneDelay(t *testing.T) {
	path := dbPath(t)
	fillDB(t, path, map[string]int{"chat": 300}, t0)
	db := openAt(t, path, Options{Retention: 100, PruneDelay: time.Hour})
	if n := countEvents(t, db); n != 300 {
		t.Errorf("%d events before the delay, want all 300", n)
	}
	mustClose(t, db)
	<-db.pruned()
	db = openAt(t, path, Options{Retention: 100, PruneDelay: time.Nanosecond})
	waitPruned(t, db)
	if n := countEvents(t, db); n != 100 {
		t.Errorf("%d events after the delay, want 100", n)
	}
}
