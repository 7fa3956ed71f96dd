package irc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ergochat/irc-go/ircmsg"
	"github.com/ergochat/irc-go/ircutils"

	"github.com/tribune/tribune/feeds"
)

// errNotConnected is what Do says between connections.
var errNotConnected = errors.New("irc: not connected")

// phase is how far a session has come.
type phase int

const (
	phaseRegistering phase = iota // until the welcome numeric (001)
	phaseJoining                  // until every channel is joined or refused
	phaseReady
)

// session is one connection: one Run.
type session struct {
	k      *Connector
	conn   lineConn
	stream feeds.Stream
	m      mapper
	done   chan struct{} // closed when the session ends

	// failed is closed, with failErr set before, when something other
	// than Run ends the session: a failed write, a send Twitch never
	// answered. The connection is closed at once; Run returns failErr.
	failed   chan struct{}
	failOnce sync.Once
	failErr  error

	// Run-goroutine state.
	phase     phase
	offered   map[string]string // CAP LS
	nickTries int
	dropped   int         // overlong or malformed lines
	dropShown time.Time   // when the count last went to the Stats pane
	dropTimer *time.Timer // set while a newer count waits to be shown

	wmu sync.Mutex // serializes writes, and queueing with them (sendAll)

	mu        sync.Mutex // guards the fields below
	nick      string
	prefixLen int             // length of our "nick!user@host" once seen
	caps      map[string]bool // acknowledged capabilities
	waiters   []*waiter
	seq       uint64
	// Channels, by folded name: the configured ones whose JOIN the server
	// has not answered yet, and the ones we are in. joinChanged is closed
	// and replaced whenever either changes.
	joining     map[string]string
	joined      map[string]bool
	joinChanged chan struct{}
}

func newSession(k *Connector, conn lineConn, st feeds.Stream) *session {
	s := &session{
		k:           k,
		conn:        conn,
		stream:      st,
		done:        make(chan struct{}),
		failed:      make(chan struct{}),
		offered:     make(map[string]string),
		nick:        k.nick,
		caps:        make(map[string]bool),
		joining:     make(map[string]string),
		joined:      make(map[string]bool),
		joinChanged: make(chan struct{}),
	}
	s.m = mapper{k: k, self: k.nick, status: st.Status}
	return s
}

// fail ends the session from outside Run: the connection is closed at
// once, Do sends nothing more through it, and Run returns err.
func (s *session) fail(err error) {
	s.failOnce.Do(func() {
		s.failErr = err
		close(s.failed)
		s.k.unpublish(s)
		s.conn.Close()
	})
}

// Run connects, registers, joins the configured channels and streams their
// events until ctx ends or the connection fails. The supervisor calls it
// again after a failure; each Run rejoins every channel.
func (k *Connector) Run(ctx context.Context, st feeds.Stream) error {
	if !k.running.CompareAndSwap(false, true) {
		return errors.New("irc: Run is already running")
	}
	defer k.running.Store(false)
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := k.dial(ctx, k.bodyMax())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("irc: connecting to %s: %w", k.serverName(), err)
	}
	err = newSession(k, conn, st).run(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// serverName names the server in errors: never with the user, password
// or query a WebSocket URL may carry.
func (k *Connector) serverName() string {
	if k.transport == TransportWebSocket {
		return redactURL(k.wsURL)
	}
	return k.addr
}

// readResult is one line, or the error that ended reading.
type readResult struct {
	line []byte
	err  error
}

func (s *session) run(ctx context.Context) error {
	lines := make(chan readResult)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.readLoop(lines)
	}()
	defer func() {
		if s.phase == phaseReady {
			s.k.lost = s.k.now() // what is said from now on is missed
		}
		s.k.unpublish(s)
		close(s.done) // first, so that writers see it and stop
		s.conn.Close()
		wg.Wait()
		if s.dropTimer != nil {
			s.dropTimer.Stop()
		}
	}()

	if err := s.register(); err != nil {
		return err
	}
	idle := time.NewTimer(s.k.pingAfter)
	defer idle.Stop()
	deadline := time.NewTimer(s.k.regWait)
	defer deadline.Stop()
	pinged := false
	for {
		var dropDue <-chan time.Time
		if s.dropTimer != nil {
			dropDue = s.dropTimer.C
		}
		select {
		case <-ctx.Done():
			s.quit()
			return ctx.Err()
		case <-s.failed:
			return s.failErr
		case <-dropDue:
			s.dropTimer = nil
			s.showDropped()
		case r := <-lines:
			if r.err != nil && !errors.Is(r.err, errLineTooLong) {
				select {
				case <-s.failed: // we closed it
					return s.failErr
				default:
				}
				return fmt.Errorf("irc: connection to %s lost: %w", s.k.serverName(), r.err)
			}
			// Any line, even one we drop, shows the server is alive.
			idle.Reset(s.k.pingAfter)
			pinged = false
			if r.err != nil {
				s.drop()
				continue
			}
			before := s.phase
			if err := s.handle(r.line); err != nil {
				return err
			}
			if s.phase != before {
				switch s.phase {
				case phaseJoining:
					deadline.Reset(s.k.joinWait)
				case phaseReady:
					deadline.Stop()
				}
			}
		case <-idle.C:
			if pinged {
				return fmt.Errorf("irc: %s has not answered for %s", s.k.serverName(), s.k.pingAfter+s.k.pongWait)
			}
			if err := s.send(ircmsg.MakeMessage(nil, "", "PING", "tribune")); err != nil {
				return fmt.Errorf("irc: sending keepalive: %w", err)
			}
			pinged = true
			idle.Reset(s.k.pongWait)
		case <-deadline.C:
			if s.phase == phaseRegistering {
				return fmt.Errorf("irc: %s did not complete registration within %s", s.k.serverName(), s.k.regWait)
			}
			s.joinTimedOut()
		}
	}
}

// readLoop hands lines to run until reading fails or the session ends.
func (s *session) readLoop(out chan<- readResult) {
	for {
		line, err := s.conn.ReadLine()
		r := readResult{err: err}
		if err == nil {
			r.line = bytes.Clone(line)
		}
		select {
		case out <- r:
		case <-s.done:
			return
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return
		}
	}
}

// drop counts a line we could not take, and says so in the Stats pane,
// at most once per statusEvery: each status update republishes the
// health of every feed to every subscriber, too much to do per line of a
// flood. The latest count always shows in the end.
func (s *session) drop() {
	s.dropped++
	if s.dropTimer != nil {
		return // the count shows when it fires
	}
	if wait := s.k.statusEvery - time.Since(s.dropShown); !s.dropShown.IsZero() && wait > 0 {
		s.dropTimer = time.NewTimer(wait)
		return
	}
	s.showDropped()
}

func (s *session) showDropped() {
	s.dropShown = time.Now()
	s.stream.Status("dropped lines", strconv.Itoa(s.dropped))
}

// quit says goodbye on a best-effort basis: we are leaving anyway, and do
// not wait behind a Do whose write is stuck.
func (s *session) quit() {
	if !s.wmu.TryLock() {
		return
	}
	defer s.wmu.Unlock()
	s.conn.WriteLine([]byte("QUIT :leaving"), time.Now().Add(time.Second))
}

// send writes one message from the Run goroutine.
func (s *session) send(msg ircmsg.Message) error {
	line, err := msg.LineBytesStrict(true, 0)
	if err != nil {
		return fmt.Errorf("irc: building %s: %w", msg.Command, err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err = s.writeLocked(trimEOL(line), time.Now().Add(writeWait))
	return err
}

// writeLocked writes one line; the caller holds wmu. sent is false when
// it certainly did not leave. A failed write ends the session: part of the
// line may have left, and the next line would be glued onto it.
func (s *session) writeLocked(line []byte, deadline time.Time) (sent bool, err error) {
	select {
	case <-s.done:
		return false, errNotConnected
	case <-s.failed:
		return false, errNotConnected
	default:
	}
	sent, err = s.conn.WriteLine(line, deadline)
	if err != nil {
		s.fail(fmt.Errorf("irc: writing to %s: %w", s.k.serverName(), err))
	}
	return sent, err
}

// register opens the handshake: capabilities first, so that the server
// holds registration until we are done negotiating.
func (s *session) register() error {
	k := s.k
	var msgs []ircmsg.Message
	if k.twitch {
		// Twitch documents CAP REQ before PASS and NICK, with no CAP LS
		// or CAP END.
		msgs = append(msgs, ircmsg.MakeMessage(nil, "", "CAP", "REQ", "twitch.tv/tags twitch.tv/commands"))
		if k.password != "" {
			msgs = append(msgs, ircmsg.MakeMessage(nil, "", "PASS", "oauth:"+k.password))
		}
		msgs = append(msgs, ircmsg.MakeMessage(nil, "", "NICK", k.nick))
	} else {
		msgs = append(msgs, ircmsg.MakeMessage(nil, "", "CAP", "LS", "302"))
		if k.password != "" && k.saslUser == "" {
			msgs = append(msgs, ircmsg.MakeMessage(nil, "", "PASS", k.password))
		}
		msgs = append(msgs,
			ircmsg.MakeMessage(nil, "", "NICK", k.nick),
			ircmsg.MakeMessage(nil, "", "USER", k.user, "0", "*", k.realname))
	}
	for _, m := range msgs {
		if err := s.send(m); err != nil {
			return fmt.Errorf("irc: registering: %w", err)
		}
	}
	return nil
}

// handle acts on one received line.
func (s *session) handle(line []byte) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	msg, err := decode(line, s.k.bodyMax())
	if err != nil {
		s.drop() // malformed or too long: skip it, keep the connection
		return nil
	}
	switch msg.Command {
	case "PING":
		return s.send(ircmsg.MakeMessage(nil, "", "PONG", msg.Params...))
	case "ERROR":
		return fmt.Errorf("irc: the server closed the link: %s", cleanText(lastParam(&msg)))
	case "RECONNECT":
		if s.k.twitch {
			if s.phase == phaseReady {
				// Twitch is restarting the server: come back at once
				// (which ends this session, so at most once per session).
				return feeds.RetryAfter(0, errors.New("irc: twitch asked us to reconnect"))
			}
			// Before we are even up, it is no different from a refused
			// connection: the supervisor's backoff applies, so that a
			// server answering every connection so is not hammered.
			return errors.New("irc: twitch asked us to reconnect before the session was up")
		}
	case "NICK":
		if sameName(msg.Nick(), s.m.self) && len(msg.Params) > 0 {
			s.setNick(msg.Params[0])
		}
	case "CAP":
		// CAP LS 302 implies cap-notify: the server may withdraw a
		// capability later (say echo-message), and sends must stop
		// counting on it.
		if s.phase != phaseRegistering && len(msg.Params) > 2 && strings.EqualFold(msg.Params[1], "DEL") {
			s.mu.Lock()
			for _, c := range strings.Fields(lastParam(&msg)) {
				delete(s.caps, c)
			}
			s.mu.Unlock()
			return nil
		}
	}
	if s.phase == phaseRegistering {
		return s.registering(&msg)
	}
	s.trackJoins(&msg)
	for _, ev := range s.m.events(&msg) {
		s.stream.Emit(ev)
	}
	s.settle(&msg)
	return nil
}

// registering handles the handshake until the welcome numeric.
func (s *session) registering(msg *ircmsg.Message) error {
	k := s.k
	switch msg.Command {
	case "CAP":
		return s.capability(msg)
	case "AUTHENTICATE":
		if len(msg.Params) > 0 && msg.Params[0] == "+" && k.saslUser != "" {
			raw := []byte("\x00" + k.saslUser + "\x00" + k.password)
			for _, chunk := range ircutils.EncodeSASLResponse(raw) {
				if err := s.send(ircmsg.MakeMessage(nil, "", "AUTHENTICATE", chunk)); err != nil {
					return err
				}
			}
		}
	case "903": // RPL_SASLSUCCESS
		return s.send(ircmsg.MakeMessage(nil, "", "CAP", "END"))
	case "902", "904", "905", "906", "908":
		// Bad credentials do not get better by retrying.
		return feeds.Permanent(fmt.Errorf("irc: SASL login as %q failed: %s", k.saslUser, cleanText(lastParam(msg))))
	case "421": // ERR_UNKNOWNCOMMAND: a server without CAP registers us anyway
		if len(msg.Params) > 1 && strings.EqualFold(msg.Params[1], "CAP") && k.saslUser != "" {
			return feeds.Permanent(errors.New("irc: the server has no CAP, so no SASL (sasl_user is set)"))
		}
	case "433", "437": // nick in use, or held: try another, a few times
		s.nickTries++
		if s.nickTries > 3 {
			return fmt.Errorf("irc: nick %q is in use", k.nick)
		}
		return s.send(ircmsg.MakeMessage(nil, "", "NICK", k.nick+strings.Repeat("_", s.nickTries)))
	case "432":
		return feeds.Permanent(fmt.Errorf("irc: the server refuses the nick %q: %s", k.nick, cleanText(lastParam(msg))))
	case "464", "465":
		return feeds.Permanent(fmt.Errorf("irc: the server refused us: %s", cleanText(lastParam(msg))))
	case "NOTICE":
		// Twitch's way of refusing a token.
		text := lastParam(msg)
		if k.twitch && (strings.Contains(text, "authentication failed") || strings.Contains(text, "Improperly formatted auth")) {
			return feeds.Permanent(fmt.Errorf("irc: twitch login as %q: %s", k.nick, cleanText(text)))
		}
	case "001":
		return s.welcome(msg)
	}
	return nil
}

// wantedCaps are the IRCv3 capabilities we use when the server offers them.
var wantedCaps = []string{"message-tags", "server-time", "echo-message"}

func (s *session) capability(msg *ircmsg.Message) error {
	if len(msg.Params) < 3 {
		return nil
	}
	sub := strings.ToUpper(msg.Params[1])
	list := lastParam(msg)
	switch sub {
	case "LS":
		for _, c := range strings.Fields(list) {
			name, val, _ := strings.Cut(c, "=")
			if len(s.offered) < 256 {
				s.offered[name] = val
			}
		}
		if len(msg.Params) >= 4 && msg.Params[2] == "*" {
			return nil // more LS lines follow
		}
		return s.requestCaps()
	case "ACK":
		s.mu.Lock()
		for _, c := range strings.Fields(list) {
			if !strings.HasPrefix(c, "-") {
				s.caps[strings.TrimLeft(c, "~=")] = true
			}
		}
		sasl := s.caps["sasl"]
		s.mu.Unlock()
		if s.k.twitch {
			return nil
		}
		if sasl && s.k.saslUser != "" {
			return s.send(ircmsg.MakeMessage(nil, "", "AUTHENTICATE", "PLAIN"))
		}
		return s.send(ircmsg.MakeMessage(nil, "", "CAP", "END"))
	case "NAK":
		if s.k.twitch {
			return nil
		}
		if s.k.saslUser != "" {
			return feeds.Permanent(errors.New("irc: the server refused the sasl capability"))
		}
		return s.send(ircmsg.MakeMessage(nil, "", "CAP", "END"))
	}
	return nil
}

func (s *session) requestCaps() error {
	var req []string
	for _, c := range wantedCaps {
		if _, ok := s.offered[c]; ok {
			req = append(req, c)
		}
	}
	if s.k.saslUser != "" {
		mechs, ok := s.offered["sasl"]
		if !ok {
			return feeds.Permanent(errors.New("irc: the server does not offer SASL (sasl_user is set)"))
		}
		if mechs != "" && !contains(strings.Split(strings.ToUpper(mechs), ","), "PLAIN") {
			return feeds.Permanent(fmt.Errorf("irc: the server offers SASL %s, not PLAIN", mechs))
		}
		req = append(req, "sasl")
	}
	if len(req) == 0 {
		return s.send(ircmsg.MakeMessage(nil, "", "CAP", "END"))
	}
	return s.send(ircmsg.MakeMessage(nil, "", "CAP", "REQ", strings.Join(req, " ")))
}

func (s *session) setNick(n string) {
	s.m.self = n
	s.mu.Lock()
	s.nick = n
	s.mu.Unlock()
}

func lastParam(msg *ircmsg.Message) string {
	if len(msg.Params) == 0 {
		return ""
	}
	return msg.Params[len(msg.Params)-1]
}

// publish makes s the session Do sends through.
func (k *Connector) publish(s *session) {
	k.mu.Lock()
	k.sess = s
	k.mu.Unlock()
}

func (k *Connector) unpublish(s *session) {
	k.mu.Lock()
	if k.sess == s {
		k.sess = nil
	}
	k.mu.Unlock()
}

func (k *Connector) current() *session {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sess
}
