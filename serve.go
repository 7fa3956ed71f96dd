package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tribune/tribune/team"
	"github.com/tribune/tribune/themes"
)

// ServeConfig is the [serve] table: the SSH server of `tribune serve`.
type ServeConfig struct {
	Listen        string `toml:"listen"`          // 127.0.0.1:2222
	HostKey       string `toml:"host_key"`        // next to the database: host_ed25519
	Operators     string `toml:"operators"`       // next to the config: operators
	IdleTimeout   string `toml:"idle_timeout"`    // 30m
	MaxSessions   int    `toml:"max_sessions"`    // 50
	MaxPerAddress int    `toml:"max_per_address"` // 8
}

// serveOptions are serve's own flags; they win over the [serve] table.
type serveOptions struct {
	listen, hostKey, operators string
}

func (so *serveOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&so.listen, "listen", "", "serve: the `address` to listen on (default 127.0.0.1:2222)")
	fs.StringVar(&so.hostKey, "host-key", "", "serve: the host key `file`, made on first run (default host_ed25519 beside the database)")
	fs.StringVar(&so.operators, "operators", "", "serve: the operators `file` (default operators beside the config file)")
}

func init() {
	commandHelp["serve"] = `Usage: tribune serve [--listen ADDR] [--host-key FILE] [--operators FILE] [flags]

Runs the feeds, the store, the outbox and the stats once, and serves the
dashboard over SSH: each connection gets its own screen, sized and
coloured for its terminal, as the operator its key names in the operators
file (one "NAME ROLE KEY" a line; roles viewer, responder, moderator,
admin). Only listed keys get in; passwords are never asked.

It logs to stderr, one line per connection, refusal and action. SIGHUP
reads the operators file again (a removed key's sessions close; a file
that does not read is ignored, and the log says why); SIGTERM or ctrl+c
closes every session, saving its drafts, and stops.
`
}

// serveCmd runs `tribune serve` until a signal stops it.
func serveCmd(o options, so serveOptions, cfg Config, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	palette, err := themes.Builtin(setting(o.theme, cfg.Theme, "dark"))
	if err != nil {
		return usageError{err}
	}
	idle := 30 * time.Minute
	if cfg.Serve.IdleTimeout != "" {
		if idle, err = time.ParseDuration(cfg.Serve.IdleTimeout); err != nil || idle <= 0 {
			return fmt.Errorf("config: serve.idle_timeout %q is not a duration like \"30m\"", cfg.Serve.IdleTimeout)
		}
	}
	dbPath, err := o.dbPath(cfg)
	if err != nil {
		return err
	}
	operators := setting(so.operators, cfg.Serve.Operators, "")
	if operators == "" {
		confPath := o.config
		if confPath == "" {
			if confPath, err = defaultConfigPath(); err != nil {
				return err
			}
		}
		operators = filepath.Join(filepath.Dir(confPath), "operators")
	}
	// The operators file first: a mistake there starts nothing.
	if _, err := team.LoadOperators(operators); err != nil {
		return err
	}
	hostKey := setting(so.hostKey, cfg.Serve.HostKey, filepath.Join(filepath.Dir(dbPath), "host_ed25519"))
	if err := os.MkdirAll(filepath.Dir(hostKey), 0o700); err != nil {
		return fmt.Errorf("host key: %w", err)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	var srv *team.Server
	svc, err := startServices(ctx, o, cfg, func(operator, what string) error { return srv.Authorize(operator, what) })
	if err != nil {
		return err
	}
	defer svc.stop()
	if svc.retained != "" {
		log.Info(svc.retained)
	}
	// audit, export and report ask this process while it holds the db.
	if stopControl, err := startControl(ctx, svc.db, dbPath, cfg); err != nil {
		log.Warn("no control socket: audit, export and report cannot reach this process", "err", err)
	} else {
		defer stopControl()
	}
	srv, err = team.New(team.Options{
		Addr:          setting(so.listen, cfg.Serve.Listen, "127.0.0.1:2222"),
		HostKeyPath:   hostKey,
		OperatorsPath: operators,
		IdleTimeout:   idle,
		MaxSessions:   cfg.Serve.MaxSessions,
		MaxPerAddr:    cfg.Serve.MaxPerAddress,
		Services:      svc.Services,
		Theme:         palette,
		Log:           log,
	})
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = srv.Reload() // logged either way
			}
		}
	}()
	if err := srv.ListenAndServe(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
