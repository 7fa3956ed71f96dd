package cluster

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// A draft saved on a front-end killed before it could put it in the
// bucket reaches the other front-ends once the first is back.
func TestDraftsSavedBeforeACrashAreSharedAtStart(t *testing.T) {
	tc := newTestCluster(t, 3)
	path := dbIn(t, "fe1")
	// Saved, and the front-end died: nothing of it left the machine.
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := store.Draft{Key: "chat\x00m1", Rev: 5, Action: feeds.Action{Feed: "chat", Kind: feeds.ActReply, Text: "half-writ"}}
	if _, err := db.SaveDraft("alice", d); err != nil {
		t.Fatal(err)
	}
	db.Close()

	sh2 := newShown()
	fe2 := startFrontEnd(t, tc, 1, "fe2", dbIn(t, "fe2"), sh2)
	startFrontEnd(t, tc, 0, "fe1", path, newShown())
	for !hasDraft(t, fe2.db, "alice", "half-writ") {
		<-sh2.changed
	}
}

// The bucket keeps the newest revision of a draft whichever front-end
// puts last; at an equal revision, the deletion wins.
func TestDraftsNewestWinsInTheBucket(t *testing.T) {
	tc := newTestCluster(t, 3)
	c := dial(t, tc, 0, "fe1")
	ds := c.Drafts()
	ctx := context.Background()
	k := draftKey("alice", "m1")
	put := func(de draftEntry) {
		t.Helper()
		data, err := json.Marshal(de)
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.put(ctx, k, de, data); err != nil {
			t.Fatal(err)
		}
	}
	inBucket := func() draftEntry {
		t.Helper()
		e, err := c.drafts.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		var de draftEntry
		if err := json.Unmarshal(e.Value(), &de); err != nil {
			t.Fatal(err)
		}
		return de
	}
	text := func(s string) feeds.Action { return feeds.Action{Feed: "chat", Kind: feeds.ActReply, Text: s} }

	put(draftEntry{Rev: 3, Action: text("newer")})
	put(draftEntry{Rev: 2, Action: text("older, put late")})
	if de := inBucket(); de.Rev != 3 || de.Action.Text != "newer" {
		t.Errorf("the bucket has %+v, want rev 3", de)
	}
	put(draftEntry{Rev: 3, Deleted: true})
	put(draftEntry{Rev: 3, Action: text("newer")})
	if de := inBucket(); de.Rev != 3 || !de.Deleted {
		t.Errorf("the bucket has %+v, want rev 3 deleted", de)
	}
	put(draftEntry{Rev: 4, Action: text("typed again")})
	if de := inBucket(); de.Rev != 4 || de.Deleted {
		t.Errorf("the bucket has %+v, want rev 4", de)
	}
}
