package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
)

// msg is a message on twitch at t minutes before now.
func msg(author, text string, ago int) feeds.Event {
	return feeds.Event{Feed: "launch-chat", Platform: "twitch", ID: author + fmt.Sprint(ago), Kind: feeds.KindMessage,
		Time: now.Add(-time.Duration(ago) * time.Minute), Author: author, Text: text}
}

// fakeFacts answers from maps keyed by Event.ID.
type fakeFacts struct {
	mention, question, unanswered map[string]bool
	sentiment                     map[string]int
	watch                         map[string][]string
	asked                         map[string]int // calls, by method
}

func (f *fakeFacts) count(m string) {
	if f.asked == nil {
		f.asked = map[string]int{}
	}
	f.asked[m]++
}
func (f *fakeFacts) Mention(ev *feeds.Event) bool  { f.count("mention"); return f.mention[ev.ID] }
func (f *fakeFacts) Question(ev *feeds.Event) bool { f.count("question"); return f.question[ev.ID] }
func (f *fakeFacts) Unanswered(ev *feeds.Event) bool {
	f.count("unanswered")
	return f.unanswered[ev.ID]
}
func (f *fakeFacts) Sentiment(ev *feeds.Event) int { f.count("sentiment"); return f.sentiment[ev.ID] }
func (f *fakeFacts) Watched(ev *feeds.Event, dst []string) []string {
	f.count("watch")
	return append(dst, f.watch[ev.ID]...)
}

func TestMatchOperators(t *testing.T) {
	a := msg("alice", "Le boîtier a un Problème, je veux un remboursement", 5)
	b := msg("bob_42", "refunded already? lol https://lumio.example/Refund", 30)
	b.Platform, b.Feed, b.ReplyTo = "irc", "libera", "x1"
	c := msg("carol.bsky.social", "Ça NE MARCHE... PAS depuis la mise à jour #HaloGate", 90)
	c.Platform, c.Feed, c.AuthorName, c.Direct = "bluesky", "bsky", "Carol Ann", true
	d := msg("ana@mastodon.social", "great keynote", 200)
	d.Platform, d.Feed, d.Deleted, d.Warning = "mastodon", "fedi", true, "spoilers about the refund"
	notice := msg("nightowl", "nightowl subscribed", 1)
	notice.Kind = feeds.KindNotice
	del := msg("mod", "", 0)
	del.Kind, del.Target = feeds.KindDelete, a.ID
	evs := []feeds.Event{a, b, c, d, notice, del}
	facts := &fakeFacts{
		mention:    map[string]bool{a.ID: true, c.ID: true},
		question:   map[string]bool{b.ID: true},
		unanswered: map[string]bool{b.ID: true},
		sentiment:  map[string]int{a.ID: -1, c.ID: -1, d.ID: 1},
		watch:      map[string][]string{a.ID: {"remboursement"}, c.ID: {"ne marche pas", "#halogate"}},
	}
	for _, tc := range []struct {
		q    string
		want []string // authors of the events matched
	}{
		{"", []string{"alice", "bob_42", "carol.bsky.social", "ana@mastodon.social", "nightowl"}},
		{"probleme", []string{"alice"}},
		{"PROBLÈME", []string{"alice"}},
		{"boitier", []string{"alice"}},
		{"refund", []string{"ana@mastodon.social"}}, // the warning; not "refunded", not in the link
		{"refund*", []string{"bob_42", "ana@mastodon.social"}},
		{`"ne marche pas"`, []string{"carol.bsky.social"}},
		{`"marche pas depuis"`, []string{"carol.bsky.social"}},
		{`"pas marche"`, nil},
		{"halogate", []string{"carol.bsky.social"}},
		{"#halogate", []string{"carol.bsky.social"}},
		{"lumio.example/refund", []string{"bob_42"}},
		{"from:alice", []string{"alice"}},
		{"from:@ALICE", []string{"alice"}},
		{"from:ali*", []string{"alice"}},
		{"from:carol", []string{"carol.bsky.social"}},
		{`from:"carol ann"`, []string{"carol.bsky.social"}},
		{"from:ana", []string{"ana@mastodon.social"}},
		{"from:ana@mastodon.social", []string{"ana@mastodon.social"}},
		{"from:bob", nil},
		{"on:irc", []string{"bob_42"}},
		{"on:Twitch", []string{"alice", "nightowl"}},
		{"feed:bsky", []string{"carol.bsky.social"}},
		{"is:question", []string{"bob_42"}},
		{"is:unanswered", []string{"bob_42"}},
		{"is:mention", []string{"alice", "carol.bsky.social"}},
		{"is:direct", []string{"carol.bsky.social"}},
		{"is:reply", []string{"bob_42"}},
		{"is:deleted", []string{"ana@mastodon.social"}},
		{"has:link", []string{"bob_42"}},
		{"has:cw", []string{"ana@mastodon.social"}},
		{"watch:remboursement", []string{"alice"}},
		{"watch:#HaloGate", []string{"carol.bsky.social"}},
		{`watch:"ne marche pas"`, []string{"carol.bsky.social"}},
		{"watch:*", []string{"alice", "carol.bsky.social"}},
		{"sentiment:neg", []string{"alice", "carol.bsky.social"}},
		{"sentiment:pos", []string{"ana@mastodon.social"}},
		{"sentiment:neutral", []string{"bob_42", "nightowl"}},
		{"after:10m", []string{"alice", "nightowl"}},
		{"before:10m", []string{"bob_42", "carol.bsky.social", "ana@mastodon.social"}},
		{"after:2h before:10m", []string{"bob_42", "carol.bsky.social"}},
		{"after:21:00", []string{"alice", "bob_42", "nightowl"}}, // at or after
		{"after:21:01", []string{"alice", "nightowl"}},
		{"-on:twitch", []string{"bob_42", "carol.bsky.social", "ana@mastodon.social"}},
		{"-probleme -is:mention", []string{"bob_42", "ana@mastodon.social", "nightowl"}},
		{`-"ne marche pas" sentiment:neg`, []string{"alice"}},
		{"on:irc OR from:alice", []string{"alice", "bob_42"}},
		{"sentiment:neg on:bluesky OR on:irc", []string{"bob_42", "carol.bsky.social"}},
		{"on:irc OR on:twitch -is:deleted probleme", []string{"alice", "bob_42"}},
		{"nosuchword", nil},
	} {
		q, err := Parse(tc.q, paris, now)
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		var got []string
		for i := range evs {
			if q.Match(&evs[i], facts) {
				got = append(got, evs[i].Author)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q matched %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestMatchWithoutFacts(t *testing.T) {
	ev := msg("alice", "c'est quand ?", 1)
	for q, want := range map[string]bool{
		"is:question": false, "-is:question": true, "sentiment:neutral": false,
		"watch:*": false, "-watch:*": true, "is:mention OR from:alice": true,
	} {
		if got := MustParse(q, nil, now).Match(&ev, nil); got != want {
			t.Errorf("%q with nil Facts = %v, want %v", q, got, want)
		}
	}
}

func TestMatchAsksEachFactOnce(t *testing.T) {
	ev := msg("alice", "x", 1)
	f := &fakeFacts{sentiment: map[string]int{ev.ID: -1}}
	q := MustParse("sentiment:pos OR sentiment:neutral OR sentiment:neg is:mention OR is:mention", nil, now)
	if q.Match(&ev, f) {
		t.Fatal("matched")
	}
	if f.asked["sentiment"] != 1 || f.asked["mention"] != 1 {
		t.Errorf("asked %v, want each once", f.asked)
	}
	// Cheap terms decide first: no fact is asked when on: fails.
	f.asked = nil
	MustParse("sentiment:neg on:irc", nil, now).Match(&ev, f)
	if len(f.asked) != 0 {
		t.Errorf("asked %v of an event on:irc ruled out", f.asked)
	}
}

func TestHighlights(t *testing.T) {
	for _, tc := range []struct {
		q, text string
		want    []string
	}{
		{"probleme", "Un PROBLÈME, encore un problème.", []string{"PROBLÈME", "problème"}},
		{`"ne marche pas" marche`, "ça ne marche pas, ça marche pas", []string{"ne marche pas", "marche"}},
		{"refund* -lol", "refunded lol, refund please", []string{"refunded", "refund"}},
		{"from:alice is:question", "anything?", nil},
		{"lumio.example/x", "go to https://LUMIO.example/x now", []string{"LUMIO.example/x"}},
		{"halo OR case", "the Halo case", []string{"Halo", "case"}},
		{`"the halo" halo`, "the Halo case", []string{"the Halo"}},
		{"lumio", "@Lumio's #lumio", []string{"@Lumio", "#lumio"}},
	} {
		q := MustParse(tc.q, nil, now)
		var got []string
		prev := -1
		for _, s := range q.Highlights(tc.text) {
			if s[0] < prev || s[0] >= s[1] || s[1] > len(tc.text) {
				t.Errorf("%q: bad span %v in %v", tc.q, s, q.Highlights(tc.text))
			}
			prev = s[1]
			got = append(got, tc.text[s[0]:s[1]])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q in %q highlights %q, want %q", tc.q, tc.text, got, tc.want)
		}
	}
}

func TestPulseFacts(t *testing.T) {
	m := watch.MustCompile([]string{"@lumio", "refund*", "Brûlant", "ne marche pas"})
	waiting := map[string]bool{"q1": true, "q2": true}
	p := NewPulse(m, 1, func(feed, id string) bool { return feed == "f" && waiting[id] })
	mk := func(id, text string) *feeds.Event {
		return &feeds.Event{Feed: "f", ID: id, Kind: feeds.KindMessage, Text: text}
	}
	q1 := mk("q1", "@Lumio c'est brulant, refund possible ?")
	if !p.Mention(q1) || !p.Question(q1) || !p.Unanswered(q1) {
		t.Error("q1: mention, question, unanswered expected")
	}
	if got := p.Watched(q1, nil); !slices.Equal(got, []string{"brulant", "refund"}) {
		t.Errorf("q1 watched %q", got)
	}
	q2 := mk("q2", "@lumio thanks")
	if p.Unanswered(q2) { // waiting, but asks nothing
		t.Error("q2 unanswered")
	}
	bad := mk("x", "ça ne marche pas, c'est nul")
	if p.Mention(bad) || p.Sentiment(bad) != -1 {
		t.Errorf("bad: mention %v sentiment %d", p.Mention(bad), p.Sentiment(bad))
	}
	brand := mk("y", "this is terrible news, we are sorry?")
	brand.Badges = []string{feeds.BadgeBrand}
	if p.Sentiment(brand) != 0 || p.Question(brand) {
		t.Error("the brand's own message is scored or asked")
	}
	dm := mk("z", "hi")
	dm.Direct = true
	if !p.Mention(dm) {
		t.Error("a direct message is a mention")
	}
	empty := NewPulse(nil, 0, nil)
	if empty.Mention(q1) || empty.Unanswered(q1) || len(empty.Watched(q1, nil)) != 0 {
		t.Error("an empty Pulse knows things")
	}
	q := MustParse("is:unanswered watch:brûlant", nil, now)
	if !q.Match(q1, p) || q.Match(q2, p) {
		t.Error("query with the Pulse")
	}
	if !strings.Contains(Help, "is:unanswered") {
		t.Error("Help lacks is:unanswered")
	}
}
