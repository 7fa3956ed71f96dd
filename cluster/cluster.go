// Package cluster spreads tribune over several machines with NATS
// JetStream: ingest nodes run the connectors, each feed on the one node
// that holds its lease, and publish the sanitized events to a stream;
// front-ends (`tribune serve`) follow that stream into their own hub and
// bbolt, which stays their local cache.
//
//	ingest node:  connector ─▶ hub (sanitize, dedupe) ─▶ Publisher ─▶ stream TRIBUNE_EVENTS
//	                 ▲ runs only while                     Nats-Msg-Id = feed/event id
//	                 └ Leases holds the feed (KV tribune_leases, TTL)
//	front-end:    stream ─▶ Follow (durable consumer per front-end) ─▶ hub.CommitNew ─▶ bbolt, sessions
//
// Subjects are tribune.events.<feed>, keys <feed>, with a feed id that is
// not a plain token written as "=" and its hex (Token). Nothing here
// imports the TUI; main wires it in.
package cluster

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of what the cluster keeps in JetStream.
const (
	EventStream   = "TRIBUNE_EVENTS"
	eventSubjects = "tribune.events."
	LeaseBucket   = "tribune_leases"
	CursorBucket  = "tribune_cursors"
	NodeBucket    = "tribune_nodes"
)

// Options are what every node of a cluster agrees on.
type Options struct {
	// Replicas of each stream and bucket: 3 on a three-server cluster, 1
	// on a single (embedded) server. Zero means 1.
	Replicas int
	// Dedupe is the stream's duplicate window: an event published again
	// within it (same feed and id) is dropped. Zero means 2 minutes.
	Dedupe time.Duration
	// KeepFor and KeepCount bound the event stream as the config's
	// keep_for and keep_count bound the store: by age, and by count per
	// feed. Zero keeps it unbounded on that axis.
	KeepFor   time.Duration
	KeepCount int64
	// LeaseTTL is how long a feed's lease outlives its holder's last
	// renewal: failover takes about that long. Zero means 6 seconds.
	LeaseTTL time.Duration
}

func (o Options) withDefaults() Options {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Dedupe <= 0 {
		o.Dedupe = 2 * time.Minute
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 6 * time.Second
	}
	return o
}

// Conn is one node's connection to the cluster, with the streams and
// buckets it uses made sure of.
type Conn struct {
	NC     *nats.Conn
	JS     jetstream.JetStream
	Node   string
	opts   Options
	leases jetstream.KeyValue
	cursor jetstream.KeyValue
	nodes  jetstream.KeyValue
	drafts jetstream.KeyValue
	read   jetstream.KeyValue
	prefs  jetstream.KeyValue
	crisis jetstream.KeyValue
	// presence forgets an entry a lease TTL after its last put.
	presence jetstream.KeyValue
	// outcomes is the stream of what became of each action.
	outcomes jetstream.Stream
}

// Dial connects node to the cluster at url (a comma-separated list of
// servers) and creates or updates the streams and buckets.
func Dial(ctx context.Context, url, node string, opts Options) (*Conn, error) {
	nc, err := nats.Connect(url, nats.Name("tribune "+node), nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("cluster: connecting to %s: %w", url, err)
	}
	c, err := setup(ctx, nc, node, opts)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func setup(ctx context.Context, nc *nats.Conn, node string, opts Options) (*Conn, error) {
	if node == "" {
		return nil, errors.New("cluster: the node needs a name")
	}
	opts = opts.withDefaults()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(publishTimeout), jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	c := &Conn{NC: nc, JS: js, Node: node, opts: opts}
	// What exists is used as it is: the first node of a cluster makes the
	// streams, and one started with other settings (or `cluster status`)
	// changes nothing, but for the event stream's retention (Retain).
	err = c.ensureStream(ctx, jetstream.StreamConfig{
		Name:              EventStream,
		Description:       "tribune: sanitized events of every feed",
		Subjects:          []string{eventSubjects + ">"},
		Storage:           jetstream.FileStorage,
		Replicas:          opts.Replicas,
		Duplicates:        opts.Dedupe,
		MaxAge:            opts.KeepFor,
		MaxMsgsPerSubject: opts.KeepCount,
		Discard:           jetstream.DiscardOld,
	})
	if err != nil {
		return nil, err
	}
	if err := c.setupOutbox(ctx); err != nil {
		return nil, err
	}
	kv := func(bucket, what string, ttl time.Duration) (jetstream.KeyValue, error) {
		b, err := js.KeyValue(ctx, bucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			b, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
				Bucket: bucket, Description: what, TTL: ttl,
				Storage: jetstream.FileStorage, Replicas: opts.Replicas,
			})
			if errors.Is(err, jetstream.ErrBucketExists) {
				b, err = js.KeyValue(ctx, bucket)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: bucket %s: %w", bucket, err)
		}
		return b, nil
	}
	if c.leases, err = kv(LeaseBucket, "tribune: which ingest node runs each feed", opts.LeaseTTL); err != nil {
		return nil, err
	}
	// The renewals must keep to the TTL the bucket has, whoever made it.
	st, err := c.leases.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", LeaseBucket, err)
	}
	if st.TTL() > 0 {
		c.opts.LeaseTTL = st.TTL()
	}
	if c.cursor, err = kv(CursorBucket, "tribune: where each feed resumes", 0); err != nil {
		return nil, err
	}
	if c.drafts, err = kv(DraftBucket, "tribune: every operator's drafts", 0); err != nil {
		return nil, err
	}
	if c.read, err = kv(ReadBucket, "tribune: every operator's read marks", 0); err != nil {
		return nil, err
	}
	if c.prefs, err = kv(PrefBucket, "tribune: every operator's preferences: columns, mutes, theme", 0); err != nil {
		return nil, err
	}
	if c.crisis, err = kv(CrisisBucket, "tribune: the team's outbox brake and incident", 0); err != nil {
		return nil, err
	}
	if c.presence, err = kv(PresenceBucket, "tribune: who is connected to each front-end", c.opts.LeaseTTL); err != nil {
		return nil, err
	}
	if c.nodes, err = kv(NodeBucket, "tribune: nodes alive, and their role", c.opts.LeaseTTL); err != nil {
		return nil, err
	}
	return c, nil
}

// ensureStream makes the stream cfg describes unless it exists.
func (c *Conn) ensureStream(ctx context.Context, cfg jetstream.StreamConfig) error {
	_, err := c.JS.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = c.JS.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("cluster: stream %s: %w", cfg.Name, err)
	}
	return nil
}

// Close drains the connection: what was published is flushed first.
func (c *Conn) Close() { _ = c.NC.Drain() }

// Token is feed written as one subject token and KV key: itself when it
// is made of letters, digits, '-' and '_' only, else "=" and its hex.
func Token(feed string) string {
	if feed == "" {
		return "="
	}
	for i := 0; i < len(feed); i++ {
		b := feed[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return "=" + hex.EncodeToString([]byte(feed))
		}
	}
	return feed
}

// subject is where feed's events are published.
func subject(feed string) string { return eventSubjects + Token(feed) }
