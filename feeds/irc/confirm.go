package irc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// A waiter is one action waiting for the server's answer. Waiters are
// queued in the order their lines went out (the session's write lock
// covers queueing and writing), and servers answer one client's commands
// in order.
type waiter struct {
	// take looks at one received line, on the Run goroutine. It reports
	// whether the line was about this action (no other waiter sees it
	// then) and, once the action is settled, its outcome. head is true for
	// the oldest waiter in line.
	take func(msg *ircmsg.Message, head bool) (taken, settled bool, err error)
	// emit, when set, gives the events the accepted action becomes (ours,
	// when the server does not echo them). It runs even when Do gave up
	// waiting: the message was posted, and the feed should show it.
	emit func(msg *ircmsg.Message) []feeds.Event
	// barrier is true for an IRC action confirmed by the PONG to a PING
	// sent behind its lines.
	barrier bool
	done    chan error // gets the outcome once; never blocks the reader
	added   time.Time
}

// Bounds on unanswered sends. A server that has not answered the oldest
// one in waiterTTL is not answering: the session ends rather than let a
// late answer be matched with a later send.
const (
	maxWaiters = 256
	waiterTTL  = 5 * time.Minute
)

var (
	errTooManyWaiting = errors.New("irc: too many sends waiting for the server's answer")
	errServerStuck    = errors.New("irc: the server has not answered a send for " + waiterTTL.String() + "; reconnecting")
	// errTwitchUnanswered ends a Twitch session: Twitch's confirmations
	// name no message, so they are matched by order, and one left
	// unanswered would shift every later one onto the wrong message.
	errTwitchUnanswered = errors.New("irc: twitch did not answer a message in time; reconnecting so that later confirmations match their messages")
)

// settle gives msg to the waiter it is about. A waiter that settles is
// taken out of line and told its outcome.
func (s *session) settle(msg *ircmsg.Message) {
	s.mu.Lock()
	var (
		hit     *waiter
		err     error
		settled bool
		stale   []*waiter
	)
	for i, w := range s.waiters {
		var taken bool
		if taken, settled, err = w.take(msg, i == 0); !taken {
			continue
		}
		if settled {
			hit = w
			if w.barrier {
				// Its PONG is proof that the server got past every line
				// before it: barriers still waiting ahead of it lost
				// theirs, and their fate is unknown.
				for _, old := range s.waiters[:i] {
					if old.barrier {
						stale = append(stale, old)
					}
				}
			}
			s.waiters = slices.DeleteFunc(s.waiters, func(x *waiter) bool { return x == w || slices.Contains(stale, x) })
		}
		break
	}
	s.mu.Unlock()
	for _, w := range stale {
		w.done <- errUnconfirmed
	}
	if hit == nil {
		return
	}
	if err == nil && hit.emit != nil {
		for _, ev := range hit.emit(msg) {
			s.stream.Emit(ev)
		}
	}
	hit.done <- err
}

// errUnconfirmed is a send whose fate we do not know.
var errUnconfirmed = errors.New("the server has not confirmed it")

// await waits for w's outcome. Not answered before ctx ends or the
// session does, it is errUnconfirmed. A Twitch waiter given up on ends the
// session (see errTwitchUnanswered); an IRC one stays in line, since its
// PONG still marks where its answers end.
func (s *session) await(ctx context.Context, w *waiter) error {
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
	case <-s.failed:
	case <-s.done:
	}
	// The answer may have come with the end; take it if so.
	select {
	case err := <-w.done:
		return err
	default:
	}
	if ctx.Err() != nil && s.k.twitch && s.withdraw(w) {
		s.fail(errTwitchUnanswered)
	}
	return errUnconfirmed
}

// withdraw takes w out of line, reporting whether it was still there.
func (s *session) withdraw(w *waiter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.waiters, w)
	if i < 0 {
		return false
	}
	s.waiters = slices.Delete(s.waiters, i, i+1)
	return true
}

// batch is an IRC action of one or more lines (PRIVMSGs, MODE and KICK)
// with a PING right behind them. Everything the server says about the
// lines comes before its PONG, so the batch collects refusals (and, with
// echo-message, echoes) until its own PONG, and settles only then: nothing
// about these lines is left for the next action to take as its own.
type batch struct {
	what   string // "the reply", "the ban"
	token  string // of the PING behind the lines
	target string // the channel or nick the lines go to
	n      int    // lines sent
	// echo holds the lines' texts when the server echoes our messages;
	// self is our nick, whose echoes they are.
	echo     []string
	self     string
	next     int // index in echo of the next line not echoed yet
	echoed   int
	refusals []error
}

func (b *batch) take(msg *ircmsg.Message, head bool) (taken, settled bool, err error) {
	if msg.Command == "PONG" && lastParam(msg) == b.token {
		return true, true, b.outcome()
	}
	if !head {
		// Answers come in order: until the batches before this one have
		// their PONG, what the server says is about their lines.
		return false, false, nil
	}
	if b.echo != nil && msg.Command == "PRIVMSG" && len(msg.Params) == 2 &&
		sameName(msg.Nick(), b.self) && sameName(msg.Params[0], b.target) {
		// A refused line has no echo: look past it.
		if j := slices.Index(b.echo[b.next:], msg.Params[1]); j >= 0 {
			b.next += j + 1
			b.echoed++
			return true, false, nil
		}
	}
	if err := refusal(msg, b.target); err != nil {
		b.refusals = append(b.refusals, err)
		return true, false, nil
	}
	return false, false, nil
}

// outcome turns what the server said about the lines into Do's answer:
// all taken is success; all refused is the refusal, permanent (nothing was
// posted); anything else is a plain error, which the dispatcher shows as
// uncertain, because some of it may be on the channel.
func (b *batch) outcome() error {
	refused := len(b.refusals)
	var first error
	if refused > 0 {
		first = b.refusals[0]
	}
	switch {
	case b.echo != nil && b.echoed >= b.n, b.echo == nil && refused == 0:
		return nil
	case refused >= b.n && b.echoed == 0:
		return feeds.Permanent(first)
	case b.echoed > 0:
		return fmt.Errorf("irc: part of %s was posted: the server took %d of its %d lines", b.what, b.echoed, b.n)
	case refused > 0:
		// Not wrapped: the refusal is permanent, the whole is not.
		return fmt.Errorf("irc: part of %s may have been posted: the server refused %d of its %d lines (%v)", b.what, refused, b.n, first)
	}
	return fmt.Errorf("irc: %s was sent, but the server neither echoed nor refused it", b.what)
}

// newBatch returns the waiter for n lines to target and the PING to send
// behind them. echo, when not nil, holds the lines' texts, which the
// server echoes.
func (s *session) newBatch(what, target string, n int, echo []string) (*waiter, ircmsg.Message) {
	s.mu.Lock()
	s.seq++
	token := "tribune-" + strconv.FormatUint(s.seq, 36)
	self := s.nick
	s.mu.Unlock()
	b := &batch{what: what, token: token, target: target, n: n, echo: echo, self: self}
	return &waiter{take: b.take, barrier: true}, ircmsg.MakeMessage(nil, "", "PING", token)
}

// refusal returns the error when msg is an error numeric refusing a line
// to target: ERR_CANNOTSENDTOCHAN, ERR_CHANOPRIVSNEEDED and their kin put
// the channel (or nick) second. ERR_INPUTTOOLONG names nothing, and
// refuses the line it follows.
func refusal(msg *ircmsg.Message, target string) error {
	switch {
	case msg.Command == "417":
		return feeds.Permanent(fmt.Errorf("irc: the server refused a line as too long: %s", cleanText(lastParam(msg))))
	case isErrorNumeric(msg.Command) && len(msg.Params) > 2 && sameName(msg.Params[1], target):
		return feeds.Permanent(fmt.Errorf("irc: %s refused: %s", target, cleanText(lastParam(msg))))
	}
	return nil
}

// sendAll queues w and writes msgs, then waits for w's outcome. It returns
// NotSent when nothing left. The write lock is held from queueing to the
// last line, so that waiters are in the order of their lines on the wire.
// A failed write ends the session: the line may be cut in the middle, and
// whatever came next would be glued onto it.
func (s *session) sendAll(ctx context.Context, msgs []ircmsg.Message, w *waiter) error {
	lines := make([][]byte, len(msgs))
	for i := range msgs {
		line, err := msgs[i].LineBytesStrict(true, 0)
		if err != nil {
			return feeds.Permanent(fmt.Errorf("irc: building %s: %w", msgs[i].Command, err))
		}
		lines[i] = trimEOL(line)
	}
	s.wmu.Lock()
	// Checked once we have the lock, which another send may have held a
	// while: a write that cannot finish in time is not started, since a
	// failed write ends the session.
	if err := ctx.Err(); err != nil {
		s.wmu.Unlock()
		return feeds.NotSent(err)
	}
	deadline := time.Now().Add(writeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := s.addWaiter(w); err != nil {
		s.wmu.Unlock()
		return feeds.NotSent(err)
	}
	for i, line := range lines {
		sent, err := s.writeLocked(line, deadline)
		if err != nil {
			s.withdraw(w)
			s.wmu.Unlock()
			if i == 0 && !sent {
				return feeds.NotSent(fmt.Errorf("irc: sending: %w", err))
			}
			return fmt.Errorf("irc: sending: %w (part of it may have been posted)", err)
		}
	}
	s.wmu.Unlock()
	return s.await(ctx, w)
}

// addWaiter queues w behind the others.
func (s *session) addWaiter(w *waiter) error {
	now := time.Now()
	s.mu.Lock()
	stuck := len(s.waiters) > 0 && now.Sub(s.waiters[0].added) > waiterTTL
	full := len(s.waiters) >= maxWaiters
	if !stuck && !full {
		w.added = now
		w.done = make(chan error, 1)
		s.waiters = append(s.waiters, w)
	}
	s.mu.Unlock()
	switch {
	case stuck:
		s.fail(errServerStuck)
		return errServerStuck
	case full:
		return errTooManyWaiting
	}
	return nil
}

// unconfirmed is Do's answer for an action whose outcome is
// errUnconfirmed, and passes any other through.
func unconfirmed(what string, err error) error {
	if errors.Is(err, errUnconfirmed) {
		return fmt.Errorf("irc: %s was sent, but %w", what, errUnconfirmed)
	}
	return err
}

// ownEvent is the event for a line we posted, when the server does not
// echo it back to us.
func (s *session) ownEvent(channel, text, replyTo string) feeds.Event {
	s.mu.Lock()
	nick := s.nick
	s.mu.Unlock()
	kind := feeds.KindMessage
	if body, ok := strings.CutPrefix(text, "/me "); ok && s.k.twitch {
		kind, text = feeds.KindAction, body
	}
	return feeds.Event{
		Feed:     s.k.feed,
		Platform: s.k.Platform(),
		ID:       s.k.newID(),
		Kind:     kind,
		Time:     s.k.now(),
		Channel:  channel,
		Author:   nick,
		Badges:   []string{feeds.BadgeBrand},
		Text:     text,
		ReplyTo:  replyTo,
	}
}
