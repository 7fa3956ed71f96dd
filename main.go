// Command tribune is a terminal dashboard for live community animation:
// every live stream of a brand in one screen, one composer to answer from,
// and the pulse of the community.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/search"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tribune:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake on the command line.
type usageError struct{ error }

type options struct {
	config   string
	db       string
	theme    string
	operator string
	seed     int64
	demoRate float64
	debug    string
	noMouse  bool
	version  bool
	cluster  clusterOptions
}

const usageText = `tribune — a terminal dashboard for live community animation

Usage:
  tribune [flags]                  run the dashboard (the built-in demo when no feeds are configured)
  tribune serve [--listen ADDR]    serve the dashboard over SSH to the team's operators
  tribune ingest --cluster URL     run the feeds for a cluster of front-ends (serve --cluster URL)
  tribune cluster status           the cluster's nodes, feeds, front-ends' lag and streams
  tribune audit [--since T]        print the audit log as JSON lines (T: "2h", "2026-11-23", RFC 3339)
  tribune export --since T         the stored events as JSON lines or CSV (--until, --feed, --format, --out)
  tribune report --since T         a report on the period as Markdown, CSV or HTML (--until, --format, --out)
  tribune db check                 verify the database
  tribune db compact               rewrite the database to reclaim free space (tribune must not be running)
  tribune version                  print the version
  tribune help [COMMAND]           print this help, or a command's

Flags go before or after the command ("tribune db check --db x.db"):
`

const usageFooter = `
Keys: tab cycles panes, r replies to the selected message, ctrl+s sends,
? shows every key, q quits (ctrl+c always quits).

Data lives in $XDG_DATA_HOME/tribune (default ~/.local/share/tribune);
config is read from --config, else $XDG_CONFIG_HOME/tribune/config.toml.

Exit status: 0 done, 1 an error, 2 a mistake on the command line.
`

// commandHelp is the help of each command, for "tribune help CMD" and
// "tribune CMD --help".
var commandHelp = map[string]string{
	"audit": `Usage: tribune audit [--since T] [flags]

Prints the audit log (every action an operator queued and what became of
it) as JSON lines, oldest first.
`,
	"db": `Usage: tribune db check [flags]
       tribune db compact [flags]

check verifies the database and lists any problem (exit 1 if there is
one); compact rewrites it to give free space back to the disk (tribune
must not be running; the file never grows).
`,
	"version": "Usage: tribune version\n\nPrints the version.\n",
	"help":    "Usage: tribune help [COMMAND]\n\nPrints the help, or a command's.\n",
}

// newFlagSet is a flag set for the command name holding the flags every
// command takes, bound to o (their defaults are o's values, so a flag
// given before the command stays set). Parse errors are returned, not
// printed: the caller says them once.
func (o *options) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.config, "config", o.config, "config `file` (default $XDG_CONFIG_HOME/tribune/config.toml)")
	fs.StringVar(&o.db, "db", o.db, "database `file` (default $XDG_DATA_HOME/tribune/tribune.db)")
	fs.StringVar(&o.theme, "theme", o.theme, "colour theme: dark, light or colorblind (NO_COLOR turns colour off)")
	fs.StringVar(&o.operator, "operator", o.operator, "operator `name` whose drafts and read marks these are (default \"local\")")
	fs.Int64Var(&o.seed, "seed", o.seed, "demo: content seed; the same seed plays the same event")
	fs.Float64Var(&o.demoRate, "demo-rate", o.demoRate, "demo: messages per second over all demo feeds, in calm phases")
	fs.StringVar(&o.debug, "debug", o.debug, "log every message the dashboard receives to `file`")
	fs.BoolVar(&o.noMouse, "no-mouse", o.noMouse, "leave the mouse to the terminal (its own selection); by default a click selects and focuses, the wheel scrolls")
	fs.BoolVar(&o.version, "version", o.version, "print the version and exit")
	return fs
}

// parse parses args with fs; a parse error is a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{fmt.Errorf("%w (see tribune help)", err)}
	}
	return nil
}

// printUsage writes the help of command (the whole program's when "").
func printUsage(w io.Writer, command string) {
	if command != "" {
		fmt.Fprint(w, commandHelp[command])
		fmt.Fprintln(w, "\nFlags (before or after the command):")
	} else {
		fmt.Fprint(w, usageText)
	}
	var o options
	o.seed, o.demoRate = 1, 5
	fs := o.newFlagSet("tribune")
	if command == "serve" {
		new(serveOptions).flags(fs)
	}
	if joinsCluster(command) {
		new(clusterOptions).flags(fs)
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	if command == "" {
		fmt.Fprint(w, usageFooter)
	}
}

// parseFlags reads the flags before the command and returns the rest.
func parseFlags(args []string) (options, []string, error) {
	o := options{seed: 1, demoRate: 5}
	fs := o.newFlagSet("tribune")
	if err := parse(fs, args); err != nil {
		return o, nil, err
	}
	return o, fs.Args(), nil
}

// check validates the flags, once all are parsed.
func (o options) check() error {
	if o.demoRate <= 0 || o.demoRate > 20000 {
		return usageError{fmt.Errorf("--demo-rate must be between 0 and 20000 messages per second, not %g", o.demoRate)}
	}
	return nil
}

func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				if v == "" {
					v = "dev"
				}
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	return "tribune " + v
}

// run runs the command line. Help goes to stdout and is no error; every
// other answer of a command goes to stdout, and errors are returned.
func run(args []string, stdout, stderr io.Writer) error {
	o, rest, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, "")
		return nil
	}
	if err != nil {
		return err
	}
	command := ""
	if len(rest) > 0 {
		command, rest = rest[0], rest[1:]
	}
	if command == "help" {
		switch {
		case len(rest) == 0:
			printUsage(stdout, "")
		case len(rest) == 1 && commandHelp[rest[0]] != "":
			printUsage(stdout, rest[0])
		default:
			return usageError{fmt.Errorf("help: no command %q (see tribune help)", strings.Join(rest, " "))}
		}
		return nil
	}
	if command != "" && commandHelp[command] == "" {
		return usageError{fmt.Errorf("unknown command %q (see tribune help)", command)}
	}
	// The command's own arguments, with the common flags anywhere among
	// them: "db" takes its verb first ("tribune db check --db x.db").
	var q queryFlags
	fs := o.newFlagSet("tribune " + command)
	q.register(command, fs)
	var so serveOptions
	if command == "serve" {
		so.flags(fs)
	}
	if joinsCluster(command) {
		o.cluster.flags(fs)
	}
	var positional []string
	for {
		if err := parse(fs, rest); errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, command)
			return nil
		} else if err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := o.check(); err != nil {
		return err
	}
	if o.version || command == "version" {
		if len(positional) > 0 {
			return usageError{fmt.Errorf("version: unexpected %q", positional[0])}
		}
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	switch command {
	case "":
		if len(positional) > 0 {
			return usageError{fmt.Errorf("unexpected %q (see tribune help)", positional[0])}
		}
	case "audit", "export", "report", "serve", "ingest":
		if len(positional) > 0 {
			return usageError{fmt.Errorf("%s: unexpected %q", command, positional[0])}
		}
	case "cluster":
		if len(positional) != 1 || positional[0] != "status" {
			return usageError{errors.New("cluster: want \"tribune cluster status\"")}
		}
	case "db":
		if len(positional) != 1 || (positional[0] != "check" && positional[0] != "compact") {
			return usageError{errors.New("db: want \"tribune db check\" or \"tribune db compact\"")}
		}
	}
	cfg, err := o.loadConfig()
	if err != nil {
		return err
	}
	switch command {
	case "audit", "export", "report":
		return queryCmd(o, cfg, command, q, stdout)
	case "serve":
		return serveCmd(o, so, cfg, stderr)
	case "ingest":
		return ingestCmd(o, cfg, stderr)
	case "cluster":
		return clusterStatusCmd(o, cfg, stdout)
	case "db":
		return dbCmd(o, cfg, positional[0], stdout)
	}
	return dashboard(o, cfg)
}

// loadConfig reads --config, else the default config file if there is one.
func (o options) loadConfig() (Config, error) {
	path, explicit := o.config, o.config != ""
	if !explicit {
		var err error
		if path, err = defaultConfigPath(); err != nil {
			return Config{}, nil
		}
	}
	return loadConfig(path, explicit)
}

// dbPath is --db, else the config's db, else the default place.
func (o options) dbPath(cfg Config) (string, error) {
	if p := setting(o.db, cfg.DB, ""); p != "" {
		return p, nil
	}
	return defaultDBPath()
}

// setting picks the flag when given, else the config, else the default.
func setting(flagVal, cfgVal, def string) string {
	switch {
	case flagVal != "":
		return flagVal
	case cfgVal != "":
		return cfgVal
	}
	return def
}

func dashboard(o options, cfg Config) error {
	palette, err := themes.Builtin(setting(o.theme, cfg.Theme, "dark"))
	if err != nil {
		return usageError{err}
	}
	var debugLog io.Writer
	if o.debug != "" {
		f, err := os.OpenFile(o.debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("opening debug log: %w", err)
		}
		defer f.Close()
		debugLog = f
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	svc, err := startServices(ctx, o, cfg, nil) // one local operator may do everything
	if err != nil {
		return err
	}
	defer svc.stop()
	// audit, export and report ask this process while it holds the db.
	dbPath, _ := o.dbPath(cfg) // startServices opened it
	if stopControl, err := startControl(ctx, svc.db, dbPath, cfg); err != nil {
		hub.Publish(svc.Hub, hub.TopicErrors, err.Error())
	} else {
		defer stopControl()
	}
	// This terminal is one session; `tribune serve` runs one per SSH
	// connection over the same services.
	p := tui.NewProgram(ctx, svc.Services, tui.Session{
		Environ:  os.Environ(),
		Operator: setting(o.operator, cfg.Operator, "local"),
		Role:     "admin", // whoever runs it locally owns the machine
		Location: time.Local,
		Theme:    palette,
		NoMouse:  o.noMouse,
		Debug:    debugLog,
	})
	return p.Run()
}

// services are what every session shares: the store, the hub and its
// connectors, the dispatcher and the stats engine, started once.
type services struct {
	tui.Services
	db     *store.DB
	cancel context.CancelFunc
	done   sync.WaitGroup
	// retained, in a cluster, is what this node changed in the event
	// stream's retention, for serve's log.
	retained string
}

// startServices opens the store and starts the feeds and the dispatcher;
// they run until ctx ends or stop is called.
func startServices(ctx context.Context, o options, cfg Config, authorize func(operator, what string) error) (*services, error) {
	// The connectors first: a config mistake or a missing secret is
	// reported before any database file is created.
	feedCfgs, pulse := cfg.Feeds, cfg.Pulse
	if len(feedCfgs) == 0 {
		feedCfgs = demoFeeds(o.demoRate)
		if pulse.Brand == nil && pulse.Watch == nil {
			pulse = demoPulse
		}
	}
	conns := make([]feeds.Connector, len(feedCfgs))
	for i, fc := range feedCfgs {
		c, err := fc.build(o)
		if err != nil {
			return nil, fmt.Errorf("config: feed %s: %w", fc.ID, err)
		}
		conns[i] = c
	}
	limits := sendLimits(feedCfgs)
	dbPath, err := o.dbPath(cfg)
	if err != nil {
		return nil, err
	}
	// In a cluster, the feeds run on the ingest nodes.
	fe, conns, err := joinCluster(ctx, o, cfg, feedCfgs, conns)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dbPath, fe.storeOptions(cfg))
	if err != nil {
		if fe != nil {
			fe.stop()
		}
		return nil, err
	}
	engine := stats.New(nil)
	var events *hub.Hub
	onAlert := func(a stats.Alert) {
		// On the hub's goroutine: events is set before it runs.
		hub.Publish(events, stats.TopicAlerts, a)
		if err := db.Note(outbox.AuditEntry{What: outbox.AuditAlert, Feed: a.Feed, Text: a.Text}); err != nil {
			hub.Publish(events, hub.TopicErrors, "recording an alert: "+err.Error())
		}
	}
	onWatch := func(n int) { hub.Publish(events, stats.TopicWatch, n) }
	settings := configurePulse(engine, pulse, onAlert, onWatch)
	events, err = newHub(db, dbPath, engine)
	if err != nil {
		db.Close()
		return nil, err
	}
	for i, fc := range feedCfgs {
		if err := events.Add(fc.ID, conns[i]); err != nil {
			db.Close()
			return nil, fmt.Errorf("config: feed %s: %w", fc.ID, err)
		}
	}
	dispatcher := dispatch.New(db, events, dispatch.Options{Limits: limits, OnSent: engine.Acted, Authorize: authorize})
	ctx, cancel := context.WithCancel(ctx)
	s := &services{
		Services: tui.Services{Hub: events, Store: db, Stats: engine, Dispatcher: dispatcher, Work: new(sync.WaitGroup), Team: presence.NewTeam(),
			Bell: settings.Bell, Watch: settings.Watch, Statements: settings.Statements, Facts: settings.Facts, Canned: cfg.Canned},
		db:     db,
		cancel: cancel,
	}
	s.Reloaded = new(tui.Reloaded)
	s.Reload = reloader(o, engine, events, db, s.Reloaded, len(cfg.Feeds) == 0, onAlert, onWatch, authorize)
	s.done.Add(2)
	go func() { defer s.done.Done(); events.Run(ctx) }()
	go func() { defer s.done.Done(); dispatcher.Run(ctx) }()
	if fe != nil {
		s.retained = fe.retained
		team := fe.c.RelayTeam(s.Team) // before any session tells the team
		s.done.Add(1)
		go func() { defer s.done.Done(); fe.run(ctx, events, db, team, dispatcher, engine.Acted) }()
	}
	return s, nil
}

// configurePulse sets what the stats watch for, and returns what the
// sessions show of it. The config was checked when it was read.
func configurePulse(engine *stats.Engine, pulse PulseConfig, onAlert func(stats.Alert), onWatch func(int)) tui.Settings {
	rules, _ := pulse.Alerts.rules()
	watchWords, _ := pulse.matcher()
	engine.Configure(stats.Config{Brand: pulse.Brand, Alerts: rules, Text: stats.NewLexicon(watchWords, len(pulse.Brand)),
		OnAlert: onAlert, OnWatch: onWatch})
	return tui.Settings{Watch: watchWords, Statements: pulse.Statements, Bell: pulse.Bell,
		Facts: search.NewPulse(watchWords, len(pulse.Brand), engine.Waiting)}
}

// reloader reads the config again for operator, when authorize allows
// it, and applies its [pulse] table to the stats and to every session.
// The feeds are not restarted.
func reloader(o options, engine *stats.Engine, events *hub.Hub, db *store.DB, kept *tui.Reloaded, demo bool,
	onAlert func(stats.Alert), onWatch func(int), authorize func(operator, what string) error) func(string) error {
	return func(operator string) error {
		if authorize != nil {
			if err := authorize(operator, "reload"); err != nil {
				return err
			}
		}
		cfg, err := o.loadConfig()
		if err != nil {
			return err
		}
		pulse := cfg.Pulse
		if demo && pulse.Brand == nil && pulse.Watch == nil {
			pulse = demoPulse
		}
		settings := configurePulse(engine, pulse, onAlert, onWatch)
		kept.Store(settings) // for the sessions still to open
		hub.Publish(events, tui.TopicSettings, settings)
		return db.Note(outbox.AuditEntry{By: operator, What: outbox.AuditNote, Text: "config reloaded"})
	}
}

// newHub makes the hub over the store, with the stats engine and the
// de-duplication seeded from what the store holds.
func newHub(db *store.DB, dbPath string, engine *stats.Engine) (*hub.Hub, error) {
	if err := seedStats(engine, db); err != nil {
		return nil, err
	}
	lastSeq, err := db.LastSeq()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dbPath, err)
	}
	recent, err := db.Recent(5000)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dbPath, err)
	}
	// The last hour's, as far as these go: authors, questions, and the
	// baselines of the spike alerts (with the minute counts seeded above).
	engine.SeedAuthors(recent)
	// The moderation counts and the alerts of the same hour.
	var audit []outbox.AuditEntry
	err = db.Audit(time.Now().Add(-time.Hour), func(en outbox.AuditEntry) error {
		audit = append(audit, en)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log of %s: %w", dbPath, err)
	}
	engine.SeedAudit(audit)
	return hub.New(hub.Options{Store: db, Observe: engine.Observe, LastSeq: lastSeq, Seen: recent}), nil
}

// stop stops the feeds and the dispatcher, waits for the writes sessions
// started, and closes the store.
func (s *services) stop() {
	s.cancel()
	s.done.Wait()
	tui.WaitWork(s.Work, 5*time.Second)
	s.db.Close()
}

// pruneDelay lets start-up draw its first frame before the store prunes
// what retention left while tribune was not running.
const pruneDelay = 500 * time.Millisecond

// storeOptions is the retention the config asks for.
func storeOptions(cfg Config) store.Options {
	opts := store.Options{Retention: cfg.Keep.Count, MaxAge: cfg.Keep.MaxAge, Feeds: make(map[string]store.Retention),
		PruneDelay: pruneDelay}
	for _, f := range cfg.Feeds {
		opts.Feeds[f.ID] = f.Keep
	}
	return opts
}

// seedStats restores the last hour of per-minute counts.
func seedStats(e *stats.Engine, db *store.DB) error {
	counts, err := db.MinuteCounts(time.Now().Add(-time.Hour))
	if err != nil {
		return fmt.Errorf("reading message counts: %w", err)
	}
	seed := make(map[string][]stats.MinuteCount, len(counts))
	for feed, mcs := range counts {
		for _, mc := range mcs {
			seed[feed] = append(seed[feed], stats.MinuteCount{Minute: mc.Minute, N: mc.N})
		}
	}
	e.Seed(seed)
	return nil
}
