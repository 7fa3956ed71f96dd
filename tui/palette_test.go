package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
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
