package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

func TestCheckFindsBrokenInvariants(t *testing.T) {
	db := openTemp(t, Options{})
	mustAppend(t, db, ev(1, "chat", "a"), ev(2, "chat", "b"))
	mustEnqueue(t, db, outgoing("01A", outbox.StateQueued))
	mustEnqueue(t, db, outgoing("01B", outbox.StateSent))
	if probs := db.Check(); len(probs) != 0 {
		t.Fatalf("a sound database: %v", probs)
	}

	// Damage it behind the store's back, the way a bug would.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		items, pending := outboxBuckets(tx)
		if err := pending.Put([]byte("01B"), nil); err != nil { // sent and pending
			return err
		}
		if err := pending.Delete([]byte("01A")); err != nil { // queued, not pending
			return err
		}
		if err := items.Put([]byte("01C"), []byte("{not json")); err != nil {
			return err
		}
		f := tx.Bucket(bucketFeeds).Bucket([]byte("chat"))
		if err := f.Put(keyCount, u64(7)); err != nil {
			return err
		}
		return f.Bucket(bucketEvents).Put(u64(2), []byte{0xff, 0})
	})
	if err != nil {
		t.Fatal(err)
	}
	probs := fmt.Sprint(db.Check())
	for _, want := range []string{
		`"01B" is sent but in the pending index`,
		`"01A" is queued but not in the pending index`,
		`outbox item "01C"`,
		`count says 7 events, there are 2`,
		`event 2:`,
	} {
		if !strings.Contains(probs, want) {
			t.Errorf("Check missed %q; it said %s", want, probs)
		}
	}
}

func TestCompactShrinksAndKeepsEverything(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{Retention: 100})
	var seq uint64
	for range 50 { // 50 batches of 200, pruned to 100: mostly free pages
		var batch []feeds.Event
		for range 200 {
			seq++
			e := ev(seq, "chat", fmt.Sprintf("m%d", seq))
			e.Text = strings.Repeat("flood ", 40)
			batch = append(batch, e)
		}
		mustAppend(t, db, batch...)
	}
	mustEnqueue(t, db, outgoing("01A", outbox.StateQueued))
	if _, _, err := Compact(path, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Compact while the database is open: %v, want ErrLocked", err)
	}
	mustClose(t, db)

	before, after, err := Compact(path, Options{Retention: 100})
	if err != nil {
		t.Fatal(err)
	}
	if after >= before {
		t.Errorf("compaction did not shrink the file: %d -> %d bytes", before, after)
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the temporary copy was left behind: %v", err)
	}
	db = openAt(t, path, Options{Retention: 100})
	evs, _ := db.Recent(1000)
	if len(evs) != 100 || evs[len(evs)-1].Seq != seq {
		t.Errorf("after compaction: %d events, last %d; want 100, last %d", len(evs), evs[len(evs)-1].Seq, seq)
	}
	if p, _ := db.Pending(); len(p) != 1 {
		t.Errorf("after compaction pending = %v", p)
	}
	if probs := db.Check(); len(probs) != 0 {
		t.Errorf("check after compaction: %v", probs)
	}
	if log := auditWhats(t, db); log != "[queued]" {
		t.Errorf("audit after compaction = %s", log)
	}
}

func TestCompactRefusesAForeignFile(t *testing.T) {
	path := dbPath(t)
	if err := os.MkdirAll(strings.TrimSuffix(path, "/tribune.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	notes := []byte("my notes, not a database\n")
	if err := os.WriteFile(path, notes, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compact(path, Options{}); !errors.Is(err, ErrNotTribune) {
		t.Fatalf("Compact of a foreign file: %v, want ErrNotTribune", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(notes) {
		t.Error("Compact changed a foreign file")
	}
}

// The commands that only read, and a compaction that fails, leave the file
// exactly as it was: no migration, no pruning.
func TestReadingAndFailedCompactionChangeNothing(t *testing.T) {
	path := copyFixture(t, "testdata/schema-v1.db")
	before, _ := os.ReadFile(path)
	opts := Options{MaxAge: time.Minute} // would prune all 30 events
	db, err := OpenExisting(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	probs := fmt.Sprint(db.Check())
	if !strings.Contains(probs, "schema version is 1") {
		t.Errorf("check of a schema-1 file: %s", probs)
	}
	n := 0
	if err := db.Audit(time.Time{}, func(outbox.AuditEntry) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("audit of a schema-1 file: %d entries, %v", n, err)
	}
	mustClose(t, db)
	// A directory where the copy goes makes the compaction fail.
	if err := os.MkdirAll(path+".compact/x", 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compact(path, opts); err == nil {
		t.Fatal("compaction succeeded over a directory")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("reading, checking or a failed compaction changed the file")
	}
	if _, err := OpenExisting(filepath.Join(t.TempDir(), "typo.db"), opts); err == nil {
		t.Error("OpenExisting of a missing file succeeded")
	}
}

// TestNewDatabaseIsSmall: a new empty database was a 16 MiB file (bbolt's
// growth step, once the map is larger than it).
func TestNewDatabaseIsSmall(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})
	mustAppend(t, db, ev(1, "chat", "a"))
	mustClose(t, db)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 2<<20 {
		t.Errorf("a new database with one event is %d bytes", fi.Size())
	}
}

// TestCompactNeverGrows: the compacted file ends where its pages do, and
// compacting a file with nothing to reclaim leaves it as it was (a 1M-event
// database went from 192.5 to 196.8 MiB).
func TestCompactNeverGrows(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})
	for i := range 20 {
		var batch []feeds.Event
		for j := range 100 {
			e := ev(uint64(i*100+j+1), "chat", fmt.Sprintf("m%d", i*100+j))
			e.Text = strings.Repeat("text ", 30)
			batch = append(batch, e)
		}
		mustAppend(t, db, batch...)
	}
	mustClose(t, db)
	_, first, err := Compact(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pages int64
	raw, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	raw.View(func(tx *bolt.Tx) error { pages = tx.Size(); return nil })
	raw.Close()
	if first != pages {
		t.Errorf("compacted file is %d bytes, its pages %d", first, pages)
	}
	before, after, err := Compact(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if before != first || after > before {
		t.Errorf("compacting again: %d -> %d bytes (first compaction left %d)", before, after, first)
	}
	// A file already tighter than any copy: kept as it is.
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()); err != nil {
		t.Fatal(err)
	}
	if _, after, err := Compact(path, Options{}); err != nil || after > fi.Size() {
		t.Errorf("compacting a tight file: %d bytes (was %d), %v", after, fi.Size(), err)
	}
}
