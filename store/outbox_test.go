package store

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

func outgoing(id string, s outbox.State) outbox.Outgoing {
	return outbox.Outgoing{
		Action: feeds.Action{ID: id, Feed: "mastodon", Kind: feeds.ActReply, Text: "Merci " + id,
			Target: "110", TargetAuthor: "fan@example.social", Operator: "local", Created: t0},
		State:   s,
		Updated: t0,
	}
}

func mustEnqueue(t *testing.T, db *DB, o outbox.Outgoing) {
	t.Helper()
	if err := db.Enqueue(o); err != nil {
		t.Fatal(err)
	}
}

func outIDs(os []outbox.Outgoing) string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.Action.ID)
	}
	return fmt.Sprint(ids)
}

func TestEnqueueRefusesDuplicateID(t *testing.T) {
	db := openTemp(t, Options{})
	first := outgoing("01A", outbox.StateQueued)
	mustEnqueue(t, db, first)
	dup := outgoing("01A", outbox.StateQueued)
	dup.Action.Text = "a second post"
	if err := db.Enqueue(dup); !errors.Is(err, ErrExists) {
		t.Fatalf("Enqueue of a duplicate id: %v, want ErrExists", err)
	}
	items, _ := db.Outbox()
	if len(items) != 1 || !reflect.DeepEqual(items[0].Action, first.Action) {
		t.Errorf("outbox after duplicate = %+v", items)
	}
	if err := db.Enqueue(outgoing("", outbox.StateQueued)); err == nil {
		t.Error("Enqueue accepted an empty id")
	}
}

func TestChange(t *testing.T) {
	db := openTemp(t, Options{})
	mustEnqueue(t, db, outgoing("01A", outbox.StateQueued))

	later := t0.Add(time.Minute)
	got, err := db.Change("01A", func(o *outbox.Outgoing, held bool) (outbox.Note, error) {
		return outbox.Note{}, o.Claim(held, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != outbox.StateSending || got.Attempts != 1 || !got.Updated.Equal(later) {
		t.Errorf("Change returned %+v", got)
	}

	boom := errors.New("boom")
	_, err = db.Change("01A", func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		o.State = outbox.StateCancelled
		return outbox.Note{What: outbox.AuditCancelled, By: "alice"}, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("fn error came back as %v", err)
	}
	if _, err := db.Change("01A", func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		o.Action.ID = "01B"
		return outbox.Note{What: outbox.AuditEdited}, nil
	}); err == nil {
		t.Error("Change let fn change the id")
	}
	items, _ := db.Outbox()
	if len(items) != 1 || items[0].State != outbox.StateSending || items[0].Attempts != 1 {
		t.Errorf("aborted updates changed the item: %+v", items)
	}

	if _, err := db.Change("nope", func(*outbox.Outgoing, bool) (outbox.Note, error) { return outbox.Note{}, nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("Change of an unknown id: %v, want ErrNotFound", err)
	}
	// Only the enqueue was audited: the claim had no note, and the aborted
	// changes left nothing.
	if log := auditWhats(t, db); log != "[queued]" {
		t.Errorf("audit log = %s, want [queued]", log)
	}
}

func TestPendingExcludesDone(t *testing.T) {
	db := openTemp(t, Options{})
	// Enqueued out of order: ID order is creation order, not call order.
	for _, o := range []outbox.Outgoing{
		outgoing("01C", outbox.StateFailed),
		outgoing("01A", outbox.StateQueued),
		outgoing("01E", outbox.StateSent),
		outgoing("01B", outbox.StateSending),
		outgoing("01D", outbox.StateUncertain),
		outgoing("01F", outbox.StateCancelled),
	} {
		mustEnqueue(t, db, o)
	}
	all, err := db.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if got := outIDs(all); got != "[01A 01B 01C 01D 01E 01F]" {
		t.Errorf("Outbox order %s", got)
	}
	if recent, err := db.RecentOutbox(2); err != nil || outIDs(recent) != "[01F 01E]" {
		t.Errorf("RecentOutbox(2) = %s, %v; want the newest two, newest first", outIDs(recent), err)
	}
	pending, err := db.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if got := outIDs(pending); got != "[01A 01B 01C 01D]" {
		t.Errorf("Pending = %s", got)
	}

	setState := func(id string, s outbox.State) {
		t.Helper()
		if _, err := db.Change(id, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) { o.State = s; return outbox.Note{}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	setState("01B", outbox.StateSent)
	setState("01D", outbox.StateCancelled)
	setState("01E", outbox.StateQueued) // an operator retries a sent item
	pending, _ = db.Pending()
	if got := outIDs(pending); got != "[01A 01C 01E]" {
		t.Errorf("Pending after updates = %s", got)
	}
}

// EnqueueAll is all or nothing: one item that cannot go in keeps the
// others out.
func TestEnqueueAllIsAllOrNothing(t *testing.T) {
	db := openAt(t, dbPath(t), Options{})
	defer mustClose(t, db)
	mustEnqueue(t, db, outgoing("02B", outbox.StateQueued))
	err := db.EnqueueAll([]outbox.Outgoing{outgoing("01A", outbox.StateQueued), outgoing("02B", outbox.StateQueued)})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("EnqueueAll with an existing id: %v", err)
	}
	if items, _ := db.Pending(); len(items) != 1 {
		t.Errorf("%d pending after a refused EnqueueAll, want only the one there before", len(items))
	}
	if err := db.EnqueueAll([]outbox.Outgoing{outgoing("01A", outbox.StateQueued), outgoing("03C", outbox.StateQueued)}); err != nil {
		t.Fatal(err)
	}
	if items, _ := db.Pending(); len(items) != 3 {
		t.Errorf("%d pending, want 3", len(items))
	}
}
