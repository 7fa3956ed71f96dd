package stats

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// traffic is d of a feed's messages from start: every 10 seconds n of
// them, bad of which negative.
func traffic(feed string, start time.Time, d time.Duration, n, bad int) []feeds.Event {
	var evs []feeds.Event
	for at := start; at.Before(start.Add(d)); at = at.Add(bucketSpan) {
		for i := range n {
			text := "fine words here"
			if i < bad {
				text = "bad words here"
			}
			evs = append(evs, said(feed, fmt.Sprint(feed, at.UnixNano(), i), fmt.Sprint("u", i), text, at))
		}
	}
	return evs
}

// minuteCounts is what the store's minute counts say of evs.
func minuteCounts(evs []feeds.Event) map[string][]MinuteCount {
	byMinute := make(map[string]map[time.Time]int)
	for _, ev := range evs {
		if byMinute[ev.Feed] == nil {
			byMinute[ev.Feed] = make(map[time.Time]int)
		}
		byMinute[ev.Feed][ev.Time.Truncate(time.Minute)]++
	}
	out := make(map[string][]MinuteCount)
	for feed, ms := range byMinute {
		for m, n := range ms {
			out[feed] = append(out[feed], MinuteCount{Minute: m, N: n})
		}
	}
	return out
}

// restarted is an engine started at c's time over a store that holds
// stored: Seed with its minute counts, SeedAuthors with its last recent
// events, as main does.
func restarted(c *clock, stored []feeds.Event, recent int) *Engine {
	e := pulseEngine(c)
	e.Seed(minuteCounts(stored))
	e.SeedAuthors(stored[max(len(stored)-recent, 0):])
	return e
}

// feed plays evs into e batch by batch (one batch per distinct time, the
// clock at that time), and returns the alerts raised.
func feed(e *Engine, c *clock, evs []feeds.Event) []Alert {
	var got []Alert
	for i := 0; i < len(evs); {
		j := i
		for j < len(evs) && evs[j].Time.Equal(evs[i].Time) {
			j++
		}
		c.Set(evs[i].Time)
		before := len(e.Snapshot().Pulse.Alerts)
		e.Observe(evs[i:j])
		got = append(got, e.Snapshot().Pulse.Alerts[before:]...)
		i = j
	}
	return got
}

// After a restart the detectors start from the stored hour: a spike in
// the first minutes alerts, where an engine starting from nothing is
// still warming up, then takes the spike for its baseline.
func TestRestartKeepsTheBaseline(t *testing.T) {
	start := t0.Add(time.Hour)
	// A calm hour on two feeds, 30 messages a minute, 10 % negative: of
	// "tw" the store's recent events cover the last ten minutes; of "ma"
	// only minute counts are left (its events are older than the 1,800
	// most recent).
	stored := append(traffic("ma", t0, 50*time.Minute, 5, 0), traffic("tw", t0, time.Hour, 5, 1)...)
	spikes := func(at time.Time) []feeds.Event {
		// ×4 on tw, 60 % negative; ×8 on ma, calm in tone.
		evs := append(traffic("tw", at, time.Minute, 20, 12), traffic("ma", at, time.Minute, 40, 0)...)
		sortByTime(evs)
		return evs
	}

	c := newClock(start)
	e := restarted(c, stored, 10*6*5)
	got := feed(e, c, spikes(start))
	reasons := map[string]string{}
	for _, a := range got {
		reasons[a.Feed] = a.Reasons[0]
		if a.At.Sub(start) > time.Minute {
			t.Errorf("alert %s after the restart: %s", a.At.Sub(start), a.Text)
		}
	}
	if reasons["tw"] != "negative" || reasons["ma"] != "volume" || len(got) != 2 {
		t.Errorf("after a restart, the spikes raised %+v; want a negative alert on tw, a volume alert on ma", got)
	}

	// Without the stored hour, the same spikes go unseen: this is what
	// the seed fixes.
	c = newClock(start)
	if got := feed(pulseEngine(c), c, spikes(start)); len(got) != 0 {
		t.Errorf("an engine with no past raised %+v: the test above tells nothing", got)
	}
}

// A restart in the middle of a spike raises nothing the past already
// raised, and the spike does not become the norm: the restarted engine
// alerts as the engine that never stopped.
func TestRestartDoesNotRealert(t *testing.T) {
	start := t0.Add(time.Hour)
	// calm, then the spike (×4 and 60 % negative on tw, ×8 on ma) from
	// at for d.
	spike := func(from, at time.Time, d time.Duration) []feeds.Event {
		evs := append(traffic("tw", from, at.Sub(from), 5, 1), traffic("tw", at, d, 20, 12)...)
		evs = append(evs, traffic("ma", from, at.Sub(from), 5, 0)...)
		evs = append(evs, traffic("ma", at, d, 40, 0)...)
		sortByTime(evs)
		return evs
	}
	// The spike began three minutes before the restart and lasts one
	// more; another comes ten minutes later.
	past := spike(t0, start.Add(-3*time.Minute), 3*time.Minute)
	next := append(spike(start, start, time.Minute), spike(start.Add(time.Minute), start.Add(10*time.Minute), time.Minute)...)

	c := newClock(t0)
	never := pulseEngine(c)
	if got := feed(never, c, past); len(got) != 2 {
		t.Fatalf("the engine that never stopped raised %+v during the spike; want one alert per feed", got)
	}
	want := feed(never, c, next)
	if len(want) != 2 || want[0].At.Sub(start) < 10*time.Minute {
		t.Fatalf("the engine that never stopped raised %+v after the restart time; want one alert per feed for the second spike", want)
	}
	// The store's recent events may cover all of the hour, the spike, or
	// part of it only.
	for _, recent := range []int{len(past), 2000, 500} {
		c := newClock(start)
		e := restarted(c, past, recent)
		got := feed(e, c, next)
		same := len(got) == len(want)
		for i := 0; same && i < len(got); i++ {
			same = got[i].Feed == want[i].Feed && got[i].At.Equal(want[i].At) && got[i].Reasons[0] == want[i].Reasons[0]
		}
		if !same {
			t.Errorf("restarted with %d recent events: raised %+v\nthe engine that never stopped: %+v", recent, got, want)
		}
	}
	// With only minute counts, the negative spike under way is unknown:
	// the restarted engine does not take it for the norm, and still
	// alerts on the next one.
	c = newClock(start)
	e := restarted(c, past, 0)
	got := feed(e, c, next)
	feeds := map[string]bool{}
	for _, a := range got {
		feeds[a.Feed] = true
		if a.At.Sub(start) < 10*time.Minute {
			t.Errorf("restarted from minute counts, alerted %s after: %s", a.At.Sub(start), a.Text)
		}
	}
	if !feeds["tw"] || !feeds["ma"] {
		t.Errorf("restarted from minute counts, the second spike raised %+v; want an alert on both feeds", got)
	}
}

func sortByTime(evs []feeds.Event) {
	slices.SortStableFunc(evs, func(a, b feeds.Event) int { return a.Time.Compare(b.Time) })
}

// After a restart the moderation counts, the answers and the recent
// alerts are what the audit log's last hour says; an alert restored is
// not raised again, neither to OnAlert nor by the spike still under way.
func TestRestartRestoresTheAudit(t *testing.T) {
	start := t0.Add(time.Hour)
	crisis := start.Add(-3 * time.Minute)
	past := append(traffic("tw", t0, crisis.Sub(t0), 5, 1), traffic("tw", crisis, 3*time.Minute, 20, 12)...)
	ask := said("tw", "q1", "ann", "@Lumio is it safe?", crisis.Add(-10*time.Minute))
	past = append(past, ask, said("tw", "q2", "bob", "@Lumio refund?", crisis.Add(-9*time.Minute)))
	sortByTime(past)

	sent := func(kind feeds.ActionKind, target string, at time.Time) outbox.AuditEntry {
		return outbox.AuditEntry{What: outbox.AuditSent, Time: at, Feed: "tw", Kind: kind, Target: target}
	}
	inHour := []outbox.AuditEntry{ // what the engine that never stopped is told of
		sent(feeds.ActDelete, "m1", crisis.Add(-20*time.Minute)),
		sent(feeds.ActReply, "q1", crisis.Add(-8*time.Minute)),
		sent(feeds.ActDelete, "m2", crisis.Add(time.Minute)),
		sent(feeds.ActTimeout, "m3", crisis.Add(time.Minute)),
		sent(feeds.ActBan, "m4", crisis.Add(2*time.Minute)),
		sent(feeds.ActUnban, "m4", crisis.Add(2*time.Minute)),
	}
	c := newClock(t0)
	never := pulseEngine(c)
	raised := feed(never, c, past)
	if len(raised) != 1 {
		t.Fatalf("the engine that never stopped raised %+v; want one alert", raised)
	}
	for _, en := range inHour {
		never.Acted(feeds.Action{Kind: en.Kind, Feed: en.Feed, Target: en.Target}, en.Time)
	}
	c.Set(start)
	want := never.Snapshot().Pulse

	log := []outbox.AuditEntry{
		// Before the hour, or not carried out: not counted.
		{What: outbox.AuditSent, Time: t0.Add(-time.Minute), Feed: "tw", Kind: feeds.ActBan},
		{What: outbox.AuditAlert, Time: t0.Add(-time.Minute), Feed: "tw", Text: "an old alert"},
		{What: outbox.AuditFailed, Time: crisis, Feed: "tw", Kind: feeds.ActBan, Target: "m5"},
		{What: outbox.AuditQueued, Time: crisis, Feed: "tw", Kind: feeds.ActDelete, Target: "m6"},
	}
	log = append(log, inHour...)
	log = append(log, outbox.AuditEntry{What: outbox.AuditAlert, Time: raised[0].At, Feed: "tw", Text: raised[0].Text})
	slices.SortStableFunc(log, func(a, b outbox.AuditEntry) int { return a.Time.Compare(b.Time) })

	for _, recent := range []int{len(past), 500, 0} {
		c := newClock(start)
		e := restarted(c, past, recent)
		var called []Alert
		e.Configure(Config{Brand: []string{"@Lumio"}, Text: words{watch: []string{"refund", "hot"}},
			OnAlert: func(a Alert) { called = append(called, a) }})
		e.SeedAudit(log)
		got := e.Snapshot().Pulse
		if got.Moderation != want.Moderation || got.Moderation != (Moderation{Deleted: 2, Timeouts: 1, Bans: 1, Unbans: 1}) {
			t.Errorf("restarted with %d recent events: moderation %+v, before the restart %+v", recent, got.Moderation, want.Moderation)
		}
		if len(got.Alerts) != 1 || !got.Alerts[0].At.Equal(raised[0].At) || got.Alerts[0].Feed != "tw" || got.Alerts[0].Text != raised[0].Text {
			t.Errorf("restarted with %d recent events: alerts %+v, want the one raised: %+v", recent, got.Alerts, raised)
		}
		if recent == len(past) && (got.Unanswered != want.Unanswered || got.Responses != want.Responses || got.ResponseP50 != want.ResponseP50) {
			t.Errorf("restarted with %d recent events: %d unanswered, %d responses (median %s); before: %d, %d (%s)", recent,
				got.Unanswered, got.Responses, got.ResponseP50, want.Unanswered, want.Responses, want.ResponseP50)
		}
		// The crisis goes on for a minute after the restart: within the
		// cooldown of the alert restored, it raises nothing.
		if more := feed(e, c, traffic("tw", start, time.Minute, 20, 12)); len(more)+len(called) != 0 {
			t.Errorf("restarted with %d recent events: raised %+v again (OnAlert: %+v)", recent, more, called)
		}
	}
}
