package search

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// now is the tests' clock: an evening in Paris.
var (
	paris = mustLoc("Europe/Paris")
	now   = time.Date(2026, 11, 30, 21, 30, 0, 0, paris)
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

func TestParseErrorsPointAtTheWord(t *testing.T) {
	for _, tc := range []struct {
		q    string
		at   string // the span the error must cover, found in q
		msg  string // a part of the message
		from int    // search for at from this byte
	}{
		{q: "refund frm:alice", at: "frm:", msg: `unknown field "frm:" — did you mean from:?`},
		{q: "wach:refund", at: "wach:", msg: "did you mean watch:?"},
		{q: "zzz:x", at: "zzz:", msg: `quote it ("zzz:…")`},
		{q: "is:quest", at: "quest", msg: "did you mean is:question?"},
		{q: "is:", at: "is:", msg: "is: needs a value"},
		{q: "has:lnk", at: "lnk", msg: "did you mean has:link?"},
		{q: "sentiment:bad", at: "bad", msg: "neg, pos or neutral"},
		{q: "after:yesterday", at: "yesterday", msg: "want 10m"},
		{q: "before:99999999999999d", at: "99999999999999d", msg: "want 10m"},
		{q: `a "ne marche`, at: `"ne marche`, msg: "not closed"},
		{q: `a "x"y`, at: `"x"y`, msg: "space after the closing quote"},
		{q: `from:"ana`, at: `"ana`, msg: "not closed"},
		{q: `it"s`, at: `"s`, msg: "not closed"},
		{q: `a i"t" b`, at: `i"t"`, msg: "quote inside a word"},
		{q: "OR refund", at: "OR", msg: "before it"},
		{q: "refund OR", at: "OR", msg: "after it"},
		{q: "a OR OR b", at: "OR", from: 3, msg: "twice"},
		{q: "a (b OR c)", at: "(b", msg: "parentheses don't group"},
		{q: "a b)", at: "b)", msg: "parentheses"},
		{q: "x -", at: "-", msg: "needs a term"},
		{q: "a ?", at: "?", msg: "is:question"},
		{q: "a !!!", at: "!!!", msg: "no word"},
		{q: `""`, at: `""`, msg: "empty phrase"},
		{q: "ref*und", at: "*", msg: "only at the end"},
		{q: "from:a*b", at: "a*b", msg: "'*' only at the end"},
		{q: "from:@", at: "@", msg: "takes a handle"},
		{q: "watch:", at: "watch:", msg: "needs a value"},
		{q: strings.Repeat("a", 70), at: strings.Repeat("a", 70), msg: "longer than 64"},
		{q: "ok \xff", at: "\xff", msg: "UTF-8"},
	} {
		_, err := Parse(tc.q, paris, now)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error", tc.q, err)
			continue
		}
		off := strings.Index(tc.q[tc.from:], tc.at) + tc.from
		if e.Offset != off || e.Len != len(tc.at) {
			t.Errorf("%q: error at [%d,+%d) %q, want %q at %d (%s)", tc.q, e.Offset, e.Len,
				tc.q[e.Offset:min(e.Offset+e.Len, len(tc.q))], tc.at, off, e.Msg)
		}
		if !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q: message %q, want it to say %q", tc.q, e.Msg, tc.msg)
		}
		if !strings.Contains(err.Error(), e.Msg) {
			t.Errorf("%q: Error() %q lacks the message", tc.q, err.Error())
		}
	}
}

func TestParseLimits(t *testing.T) {
	long := strings.Repeat("a ", MaxLen)
	if _, err := Parse(long, nil, now); err == nil {
		t.Error("a query longer than MaxLen was read")
	}
	var words []string
	for i := range MaxWords + 1 {
		words = append(words, "w"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	_, err := Parse(strings.Join(words, " "), nil, now)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "more than 64") {
		t.Errorf("65 words: %v", err)
	}
	if _, err := Parse(strings.Join(words[:MaxWords], " "), nil, now); err != nil {
		t.Errorf("64 words: %v", err)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, q := range []string{"", "   ", "\t \u00a0"} {
		query, err := Parse(q, nil, now)
		if err != nil || !query.Empty() {
			t.Errorf("%q: %v, empty %v", q, err, err == nil && query.Empty())
		}
	}
	if MustParse("x", nil, now).Empty() {
		t.Error(`"x" is empty`)
	}
}

func TestParseTimes(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		v    string
		want time.Time
	}{
		{"10m", now.Add(-10 * time.Minute)},
		{"2h", now.Add(-2 * time.Hour)},
		{"3d", now.Add(-72 * time.Hour)},
		{"1w", now.Add(-7 * 24 * time.Hour)},
		{"90s", now.Add(-90 * time.Second)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"15:04", time.Date(2026, 11, 30, 15, 4, 0, 0, paris)},
		{"08:00:30", time.Date(2026, 11, 30, 8, 0, 30, 0, paris)},
		{"2026-11-30", time.Date(2026, 11, 30, 0, 0, 0, 0, paris)},
		{"2026-11-29T23:15", time.Date(2026, 11, 29, 23, 15, 0, 0, paris)},
		{"2026-11-30T20:00:00Z", utc("2026-11-30T20:00:00Z")},
		{"2026-11-30T20:00:00+02:00", utc("2026-11-30T18:00:00Z")},
	} {
		for _, field := range []string{"after", "before"} {
			q, err := Parse(field+":"+tc.v, paris, now)
			if err != nil {
				t.Errorf("%s:%s: %v", field, tc.v, err)
				continue
			}
			got := q.groups[0][0]
			wantKind := map[string]kind{"after": kAfter, "before": kBefore}[field]
			if got.kind != wantKind || !got.t.Equal(tc.want) {
				t.Errorf("%s:%s = %v (kind %d), want %v", field, tc.v, got.t, got.kind, tc.want)
			}
		}
	}
	// "15:04 today" is today where the operator is, not in UTC: at 00:30
	// in Paris it is still the 29th in UTC.
	early := time.Date(2026, 11, 30, 0, 30, 0, 0, paris)
	q := MustParse("after:00:15", paris, early.UTC())
	if want := time.Date(2026, 11, 30, 0, 15, 0, 0, paris); !q.groups[0][0].t.Equal(want) {
		t.Errorf("after:00:15 at 00:30 Paris = %v, want %v", q.groups[0][0].t, want)
	}
}

func TestParseStructure(t *testing.T) {
	q := MustParse(`refund* from:alice OR "ne marche pas" -on:irc OR sentiment:neg`, nil, now)
	if len(q.groups) != 3 {
		t.Fatalf("%d runs of terms, want 3", len(q.groups))
	}
	if n := []int{len(q.groups[0]), len(q.groups[1]), len(q.groups[2])}; n[0] != 2 || n[1] != 2 || n[2] != 1 {
		t.Errorf("terms per run %v, want [2 2 1]", n)
	}
	// Cheap terms first.
	if q.groups[0][0].kind != kFrom || q.groups[0][1].kind != kText {
		t.Errorf("run 0 not ordered cheap first: %+v", q.groups[0])
	}
	if q.Needs() != NeedSentiment {
		t.Errorf("Needs %b, want sentiment", q.Needs())
	}
	if q.String() == "" || q.Empty() {
		t.Error("String or Empty wrong")
	}
	// Lower-case "or" is a word; a field's case does not matter.
	q = MustParse("this or that FROM:Bob", nil, now)
	if len(q.groups) != 1 || len(q.groups[0]) != 4 {
		t.Errorf(`"this or that FROM:Bob": %+v`, q.groups)
	}
	all := MustParse("is:question is:unanswered is:mention watch:* sentiment:pos", nil, now)
	if all.Needs() != NeedQuestion|NeedUnanswered|NeedMention|NeedWatch|NeedSentiment {
		t.Errorf("Needs %b", all.Needs())
	}
}
