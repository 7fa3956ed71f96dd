package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
)

// auditWhats lists the What of every audit entry, oldest first.
func auditWhats(t *testing.T, db *DB) string {
	t.Helper()
	var whats []string
	if err := db.Audit(time.Time{}, func(e outbox.AuditEntry) error {
		whats = append(whats, e.What)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(whats)
}

func TestAuditRecordsWhoDidWhatToWhich(t *testing.T) {
	c := newClock()
	db := openTemp(t, Options{Now: c.Now})
	mustEnqueue(t, db, outgoing("01A", outbox.StateQueued))
	c.Add(time.Minute)
	edit := func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		return outbox.Note{What: outbox.AuditEdited, By: "bob"}, o.Edit("Merci beaucoup", c.Now())
	}
	if _, err := db.Change("01A", edit); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	if _, err := db.Change("01A", func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		o.State, o.Err, o.Updated = outbox.StateFailed, "403 Forbidden", c.Now()
		return outbox.Note{What: outbox.AuditFailed}, nil
	}); err != nil {
		t.Fatal(err)
	}

	var got []outbox.AuditEntry
	_ = db.Audit(time.Time{}, func(e outbox.AuditEntry) error { got = append(got, e); return nil })
	if len(got) != 3 {
		t.Fatalf("audit has %d entries, want 3: %+v", len(got), got)
	}
	q, e, f := got[0], got[1], got[2]
	if q.What != outbox.AuditQueued || q.By != "local" || q.Feed != "mastodon" || q.Target != "110" ||
		q.TargetAuthor != "fan@example.social" || q.Text != "Merci 01A" || q.State != outbox.StateQueued {
		t.Errorf("queued entry = %+v", q)
	}
	if e.What != outbox.AuditEdited || e.By != "bob" || e.Operator != "local" || e.Text != "Merci beaucoup" ||
		!e.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("edited entry = %+v", e)
	}
	if f.What != outbox.AuditFailed || f.By != "" || f.Result != "403 Forbidden" || f.State != outbox.StateFailed {
		t.Errorf("failed entry = %+v", f)
	}
	if !(q.Seq < e.Seq && e.Seq < f.Seq) {
		t.Errorf("seqs not increasing: %d %d %d", q.Seq, e.Seq, f.Seq)
	}

	// since filters by time; RecentAudit keeps the newest, oldest first.
	var since []string
	_ = db.Audit(t0.Add(time.Minute), func(e outbox.AuditEntry) error { since = append(since, e.What); return nil })
	if fmt.Sprint(since) != "[edited failed]" {
		t.Errorf("Audit(since) = %v", since)
	}
	recent, err := db.RecentAudit(2)
	if err != nil || len(recent) != 2 || recent[0].What != outbox.AuditEdited || recent[1].What != outbox.AuditFailed {
		t.Errorf("RecentAudit(2) = %+v, %v", recent, err)
	}
	stop := errors.New("stop")
	n := 0
	if err := db.Audit(time.Time{}, func(outbox.AuditEntry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Audit did not stop at fn's error: %v after %d", err, n)
	}
}

func TestHoldIsDurableAndStopsClaims(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})
	mustEnqueue(t, db, outgoing("01A", outbox.StateQueued))
	if changed, err := db.SetHold(outbox.Hold{On: true, By: "alice", Since: t0}); err != nil || !changed {
		t.Fatalf("SetHold: %v, %v", changed, err)
	}
	if changed, _ := db.SetHold(outbox.Hold{On: true, By: "bob", Since: t0}); changed {
		t.Error("holding a held outbox changed something")
	}
	mustClose(t, db)

	db = openAt(t, path, Options{})
	h, err := db.Hold()
	if err != nil || !h.On || h.By != "alice" || !h.Since.Equal(t0) {
		t.Fatalf("hold after reopen = %+v, %v", h, err)
	}
	claim := func(o *outbox.Outgoing, held bool) (outbox.Note, error) { return outbox.Note{}, o.Claim(held, t0) }
	if _, err := db.Change("01A", claim); !errors.Is(err, outbox.ErrHeld) {
		t.Fatalf("claim while held: %v, want ErrHeld", err)
	}
	// Held items stay editable.
	if _, err := db.Change("01A", func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		return outbox.Note{What: outbox.AuditEdited, By: "alice"}, o.Edit("v2", t0)
	}); err != nil {
		t.Fatalf("edit while held: %v", err)
	}
	if _, err := db.SetHold(outbox.Hold{On: false, By: "bob"}); err != nil {
		t.Fatal(err)
	}
	if o, err := db.Change("01A", claim); err != nil || o.State != outbox.StateSending || o.Action.Text != "v2" {
		t.Fatalf("claim after release: %+v, %v", o, err)
	}
	if log := auditWhats(t, db); log != "[queued held edited released]" {
		t.Errorf("audit = %s", log)
	}
	var by []string
	_ = db.Audit(time.Time{}, func(e outbox.AuditEntry) error { by = append(by, e.By); return nil })
	if strings.Join(by, ",") != "local,alice,alice,bob" {
		t.Errorf("audit by = %v", by)
	}
}

// An incident is open until closed, survives a restart, and its opening
// and closing are in the audit log beside the notes of its timeline.
func TestIncidentIsDurableAndAudited(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})
	if _, err := db.SetIncident(outbox.Incident{By: "alice"}); !errors.Is(err, ErrIncident) {
		t.Errorf("closing none: %v", err)
	}
	if _, err := db.SetIncident(outbox.Incident{Open: true, By: "alice", Why: "volume ×4 on twitch", Since: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetIncident(outbox.Incident{Open: true, By: "bob"}); !errors.Is(err, ErrIncident) {
		t.Errorf("opening a second: %v", err)
	}
	if err := db.Note(outbox.AuditEntry{By: "bob", What: outbox.AuditNote, Text: "press called"}); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	db = openAt(t, path, Options{})
	defer mustClose(t, db)
	inc, err := db.Incident()
	if err != nil || !inc.Open || inc.By != "alice" || inc.Why != "volume ×4 on twitch" {
		t.Fatalf("after a restart: %+v, %v", inc, err)
	}
	if _, err := db.SetIncident(outbox.Incident{By: "bob"}); err != nil {
		t.Fatal(err)
	}
	if inc, _ := db.Incident(); inc.Open {
		t.Error("still open after closing")
	}
	entries, _ := db.RecentAudit(10)
	var whats []string
	for _, e := range entries {
		whats = append(whats, e.By+" "+e.What+" "+e.Text)
	}
	want := []string{"alice incident-opened volume ×4 on twitch", "bob note press called", "bob incident-closed "}
	if !slices.Equal(whats, want) {
		t.Errorf("audit %q, want %q", whats, want)
	}
}

// OnAudit hears of each entry once it is committed, with its time and seq.
func TestOnAudit(t *testing.T) {
	var heard []outbox.AuditEntry
	db := openTemp(t, Options{OnAudit: func(e outbox.AuditEntry) { heard = append(heard, e) }})
	if err := db.Note(outbox.AuditEntry{By: "alice", What: outbox.AuditNote, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 1 || heard[0].Text != "hello" || heard[0].Seq == 0 || heard[0].Time.IsZero() {
		t.Errorf("heard %+v", heard)
	}
}
