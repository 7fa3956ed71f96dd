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

// A waiter is a send waiting for the server's answer. Waiters are matched
// in the order they were added, each received line settling at most one:
// servers answer one client's commands in order.
type waiter struct {
	// match reports whether msg answers this send, and the error if the
	// answer is a refusal. It runs on the Run goroutine.
	match func(msg *ircmsg.Message) (bool, error)
	// emit, when set, gives the events the accepted send becomes (ours,
	// when the server does not echo them). It runs even when Do gave up
	// waiting: the message was posted, and the feed should show it.
	emit  func(msg *ircmsg.Message) []feeds.Event
	done  chan error // gets the outcome once; never blocks the sender
	added time.Time
}

// Bounds on unanswered sends. A waiter whose Do gave up stays in line so
// that later answers still match the right send, until it is this old.
const (
	maxWaiters = 256
	waiterTTL  = 5 * time.Minute
)

var errTooManyWaiting = errors.New("irc: too many sends waiting for the server's answer")

// addWaiters queues ws, in order.
func (s *session) addWaiters(ws ...*waiter) error {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiters = slices.DeleteFunc(s.waiters, func(w *waiter) bool { return now.Sub(w.added) > waiterTTL })
	if len(s.waiters)+len(ws) > maxWaiters {
		return errTooManyWaiting
	}
	for _, w := range ws {
		w.added = now
		w.done = make(chan error, 1)
	}
	s.waiters = append(s.waiters, ws...)
	return nil
}

// removeWaiters takes back waiters whose lines were never sent.
func (s *session) removeWaiters(ws ...*waiter) {
	s.mu.Lock()
	s.waiters = slices.DeleteFunc(s.waiters, func(w *waiter) bool { return slices.Contains(ws, w) })
	s.mu.Unlock()
}

// settle gives msg to the first waiter it answers.
func (s *session) settle(msg *ircmsg.Message) {
	s.mu.Lock()
	var hit *waiter
	var err error
	for i, w := range s.waiters {
		var ok bool
		if ok, err = w.match(msg); ok {
			hit = w
			s.waiters = slices.Delete(s.waiters, i, i+1)
			break
		}
	}
	s.mu.Unlock()
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

// await collects the outcomes of ws in order. A waiter not answered before
// ctx ends or the connection drops counts as errUnconfirmed, and so do the
// ones after it.
func (s *session) await(ctx context.Context, ws []*waiter) []error {
	out := make([]error, len(ws))
	for i, w := range ws {
		select {
		case out[i] = <-w.done:
			continue
		case <-ctx.Done():
		case <-s.done:
		}
		// The answer may have come with the end; take it if so.
		select {
		case out[i] = <-w.done:
			continue
		default:
		}
		for j := i; j < len(ws); j++ {
			out[j] = errUnconfirmed
		}
		break
	}
	return out
}

// barrier is a PING sent right behind a command: its PONG says that the
// server got past the command, and refused returns whether an error line
// before it refused the command.
func (s *session) barrier(refused func(*ircmsg.Message) error) (*waiter, ircmsg.Message) {
	s.mu.Lock()
	s.seq++
	token := "tribune-" + strconv.FormatUint(s.seq, 36)
	s.mu.Unlock()
	w := &waiter{match: func(msg *ircmsg.Message) (bool, error) {
		if msg.Command == "PONG" && lastParam(msg) == token {
			return true, nil
		}
		if err := refused(msg); err != nil {
			return true, err
		}
		return false, nil
	}}
	return w, ircmsg.MakeMessage(nil, "", "PING", token)
}

// refusedFor returns a matcher of error numerics about target (a channel
// or nick): ERR_CANNOTSENDTOCHAN, ERR_CHANOPRIVSNEEDED and their kin all
// put it second.
func refusedFor(target string) func(*ircmsg.Message) error {
	return func(msg *ircmsg.Message) error {
		if isErrorNumeric(msg.Command) && len(msg.Params) > 2 && sameName(msg.Params[1], target) {
			return feeds.Permanent(fmt.Errorf("irc: %s refused: %s", target, cleanText(lastParam(msg))))
		}
		return nil
	}
}

// sendAll queues ws, writes msgs in order and waits for ws. It returns
// NotSent when nothing left, and each waiter's outcome otherwise.
func (s *session) sendAll(ctx context.Context, msgs []ircmsg.Message, ws []*waiter) ([]error, error) {
	if err := s.addWaiters(ws...); err != nil {
		return nil, feeds.NotSent(err)
	}
	deadline := time.Now().Add(writeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	for i := range msgs {
		sent, err := s.write(&msgs[i], deadline)
		if err != nil {
			s.removeWaiters(ws...)
			if i == 0 && !sent {
				return nil, feeds.NotSent(fmt.Errorf("irc: sending: %w", err))
			}
			return nil, fmt.Errorf("irc: sending: %w (part of it may have been posted)", err)
		}
	}
	return s.await(ctx, ws), nil
}

// verdict turns the outcomes of a multi-line send into Do's answer: all
// accepted is success; all refused is the refusal (nothing was posted);
// anything else is uncertain or partial, a plain error.
func verdict(what string, outcomes []error) error {
	accepted, refused := 0, 0
	var first error
	for _, err := range outcomes {
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, errUnconfirmed):
		default:
			refused++
			if first == nil {
				first = err
			}
		}
	}
	switch {
	case accepted == len(outcomes):
		return nil
	case refused == len(outcomes):
		return first
	case refused > 0:
		return fmt.Errorf("irc: %s: only %d of %d lines were accepted: %v", what, accepted, len(outcomes), first)
	}
	return fmt.Errorf("irc: %s was sent, but %w", what, errUnconfirmed)
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
