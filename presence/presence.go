// Package presence is who is connected to the dashboard and what they
// are answering: what each session shows the others, for the "✎ alice"
// on a message and the warning when two operators answer the same one.
// The sessions of one process share a Team; a cluster's front-ends relay
// their sessions' presence to each other (package cluster), and the Team
// keeps the others' apart, by node.
package presence

import (
	"sync"
	"time"

	"github.com/tribune/tribune/feeds/hub"
)

// Presence is what one session shows the others: who sits at it, and the
// message they are answering, if any.
type Presence struct {
	Session  string `json:"session"`
	Operator string `json:"operator"`
	// Feed and Target name the message being answered; empty when the
	// composer is closed.
	Feed   string `json:"feed,omitempty"`
	Target string `json:"target,omitempty"`
	// Active is when the operator last pressed a key (to the nearest
	// presenceEvery); Gone is set when the session ended.
	Active time.Time `json:"active"`
	Gone   bool      `json:"gone,omitempty"`
}

// Typing reports whether the operator is answering a message.
func (p Presence) Typing() bool { return p.Target != "" }

// Topic carries each session's presence as it changes; past the backlog,
// only each session's latest.
var Topic = hub.NewTopic("presence", hub.KeepLatestPer(func(p Presence) string { return p.Session }))

// Team is who is connected to the dashboard: this process's sessions,
// and those other front-ends relay. A session that joins reads All, then
// follows Topic.
type Team struct {
	mu      sync.Mutex
	local   map[string]Presence
	remote  map[string]map[string]Presence // by node, by session
	changed func()
}

// NewTeam returns an empty team.
func NewTeam() *Team {
	return &Team{local: make(map[string]Presence), remote: make(map[string]map[string]Presence)}
}

// OnChange has fn told, on the session's goroutine, after each change of
// a local session's presence: how a cluster relays it. Call it before
// the sessions start.
func (t *Team) OnChange(fn func()) { t.changed = fn }

// Set records a local session's presence and tells every session.
func (t *Team) Set(h *hub.Hub, p Presence) {
	t.mu.Lock()
	if p.Gone {
		delete(t.local, p.Session)
	} else {
		t.local[p.Session] = p
	}
	t.mu.Unlock()
	hub.Publish(h, Topic, p)
	if t.changed != nil {
		t.changed()
	}
}

// All is everyone connected now, here and on the other front-ends.
func (t *Team) All() []Presence {
	out := t.Local()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ps := range t.remote {
		for _, p := range ps {
			out = append(out, p)
		}
	}
	return out
}

// Local is this process's sessions.
func (t *Team) Local() []Presence {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Presence, 0, len(t.local))
	for _, p := range t.local {
		out = append(out, p)
	}
	return out
}

// Relayed sets the sessions another front-end, node, has now (none: it
// left, or went quiet), and tells every session what changed: arrivals
// and changes, and a Gone for each session no longer there.
func (t *Team) Relayed(h *hub.Hub, node string, ps []Presence) {
	now := make(map[string]Presence, len(ps))
	for _, p := range ps {
		if !p.Gone && p.Session != "" {
			now[p.Session] = p
		}
	}
	t.mu.Lock()
	old := t.remote[node]
	if len(now) == 0 {
		delete(t.remote, node)
	} else {
		t.remote[node] = now
	}
	var told []Presence
	for s, p := range old {
		if _, ok := now[s]; !ok {
			p.Gone, p.Feed, p.Target = true, "", ""
			told = append(told, p)
		}
	}
	for s, p := range now {
		if old[s] != p {
			told = append(told, p)
		}
	}
	t.mu.Unlock()
	if len(told) > 0 {
		hub.Publish(h, Topic, told...)
	}
}
