package tui

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/tui/composer"
	"github.com/tribune/tribune/tui/feed"
	"github.com/tribune/tribune/tui/outboxview"
)

// batchMsg carries what the hub published since the last one and, when it
// brings events, the stats as they stand with them: the stats pane then
// changes in the same frame as the feed, not in one of its own a moment
// later (at a trickle, that second frame was half of what a message cost).
type batchMsg struct {
	b    hub.Batch
	at   time.Time
	snap *stats.Snapshot
}

// tickMsg refreshes the stats pane.
type tickMsg struct {
	snap   stats.Snapshot
	health []hub.Health
	at     time.Time
}

// loadedMsg is the state read from the store at start.
type loadedMsg struct {
	events  []feeds.Event
	lastSeq uint64
	read    store.ReadState
	drafts  []store.Draft // most recent first, as the store returns them
	outbox  []outbox.Outgoing
	prefs   map[string]string // the operator's: their columns
}

// queuedMsg says a reply is committed to the outbox. err reports a
// follow-up failure (the draft could not be cleared) that did not stop it.
type queuedMsg struct {
	o     outbox.Outgoing
	feeds int    // how many feeds a post to every feed went to
	draft string // the draft's key
	err   error
}

// notQueuedMsg says a reply could not be queued (refused, or not stored):
// its text stays in the composer.
type notQueuedMsg struct{ err error }

// errMsg is a failure to show in the footer.
type errMsg struct{ err error }

// historyLoad is how many recent events the feed pane starts with.
const historyLoad = 2000

// WaitWork waits for persistence in flight, at most d. Bubble Tea drops
// the Cmds still queued when it quits, and then their Done never comes
// unless GiveUpDropped counted them; the bound keeps quitting from hanging
// on one it did not. What such a Cmd would have written, Flush writes.
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
// can wait for it before closing the store. Add runs now, in Update; the
// Cmd's Done when it ends, or GiveUpDropped's when it never began.
func (m *Model) persist(fn func() tea.Msg) tea.Cmd {
	work, in := m.svc.Work, &m.inflight
	work.Add(1)
	id := in.add()
	return func() tea.Msg {
		if !in.begin(id) {
			return nil // given up at quit, and counted done then
		}
		defer work.Done()
		return fn()
	}
}

// GiveUpDropped counts as done the writes whose Cmd has not begun: once
// the program has returned, Bubble Tea has dropped them, and one that
// begins late does nothing. WaitWork then waits only for writes under
// way, not its whole bound. Call it after the program has returned,
// before WaitWork and Flush.
func (m *Model) GiveUpDropped() { m.inflight.giveUp(m.svc.Work) }

// inflight is the persistence Cmds of a session that have not begun.
type inflight struct {
	mu      sync.Mutex
	next    uint64
	waiting map[uint64]struct{}
}

func (in *inflight) add() uint64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.waiting == nil {
		in.waiting = make(map[uint64]struct{})
	}
	in.next++
	in.waiting[in.next] = struct{}{}
	return in.next
}

// begin reports whether the Cmd id may run: it was not given up.
func (in *inflight) begin(id uint64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.waiting[id]; !ok {
		return false
	}
	delete(in.waiting, id)
	return true
}

func (in *inflight) giveUp(work *sync.WaitGroup) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for range in.waiting {
		work.Done()
	}
	clear(in.waiting)
}

// Flush writes what the model holds that a dropped Cmd may not have: the
// latest text of every draft, drafts discarded, and read marks. Every write
// is idempotent (drafts are ordered by revision, read marks only grow), so
// it is safe after Cmds that did run. Call it after the program has
// returned, before closing the store.
func (m *Model) Flush() error {
	st, op := m.svc.Store, m.sess.Operator
	var errs []error
	for _, d := range m.drafts {
		if _, err := st.SaveDraft(op, d); err != nil {
			errs = append(errs, fmt.Errorf("saving draft: %w", err))
		}
	}
	for key, rev := range m.discarded {
		if err := st.DeleteDraft(op, key, rev); err != nil {
			errs = append(errs, fmt.Errorf("discarding draft: %w", err))
		}
	}
	// The pane's marks, not the root's: a mark whose Cmd was dropped never
	// reached the root.
	upto, marked := m.feed.ReadMarks()
	if upto > 0 {
		if err := st.MarkAllRead(op, upto); err != nil {
			errs = append(errs, fmt.Errorf("saving read marks: %w", err))
		}
	}
	if len(marked) > 0 {
		if err := st.MarkRead(op, marked...); err != nil {
			errs = append(errs, fmt.Errorf("saving read marks: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (m *Model) load() tea.Cmd {
	st, op := m.svc.Store, m.sess.Operator
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
		if msg.prefs, err = st.Prefs(op); err != nil {
			return errMsg{err}
		}
		return msg
	}
}

// floodPace is how many times BatchEvery batches wait while a flood
// replaces every row of the feed at each one: a frame then shows nothing
// the next does not push out, and drawing the screen (ours, then the
// terminal renderer's diff of every cell of the feed) is most of what a
// flood costs beyond storing it.
const floodPace = 4

// waitBatch waits for the hub to publish, at most once per BatchEvery, so
// a flood reaches the UI as a few large batches rather than many small ones.
func (m *Model) waitBatch(last time.Time) tea.Cmd {
	ctx, sub, every, engine := m.ctx, m.sub, m.svc.BatchEvery, m.svc.Stats
	if n := m.feed.LastAdded(); n > 0 && n >= m.feed.Rows() {
		every *= floodPace
	}
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
		msg := batchMsg{b: sub.Take(), at: time.Now()}
		if engine != nil && len(hub.Items(msg.b, hub.TopicEvents)) > 0 {
			// The hub has the engine observe a batch before it
			// publishes it, so this snapshot counts these events.
			snap := engine.Snapshot()
			msg.snap = &snap
		}
		return msg
	}
}

func (m *Model) tick() tea.Cmd {
	engine, hub, now := m.svc.Stats, m.svc.Hub, m.svc.Now
	return tea.Tick(m.svc.TickEvery, func(time.Time) tea.Msg {
		return tickMsg{snap: engine.Snapshot(), health: hub.Health(), at: now()}
	})
}

func (m *Model) persistRead(mr feed.MarkedRead) tea.Cmd {
	m.feed.MarkRead(mr) // every column, not only the one it was made in
	m.refreshCounts()
	st, op := m.svc.Store, m.sess.Operator
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
	delete(m.discarded, d.Key)
	st, op := m.svc.Store, m.sess.Operator
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
	key, rev := draftKey(a.Feed, a.Target), m.nextRev(m.svc.Now())
	delete(m.drafts, key)
	m.discarded[key] = rev
	m.composer.Close()
	m.setStatus("Draft discarded.", false)
	st, op := m.svc.Store, m.sess.Operator
	return tea.Batch(m.panes.Focus(paneFeed), m.persist(func() tea.Msg {
		if err := st.DeleteDraft(op, key, rev); err != nil {
			return errMsg{fmt.Errorf("discarding draft: %w", err)}
		}
		return nil
	}))
}

// sendTo is where a's text goes: its feed, or for a post to every feed,
// each feed that takes posts, in the order the feeds are listed.
func (m *Model) sendTo(a feeds.Action) []string {
	if a.Feed != composer.AllFeeds {
		return []string{a.Feed}
	}
	var out []string
	for id, fi := range m.feedInfo {
		if fi.Capabilities.Can(feeds.ActPost) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
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
	now := m.svc.Now()
	a.Created = now
	a.Operator = m.sess.Operator
	var items []outbox.Outgoing
	for _, f := range m.sendTo(a) {
		one := a
		one.Feed = f
		one.ID = feeds.NewActionID(now.Add(time.Duration(len(items)))) // in order
		items = append(items, outbox.Outgoing{Action: one, State: outbox.StateQueued, Updated: now})
	}
	if len(items) == 0 {
		m.setStatus("No feed here takes posts.", true)
		return nil
	}
	o := items[0]
	key, rev := draftKey(a.Feed, a.Target), m.nextRev(now)
	m.queuing = true
	m.composer.Status, m.composer.StatusErr = "queuing…", false
	st, op, enqueue := m.svc.Store, m.sess.Operator, m.enqueueAll()
	return m.persist(func() tea.Msg {
		// All the feeds' items or none: a half-queued post sent again would
		// post twice where it went.
		if err := enqueue(items); err != nil {
			return notQueuedMsg{fmt.Errorf("queuing %s (it is still in the composer): %w", a.Kind, err)}
		}

		if err := st.DeleteDraft(op, key, rev); err != nil {
			return queuedMsg{o: o, feeds: len(items), draft: key, err: fmt.Errorf("queued, but the draft was not cleared: %w", err)}
		}
		return queuedMsg{o: o, feeds: len(items), draft: key}
	})
}

// debugDetail is a short description of a message for the --debug log.
func debugDetail(msg tea.Msg) string {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return msg.String()
	case tea.WindowSizeMsg:
		return fmt.Sprintf("%dx%d", msg.Width, msg.Height)
	case batchMsg:
		b := msg.b
		return fmt.Sprintf("events=%d updates=%d outbox=%d dropped=%d", len(hub.Items(b, hub.TopicEvents)),
			len(hub.Items(b, hub.TopicUpdates)), len(hub.Items(b, hub.TopicOutbox)), hub.Dropped(b, hub.TopicEvents))
	case errMsg:
		return msg.err.Error()
	}
	return ""
}

// outboxLoadedMsg carries the newest outbox items for the Outbox view.
type outboxLoadedMsg struct{ items []outbox.Outgoing }

// auditLoadedMsg carries the newest audit entries, oldest first.
type auditLoadedMsg struct{ entries []outbox.AuditEntry }

// opDoneMsg reports an operator's change to the outbox: done says what was
// done, for the footer; hold is set when the change was to the brake.
type opDoneMsg struct {
	done   string
	hold   *outbox.Hold
	queued *outbox.Outgoing // a moderation action, now on disk
	edited string           // the item an edit was for
	err    error
}

// auditShown is how many entries the Audit view loads.
const auditShown = 500

func (m *Model) openOutbox() tea.Cmd {
	m.box.SelectNewest()
	st := m.svc.Store
	return tea.Batch(m.panes.Open(paneOutbox), func() tea.Msg {
		items, err := st.RecentOutbox(outboxview.Keep)
		if err != nil {
			return errMsg{err}
		}
		return outboxLoadedMsg{items}
	})
}

func (m *Model) openAudit() tea.Cmd {
	return tea.Batch(m.panes.Open(paneAudit), m.loadAudit())
}

func (m *Model) loadAudit() tea.Cmd {
	st := m.svc.Store
	return func() tea.Msg {
		es, err := st.RecentAudit(auditShown)
		if err != nil {
			return errMsg{err}
		}
		return auditLoadedMsg{es}
	}
}

// outboxOp runs one of the dispatcher's outbox changes for this operator.
// The change itself reaches every session through the hub.
func (m *Model) outboxOp(done string, fn func(*dispatch.Dispatcher, string) (outbox.Outgoing, error)) tea.Cmd {
	d, op := m.svc.Dispatcher, m.sess.Operator
	if d == nil {
		m.setStatus("Nothing is sent from this session (no dispatcher).", true)
		return nil
	}
	return m.persist(func() tea.Msg {
		if _, err := fn(d, op); err != nil {
			return opDoneMsg{err: err}
		}
		return opDoneMsg{done: done}
	})
}

// toggleHold pulls or releases the brake on the whole outbox.
func (m *Model) toggleHold() tea.Cmd {
	return m.holdOutbox(!m.box.Hold().On)
}

// holdOutbox pulls (on) or releases the brake for this operator.
func (m *Model) holdOutbox(on bool) tea.Cmd {
	d, op := m.svc.Dispatcher, m.sess.Operator
	if d == nil {
		m.setStatus("Nothing is sent from this session (no dispatcher).", true)
		return nil
	}
	return m.persist(func() tea.Msg {
		h, err := d.SetHold(on, op)
		if err != nil {
			return opDoneMsg{err: fmt.Errorf("hold: %w", err)}
		}
		done := "Outbox released: queued items go out at each platform's pace."
		if h.On {
			done = "Outbox HELD: nothing leaves until it is released (H or :release). Queued items stay editable."
		}
		return opDoneMsg{done: done, hold: &h}
	})
}

// enqueuer is how this session commits a new action: through the
// dispatcher, which tells every session and wakes its loop, or straight
// to the store when nothing is sent from here.
func (m *Model) enqueuer() func(outbox.Outgoing) error {
	if d := m.svc.Dispatcher; d != nil {
		return d.Enqueue
	}
	return m.svc.Store.Enqueue
}

// enqueueAll is enqueuer for several actions committed together.
func (m *Model) enqueueAll() func([]outbox.Outgoing) error {
	if d := m.svc.Dispatcher; d != nil {
		return d.EnqueueAll
	}
	return m.svc.Store.EnqueueAll
}

// saveEdit replaces a queued item's text with the composer's. The
// composer keeps the text until the change is committed: if the item left
// meanwhile, the text is still there to copy or send as a new reply.
func (m *Model) saveEdit() tea.Cmd {
	id, text := m.composer.Editing(), m.composer.Value()
	if left := m.composer.Left(); left < 0 {
		m.setStatus(fmt.Sprintf("The text is %d characters over the limit.", -left), true)
		return nil
	}
	d, op := m.svc.Dispatcher, m.sess.Operator
	if d == nil {
		m.setStatus("Nothing is sent from this session (no dispatcher).", true)
		return nil
	}
	what := outboxview.What(m.composer.Reply())
	m.queuing = true
	return m.persist(func() tea.Msg {
		if _, err := d.Edit(id, text, op); err != nil {
			return opDoneMsg{edited: id, err: fmt.Errorf("%w; your text is still in the composer", err)}
		}
		return opDoneMsg{edited: id, done: "Edited " + what}
	})
}

func (m *Model) applyOp(msg opDoneMsg) tea.Cmd {
	if msg.edited != "" {
		m.queuing = false
	}
	if msg.err != nil {
		m.setStatus(msg.err.Error(), true)
		return nil
	}
	var cmd tea.Cmd
	if msg.edited != "" && msg.edited == m.composer.Editing() {
		m.composer.Close()
		cmd = m.panes.Focus(paneFeed) // the edit is done: back to reading
	}
	if msg.queued != nil {
		m.applyOutgoing(*msg.queued)
		m.refreshCounts()
	}
	if msg.hold != nil {
		m.setHold(*msg.hold)
	}
	m.setStatus(msg.done, false)
	return cmd
}
