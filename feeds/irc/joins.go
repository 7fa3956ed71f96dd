package irc

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// The session's channels: joining them once registered, following which
// ones it is in, and holding Do until the channel it sends to is joined.

// welcome ends registration: we know our nick and join the channels.
func (s *session) welcome(msg *ircmsg.Message) error {
	if len(msg.Params) > 0 && validNick(msg.Params[0]) {
		s.setNick(msg.Params[0])
	}
	s.phase = phaseJoining
	s.mu.Lock()
	for _, ch := range s.k.channels {
		s.joining[foldName(ch)] = ch
	}
	s.mu.Unlock()
	// Do may send from now on; to a channel of ours, once it is joined.
	s.k.publish(s)
	// Comma lists keep the JOINs few (Twitch allows 20 per 10 s); each
	// line stays well under 512 bytes.
	var batch []string
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.send(ircmsg.MakeMessage(nil, "", "JOIN", strings.Join(batch, ",")))
		batch, size = batch[:0], 0
		return err
	}
	for _, ch := range s.k.channels {
		if size+len(ch)+1 > 400 {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, ch)
		size += len(ch) + 1
	}
	return flush()
}

// joinErrors are the numerics that refuse a JOIN, with the channel as
// their second parameter.
var joinErrors = map[string]bool{
	"403": true, "405": true, "471": true, "473": true, "474": true, "475": true,
	"476": true, "477": true, "479": true, "480": true, "489": true, "520": true,
}

// trackJoins follows our own JOINs (and refusals, kicks and parts) to know
// when the session is fully up and which channels Do may send to, and
// learns our full prefix, which long replies need.
func (s *session) trackJoins(msg *ircmsg.Message) {
	s.mu.Lock()
	changed := true
	rejoined := ""
	switch {
	case msg.Command == "JOIN" && len(msg.Params) > 0 && sameName(msg.Nick(), s.m.self):
		if strings.Contains(msg.Source, "!") {
			s.prefixLen = len(msg.Source)
		}
		delete(s.joining, foldName(msg.Params[0]))
		if len(s.joined) < maxJoined {
			s.joined[foldName(msg.Params[0])] = true
		}
		rejoined = msg.Params[0]
	case joinErrors[msg.Command] && len(msg.Params) > 1:
		delete(s.joining, foldName(msg.Params[1]))
	case msg.Command == "NOTICE" && s.k.twitch && len(msg.Params) > 0:
		if ok, id := msg.GetTag("msg-id"); ok && id == "msg_channel_suspended" {
			delete(s.joining, foldName(msg.Params[0]))
		}
	case msg.Command == "KICK" && len(msg.Params) > 1 && sameName(msg.Params[1], s.m.self),
		msg.Command == "PART" && len(msg.Params) > 0 && sameName(msg.Nick(), s.m.self):
		delete(s.joined, foldName(msg.Params[0]))
	default:
		changed = false
	}
	if changed {
		close(s.joinChanged)
		s.joinChanged = make(chan struct{})
	}
	up := s.phase == phaseJoining && len(s.joining) == 0
	s.mu.Unlock()
	if rejoined != "" {
		s.showGap(rejoined)
	}
	if up {
		s.k.lost = time.Time{} // every channel was told
		s.phase = phaseReady
		s.stream.Connected()
	}
}

// maxJoined bounds the channels a session records as joined: a server may
// say we joined channels we never asked for.
const maxJoined = 1024

// waitJoined waits until the session is in target, when target is one of
// our channels; a channel or nick we do not join is the server's to
// accept or refuse. It fails when ctx ends first, the session ends, or the
// channel will not be joined in this session (the server refused the JOIN
// or never answered it, or we were kicked).
func (s *session) waitJoined(ctx context.Context, target string) error {
	if !isChannel(target) || !s.k.configured(target) {
		return nil
	}
	key := foldName(target)
	for {
		s.mu.Lock()
		joined, joining, changed := s.joined[key], s.joining[key] != "", s.joinChanged
		s.mu.Unlock()
		switch {
		case joined:
			return nil
		case !joining:
			return fmt.Errorf("irc: not in %s: the server refused our JOIN or did not answer it, or we were kicked", target)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("irc: not in %s yet: %w", target, ctx.Err())
		case <-s.failed:
			return errNotConnected
		case <-s.done:
			return errNotConnected
		}
	}
}

// joinTimedOut gives up waiting for the channels still not joined: the
// connection is up, the feed says which channels are missing.
func (s *session) joinTimedOut() {
	if s.phase != phaseJoining {
		return
	}
	s.mu.Lock()
	var missing []string
	for _, ch := range s.joining {
		missing = append(missing, ch)
	}
	clear(s.joining)
	close(s.joinChanged)
	s.joinChanged = make(chan struct{})
	s.mu.Unlock()
	slices.Sort(missing)
	for _, ch := range missing {
		ev := feeds.Event{
			Feed: s.k.feed, Platform: s.k.Platform(), ID: s.k.newID(), Kind: feeds.KindNotice,
			Time: s.k.now(), Channel: ch, Text: "not joined to " + ch + ": the server did not answer",
		}
		s.stream.Emit(ev)
	}
	s.phase = phaseReady
	s.stream.Connected()
}
