package feed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// The row cache never shows what a fresh draw would not: after every kind
// of change, a frame drawn from the cache equals one drawn from nothing.
func TestCachedFrameEqualsFreshFrame(t *testing.T) {
	p, _ := themes.Builtin("dark")
	m := New(themes.New(p), 120, time.UTC)
	m.SetSize(70, 12)
	w := watch.MustCompile([]string{"halo", "@lumio"})
	r := rand.New(rand.NewPCG(1, 2))
	next := 1
	add := func(n int) {
		var evs []feeds.Event
		for range n {
			ev := feeds.Event{
				Seq: uint64(next), Feed: []string{"twitch", "irc", "a-long-feed-name"}[r.IntN(3)], Platform: "twitch",
				ID: fmt.Sprint("m", next), Author: fmt.Sprint("user", next%7),
				Text: fmt.Sprintf("message %d about the halo earbuds @lumio %s", next, []string{"", "and a much longer tail that has to wrap over more than one line of the pane"}[r.IntN(2)]),
				Time: time.Date(2026, 11, 23, 20, 0, next%60, 0, time.UTC),
			}
			if next > 3 && r.IntN(4) == 0 {
				ev.ReplyTo = fmt.Sprint("m", next-1-r.IntN(3))
			}
			evs = append(evs, ev)
			next++
		}
		m.Add(evs)
	}
	add(30)
	ops := []struct {
		name string
		do   func()
	}{
		{"add", func() { add(1 + r.IntN(20)) }},
		{"up", func() { m.Update(press("k")) }},
		{"down", func() { m.Update(press("j")) }},
		{"page up", func() { m.Update(press("pgup")) }},
		{"newest", func() { m.Update(press("G")) }},
		{"oldest", func() { m.Update(press("g")) }},
		{"mark read", func() { m.Update(press("space")) }},
		{"all read", func() { m.Update(press("R")) }},
		{"read state", func() { m.SetRead(uint64(r.IntN(next)), map[uint64]bool{uint64(r.IntN(next)): true}, 0) }},
		{"delete", func() {
			m.Apply([]feeds.Event{{Feed: "twitch", ID: fmt.Sprint("m", next-1-r.IntN(10))}, {Feed: "irc", ID: fmt.Sprint("m", next-1-r.IntN(10)), Deleted: true}})
		}},
		{"answered", func() {
			id := fmt.Sprint("m", next-1-r.IntN(10))
			for _, f := range []string{"twitch", "irc", "a-long-feed-name"} {
				m.MarkAnswered(f, id)
			}
		}},
		{"target", func() {
			if ev, ok := m.Selected(); ok && r.IntN(2) == 0 {
				m.SetTarget(ev.Feed, ev.ID)
			} else {
				m.SetTarget("", "")
			}
		}},
		{"resize", func() { m.SetSize(1+r.IntN(110), 1+r.IntN(15)) }},
		{"watch", func() {
			if m.watch == nil {
				m.SetWatch(w)
			} else {
				m.SetWatch(nil)
			}
		}},
	}
	for step := range 2000 {
		op := ops[r.IntN(len(ops))]
		op.do()
		got := m.View()
		rows := m.rows
		m.rows = nil
		want := m.View()
		m.rows = rows
		if m.ExactLines() {
			lines := strings.Split(got, "\n")
			if len(lines) != m.height {
				t.Fatalf("step %d, after %s: %d lines in a pane %d high", step, op.name, len(lines), m.height)
			}
			for i, l := range lines {
				if f := cells.Fit(l, m.width); f != l {
					t.Fatalf("step %d, after %s: line %d is not exact:\n%q\nfitted:\n%q", step, op.name, i, l, f)
				}
			}
		}
		if got != want {
			t.Fatalf("step %d, after %s: the cached frame differs from a fresh one:\ncached:\n%s\nfresh:\n%s", step, op.name, got, want)
		}
	}
}
