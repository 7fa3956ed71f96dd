// Package tui is tribune's terminal interface: a root model that owns the
// modes and the dashboard's actions, over a pane manager that lays out one
// model per pane (feed, composer, stats, outbox, audit, help). Async work
// enters only as messages; persistence runs in Cmds, never in Update.
//
// Adding a pane is a package that keeps the pane.Pane contract and one
// registration in New.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/columns"
	"github.com/tribune/tribune/tui/composer"
	"github.com/tribune/tribune/tui/crisisview"
	"github.com/tribune/tribune/tui/feed"
	"github.com/tribune/tribune/tui/helpview"
	"github.com/tribune/tribune/tui/outboxview"
	"github.com/tribune/tribune/tui/palette"
	"github.com/tribune/tribune/tui/pane"
	"github.com/tribune/tribune/tui/statspane"
	"github.com/tribune/tribune/tui/usercard"
)

// The panes, by name.
const (
	paneFeed    pane.ID = "feed"
	paneStats   pane.ID = "stats"
	paneReply   pane.ID = "reply"
	paneOutbox  pane.ID = "outbox"
	paneAudit   pane.ID = "audit"
	paneHelp    pane.ID = "help"
	paneCrisis  pane.ID = "crisis"
	panePalette pane.ID = "palette"
	paneCard    pane.ID = "card"
)

// mode gates keys the panes do not see: the footer's command line and a
// moderation prompt take the keyboard from every pane. Text entry is the
// composer's own state (Typing).
type mode int

const (
	modeNormal  mode = iota
	modeCommand      // typing a command on the footer line
	modeConfirm      // a destructive action waits for y
	modeSearch       // typing a search on the footer line
)

// Model is the root model of one session.
type Model struct {
	ctx    context.Context
	svc    Services
	sess   Session
	styles *themes.Styles
	keys   keyMap
	help   help.Model

	panes    *pane.Manager
	feed     *columns.Model
	composer *composer.Model
	stats    *statspane.Model
	box      *outboxview.Model
	audit    *outboxview.AuditView
	helpView *helpview.Model
	palette  *palette.Model
	card     *usercard.Model
	search   searchState
	// mutes are the feeds and platforms hidden from every column.
	mutes   []string
	crisis  *crisisview.Model
	cmdline textinput.Model

	mode          mode
	width, height int
	status        string
	statusErr     bool

	sub      *hub.Subscription
	feedInfo map[string]hub.FeedInfo
	// drafts are this operator's unsent replies; discarded are drafts
	// dropped, by the revision of their deletion. The composer holds the
	// text of the open one; each change lands here at once.
	drafts    map[string]store.Draft
	discarded map[string]int64
	queuing   bool // a send or an edit is being committed; typing waits
	// ask is what waits for y, in modeConfirm.
	ask *question
	// helpFrom is the view the help overlay was opened over, to go back to.
	helpFrom pane.ID
	// paletteFrom is the view the palette was opened over.
	paletteFrom pane.ID
	// pickCanned says the palette offers canned replies to type.
	pickCanned bool
	// pending collects Cmds that applying a batch asks for.
	pending []tea.Cmd
	// inflight is the writes whose Cmd has not begun (see persist).
	inflight inflight
	// alert is the banner's alert, nil when none shows; alertFeeds the
	// feeds that alerted since it went up.
	alert      *stats.Alert
	alertFeeds map[string]bool
	lastBell   time.Time
	// presence is what this session shows the team; team what the other
	// sessions show, by session; lastKey when a key was last pressed.
	presence presence.Presence
	team     map[string]presence.Presence
	lastKey  time.Time
	statsAt  time.Time // when the stats pane last took a snapshot

	drawn drawnCache // what the last frame was made of (view.go)
}

// New returns the dashboard of one session. It subscribes to the hub at
// once, so nothing published from now on is missed; ctx ends the
// subscription.
func New(ctx context.Context, svc Services, s Session) *Model {
	svc = svc.withDefaults()
	if s, ok := svc.Reloaded.Load(); ok {
		svc.Watch, svc.Statements, svc.Bell, svc.Facts = s.Watch, s.Statements, s.Bell, s.Facts
	}
	// The theme the operator chose follows them from terminal to terminal.
	if prefs, err := svc.Store.Prefs(s.Operator); err == nil && prefs["theme"] != "" {
		if p, err := themes.Builtin(prefs["theme"]); err == nil {
			s.Theme = p
		}
	}
	st := themes.New(s.Theme)
	h := helpview.Styled(st)
	m := &Model{
		ctx:       ctx,
		svc:       svc,
		sess:      s,
		styles:    st,
		keys:      defaultKeyMap(),
		help:      h,
		panes:     pane.NewManager(st),
		feed:      columns.New(st, svc.Window, s.Location),
		composer:  composer.New(st),
		stats:     statspane.New(st, s.Location),
		box:       outboxview.New(st, s.Location),
		audit:     outboxview.NewAudit(st, s.Location),
		helpView:  helpview.New(h),
		palette:   palette.New(st),
		card:      usercard.New(st, s.Location),
		search:    searchState{line: newSearchLine(st)},
		crisis:    crisisview.New(st, s.Location, svc.Statements),
		cmdline:   newCmdline(st),
		sub:       svc.Hub.Subscribe(ctx),
		feedInfo:  make(map[string]hub.FeedInfo),
		drafts:    make(map[string]store.Draft),
		discarded: make(map[string]int64),
	}
	m.panes.Add(paneFeed, m.feed, pane.Main)
	m.panes.Add(paneReply, m.composer, pane.Side)
	m.panes.Add(paneStats, m.stats, pane.Side)
	m.panes.Add(paneOutbox, m.box, pane.Overlay)
	m.panes.Add(paneAudit, m.audit, pane.Overlay)
	m.panes.Add(paneHelp, m.helpView, pane.Overlay)
	m.panes.Add(panePalette, m.palette, pane.Overlay)
	m.panes.Add(paneCard, m.card, pane.Overlay)
	m.panes.Add(paneCrisis, m.crisis, pane.Overlay)
	for _, fi := range svc.Hub.Feeds() {
		m.feedInfo[fi.ID] = fi
	}
	m.feed.SetFeeds(len(m.feedInfo))
	m.feed.SetWatch(svc.Watch)
	m.presence = presence.Presence{Session: newSessionID(), Operator: s.Operator, Active: svc.Now()}
	m.team = make(map[string]presence.Presence)
	if svc.Team != nil {
		m.applyPresence(svc.Team.All()) // the subscription has what comes next
		svc.Team.Set(svc.Hub, m.presence)
	}
	m.panes.Focus(paneFeed)
	m.updateKeys()
	return m
}

// Init loads history and state from the store and starts the streams.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(), m.waitBatch(time.Time{}), m.tick())
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.sess.Debug != nil {
		fmt.Fprintf(m.sess.Debug, "%s %T %s\n", m.svc.Now().Format("15:04:05.000"), msg, debugDetail(msg))
	}
	defer m.updateKeys()
	defer m.updatePresence()
	defer func() { m.composer.Drafts = len(m.drafts) }()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		m.help.SetWidth(m.width)
		m.cmdline.SetWidth(m.width - 2)
		return m, nil
	case tea.KeyPressMsg:
		m.lastKey = m.svc.Now()
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.wheel(msg.Mouse())
	case batchMsg:
		m.applyBatch(msg.b)
		if msg.snap != nil {
			m.stats.SetSnapshot(*msg.snap)
			m.statsAt = m.svc.Now()
		}
		cmds := append(m.pending, m.waitBatch(msg.at))
		m.pending = nil
		return m, tea.Batch(cmds...)
	case tickMsg:
		// A batch that refreshed the stats less than a tick ago has shown
		// them; refreshing again now would only move a sliding rate by a
		// hair, in a frame of its own.
		if since := msg.at.Sub(m.statsAt); since < 0 || since >= m.svc.TickEvery {
			m.stats.SetSnapshot(msg.snap)
			m.statsAt = msg.at
		}
		m.setHealth(msg.health, msg.at)
		m.expireAlert(msg.at)
		if len(m.team) > 0 {
			m.stats.SetTeam(m.teamLine(msg.at)) // idle times move on
		}
		return m, m.tick()
	case loadedMsg:
		m.applyLoaded(msg)
		return m, nil
	case feed.MarkedRead:
		return m, m.persistRead(msg)
	case feed.WantOlder:
		return m, m.loadOlder(msg)
	case olderMsg:
		m.applyOlder(msg)
		return m, nil
	case searchOlderMsg:
		m.applySearchOlder(msg)
		return m, nil
	case cardMsg:
		if p, a := m.card.Author(); p == msg.card.Platform && a == msg.card.Author {
			m.card.Set(msg.card, msg.err)
		}
		return m, nil
	case queuedMsg:
		return m, m.applyQueued(msg)
	case outboxLoadedMsg:
		m.box.SetItems(msg.items)
		return m, nil
	case timelineMsg:
		m.crisis.SetTimeline(msg.entries, m.svc.Now())
		return m, nil
	case auditLoadedMsg:
		m.audit.SetEntries(msg.entries)
		return m, nil
	case opDoneMsg:
		return m, m.applyOp(msg)
	case errMsg:
		m.queuing = false
		m.setStatus(msg.err.Error(), true)
		return m, nil
	case notQueuedMsg:
		m.queuing = false
		m.composer.Status, m.composer.StatusErr = "✗ not queued; the text is still here", true
		m.setStatus(msg.err.Error(), true)
		return m, nil
	}
	// Everything else is some pane's own (a cursor's blink).
	return m, m.panes.Update(msg)
}

// updateKeys enables the keys that apply in the current mode and focus,
// and keeps the feed's mark on the message the composer answers.
func (m *Model) updateKeys() {
	m.feed.SetTarget(m.composer.Target())
	// The help overlay lists what the keys do once it is closed.
	typing := m.mode == modeCommand || m.composer.Typing()
	// On the feed they stay on with nothing selected: pressed, they say why.
	onFeed := !typing && m.panes.Focused() == paneFeed
	for _, b := range []*key.Binding{&m.keys.Reply, &m.keys.Delete, &m.keys.Timeout, &m.keys.Ban} {
		b.SetEnabled(onFeed)
	}
	for _, b := range []*key.Binding{&m.keys.Quit, &m.keys.Help, &m.keys.Outbox, &m.keys.Audit, &m.keys.Hold, &m.keys.Command} {
		b.SetEnabled(!typing)
	}
	if m.box.Hold().On {
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
	if m.panes.Overlay() == paneCard {
		ev, ok = m.card.Selected() // the author's message picked on their card
	}
	if !ok {
		m.setStatus("No message to act on yet: wait for one, then pick it with j/k.", true)
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

// target is the action kind on the selected message, before its text.
func (m *Model) target(kind feeds.ActionKind, ev feeds.Event) feeds.Action {
	return feeds.Action{
		Kind:         kind,
		Feed:         ev.Feed,
		Channel:      ev.Channel,
		Target:       ev.ID,
		TargetAuthor: ev.Author,
		TargetText:   excerpt(ev.Text, 120),
		Operator:     m.sess.Operator,
	}
}

// openReply opens the composer on the selected message, with its draft.
func (m *Model) openReply() tea.Cmd {
	if m.composer.Editing() != "" {
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
	if others := m.othersAnswering(ev.Feed, ev.ID); len(others) > 0 {
		m.askFirst(strings.Join(others, ", ")+" is answering this message already. Answer too?",
			"Left to "+strings.Join(others, ", ")+".", func() tea.Cmd { return m.compose(ev, info) })
		return nil
	}
	return m.compose(ev, info)
}

// compose opens the composer on ev, with its draft if it has one.
func (m *Model) compose(ev feeds.Event, info hub.FeedInfo) tea.Cmd {
	text, rev := "", int64(0)
	if d, ok := m.drafts[draftKey(ev.Feed, ev.ID)]; ok {
		text, rev = d.Action.Text, d.Rev
	}
	m.composer.Open(m.target(feeds.ActReply, ev), limitOf(info), text, rev)
	return m.panes.Focus(paneReply)
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
	changed := hub.Items(b, hub.TopicOutbox)
	m.feed.Add(hub.Items(b, hub.TopicEvents))
	m.feed.Apply(hub.Items(b, hub.TopicUpdates))
	for _, o := range changed {
		m.applyOutgoing(o)
	}
	if health, ok := hub.Last(b, hub.TopicHealth); ok {
		m.setHealth(health, m.svc.Now())
	}
	if ch, ok := hub.Last(b, cluster.TopicHealth); ok {
		m.stats.SetCluster(ch)
	}
	hold, holdChanged := hub.Last(b, hub.TopicHold)
	if holdChanged {
		m.setHold(hold)
	}
	if m.panes.Overlay() == paneAudit && (len(changed) > 0 || holdChanged) {
		m.pending = append(m.pending, m.loadAudit())
	}
	m.showAlerts(hub.Items(b, stats.TopicAlerts))
	if s, ok := hub.Last(b, TopicSettings); ok {
		m.svc.Watch, m.svc.Statements, m.svc.Bell, m.svc.Facts = s.Watch, s.Statements, s.Bell, s.Facts
		m.feed.SetWatch(s.Watch)
		m.crisis.SetStatements(s.Statements)
	}
	m.bellOnWatch(hub.Items(b, stats.TopicWatch))
	inc, incChanged := hub.Last(b, hub.TopicIncident)
	if incChanged {
		m.crisis.SetIncident(inc)
		m.stats.SetIncident(inc.Open)
	}
	if m.panes.Overlay() == paneCrisis && (len(changed) > 0 || holdChanged || incChanged) {
		m.pending = append(m.pending, m.loadTimeline())
	}
	m.applyPresence(hub.Items(b, presence.Topic))
	errText, _ := hub.Last(b, hub.TopicErrors)
	switch dropped := hub.Dropped(b, hub.TopicEvents); {
	case errText != "":
		m.setStatus(errText, true)
	case dropped > 0:
		m.setStatus(fmt.Sprintf("The screen fell behind: %d messages were skipped here (they are stored).", dropped), true)
	}
	m.refreshCounts()
}

// setHealth shows the feeds' health: in full in the stats, as a count of
// live feeds in the feed's title. A feed's capabilities may change as it
// connects (a Mastodon instance says its own limit), so they are read
// again with it.
func (m *Model) setHealth(hs []hub.Health, now time.Time) {
	for _, fi := range m.svc.Hub.Feeds() {
		if old, ok := m.feedInfo[fi.ID]; ok && old.Capabilities.MaxText != fi.Capabilities.MaxText {
			m.composer.SetLimit(fi.ID, limitOf(fi))
		}
		m.feedInfo[fi.ID] = fi
	}
	m.stats.SetHealth(hs, now)
	live := 0
	for _, h := range hs {
		if h.State == hub.HealthConnected {
			live++
		}
	}
	m.feed.SetLive(live)
}

// setHold records where the outbox brake stands; the outbox view owns it,
// the feed's title and the stats show it.
func (m *Model) setHold(h outbox.Hold) {
	m.box.SetHold(h)
	m.crisis.SetHold(h)
	m.feed.SetHeld(h.On)
	m.stats.SetHold(h)
}

func (m *Model) applyOutgoing(o outbox.Outgoing) {
	m.box.Apply(o)
	if o.State == outbox.StateSent && o.Action.Kind == feeds.ActReply {
		m.feed.MarkAnsweredBy(o.Action.Feed, o.Action.Target, o.Action.Operator) // by anyone in the team
	}
	if o.Action.Operator != m.sess.Operator || m.composer.Typing() && m.composer.Status == "" {
		return
	}
	who := "@" + o.Action.TargetAuthor
	switch o.State {
	case outbox.StateSent:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("✓ sent to %s on %s", who, o.Action.Feed), false
	case outbox.StateFailed:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("✗ reply to %s failed: %s", who, o.Err), true
	case outbox.StateUncertain:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("? reply to %s uncertain: %s", who, o.Err), true
	case outbox.StateSending:
		m.composer.Status, m.composer.StatusErr = fmt.Sprintf("… sending to %s on %s", who, o.Action.Feed), false
	}
}

// refreshCounts shows the counts the panes that own them compute.
func (m *Model) refreshCounts() {
	m.stats.SetUnread(m.feed.Unread())
	c := m.box.Counts()
	m.stats.SetOutbox(statspane.Outbox{Queued: c.Queued, Sending: c.Sending, Failed: c.Failed, Uncertain: c.Uncertain})
}

func (m *Model) applyLoaded(msg loadedMsg) {
	m.feed.Add(msg.events)
	m.feed.SetRead(msg.read.Upto, msg.read.Marked, msg.lastSeq)
	m.box.SetPending(msg.outbox)
	for _, d := range msg.drafts {
		if _, ok := m.drafts[d.Key]; !ok {
			m.drafts[d.Key] = d
		}
	}
	m.restoreColumns(msg.prefs[prefColumns])
	m.refreshCounts()
	if len(msg.drafts) > 0 && !m.composer.IsOpen() {
		d := msg.drafts[0] // the most recent
		m.composer.Open(d.Action, limitOf(m.feedInfo[d.Action.Feed]), d.Action.Text, d.Rev)
		m.setStatus(fmt.Sprintf("Draft restored: reply to @%s. Tab to the Reply pane to go on.", d.Action.TargetAuthor), false)
	}
}

func (m *Model) applyQueued(msg queuedMsg) tea.Cmd {
	m.queuing = false
	a := msg.o.Action
	delete(m.drafts, msg.draft)
	m.box.Apply(msg.o)
	m.composer.Close()
	switch {
	case a.Kind != feeds.ActPost:
		m.composer.Status = fmt.Sprintf("✓ queued reply to @%s on %s", a.TargetAuthor, a.Feed)
	case msg.feeds > 1:
		m.composer.Status = fmt.Sprintf("✓ queued a post on %d feeds; the outbox shows each one", msg.feeds)
	default:
		m.composer.Status = "✓ queued a post on " + msg.o.Action.Feed
	}
	m.composer.StatusErr = false
	m.refreshCounts()
	if msg.err != nil {
		m.setStatus(msg.err.Error(), true)
	}
	return m.panes.Focus(paneFeed)
}
