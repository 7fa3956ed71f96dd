package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storedVersion reads the schema version of a closed database.
func storedVersion(t *testing.T, path string) uint64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v uint64
	_ = db.View(func(tx *bolt.Tx) error {
		v = getU64(tx.Bucket(bucketMeta), keyVersion)
		return nil
	})
	return v
}

func openSchema(t *testing.T, path string, sc schema) (*DB, error) {
	t.Helper()
	return open(path, Options{Timeout: 50 * time.Millisecond}, sc)
}

func TestMigrationRunsOnceFromZeroToOne(t *testing.T) {
	path := dbPath(t)
	db, err := openSchema(t, path, schema{version: 0})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, ev(1, "f", "old"))
	mustClose(t, db)
	if v := storedVersion(t, path); v != 0 {
		t.Fatalf("version before migrating = %d, want 0", v)
	}

	runs := 0
	fake := schema{version: 1, migrations: []migration{{
		version: 1,
		name:    "rewrite event texts",
		run: func(tx *bolt.Tx) error {
			runs++
			// A real migration's shape: rewrite stored records in place.
			events := tx.Bucket(bucketFeeds).Bucket([]byte("f")).Bucket(bucketEvents)
			return events.ForEach(func(k, v []byte) error {
				e, err := decodeEvent(binary.BigEndian.Uint64(k), v)
				if err != nil {
					return err
				}
				e.Text = strings.ToUpper(e.Text)
				keep, _ := keepTime(v)
				return events.Put(bytes.Clone(k), appendEvent(nil, &e, keep))
			})
		},
	}}}
	for range 2 {
		db, err := openSchema(t, path, fake)
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, db)
	}
	if runs != 1 {
		t.Errorf("migration ran %d times over two opens, want 1", runs)
	}
	if v := storedVersion(t, path); v != 1 {
		t.Errorf("version after migrating = %d, want 1", v)
	}
	db = openAt(t, path, Options{})
	evs, _ := db.Recent(1)
	if len(evs) != 1 || evs[0].Text != "HELLO FROM OLD" {
		t.Errorf("migrated events = %+v", evs)
	}
}

func TestFailedMigrationLeavesDatabaseUnchanged(t *testing.T) {
	path := dbPath(t)
	db, err := openSchema(t, path, schema{version: 0})
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	before := readFile(t, path)

	boom := errors.New("boom")
	failing := schema{version: 1, migrations: []migration{{
		version: 1, name: "fails halfway",
		run: func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucket([]byte("half-done")); err != nil {
				return err
			}
			return boom
		},
	}}}
	if _, err := openSchema(t, path, failing); !errors.Is(err, boom) {
		t.Fatalf("Open with a failing migration: %v, want it to wrap boom", err)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("a failed migration changed the file")
	}
	if v := storedVersion(t, path); v != 0 {
		t.Errorf("version after a failed migration = %d, want 0", v)
	}
}

func TestFreshDatabaseDoesNotMigrate(t *testing.T) {
	ran := false
	sc := schema{version: 1, migrations: []migration{{version: 1, name: "x",
		run: func(*bolt.Tx) error { ran = true; return nil }}}}
	db, err := openSchema(t, dbPath(t), sc)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	if ran {
		t.Error("a migration ran on a new database")
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := dbPath(t)
	db, err := openSchema(t, path, schema{version: current.version + 1})
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	before := readFile(t, path)

	db, err = Open(path, Options{})
	if err == nil {
		_ = db.Close()
		t.Fatal("Open accepted a database from a newer tribune")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open: %v, want ErrNewerSchema", err)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("version is %d", current.version+1)) ||
		!strings.Contains(msg, fmt.Sprintf("up to %d", current.version)) {
		t.Errorf("error %q should give both versions", msg)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("Open changed a database it refused")
	}
}

func TestMigrationListsAreValidated(t *testing.T) {
	if err := current.validate(); err != nil {
		t.Fatalf("the shipped migration list: %v", err)
	}
	noop := func(*bolt.Tx) error { return nil }
	bad := []schema{
		{version: 2, migrations: []migration{{2, "b", noop}, {1, "a", noop}}},
		{version: 1, migrations: []migration{{1, "a", noop}, {1, "again", noop}}},
		{version: 1, migrations: []migration{{2, "beyond", noop}}},
		{version: 1, migrations: []migration{{1, "nil", nil}}},
	}
	for _, sc := range bad {
		if err := sc.validate(); err == nil {
			t.Errorf("validate(%+v) = nil, want an error", sc.migrations)
		}
	}
}
