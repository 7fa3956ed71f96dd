package irc

import (
	"fmt"
	"testing"
)

func TestRecentIDsAreBounded(t *testing.T) {
	r := newRecentIDs()
	for i := range idsPerAuthor + 5 {
		r.add("#Halo", "Alice", fmt.Sprint("m", i))
	}
	for i := range authorsPerChannel + 10 {
		r.add("#halo", fmt.Sprint("viewer", i), "x")
	}
	for i := range channelsWithRecord + 10 {
		r.add(fmt.Sprint("#c", i), "bob", "y")
	}
	if n := len(r.channels); n != channelsWithRecord {
		t.Errorf("%d channels tracked", n)
	}
	if n := r.channels["#halo"].Len(); n != authorsPerChannel {
		t.Errorf("%d authors tracked", n)
	}
	// Alice was least recently active: forgotten.
	if ids := r.take("#halo", "alice"); ids != nil {
		t.Errorf("alice still has %d ids", len(ids))
	}
	r = newRecentIDs()
	for i := range idsPerAuthor + 5 {
		r.add("#halo", "Alice", fmt.Sprint("m", i))
	}
	ids := r.take("#HALO", "alice")
	if len(ids) != idsPerAuthor || ids[0] != "m5" || ids[len(ids)-1] != fmt.Sprint("m", idsPerAuthor+4) {
		t.Errorf("ids %v: want the last %d", ids, idsPerAuthor)
	}
	if again := r.take("#halo", "alice"); again != nil {
		t.Errorf("take should forget: %v", again)
	}
}
