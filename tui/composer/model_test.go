package composer

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/tui/tuitest"
)

func newComposer() *Model {
	m := New(tuitest.Styles())
	m.SetSize(40, 8)
	return m
}

func typeRunes(m *Model, s string, rev int64) (changed bool) {
	for _, r := range s {
		rev++
		_, c := m.Type(tea.KeyPressMsg{Code: r, Text: string(r)}, rev)
		changed = changed || c
	}
	return changed
}

var target = feeds.Action{Kind: feeds.ActReply, Feed: "bluesky", Target: "b1", TargetAuthor: "sam.bsky.social", TargetText: "@lumio does it work with Android?"}

func TestClosedComposerIgnoresKeys(t *testing.T) {
	m := newComposer()
	if typeRunes(m, "abc", 0) {
		t.Error("a closed composer took typing")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "press r to reply") {
		t.Errorf("closed view:\n%s", v)
	}
}

func TestCounterAndReply(t *testing.T) {
	m := newComposer()
	m.Focus()
	m.Open(target, 10, "", 0)
	m.Focus()
	if !typeRunes(m, "  Oui, é ", 0) {
		t.Fatal("typing did not change the text")
	}
	if m.Left() != 4 { // "Oui, é" is 6 runes once trimmed
		t.Errorf("left %d, want 4", m.Left())
	}
	if m.Rev() != 9 {
		t.Errorf("rev %d, want the last change's 9", m.Rev())
	}
	a := m.Reply()
	if a.Text != "Oui, é" || a.Target != "b1" || a.Feed != "bluesky" {
		t.Errorf("reply %+v", a)
	}
	if m.Value() != "  Oui, é " {
		t.Errorf("value %q: the draft keeps what was typed", m.Value())
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"↳ @sam.bsky.social on bluesky", "4 left"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	typeRunes(m, "plus de dix", 100)
	if m.Left() >= 0 || !strings.Contains(ansi.Strip(m.View()), "over the limit of 10") {
		t.Errorf("over the limit not shown (left %d):\n%s", m.Left(), ansi.Strip(m.View()))
	}
}

func TestOpenRestoresDraft(t *testing.T) {
	m := newComposer()
	m.Open(target, 300, "draft text", 42)
	if m.Value() != "draft text" || m.Rev() != 42 || !m.IsOpen() {
		t.Errorf("value %q rev %d open %v", m.Value(), m.Rev(), m.IsOpen())
	}
	m.Close()
	if m.IsOpen() || m.Value() != "" {
		t.Error("close left the composer open or filled")
	}
}
