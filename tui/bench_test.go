package tui

import (
	"context"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/feed"
)

// demoEvents is the first n events of the built-in demo flood as main runs
// it with --demo-rate 2000 (seed 1, the four platforms in demoFeeds'
// shares), merged by time, with Seqs, and times ending at clock.
func demoEvents(b *testing.B, n int) []feeds.Event {
	b.Helper()
	const rate = 2000
	share := map[string]float64{"twitch": 0.55, "mastodon": 0.15, "bluesky": 0.2, "irc": 0.1}
	type timed struct {
		at time.Duration
		ev feeds.Event
	}
	// Every platform runs up to the same offset, so the merge interleaves
	// them all the way through; 1.5x leaves room for calm phases.
	until := time.Duration(float64(n) / rate * 1.5 * float64(time.Second))
	var all []timed
	for p, s := range share {
		sc, err := demo.NewScenario(p, 1, rate*s)
		if err != nil {
			b.Fatal(err)
		}
		for {
			at, ev := sc.Next()
			if at > until {
				break
			}
			if ev.Kind != feeds.KindDelete {
				all = append(all, timed{at, ev})
			}
		}
	}
	if len(all) < n {
		b.Fatalf("demo gave %d events, want %d", len(all), n)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })
	all = all[:n]
	last := all[n-1].at
	out := make([]feeds.Event, n)
	for i, t := range all {
		t.ev.Seq = uint64(i + 1)
		t.ev.Time = clock.Add(t.at - last)
		out[i] = t.ev
	}
	return out
}

// BenchmarkRootFrameColour160x48 draws one frame of the whole dashboard at
// 160x48, dark theme, colour on, with a full feed window of demo events,
// every feed connected and the stats pane filled; nothing changes between
// frames (an idle tick).
func BenchmarkRootFrameColour160x48(b *testing.B) {
	m := rootFrameModel(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRootFrameColour160x48NewRows is the same frame during a flood:
// before each frame a batch of 100 new events arrives (2,000 msg/s in
// 50 ms batches) and is applied as a batch is: the feed, then the counts.
func BenchmarkRootFrameColour160x48NewRows(b *testing.B) {
	m := rootFrameModel(b)
	const perFrame, frames = 100, 200
	tmpl := demoEvents(b, perFrame*frames)
	seq := uint64(feed.DefaultWindow)
	pool := make([]feeds.Event, len(tmpl))
	refill := func() {
		for i, ev := range tmpl {
			seq++
			ev.Seq, ev.ID = seq, ev.ID+"-"+strconv.FormatUint(seq, 10)
			pool[i] = ev
		}
	}
	refill()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == frames {
			b.StopTimer()
			refill()
			i = 0
			b.StartTimer()
		}
		m.feed.Add(pool[i*perFrame : (i+1)*perFrame])
		m.refreshCounts()
		_ = m.View()
		i++
	}
}

// rootFrameModel is the dashboard the frame benchmarks draw.
func rootFrameModel(b *testing.B) *Model {
	db, err := store.Open(filepath.Join(b.TempDir(), "tribune.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	h := hub.New(hub.Options{Store: db})
	platforms := []string{"twitch", "mastodon", "bluesky", "irc"}
	for _, p := range platforms {
		if err := h.Add(p, idle{platform: p, max: 500, mod: p == "twitch"}); err != nil {
			b.Fatal(err)
		}
	}
	evs := demoEvents(b, feed.DefaultWindow)
	now := evs[0].Time
	engine := stats.New(func() time.Time { return now })
	for i := 0; i < len(evs); { // counts per second of event time
		j := i
		for j < len(evs) && evs[j].Time.Truncate(time.Second).Equal(evs[i].Time.Truncate(time.Second)) {
			j++
		}
		now = evs[i].Time
		engine.Observe(evs[i:j])
		i = j
	}
	now = clock

	p, _ := themes.Builtin("dark")
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	m := New(ctx, Services{Hub: h, Store: db, Stats: engine, Now: func() time.Time { return clock }, TickEvery: time.Hour},
		Session{Operator: "local", Location: time.UTC, Theme: p})
	var health []hub.Health
	for _, p := range platforms {
		health = append(health, hub.Health{Feed: p, Platform: p, State: hub.HealthConnected})
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.Update(loadedMsg{events: evs, lastSeq: evs[len(evs)-1].Seq})
	m.Update(tickMsg{snap: engine.Snapshot(), health: health, at: clock})

	v := m.View().Content
	if n := strings.Count(v, "\n") + 1; n != 48 || !strings.Contains(v, "\x1b[") || !strings.Contains(v, "live") {
		b.Fatalf("unexpected frame (%d lines):\n%s", n, v)
	}
	return m
}

// BenchmarkTerminalFrame160x48OneRow is what one message costs on an idle
// dashboard: it arrives, the dashboard draws its frame, and the terminal
// renderer Bubble Tea uses parses that frame into cells, diffs it with the
// last one and writes the change (here to io.Discard).
func BenchmarkTerminalFrame160x48OneRow(b *testing.B) {
	m := rootFrameModel(b)
	tmpl := demoEvents(b, 1000)
	seq := uint64(feed.DefaultWindow)
	buf := uv.NewScreenBuffer(160, 48)
	scr := uv.NewTerminalRenderer(io.Discard, []string{"TERM=xterm-256color"})
	scr.SetFullscreen(true)
	scr.Resize(160, 48)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ev := tmpl[i%len(tmpl)]
		seq++
		ev.Seq, ev.ID = seq, ev.ID+"-"+strconv.FormatUint(seq, 10)
		m.feed.Add([]feeds.Event{ev})
		m.refreshCounts()
		buf.Clear()
		uv.NewStyledString(m.View().Content).Draw(buf, buf.Bounds())
		scr.Render(buf.RenderBuffer)
		_ = scr.Flush()
		i++
	}
}
