package tui

import (
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/composer"
)

// Crisis mode: C opens the Crisis view over the dashboard, where an admin
// opens an incident (with the alert that prompted it), holds what speaks
// for the brand, posts holding statements to one feed or all, and notes
// and stars what happens; the incident's timeline is the audit log since
// it opened.

// timelineMsg carries the incident's timeline, oldest first.
type timelineMsg struct{ entries []outbox.AuditEntry }

// openCrisis shows the Crisis view and loads its timeline.
func (m *Model) openCrisis() tea.Cmd {
	return tea.Batch(m.panes.Open(paneCrisis), m.loadTimeline())
}

// loadTimeline reads the incident's timeline: the audit log since it
// opened, or the last entries when none is open.
func (m *Model) loadTimeline() tea.Cmd {
	st, inc := m.svc.Store, m.crisis.Incident()
	return func() tea.Msg {
		var es []outbox.AuditEntry
		var err error
		if inc.Open {
			err = st.Audit(inc.Since.Add(-time.Second), func(e outbox.AuditEntry) error {
				es = append(es, e)
				if len(es) >= 2*auditShown { // keep the newest, bounded
					es = append(es[:0], es[len(es)-auditShown:]...)
				}
				return nil
			})
			es = es[max(len(es)-auditShown, 0):]
		} else {
			es, err = st.RecentAudit(50)
		}
		if err != nil {
			return errMsg{fmt.Errorf("reading the timeline: %w", err)}
		}
		return timelineMsg{es}
	}
}

// crisisKey handles a key over the Crisis view.
func (m *Model) crisisKey(k tea.KeyPressMsg) tea.Cmd {
	c := m.crisis
	open := c.Incident().Open
	switch {
	case key.Matches(k, c.Keys.Close):
		return m.panes.Refocus()
	case !open && key.Matches(k, c.Keys.Open):
		why := ""
		if m.alert != nil {
			why = "alert on " + m.alert.Feed + ": " + m.alert.Text
		}
		m.askFirst("Open an incident (crisis mode)? Everything from now on is its timeline.", "No incident opened.", func() tea.Cmd {
			return m.dispatch("Incident opened: hold, post holding statements, note what happens.", func(d *dispatch.Dispatcher, op string) error {
				_, err := d.OpenIncident(op, why)
				return err
			})
		})
		return nil
	case open && key.Matches(k, c.Keys.Leave):
		m.askFirst("Close the incident? Its timeline stays in the audit log.", "The incident stays open.", func() tea.Cmd {
			return m.dispatch("Incident closed.", func(d *dispatch.Dispatcher, op string) error {
				_, err := d.CloseIncident(op)
				return err
			})
		})
		return nil
	case key.Matches(k, c.Keys.Statement):
		text, ok := c.Statement(k.String())
		if !ok {
			m.setStatus(fmt.Sprintf("There is no statement %s.", k.String()), true)
			return nil
		}
		return m.askWhereToPost(text)
	case key.Matches(k, c.Keys.Post):
		return m.askWhereToPost("")
	case open && key.Matches(k, c.Keys.Note):
		m.mode = modeCommand
		m.cmdline.Reset()
		m.cmdline.SetValue("note ")
		m.cmdline.CursorEnd()
		return m.cmdline.Focus()
	case open && key.Matches(k, c.Keys.Star):
		ev, ok := m.feed.Selected()
		if !ok {
			m.setStatus("Select a message on the feed first.", true)
			return nil
		}
		return m.dispatch("Starred on the timeline: @"+ev.Author+".", func(d *dispatch.Dispatcher, op string) error {
			return d.Star(op, ev)
		})
	case key.Matches(k, c.Keys.HoldReplies):
		h := m.box.Hold()
		next := outbox.Hold{On: true, Replies: true, By: m.sess.Operator}
		done := "Holding replies and posts; moderation still goes out. h again releases them."
		if h.On && h.Replies && len(h.Feeds) == 0 {
			next, done = outbox.Hold{By: m.sess.Operator}, "Outbox released."
		}
		return m.dispatch(done, func(d *dispatch.Dispatcher, _ string) error {
			_, err := d.Hold(next)
			return err
		})
	}
	return m.panes.Update(k) // scroll the timeline
}

// askWhereToPost asks whether text goes to the selected message's feed or
// to every feed that takes posts, then opens the composer on it.
func (m *Model) askWhereToPost(text string) tea.Cmd {
	feed := ""
	if ev, ok := m.feed.Selected(); ok && m.feedInfo[ev.Feed].Capabilities.Can(feeds.ActPost) {
		feed = ev.Feed
	}
	if feed == "" {
		return m.composePost(composer.AllFeeds, text)
	}
	m.ask = &question{
		prompt: "Post on " + feed + " (the selected message's feed) or on every feed?",
		no:     "Nothing posted.",
		yes:    func() tea.Cmd { return m.composePost(feed, text) },
		other: map[string]func() tea.Cmd{
			"f": func() tea.Cmd { return m.composePost(feed, text) },
			"a": func() tea.Cmd { return m.composePost(composer.AllFeeds, text) },
		},
		how: " f/enter: " + feed + " · a: every feed · esc: cancel", short: " f: this feed, a: all",
	}
	m.mode = modeConfirm
	return nil
}

// composePost opens the composer on a new post to feed (or every feed),
// with text to edit before ctrl+s sends it.
func (m *Model) composePost(feed, text string) tea.Cmd {
	if m.composer.Editing() != "" {
		m.setStatus("An outbox item is being edited in the Reply pane: ctrl+s saves it, esc drops the edit.", true)
		return nil
	}
	limit := 0
	for id, fi := range m.feedInfo {
		if (feed == composer.AllFeeds || id == feed) && fi.Capabilities.Can(feeds.ActPost) {
			if l := limitOf(fi); limit == 0 || l < limit {
				limit = l
			}
		}
	}
	if limit == 0 {
		m.setStatus("No feed here takes posts.", true)
		return nil
	}
	a := feeds.Action{Kind: feeds.ActPost, Feed: feed, Operator: m.sess.Operator}
	if ev, ok := m.feed.Selected(); ok && ev.Feed == feed {
		a.Channel = ev.Channel
	}
	if d, ok := m.drafts[draftKey(feed, "")]; ok && text == "" {
		text = d.Action.Text
	}
	m.composer.Open(a, limit, text, 0)
	return m.panes.Focus(paneReply)
}

// note adds text to the incident's timeline.
func (m *Model) note(text string) tea.Cmd {
	if text == "" {
		m.setStatus("note: write the note after the word, e.g. :note press called back", true)
		return nil
	}
	return m.dispatch("Noted on the timeline.", func(d *dispatch.Dispatcher, op string) error { return d.Note(op, text) })
}

// dispatch runs fn on the services for this operator, off the UI loop,
// and says done, or why not.
func (m *Model) dispatch(done string, fn func(*dispatch.Dispatcher, string) error) tea.Cmd {
	d, op := m.svc.Dispatcher, m.sess.Operator
	if d == nil {
		m.setStatus("Nothing is sent from this session (no dispatcher).", true)
		return nil
	}
	return m.persist(func() tea.Msg {
		if err := fn(d, op); err != nil {
			if errors.Is(err, outbox.ErrEmptyText) {
				err = errors.New("the note is empty")
			}
			return opDoneMsg{err: err}
		}
		return opDoneMsg{done: done}
	})
}
