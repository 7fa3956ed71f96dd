package team

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui"
)

// A Reload that lands between a login's lookup of its key and its
// admission must not leave the removed key a live dashboard.
func TestReloadDuringALogin(t *testing.T) {
	f := &fixture{t: t, dir: t.TempDir(), log: &syncBuffer{}, keys: map[string]gossh.Signer{"alice": newKey(t), "bob": newKey(t)}}
	f.operatorsFile(map[string]Role{"alice": Admin, "bob": Moderator})
	db, err := store.Open(filepath.Join(f.dir, "tribune.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.hub = hub.New(hub.Options{Store: db})
	f.hub.Add("twitch", quiet{})
	t.Cleanup(f.stop)
	var srv *Server
	var fired atomic.Bool
	now := func() time.Time {
		if fired.CompareAndSwap(false, true) {
			// handle has looked bob up and is about to admit him.
			f.operatorsFile(map[string]Role{"alice": Admin})
			if err := srv.Reload(); err != nil {
				t.Error(err)
			}
		}
		return time.Now()
	}
	ctx, cancel := context.WithCancel(context.Background())
	palette, _ := themes.Builtin("dark")
	srv, err = New(Options{HostKeyPath: filepath.Join(f.dir, "host_ed25519"), OperatorsPath: filepath.Join(f.dir, "operators"),
		Log: slog.New(slog.NewTextHandler(f.log, nil)), Theme: palette, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(f.db, f.hub, dispatch.Options{Authorize: srv.Authorize})
	srv.opts.Services = tui.Services{Hub: f.hub, Store: f.db, Stats: stats.New(nil), Dispatcher: d, Work: new(sync.WaitGroup), Team: presence.NewTeam()}
	f.srv = srv
	go f.hub.Run(ctx)
	go d.Run(ctx)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	f.addr = l.Addr().String()
	f.served = make(chan error, 1)
	go func() { f.served <- srv.Serve(ctx, l) }()
	f.cancel = cancel

	b, _ := f.open("bob", 100, 30)
	b.waitFor("this key was just removed from the team")
	b.ended()
	if strings.Contains(b.text(), "Feed") {
		t.Error("bob, removed during his login, saw the dashboard")
	}
}
