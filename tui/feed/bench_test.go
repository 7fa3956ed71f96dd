package feed

import (
	"testing"
	"time"
)

// BenchmarkView draws one frame of a full window while following a flood:
// the cost must depend on the pane's height, not the window's size.
func BenchmarkView(b *testing.B) {
	m := New(testStyles(), DefaultWindow, time.UTC)
	m.SetSize(94, 44)
	m.Add(events(1, DefaultWindow))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}
