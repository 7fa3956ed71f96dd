package cluster

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds/sanitize"
)

// Status is what `tribune cluster status` shows.
type Status struct {
	Server    string       // the server asked, by name
	Nodes     []NodeStatus // alive: heartbeat within the lease TTL
	Feeds     []FeedStatus // feeds with a lease or a stored cursor
	FrontEnds []LagStatus
	Streams   []StreamStatus
}

// NodeStatus is one node alive, and its role ("ingest", "front-end").
type NodeStatus struct{ Name, Role string }

// FeedStatus is which node runs a feed ("" none now), and its cursor.
type FeedStatus struct{ Feed, Node, Cursor string }

// LagStatus is how far a front-end is behind the event stream: events
// not yet delivered to it, and delivered but not yet stored.
type LagStatus struct {
	FrontEnd   string
	Pending    uint64
	AckPending int
}

// StreamStatus is the size of one stream (a bucket is one too), and for
// the event stream what it keeps ("200000 a feed for 720h0m0s").
type StreamStatus struct {
	Name  string
	Msgs  uint64
	Bytes uint64
	Keeps string
}

// Status reads the cluster's state.
func (c *Conn) Status(ctx context.Context) (Status, error) {
	st := Status{Server: inert(c.NC.ConnectedServerName())}
	nodes, err := entries(ctx, c.nodes)
	if err != nil {
		return st, err
	}
	for k := range nodes {
		role, name, _ := strings.Cut(k, ".")
		st.Nodes = append(st.Nodes, NodeStatus{Name: inert(FeedOf(name)), Role: inert(role)})
	}
	slices.SortFunc(st.Nodes, func(a, b NodeStatus) int { return strings.Compare(a.Role+a.Name, b.Role+b.Name) })
	leases, err := entries(ctx, c.leases)
	if err != nil {
		return st, err
	}
	cursors, err := entries(ctx, c.cursor)
	if err != nil {
		return st, err
	}
	seen := make(map[string]bool)
	for _, m := range []map[string]string{leases, cursors} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				st.Feeds = append(st.Feeds, FeedStatus{Feed: inert(FeedOf(k)), Node: inert(leases[k]), Cursor: cursors[k]})
			}
		}
	}
	slices.SortFunc(st.Feeds, func(a, b FeedStatus) int { return strings.Compare(a.Feed, b.Feed) })
	s, err := c.JS.Stream(ctx, EventStream)
	if err != nil {
		return st, fmt.Errorf("cluster: stream %s: %w", EventStream, err)
	}
	cl := s.ListConsumers(ctx)
	for ci := range cl.Info() {
		name, ok := strings.CutPrefix(ci.Name, "frontend-")
		if !ok {
			continue
		}
		st.FrontEnds = append(st.FrontEnds, LagStatus{FrontEnd: inert(FeedOf(name)), Pending: ci.NumPending, AckPending: ci.NumAckPending})
	}
	if err := cl.Err(); err != nil {
		return st, fmt.Errorf("cluster: consumers: %w", err)
	}
	sl := c.JS.ListStreams(ctx)
	for si := range sl.Info() {
		if strings.HasPrefix(si.Config.Name, "TRIBUNE_") || strings.HasPrefix(si.Config.Name, "KV_tribune_") {
			ss := StreamStatus{Name: si.Config.Name, Msgs: si.State.Msgs, Bytes: si.State.Bytes}
			if ss.Name == EventStream {
				ss.Keeps = keeps(si.Config.MaxAge, si.Config.MaxMsgsPerSubject)
			}
			st.Streams = append(st.Streams, ss)
		}
	}
	if err := sl.Err(); err != nil {
		return st, fmt.Errorf("cluster: streams: %w", err)
	}
	slices.SortFunc(st.Streams, func(a, b StreamStatus) int { return strings.Compare(a.Name, b.Name) })
	return st, nil
}

// entries reads a bucket's keys and values.
func entries(ctx context.Context, kv jetstream.KeyValue) (map[string]string, error) {
	out := make(map[string]string)
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", kv.Bucket(), err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("cluster: bucket " + kv.Bucket() + ": the watch ended")
			}
			if e == nil {
				return out, nil
			}
			out[e.Key()] = string(e.Value())
		}
	}
}

// inert is a name read from the cluster, made inert for a terminal (the
// cursors are printed quoted).
func inert(s string) string { return sanitize.Line(s, maxHealthText) }

// FeedOf is the feed id a Token stands for.
func FeedOf(token string) string {
	if h, ok := strings.CutPrefix(token, "="); ok {
		if b, err := hex.DecodeString(h); err == nil {
			return string(b)
		}
	}
	return token
}

// Write prints st for a person.
func (st Status) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "connected to %s\n", st.Server)
	fmt.Fprintln(&b, "nodes:")
	for _, n := range st.Nodes {
		fmt.Fprintf(&b, "  %-10s %s\n", n.Role, n.Name)
	}
	fmt.Fprintln(&b, "feeds:")
	for _, f := range st.Feeds {
		node := f.Node
		if node == "" {
			node = "(no ingest node)"
		}
		fmt.Fprintf(&b, "  %-20s runs on %-20s cursor %q\n", f.Feed, node, f.Cursor)
	}
	fmt.Fprintln(&b, "front-ends (events behind):")
	for _, l := range st.FrontEnds {
		fmt.Fprintf(&b, "  %-20s %d to deliver, %d being stored\n", l.FrontEnd, l.Pending, l.AckPending)
	}
	fmt.Fprintln(&b, "streams:")
	for _, s := range st.Streams {
		fmt.Fprintf(&b, "  %-24s %d messages, %d bytes", s.Name, s.Msgs, s.Bytes)
		if s.Keeps != "" {
			fmt.Fprintf(&b, ", keeps %s", s.Keeps)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
