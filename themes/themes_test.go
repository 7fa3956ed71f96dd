package themes

import (
	"maps"
	"math"
	"slices"
	"strconv"
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

// Every platform has a colour of its own in every theme, far enough from
// the others to be told apart at a glance.
func TestPlatformsAreToldApart(t *testing.T) {
	rgb := func(hex string) [3]float64 {
		var c [3]float64
		for i := range c {
			v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
			if err != nil {
				t.Fatalf("colour %q: %v", hex, err)
			}
			c[i] = float64(v)
		}
		return c
	}
	for _, name := range Names() {
		p, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		names := slices.Sorted(maps.Keys(p.Platforms))
		for i, a := range names {
			for _, b := range names[i+1:] {
				ca, cb := rgb(p.Platforms[a]), rgb(p.Platforms[b])
				d := math.Sqrt((ca[0]-cb[0])*(ca[0]-cb[0]) + (ca[1]-cb[1])*(ca[1]-cb[1]) + (ca[2]-cb[2])*(ca[2]-cb[2]))
				if d < 60 {
					t.Errorf("%s: %s %s and %s %s are too close (%.0f)", name, a, p.Platforms[a], b, p.Platforms[b], d)
				}
			}
		}
	}
	if _, err := Builtin("colorblind"); err != nil {
		t.Error(err)
	}
}
