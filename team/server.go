package team

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui"
)

// Options configure a Server. Zero values take the defaults in comments.
type Options struct {
	Addr          string // 127.0.0.1:2222
	HostKeyPath   string // required: generated (ed25519, 0600) when missing
	OperatorsPath string // required
	// IdleTimeout closes a session whose operator typed nothing for that
	// long (30m). The screen updating does not count.
	IdleTimeout time.Duration
	MaxSessions int // 50: sessions at once
	MaxPerAddr  int // 8: sessions at once from one remote address
	// HandshakeTimeout closes a connection that has not logged in by then
	// (20s). Connections, logged in or not, are capped at twice the
	// session caps, overall and per address.
	HandshakeTimeout time.Duration
	Services         tui.Services
	Theme            themes.Palette
	Log              *slog.Logger // nil: discard
	Now              func() time.Time
}

// Server is the SSH front of the shared services.
type Server struct {
	opts Options
	ops  atomic.Pointer[Operators]
	srv  *ssh.Server

	mu       sync.Mutex
	sessions map[*live]struct{}
	perAddr  map[string]int
	conns    map[string]int // open connections by address, logged in or not
	connsAll int
	closing  bool
	running  sync.WaitGroup // sessions' programs
}

// live is one connected session.
type live struct {
	op     Operator
	key    string // the wire form of the key it came in with
	addr   string
	cancel context.CancelFunc
	input  atomic.Int64 // Unix nanoseconds of the last byte the operator sent
	why    atomic.Pointer[string]
}

// close ends the session, saying why to the operator.
func (l *live) close(why string) {
	l.why.CompareAndSwap(nil, &why)
	l.cancel()
}

// New reads the operators file and the host key (making one if there is
// none) and returns a server ready to Serve.
func New(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:2222"
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 50
	}
	if o.MaxPerAddr <= 0 {
		o.MaxPerAddr = 8
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 20 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HostKeyPath == "" || o.OperatorsPath == "" {
		return nil, errors.New("serve: a host key path and an operators file are needed")
	}
	s := &Server{opts: o, sessions: make(map[*live]struct{}), perAddr: make(map[string]int)}
	ops, err := LoadOperators(o.OperatorsPath)
	if err != nil {
		return nil, err
	}
	s.ops.Store(ops)
	s.srv, err = wish.NewServer(
		wish.WithAddress(o.Addr),
		wish.WithHostKeyPath(o.HostKeyPath),
		// Public keys only: with no password or keyboard-interactive
		// handler, the server offers neither.
		wish.WithPublicKeyAuth(s.allowKey),
		wish.WithMiddleware(s.handle),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	// Whoever reaches the port can open connections without a key: they
	// are timed out before login and capped, so they cannot use up the
	// process's file descriptors.
	s.srv.HandshakeTimeout = o.HandshakeTimeout
	s.srv.ConnCallback = s.countConn
	s.conns = make(map[string]int)
	return s, nil
}

// countConn admits a new connection within the caps, or refuses it (nil).
func (s *Server) countConn(_ ssh.Context, c net.Conn) net.Conn {
	addr := hostOf(c.RemoteAddr())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connsAll >= 2*s.opts.MaxSessions || s.conns[addr] >= 2*s.opts.MaxPerAddr {
		s.opts.Log.Warn("refused", "why", "too many connections", "remote", addr)
		return nil
	}
	s.connsAll++
	s.conns[addr]++
	return &counted{Conn: c, done: func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.connsAll--
		if s.conns[addr]--; s.conns[addr] <= 0 {
			delete(s.conns, addr)
		}
	}}
}

// counted is a connection that says once when it closes.
type counted struct {
	net.Conn
	once sync.Once
	done func()
}

func (c *counted) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.done)
	return err
}

// allowKey is the authentication: a listed key gets in. It may be called
// for keys the client only offers; the session is told which key signed
// (ssh.Session.PublicKey) and looks the operator up again from that.
func (s *Server) allowKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, ok := s.ops.Load().Lookup(key); ok {
		return true
	}
	s.opts.Log.Warn("refused", "why", "unknown key", "fingerprint", gossh.FingerprintSHA256(key),
		"remote", ctx.RemoteAddr().String(), "user", ctx.User())
	return false
}

// Authorize is the services' check of what operator may do (an action
// kind or WhatHold): give it to the dispatcher. An operator no longer in
// the file may do nothing.
func (s *Server) Authorize(operator, what string) error {
	op, ok := s.ops.Load().Named(operator)
	switch {
	case !ok:
		s.opts.Log.Warn("action refused", "operator", operator, "what", what, "why", "not an operator")
		return fmt.Errorf("%s: %w (%s is not in the operators file)", what, ErrForbidden, operator)
	case !op.Role.Allows(what):
		s.opts.Log.Warn("action refused", "operator", operator, "role", op.Role, "what", what)
		return fmt.Errorf("%s: %w (%s is %s)", what, ErrForbidden, operator, op.Role)
	}
	s.opts.Log.Info("action", "operator", operator, "role", op.Role, "what", what)
	return nil
}

// Reload reads the operators file again. A file that does not read keeps
// the operators as they were, and the error says why; sessions whose key
// is gone, or whose role changed, are closed.
func (s *Server) Reload() error {
	ops, err := LoadOperators(s.opts.OperatorsPath)
	if err != nil {
		s.opts.Log.Error("operators file kept as it was", "err", err)
		return err
	}
	s.ops.Store(ops)
	s.mu.Lock()
	defer s.mu.Unlock()
	closed := 0
	for l := range s.sessions {
		if op, ok := ops.byKey[l.key]; !ok || op != l.op {
			l.close("your key was removed from the team, or its role changed")
			closed++
			s.opts.Log.Info("session closed", "operator", l.op.Name, "remote", l.addr, "why", "key removed or changed")
		}
	}
	s.opts.Log.Info("operators reloaded", "keys", ops.Len(), "sessions_closed", closed)
	return nil
}

// Serve accepts connections on l until ctx ends, then drains: every
// session's program quits, saves its drafts, and the server closes.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	errc := make(chan error, 1)
	al := &accepting{Listener: l, ready: make(chan struct{})}
	go func() { errc <- s.srv.Serve(al) }()
	s.opts.Log.Info("listening", "addr", l.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.closing = true
	for l := range s.sessions {
		l.close("the server is stopping; your drafts are saved")
	}
	s.mu.Unlock()
	s.running.Wait() // the programs have flushed their drafts
	// Shutdown must not run before Serve has taken the listener: it would
	// close nothing (and race with Serve's own book-keeping).
	select {
	case <-al.ready:
	case err := <-errc:
		return err
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.srv.Shutdown(shut)
	<-errc
	s.opts.Log.Info("stopped")
	return nil
}

// accepting is a listener that says when it is first asked to accept.
type accepting struct {
	net.Listener
	once  sync.Once
	ready chan struct{}
}

func (a *accepting) Accept() (net.Conn, error) {
	a.once.Do(func() { close(a.ready) })
	return a.Listener.Accept()
}

// ListenAndServe listens on the configured address and serves.
func (s *Server) ListenAndServe(ctx context.Context) error {
	l, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, l)
}

// admit registers a session within the limits.
func (s *Server) admit(l *live) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops.Load().byKey[l.key]
	switch {
	case !ok || op != l.op:
		// Reload ran between the lookup and now: it saw no session to close.
		return errors.New("this key was just removed from the team, or its role changed")
	case s.closing:
		return errors.New("the server is stopping")
	case len(s.sessions) >= s.opts.MaxSessions:
		return fmt.Errorf("the server has its %d sessions already", s.opts.MaxSessions)
	case s.perAddr[l.addr] >= s.opts.MaxPerAddr:
		return fmt.Errorf("%d sessions from your address already", s.opts.MaxPerAddr)
	}
	s.sessions[l] = struct{}{}
	s.perAddr[l.addr]++
	s.running.Add(1)
	return nil
}

func (s *Server) leave(l *live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, l)
	if s.perAddr[l.addr]--; s.perAddr[l.addr] <= 0 {
		delete(s.perAddr, l.addr)
	}
	s.running.Done()
}

// handle runs one connection: the operator's own dashboard over the
// shared services.
func (s *Server) handle(ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		addr := hostOf(sess.RemoteAddr())
		op, ok := s.ops.Load().Lookup(sess.PublicKey())
		if !ok {
			// The file changed between the handshake and now.
			s.opts.Log.Warn("refused", "why", "key no longer listed", "remote", addr)
			fmt.Fprintln(sess.Stderr(), "tribune: this key is not (or no longer) allowed in.")
			_ = sess.Exit(1)
			return
		}
		pty, resize, isPty := sess.Pty()
		if !isPty {
			s.opts.Log.Info("refused", "operator", op.Name, "remote", addr, "why", "no terminal")
			fmt.Fprintln(sess.Stderr(), "tribune: the dashboard needs a terminal; connect with ssh -t.")
			_ = sess.Exit(1)
			return
		}
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		l := &live{op: op, key: string(sess.PublicKey().Marshal()), addr: addr, cancel: cancel}
		l.input.Store(s.opts.Now().UnixNano())
		if err := s.admit(l); err != nil {
			s.opts.Log.Warn("refused", "operator", op.Name, "remote", addr, "why", err.Error())
			fmt.Fprintf(sess.Stderr(), "tribune: %v; try again later.\n", err)
			_ = sess.Exit(1)
			return
		}
		defer s.leave(l)
		start := s.opts.Now()
		s.opts.Log.Info("connected", "operator", op.Name, "role", op.Role, "remote", addr,
			"term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))

		environ := append(sess.Environ(), "TERM="+pty.Term)
		p := tui.NewProgram(ctx, s.opts.Services, tui.Session{
			In:       &typed{r: sess, at: &l.input, now: s.opts.Now},
			Out:      sess,
			Environ:  environ,
			Width:    pty.Window.Width,
			Height:   pty.Window.Height,
			Operator: op.Name,
			Role:     string(op.Role),
			Location: zone(environ),
			Theme:    s.opts.Theme,
		})
		go func() {
			idle := time.NewTicker(min(s.opts.IdleTimeout/4, 30*time.Second))
			defer idle.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case w := <-resize:
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				case <-idle.C:
					if s.opts.Now().Sub(time.Unix(0, l.input.Load())) >= s.opts.IdleTimeout {
						s.opts.Log.Info("session closed", "operator", op.Name, "remote", addr, "why", "idle")
						l.close(fmt.Sprintf("nothing typed for %s; your drafts are saved", s.opts.IdleTimeout))
						return
					}
				}
			}
		}()
		err := p.Run()
		s.opts.Log.Info("disconnected", "operator", op.Name, "remote", addr, "after", s.opts.Now().Sub(start).Round(time.Second).String())
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
			s.opts.Log.Warn("session ended with an error", "operator", op.Name, "err", err)
		}
		if why := l.why.Load(); why != nil {
			fmt.Fprintf(sess.Stderr(), "tribune: session closed: %s.\n", *why)
		}
		_ = sess.Exit(0)
	}
}

// typed is the session's input, noting when the operator last sent
// something: idleness is about the person, not the screen.
type typed struct {
	r   io.Reader
	at  *atomic.Int64
	now func() time.Time
}

func (t *typed) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if n > 0 {
		t.at.Store(t.now().UnixNano())
	}
	return n, err
}

// zone is the time zone the client sent (TZ), else UTC.
func zone(environ []string) *time.Location {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], "TZ="); ok && v != "" {
			if loc, err := time.LoadLocation(strings.TrimPrefix(v, ":")); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
