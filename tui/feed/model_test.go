package feed

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/tui/tuitest"
)

func events(from, to int) []feeds.Event {
	var out []feeds.Event
	for i := from; i <= to; i++ {
		out = append(out, feeds.Event{
			Seq: uint64(i), Feed: "twitch", Platform: "twitch", ID: fmt.Sprint("m", i),
			Author: fmt.Sprint("user", i), Text: fmt.Sprint("message ", i),
			Time: time.Date(2026, 11, 23, 20, 0, i%60, 0, time.UTC),
		})
	}
	return out
}

func press(s string) tea.KeyPressMsg { return tuitest.Key(s) }

func newPane(t *testing.T, n int) *Model {
	t.Helper()
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(60, 10)
	m.Add(events(1, n))
	return m
}

func selectedSeq(t *testing.T, m *Model) uint64 {
	t.Helper()
	ev, ok := m.Selected()
	if !ok {
		t.Fatal("nothing selected")
	}
	return ev.Seq
}

func TestFollowsNewestUntilScrolledUp(t *testing.T) {
	m := newPane(t, 20)
	if !m.Following() || selectedSeq(t, m) != 20 {
		t.Fatalf("following=%v sel=%d, want following the newest", m.Following(), selectedSeq(t, m))
	}
	m.Update(press("k"))
	if m.Following() || selectedSeq(t, m) != 19 {
		t.Fatalf("after k: following=%v sel=%d", m.Following(), selectedSeq(t, m))
	}
	m.Add(events(21, 25))
	if selectedSeq(t, m) != 19 || m.NewCount() != 5 {
		t.Errorf("while scrolled up: sel=%d new=%d, want 19 and 5", selectedSeq(t, m), m.NewCount())
	}
	if v := m.View(); !strings.Contains(v, "5 new messages") {
		t.Errorf("view lacks the new-messages bar:\n%s", v)
	}
	m.Update(press("G"))
	if !m.Following() || selectedSeq(t, m) != 25 || m.NewCount() != 0 {
		t.Errorf("after G: following=%v sel=%d new=%d", m.Following(), selectedSeq(t, m), m.NewCount())
	}
}

func TestNavigationKeys(t *testing.T) {
	m := newPane(t, 50)
	m.Update(press("g"))
	if selectedSeq(t, m) != 1 || m.Following() {
		t.Fatalf("g: sel=%d", selectedSeq(t, m))
	}
	m.Update(press("j"))
	m.Update(press("j"))
	if selectedSeq(t, m) != 3 {
		t.Errorf("j j: sel=%d, want 3", selectedSeq(t, m))
	}
	m.Update(press("up"))
	if selectedSeq(t, m) != 2 {
		t.Errorf("up: sel=%d, want 2", selectedSeq(t, m))
	}
	m.Update(press("end"))
	if selectedSeq(t, m) != 50 || !m.Following() {
		t.Errorf("end: sel=%d following=%v", selectedSeq(t, m), m.Following())
	}
	// Moving down onto the newest resumes following.
	m.Update(press("k"))
	m.Update(press("j"))
	if !m.Following() {
		t.Error("j onto the newest did not resume following")
	}
}

func TestSelectionStaysVisible(t *testing.T) {
	m := newPane(t, 50)
	m.Update(press("g"))
	for range 30 {
		m.Update(press("j"))
	}
	v := m.View()
	if !strings.Contains(v, "▌") || !strings.Contains(v, "message 31") {
		t.Errorf("selected row 31 is not on screen:\n%s", v)
	}
	if lines := strings.Split(v, "\n"); len(lines) != 10 {
		t.Errorf("view has %d lines, want the pane height 10", len(lines))
	}
}

// Drawing changes nothing: where the view starts is decided where the
// selection, the size or the events change, not in View.
func TestViewChangesNoState(t *testing.T) {
	m := newPane(t, 50)
	m.Update(press("g"))
	for range 30 {
		m.Update(press("j"))
	}
	m.Add(events(51, 60)) // arrivals while scrolled up
	m.SetSize(80, 6)
	if top := m.visibleTop(m.bodyHeight()); top != m.top {
		t.Errorf("the scroll position is %d before drawing, want %d: it is kept in step where things change", m.top, top)
	}
	before := *m
	first := m.View()
	if m.top != before.top || m.sel != before.sel || m.follow != before.follow || m.newCount != before.newCount {
		t.Errorf("View moved the pane: top %d→%d sel %d→%d", before.top, m.top, before.sel, m.sel)
	}
	if m.View() != first {
		t.Error("two draws of the same state differ")
	}
	if !strings.Contains(first, "message 31") || !strings.Contains(first, "10 new messages") {
		t.Errorf("the selected row or the new-message bar is off screen:\n%s", first)
	}
}

func TestMarkRead(t *testing.T) {
	m := newPane(t, 5)
	if m.Unread() != 5 {
		t.Fatalf("unread %d, want 5", m.Unread())
	}
	m.Update(press("g"))
	cmd := m.Update(press("space"))
	if cmd == nil {
		t.Fatal("space returned no command to persist the mark")
	}
	if mr, ok := cmd().(MarkedRead); !ok || len(mr.Seqs) != 1 || mr.Seqs[0] != 1 {
		t.Errorf("space persisted %+v, want seq 1", cmd())
	}
	if !m.IsRead(1) || m.Unread() != 4 || selectedSeq(t, m) != 2 {
		t.Errorf("after space: read(1)=%v unread=%d sel=%d", m.IsRead(1), m.Unread(), selectedSeq(t, m))
	}
	mr := m.Update(press("R"))().(MarkedRead)
	if mr.Upto != 5 || m.Unread() != 0 {
		t.Errorf("R persisted %+v, unread now %d", mr, m.Unread())
	}
	m.Add(events(6, 7))
	if m.Unread() != 2 {
		t.Errorf("new events after R: unread %d, want 2", m.Unread())
	}
}

func TestUnreadMarkShown(t *testing.T) {
	m := newPane(t, 2)
	m.SetRead(1, nil, 0)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	var row1, row2 string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "message 1"):
			row1 = l
		case strings.Contains(l, "message 2"):
			row2 = l
		}
	}
	if []rune(row1)[1] == '•' || []rune(row2)[1] != '•' {
		t.Errorf("unread mark wrong:\n%q\n%q", row1, row2)
	}
}

func TestWindowIsCapped(t *testing.T) {
	m := New(tuitest.Styles(), 100, time.UTC)
	m.SetSize(60, 10)
	for i := 0; i < 10; i++ {
		m.Add(events(i*50+1, i*50+50))
	}
	if m.Len() > 100 {
		t.Fatalf("window holds %d events, cap is 100", m.Len())
	}
	if _, ok := m.Lookup("twitch", "m1"); ok {
		t.Error("an evicted event is still indexed")
	}
	if _, ok := m.Lookup("twitch", "m500"); !ok {
		t.Error("the newest event is not indexed")
	}
	// The selection (50, the newest when the pane had none) was evicted:
	// it falls to the oldest message kept, never to the newest arrival.
	if got, oldest := selectedSeq(t, m), m.events[0].Seq; got != oldest {
		t.Errorf("sel %d, want the oldest kept, %d", got, oldest)
	}
}

// Arrivals never change which message the keys act on, following or not;
// the view still follows the newest.
func TestArrivalsNeverMoveTheSelection(t *testing.T) {
	m := newPane(t, 20) // following, the newest (20) selected
	m.Add(events(21, 22))
	if !m.Following() || selectedSeq(t, m) != 20 {
		t.Fatalf("after 2 arrivals: following=%v sel=%d, want 20", m.Following(), selectedSeq(t, m))
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "message 22") || !strings.Contains(v, "▌") {
		t.Errorf("the view does not follow, or hides the selection:\n%s", v)
	}
	m.Add(events(23, 60)) // the selection scrolls out of view
	if selectedSeq(t, m) != 20 || !strings.Contains(m.Title(), "selection ↑") {
		t.Errorf("sel %d, title %q: want 20, said to be above", selectedSeq(t, m), m.Title())
	}
	if v := ansi.Strip(m.View()); strings.Contains(v, "▌") || !strings.Contains(v, "message 60") {
		t.Errorf("follow view:\n%s", v)
	}
	// The first key picks the newest row in view and holds the view.
	m.Update(press("k"))
	if selectedSeq(t, m) != 60 || m.Following() {
		t.Errorf("k with the selection out of view: sel %d following %v, want 60 and held", selectedSeq(t, m), m.Following())
	}
	m.Update(press("k"))
	m.Add(events(61, 70))
	if selectedSeq(t, m) != 59 || m.NewCount() != 10 {
		t.Errorf("sel %d new %d, want 59 and 10", selectedSeq(t, m), m.NewCount())
	}
}

// The message being replied to stays marked while it scrolls.
func TestReplyTargetIsMarked(t *testing.T) {
	m := newPane(t, 5)
	m.Update(press("k"))
	m.Update(press("k")) // message 3
	m.SetTarget("twitch", "m3")
	m.Update(press("G"))
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	var marked []string
	for _, l := range lines {
		if strings.HasPrefix(l, "↳") {
			marked = append(marked, l)
		}
	}
	if len(marked) != 1 || !strings.Contains(marked[0], "message 3") {
		t.Errorf("marked rows %q, want message 3's", marked)
	}
	m.SetTarget("", "")
	if strings.Contains(ansi.Strip(m.View()), "↳") {
		t.Error("a mark stayed after the reply closed")
	}
}

func TestLateHistoryMergesInOrder(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(60, 10)
	m.Add(events(11, 12)) // live events arrive before the history load
	m.Add(events(1, 12))  // history, overlapping
	if m.Len() != 12 {
		t.Fatalf("len %d, want 12 (no duplicates)", m.Len())
	}
	for i := 1; i < m.Len(); i++ {
		if m.events[i-1].Seq >= m.events[i].Seq {
			t.Fatalf("events out of order at %d", i)
		}
	}
}

func TestDeletedShownNotRemoved(t *testing.T) {
	m := newPane(t, 3)
	m.Apply([]feeds.Event{{Feed: "twitch", ID: "m2", Deleted: true}})
	if m.Len() != 3 {
		t.Fatalf("a deleted message was removed")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "message 2 [deleted]") {
		t.Errorf("deleted message not marked:\n%s", v)
	}
}

func TestRowsWrapAndFitWidth(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(50, 10)
	long := strings.Repeat("word ", 30)
	m.Add([]feeds.Event{{Seq: 1, Feed: "mastodon", Platform: "mastodon", ID: "x", Author: "alice",
		Badges: []string{feeds.BadgeModerator}, Text: long, Time: time.Unix(0, 0)}})
	lines := strings.Split(m.View(), "\n")
	wrapped := 0
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 50 {
			t.Errorf("line wider than the pane (%d): %q", w, l)
		}
		if strings.Contains(l, "word") {
			wrapped++
		}
	}
	if wrapped < 3 {
		t.Errorf("a long message took %d lines, want it wrapped over several:\n%s", wrapped, strings.Join(lines, "\n"))
	}
	if !strings.Contains(ansi.Strip(lines[0]), "◆alice") {
		t.Errorf("first line lacks the moderator badge and author: %q", lines[0])
	}
}

// The brand's own messages are not unread, and a reply that names its
// parent's author is not given a second mention.
func TestBrandIsReadAndRepliesNameOnce(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(80, 10)
	m.Add([]feeds.Event{
		{Seq: 1, Feed: "twitch", ID: "a", Author: "quentin_fr9", AuthorName: "Quentin_FR9", Text: "le prix ?", Time: time.Unix(0, 0)},
		{Seq: 2, Feed: "twitch", ID: "b", Author: "gab", Text: "@quentin_fr9 oui, en décembre", ReplyTo: "a", Time: time.Unix(0, 0)},
		{Seq: 3, Feed: "twitch", ID: "c", Author: "lumio", Badges: []string{feeds.BadgeBrand}, Text: "Shipping in December!", ReplyTo: "a", Time: time.Unix(0, 0)},
	})
	if m.Unread() != 2 {
		t.Errorf("unread %d, want 2: the brand's own message is read", m.Unread())
	}
	v := ansi.Strip(m.View())
	if strings.Contains(v, "@Quentin_FR9 @quentin_fr9") {
		t.Errorf("the reply names its parent twice:\n%s", v)
	}
	if !strings.Contains(v, "↳ @quentin_fr9 oui") || !strings.Contains(v, "↳ @Quentin_FR9 Shipping") {
		t.Errorf("replies lost their mention:\n%s", v)
	}
}
