package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// The hub and the dispatcher are written against these interfaces.
var (
	_ hub.EventStore       = (*DB)(nil)
	_ dispatch.OutboxStore = (*DB)(nil)
)

func TestReopenKeepsEverything(t *testing.T) {
	path := dbPath(t)
	clk := newClock()
	opts := Options{Now: clk.Now}
	db := openAt(t, path, opts)

	mustAppend(t, db, ev(1, "twitch", "a"), ev(2, "irc", "b"), ev(3, "twitch", "c"))
	if _, err := db.MarkDeleted("twitch", "c"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAllRead("local", 1); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRead("local", 3); err != nil {
		t.Fatal(err)
	}
	draft := Draft{Key: "twitch\x00a", Rev: 10, Updated: t0,
		Action: feeds.Action{Kind: feeds.ActReply, Feed: "twitch", Target: "a", Text: "merci !"}}
	if _, err := db.SaveDraft("local", draft); err != nil {
		t.Fatal(err)
	}
	out := outbox.Outgoing{Action: feeds.Action{ID: "01J0000001", Feed: "irc", Kind: feeds.ActReply, Text: "hi"},
		State: outbox.StateQueued, Updated: t0}
	if err := db.Enqueue(out); err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	mustClose(t, db)

	db = openAt(t, path, opts)
	evs, err := db.Recent(10)
	if err != nil {
		t.Fatal(err)
	}
	if got := idsOf(evs); !slices.Equal(got, []string{"twitch/a", "irc/b", "twitch/c"}) {
		t.Errorf("events after reopen = %v", got)
	}
	if !evs[2].Deleted || evs[0].Deleted {
		t.Errorf("deleted flags after reopen: %v %v", evs[0].Deleted, evs[2].Deleted)
	}
	if last, _ := db.LastSeq(); last != 3 {
		t.Errorf("LastSeq = %d, want 3", last)
	}
	rs, err := db.ReadState("local")
	if err != nil {
		t.Fatal(err)
	}
	if !rs.IsRead(1) || rs.IsRead(2) || !rs.IsRead(3) {
		t.Errorf("read state after reopen = %+v", rs)
	}
	ds, err := db.Drafts("local")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Key != draft.Key || ds[0].Rev != 10 || ds[0].Action.Text != "merci !" || !ds[0].Updated.Equal(t0) {
		t.Errorf("drafts after reopen = %+v", ds)
	}
	items, err := db.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Action.ID != "01J0000001" || items[0].State != outbox.StateQueued {
		t.Errorf("outbox after reopen = %+v", items)
	}
	if p, _ := db.Pending(); len(p) != 1 {
		t.Errorf("pending after reopen = %+v", p)
	}
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	path := dbPath(t)
	openAt(t, path, Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %v, want 0600", perm)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode = %v, want 0700", perm)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})

	second, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if err == nil {
		_ = second.Close()
		t.Fatal("second Open succeeded while the first is open")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another tribune process") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q should name the path and say the database is in use", err)
	}

	// The first handle is unharmed, and the lock goes with Close.
	mustAppend(t, db, ev(1, "f", "a"))
	mustClose(t, db)
	openAt(t, path, Options{Timeout: 50 * time.Millisecond})
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	long := bytes.Repeat([]byte("# not a database\nkey = \"value\"\n"), 1000) // past two pages
	tests := map[string]func(t *testing.T, path string){
		"short text": func(t *testing.T, path string) { writeFile(t, path, []byte("hello, tribune\n")) },
		"long text":  func(t *testing.T, path string) { writeFile(t, path, long) },
		"foreign bbolt": func(t *testing.T, path string) {
			foreignBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("w1"), []byte("blue"))
			})
		},
		"bbolt with a meta bucket but not our magic": func(t *testing.T, path string) {
			foreignBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("meta"))
				if err != nil {
					return err
				}
				return b.Put([]byte("magic"), []byte("someone.else"))
			})
		},
	}
	for name, make := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tribune.db")
			make(t, path)
			before := readFile(t, path)

			db, err := Open(path, Options{Timeout: 50 * time.Millisecond})
			if err == nil {
				_ = db.Close()
				t.Fatal("Open accepted a foreign file")
			}
			if !errors.Is(err, ErrNotTribune) {
				t.Fatalf("Open: %v, want ErrNotTribune", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the path", err)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Error("Open changed the bytes of a file it refused")
			}
		})
	}
}

func TestOpenTakesOverEmptyFiles(t *testing.T) {
	t.Run("zero bytes", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tribune.db")
		writeFile(t, path, nil)
		db := openAt(t, path, Options{})
		mustAppend(t, db, ev(1, "f", "a"))
	})
	t.Run("bbolt without buckets", func(t *testing.T) {
		// What a crash between bbolt's file init and our first transaction
		// leaves behind.
		path := filepath.Join(t.TempDir(), "tribune.db")
		foreignBolt(t, path, func(*bolt.Tx) error { return nil })
		db := openAt(t, path, Options{})
		mustAppend(t, db, ev(1, "f", "a"))
	})
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Timeout != time.Second || o.Retention != 200_000 || o.MaxAge != 0 || o.Now == nil {
		t.Errorf("defaults = %+v", o)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// foreignBolt makes a bbolt file the way another program would.
func foreignBolt(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
