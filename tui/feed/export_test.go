package feed

// Len is the number of events in the window.
func (m *Model) Len() int { return len(m.events) }

// Following reports whether the view sticks to the newest event.
func (m *Model) Following() bool { return m.follow }

// NewCount is the number of events that arrived while not following.
func (m *Model) NewCount() int { return m.newCount }
