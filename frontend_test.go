package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/presence"
)

// Two `serve --cluster` front-ends share what follows the operator and
// the team: read marks, preferences, presence and the outbox brake.
func TestFrontEndsShareTheOperator(t *testing.T) {
	dir := t.TempDir()
	srv, err := cluster.Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dir, "js")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown) // after the front-ends stop
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(node string) *services {
		o := options{db: filepath.Join(dir, node+".db"), seed: 1, demoRate: 1,
			cluster: clusterOptions{url: srv.ClientURL(), node: node}}
		svc, err := startServices(ctx, o, Config{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.stop)
		return svc
	}
	fe1, fe2 := start("fe1"), start("fe2")
	sub1, sub2 := fe1.Hub.Subscribe(ctx), fe2.Hub.Subscribe(ctx)

	// The same two events, numbered apart.
	now := time.Now()
	msg := func(seq uint64, feed, id string) feeds.Event {
		return feeds.Event{Seq: seq, Feed: feed, ID: id, Kind: feeds.KindMessage, Time: now}
	}
	if err := fe1.db.AppendEvents([]feeds.Event{msg(1, "chat", "a"), msg(2, "chat", "b")}); err != nil {
		t.Fatal(err)
	}
	if err := fe2.db.AppendEvents([]feeds.Event{msg(1, "old", "x"), msg(2, "chat", "a"), msg(3, "chat", "b")}); err != nil {
		t.Fatal(err)
	}
	if err := fe1.db.MarkAllRead("alice", 2); err != nil {
		t.Fatal(err)
	}
	if err := fe1.db.SetPref("alice", "columns", `{"columns":[{"name":"all"}]}`); err != nil {
		t.Fatal(err)
	}
	poll(func() bool {
		rs, err := fe2.db.ReadState("alice")
		prefs, perr := fe2.db.Prefs("alice")
		return err == nil && perr == nil && rs.Upto == 3 && prefs["columns"] != ""
	})

	fe1.Team.Set(fe1.Hub, presence.Presence{Session: "s1", Operator: "alice", Feed: "chat", Target: "b", Active: now})
	for !typing(fe2.Team, "alice") {
		<-sub2.Ready()
		sub2.Take()
	}

	if _, err := fe2.Dispatcher.SetHold(true, "bob"); err != nil {
		t.Fatal(err)
	}
	for {
		<-sub1.Ready()
		if h, ok := hub.Last(sub1.Take(), hub.TopicHold); ok && h.On && h.By == "bob" {
			break
		}
	}
}

func typing(team *presence.Team, op string) bool {
	for _, p := range team.All() {
		if p.Operator == op && p.Typing() {
			return true
		}
	}
	return false
}

// poll waits until cond holds, for what no signal tells (the go test
// timeout is the guard).
func poll(cond func() bool) {
	for !cond() {
		time.Sleep(5 * time.Millisecond)
	}
}
