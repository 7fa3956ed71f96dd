package tui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tribune/tribune/presence"
)

// presenceEvery is how often a typing operator's activity is told again.
const presenceEvery = 30 * time.Second

// idleAfter is when an operator shows as idle.
const idleAfter = 5 * time.Minute

func newSessionID() string { return fmt.Sprintf("%016x", rand.Uint64()) }

// updatePresence tells the team when this session's presence changed:
// the composer opened on a message or closed, or keys after a quiet spell.
// It runs after every Update.
func (m *Model) updatePresence() {
	if m.svc.Team == nil {
		return
	}
	p := m.presence
	p.Feed, p.Target = m.composer.Target()
	if m.composer.Editing() != "" {
		p.Feed, p.Target = "", ""
	}
	if m.lastKey.Sub(p.Active) >= presenceEvery {
		p.Active = m.lastKey
	}
	if p != m.presence {
		m.presence = p
		m.svc.Team.Set(m.svc.Hub, p)
	}
}

// leave tells the team this session ended.
func (m *Model) leave() {
	if m.svc.Team == nil {
		return
	}
	p := m.presence
	p.Gone, p.Feed, p.Target = true, "", ""
	m.svc.Team.Set(m.svc.Hub, p)
}

// applyPresence takes the others' presence: who answers what shows on the
// feed's rows, who is connected in the stats.
func (m *Model) applyPresence(ps []presence.Presence) {
	for _, p := range ps {
		if p.Session == m.presence.Session {
			continue
		}
		if p.Gone {
			delete(m.team, p.Session)
		} else {
			m.team[p.Session] = p
		}
	}
	if len(ps) > 0 {
		m.showTeam()
	}
}

// showTeam gives the feed who answers which message, and the stats who
// is here.
func (m *Model) showTeam() {
	typing := make(map[[2]string][]string)
	for _, p := range m.team {
		if p.Typing() {
			k := [2]string{p.Feed, p.Target}
			typing[k] = append(typing[k], p.Operator)
		}
	}
	for _, ops := range typing {
		slices.Sort(ops)
	}
	m.feed.SetTyping(typing)
	m.stats.SetTeam(m.teamLine(m.svc.Now()))
}

// othersAnswering names the other operators answering feed/id.
func (m *Model) othersAnswering(feed, id string) []string {
	var out []string
	for _, p := range m.team {
		if p.Feed == feed && p.Target == id && p.Operator != "" {
			out = append(out, p.Operator)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// teamLine is who is connected: "you (alice) · bob ✎ · carol idle 12m".
func (m *Model) teamLine(now time.Time) string {
	type who struct {
		name  string
		state string
	}
	byName := make(map[string]who)
	for _, p := range m.team {
		w := who{name: p.Operator}
		switch {
		case p.Typing():
			w.state = "✎"
		case !p.Active.IsZero() && now.Sub(p.Active) >= idleAfter:
			w.state = "idle " + now.Sub(p.Active).Truncate(time.Minute).String()
		}
		if prev, ok := byName[p.Operator]; !ok || prev.state != "✎" {
			byName[p.Operator] = w
		}
	}
	if len(byName) == 0 {
		return ""
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := []string{"you (" + m.sess.Operator + ")"}
	for _, n := range names {
		w := byName[n]
		parts = append(parts, strings.TrimSpace(n+" "+strings.TrimSuffix(w.state, "0s")))
	}
	return strings.Join(parts, " · ")
}
