package tui

import (
	"fmt"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/tui/feed"
)

// batchMsg carries what the hub published since the last one.
type batchMsg struct {
	b  feeds.Batch
	at time.Time
}

// tickMsg refreshes the stats pane.
type tickMsg struct {
	snap   stats.Snapshot
	health []feeds.Health
	at     time.Time
}

// loadedMsg is the state read from the store at start.
type loadedMsg struct {
	events  []feeds.Event
	lastSeq uint64
	read    store.ReadState
	drafts  []store.Draft // most recent first, as the store returns them
	outbox  []feeds.Outgoing
}

// queuedMsg says a reply is committed to the outbox. err reports a
// follow-up failure (the draft could not be cleared) that did not stop it.
type queuedMsg struct {
	o   feeds.Outgoing
	err error
}

// errMsg is a failure to show in the footer.
type errMsg struct{ err error }

// historyLoad is how many recent events the feed pane starts with.
const historyLoad = 2000

// WaitWork waits for persistence in flight, at most d. Bubble Tea may drop
// a Cmd returned just before it quits, and then its Done never comes; the
// bound keeps quitting from hanging on it (see the issue 2 note).
func WaitWork(work *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { work.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// persist wraps a Cmd that writes to the store so that the program's owner
// can wait for it before closing the store. Add runs now, in Update.
func (m *Model) persist(fn func() tea.Msg) tea.Cmd {
	work := m.deps.Work
	work.Add(1)
	return func() tea.Msg {
		defer work.Done()
		return fn()
	}
}

func (m *Model) load() tea.Cmd {
	st, op := m.deps.Store, m.deps.Operator
	return func() tea.Msg {
		var (
			msg loadedMsg
			err error
		)
		if msg.events, err = st.Recent(historyLoad); err != nil {
			return errMsg{fmt.Errorf("loading history: %w", err)}
		}
		if msg.lastSeq, err = st.LastSeq(); err != nil {
			return errMsg{fmt.Errorf("loading history: %w", err)}
		}
		if msg.read, err = st.ReadState(op); err != nil {
			return errMsg{fmt.Errorf("loading read marks: %w", err)}
		}
		if msg.drafts, err = st.Drafts(op); err != nil {
			return errMsg{fmt.Errorf("loading drafts: %w", err)}
		}
		if msg.outbox, err = st.Pending(); err != nil {
			return errMsg{fmt.Errorf("loading outbox: %w", err)}
		}
		return msg
	}
}

// waitBatch waits for the hub to publish, at most once per BatchEvery, so
// a flood reaches the UI as a few large batches rather than many small ones.
func (m *Model) waitBatch(last time.Time) tea.Cmd {
	ctx, sub, every := m.ctx, m.sub, m.deps.BatchEvery
	return func() tea.Msg {
		select {
		case <-sub.Ready():
		case <-ctx.Done():
			return nil
		}
		if wait := time.Until(last.Add(every)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil
			}
		}
		return batchMsg{b: sub.Take(), at: time.Now()}
	}
}

func (m *Model) tick() tea.Cmd {
	engine, hub, now := m.deps.Stats, m.deps.Hub, m.deps.Now
	return tea.Tick(m.deps.TickEvery, func(time.Time) tea.Msg {
		return tickMsg{snap: engine.Snapshot(), health: hub.Health(), at: now()}
	})
}

func (m *Model) persistRead(mr feed.MarkedRead) tea.Cmd {
	if mr.Upto > 0 {
		m.readUpto = max(m.readUpto, mr.Upto)
		clear(m.readMarks)
	}
	for _, s := range mr.Seqs {
		m.readMarks[s] = true
	}
	m.refreshCounts()
	st, op := m.deps.Store, m.deps.Operator
	return m.persist(func() tea.Msg {
		var err error
		if mr.Upto > 0 {
			err = st.MarkAllRead(op, mr.Upto)
		} else {
			err = st.MarkRead(op, mr.Seqs...)
		}
		if err != nil {
			return errMsg{fmt.Errorf("saving read marks: %w", err)}
		}
		return nil
	})
}

// saveDraft commits the composer's text as this operator's draft.
func (m *Model) saveDraft(now time.Time) tea.Cmd {
	a := m.composer.Reply()
	a.Text = m.composer.Value()
	d := store.Draft{Key: draftKey(a.Feed, a.Target), Action: a, Rev: m.composer.Rev(), Updated: now}
	m.drafts[d.Key] = d
	st, op := m.deps.Store, m.deps.Operator
	return m.persist(func() tea.Msg {
		if _, err := st.SaveDraft(op, d); err != nil {
			return errMsg{fmt.Errorf("saving draft: %w", err)}
		}
		return nil
	})
}

// discard drops the composer's draft.
func (m *Model) discard() tea.Cmd {
	a := m.composer.Reply()
	key, rev := draftKey(a.Feed, a.Target), m.nextRev(m.deps.Now())
	delete(m.drafts, key)
	m.composer.Close()
	m.setStatus("Draft discarded.", false)
	st, op := m.deps.Store, m.deps.Operator
	return tea.Batch(m.setFocus(paneFeed), m.persist(func() tea.Msg {
		if err := st.DeleteDraft(op, key, rev); err != nil {
			return errMsg{fmt.Errorf("discarding draft: %w", err)}
		}
		return nil
	}))
}

// send commits the reply to the outbox; the UI says "queued" only when
// queuedMsg comes back, after the commit.
func (m *Model) send() tea.Cmd {
	a := m.composer.Reply()
	switch left := m.composer.Left(); {
	case a.Text == "":
		m.setStatus("Nothing to send yet.", true)
		return nil
	case left < 0:
		m.setStatus(fmt.Sprintf("The reply is %d characters over %s's limit.", -left, a.Feed), true)
		return nil
	}
	now := m.deps.Now()
	a.ID = feeds.NewActionID(now)
	a.Created = now
	a.Operator = m.deps.Operator
	o := feeds.Outgoing{Action: a, State: feeds.StateQueued, Updated: now}
	key, rev := draftKey(a.Feed, a.Target), m.nextRev(now)
	m.queuing = true
	m.composer.Status, m.composer.StatusErr = "queuing…", false
	st, op, disp := m.deps.Store, m.deps.Operator, m.deps.Dispatcher
	return m.persist(func() tea.Msg {
		if err := st.Enqueue(o); err != nil {
			return errMsg{fmt.Errorf("queuing reply (it is still in the composer): %w", err)}
		}
		if disp != nil {
			disp.Wake()
		}
		if err := st.DeleteDraft(op, key, rev); err != nil {
			return queuedMsg{o: o, err: fmt.Errorf("reply queued, but its draft was not cleared: %w", err)}
		}
		return queuedMsg{o: o}
	})
}

// debugDetail is a short description of a message for the --debug log.
func debugDetail(msg tea.Msg) string {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return msg.String()
	case tea.WindowSizeMsg:
		return fmt.Sprintf("%dx%d", msg.Width, msg.Height)
	case batchMsg:
		return fmt.Sprintf("events=%d updates=%d outbox=%d dropped=%d", len(msg.b.Events), len(msg.b.Updates), len(msg.b.Outbox), msg.b.Dropped)
	case errMsg:
		return msg.err.Error()
	}
	return ""
}
