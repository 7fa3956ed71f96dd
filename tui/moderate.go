package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/cells"
	"github.com/tribune/tribune/tui/outboxview"
)

// timeoutFor is how long the timeout key silences an author unless the
// operator picks another length: long enough to stop a spammer during a
// launch, short enough to be a warning.
const timeoutFor = 10 * time.Minute

// timeoutChoices are the lengths the timeout question offers, by key.
var timeoutChoices = []struct {
	key string
	d   time.Duration
}{{"1", time.Minute}, {"2", 10 * time.Minute}, {"3", time.Hour}, {"4", 24 * time.Hour}}

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
	a := m.target(kind, ev)
	if kind == feeds.ActTimeout {
		return m.askTimeout(a)
	}
	what := outboxview.What(a)
	if a.Kind == feeds.ActDelete {
		what = fmt.Sprintf("delete @%s's message «%s» on %s", a.TargetAuthor, excerpt(a.TargetText, 40), a.Feed)
	}
	m.askFirst(capitalize(what)+"?", "Nothing done.", func() tea.Cmd { return m.enqueue(a) })
	return nil
}

// askTimeout asks how long to silence the author: a number picks a
// length, y or enter takes the usual one.
func (m *Model) askTimeout(a feeds.Action) tea.Cmd {
	var opts []string
	other := make(map[string]func() tea.Cmd)
	for _, c := range timeoutChoices {
		opts = append(opts, c.key+"="+short(c.d))
		other[c.key] = func() tea.Cmd {
			b := a
			b.Duration = c.d
			return m.enqueue(b)
		}
	}
	a.Duration = timeoutFor
	m.askFirst(fmt.Sprintf("Timeout @%s on %s?", a.TargetAuthor, a.Feed),
		"Nothing done.", func() tea.Cmd { return m.enqueue(a) })
	m.ask.other = other
	m.ask.how = fmt.Sprintf(" %s, y or enter=%s, any other key to cancel", strings.Join(opts, " "), short(timeoutFor))
	m.ask.short = fmt.Sprintf(" %s y=%s, other: no", strings.Join(opts, " "), short(timeoutFor))
	return nil
}

// short is a duration as the timeout question says it: 1m, 10m, 1h, 24h.
func short(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// question is something destructive waiting for y (or one of other's keys).
type question struct {
	prompt string
	no     string // said when the answer is not y
	yes    func() tea.Cmd
	other  map[string]func() tea.Cmd
	// how says how to answer, short when the footer is narrow; the
	// question is cut first, how never.
	how, short string
}

// askFirst puts a question on the footer; nothing happens until y.
func (m *Model) askFirst(prompt, no string, yes func() tea.Cmd) {
	m.ask = &question{prompt: prompt, no: no, yes: yes,
		how: " y to confirm, any other key to cancel", short: " y: yes, other: no"}
	m.mode = modeConfirm
}

// confirmKey takes the answer to the question: y does it, any other key
// drops it.
func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	q := m.ask
	m.ask, m.mode = nil, modeNormal
	if q != nil && q.other[k.String()] != nil {
		return q.other[k.String()]()
	}
	if q != nil && q.other != nil && k.String() == "enter" {
		return q.yes() // a choice among several: enter takes the usual one
	}
	if q == nil || !key.Matches(k, m.keys.Confirm) {
		if q != nil {
			m.setStatus(q.no, false)
		}
		return nil
	}
	return q.yes()
}

// enqueue commits a moderation action to the outbox.
func (m *Model) enqueue(a feeds.Action) tea.Cmd {
	now := m.svc.Now()
	a.ID, a.Created = feeds.NewActionID(now), now
	o := outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: now}
	enqueue := m.enqueuer()
	return m.persist(func() tea.Msg {
		if err := enqueue(o); err != nil {
			return opDoneMsg{err: fmt.Errorf("queuing %s: %w", a.Kind, err)}
		}
		return opDoneMsg{done: "✓ queued: " + outboxview.What(a) + " (o shows the outbox)", queued: &o}
	})
}

// confirmPrompt is the footer while a question waits for y. How to answer
// always shows: the question is cut first.
func (m *Model) confirmPrompt() string {
	how := m.ask.how
	if cells.Width(m.ask.prompt+how) > m.width {
		how = m.ask.short
	}
	q := cells.Truncate(cells.Safe(m.ask.prompt), max(m.width-cells.Width(how), 1), "…")
	return m.styles.Warn.Render(q + how)
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
