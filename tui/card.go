package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// cardRecent is how many of an author's newest events their card lists.
const cardRecent = 50

// cardMsg is an author's card read from the store.
type cardMsg struct {
	card store.AuthorCard
	err  error
}

// openCard shows the card of the selected message's author and reads it
// from the store, off the UI's goroutine.
func (m *Model) openCard() tea.Cmd {
	ev, ok := m.feed.Selected()
	if !ok {
		m.setStatus("No message selected: pick one with j/k, then u.", true)
		return nil
	}
	if ev.Author == "" {
		m.setStatus("That message has no author to show.", true)
		return nil
	}
	m.card.Loading(ev.Platform, ev.Author, ev.AuthorName)
	st, ctx := m.svc.Store, m.ctx
	platform, author := ev.Platform, ev.Author
	return tea.Batch(m.panes.Open(paneCard), func() tea.Msg {
		c, err := st.Author(ctx, platform, author, cardRecent)
		return cardMsg{card: c, err: err}
	})
}

// cardKey runs the card's keys: a reply or moderation on the message
// selected there, or on all their recent messages at once (D). It reports
// whether the key was the card's.
func (m *Model) cardKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	ck := m.card.Keys
	switch {
	case key.Matches(k, ck.Close):
		return m.panes.Refocus(), true
	case key.Matches(k, ck.Reply):
		return m.openReply(), true
	case key.Matches(k, ck.Timeout):
		return m.moderate(feeds.ActTimeout), true
	case key.Matches(k, ck.Ban):
		return m.moderate(feeds.ActBan), true
	case key.Matches(k, ck.Delete):
		return m.moderate(feeds.ActDelete), true
	case key.Matches(k, ck.Unban):
		return m.unban(), true
	case key.Matches(k, ck.DeleteAll):
		return m.deleteAll(), true
	case key.Matches(k, ck.Mute):
		return m.moderate(feeds.ActMute), true
	case key.Matches(k, ck.Block):
		return m.moderate(feeds.ActBlock), true
	case key.Matches(k, ck.Report):
		return m.moderate(feeds.ActReport), true
	}
	return nil, false
}

// unban asks to lift a ban on the card's author.
func (m *Model) unban() tea.Cmd {
	ev, _, ok := m.selectedFor(feeds.ActUnban)
	if !ok {
		return nil
	}
	a := m.target(feeds.ActUnban, ev)
	m.askFirst(fmt.Sprintf("Unban @%s on %s?", a.TargetAuthor, a.Feed), "Nothing done.", func() tea.Cmd { return m.enqueue(a) })
	return nil
}

// deleteAll asks once to delete every recent message of the card's author
// that is not deleted yet, on the feeds that can delete, then queues one
// delete each.
func (m *Model) deleteAll() tea.Cmd {
	var acts []feeds.Action
	skipped := 0
	for _, ev := range m.card.Deletable() {
		if ev.HasBadge(feeds.BadgeBrand) {
			continue // the brand's own, which d refuses too
		}
		if info, ok := m.feedInfo[ev.Feed]; !ok || !info.Capabilities.Can(feeds.ActDelete) {
			skipped++
			continue
		}
		acts = append(acts, m.target(feeds.ActDelete, ev))
	}
	_, author := m.card.Author()
	if len(acts) == 0 {
		m.setStatus(fmt.Sprintf("Nothing of @%s's to delete here (%d on feeds that cannot delete).", author, skipped), true)
		return nil
	}
	q := fmt.Sprintf("Delete @%s's %d recent messages?", author, len(acts))
	if skipped > 0 {
		q = fmt.Sprintf("Delete @%s's %d recent messages (%d more are on feeds that cannot delete)?", author, len(acts), skipped)
	}
	m.askFirst(q, "Nothing deleted.", func() tea.Cmd { return m.enqueueDeletes(acts) })
	return nil
}

// enqueueDeletes commits the deletes to the outbox together: all of them
// or, if the store fails, none.
func (m *Model) enqueueDeletes(acts []feeds.Action) tea.Cmd {
	now := m.svc.Now()
	enqueue := m.enqueueAll()
	items := make([]outbox.Outgoing, len(acts))
	for i, a := range acts {
		a.ID, a.Created = feeds.NewActionID(now.Add(time.Duration(i))), now // in order
		items[i] = outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: now}
	}
	return m.persist(func() tea.Msg {
		if err := enqueue(items); err != nil {
			return opDoneMsg{err: fmt.Errorf("queuing %d deletes (none is queued): %w", len(items), err)}
		}
		return opDoneMsg{done: fmt.Sprintf("✓ queued %d deletes (o shows the outbox)", len(items))}
	})
}
