package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func TestEventCodecRoundTrip(t *testing.T) {
	g := newEventGen(7)
	cases := []feeds.Event{
		{Seq: 1, Feed: "f", ID: "x"}, // zero time, empty strings
		{Seq: 2, Feed: "f", ID: "y", Kind: feeds.KindNotice, Deleted: true, Time: time.Date(1600, 1, 1, 0, 0, 0, 1, time.UTC),
			Channel: "#c", Author: "a", AuthorName: "Ä ü 🎉", Text: "multi\nline", ReplyTo: "r", Target: "t",
			Badges: []string{feeds.BadgeModerator, ""}},
		{Seq: 3, Feed: "f", ID: "z", Time: time.Date(3000, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{Seq: 4, Feed: "f", ID: "w", Direct: true, Warning: "spoilers: ending", RepostOf: "bob@example.org"},
	}
	for range 100 {
		cases = append(cases, g.next())
	}
	for _, want := range cases {
		b := appendEvent(nil, &want, int64(want.Seq)*7)
		if len(b) > eventSizeBound(&want) {
			t.Errorf("event %d encodes to %d bytes, over its bound %d", want.Seq, len(b), eventSizeBound(&want))
		}
		got, err := decodeEvent(want.Seq, b)
		if err != nil {
			t.Fatalf("decoding event %d: %v", want.Seq, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
		if id, ok := eventID(b); !ok || string(id) != want.ID {
			t.Errorf("eventID = %q, %v; want %q", id, ok, want.ID)
		}
		if keep, ok := keepTime(b); !ok || keep != int64(want.Seq)*7 {
			t.Errorf("keepTime = %d, %v; want %d", keep, ok, want.Seq*7)
		}
	}
}

// A database written before version 2 keeps its events readable: a v1
// record is a v2 one without the two trailing strings and the Direct flag.
func TestDecodeEventReadsVersion1(t *testing.T) {
	want := newEventGen(11).next()
	want.Direct, want.Warning, want.RepostOf = false, "", ""
	b := appendEvent(nil, &want, 5)
	v1 := append([]byte{eventCodecV1}, b[1:len(b)-2]...) // two empty strings: two zero lengths
	got, err := decodeEvent(want.Seq, v1)
	if err != nil {
		t.Fatalf("decoding a version 1 record: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("version 1 record:\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeEventRejectsTruncation(t *testing.T) {
	e := newEventGen(3).next()
	b := appendEvent(nil, &e, 0)
	for n := range len(b) {
		if _, err := decodeEvent(1, b[:n]); err == nil {
			t.Errorf("decoding %d of %d bytes succeeded", n, len(b))
		}
	}
}

func FuzzDecodeEvent(f *testing.F) {
	e := newEventGen(5).next()
	f.Add(appendEvent(nil, &e, 0))
	f.Add([]byte{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		eventID(b)
		keepTime(b)
		ev, err := decodeEvent(9, b)
		if err != nil {
			return
		}
		// Whatever decodes must encode back to something that decodes the same.
		again, err := decodeEvent(9, appendEvent(nil, &ev, 0))
		if err != nil || !reflect.DeepEqual(again, ev) {
			t.Fatalf("re-encoding %+v: %+v, %v", ev, again, err)
		}
	})
}
