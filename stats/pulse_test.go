package stats

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// words is a test Analyzer: "bad…" words are negative, "good…" positive,
// the watch-words are matched as whole lower-case words, and every word
// of four letters or more is a term.
type words struct{ watch []string }

func (w words) Watch() []string { return w.watch }

func (w words) Analyze(text string, a *Analysis) {
	for _, f := range strings.Fields(strings.ToLower(text)) {
		f = strings.Trim(f, "?!.,")
		switch {
		case strings.HasPrefix(f, "bad"):
			a.Sentiment = -1
		case strings.HasPrefix(f, "good") && a.Sentiment == 0:
			a.Sentiment = 1
		}
		if i := slices.Index(w.watch, f); i >= 0 && !slices.Contains(a.Watch, i) {
			a.Watch = append(a.Watch, i)
		}
		if len(f) >= 4 {
			a.AddTerm([]byte(f))
		}
	}
}

func pulseEngine(c *clock) *Engine {
	e := New(c.Now)
	e.Configure(Config{Brand: []string{"@Lumio"}, Text: words{watch: []string{"refund", "hot"}}})
	return e
}

func said(feed, id, author, text string, t time.Time) feeds.Event {
	return feeds.Event{Feed: feed, Platform: "twitch", ID: id, Author: author, Kind: feeds.KindMessage, Time: t, Text: text}
}

func brandReply(feed, id, to string, t time.Time) feeds.Event {
	ev := said(feed, id, "lumio", "thanks!", t)
	ev.ReplyTo = to
	ev.Badges = []string{feeds.BadgeBrand}
	return ev
}

func TestMentionsAndQuestions(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	e.Observe([]feeds.Event{
		said("tw", "1", "ana", "@lumio when does it ship?", t0),                                 // question
		said("tw", "2", "bob", "@LUMIO love it", t0),                                            // mention, no question
		said("tw", "3", "cy", "@lumiofan is this real?", t0),                                    // another account
		said("tw", "4", "dee", "email lumio@example.org?", t0),                                  // not a mention
		said("tw", "5", "eve", "hey @lumio, refund?", t0),                                       // question
		{Feed: "tw", ID: "6", Author: "fay", Direct: true, Text: "is it waterproof?", Time: t0}, // a direct question
	})
	s := e.Snapshot()
	if got := s.Overall.Mentions; got != 4 {
		t.Errorf("mentions = %d, want 4 (1, 2, 5 and the direct 6)", got)
	}
	if s.Pulse.Unanswered != 3 {
		t.Errorf("unanswered = %d, want 3", s.Pulse.Unanswered)
	}
	var ids []string
	for _, q := range s.Pulse.Questions {
		ids = append(ids, q.ID)
	}
	if !slices.Equal(ids, []string{"1", "5", "6"}) {
		t.Errorf("questions %v, want the oldest first: 1 5 6", ids)
	}

	// The brand answers 5 after 30 s (on the platform) and 1 after 90 s
	// (through the outbox); a reply to an unknown id changes nothing.
	c.Advance(90 * time.Second)
	e.Observe([]feeds.Event{brandReply("tw", "b1", "5", t0.Add(30*time.Second)), brandReply("tw", "b2", "zzz", t0)})
	e.Acted(feeds.Action{Feed: "tw", Kind: feeds.ActReply, Target: "1"}, t0.Add(90*time.Second))
	e.Acted(feeds.Action{Feed: "other", Kind: feeds.ActReply, Target: "6"}, t0.Add(90*time.Second)) // other feed
	s = e.Snapshot()
	if s.Pulse.Unanswered != 1 || len(s.Pulse.Questions) != 1 || s.Pulse.Questions[0].ID != "6" {
		t.Errorf("after two answers: unanswered %d, %+v; want only 6", s.Pulse.Unanswered, s.Pulse.Questions)
	}
	if s.Pulse.Responses != 2 || s.Pulse.ResponseP50 != 30*time.Second || s.Pulse.ResponseP90 != 90*time.Second {
		t.Errorf("responses %d, p50 %v, p90 %v; want 2, 30s, 1m30s", s.Pulse.Responses, s.Pulse.ResponseP50, s.Pulse.ResponseP90)
	}

	// An hour on, the last question is forgotten, not counted for ever.
	c.Advance(time.Hour)
	if s := e.Snapshot(); s.Pulse.Unanswered != 0 || len(s.Pulse.Questions) != 0 {
		t.Errorf("an hour later: unanswered %d, %v", s.Pulse.Unanswered, s.Pulse.Questions)
	}
}

func TestResponsePercentiles(t *testing.T) {
	var r responses
	for i := 1; i <= 10; i++ {
		r.add(time.Duration(i) * time.Second)
	}
	if p50, p90, n := r.percentiles(); p50 != 5*time.Second || p90 != 9*time.Second || n != 10 {
		t.Errorf("1..10 s: p50 %v p90 %v n %d; want 5s 9s 10", p50, p90, n)
	}
	// Only the last 1,024 count.
	for range 2000 {
		r.add(time.Minute)
	}
	if p50, p90, n := r.percentiles(); p50 != time.Minute || p90 != time.Minute || n != 1024 {
		t.Errorf("after 2000 of 1 min: %v %v %d", p50, p90, n)
	}
}

func TestPendingStaysBounded(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	for i := range maxPending + 500 {
		e.Observe([]feeds.Event{said("tw", fmt.Sprint(i), "a", "@lumio ok?", t0)})
	}
	s := e.Snapshot()
	if s.Pulse.Unanswered != maxPending {
		t.Errorf("unanswered %d, want the cap %d", s.Pulse.Unanswered, maxPending)
	}
	if s.Pulse.Questions[0].ID != "500" {
		t.Errorf("oldest kept %q, want 500: the first were dropped", s.Pulse.Questions[0].ID)
	}
	// Answering from the middle and the front keeps the count right.
	e.Acted(feeds.Action{Feed: "tw", Kind: feeds.ActReply, Target: "500"}, t0)
	e.Acted(feeds.Action{Feed: "tw", Kind: feeds.ActReply, Target: "1500"}, t0)
	if s := e.Snapshot(); s.Pulse.Unanswered != maxPending-2 || s.Pulse.Questions[0].ID != "501" {
		t.Errorf("after two answers: %d, oldest %q", s.Pulse.Unanswered, s.Pulse.Questions[0].ID)
	}
}

func TestSentimentWatchAndTermsPerMinute(t *testing.T) {
	c := newClock(t0.Add(90 * time.Second))
	e := pulseEngine(c)
	e.Observe([]feeds.Event{
		said("tw", "1", "a", "bad product, refund now", t0),
		said("tw", "2", "b", "good stuff", t0),
		said("tw", "3", "c", "so HOT, refund please", t0.Add(time.Minute)),
		said("tw", "4", "d", "okay", t0.Add(time.Minute)),
	})
	f := e.Snapshot().Overall
	if !slices.Equal(tail(f, 2), []int{2, 2}) {
		t.Fatalf("minutes %v", tail(f, 2))
	}
	if neg, pos, w := f.Negative[58:], f.Positive[58:], f.Watch[58:]; !slices.Equal(neg, []int{1, 0}) ||
		!slices.Equal(pos, []int{1, 0}) || !slices.Equal(w, []int{1, 1}) {
		t.Errorf("negative %v positive %v watch %v; want [1 0] [1 0] [1 1]", neg, pos, w)
	}
	p := e.Snapshot().Pulse
	if want := []Count{{Key: "refund", N: 2}, {Key: "hot", N: 1}}; !slices.Equal(p.Watch, want) {
		t.Errorf("watch %v, want %v", p.Watch, want)
	}
	if len(p.TopTerms) == 0 || p.TopTerms[0] != (Count{Key: "refund", N: 2}) {
		t.Errorf("top terms %v, want refund first", p.TopTerms)
	}
}

func TestTermsAgeOut(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	e.Observe([]feeds.Event{said("tw", "1", "a", "launch launch", t0)})
	c.Advance(6 * time.Minute) // next generation: still counted
	e.Observe([]feeds.Event{said("tw", "2", "a", "price", c.Now())})
	if terms := e.Snapshot().Pulse.TopTerms; len(terms) != 2 || terms[0].Key != "launch" {
		t.Errorf("one generation on: %v, want launch then price", terms)
	}
	c.Advance(5 * time.Minute) // two generations on: launch is gone
	e.Observe([]feeds.Event{said("tw", "3", "a", "price", c.Now())})
	if terms := e.Snapshot().Pulse.TopTerms; len(terms) != 1 || terms[0] != (Count{Key: "price", N: 2}) {
		t.Errorf("two generations on: %v, want price 2", terms)
	}
}

func TestTopAuthors(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	var evs []feeds.Event
	for i := range 20 { // author uN says N+1 messages
		for range i + 1 {
			evs = append(evs, msg("tw", "twitch", fmt.Sprintf("u%d", i), t0))
		}
	}
	evs = append(evs, msg("md", "mastodon", "u19", t0)) // another person overall
	e.Observe(evs)
	top := e.Snapshot().Pulse.TopAuthors
	if len(top) != topN || top[0] != (Count{"twitch", "u19", 20}) || top[topN-1].N != 20-topN+1 {
		t.Errorf("top authors %v", top)
	}
}

func TestModerationCounts(t *testing.T) {
	e := New(nil)
	for _, k := range []feeds.ActionKind{feeds.ActDelete, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban, feeds.ActReply} {
		e.Acted(feeds.Action{Feed: "tw", Kind: k}, t0)
	}
	if m := e.Snapshot().Pulse.Moderation; m != (Moderation{Deleted: 2, Timeouts: 1, Bans: 1, Unbans: 1}) {
		t.Errorf("moderation %+v", m)
	}
}

func TestReplayRestoresThePulse(t *testing.T) {
	c := newClock(t0.Add(10 * time.Minute))
	stored := []feeds.Event{
		said("tw", "1", "a", "@lumio bad news, refund?", t0),
		said("tw", "2", "b", "@lumio is it out?", t0),
		brandReply("tw", "3", "2", t0.Add(time.Minute)),
		said("tw", "4", "c", "@lumio old question?", t0.Add(-2*time.Hour)), // outside the hour
	}
	e := pulseEngine(c)
	e.Seed(map[string][]MinuteCount{"tw": {{Minute: t0, N: 2}, {Minute: t0.Add(time.Minute), N: 1}}})
	e.SeedAuthors(stored)
	s := e.Snapshot()
	if s.Overall.Total != 3 {
		t.Errorf("total %d, want the seeded 3: replay counts no message twice", s.Overall.Total)
	}
	if s.Pulse.Unanswered != 1 || s.Pulse.Questions[0].ID != "1" || s.Pulse.Responses != 1 {
		t.Errorf("unanswered %d %+v responses %d; want question 1 waiting, one answer", s.Pulse.Unanswered, s.Pulse.Questions, s.Pulse.Responses)
	}
	if len(s.Pulse.Watch) != 1 || s.Overall.Negative[49] != 1 || s.Overall.NewAuthors != 3 {
		t.Errorf("watch %v, negative %v, new authors %d", s.Pulse.Watch, s.Overall.Negative[49], s.Overall.NewAuthors)
	}
}

// OnWatch hears, once a batch, how many messages named a watch-word; the
// brand's handle alone is a mention, not a watch-word.
func TestOnWatch(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	var got []int
	e.Configure(Config{Brand: []string{"lumio"}, Text: words{watch: []string{"refund"}}, OnWatch: func(n int) {
		_ = e.Snapshot() // outside the lock
		got = append(got, n)
	}})
	e.Observe([]feeds.Event{said("tw", "1", "a", "@lumio hello", t0)})
	e.Observe([]feeds.Event{said("tw", "2", "a", "refund please", t0), said("tw", "3", "b", "REFUND", t0), said("tw", "4", "c", "ok", t0)})
	if len(got) != 1 || got[0] != 2 {
		t.Errorf("OnWatch got %v, want one call with 2", got)
	}
	e.SeedAuthors([]feeds.Event{said("tw", "5", "a", "refund", t0)}) // a replay rings nothing
	if len(got) != 1 {
		t.Errorf("a replay called OnWatch: %v", got)
	}
}
