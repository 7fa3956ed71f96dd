package tui

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/canned"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/tui/composer"
	"github.com/tribune/tribune/tui/outboxview"
	"github.com/tribune/tribune/tui/palette"
)

// paletteEntries lists every command, with the key that does the same
// where there is one, then the keys that work where the palette opens:
// the pane's or view's own, and the dashboard's.
func (m *Model) paletteEntries() []palette.Entry {
	k := m.keys
	same := map[string]key.Binding{
		"hold": k.Hold, "outbox": k.Outbox, "audit": k.Audit, "crisis": k.Crisis,
		"help": k.Help, "quit": k.Quit,
	}
	es := m.draftEntries()
	seen := map[string]bool{}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := palette.Entry{Name: commands[n].help, Command: n, Arg: commands[n].arg}
		if b, ok := same[n]; ok {
			e.Key = b.Help().Key
			seen[b.Help().Key+" "+b.Help().Desc] = true
		}
		es = append(es, e)
	}
	all, here := m.allKeys()
	for _, g := range all[:here] {
		for _, b := range g.Keys {
			h := b.Help()
			if h.Key == "" || seen[h.Key+" "+h.Desc] || len(b.Keys()) == 0 {
				continue
			}
			if _, ok := keyPress(b.Keys()[0]); !ok {
				continue
			}
			seen[h.Key+" "+h.Desc] = true
			es = append(es, palette.Entry{Name: strings.ToLower(g.Heading) + ": " + h.Desc, Key: h.Key, Press: b.Keys()[0]})
		}
	}
	return es
}

// draftEntries are the operator's drafts, the newest first, each opening
// the composer on it.
func (m *Model) draftEntries() []palette.Entry {
	ds := make([]store.Draft, 0, len(m.drafts))
	for _, d := range m.drafts {
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b store.Draft) int { return b.Updated.Compare(a.Updated) })
	es := make([]palette.Entry, len(ds))
	for i, d := range ds {
		what := outboxview.What(d.Action)
		if d.Action.Kind == feeds.ActPost && d.Action.Feed == composer.AllFeeds {
			what = "post on every feed"
		}
		es[i] = palette.Entry{Name: "draft: " + what, Text: d.Action.Text, Draft: d.Key}
	}
	return es
}

// openDraft opens the composer on the draft with this key.
func (m *Model) openDraft(key string) tea.Cmd {
	d, ok := m.drafts[key]
	switch {
	case !ok:
		m.setStatus("That draft is gone: sent or discarded meanwhile.", true)
		return nil
	case m.composer.Editing() != "":
		m.setStatus("An outbox item is being edited in the Reply pane: ctrl+s saves it, esc drops the edit.", true)
		return nil
	case d.Action.Kind == feeds.ActPost: // to one feed or every one, with their limit
		return m.composePost(d.Action.Feed, d.Action.Text)
	}
	m.composer.Open(d.Action, limitOf(m.feedInfo[d.Action.Feed]), d.Action.Text, d.Rev)
	return m.panes.Focus(paneReply)
}

// openPalette shows the palette over what is on screen; what it runs
// runs there.
func (m *Model) openPalette() tea.Cmd {
	m.paletteFrom, m.pickCanned = m.panes.Overlay(), false
	cmd := m.palette.Open(m.paletteEntries())
	return tea.Batch(cmd, m.panes.Open(panePalette))
}

// openCanned offers the canned replies, filled in for the message being
// answered, to type into the composer.
func (m *Model) openCanned() tea.Cmd {
	if len(m.svc.Canned) == 0 {
		m.setStatus("No canned replies: add [[canned]] tables to the config (see the README).", true)
		return nil
	}
	a := m.composer.Reply()
	ev, ok := m.feed.Lookup(a.Feed, a.Target)
	if !ok {
		ev = feeds.Event{Feed: a.Feed, Author: a.TargetAuthor}
		if info, known := m.feedInfo[a.Feed]; known {
			ev.Platform = info.Platform
		}
	}
	vars := canned.VarsOf(&ev)
	es := make([]palette.Entry, len(m.svc.Canned))
	for i, t := range m.svc.Canned {
		es[i] = palette.Entry{Name: t.Name, Text: t.Expand(vars)}
	}
	m.paletteFrom, m.pickCanned = "", true
	cmd := m.palette.Open(es)
	return tea.Batch(cmd, m.panes.Open(panePalette))
}

// closePalette goes back to where the palette was opened.
func (m *Model) closePalette() tea.Cmd {
	from := m.paletteFrom
	m.paletteFrom = ""
	if from != "" && from != panePalette {
		return m.panes.Open(from)
	}
	return m.panes.Refocus()
}

// paletteKey handles a key in the palette: enter runs "name args" typed
// in full, or the entry selected (a command that needs an argument goes
// to the command line, ready for it; a key is pressed where the palette
// was opened).
func (m *Model) paletteKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.palette.Close) && m.pickCanned:
		m.pickCanned = false
		return m.panes.Focus(paneReply)
	case key.Matches(k, m.palette.Close):
		return m.closePalette()
	case key.Matches(k, m.palette.Run):
		typed := strings.TrimSpace(m.palette.Value())
		name, arg, hasArg := strings.Cut(typed, " ")
		if c, ok := commands[strings.ToLower(name)]; ok && hasArg && strings.TrimSpace(arg) != "" && !m.pickCanned {
			if c.arg == "" {
				m.setStatus(strings.ToLower(name)+" takes nothing after it; nothing done.", true)
				return nil
			}
			back := m.closePalette()
			return tea.Batch(back, c.run(m, strings.TrimSpace(arg)))
		}
		e, ok := m.palette.Selected()
		if !ok {
			m.setStatus("Nothing matches "+quoteShort(typed)+".", true)
			return nil
		}
		back := m.closePalette()
		switch {
		case m.pickCanned:
			m.pickCanned = false
			return tea.Batch(m.panes.Focus(paneReply), m.typeInComposer(tea.PasteMsg{Content: e.Text}))
		case e.Command != "" && e.Arg != "" && !strings.HasPrefix(e.Arg, "["): // an argument it cannot do without
			m.mode = modeCommand
			m.cmdline.Reset()
			m.cmdline.SetValue(e.Command + " ")
			m.cmdline.CursorEnd()
			return tea.Batch(back, m.cmdline.Focus())
		case e.Command != "":
			return tea.Batch(back, commands[e.Command].run(m, ""))
		case e.Draft != "":
			return tea.Batch(back, m.openDraft(e.Draft))
		}
		p, _ := keyPress(e.Press)
		return tea.Batch(back, m.handleKey(p))
	}
	return m.palette.Update(k)
}

func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return "“" + s + "”"
}

// namedKeys are the keys bindings name, as Bubble Tea writes them.
var namedKeys = map[string]rune{
	"tab": tea.KeyTab, "enter": tea.KeyEnter, "esc": tea.KeyEscape, "space": tea.KeySpace,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"delete": tea.KeyDelete, "backspace": tea.KeyBackspace,
}

// keyPress is the key press a binding's key names ("r", "A", "ctrl+o",
// "shift+tab"), if it is one this knows how to make.
func keyPress(s string) (tea.KeyPressMsg, bool) {
	var p tea.KeyPressMsg
	rest := s
	for {
		mod, after, ok := strings.Cut(rest, "+")
		if !ok || after == "" {
			break
		}
		switch mod {
		case "ctrl":
			p.Mod |= tea.ModCtrl
		case "alt":
			p.Mod |= tea.ModAlt
		case "shift":
			p.Mod |= tea.ModShift
		default:
			return p, false
		}
		rest = after
	}
	if c, ok := namedKeys[rest]; ok {
		p.Code = c
	} else if r, n := utf8.DecodeRuneInString(rest); n == len(rest) && r != utf8.RuneError {
		p.Code = r
		if p.Mod == 0 {
			p.Text = rest
		}
	} else {
		return p, false
	}
	return p, p.String() == s
}
