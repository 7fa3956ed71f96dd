package themes

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// A Span draws what lipgloss draws for a line of text, styles combined.
func TestSpanMatchesRender(t *testing.T) {
	p, _ := Builtin("dark")
	st := New(p)
	for _, s := range []lipgloss.Style{st.Text, st.Author, st.Unread, st.Time.Inherit(st.Selected), st.Brand.Inherit(st.Selected), st.Notice, st.Platform("twitch"), st.Badge("vip")} {
		for _, text := range []string{"Kiki", "trop bien, je précommande ce soir 🎧", "  ", "20:04:28 "} {
			if got, want := SpanOf(s).Render(text), s.Render(text); got != want {
				t.Errorf("span %q, lipgloss %q", got, want)
			}
		}
	}
	if SpanOf(st.Text).Render("") != "" {
		t.Error("an empty run draws escape sequences")
	}
	// Strikethrough: lipgloss styles words and spaces apart, alike.
	got := SpanOf(st.Deleted).Render("spam here")
	if !strings.HasPrefix(got, "\x1b[") || !strings.Contains(got, "spam here") {
		t.Errorf("deleted span %q", got)
	}
}
