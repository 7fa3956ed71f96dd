package presence

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/hub"
)

// What another front-end relays is told as it changes: an arrival, a
// change, and a Gone for a session it no longer has; a local session
// stays through it, and only local changes are told to OnChange.
func TestRelayed(t *testing.T) {
	h := hub.New(hub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := h.Subscribe(ctx)
	take := func() []Presence {
		<-sub.Ready()
		return hub.Items(sub.Take(), Topic)
	}
	team := NewTeam()
	local := 0
	team.OnChange(func() { local++ })
	now := time.Unix(1_800_000_000, 0)
	me := Presence{Session: "l", Operator: "zoe", Active: now}
	team.Set(h, me)
	if got := take(); len(got) != 1 || got[0] != me {
		t.Fatalf("told %+v", got)
	}
	a := Presence{Session: "a", Operator: "alice", Feed: "chat", Target: "3", Active: now}
	b := Presence{Session: "b", Operator: "bob", Active: now}
	team.Relayed(h, "fe2", []Presence{a, b})
	if got := sessions(take()); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("arrivals told %v", got)
	}
	a.Target = ""
	team.Relayed(h, "fe2", []Presence{a}) // alice closed her composer, bob left
	got := take()
	slices.SortFunc(got, func(x, y Presence) int { return strings.Compare(x.Session, y.Session) })
	if len(got) != 2 || got[0] != a || got[1].Session != "b" || !got[1].Gone {
		t.Errorf("told %+v", got)
	}
	if all := sessions(team.All()); !slices.Equal(all, []string{"a", "l"}) {
		t.Errorf("All = %v", all)
	}
	if loc := sessions(team.Local()); !slices.Equal(loc, []string{"l"}) {
		t.Errorf("Local = %v", loc)
	}
	team.Relayed(h, "fe2", nil) // fe2 went quiet
	if got := take(); len(got) != 1 || got[0].Session != "a" || !got[0].Gone {
		t.Errorf("told %+v", got)
	}
	if local != 1 {
		t.Errorf("OnChange told %d times, want once, for the local session", local)
	}
}

func sessions(ps []Presence) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Session)
	}
	slices.Sort(out)
	return out
}
