package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
// Nothing is queued until the operator answers: y for a delete, enter for
// a ban or a timeout, which ask for an optional reason first.
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
	if kind == feeds.ActTimeout || kind == feeds.ActBan || kind == feeds.ActReport {
		return m.askWhy(a)
	}
	what := outboxview.What(a)
	switch a.Kind {
	case feeds.ActDelete:
		what = fmt.Sprintf("delete @%s's message «%s» on %s", a.TargetAuthor, excerpt(a.TargetText, 40), a.Feed)
	case feeds.ActMute, feeds.ActBlock:
		what = fmt.Sprintf("%s @%s with the brand's account on %s", a.Kind, a.TargetAuthor, a.Feed)
	}
	m.askFirst(capitalize(what)+"?", "Nothing done.", func() tea.Cmd { return m.enqueue(a) })
	return nil
}

// askWhy asks to confirm a ban, a timeout or a report on a line where the operator
// may type why: enter does it, with the reason or without, esc drops it.
// A timeout's lengths stay one key (1-4) until a reason is begun; tab
// picks the length after that.
func (m *Model) askWhy(a feeds.Action) tea.Cmd {
	q := &question{no: "Nothing done.", act: &a, reason: newReasonLine()}
	q.prompt = fmt.Sprintf("Ban @%s on %s?", a.TargetAuthor, a.Feed)
	q.brief = fmt.Sprintf("Ban @%s?", a.TargetAuthor)
	switch a.Kind {
	case feeds.ActReport:
		q.prompt = fmt.Sprintf("Report @%s's message «%s» to %s's moderators?", a.TargetAuthor, excerpt(a.TargetText, 30), a.Feed)
		q.brief = fmt.Sprintf("Report @%s?", a.TargetAuthor)
	case feeds.ActTimeout:
		a.Duration = timeoutFor
		q.prompt = fmt.Sprintf("Timeout @%s on %s?", a.TargetAuthor, a.Feed)
		q.brief = fmt.Sprintf("Timeout @%s?", a.TargetAuthor)
	}
	q.yes = func() tea.Cmd {
		b := *q.act
		b.Reason = outboxview.OneLine(q.reason.Value())
		return m.enqueue(b)
	}
	m.ask, m.mode = q, modeConfirm
	return q.reason.Focus()
}

// newReasonLine is the line a ban or timeout reason is typed on: one line,
// at most what Twitch takes.
func newReasonLine() *textinput.Model {
	ti := textinput.New() // for its editing keys; reasonLine draws it
	ti.CharLimit = maxReason
	return &ti
}

// maxReason bounds a typed reason, in characters: Twitch's limit; the
// connectors cut to their platform's.
const maxReason = 500

// reasonKey takes a key while a ban or a timeout waits: enter does it,
// esc drops it, a length key picks a timeout's length and does it while
// no reason is typed, tab changes the length, anything else types.
func (m *Model) reasonKey(q *question, k tea.KeyPressMsg) tea.Cmd {
	timeout := q.act.Kind == feeds.ActTimeout
	switch {
	case key.Matches(k, m.keys.CloseLine):
		m.ask, m.mode = nil, modeNormal
		m.setStatus(q.no, false)
		return nil
	case key.Matches(k, m.keys.Run):
		m.ask, m.mode = nil, modeNormal
		return q.yes()
	case timeout && key.Matches(k, m.keys.Length):
		q.act.Duration = nextLength(q.act.Duration)
		return nil
	case timeout && q.reason.Value() == "":
		for _, c := range timeoutChoices {
			if k.String() == c.key {
				m.ask, m.mode = nil, modeNormal
				b := *q.act
				b.Duration = c.d
				return m.enqueue(b)
			}
		}
	}
	var cmd tea.Cmd
	*q.reason, cmd = q.reason.Update(k)
	return cmd
}

// nextLength is the timeout length after d among the choices, round.
func nextLength(d time.Duration) time.Duration {
	for i, c := range timeoutChoices {
		if c.d == d {
			return timeoutChoices[(i+1)%len(timeoutChoices)].d
		}
	}
	return timeoutChoices[0].d
}

// reasonHow says how to answer a ban or a timeout, in full and short.
func reasonHow(q *question) (long, brief string) {
	a := q.act
	switch a.Kind {
	case feeds.ActBan:
		return " enter to ban, esc to cancel", " ↵=ban esc=no"
	case feeds.ActReport:
		return " why (optional), enter to report, esc to cancel", " ↵=report esc=no"
	}
	if q.reason.Value() == "" {
		var opts []string
		for _, c := range timeoutChoices {
			opts = append(opts, c.key+"="+short(c.d))
		}
		o := strings.Join(opts, " ")
		return fmt.Sprintf(" %s, enter=%s, esc to cancel", o, short(a.Duration)),
			fmt.Sprintf(" %s ↵=%s esc=no", o, short(a.Duration))
	}
	return fmt.Sprintf(" tab: length %s, enter to time out, esc to cancel", short(a.Duration)),
		fmt.Sprintf(" tab=%s ↵=ok esc=no", short(a.Duration))
}

// short is a duration as the timeout question says it: 1m, 10m, 1h, 24h.
func short(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// question is something destructive waiting for an answer: y, or for a
// ban or a timeout enter, after an optional reason.
type question struct {
	prompt string
	brief  string // the prompt for a narrow footer, when it has one
	no     string // said when the answer is not y
	yes    func() tea.Cmd
	// how says how to answer, short when the footer is narrow; the
	// question is cut first, how never.
	how, short string
	// other are answers besides y, by key: a choice among several, where
	// enter takes yes.
	other map[string]func() tea.Cmd
	// act and reason are a ban's or a timeout's: the action, and the
	// line its reason is typed on.
	act    *feeds.Action
	reason *textinput.Model
}

// askFirst puts a question on the footer; nothing happens until y.
func (m *Model) askFirst(prompt, no string, yes func() tea.Cmd) {
	m.ask = &question{prompt: prompt, no: no, yes: yes,
		how: " y to confirm, any other key to cancel", short: " y: yes, other: no"}
	m.mode = modeConfirm
}

// confirmKey takes the answer to the question: y does it, any other key
// drops it. A question with a reason line takes keys as text.
func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	q := m.ask
	if q != nil && q.reason != nil {
		return m.reasonKey(q, k)
	}
	m.ask, m.mode = nil, modeNormal
	if q != nil && q.other[k.String()] != nil {
		return q.other[k.String()]()
	}
	if q != nil && q.other != nil && k.String() == "enter" {
		return q.yes()
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

// confirmPrompt is the footer while a question waits for an answer. How
// to answer always shows: the question is cut first.
func (m *Model) confirmPrompt() string {
	if m.ask.reason != nil {
		return m.reasonPrompt(m.ask)
	}
	how := m.ask.how
	if cells.Width(m.ask.prompt+how) > m.width {
		how = m.ask.short
	}
	q := cells.Truncate(cells.Safe(m.ask.prompt), max(m.width-cells.Width(how), 1), "…")
	return m.styles.Warn.Render(q + how)
}

// reasonPrompt is the footer of a ban or a timeout: the question, the line
// the reason is typed on, how to answer. How to answer is never cut; on a
// narrow footer the question drops its feed and the line its label, then
// the question is cut, down to a third of the room, then the line.
func (m *Model) reasonPrompt(q *question) string {
	how, brief := reasonHow(q)
	prompt, label, hint := q.prompt, "reason: ", "optional"
	value := []rune(q.reason.Value())
	need := func() int {
		text := max(cells.Width(string(value))+1, cells.Width(hint)) // the cursor's cell too
		return cells.Width(prompt) + 1 + cells.Width(label) + text + cells.Width(how)
	}
	if need() > m.width {
		how = brief
	}
	if need() > m.width {
		prompt, label, hint = q.brief, "", "reason?"
	}
	text := max(cells.Width(string(value))+1, cells.Width(hint))
	room := max(m.width-cells.Width(how), 2)
	qw := min(cells.Width(prompt)+1, max(room-cells.Width(label)-text, room/3))
	fw := room - qw
	label = cells.Truncate(label, max(fw-min(text, 12), 0), "")
	field := m.styles.Muted.Render(label) + m.reasonLine(value, q.reason.Position(), hint, max(fw-cells.Width(label), 1))
	return m.styles.Warn.Render(cells.Truncate(cells.Safe(prompt), max(qw-1, 1), "…")+" ") + field + m.styles.Warn.Render(how)
}

// reasonLine draws the reason typed so far in at most w cells, the cursor
// at pos always in sight; hint while nothing is typed.
func (m *Model) reasonLine(v []rune, pos int, hint string, w int) string {
	cursor := lipgloss.NewStyle().Reverse(true)
	if len(v) == 0 {
		p := cells.Truncate(hint, w, "")
		r, n := utf8.DecodeRuneInString(p)
		return cursor.Render(string(r)) + m.styles.Muted.Render(p[n:])
	}
	width := func(rs []rune) int { return cells.Width(cells.Safe(string(rs))) }
	start := 0
	for start < pos && width(v[start:pos])+1 > w {
		start++
	}
	end := pos
	for end < len(v) && width(v[start:end+1])+1 <= w {
		end++
	}
	under := " "
	if pos < len(v) {
		under = string(v[pos])
	}
	after := ""
	if pos < end {
		after = string(v[pos+1 : end])
	}
	return m.styles.Text.Render(cells.Safe(string(v[start:pos]))) + cursor.Render(cells.Safe(under)) + m.styles.Text.Render(cells.Safe(after))
}

// oneLine folds a text onto one line.

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
