package team

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui"
)

// The load test is run by hand, not in CI:
//
//	go test ./team -run TestLoad -load -v -timeout 10m
//
// 50 SSH sessions (160x48, colour) on the demo at 500 messages a second,
// five of them never reading, for -load-for. A marker feed says "MARK-n"
// every 250 ms; each reading session notes when each marker reaches its
// screen. It reports the memory per session, the process's CPU, and the
// arrival-to-screen delay of the markers (p50, p99) over the reading
// sessions, and whether the heap grows while the stuck sessions stay stuck.
var (
	load     = flag.Bool("load", false, "run the SSH load test")
	loadFor  = flag.Duration("load-for", 30*time.Second, "how long the load test floods")
	loadN    = flag.Int("load-sessions", 50, "sessions")
	loadRate = flag.Float64("load-rate", 500, "demo messages a second")
	loadHeap = flag.String("load-heap", "", "write a heap profile at the end of the flood to `file`")
)

// marker says MARK-n every 250 ms and records when each was handed over.
type marker struct {
	mu   sync.Mutex
	sent map[string]time.Time
}

func (m *marker) Platform() string                       { return "irc" }
func (m *marker) Capabilities() feeds.Capabilities       { return feeds.Capabilities{MaxText: 500} }
func (m *marker) Do(context.Context, feeds.Action) error { return nil }
func (m *marker) Run(ctx context.Context, s feeds.Stream) error {
	s.Connected()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		text := fmt.Sprintf("MARK-%06d", n)
		m.mu.Lock()
		m.sent[text] = time.Now()
		m.mu.Unlock()
		s.Emit(feeds.Event{ID: text, Kind: feeds.KindMessage, Author: "probe", Text: text, Time: time.Now()})
	}
}

// watcher reads a session's output and notes when each marker shows.
type watcher struct {
	mu   sync.Mutex
	seen map[string]time.Time
	tail []byte
}

func (w *watcher) Write(p []byte) (int, error) {
	now := time.Now()
	buf := append(w.tail, p...)
	w.mu.Lock()
	for i := 0; ; {
		j := strings.Index(string(buf[i:]), "MARK-")
		if j < 0 || i+j+11 > len(buf) {
			break
		}
		k := string(buf[i+j : i+j+11])
		if _, ok := w.seen[k]; !ok {
			w.seen[k] = now
		}
		i += j + 11
	}
	w.mu.Unlock()
	if len(buf) > 16 {
		buf = buf[len(buf)-16:]
	}
	w.tail = append(w.tail[:0], buf...)
	return len(p), nil
}

func TestLoad(t *testing.T) {
	if !*load {
		t.Skip("the load test runs by hand: go test ./team -run TestLoad -load -v")
	}
	dir := t.TempDir()
	roles := map[string]Role{}
	f := &fixture{t: t, dir: dir, log: &syncBuffer{}, keys: map[string]gossh.Signer{}}
	for i := range *loadN {
		n := fmt.Sprintf("op%02d", i)
		roles[n] = Responder
		f.keys[n] = newKey(t)
	}
	f.operatorsFile(roles)
	db, err := store.Open(filepath.Join(dir, "tribune.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	engine := stats.New(nil)
	h := hub.New(hub.Options{Store: db, Observe: engine.Observe})
	for _, fc := range demo.Launch(*loadRate) {
		c, err := demo.New(fc.Config(fc.Platform, 1))
		if err != nil {
			t.Fatal(err)
		}
		h.Add(fc.Platform, c)
	}
	mk := &marker{sent: make(map[string]time.Time)}
	h.Add("probe", mk)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	palette, _ := themes.Builtin("dark")
	srv, err := New(Options{HostKeyPath: filepath.Join(dir, "host"), OperatorsPath: filepath.Join(dir, "operators"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Theme: palette, MaxSessions: *loadN, MaxPerAddr: *loadN})
	if err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(db, h, dispatch.Options{Authorize: srv.Authorize})
	srv.opts.Services = tui.Services{Hub: h, Store: db, Stats: engine, Dispatcher: d, Work: new(sync.WaitGroup), Team: presence.NewTeam()}
	go h.Run(ctx)
	go d.Run(ctx)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, l) }()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	stuck := min(5, *loadN)
	var watchers []*watcher
	for i := range *loadN {
		n := fmt.Sprintf("op%02d", i)
		c, err := gossh.Dial("tcp", l.Addr().String(), clientConfig(gossh.PublicKeys(f.keys[n])))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		sess.Setenv("COLORTERM", "truecolor")
		if i < stuck {
			if _, err := sess.StdoutPipe(); err != nil { // never read
				t.Fatal(err)
			}
		} else {
			w := &watcher{seen: make(map[string]time.Time)}
			watchers = append(watchers, w)
			sess.Stdout = w
		}
		if err := sess.RequestPty("xterm-256color", 48, 160, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	heapAt := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	time.Sleep(*loadFor / 3)
	early := heapAt()
	time.Sleep(*loadFor - *loadFor/3)
	late := heapAt()
	if *loadHeap != "" {
		if hf, err := os.Create(*loadHeap); err == nil {
			pprof.WriteHeapProfile(hf)
			hf.Close()
		}
	}
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	elapsed := time.Since(start)
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond

	mk.mu.Lock()
	sent := make(map[string]time.Time, len(mk.sent))
	for k, v := range mk.sent {
		sent[k] = v
	}
	mk.mu.Unlock()
	var delays []time.Duration
	missed := 0
	for _, w := range watchers {
		w.mu.Lock()
		for k, at := range sent {
			if at.After(start) && at.Before(start.Add(elapsed-time.Second)) {
				if seen, ok := w.seen[k]; ok {
					delays = append(delays, seen.Sub(at))
				} else {
					missed++
				}
			}
		}
		w.mu.Unlock()
	}
	slices.Sort(delays)
	pct := func(p int) time.Duration {
		if len(delays) == 0 {
			return 0
		}
		return delays[max((len(delays)*p+99)/100-1, 0)]
	}
	perSession := float64(late-before.HeapInuse) / float64(*loadN) / (1 << 20)
	t.Logf("%d sessions (%d not reading), demo at %.0f msg/s, %s", *loadN, stuck, *loadRate, elapsed.Round(time.Second))
	t.Logf("heap in use: %.1f MB before the sessions, %.1f MB at a third, %.1f MB at the end: %.2f MB a session (the test's SSH clients included)",
		float64(before.HeapInuse)/(1<<20), float64(early)/(1<<20), float64(late)/(1<<20), perSession)
	t.Logf("CPU: %.1f s over %.1f s (%.2f cores), the clients included", cpu.Seconds(), elapsed.Seconds(), cpu.Seconds()/elapsed.Seconds())
	t.Logf("arrival to screen over %d markers × %d reading sessions: p50 %s, p99 %s, max %s; %d not seen",
		len(delays)/max(len(watchers), 1), len(watchers), pct(50), pct(99), pct(100), missed)
	cancel()
	<-served
}
