package helpview

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/tui/tuitest"
)

func groups() []Group {
	b := func(k, d string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, d)) }
	return []Group{
		{"Feed", []key.Binding{b("j", "down"), b("k", "up"), b("r", "reply")}},
		{"Moderation", []key.Binding{b("b", "ban author"), b("enter", "ban or timeout, with the reason typed, a long description")}},
		{"Empty", nil},
		{"Anywhere", []key.Binding{b("?", "help"), b("q", "quit")}},
	}
}

// Every group shows under its heading, in as many columns as fit, and no
// line is wider than the overlay: a description is cut, never a key.
func TestGroupsUnderHeadingsFitTheWidth(t *testing.T) {
	for w := 12; w <= 160; w++ {
		m := New(Styled(tuitest.Styles()))
		m.SetKeys(groups())
		m.SetSize(w, 100)
		lines := m.lines()
		all := ansi.Strip(strings.Join(lines, "\n"))
		for _, want := range []string{"Feed", "Moderation", "Anywhere", "enter", "b"} {
			if !strings.Contains(all, want) {
				t.Errorf("at %d columns, %q is missing:\n%s", w, want, all)
			}
		}
		if strings.Contains(all, "Empty") {
			t.Errorf("at %d columns, a group with no keys has a heading", w)
		}
		for _, l := range lines {
			if n := ansi.StringWidth(l); n > w {
				t.Errorf("at %d columns, a line is %d wide: %q", w, n, ansi.Strip(l))
			}
		}
	}
	m := New(Styled(tuitest.Styles()))
	m.SetKeys(groups())
	m.SetSize(160, 100)
	if first := ansi.Strip(m.lines()[0]); !strings.HasPrefix(first, "Feed") || !strings.Contains(first, "Anywhere") {
		t.Errorf("at 160 columns the headings are not side by side: %q", first)
	}
}
