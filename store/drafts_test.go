package store

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func draft(key string, rev int64, text string) Draft {
	return Draft{
		Key:     key,
		Rev:     rev,
		Updated: t0.Add(time.Duration(rev) * time.Second),
		Action:  feeds.Action{Kind: feeds.ActReply, Feed: "twitch", Target: "m1", TargetAuthor: "viewer", Text: text},
	}
}

func save(t *testing.T, db *DB, op string, d Draft) bool {
	t.Helper()
	wrote, err := db.SaveDraft(op, d)
	if err != nil {
		t.Fatal(err)
	}
	return wrote
}

// only returns the single live draft of op, failing if there is not one.
func only(t *testing.T, db *DB, op string) Draft {
	t.Helper()
	ds, err := db.Drafts(op)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("%s has %d drafts, want 1: %+v", op, len(ds), ds)
	}
	return ds[0]
}

func TestStaleDraftSaveIsIgnored(t *testing.T) {
	db := openTemp(t, Options{})
	if !save(t, db, "local", draft("k", 2, "merci pour")) {
		t.Error("first save not written")
	}
	if save(t, db, "local", draft("k", 1, "merci")) {
		t.Error("a save with an older rev was written")
	}
	if save(t, db, "local", draft("k", 2, "merci pour ???")) {
		t.Error("a save with the same rev was written")
	}
	if d := only(t, db, "local"); d.Rev != 2 || d.Action.Text != "merci pour" {
		t.Errorf("stored %+v", d)
	}
	if !save(t, db, "local", draft("k", 3, "merci pour le live")) {
		t.Error("a newer save was not written")
	}
	if d := only(t, db, "local"); d.Rev != 3 || d.Action.Text != "merci pour le live" {
		t.Errorf("stored %+v", d)
	}
}

func TestDraftTombstoneBlocksStaleSave(t *testing.T) {
	db := openTemp(t, Options{})
	save(t, db, "local", draft("k", 4, "sent text"))
	if err := db.DeleteDraft("local", "k", 5); err != nil {
		t.Fatal(err)
	}
	if ds, _ := db.Drafts("local"); len(ds) != 0 {
		t.Fatalf("deleted draft still listed: %+v", ds)
	}
	if save(t, db, "local", draft("k", 5, "late save, same rev")) || save(t, db, "local", draft("k", 3, "late save")) {
		t.Error("a stale save resurrected a deleted draft")
	}
	if ds, _ := db.Drafts("local"); len(ds) != 0 {
		t.Errorf("resurrected: %+v", ds)
	}
	// A genuinely new edit after the deletion starts a new draft.
	if !save(t, db, "local", draft("k", 6, "new reply")) {
		t.Error("a newer save after deletion was refused")
	}
	if d := only(t, db, "local"); d.Action.Text != "new reply" {
		t.Errorf("stored %+v", d)
	}
}

func TestDeleteDraftRevs(t *testing.T) {
	db := openTemp(t, Options{})
	save(t, db, "local", draft("k", 10, "edited after the delete was decided"))
	if err := db.DeleteDraft("local", "k", 9); err != nil {
		t.Fatal(err)
	}
	if d := only(t, db, "local"); d.Rev != 10 {
		t.Errorf("an older delete removed a newer draft: %+v", d)
	}
	if err := db.DeleteDraft("local", "k", 10); err != nil {
		t.Fatal(err)
	}
	if ds, _ := db.Drafts("local"); len(ds) != 0 {
		t.Errorf("delete at the draft's own rev kept it: %+v", ds)
	}
	// Deleting before the save lands (the save is the one in flight).
	if err := db.DeleteDraft("local", "other", 7); err != nil {
		t.Fatal(err)
	}
	if save(t, db, "local", draft("other", 6, "in flight")) {
		t.Error("a save older than a deletion of a never-saved key was written")
	}
}

func TestDraftsOrderAndOperators(t *testing.T) {
	db := openTemp(t, Options{})
	save(t, db, "alice", draft("old", 1, "a"))
	save(t, db, "alice", draft("newest", 3, "c"))
	save(t, db, "alice", draft("middle", 2, "b"))
	save(t, db, "bob", draft("old", 9, "bob's"))

	ds, err := db.Drafts("alice")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range ds {
		keys = append(keys, d.Key)
	}
	if fmt.Sprint(keys) != "[newest middle old]" {
		t.Errorf("alice's drafts in order %v", keys)
	}
	if d := only(t, db, "bob"); d.Action.Text != "bob's" {
		t.Errorf("bob's draft %+v", d)
	}
	if ds, err := db.Drafts("carol"); err != nil || len(ds) != 0 {
		t.Errorf("unknown operator's drafts: %+v, %v", ds, err)
	}
}

func TestDraftUpdatedDefaultsToNow(t *testing.T) {
	clk := newClock()
	db := openTemp(t, Options{Now: clk.Now})
	d := draft("k", 1, "x")
	d.Updated = time.Time{}
	save(t, db, "local", d)
	if got := only(t, db, "local"); !got.Updated.Equal(t0) {
		t.Errorf("Updated = %v, want the store's clock %v", got.Updated, t0)
	}
}

func TestConcurrentDraftSavesEndAtHighestRev(t *testing.T) {
	db := openTemp(t, Options{})
	const revs = 64
	order := rand.Perm(revs)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < revs; i += 8 {
				rev := int64(order[i] + 1)
				if _, err := db.SaveDraft("local", draft("k", rev, fmt.Sprintf("text at rev %d", rev))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if d := only(t, db, "local"); d.Rev != revs || d.Action.Text != fmt.Sprintf("text at rev %d", revs) {
		t.Errorf("after concurrent saves: rev %d %q, want rev %d", d.Rev, d.Action.Text, revs)
	}
}

func TestTombstonesPurgedAtOpenAfterSevenDays(t *testing.T) {
	clk := newClock()
	path := dbPath(t)
	opts := Options{Now: clk.Now}
	db := openAt(t, path, opts)
	if err := db.DeleteDraft("local", "k", 100); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)

	clk.Add(6 * 24 * time.Hour)
	db = openAt(t, path, opts)
	if save(t, db, "local", draft("k", 50, "stale")) {
		t.Error("a six-day-old tombstone was purged")
	}
	mustClose(t, db)

	clk.Add(2 * 24 * time.Hour)
	db = openAt(t, path, opts)
	if !save(t, db, "local", draft("k", 50, "much later")) {
		t.Error("an eight-day-old tombstone still blocks saves")
	}
}

// An operator's preferences are theirs, survive a restart, and go when
// set empty.
func TestPrefsPerOperator(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{})
	if err := db.SetPref("alice", "theme", "light"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPref("bob", "theme", "colorblind"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	db = openAt(t, path, Options{})
	defer mustClose(t, db)
	if p, err := db.Prefs("alice"); err != nil || p["theme"] != "light" || len(p) != 1 {
		t.Errorf("alice: %v, %v", p, err)
	}
	if p, _ := db.Prefs("carol"); len(p) != 0 {
		t.Errorf("carol, who set nothing: %v", p)
	}
	db.SetPref("bob", "theme", "")
	if p, _ := db.Prefs("bob"); len(p) != 0 {
		t.Errorf("bob after clearing: %v", p)
	}
}

// OnDraft hears of each change that was stored, and of nothing else: a
// cluster copying drafts between front-ends cannot echo them back and forth.
func TestOnDraft(t *testing.T) {
	var heard []string
	db := openTemp(t, Options{OnDraft: func(op string, d Draft, deleted bool) {
		heard = append(heard, fmt.Sprintf("%s %s %d %v", op, d.Key, d.Rev, deleted))
	}})
	save(t, db, "alice", draft("k", 2, "hel"))
	save(t, db, "alice", draft("k", 1, "h")) // older: not stored
	save(t, db, "alice", draft("k", 2, "hel"))
	for range 2 {
		if err := db.DeleteDraft("alice", "k", 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteDraft("alice", "k", 1); err != nil {
		t.Fatal(err)
	}
	want := []string{"alice k 2 false", "alice k 3 true"}
	if fmt.Sprint(heard) != fmt.Sprint(want) {
		t.Errorf("heard %q, want %q", heard, want)
	}
}

func TestEachDraftListsEveryOperatorsWithTombstones(t *testing.T) {
	db := openTemp(t, Options{})
	save(t, db, "alice", draft("a", 1, "alice's"))
	save(t, db, "alice", draft("gone", 2, "sent"))
	if err := db.DeleteDraft("alice", "gone", 3); err != nil {
		t.Fatal(err)
	}
	save(t, db, "bob", draft("b", 4, "bob's"))
	if err := db.SetPref("carol", "theme", "dark"); err != nil { // an operator without drafts
		t.Fatal(err)
	}
	var got []string
	if err := db.EachDraft(func(op string, d Draft, deleted bool) error {
		got = append(got, fmt.Sprintf("%s/%s@%d:%q:%v", op, d.Key, d.Rev, d.Action.Text, deleted))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := `[alice/a@1:"alice's":false alice/gone@3:"":true bob/b@4:"bob's":false]`
	if fmt.Sprint(got) != want {
		t.Errorf("EachDraft gave %v, want %s", got, want)
	}
}
