package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tribune/tribune/feeds"
	outboxq "github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/outbox"
)

// timeoutFor is how long the timeout key silences an author: long enough
// to stop a spammer during a launch, short enough to be a warning.
const timeoutFor = 10 * time.Minute

// moderate asks to confirm a moderation action on the selected message.
// Nothing is queued until the operator presses y.
func (m *Model) moderate(kind feeds.ActionKind) tea.Cmd {
	ev, _, ok := m.selectedFor(kind)
	switch {
	case !ok:
		return nil
	case ev.HasBadge(feeds.BadgeBrand):
		m.setStatus("That is the brand's own message.", true)
		return nil
	}
	a := feeds.Action{
		Kind:         kind,
		Feed:         ev.Feed,
		Channel:      ev.Channel,
		Target:       ev.ID,
		TargetAuthor: ev.Author,
		TargetText:   excerpt(ev.Text, 120),
		Operator:     m.deps.Operator,
	}
	if kind == feeds.ActTimeout {
		a.Duration = timeoutFor
	}
	m.confirm = &a
	m.mode = modeConfirm
	return nil
}

// confirmKey takes the answer to a moderation prompt: y queues it, any
// other key drops it.
func (m *Model) confirmKey(k tea.KeyMsg) tea.Cmd {
	a := m.confirm
	m.confirm = nil
	cmd := m.setFocus(m.focus)
	if a == nil || k.String() != "y" {
		m.setStatus("Nothing done.", false)
		return cmd
	}
	return tea.Batch(cmd, m.enqueue(*a))
}

// enqueue commits a moderation action to the outbox.
func (m *Model) enqueue(a feeds.Action) tea.Cmd {
	now := m.deps.Now()
	a.ID, a.Created = feeds.NewActionID(now), now
	o := outboxq.Outgoing{Action: a, State: outboxq.StateQueued, Updated: now}
	enqueue := m.enqueuer()
	return m.persist(func() tea.Msg {
		if err := enqueue(o); err != nil {
			return opDoneMsg{err: fmt.Errorf("queuing %s: %w", a.Kind, err)}
		}
		return opDoneMsg{done: "✓ queued: " + outbox.What(a) + " (o shows the outbox)", queued: &o}
	})
}

// confirmPrompt is the footer while a moderation action waits for y.
func (m *Model) confirmPrompt() string {
	a := m.confirm
	what := outbox.What(*a)
	if a.Kind == feeds.ActDelete {
		what = fmt.Sprintf("delete @%s's message «%s» on %s", a.TargetAuthor, excerpt(a.TargetText, 40), a.Feed)
	}
	return m.styles.Warn.Render(fmt.Sprintf("%s? y to confirm, any other key to cancel", capitalize(what)))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}
