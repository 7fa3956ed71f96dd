package pane

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/tuitest"
)

// probe is a pane that records what reaches it.
type probe struct {
	name    string
	got     []tea.Msg
	w, h    int
	focused bool
}

type tagMsg struct{}

func (p *probe) Update(msg tea.Msg) tea.Cmd {
	p.got = append(p.got, msg)
	return func() tea.Msg { return tagMsg{} }
}
func (p *probe) View() string              { return p.name }
func (p *probe) SetSize(w, h int)          { p.w, p.h = w, h }
func (p *probe) Focus() tea.Cmd            { p.focused = true; return nil }
func (p *probe) Blur()                     { p.focused = false }
func (p *probe) Title() string             { return strings.ToUpper(p.name) }
func (p *probe) ShortHelp() []key.Binding  { return nil }
func (p *probe) FullHelp() [][]key.Binding { return nil }

func setup() (*Manager, *probe, *probe, *probe, *probe) {
	pal, _ := themes.Builtin("dark")
	m := NewManager(themes.New(pal))
	main, reply, stats, over := &probe{name: "main"}, &probe{name: "reply"}, &probe{name: "stats"}, &probe{name: "over"}
	m.Add("main", main, Main)
	m.Add("reply", reply, Side)
	m.Add("stats", stats, Side)
	m.Add("over", over, Overlay)
	m.Focus("main")
	return m, main, reply, stats, over
}

// Keys go to the pane with the keyboard; anything else to every pane.
func TestRoutesKeysToFocusAndTheRestToAll(t *testing.T) {
	m, main, reply, stats, over := setup()
	if cmd := m.Update(tuitest.Key("j")); cmd == nil {
		t.Error("the focused pane's Cmd was not returned")
	}
	if len(main.got) != 1 || len(reply.got)+len(stats.got)+len(over.got) != 0 {
		t.Fatalf("a key reached main %d, reply %d, stats %d, overlay %d times", len(main.got), len(reply.got), len(stats.got), len(over.got))
	}
	m.Update(tea.PasteMsg{Content: "x"})
	if len(main.got) != 2 {
		t.Errorf("a paste did not reach the focused pane")
	}
	m.Update(tagMsg{})
	for _, p := range []*probe{main, reply, stats, over} {
		if _, ok := p.got[len(p.got)-1].(tagMsg); !ok {
			t.Errorf("%s did not get a broadcast message", p.name)
		}
	}
	m.Open("over")
	m.Update(tuitest.Key("k"))
	if _, ok := over.got[len(over.got)-1].(tea.KeyPressMsg); !ok || main.focused || !over.focused {
		t.Errorf("with the overlay open, keys go to it alone (main focused %v)", main.focused)
	}
	m.Refocus()
	if m.Overlay() != "" || !main.focused || over.focused {
		t.Errorf("refocus left overlay %q open, main focused %v", m.Overlay(), main.focused)
	}
}

// Tab order is the order panes were added; overlays are not in it.
func TestCycleSkipsOverlays(t *testing.T) {
	m, main, reply, stats, _ := setup()
	var order []ID
	for range 4 {
		m.Cycle(1)
		order = append(order, m.Focused())
	}
	if got := fmtIDs(order); got != "reply stats main reply" {
		t.Errorf("tab order %s", got)
	}
	m.Cycle(-1)
	if m.Focused() != "main" || !main.focused || reply.focused || stats.focused {
		t.Errorf("shift+tab: focused %s", m.Focused())
	}
}

func fmtIDs(ids []ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, " ")
}

// Wide: main at the left three fifths; the first side pane docked at the
// bottom of the column. Narrow: main on top, the docked pane at the left
// of the row under it. Each pane gets its size less the border.
func TestLayout(t *testing.T) {
	m, main, reply, stats, over := setup()
	m.SetSize(160, 47)
	rs := m.Layout()
	want := map[ID]Rect{"main": {0, 0, 96, 47}, "stats": {96, 0, 64, 35}, "reply": {96, 35, 64, 12}, "over": {0, 0, 160, 47}}
	for id, r := range want {
		if rs[id] != r {
			t.Errorf("160x47: %s at %+v, want %+v", id, rs[id], r)
		}
	}
	if main.w != 94 || main.h != 45 || reply.h != 10 || over.w != 158 {
		t.Errorf("inner sizes: main %dx%d reply %dx%d overlay %dx%d", main.w, main.h, reply.w, reply.h, over.w, over.h)
	}
	m.SetSize(80, 23)
	rs = m.Layout()
	want = map[ID]Rect{"main": {0, 0, 80, 14}, "reply": {0, 14, 40, 9}, "stats": {40, 14, 40, 9}}
	for id, r := range want {
		if rs[id] != r {
			t.Errorf("80x23: %s at %+v, want %+v", id, rs[id], r)
		}
	}
	_ = stats
}

// The screen is exactly the size given, every pane framed with its title,
// the focused one with a heavy border.
func TestViewFramesEveryPane(t *testing.T) {
	m, _, _, _, _ := setup()
	m.SetSize(80, 23)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) != 23 {
		t.Fatalf("%d lines, want 23", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
	if !strings.HasPrefix(lines[0], "┏━ MAIN ") || !strings.HasPrefix(lines[14], "╭─ REPLY ") || !strings.Contains(lines[14], "╭─ STATS ") {
		t.Errorf("titles or borders wrong:\n%s", strings.Join(lines, "\n"))
	}
	m.Open("over")
	if v := ansi.Strip(m.View()); !strings.HasPrefix(v, "┏━ OVER ") || strings.Contains(v, "MAIN") {
		t.Errorf("an open overlay covers the panes:\n%s", v)
	}
}
