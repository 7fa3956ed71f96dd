package tui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/tuitest"
)

// words is a random run of corpus pieces and plain words.
func words(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range rng.IntN(n) + 1 {
		if i > 0 && rng.IntN(3) == 0 {
			b.WriteString(" ")
		}
		if rng.IntN(2) == 0 {
			b.WriteString(tuitest.Corpus[rng.IntN(len(tuitest.Corpus))])
		} else {
			b.WriteString([]string{"merci", "launch", "Lumio", "@lumio", "le", "prix", "?"}[rng.IntN(7)])
		}
	}
	return b.String()
}

// checkFrame asserts every line of the panes is exactly w cells wide, and
// the footer at most, whether a terminal adds up code points or measures
// grapheme clusters.
func checkFrame(t *testing.T, what string, m *Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.screen(), "\n")
	if len(lines) != h {
		t.Errorf("%s at %dx%d: %d lines", what, w, h, len(lines))
	}
	for i, l := range lines {
		wc, gr := ansi.StringWidthWc(l), ansi.StringWidth(l)
		if i == h-1 && wc == gr && gr <= w {
			continue // the footer line needs no padding
		}
		if wc != w || gr != w {
			t.Errorf("%s at %dx%d, line %d: %d cells per code point, %d per grapheme, want %d:\n%q",
				what, w, h, i, wc, gr, w, ansi.Strip(l))
			return
		}
	}
}

// Text from a platform can never shift the layout: random and corpus text
// (emoji sequences, CJK, combining marks, RTL) in every field a pane
// shows, through every pane and view, at every size.
func TestNoTextShiftsTheLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, size := range []struct{ w, h int }{{40, 10}, {60, 15}, {80, 24}, {120, 36}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			h := newHarness(t, "")
			var evs []feeds.Event
			for i := range 120 {
				feed := []string{"twitch", "mastodon", "bluesky", "irc"}[rng.IntN(4)]
				ev := feeds.Event{Seq: uint64(i + 1), Feed: feed, Platform: feed, ID: fmt.Sprint("e", i),
					Author: words(rng, 2), AuthorName: words(rng, 3), Text: words(rng, 25), Time: clock}
				if rng.IntN(5) == 0 {
					ev.Badges = []string{feeds.BadgeSubscriber, feeds.BadgeVIP}
				}
				if i > 0 && rng.IntN(4) == 0 {
					ev.ReplyTo = fmt.Sprint("e", rng.IntN(i))
				}
				evs = append(evs, ev)
			}
			h.stats.Observe(evs)
			var queued []outbox.Outgoing
			for i := range 6 {
				a := feeds.Action{ID: feeds.NewActionID(clock.Add(time.Duration(i) * time.Second)), Kind: feeds.ActReply, Feed: "twitch",
					Target: "e1", TargetAuthor: words(rng, 2), TargetText: words(rng, 10), Text: words(rng, 10), Operator: "local", Created: clock}
				o := outbox.Outgoing{Action: a, State: []outbox.State{outbox.StateQueued, outbox.StateFailed, outbox.StateSent}[i%3], Err: words(rng, 6), Updated: clock}
				if err := h.db.Enqueue(o); err != nil {
					t.Fatal(err)
				}
				queued = append(queued, o)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m := h.model(ctx)
			m.svc.Work = new(sync.WaitGroup) // the drafts' Cmds are not run here
			m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			m.Update(loadedMsg{events: evs, lastSeq: uint64(len(evs)), outbox: queued})
			var health []hub.Health
			for _, f := range []string{"twitch", "mastodon", "bluesky", "irc"} {
				health = append(health, hub.Health{Feed: f, Platform: f, State: hub.HealthReconnecting, Retry: clock.Add(time.Second),
					LastErr: words(rng, 8), Status: []hub.StatusItem{{Key: words(rng, 1), Value: words(rng, 2)}}})
			}
			m.Update(tickMsg{snap: h.stats.Snapshot(), health: health, at: clock})
			checkFrame(t, "dashboard", m, size.w, size.h)

			for range 40 {
				hit(m, "k")
			}
			checkFrame(t, "scrolled", m, size.w, size.h)
			hit(m, "r")
			for _, k := range tuitest.Type(words(rng, 30)) {
				m.Update(k)
			}
			checkFrame(t, "composer", m, size.w, size.h)
			m.Update(tea.PasteMsg{Content: words(rng, 20)})
			checkFrame(t, "paste", m, size.w, size.h)
			hit(m, "esc")
			m.setStatus("Feed "+words(rng, 3)+" failed: "+words(rng, 12), true)
			checkFrame(t, "status", m, size.w, size.h)
			hit(m, "d")
			checkFrame(t, "confirm", m, size.w, size.h)
			hit(m, "n")
			for _, k := range []string{"o", "?", "A"} {
				cmd := hit(m, k)
				for _, msg := range run(cmd) {
					m.Update(msg)
				}
				checkFrame(t, "view "+k, m, size.w, size.h)
				hit(m, "esc")
			}
			hit(m, "tab")
			hit(m, "tab")
			for range 3 {
				checkFrame(t, "stats in detail", m, size.w, size.h)
				hit(m, "j")
			}
		})
	}
}
