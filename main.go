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
	"sync"
	"syscall"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
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
	version  bool
}

const usageText = `tribune — a terminal dashboard for live community animation

Usage:
  tribune [flags]                  run the dashboard (the built-in demo when no feeds are configured)
  tribune [flags] audit [--since T] print the audit log as JSON lines (T: "2h", "2026-11-23", RFC 3339)
  tribune [flags] db check         verify the database
  tribune [flags] db compact       rewrite the database to reclaim free space (tribune must not be running)
  tribune version                  print the version

Flags:
`

const usageFooter = `
Keys: tab cycles panes, r replies to the selected message, ctrl+s sends,
? shows every key, q quits (ctrl+c always quits).

Data lives in $XDG_DATA_HOME/tribune (default ~/.local/share/tribune);
config is read from --config, else $XDG_CONFIG_HOME/tribune/config.toml.
`

func parseFlags(args []string, stderr io.Writer) (options, []string, error) {
	var o options
	fs := flag.NewFlagSet("tribune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "config `file` (default $XDG_CONFIG_HOME/tribune/config.toml)")
	fs.StringVar(&o.db, "db", "", "database `file` (default $XDG_DATA_HOME/tribune/tribune.db)")
	fs.StringVar(&o.theme, "theme", "", "colour theme: dark, light or colorblind (NO_COLOR turns colour off)")
	fs.StringVar(&o.operator, "operator", "", "operator `name` whose drafts and read marks these are (default \"local\")")
	fs.Int64Var(&o.seed, "seed", 1, "demo: content seed; the same seed plays the same event")
	fs.Float64Var(&o.demoRate, "demo-rate", 5, "demo: messages per second over all demo feeds, in calm phases")
	fs.StringVar(&o.debug, "debug", "", "log every message the dashboard receives to `file`")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
		fmt.Fprint(stderr, usageFooter)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, nil, err
		}
		return o, nil, usageError{err}
	}
	if o.demoRate <= 0 || o.demoRate > 20000 {
		return o, nil, usageError{fmt.Errorf("--demo-rate must be between 0 and 20000 messages per second, not %g", o.demoRate)}
	}
	return o, fs.Args(), nil
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

func run(args []string, stdout, stderr io.Writer) error {
	o, rest, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	if len(rest) > 0 && rest[0] == "version" && len(rest) == 1 {
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	cfg, err := o.loadConfig()
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return dashboard(o, cfg)
	}
	switch rest[0] {
	case "audit":
		return auditCmd(o, cfg, rest[1:], stdout, stderr)
	case "db":
		return dbCmd(o, cfg, rest[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("unknown command %q (see tribune --help)", rest[0])}
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
	svc, err := startServices(ctx, o, cfg)
	if err != nil {
		return err
	}
	defer svc.stop()
	// This terminal is one session; `tribune serve` will run one per SSH
	// connection over the same services.
	p := tui.NewProgram(ctx, svc.Services, tui.Session{
		Environ:  os.Environ(),
		Operator: setting(o.operator, cfg.Operator, "local"),
		Role:     "admin", // whoever runs it locally owns the machine
		Location: time.Local,
		Theme:    palette,
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
}

// startServices opens the store and starts the feeds and the dispatcher;
// they run until ctx ends or stop is called.
func startServices(ctx context.Context, o options, cfg Config) (*services, error) {
	dbPath, err := o.dbPath(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dbPath, storeOptions(cfg))
	if err != nil {
		return nil, err
	}
	events, engine, err := newHub(db, dbPath)
	if err != nil {
		db.Close()
		return nil, err
	}
	feedCfgs := cfg.Feeds
	if len(feedCfgs) == 0 {
		feedCfgs = demoFeeds(o.demoRate)
	}
	limits := make(map[string]feeds.Limit)
	for _, fc := range feedCfgs {
		c, err := fc.build(o)
		if err == nil {
			err = events.Add(fc.ID, c)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("config: feed %s: %w", fc.ID, err)
		}
		if fc.SendLimit != nil {
			limits[fc.ID] = *fc.SendLimit
		}
	}
	dispatcher := dispatch.New(db, events, dispatch.Options{Limits: limits})
	ctx, cancel := context.WithCancel(ctx)
	s := &services{
		Services: tui.Services{Hub: events, Store: db, Stats: engine, Dispatcher: dispatcher, Work: new(sync.WaitGroup)},
		db:       db,
		cancel:   cancel,
	}
	s.done.Add(2)
	go func() { defer s.done.Done(); events.Run(ctx) }()
	go func() { defer s.done.Done(); dispatcher.Run(ctx) }()
	return s, nil
}

// newHub makes the hub over the store, with the stats engine and the
// de-duplication seeded from what the store holds.
func newHub(db *store.DB, dbPath string) (*hub.Hub, *stats.Engine, error) {
	engine := stats.New(nil)
	if err := seedStats(engine, db); err != nil {
		return nil, nil, err
	}
	lastSeq, err := db.LastSeq()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", dbPath, err)
	}
	recent, err := db.Recent(5000)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", dbPath, err)
	}
	engine.SeedAuthors(recent) // the last hour's, as far as these go
	return hub.New(hub.Options{Store: db, Observe: engine.Observe, LastSeq: lastSeq, Seen: recent}), engine, nil
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
