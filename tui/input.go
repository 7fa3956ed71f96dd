package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/outboxview"
	"github.com/tribune/tribune/tui/pane"
)

// This file is where keys and pastes go: the root's modes first, then the
// open view, the composer while it takes text, the dashboard's keys, and
// the focused pane last.

// paste types pasted text where text is being entered; elsewhere a paste
// is not a string of commands, so it is ignored.
func (m *Model) paste(p tea.PasteMsg) tea.Cmd {
	switch {
	case m.mode == modeCommand:
		var cmd tea.Cmd
		m.cmdline, cmd = m.cmdline.Update(p)
		return cmd
	case m.mode == modeSearch:
		var cmd tea.Cmd
		m.search.line, cmd = m.search.line.Update(p)
		m.setSearch(m.search.line.Value())
		return cmd
	case m.mode == modeNormal && m.panes.Overlay() == panePalette:
		return m.palette.Update(p)
	case m.mode == modeConfirm && m.ask != nil && m.ask.reason != nil:
		var cmd tea.Cmd
		*m.ask.reason, cmd = m.ask.reason.Update(p) // a ban's or a timeout's reason
		return cmd
	case m.mode == modeNormal && m.panes.Overlay() == "" && m.composer.Typing() && !m.queuing:
		return m.typeInComposer(p)
	}
	return nil
}

// handleKey runs a key: the footer's prompts first, then the open overlay,
// the composer while it takes text, the dashboard's own keys, and last the
// focused pane's.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQuit) {
		return tea.Quit
	}
	m.status, m.statusErr = "", false
	switch m.mode {
	case modeCommand:
		return m.commandKey(k)
	case modeConfirm:
		return m.confirmKey(k)
	case modeSearch:
		return m.searchKey(k)
	}
	if key.Matches(k, m.keys.OutboxAnywhere) {
		return m.openOutbox()
	}
	if ov := m.panes.Overlay(); ov != "" {
		return m.viewKey(ov, k)
	}
	if m.composer.Typing() {
		return m.composeKey(k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		return m.openHelp()
	case key.Matches(k, m.keys.Next):
		return m.panes.Cycle(1)
	case key.Matches(k, m.keys.Prev):
		return m.panes.Cycle(-1)
	case key.Matches(k, m.keys.Reply):
		return m.openReply()
	case key.Matches(k, m.keys.Outbox):
		return m.openOutbox()
	case key.Matches(k, m.keys.Audit):
		return m.openAudit()
	case key.Matches(k, m.keys.Crisis):
		return m.openCrisis()
	case key.Matches(k, m.keys.Hold):
		return m.toggleHold()
	case m.alert != nil && key.Matches(k, m.keys.Dismiss):
		m.dismissAlert()
		return nil
	case key.Matches(k, m.keys.Delete):
		return m.moderate(feeds.ActDelete)
	case key.Matches(k, m.keys.Timeout):
		return m.moderate(feeds.ActTimeout)
	case key.Matches(k, m.keys.Ban):
		return m.moderate(feeds.ActBan)
	case key.Matches(k, m.keys.Command):
		return m.openPalette()
	case key.Matches(k, m.keys.Search):
		return tea.Batch(m.panes.Focus(paneFeed), m.openSearch())
	case m.panes.Focused() == paneFeed && key.Matches(k, m.keys.Card):
		return m.openCard()
	case m.panes.Focused() == paneFeed && key.Matches(k, m.keys.NextHit):
		return m.nextHit(-1)
	case m.panes.Focused() == paneFeed && key.Matches(k, m.keys.PrevHit):
		return m.nextHit(1)
	}
	return m.panes.Update(k)
}

// viewKey handles a key over a view (outbox, audit, help). The dashboard's
// view keys work there too: ? help, : a command, o the outbox, A the
// audit log, H the hold; the key that opened a view, esc or q close it.
func (m *Model) viewKey(ov pane.ID, k tea.KeyPressMsg) tea.Cmd {
	if ov == panePalette {
		return m.paletteKey(k)
	}
	if ov == paneCard {
		if cmd, ok := m.cardKey(k); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(k, m.keys.Command):
		return m.openPalette()
	case ov != paneHelp && key.Matches(k, m.keys.Help):
		return m.openHelp()
	case ov != paneOutbox && key.Matches(k, m.keys.Outbox):
		return m.openOutbox()
	case ov != paneAudit && key.Matches(k, m.keys.Audit):
		return m.openAudit()
	case ov != paneCrisis && key.Matches(k, m.keys.Crisis):
		return m.openCrisis()
	}
	switch ov {
	case paneCrisis:
		if key.Matches(k, m.keys.Hold) {
			return m.toggleHold()
		}
		return m.crisisKey(k)
	case paneOutbox:
		return m.outboxKey(k)
	case paneAudit:
		if key.Matches(k, m.audit.Keys.Close) {
			return m.panes.Refocus()
		}
		if key.Matches(k, m.keys.Hold) {
			return m.toggleHold()
		}
	case paneHelp:
		if key.Matches(k, m.helpView.Close) {
			return m.closeHelp()
		}
		if key.Matches(k, m.keys.Hold) {
			return m.toggleHold()
		}
	}
	return m.panes.Update(k)
}

// openHelp shows every key, those of the pane or view it is opened over
// first.
func (m *Model) openHelp() tea.Cmd {
	m.helpFrom = m.panes.Overlay()
	all, _ := m.allKeys()
	m.helpView.SetKeys(all)
	return m.panes.Open(paneHelp)
}

// closeHelp goes back to where help was opened.
func (m *Model) closeHelp() tea.Cmd {
	from := m.helpFrom
	m.helpFrom = ""
	if from != "" {
		return m.panes.Open(from)
	}
	return m.panes.Refocus()
}

// outboxKey handles a key in the Outbox view.
func (m *Model) outboxKey(k tea.KeyPressMsg) tea.Cmd {
	bk := m.box.Keys
	o, selected := m.box.Selected()
	switch {
	case key.Matches(k, bk.Close):
		return m.panes.Refocus()
	case key.Matches(k, bk.Hold):
		return m.toggleHold()
	case !selected:
		return m.panes.Update(k)
	case o.Elsewhere && key.Matches(k, bk.Edit, bk.Cancel, bk.Resend):
		m.setStatus(capitalize(outboxview.What(o.Action))+" was queued on another front-end: edit, cancel or resend it there.", true)
		return nil
	case key.Matches(k, bk.Edit):
		return m.editQueued(o)
	case key.Matches(k, bk.Cancel):
		return m.outboxOp("Cancelled "+outboxview.What(o.Action), func(d *dispatch.Dispatcher, by string) (outbox.Outgoing, error) {
			return d.Cancel(o.Action.ID, by)
		})
	case key.Matches(k, bk.Resend):
		return m.outboxOp("Queued again: "+outboxview.What(o.Action), func(d *dispatch.Dispatcher, by string) (outbox.Outgoing, error) {
			return d.Resend(o.Action.ID, by)
		})
	}
	return m.panes.Update(k)
}

// editQueued opens the composer on a queued item's text.
func (m *Model) editQueued(o outbox.Outgoing) tea.Cmd {
	m.composer.OpenEdit(o.Action, limitOf(m.feedInfo[o.Action.Feed]), o.State == outbox.StateFailed)
	return m.panes.Focus(paneReply)
}

// composeKey handles a key while the composer takes text.
func (m *Model) composeKey(k tea.KeyPressMsg) tea.Cmd {
	ck := m.composer.Keys
	editing := m.composer.Editing() != ""
	switch {
	case m.queuing:
		return nil
	case editing && key.Matches(k, ck.Send):
		return m.saveEdit()
	case editing && key.Matches(k, ck.Cancel, ck.Discard):
		m.composer.Close()
		m.setStatus("Edit dropped; the item keeps its text.", false)
		return m.openOutbox()
	case key.Matches(k, ck.Send):
		return m.send()
	case !editing && key.Matches(k, m.keys.Canned):
		return m.openCanned()
	case key.Matches(k, ck.Cancel):
		m.composer.Close()
		m.setStatus("Draft kept; press r on the message to resume.", false)
		return m.panes.Focus(paneFeed)
	case key.Matches(k, ck.Discard):
		who := m.composer.Reply().TargetAuthor
		m.askFirst(fmt.Sprintf("Discard the draft to @%s?", who), "Draft kept.", m.discard)
		return nil
	case key.Matches(k, m.keys.Next):
		return m.panes.Cycle(1)
	case key.Matches(k, m.keys.Prev):
		return m.panes.Cycle(-1)
	}
	return m.typeInComposer(k)
}

// typeInComposer hands a key or a paste to the composer's text, and saves
// the draft when the text changed.
func (m *Model) typeInComposer(msg tea.Msg) tea.Cmd {
	now := m.svc.Now()
	cmd, changed := m.composer.Type(msg, m.nextRev(now))
	if !changed || m.composer.Editing() != "" {
		return cmd // an edit's text is in the outbox until it is saved
	}
	return tea.Batch(cmd, m.saveDraft(now))
}
