package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
)

// seedAfter stores old, then the sample after it.
func seedAfter(t *testing.T, h *harness, old []feeds.Event) {
	t.Helper()
	for i := range old {
		old[i].Seq = uint64(i + 1)
	}
	evs := sample()
	for i := range evs {
		evs[i].Seq += uint64(len(old))
	}
	if err := h.db.AppendEvents(append(old, evs...)); err != nil {
		t.Fatal(err)
	}
}

// drive runs cmd and what the model returns for each message it brings,
// until nothing is left (Cmds that do not wait only).
func drive(m *Model, cmd tea.Cmd) {
	for _, msg := range run(cmd) {
		_, next := m.Update(msg)
		drive(m, next)
	}
}

// withHistory is the dashboard over n stored messages older than the
// sample (ids o0…, text(i) their text, one a second an hour back), with a
// window of 12 so that they are in the store only.
func withHistory(t *testing.T, n int, text func(i int) string) *Model {
	t.Helper()
	h := newHarness(t, "")
	old := make([]feeds.Event, n)
	for i := range old {
		old[i] = feeds.Event{Feed: "irc", Platform: "irc", ID: fmt.Sprintf("o%d", i), Kind: feeds.KindMessage,
			Author: "old", Text: text(i), Time: clock.Add(-time.Hour + time.Duration(i)*time.Second)}
	}
	seedAfter(t, h, old)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	svc := h.services()
	svc.Window = 12 // the old ones are only in the store
	m := New(ctx, svc, h.session("local"))
	m.svc.Work = new(sync.WaitGroup)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.Update(m.load()())
	return m
}

func typeKeys(m *Model, s string) {
	for _, r := range s {
		hit(m, string(r))
	}
}

func footer(m *Model) string {
	lines := strings.Split(ansi.Strip(m.screen()), "\n")
	return lines[len(lines)-1]
}

// Results come as the query is typed: the newest hit is selected; a
// query that cannot be read says where; esc drops the search.
func TestSearchAsYouType(t *testing.T) {
	_, m := loaded(t)
	hit(m, "/")
	typeKeys(m, "precommande")
	if ev, _ := m.feed.Selected(); ev.ID != "t6" {
		t.Fatalf("“precommande” selected %+v", ev)
	}
	if f := footer(m); !strings.Contains(f, "1 message here") {
		t.Errorf("footer %q", f)
	}
	for range "precommande" {
		hit(m, "backspace")
	}
	typeKeys(m, "frm:kiki")
	if f := footer(m); !strings.Contains(f, `unknown field "frm:"`) || !strings.Contains(f, "column 1") {
		t.Errorf("a bad field: footer %q", f)
	}
	hit(m, "esc")
	if m.mode != modeNormal || m.search.q != nil {
		t.Errorf("esc: mode %v, search %v", m.mode, m.search.q)
	}
}

// n goes to older hits, and past the window to the store; N to newer.
func TestSearchReachesTheStore(t *testing.T) {
	m := withHistory(t, 50, func(i int) string {
		if i == 3 || i == 7 {
			return "le boîtier chauffe"
		}
		return "filler message"
	})
	hit(m, "/")
	typeKeys(m, "boitier")
	if m.search.count != 0 {
		t.Fatalf("found %d in the window", m.search.count)
	}
	for _, msg := range run(hit(m, "enter")) {
		m.Update(msg)
	}
	ev, _ := m.feed.Selected()
	if ev.ID != "o7" {
		t.Fatalf("enter with nothing here went to %+v, want the newest stored hit", ev)
	}
	if !strings.Contains(ansi.Strip(m.screen()), "le boîtier chauffe") {
		t.Error("the stored hit is not on screen")
	}
	for _, msg := range run(hit(m, "n")) {
		m.Update(msg)
	}
	if ev, _ := m.feed.Selected(); ev.ID != "o3" {
		t.Errorf("n went to %s, want o3", ev.ID)
	}
	for _, msg := range run(hit(m, "n")) {
		m.Update(msg)
	}
	if !strings.Contains(m.status, "No older match") {
		t.Errorf("past the last hit: status %q", m.status)
	}
	hit(m, "N")
	if ev, _ := m.feed.Selected(); ev.ID != "o7" {
		t.Errorf("N went to %s, want o7", ev.ID)
	}
}

// k at the top of the window and g read older events from the store.
func TestHistoryFromTheStore(t *testing.T) {
	m := withHistory(t, 30, func(i int) string { return fmt.Sprintf("old message %d", i) })
	for range 25 {
		drive(m, hit(m, "k"))
	}
	if ev, _ := m.feed.Selected(); !strings.HasPrefix(ev.ID, "o1") || m.feed.Feed().Oldest() > 10 {
		t.Fatalf("k past the window stopped at %s with the oldest at seq %d; want o1x, all stored", ev.ID, m.feed.Feed().Oldest())
	}
	drive(m, hit(m, "g"))
	if ev, _ := m.feed.Selected(); ev.ID != "o0" {
		t.Errorf("g went to %s, want o0 (the oldest stored)", ev.ID)
	}
	hit(m, "G")
	if ev, _ := m.feed.Selected(); ev.ID == "o0" || strings.HasPrefix(ev.ID, "o") {
		t.Errorf("G stayed in history at %s", ev.ID)
	}
}

// Columns and mutes come back in the operator's next session; a filter
// changes what the column shows.
func TestColumnsAreSavedPerOperator(t *testing.T) {
	h, m := loaded(t)
	m.svc.Work = h.work
	run(m.columnCmd("questions: is:question"))
	run(m.muteCmd("irc"))
	if m.feed.Len() != 2 {
		t.Fatalf("%d columns", m.feed.Len())
	}
	v := ansi.Strip(m.screen())
	if !strings.Contains(v, "2 questions (is:question)") {
		t.Fatalf("the column is not named:\n%s", v)
	}
	if strings.Contains(v, "oldtimer") {
		t.Errorf("muted irc still shows:\n%s", v)
	}
	run(m.columnCmd("bad: frm:x"))
	if !strings.Contains(m.status, `unknown field "frm:"`) {
		t.Errorf("a bad column query: status %q", m.status)
	}
	WaitWork(h.work, 5*time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m2 := h.model(ctx)
	m2.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m2.Update(m2.load()())
	if specs := m2.feed.Specs(); len(specs) != 2 || specs[1].Query != "is:question" || m2.feed.Active() != 1 {
		t.Errorf("restored %+v, active %d", specs, m2.feed.Active())
	}
	if len(m2.mutes) != 1 || strings.Contains(ansi.Strip(m2.screen()), "oldtimer") {
		t.Errorf("mutes restored %v", m2.mutes)
	}
	other := New(ctx, h.services(), h.session("bob"))
	other.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	other.Update(other.load()())
	if other.feed.Len() != 1 {
		t.Errorf("bob sees alice's %d columns", other.feed.Len())
	}
}

// As an operator does it: search, keep the search, open a column, quit;
// the column is there in the next session.
func TestSearchAndColumnsAcrossARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tribune.db")
	{
		h := newHarness(t, path)
		h.seed(t)
		ctx, cancel := context.WithCancel(context.Background())
		tm := start(t, h.model(ctx), 160, 48)
		waitFor(t, tm, "précommande")
		tm.Send(press("/"))
		typeText(tm, "android")
		waitFor(t, tm, "2 messages here")
		tm.Send(press("enter"))
		tm.Send(press(":"))
		typeText(tm, "column questions: is:question")
		tm.Send(press("enter"))
		waitFor(t, tm, "2 questions (is:question)")
		tm.Send(press("q"))
		h.stop(t, tm, cancel)
	}
	h := newHarness(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := start(t, h.model(ctx), 160, 48)
	waitFor(t, tm, "2 questions (is:question)")
	tm.Send(press("1"))
	waitFor(t, tm, "· 1 all")
	finalView(t, tm)
}

// k past the oldest message of a column with a query reads the stored
// messages it shows, not a page of others it would then drop.
func TestHistoryOfAColumn(t *testing.T) {
	m := withHistory(t, 600, func(i int) string {
		if i%250 == 0 {
			return "is it waterproof?"
		}
		return "filler message"
	})
	drive(m, m.columnCmd("waterproof"))
	for range 6 {
		drive(m, hit(m, "k"))
	}
	var ids []string
	for _, ev := range m.feed.Feed().Events() {
		ids = append(ids, ev.ID)
	}
	if got := strings.Join(ids, " "); got != "o0 o250 o500" {
		t.Errorf("the column holds %q, want the three stored hits", got)
	}
}

// R in a column with a query marks read what the column shows, not every
// message up to the newest: the others stay unread, in the other columns
// and on disk.
func TestAllReadInAColumnMarksItsOwn(t *testing.T) {
	h, m := loaded(t)
	m.svc.Work = h.work
	stored, err := h.db.Recent(100)
	if err != nil {
		t.Fatal(err)
	}
	fans := 0
	for _, ev := range stored {
		if ev.Feed == "mastodon" {
			fans++
		}
	}
	before := m.feed.Unread()
	if fans == 0 || fans == before {
		t.Fatalf("%d mastodon messages of %d unread: the test needs some, not all", fans, before)
	}
	run(m.columnCmd("fans: on:mastodon"))
	drive(m, hit(m, "R"))
	if got := m.feed.Unread(); got != before-fans {
		t.Errorf("unread %d after R in the column, want %d", got, before-fans)
	}
	WaitWork(h.work, 5*time.Second)
	rs, err := h.db.ReadState("local")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range stored {
		if got, want := rs.IsRead(ev.Seq), ev.Feed == "mastodon"; got != want {
			t.Errorf("%s/%s read on disk %v, want %v", ev.Feed, ev.ID, got, want)
		}
	}
}
