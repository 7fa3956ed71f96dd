package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/tui/composer"
)

// Every key a binding names that the palette offers is pressed as that
// key: what the palette runs is what the key does.
func TestPaletteKeysAreTheBindingsKeys(t *testing.T) {
	_, m := loaded(t)
	es := m.paletteEntries()
	if len(es) < 30 {
		t.Fatalf("the palette lists %d entries", len(es))
	}
	keys := 0
	for _, e := range es {
		if e.Press == "" {
			continue
		}
		keys++
		p, ok := keyPress(e.Press)
		if !ok || p.String() != e.Press {
			t.Errorf("%q: pressed as %q (%v)", e.Press, p.String(), ok)
		}
	}
	for _, s := range []string{"r", "A", "ctrl+o", "shift+tab", "enter", "esc", "pgdown", "?", ":"} {
		if p, ok := keyPress(s); !ok || p.String() != s {
			t.Errorf("keyPress(%q) = %q, %v", s, p.String(), ok)
		}
	}
	if _, ok := keyPress("hyper+x"); ok {
		t.Error("an unknown modifier made a key")
	}
	if keys < 20 {
		t.Errorf("only %d keys offered", keys)
	}
}

// A command found by part of its name runs; one that takes an argument
// waits for it on the command line; a key runs where the palette was
// opened; "note TEXT" typed in full runs at once.
func TestPaletteRuns(t *testing.T) {
	_, m := loaded(t)
	hit(m, "ctrl+p")
	for _, k := range []string{"a", "u", "d"} {
		hit(m, k)
	}
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "▸ A") || !strings.Contains(v, "audit log") {
		t.Fatalf("the palette does not offer the audit log first:\n%s", v)
	}
	hit(m, "enter")
	if m.panes.Overlay() != paneAudit {
		t.Fatalf("audit from the palette: overlay %q", m.panes.Overlay())
	}

	hit(m, ":") // over the audit log
	for _, k := range []string{"n", "o", "t", "e"} {
		hit(m, k)
	}
	hit(m, "enter")
	if m.mode != modeCommand || m.cmdline.Value() != "note " {
		t.Fatalf("note from the palette: mode %v, line %q", m.mode, m.cmdline.Value())
	}
	hit(m, "esc")
	hit(m, "esc")

	hit(m, ":")
	for _, k := range []string{"o", "u", "t", "b", "o", "x", " "} {
		hit(m, k)
	}
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "outbox") {
		t.Fatalf("typing a command's arguments lost its match:\n%s", v)
	}
	hit(m, "esc")

	hit(m, ":")
	for _, k := range []string{"n", "e", "x", "t", " ", "p", "a", "n", "e"} {
		hit(m, k)
	}
	if e, ok := m.palette.Selected(); !ok || e.Press != "tab" {
		t.Fatalf("“next pane” selects %+v", e)
	}
	hit(m, "enter")
	if m.panes.Overlay() != "" || m.panes.Focused() == paneFeed {
		t.Errorf("tab from the palette: overlay %q, focus %q", m.panes.Overlay(), m.panes.Focused())
	}
}

// A command that takes no argument is not run by typing it with one:
// "quit now" in the palette looks for commands, it does not quit.
func TestPaletteDoesNotQuitOnAWordMore(t *testing.T) {
	_, m := loaded(t)
	hit(m, ":")
	typeKeys(m, "quit now")
	for _, msg := range run(hit(m, "enter")) {
		if msg == (tea.QuitMsg{}) {
			t.Fatal("“quit now” quit")
		}
	}
}

// Drafts are not forgotten behind the one on screen: the closed Reply
// pane counts them, the palette lists them, the newest first, and picking
// one opens the composer on it, its text as it was left.
func TestPaletteOpensDrafts(t *testing.T) {
	_, m := loaded(t)
	hit(m, "r") // the newest message
	first := m.composer.Reply()
	typeKeys(m, "first draft")
	hit(m, "esc")
	for m.panes.Focused() != paneFeed {
		hit(m, "tab")
	}
	hit(m, "k")
	hit(m, "r")
	second := m.composer.Reply()
	if second.Target == first.Target {
		t.Fatal("k did not move to another message")
	}
	typeKeys(m, "second draft")
	hit(m, "esc")
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "2 drafts kept") {
		t.Fatalf("the Reply pane does not count the drafts:\n%s", v)
	}
	hit(m, "ctrl+p") // drafts come first, before the commands
	v := ansi.Strip(m.screen())
	i, j, c := strings.Index(v, "second draft"), strings.Index(v, "first draft"), strings.Index(v, ":audit")
	if i < 0 || j < 0 || c < 0 || i > j || j > c {
		t.Fatalf("the palette does not list both drafts first, the newest first:\n%s", v)
	}
	hit(m, "down") // the older one
	hit(m, "enter")
	if a := m.composer.Reply(); !m.composer.IsOpen() || a.Target != first.Target || m.composer.Value() != "first draft" || m.panes.Focused() != paneReply {
		t.Fatalf("picked the first draft: open %v, target %q, text %q, focus %q", m.composer.IsOpen(), a.Target, m.composer.Value(), m.panes.Focused())
	}
	typeKeys(m, ", go on")
	drive(m, hit(m, "ctrl+s"))
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "1 draft kept") {
		t.Errorf("after sending one, the Reply pane says:\n%s", v)
	}
}

// A post's draft, to every feed, opens as a post, with the smallest limit
// of the feeds that take posts.
func TestPaletteOpensAPostDraft(t *testing.T) {
	_, m := loaded(t)
	key := draftKey(composer.AllFeeds, "")
	m.drafts[key] = store.Draft{Key: key, Rev: 3, Updated: clock,
		Action: feeds.Action{Kind: feeds.ActPost, Feed: composer.AllFeeds, Text: "Nous regardons", Operator: "local"}}
	hit(m, "ctrl+p")
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "draft: post on every feed  Nous regardons") {
		t.Fatalf("the palette does not offer the post's draft:\n%s", v)
	}
	hit(m, "enter")
	a := m.composer.Reply()
	if a.Kind != feeds.ActPost || a.Feed != composer.AllFeeds || m.composer.Value() != "Nous regardons" {
		t.Fatalf("opened %+v with %q", a, m.composer.Value())
	}
	if left := m.composer.Left(); left != 300-len("Nous regardons") {
		t.Errorf("%d left: the limit is not the smallest of the feeds that post (bluesky's 300)", left)
	}
}
