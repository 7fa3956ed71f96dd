package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
)

// Every schema version that shipped has a database in testdata, written by
// the code of that version (schema-vN.db). Each must open with this build,
// keep everything it held, end at the current version, and work.
//
// When you bump the schema, first write testdata/schema-v<old>.db with the
// old code, holding at least an event per feed, a deleted event, read
// marks, a draft and outbox items in several states; then add it here.
var shippedFixtures = map[uint64]string{
	1: "testdata/schema-v1.db",
}

func TestUpgradeFromEveryShippedVersion(t *testing.T) {
	for v := uint64(1); v < current.version; v++ {
		if _, ok := shippedFixtures[v]; !ok {
			t.Errorf("no fixture for schema version %d: every earlier version must be tested", v)
		}
	}
	for v, fixture := range shippedFixtures {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			path := copyFixture(t, fixture)
			db := openAt(t, path, Options{Now: func() time.Time { return t0.Add(time.Hour) }})

			evs, err := db.Recent(100)
			if err != nil || len(evs) != 30 {
				t.Fatalf("events after upgrade: %d, %v; want 30", len(evs), err)
			}
			if !evs[0].Deleted || evs[0].Feed != "twitch" || evs[0].Text != "bonjour ✨ v1 event" {
				t.Errorf("first event = %+v, want the deleted twitch one", evs[0])
			}
			rs, err := db.ReadState("alice")
			if err != nil || rs.Upto != 10 || !rs.IsRead(12) || rs.IsRead(13) {
				t.Errorf("read state = %+v, %v", rs, err)
			}
			drafts, err := db.Drafts("alice")
			if err != nil || len(drafts) != 1 || drafts[0].Action.Text != "merci, on regarde ça" {
				t.Errorf("drafts = %+v, %v", drafts, err)
			}
			pending, err := db.Pending()
			if err != nil || len(pending) != 3 {
				t.Fatalf("pending = %+v, %v; want queued, uncertain and sending", pending, err)
			}
			all, _ := db.Outbox()
			if len(all) != 4 {
				t.Errorf("outbox has %d items, want 4", len(all))
			}

			// The new parts work on the upgraded file.
			if _, err := db.SetHold(outbox.Hold{On: true, By: "alice"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Change(pending[0].Action.ID, func(o *outbox.Outgoing, held bool) (outbox.Note, error) {
				return outbox.Note{What: outbox.AuditCancelled, By: "alice"}, o.Cancel(t0.Add(2 * time.Hour))
			}); err != nil {
				t.Fatal(err)
			}
			if log := auditWhats(t, db); log != "[held cancelled]" {
				t.Errorf("audit after upgrade = %s", log)
			}
			if problems := db.Check(); len(problems) != 0 {
				t.Errorf("check after upgrade: %v", problems)
			}
			mustClose(t, db)
			if got := storedVersion(t, path); got != current.version {
				t.Errorf("stored version = %d, want %d", got, current.version)
			}
		})
	}
}

// copyFixture copies a testdata database to a temp file: tests never
// change the fixtures.
func copyFixture(t *testing.T, fixture string) string {
	t.Helper()
	src, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "upgraded.db")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
