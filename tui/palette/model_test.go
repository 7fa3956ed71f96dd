package palette

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/themes"
)

func typeIn(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func TestFilter(t *testing.T) {
	p, _ := themes.Builtin("dark")
	m := New(themes.New(p))
	m.SetSize(60, 8)
	m.Open([]Entry{
		{Name: "show the help", Command: "help", Key: "?"},
		{Name: "hold the whole outbox", Command: "hold", Key: "H"},
		{Name: "feed: reply", Key: "r", Press: "r"},
	})
	if e, _ := m.Selected(); e.Command != "help" {
		t.Fatalf("with nothing typed the first entry is selected, got %+v", e)
	}
	typeIn(m, "hold")
	if e, _ := m.Selected(); e.Command != "hold" {
		t.Fatalf("hold selects %+v", e)
	}
	typeIn(m, " the words of a note")
	if e, _ := m.Selected(); e.Command != "hold" {
		t.Fatalf("arguments changed the match to %+v", e)
	}
	m.Open(m.entries)
	typeIn(m, "rply")
	if e, _ := m.Selected(); e.Press != "r" {
		t.Fatalf("rply selects %+v", e)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if e, _ := m.Selected(); e.Press != "r" {
		t.Errorf("down past the last match moved to %+v", e)
	}
	typeIn(m, "zzz")
	if _, ok := m.Selected(); ok {
		t.Error("zzz still matches")
	}
	if v := m.View(); !strings.Contains(v, "Nothing matches") || strings.Count(v, "\n") != 7 {
		t.Errorf("view:\n%s", v)
	}
}
