package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/tuitest"
)

// BenchmarkView draws one frame of a full window while following a flood:
// the cost must depend on the pane's height, not the window's size.
func BenchmarkView(b *testing.B) {
	m := New(tuitest.Styles(), DefaultWindow, time.UTC)
	m.SetSize(94, 44)
	m.Add(events(1, DefaultWindow))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkFrameColour160x48 is the feed pane's frame as the dashboard
// draws it in a 160x48 terminal (the pane is 94x45 inside its border),
// dark theme, focused, colour on.
func BenchmarkFrameColour160x48(b *testing.B) {
	p, _ := themes.Builtin("dark")
	m := New(themes.New(p), DefaultWindow, time.UTC)
	m.SetSize(160*3/5-2, 48-1-2)
	m.Focus()
	m.Add(events(1, DefaultWindow))
	if v := m.View(); !strings.Contains(v, "\x1b[") {
		b.Fatalf("the frame has no colour:\n%q", v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}
