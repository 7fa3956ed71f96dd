package stats

// Waiting reports whether the message id of feed is a question to the
// brand (a mention that asks something) the team has not answered yet, as
// the pulse counts them: it forgets a question after an hour, or when
// more than 2,000 wait. The search's is:unanswered asks it.
func (e *Engine) Waiting(feed, id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.pending.byKey[pendingKey{feed, id}]
	return ok && e.pending.at(i).Asks
}
