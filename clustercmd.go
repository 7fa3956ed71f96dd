package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// ClusterConfig is the [cluster] table: where the NATS JetStream cluster
// is, and who this node is in it. Without a URL (or --cluster), nothing of
// NATS is used.
type ClusterConfig struct {
	URL      string `toml:"url"`       // nats://a:4222,nats://b:4222, or "embedded"
	Node     string `toml:"node"`      // default: the host name
	Replicas int    `toml:"replicas"`  // 3 on a three-server cluster; default 1
	LeaseTTL string `toml:"lease_ttl"` // default "6s": how long a failover takes
	Listen   string `toml:"listen"`    // embedded: default 127.0.0.1:4222
}

// clusterOptions are the flags of the commands that join a cluster.
type clusterOptions struct{ url, node string }

func (co *clusterOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&co.url, "cluster", "", "serve, ingest, cluster: the NATS `url` of the cluster (nats://a:4222,nats://b:4222), or \"embedded\" (serve)")
	fs.StringVar(&co.node, "node", "", "serve, ingest: this node's `name` in the cluster (default the host name)")
}

// joinsCluster is the commands that take the cluster flags.
func joinsCluster(command string) bool {
	return command == "serve" || command == "ingest" || command == "cluster"
}

func init() {
	commandHelp["ingest"] = `Usage: tribune ingest --cluster URL [--node NAME] [flags]

Runs the configured feeds for a cluster of tribune front-ends: each feed
runs on one ingest node at a time (the one holding its lease; another
takes it over within seconds when that node dies), and every event,
sanitized, goes to the cluster's JetStream stream. Front-ends run
"tribune serve --cluster URL". SIGTERM or ctrl+c stops it, and its feeds
go to another node at once.
`
	commandHelp["cluster"] = `Usage: tribune cluster status --cluster URL [flags]

Shows the nodes of the cluster, which node runs which feed, how far each
front-end is behind the event stream, and the streams' sizes.
`
}

// clusterURL is --cluster, else the [cluster] table's url.
func (o options) clusterURL(cfg Config) string { return setting(o.cluster.url, cfg.Cluster.URL, "") }

// dialCluster connects this node to the cluster, first starting the
// embedded server when the URL says "embedded"; stop closes both.
func dialCluster(ctx context.Context, o options, cfg Config) (c *cluster.Conn, stop func(), err error) {
	url := o.clusterURL(cfg)
	node := setting(o.cluster.node, cfg.Cluster.Node, "")
	if node == "" {
		if node, err = os.Hostname(); err != nil {
			return nil, nil, fmt.Errorf("cluster: no --node, and no host name: %w", err)
		}
	}
	// The stream keeps what the database keeps by default.
	opts := cluster.Options{Replicas: cfg.Cluster.Replicas, KeepFor: cfg.Keep.MaxAge,
		KeepCount: int64(cmp.Or(cfg.Keep.Count, store.DefaultRetention))}
	if cfg.Cluster.LeaseTTL != "" {
		if opts.LeaseTTL, err = time.ParseDuration(cfg.Cluster.LeaseTTL); err != nil || opts.LeaseTTL < time.Second {
			return nil, nil, fmt.Errorf("config: cluster.lease_ttl %q is not a duration of a second or more", cfg.Cluster.LeaseTTL)
		}
	}
	var embedded *server.Server
	if url == "embedded" {
		dbPath, err := o.dbPath(cfg)
		if err != nil {
			return nil, nil, err
		}
		host, port, err := net.SplitHostPort(setting("", cfg.Cluster.Listen, "127.0.0.1:4222"))
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil {
			return nil, nil, fmt.Errorf("config: cluster.listen %q is not HOST:PORT", cfg.Cluster.Listen)
		}
		sopts := &server.Options{ServerName: node, Host: host, Port: p,
			StoreDir: filepath.Join(filepath.Dir(dbPath), "jetstream")}
		if embedded, err = cluster.Serve(sopts); err != nil {
			return nil, nil, err
		}
		url = embedded.ClientURL()
		opts.Replicas = 1
	}
	c, err = cluster.Dial(ctx, url, node, opts)
	if err != nil {
		if embedded != nil {
			embedded.Shutdown()
		}
		return nil, nil, err
	}
	return c, func() {
		c.Close()
		if embedded != nil {
			embedded.Shutdown()
		}
	}, nil
}

// frontEnd is what `serve --cluster` adds to the services: the feeds
// stand for the ingest nodes' (cluster.Remote), and the hub follows the
// event stream. With "embedded", this process is an ingest node too.
type frontEnd struct {
	c      *cluster.Conn
	stop   func()
	ingest *cluster.Ingest
	drafts *cluster.Drafts
	audit  *cluster.Audit
	read   *cluster.ReadMarks
	prefs  *cluster.Prefs
	crisis *cluster.Crisis
	// retained is what Retain changed in the event stream, if anything.
	retained string
}

// storeOptions are the store's, with the front-end's drafts, read
// marks, preferences, outbox brake and incident shared and its audit log copied to the cluster's.
func (fe *frontEnd) storeOptions(cfg Config) store.Options {
	opts := storeOptions(cfg)
	if fe != nil {
		opts.OnDraft = fe.drafts.Saved
		opts.OnAudit = fe.audit.Noted
		opts.OnRead = fe.read.Marked
		opts.OnPref = fe.prefs.Saved
		opts.OnHold = fe.crisis.Held
		opts.OnIncident = fe.crisis.Incident
	}
	return opts
}

// joinCluster, when the config or flags name a cluster, connects to it and
// returns the connectors the front-end's hub gets instead of conns.
func joinCluster(ctx context.Context, o options, cfg Config, feedCfgs []FeedConfig, conns []feeds.Connector) (*frontEnd, []feeds.Connector, error) {
	url := o.clusterURL(cfg)
	if url == "" {
		return nil, conns, nil
	}
	c, stop, err := dialCluster(ctx, o, cfg)
	if err != nil {
		return nil, nil, err
	}
	fe := &frontEnd{c: c, stop: stop, drafts: c.Drafts(), audit: c.Audit(), read: c.ReadMarks(), prefs: c.Prefs(), crisis: c.Crisis()}
	if fe.retained, err = c.Retain(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	remote := make([]feeds.Connector, len(conns))
	local := make([]cluster.Feed, len(conns))
	for i, fc := range feedCfgs {
		remote[i] = c.Remote(fc.ID, conns[i])
		local[i] = cluster.Feed{ID: fc.ID, Conn: conns[i]}
	}
	if url == "embedded" {
		if fe.ingest, err = c.NewIngest(local, sendLimits(feedCfgs)); err != nil {
			stop()
			return nil, nil, err
		}
	}
	return fe, remote, nil
}

// healthEvery is how often a front-end tells its sessions how it stands
// with the cluster (the Stats pane's cluster line).
const healthEvery = 2 * time.Second

// run follows the stream into events and the outcomes of the replies
// into db, shares the operators' drafts, read marks and preferences, the
// team's presence, outbox brake and incident (which d adopts), copies the
// audit log, shows the other front-ends' actions (their sends count as
// answers through acted), tells the sessions how it stands with the
// cluster (and runs the embedded ingest node) until ctx ends, then leaves
// the cluster.
func (fe *frontEnd) run(ctx context.Context, events *hub.Hub, db *store.DB, team *cluster.TeamRelay, d *dispatch.Dispatcher,
	acted func(feeds.Action, time.Time)) {
	defer fe.stop()
	report := func(msg string) { hub.Publish(events, hub.TopicErrors, msg) }
	onErr := func(err error) { report(err.Error()) }
	var wg sync.WaitGroup
	defer wg.Wait()
	spawn := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if fe.ingest != nil {
		spawn(func() { fe.ingest.Run(ctx, report) })
	}
	spawn(func() {
		if err := fe.c.FollowOutcomes(ctx, db, events); err != nil {
			onErr(err)
		}
	})
	spawn(func() {
		// From an hour back, as the pulse is rebuilt at start.
		seen := newSeenIDs(10_000)
		fe.c.FollowTeam(ctx, time.Now().Add(-time.Hour), db, func(o outbox.Outgoing) {
			hub.Publish(events, hub.TopicOutbox, o)
			if o.State == outbox.StateSent && seen.first(o.Action.ID) { // the sender's entry and its front-end's
				acted(o.Action, o.Updated)
			}
		})
	})
	spawn(func() { fe.drafts.Run(ctx, db, onErr) })
	spawn(func() { fe.read.Run(ctx, db, onErr) })
	spawn(func() { fe.prefs.Run(ctx, db, onErr) })
	spawn(func() { fe.crisis.Run(ctx, d, onErr) })
	spawn(func() { team.Run(ctx, events, onErr) })
	spawn(func() { fe.audit.Run(ctx, onErr) })
	spawn(func() { fe.c.ReportHealth(ctx, events, healthEvery) })
	if err := fe.c.Follow(ctx, events, onErr); err != nil {
		onErr(err)
	}
}

// ingestCmd runs `tribune ingest` until a signal stops it.
func ingestCmd(o options, cfg Config, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	url := o.clusterURL(cfg)
	switch url {
	case "":
		return usageError{fmt.Errorf("ingest: which cluster? give --cluster nats://HOST:4222 (or [cluster] url)")}
	case "embedded":
		return usageError{fmt.Errorf("ingest: --cluster embedded is for serve; give the URL of the cluster")}
	}
	feedCfgs := cfg.Feeds
	if len(feedCfgs) == 0 {
		feedCfgs = demoFeeds(o.demoRate)
	}
	fs := make([]cluster.Feed, len(feedCfgs))
	for i, fc := range feedCfgs {
		c, err := fc.build(o)
		if err != nil {
			return fmt.Errorf("config: feed %s: %w", fc.ID, err)
		}
		fs[i] = cluster.Feed{ID: fc.ID, Conn: c}
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	c, stop, err := dialCluster(ctx, o, cfg)
	if err != nil {
		return err
	}
	defer stop()
	if said, err := c.Retain(ctx); err != nil {
		return err
	} else if said != "" {
		log.Info(said)
	}
	in, err := c.NewIngest(fs, sendLimits(feedCfgs))
	if err != nil {
		return err
	}
	log.Info("ingest node up", "node", c.Node, "cluster", c.NC.ConnectedUrlRedacted(), "feeds", len(fs))
	in.Run(ctx, func(msg string) { log.Warn(msg) })
	return nil
}

// clusterStatusCmd prints `tribune cluster status`.
func clusterStatusCmd(o options, cfg Config, stdout io.Writer) error {
	url := o.clusterURL(cfg)
	if url == "" || url == "embedded" {
		return usageError{fmt.Errorf("cluster status: give the cluster's URL with --cluster (or [cluster] url)")}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o.cluster.node = fmt.Sprintf("status-%d", os.Getpid())
	c, stop, err := dialCluster(ctx, o, cfg)
	if err != nil {
		return err
	}
	defer stop()
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	return st.Write(stdout)
}

// sendLimits are the feeds' send_limit overrides.
func sendLimits(fcs []FeedConfig) map[string]feeds.Limit {
	limits := make(map[string]feeds.Limit)
	for _, fc := range fcs {
		if fc.SendLimit != nil {
			limits[fc.ID] = *fc.SendLimit
		}
	}
	return limits
}

// seenIDs tells the first time an id is seen from the next ones, keeping
// the last n to 2n ids.
type seenIDs struct {
	n         int
	cur, prev map[string]bool
}

func newSeenIDs(n int) *seenIDs { return &seenIDs{n: n, cur: make(map[string]bool)} }

func (o *seenIDs) first(id string) bool {
	if o.cur[id] || o.prev[id] {
		return false
	}
	if len(o.cur) >= o.n {
		o.prev, o.cur = o.cur, make(map[string]bool)
	}
	o.cur[id] = true
	return true
}
