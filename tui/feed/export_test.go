package feed

// Len is the number of events in the window.
func (m *Model) Len() int { return len(m.events) }

// NewCount is the number of events that arrived while not following.
func (m *Model) NewCount() int { return m.newCount }
