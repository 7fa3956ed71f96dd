// Package tui is tribune's terminal interface: a root model that owns the
// layout, focus and modes, over one model per pane (feed, composer, stats).
// Async work enters only as messages; persistence runs in Cmds, never in
// Update.
package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	outboxq "github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/composer"
	"github.com/tribune/tribune/tui/feed"
	"github.com/tribune/tribune/tui/outbox"
	"github.com/tribune/tribune/tui/statspane"
)

// Deps is what one dashboard (one terminal, one SSH session) runs on.
type Deps struct {
	Hub        *hub.Hub
	Store      *store.DB
	Stats      *stats.Engine
	Dispatcher *dispatch.Dispatcher // nil: nothing is sent
	Styles     *themes.Styles
	// Operator names whose drafts and read marks these are.
	Operator string
	// Work counts persistence in flight; wait on it before closing Store.
	Work *sync.WaitGroup
	// Window caps the events the feed pane keeps in memory.
	Window int
	// Debug, when set, receives one line per message the root model gets.
	Debug io.Writer
	Now   func() time.Time
	// BatchEvery is the least time between two deliveries of events to
	// the UI; zero means 50ms.
	BatchEvery time.Duration
	// TickEvery is how often the stats refresh; zero means 1s.
	TickEvery time.Duration
}

type pane int

const (
	paneFeed pane = iota
	paneReply
	paneStats
	paneCount
)

// mode gates keys: in modeCompose every printable key is typed.
type mode int

const (
	modeNormal mode = iota
	modeCompose
	modeHelp
	modeOutbox  // the Outbox view over the panes
	modeAudit   // the Audit view over the panes
	modeCommand // typing a command on the footer line
	modeConfirm // a moderation action waits for y
)

// Model is the root model.
type Model struct {
	ctx    context.Context
	deps   Deps
	styles *themes.Styles
	keys   keyMap
	help   help.Model

	feed     *feed.Model
	composer *composer.Model
	stats    *statspane.Model
	box      *outbox.Model
	audit    *outbox.AuditView
	cmdline  textinput.Model

	focus pane
	mode  mode

	width, height int
	status        string
	statusErr     bool

	sub       *hub.Subscription
	feedInfo  map[string]hub.FeedInfo
	drafts    map[string]store.Draft
	discarded map[string]int64 // draft key -> the rev of its deletion
	outbox    map[string]outboxq.Outgoing
	lastSeq   uint64
	readUpto  uint64
	readMarks map[uint64]bool
	queuing   bool // a send is being committed; typing waits
	hold      outboxq.Hold
	// editing is the outbox item the composer is editing, if any: sending
	// then replaces its text instead of queuing a new reply.
	editing string
	// confirm is the moderation action waiting for y, in modeConfirm.
	confirm *feeds.Action
	// pending collects Cmds that applying a batch asks for.
	pending []tea.Cmd
}

// New returns the dashboard for one operator. It subscribes to the hub at
// once, so nothing published from now on is missed; ctx ends the
// subscription.
func New(ctx context.Context, d Deps) *Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Work == nil {
		d.Work = new(sync.WaitGroup)
	}
	if d.BatchEvery <= 0 {
		d.BatchEvery = 50 * time.Millisecond
	}
	if d.TickEvery <= 0 {
		d.TickEvery = time.Second
	}
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: d.Styles.HelpKey, ShortDesc: d.Styles.HelpDesc, ShortSeparator: d.Styles.HelpSep,
		FullKey: d.Styles.HelpKey, FullDesc: d.Styles.HelpDesc, FullSeparator: d.Styles.HelpSep,
		Ellipsis: d.Styles.HelpSep,
	}
	m := &Model{
		ctx:       ctx,
		deps:      d,
		styles:    d.Styles,
		keys:      defaultKeyMap(),
		help:      h,
		feed:      feed.New(d.Styles, d.Window),
		composer:  composer.New(d.Styles),
		stats:     statspane.New(d.Styles),
		box:       outbox.New(d.Styles),
		audit:     outbox.NewAudit(d.Styles),
		cmdline:   newCmdline(d.Styles),
		sub:       d.Hub.Subscribe(ctx),
		feedInfo:  make(map[string]hub.FeedInfo),
		drafts:    make(map[string]store.Draft),
		discarded: make(map[string]int64),
		outbox:    make(map[string]outboxq.Outgoing),
		readMarks: make(map[uint64]bool),
	}
	for _, fi := range d.Hub.Feeds() {
		m.feedInfo[fi.ID] = fi
	}
	m.setFocus(paneFeed)
	return m
}

// Init loads history and state from the store and starts the streams.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(), m.waitBatch(time.Time{}), m.tick())
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.deps.Debug != nil {
		fmt.Fprintf(m.deps.Debug, "%s %T %s\n", m.deps.Now().Format("15:04:05.000"), msg, debugDetail(msg))
	}
	defer m.updateKeys()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
	case tea.KeyMsg:
		return m, m.handleKeys(msg)
	case batchMsg:
		m.applyBatch(msg.b)
		cmds := append(m.pending, m.waitBatch(msg.at))
		m.pending = nil
		return m, tea.Batch(cmds...)
	case tickMsg:
		m.stats.SetSnapshot(msg.snap)
		m.stats.SetHealth(msg.health, msg.at)
		return m, m.tick()
	case loadedMsg:
		m.applyLoaded(msg)
	case feed.MarkedRead:
		return m, m.persistRead(msg)
	case queuedMsg:
		m.applyQueued(msg)
	case outboxLoadedMsg:
		m.box.SetItems(msg.items)
	case auditLoadedMsg:
		m.audit.SetEntries(msg.entries)
	case opDoneMsg:
		return m, m.applyOp(msg)
	case errMsg:
		m.queuing = false
		m.setStatus(msg.err.Error(), true)
	}
	return m, nil
}

// handleKeys handles a key message, which may carry several letters: the
// terminal delivers keys typed (or sent by tmux) in quick succession as one
// message. Outside text entry each letter is a command of its own, and a
// letter may switch modes ("r" opens the composer, the rest is typed), so
// they are handled one by one. A paste stays whole.
func (m *Model) handleKeys(k tea.KeyMsg) tea.Cmd {
	if k.Type != tea.KeyRunes || len(k.Runes) < 2 || k.Paste {
		return m.handleKey(k)
	}
	var cmds []tea.Cmd
	for i, r := range k.Runes {
		if m.mode == modeCompose || m.mode == modeCommand {
			rest := k
			rest.Runes = k.Runes[i:]
			return tea.Batch(append(cmds, m.handleKey(rest))...)
		}
		cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(k tea.KeyMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQuit) {
		return tea.Quit
	}
	m.status, m.statusErr = "", false
	if key.Matches(k, m.keys.OutboxAnywhere) && m.mode != modeCommand && m.mode != modeConfirm {
		return m.openOutbox()
	}
	switch m.mode {
	case modeHelp:
		if key.Matches(k, m.keys.Help, m.keys.Quit) || k.Type == tea.KeyEsc {
			m.mode = modeNormal
		}
		return nil
	case modeCompose:
		return m.composeKey(k)
	case modeOutbox:
		return m.outboxKey(k)
	case modeAudit:
		if key.Matches(k, m.keys.Audit, m.keys.Quit) || k.Type == tea.KeyEsc {
			return m.setFocus(m.focus)
		}
		return m.audit.Update(k)
	case modeCommand:
		return m.commandKey(k)
	case modeConfirm:
		return m.confirmKey(k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.mode = modeHelp
		return nil
	case key.Matches(k, m.keys.Next):
		return m.setFocus((m.focus + 1) % paneCount)
	case key.Matches(k, m.keys.Prev):
		return m.setFocus((m.focus + paneCount - 1) % paneCount)
	case key.Matches(k, m.keys.Reply):
		return m.openReply()
	case key.Matches(k, m.keys.Outbox):
		return m.openOutbox()
	case key.Matches(k, m.keys.Audit):
		return m.openAudit()
	case key.Matches(k, m.keys.Hold):
		return m.toggleHold()
	case key.Matches(k, m.keys.Delete):
		return m.moderate(feeds.ActDelete)
	case key.Matches(k, m.keys.Timeout):
		return m.moderate(feeds.ActTimeout)
	case key.Matches(k, m.keys.Ban):
		return m.moderate(feeds.ActBan)
	case key.Matches(k, m.keys.Command):
		m.mode = modeCommand
		m.cmdline.Reset()
		return m.cmdline.Focus()
	case m.focus == paneFeed:
		return m.feed.Update(k)
	}
	return nil
}

// outboxKey handles a key in the Outbox view.
func (m *Model) outboxKey(k tea.KeyMsg) tea.Cmd {
	bk := m.box.Keys
	o, selected := m.box.Selected()
	switch {
	case key.Matches(k, bk.Close):
		return m.setFocus(m.focus)
	case key.Matches(k, bk.Hold):
		return m.toggleHold()
	case !selected:
		return m.box.Update(k)
	case key.Matches(k, bk.Edit):
		return m.editQueued(o)
	case key.Matches(k, bk.Cancel):
		return m.outboxOp("Cancelled "+outbox.What(o.Action), func(d *dispatch.Dispatcher, by string) (outboxq.Outgoing, error) {
			return d.Cancel(o.Action.ID, by)
		})
	case key.Matches(k, bk.Resend):
		return m.outboxOp("Queued again: "+outbox.What(o.Action), func(d *dispatch.Dispatcher, by string) (outboxq.Outgoing, error) {
			return d.Resend(o.Action.ID, by)
		})
	}
	return m.box.Update(k)
}

// editQueued opens the composer on a queued item's text.
func (m *Model) editQueued(o outboxq.Outgoing) tea.Cmd {
	m.editing = o.Action.ID
	m.composer.Open(o.Action, limitOf(m.feedInfo[o.Action.Feed]), o.Action.Text, 0)
	m.composer.Status = "Editing a queued item: ctrl+s saves the new text, esc leaves it as it was."
	return m.setFocus(paneReply)
}

// composeKey handles a key while the composer has the keyboard.
func (m *Model) composeKey(k tea.KeyMsg) tea.Cmd {
	ck := m.composer.Keys
	switch {
	case m.queuing:
		return nil
	case m.editing != "" && key.Matches(k, ck.Send):
		return m.saveEdit()
	case m.editing != "" && key.Matches(k, ck.Cancel, ck.Discard):
		m.editing = ""
		m.composer.Close()
		m.setStatus("Edit dropped; the item keeps its text.", false)
		return m.openOutbox()
	case key.Matches(k, ck.Send):
		return m.send()
	case key.Matches(k, ck.Cancel):
		m.composer.Close()
		m.setStatus("Draft kept; press r on the message to resume.", false)
		return m.setFocus(paneFeed)
	case key.Matches(k, ck.Discard):
		return m.discard()
	case key.Matches(k, m.keys.Next):
		return m.setFocus((m.focus + 1) % paneCount)
	case key.Matches(k, m.keys.Prev):
		return m.setFocus((m.focus + paneCount - 1) % paneCount)
	}
	now := m.deps.Now()
	cmd, changed := m.composer.Update(k, m.nextRev(now))
	if !changed || m.editing != "" {
		return cmd // an edit's text is in the outbox until it is saved
	}
	return tea.Batch(cmd, m.saveDraft(now))
}

// setFocus moves the keyboard to pane p and sets the mode that goes with it.
func (m *Model) setFocus(p pane) tea.Cmd {
	m.focus = p
	m.mode = modeNormal
	if p == paneReply && m.composer.IsOpen() {
		m.mode = modeCompose
	}
	m.feed.SetFocused(p == paneFeed)
	return m.composer.SetFocused(p == paneReply)
}

// updateKeys enables the keys that apply in the current mode and focus.
func (m *Model) updateKeys() {
	// The help overlay lists what the keys do once it is closed.
	typing := m.mode == modeCompose || m.mode == modeCommand
	_, selected := m.feed.Selected()
	m.keys.Reply.SetEnabled(!typing && m.focus == paneFeed && selected)
	for _, b := range []*key.Binding{&m.keys.Delete, &m.keys.Timeout, &m.keys.Ban} {
		b.SetEnabled(!typing && m.focus == paneFeed && selected)
	}
	m.keys.Quit.SetEnabled(!typing)
	m.keys.Help.SetEnabled(!typing)
	for _, b := range []*key.Binding{&m.keys.Outbox, &m.keys.Audit, &m.keys.Hold, &m.keys.Command} {
		b.SetEnabled(!typing)
	}
	if m.hold.On {
		m.keys.Hold.SetHelp("H", "release outbox")
	} else {
		m.keys.Hold.SetHelp("H", "hold outbox")
	}
}

func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
}

// selectedFor returns the selected message when its feed can do kind, and
// otherwise says why not on the footer.
func (m *Model) selectedFor(kind feeds.ActionKind) (feeds.Event, hub.FeedInfo, bool) {
	ev, ok := m.feed.Selected()
	if !ok {
		return ev, hub.FeedInfo{}, false
	}
	info, known := m.feedInfo[ev.Feed]
	switch {
	case !known:
		m.setStatus(fmt.Sprintf("Feed %q is not configured in this session.", ev.Feed), true)
		return ev, info, false
	case !info.Capabilities.Can(kind):
		m.setStatus(fmt.Sprintf("Feed %q cannot %s (not offered by the platform, or not with these credentials).", ev.Feed, kind), true)
		return ev, info, false
	}
	return ev, info, true
}

// openReply opens the composer on the selected message, with its draft.
func (m *Model) openReply() tea.Cmd {
	if m.editing != "" {
		m.setStatus("An outbox item is being edited in the Reply pane: ctrl+s saves it, esc drops the edit.", true)
		return nil
	}
	ev, info, ok := m.selectedFor(feeds.ActReply)
	switch {
	case !ok:
		return nil
	case ev.Kind == feeds.KindNotice:
		m.setStatus("That is a platform notice; pick a message to reply to.", true)
		return nil
	}
	target := feeds.Action{
		Kind:         feeds.ActReply,
		Feed:         ev.Feed,
		Channel:      ev.Channel,
		Target:       ev.ID,
		TargetAuthor: ev.Author,
		TargetText:   excerpt(ev.Text, 120),
		Operator:     m.deps.Operator,
	}
	text, rev := "", int64(0)
	if d, ok := m.drafts[draftKey(ev.Feed, ev.ID)]; ok {
		text, rev = d.Action.Text, d.Rev
	}
	m.composer.Open(target, limitOf(info), text, rev)
	return m.setFocus(paneReply)
}

func limitOf(fi hub.FeedInfo) int {
	if fi.Capabilities.MaxText > 0 {
		return fi.Capabilities.MaxText
	}
	return 500
}

func draftKey(feed, target string) string { return feed + "\x00" + target }

// nextRev is the revision for the composer's next change: the clock, but
// strictly after the last one even when the clock stands still or steps
// back, so the store keeps the newest text.
func (m *Model) nextRev(now time.Time) int64 {
	return max(m.composer.Rev()+1, now.UnixNano())
}

// excerpt is the first words of a text, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (m *Model) applyBatch(b hub.Batch) {
	events, updates := hub.Items(b, hub.TopicEvents), hub.Items(b, hub.TopicUpdates)
	changed := hub.Items(b, hub.TopicOutbox)
	m.feed.Add(events)
	m.feed.Apply(updates)
	if n := len(events); n > 0 && events[n-1].Seq > m.lastSeq {
		m.lastSeq = events[n-1].Seq
	}
	for _, o := range changed {
		m.applyOutgoing(o)
	}
	if health, ok := hub.Last(b, hub.TopicHealth); ok {
		m.stats.SetHealth(health, m.deps.Now())
	}
	hold, holdChanged := hub.Last(b, hub.TopicHold)
	if holdChanged {
		m.hold = hold
		m.stats.SetHold(m.hold)
		m.box.SetHold(m.hold)
	}
	if m.mode == modeAudit && (len(changed) > 0 || holdChanged) {
		m.pending = append(m.pending, m.loadAudit())
	}
	errText, _ := hub.Last(b, hub.TopicErrors)
	dropped := hub.Dropped(b, hub.TopicEvents)
	switch {
	case errText != "":
		m.setStatus(errText, true)
	case dropped > 0:
		m.setStatus(fmt.Sprintf("The screen fell behind: %d messages were skipped here (they are stored).", dropped), true)
	}
	m.refreshCounts()
}

func (m *Model) applyOutgoing(o outboxq.Outgoing) {
	m.box.Apply(o)
	if o.State.Done() {
		delete(m.outbox, o.Action.ID)
	} else {
		m.outbox[o.Action.ID] = o
	}
	if o.Action.Operator != m.deps.Operator || m.composer.IsOpen() && m.composer.Status == "" && m.mode == modeCompose {
		return
	}
	who := "@" + o.Action.TargetAuthor
	switch o.State {
	case outboxq.StateSent:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("✓ sent to %s on %s", who, o.Action.Feed), false
	case outboxq.StateFailed:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("✗ reply to %s failed: %s", who, o.Err), true
	case outboxq.StateUncertain:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("? reply to %s uncertain: %s", who, o.Err), true
	case outboxq.StateSending:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("… sending to %s on %s", who, o.Action.Feed), false
	}
}

// refreshCounts recomputes the counts the stats pane shows from root state.
func (m *Model) refreshCounts() {
	unread := int(m.lastSeq) - int(m.readUpto)
	for s := range m.readMarks {
		if s > m.readUpto && s <= m.lastSeq {
			unread--
		}
	}
	m.stats.SetUnread(max(unread, 0))
	var o statspane.Outbox
	for _, it := range m.outbox {
		switch it.State {
		case outboxq.StateQueued:
			o.Queued++
		case outboxq.StateSending:
			o.Sending++
		case outboxq.StateFailed:
			o.Failed++
		case outboxq.StateUncertain:
			o.Uncertain++
		}
	}
	m.stats.SetOutbox(o)
}

func (m *Model) applyLoaded(msg loadedMsg) {
	m.feed.Add(msg.events)
	m.feed.SetRead(msg.read.Upto, msg.read.Marked)
	m.readUpto = msg.read.Upto
	for s, ok := range msg.read.Marked {
		if ok {
			m.readMarks[s] = true
		}
	}
	m.lastSeq = max(m.lastSeq, msg.lastSeq)
	for _, o := range msg.outbox {
		m.outbox[o.Action.ID] = o
	}
	for _, d := range msg.drafts {
		if _, ok := m.drafts[d.Key]; !ok {
			m.drafts[d.Key] = d
		}
	}
	m.refreshCounts()
	if len(msg.drafts) > 0 && !m.composer.IsOpen() {
		d := msg.drafts[0] // the most recent
		m.composer.Open(d.Action, limitOf(m.feedInfo[d.Action.Feed]), d.Action.Text, d.Rev)
		m.setStatus(fmt.Sprintf("Draft restored: reply to @%s. Tab to the Reply pane to go on.", d.Action.TargetAuthor), false)
	}
}

func (m *Model) applyQueued(msg queuedMsg) {
	m.queuing = false
	a := msg.o.Action
	delete(m.drafts, draftKey(a.Feed, a.Target))
	m.outbox[a.ID] = msg.o
	m.composer.Close()
	m.composer.Status, m.composer.StatusErr = fmt.Sprintf("✓ queued reply to @%s on %s", a.TargetAuthor, a.Feed), false
	m.setFocus(paneFeed)
	m.refreshCounts()
	if msg.err != nil {
		m.setStatus(msg.err.Error(), true)
	}
}
