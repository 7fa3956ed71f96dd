package store

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func TestAppendTwiceKeepsOneCopy(t *testing.T) {
	db := openTemp(t, Options{})
	batch := newEventGen(1).batch(50)
	mustAppend(t, db, batch...)
	counts1, err := db.MinuteCounts(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, batch...)
	mustAppend(t, db, batch[10:20]...)

	got, err := db.Recent(1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batch) {
		t.Fatalf("after appending twice: %d events, want %d", len(got), len(batch))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], batch[i]) {
			t.Fatalf("event %d read back as\n%+v\nwant\n%+v", i, got[i], batch[i])
		}
	}
	counts2, _ := db.MinuteCounts(time.Time{})
	if !reflect.DeepEqual(counts1, counts2) {
		t.Errorf("minute counts changed on replay:\n%v\n%v", counts1, counts2)
	}
}

func TestAppendRefusesSeqHoldingAnotherEvent(t *testing.T) {
	db := openTemp(t, Options{})
	mustAppend(t, db, ev(1, "f", "a"))
	err := db.AppendEvents([]feeds.Event{ev(2, "f", "b"), ev(1, "f", "not-a")})
	if err == nil {
		t.Fatal("AppendEvents reused seq 1 for another event")
	}
	if err := db.AppendEvents([]feeds.Event{ev(1, "g", "a")}); err == nil {
		t.Fatal("AppendEvents reused seq 1 for an event of another feed")
	}
	got, _ := db.Recent(10)
	if ids := idsOf(got); !slices.Equal(ids, []string{"f/a"}) {
		t.Errorf("a refused batch was partly written: %v", ids)
	}
	// The same event twice in one batch is stored once.
	mustAppend(t, db, ev(2, "f", "b"), ev(2, "f", "b"))
	got, _ = db.Recent(10)
	if ids := idsOf(got); !slices.Equal(ids, []string{"f/a", "f/b"}) {
		t.Errorf("after a batch with a repeat: %v", ids)
	}
	for _, bad := range []feeds.Event{ev(0, "f", "x"), ev(3, "", "x"), ev(3, "f", "")} {
		if err := db.AppendEvents([]feeds.Event{bad}); err == nil {
			t.Errorf("AppendEvents accepted %+v", bad)
		}
	}
}

func TestRetentionByCount(t *testing.T) {
	db := openTemp(t, Options{Retention: 3})
	var batch []feeds.Event
	for seq := uint64(1); seq <= 10; seq++ {
		feed := "busy"
		if seq%4 == 0 {
			feed = "quiet" // seqs 4 and 8
		}
		batch = append(batch, ev(seq, feed, string(rune('a'+seq))))
	}
	mustAppend(t, db, batch[:6]...)
	mustAppend(t, db, batch[6:]...)

	got, _ := db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{4, 7, 8, 9, 10}) {
		t.Errorf("kept %v, want the newest 3 of busy (7 9 10) and both of quiet (4 8)", s)
	}
	// Replaying pruned events must not bring them back.
	mustAppend(t, db, batch...)
	got, _ = db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{4, 7, 8, 9, 10}) {
		t.Errorf("after replay kept %v", s)
	}
	if _, err := db.MarkDeleted("busy", batch[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkDeleted of a pruned event: %v, want ErrNotFound", err)
	}
}

func TestRetentionByAge(t *testing.T) {
	clk := newClock()
	path := dbPath(t)
	opts := Options{MaxAge: time.Hour, Now: clk.Now}
	db := openAt(t, path, opts)

	at := func(seq uint64, feed string, age time.Duration) feeds.Event {
		e := ev(seq, feed, feed+string(rune('a'+seq)))
		e.Time = clk.Now().Add(-age)
		return e
	}
	mustAppend(t, db,
		at(1, "chat", 50*time.Minute),
		at(2, "social", 40*time.Minute),
		at(3, "chat", 30*time.Minute),
		at(4, "chat", 5*time.Minute),
	)
	clk.Add(25 * time.Minute) // seq 1 is 75 min old, seq 2 65 min
	mustAppend(t, db, at(5, "chat", 0))
	got, _ := db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{3, 4, 5}) {
		t.Errorf("after 25 min kept %v, want 3 4 5 (social pruned though untouched)", s)
	}

	// A long night off: pruning also runs at Open.
	mustClose(t, db)
	clk.Add(2 * time.Hour)
	db = openAt(t, path, opts)
	waitPruned(t, db)
	got, _ = db.Recent(100)
	if len(got) != 0 {
		t.Errorf("after a night off kept %v", seqsOf(got))
	}
	if last, _ := db.LastSeq(); last != 5 {
		t.Errorf("LastSeq after pruning everything = %d, want 5 (seqs are never reused)", last)
	}
	// A platform clock running ahead does not pin the event forever.
	mustAppend(t, db, at(6, "chat", -48*time.Hour))
	clk.Add(61 * time.Minute)
	mustAppend(t, db, at(7, "chat", 0))
	got, _ = db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{7}) {
		t.Errorf("future-stamped event: kept %v, want 7", s)
	}
}

func TestRecentAndBeforeAcrossFeeds(t *testing.T) {
	db := openTemp(t, Options{})
	mustAppend(t, db, ev(1, "twitch", "a"), ev(2, "irc", "b"), ev(3, "mastodon", "c"))
	mustAppend(t, db, ev(5, "irc", "d"), ev(6, "twitch", "e"), ev(9, "twitch", "f"))

	check := func(name string, got []feeds.Event, err error, want ...uint64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s := seqsOf(got); !slices.Equal(s, want) && !(len(s) == 0 && len(want) == 0) {
			t.Errorf("%s = %v, want %v", name, s, want)
		}
	}
	got, err := db.Recent(4)
	check("Recent(4)", got, err, 3, 5, 6, 9)
	got, err = db.Recent(100)
	check("Recent(100)", got, err, 1, 2, 3, 5, 6, 9)
	got, err = db.Recent(0)
	check("Recent(0)", got, err)
	got, err = db.Before(6, 2)
	check("Before(6, 2)", got, err, 3, 5)
	got, err = db.Before(4, 10)
	check("Before(4, 10)", got, err, 1, 2, 3)
	got, err = db.Before(100, 2)
	check("Before(100, 2)", got, err, 6, 9)
	got, err = db.Before(1, 10)
	check("Before(1, 10)", got, err)

	// Scrolling back page by page visits every event once.
	var all []uint64
	for cursor := uint64(10); ; {
		page, err := db.Before(cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(seqsOf(page), all...)
		cursor = page[0].Seq
	}
	if !slices.Equal(all, []uint64{1, 2, 3, 5, 6, 9}) {
		t.Errorf("paging back visited %v", all)
	}
	if last, _ := db.LastSeq(); last != 9 {
		t.Errorf("LastSeq = %d, want 9", last)
	}
}

func TestLastSeqOfEmptyStore(t *testing.T) {
	db := openTemp(t, Options{})
	if last, err := db.LastSeq(); err != nil || last != 0 {
		t.Errorf("LastSeq = %d, %v; want 0", last, err)
	}
	if got, err := db.Recent(10); err != nil || len(got) != 0 {
		t.Errorf("Recent on an empty store = %v, %v", got, err)
	}
}

func TestMarkDeleted(t *testing.T) {
	db := openTemp(t, Options{})
	mustAppend(t, db, ev(1, "twitch", "m1"), ev(2, "irc", "m1"), ev(3, "twitch", "m2"))

	got, err := db.MarkDeleted("twitch", "m1")
	if err != nil {
		t.Fatal(err)
	}
	want := ev(1, "twitch", "m1")
	want.Deleted = true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MarkDeleted returned %+v, want %+v", got, want)
	}
	// Again: same answer, nothing else touched.
	if again, err := db.MarkDeleted("twitch", "m1"); err != nil || !again.Deleted {
		t.Errorf("second MarkDeleted = %+v, %v", again, err)
	}
	evs, _ := db.Recent(10)
	for _, e := range evs {
		if e.Deleted != (e.Seq == 1) {
			t.Errorf("event %d (%s/%s) Deleted = %v", e.Seq, e.Feed, e.ID, e.Deleted)
		}
	}
	for _, c := range []struct{ feed, id string }{{"twitch", "nope"}, {"nofeed", "m1"}, {"twitch", ""}} {
		if _, err := db.MarkDeleted(c.feed, c.id); !errors.Is(err, ErrNotFound) {
			t.Errorf("MarkDeleted(%q, %q): %v, want ErrNotFound", c.feed, c.id, err)
		}
	}
}

func TestMinuteCounts(t *testing.T) {
	clk := newClock()
	db := openTemp(t, Options{Now: clk.Now})
	paris := time.FixedZone("CET", 3600)
	at := func(seq uint64, feed string, clock string) feeds.Event {
		e := ev(seq, feed, "id"+string(rune('a'+seq)))
		tm, err := time.ParseInLocation("15:04:05", clock, paris)
		if err != nil {
			t.Fatal(err)
		}
		e.Time = time.Date(2025, 3, 14, tm.Hour(), tm.Minute(), tm.Second(), 0, paris)
		return e
	}
	mustAppend(t, db,
		at(1, "twitch", "20:00:01"), at(2, "twitch", "20:00:59"), at(3, "irc", "20:00:30"),
		at(4, "twitch", "20:02:00"),
	)
	mustAppend(t, db, at(5, "twitch", "20:02:40"), at(6, "twitch", "20:01:10")) // late arrival

	minute := func(hm string) time.Time {
		tm, _ := time.Parse("15:04", hm)
		return time.Date(2025, 3, 14, tm.Hour(), tm.Minute(), 0, 0, time.UTC)
	}
	got, err := db.MinuteCounts(minute("19:00"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]MinuteCount{
		"twitch": {{minute("19:00"), 2}, {minute("19:01"), 1}, {minute("19:02"), 2}},
		"irc":    {{minute("19:00"), 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MinuteCounts =\n%v\nwant\n%v", got, want)
	}
	// since inside a minute includes that minute; feeds with nothing left are absent.
	got, _ = db.MinuteCounts(minute("19:01").Add(30 * time.Second))
	want = map[string][]MinuteCount{"twitch": {{minute("19:01"), 1}, {minute("19:02"), 2}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MinuteCounts(19:01:30) =\n%v\nwant\n%v", got, want)
	}

	// Counts outlive the events (for the report), but not forever.
	now := func(seq uint64, id string) feeds.Event {
		e := ev(seq, "irc", id)
		e.Time = clk.Now()
		return e
	}
	clk.Add(29 * 24 * time.Hour)
	mustAppend(t, db, now(7, "later"))
	if got, _ := db.MinuteCounts(minute("19:00")); len(got["twitch"]) != 3 {
		t.Errorf("29 days on, twitch counts = %v", got["twitch"])
	}
	clk.Add(2 * 24 * time.Hour)
	mustAppend(t, db, now(8, "much-later"))
	if got, _ := db.MinuteCounts(minute("19:00")); len(got["twitch"]) != 0 || len(got["irc"]) != 2 {
		t.Errorf("31 days on, counts = %v, want only irc's two recent minutes", got)
	}
}

func TestMinuteKeyOrder(t *testing.T) {
	times := []time.Time{
		{}, time.Date(1960, 1, 1, 0, 0, 30, 0, time.UTC), time.Unix(-1, 0),
		time.Unix(0, 0), time.Unix(59, 0), time.Unix(60, 0), t0, t0.Add(90 * time.Second),
	}
	for i := 1; i < len(times); i++ {
		a, b := minuteKey(times[i-1]), minuteKey(times[i])
		if a > b {
			t.Errorf("minuteKey(%v) > minuteKey(%v)", times[i-1], times[i])
		}
	}
	for _, tm := range times {
		if got, want := minuteTime(minuteKey(tm)), tm.UTC().Truncate(time.Minute); !got.Equal(want) && !tm.IsZero() {
			t.Errorf("minuteTime(minuteKey(%v)) = %v, want %v", tm, got, want)
		}
	}
}

// Retention is per feed: a chat flood keeps a short history while social
// posts are kept longer, and a feed without its own setting gets the default.
func TestRetentionPerFeed(t *testing.T) {
	clk := newClock()
	db := openTemp(t, Options{Retention: 4, MaxAge: 24 * time.Hour, Now: clk.Now, Feeds: map[string]Retention{
		"chat":   {Count: 2},                 // age from the default
		"social": {MaxAge: 30 * time.Minute}, // count from the default
	}})
	at := func(seq uint64, feed string, age time.Duration) feeds.Event {
		e := ev(seq, feed, feed+string(rune('a'+seq)))
		e.Time = clk.Now().Add(-age)
		return e
	}
	mustAppend(t, db,
		at(1, "chat", time.Hour), at(2, "chat", 0), at(3, "chat", 0),
		at(4, "social", time.Hour), at(5, "social", 0),
		at(6, "other", time.Hour), at(7, "other", 0), at(8, "other", 0), at(9, "other", 0), at(10, "other", 0),
	)
	got, _ := db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{2, 3, 5, 7, 8, 9, 10}) {
		t.Errorf("kept %v, want chat's newest 2, social's young one, other's newest 4", s)
	}
	clk.Add(25 * time.Hour)
	mustAppend(t, db, at(11, "chat", 0))
	got, _ = db.Recent(100)
	if s := seqsOf(got); !slices.Equal(s, []uint64{11}) {
		t.Errorf("a day later kept %v, want only 11 (the default age applies to chat)", s)
	}
}
