package store

import (
	"maps"
	"slices"
	"testing"
)

func TestMarkAllReadWatermark(t *testing.T) {
	db := openTemp(t, Options{})
	if err := db.MarkRead("local", 3, 5, 9); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAllRead("local", 5); err != nil {
		t.Fatal(err)
	}
	rs, err := db.ReadState("local")
	if err != nil {
		t.Fatal(err)
	}
	if rs.Upto != 5 {
		t.Errorf("Upto = %d, want 5", rs.Upto)
	}
	if got := slices.Sorted(maps.Keys(rs.Marked)); !slices.Equal(got, []uint64{9}) {
		t.Errorf("marks under the watermark were kept: %v", got)
	}
	for seq, want := range map[uint64]bool{1: true, 4: true, 5: true, 6: false, 9: true, 10: false} {
		if rs.IsRead(seq) != want {
			t.Errorf("IsRead(%d) = %v, want %v", seq, !want, want)
		}
	}

	// The watermark never moves back, and marks below it are not stored.
	if err := db.MarkAllRead("local", 2); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRead("local", 4, 12); err != nil {
		t.Fatal(err)
	}
	rs, _ = db.ReadState("local")
	if rs.Upto != 5 || !rs.IsRead(4) {
		t.Errorf("MarkAllRead(2) moved the watermark back: %+v", rs)
	}
	if got := slices.Sorted(maps.Keys(rs.Marked)); !slices.Equal(got, []uint64{9, 12}) {
		t.Errorf("marks = %v, want [9 12]", got)
	}

	if err := db.MarkAllRead("local", 20); err != nil {
		t.Fatal(err)
	}
	rs, _ = db.ReadState("local")
	if rs.Upto != 20 || len(rs.Marked) != 0 {
		t.Errorf("after MarkAllRead(20): %+v", rs)
	}
}

func TestReadStateIsPerOperator(t *testing.T) {
	db := openTemp(t, Options{})
	if err := db.MarkRead("alice", 7); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAllRead("bob", 3); err != nil {
		t.Fatal(err)
	}
	alice, _ := db.ReadState("alice")
	bob, _ := db.ReadState("bob")
	if !alice.IsRead(7) || alice.IsRead(3) || bob.IsRead(7) || !bob.IsRead(3) {
		t.Errorf("alice %+v, bob %+v", alice, bob)
	}
	nobody, err := db.ReadState("nobody")
	if err != nil || nobody.Upto != 0 || nobody.Marked == nil || len(nobody.Marked) != 0 || nobody.IsRead(1) {
		t.Errorf("unknown operator: %+v, %v", nobody, err)
	}
	if err := db.MarkRead("", 1); err == nil {
		t.Error("MarkRead accepted an empty operator name")
	}
}

func TestReadMarksOfPrunedEventsGoAtOpen(t *testing.T) {
	path := dbPath(t)
	db := openAt(t, path, Options{Retention: 2})
	mustAppend(t, db, ev(1, "f", "a"), ev(2, "f", "b"), ev(3, "f", "c"), ev(4, "f", "d"))
	if err := db.MarkRead("local", 1, 2, 3, 4, 7); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)

	db = openAt(t, path, Options{Retention: 2})
	waitPruned(t, db)
	rs, _ := db.ReadState("local")
	if got := slices.Sorted(maps.Keys(rs.Marked)); !slices.Equal(got, []uint64{3, 4, 7}) {
		t.Errorf("marks after reopen = %v, want [3 4 7] (1 and 2 are pruned)", got)
	}
}
