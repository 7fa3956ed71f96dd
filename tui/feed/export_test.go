package feed

// Len is the number of events in the window.
func (m *Model) Len() int { return len(m.events) }
