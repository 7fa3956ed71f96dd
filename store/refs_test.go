package store

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// Two stores fed the same events under different Seqs find each other's
// events by feed and id.
func TestRefsAndLocate(t *testing.T) {
	db := openTemp(t, Options{})
	mustAppend(t, db, ev(2, "a", "x"), ev(3, "b", "y"), ev(5, "a", "z"), ev(8, "b", "w"))
	refs, err := db.Refs([]uint64{3, 4, 5, 9}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]EventRef{3: {"b", "y"}, 5: {"a", "z"}}
	if !maps.Equal(refs, want) {
		t.Errorf("Refs = %v, want %v", refs, want)
	}
	// A watermark on no event covers the newest one below it.
	if refs, _ = db.Refs([]uint64{4, 7, 100, 1}, true); !maps.Equal(refs, map[uint64]EventRef{4: {"b", "y"}, 7: {"a", "z"}, 100: {"b", "w"}}) {
		t.Errorf("Refs at or below = %v", refs)
	}

	other := openTemp(t, Options{})
	mustAppend(t, other, ev(10, "a", "x"), ev(11, "b", "y"), ev(12, "a", "z"))
	found, err := other.Locate([]EventRef{{"a", "x"}, {"b", "y"}, {"b", "w"}, {"c", "q"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(found, map[EventRef]uint64{{"a", "x"}: 10, {"b", "y"}: 11}) {
		t.Errorf("Locate = %v", found)
	}
	// Not looked for at or below after.
	if found, _ = other.Locate([]EventRef{{"a", "x"}, {"a", "z"}}, 10); !maps.Equal(found, map[EventRef]uint64{{"a", "z"}: 12}) {
		t.Errorf("Locate after 10 = %v", found)
	}
}

// OnRead, OnPref, OnHold and OnIncident hear of what changed here, and
// only that: what is adopted from another node is neither told nor
// audited.
func TestOperatorHooks(t *testing.T) {
	type read struct {
		upto uint64
		seqs []uint64
	}
	var reads []read
	var prefs []string
	var holds []outbox.Hold
	var incidents []outbox.Incident
	db := openTemp(t, Options{
		OnIncident: func(inc outbox.Incident) { incidents = append(incidents, inc) },
		OnRead:     func(op string, upto uint64, seqs []uint64) { reads = append(reads, read{upto, seqs}) },
		OnPref:     func(op, key, value string) { prefs = append(prefs, op+" "+key+"="+value) },
		OnHold:     func(h outbox.Hold) { holds = append(holds, h) },
	})
	for _, step := range []func() error{
		func() error { return db.MarkRead("alice", 4, 6) },
		func() error { return db.MarkRead("alice", 6, 7) }, // 6 again: only 7 is new
		func() error { return db.MarkAllRead("alice", 6) },
		func() error { return db.MarkAllRead("alice", 5) }, // back: nothing
		func() error { return db.MarkRead("alice", 3) },    // below: nothing
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	want := []read{{0, []uint64{4, 6}}, {0, []uint64{7}}, {6, nil}}
	if !slices.EqualFunc(reads, want, func(a, b read) bool { return a.upto == b.upto && slices.Equal(a.seqs, b.seqs) }) {
		t.Errorf("OnRead heard %v, want %v", reads, want)
	}

	if err := db.SetPref("alice", "columns", "[]"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(prefs, []string{"alice columns=[]"}) {
		t.Errorf("OnPref heard %q", prefs)
	}

	if _, err := db.SetHold(outbox.Hold{On: true, By: "maya"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetHold(outbox.Hold{On: true, By: "maya"}); err != nil {
		t.Fatal(err)
	}
	// Adopted from another node: stored, not told, not audited.
	if changed, err := db.AdoptHold(outbox.Hold{On: false, By: "bob"}); err != nil || !changed {
		t.Fatalf("AdoptHold = %v, %v", changed, err)
	}
	if h, _ := db.Hold(); h.On {
		t.Error("the adopted release did not stick")
	}
	if len(holds) != 1 || !holds[0].On {
		t.Errorf("OnHold heard %+v, want the one hold", holds)
	}
	if _, err := db.SetIncident(outbox.Incident{Open: true, By: "maya", Why: "storm"}); err != nil {
		t.Fatal(err)
	}
	closed := outbox.Incident{By: "bob", Since: time.Unix(1_800_000_000, 0)}
	if changed, err := db.AdoptIncident(closed); err != nil || !changed {
		t.Fatalf("AdoptIncident = %v, %v", changed, err)
	}
	if changed, _ := db.AdoptIncident(closed); changed {
		t.Error("adopting the same close again changed something")
	}
	if inc, _ := db.Incident(); inc.Open {
		t.Error("the adopted close did not stick")
	}
	if len(incidents) != 1 || !incidents[0].Open {
		t.Errorf("OnIncident heard %+v, want the opening only", incidents)
	}

	var entries []outbox.AuditEntry
	if err := db.Audit(time.Time{}, func(e outbox.AuditEntry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].What != outbox.AuditHeld || entries[1].What != outbox.AuditIncidentOpened {
		t.Errorf("audit has %+v, want the hold's and the opening's entries only", entries)
	}
}

// BenchmarkLocate is what a front-end of a cluster pays for read marks
// made on another: a mark on a recent event (found near the newest), and
// the worst case, an event it never stored (the whole feed of 50,000
// read back), which it pays once per mark.
func BenchmarkLocate(b *testing.B) {
	db := openTemp(b, Options{})
	g := newEventGen(1)
	var recent feeds.Event
	for range 50 {
		batch := g.batch(benchBatch)
		for j := range batch {
			batch[j].Feed = "one"
		}
		recent = batch[len(batch)-10]
		mustAppend(b, db, batch...)
	}
	for _, bc := range []struct {
		name string
		ref  EventRef
	}{{"recent", EventRef{"one", recent.ID}}, {"missing", EventRef{"one", "never-stored"}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.Locate([]EventRef{bc.ref}, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
