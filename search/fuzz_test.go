package search

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// rawOf is what the store shows Prefilter of ev.
func rawOf(ev *feeds.Event) *store.Raw {
	return &store.Raw{Seq: ev.Seq, Kind: ev.Kind, Time: ev.Time, Feed: []byte(ev.Feed), Platform: []byte(ev.Platform),
		Author: []byte(ev.Author), AuthorName: []byte(ev.AuthorName), Text: []byte(ev.Text), Warning: []byte(ev.Warning)}
}

// fuzzEvents are the events every fuzzed query is asked of.
var fuzzEvents = func() []feeds.Event {
	evs := []feeds.Event{
		msg("alice", "Le boîtier a un Problème, je veux un remboursement", 5),
		msg("Bob_42", "refunded already? don't lol https://lumio.example/Refund l'ecran", 30),
		msg("carol.bsky.social", "Ça NE MARCHE... PAS #HaloGate @Lumio's", 90),
		msg("ana@mastodon.social", "GREAT keynote, it's the new HALO", 200),
		msg("ｆｕｌｌ", "ＨＡＬＯ 𝐇𝐀𝐋𝐎 œuf Straße", 2),
	}
	evs[3].Warning, evs[3].AuthorName = "spoilers: Refund", "Ana Ribeiro"
	return evs
}()

// checkQuery asks q of the fuzz events: no panic, spans in bounds and in
// order, and Prefilter never rules out an event Match keeps.
func checkQuery(t *testing.T, src string, q *Query) {
	f := &fakeFacts{}
	for i := range fuzzEvents {
		ev := &fuzzEvents[i]
		if q.Match(ev, f) && !q.Prefilter(rawOf(ev)) {
			t.Fatalf("%q matches %q but Prefilter rules it out", src, ev.Text)
		}
		prev := 0
		for _, s := range q.Highlights(ev.Text) {
			if s[0] < prev || s[0] >= s[1] || s[1] > len(ev.Text) {
				t.Fatalf("%q: bad span %v of %q", src, s, ev.Text)
			}
			prev = s[1]
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`refund* from:alice OR "ne marche pas" -on:irc`, `is:question is:unanswered`, `has:link watch:*`,
		`sentiment:neg after:10m before:2026-11-30T15:04`, `frm:x`, `"abc`, `a (b OR c)`, `-`, `OR`,
		`probleme boitier`, `dont lecran halo`, `#halogate @lumio`, `lumio.example/refund`, `from:"Ana Ribeiro"`,
		`after:15:04 feed:x on:y`, "\xff", `a*b`, `"ne  marche" -"pas"`, `halo OR ＨＡＬＯ OR strasse`,
	} {
		f.Add(s)
	}
	loc := time.FixedZone("X", 3600)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s, loc, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %T is not an *Error", s, err)
			}
			if e.Offset < 0 || e.Len < 0 || e.Offset+e.Len > len(s) || e.Msg == "" {
				t.Fatalf("%q: error span [%d,+%d) out of the query (%q)", s, e.Offset, e.Len, e.Msg)
			}
			if utf8.ValidString(s) && !utf8.ValidString(s[e.Offset:e.Offset+e.Len]) {
				t.Fatalf("%q: error span [%d,+%d) cuts a rune", s, e.Offset, e.Len)
			}
			return
		}
		checkQuery(t, s, q)
	})
}

// TestPrefilterNeverRulesOutAMatch tries the words of the fuzz events,
// one by one and in pairs, in every form a query takes them.
func TestPrefilterNeverRulesOutAMatch(t *testing.T) {
	words := []string{"probleme", "PROBLÈME", "boitier", "refund", "refund*", "dont", "don't", "lecran", "ecran",
		"l'ecran", "marche", `"ne marche pas"`, "halogate", "#halogate", "@lumio", "lumio", "great", "halo", "oeuf",
		"strasse", "ful*", "from:full", "from:ana", "from:ana*", "from:Ribeiro", `from:"ana ribeiro"`, "on:twitch",
		"-on:twitch", "spoilers", "lumio.example/refund", "its", "it", "keynote", "after:1h", "before:1h"}
	for _, a := range words {
		for _, b := range append([]string{""}, words...) {
			for _, src := range []string{a + " " + b, a + " OR " + b, "-" + a + " " + b} {
				if q, err := Parse(src, paris, now); err == nil {
					checkQuery(t, src, q)
				}
			}
		}
	}
}

// TestPrefilterRulesOut checks that the prefilter does its job: texts
// without the word, accented or not, are ruled out before decoding.
func TestPrefilterRulesOut(t *testing.T) {
	for _, tc := range []struct {
		q, text string
		may     bool
	}{
		{"xylophone", "the new keynote is live", false},
		{"xylophone", "le boîtier a un problème, très déçu", false},
		{"probleme", "le boîtier a un Problème", true},
		{"probleme", "le boitier a un souci", false},
		{"oeuf", "un œuf", true},
		{"strasse", "Straße", true},
		{"halo", "𝐇𝐀𝐋𝐎 !", true},
		{"halo", "ＨＡＬＯ", true},
		{"dont", "I don't know", true},
		{"dont", "I do not know", false},
		{`"ne marche pas"`, "ça ne marche pas", true},
		{`"ne marche pas"`, "ça ne marche plus", false},
		{"from:kiki", "", false},
		{"from:user_1", "", true},
	} {
		ev := msg("user_1", tc.text, 1)
		if got := MustParse(tc.q, nil, now).Prefilter(rawOf(&ev)); got != tc.may {
			t.Errorf("%q on %q: Prefilter %v, want %v", tc.q, tc.text, got, tc.may)
		}
	}
}

// FuzzPrefilter checks the prefilter against Match on any text: it may
// let through an event that does not match, never rule out one that does.
func FuzzPrefilter(f *testing.F) {
	for _, s := range [][2]string{
		{"probleme", "Un PROBLÈME"}, {"oeuf", "œuf"}, {"strasse", "STRAẞE"}, {"ffi", "ﬃ"}, {"k", "K"},
		{"halo", "𝐇𝐀𝐋𝐎"}, {"dont", "don't"}, {`"ne marche pas"`, "ne-marche... pas"}, {"#halo", "＃ＨＡＬＯ"},
		{"lumio", "@Lumio's"}, {"ecran", "l’écran"}, {"e", "e\u0301"}, {"from:ana", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, query, text string) {
		q, err := Parse(query, time.UTC, now)
		if err != nil {
			return
		}
		ev := msg("ana@mastodon.social", text, 1)
		ev.Warning = text
		if q.Match(&ev, nil) && !q.Prefilter(rawOf(&ev)) {
			t.Fatalf("%q matches %q but Prefilter rules it out", query, text)
		}
	})
}
