package irc

import (
	"fmt"

	"github.com/tribune/tribune/feeds"
)

// IRC keeps no history for a client that was away (draft/chathistory
// aside, which few servers offer and Twitch does not): what a channel said
// while the feed was reconnecting is gone. The feed shows it, so that an
// operator never reads a quiet gap as a quiet channel.

// gapTime is how a gap's ends read in its notice.
const gapTime = "15:04:05"

// showGap tells channel, just rejoined after a lost session, what it
// missed, before the first line it says in this one.
func (s *session) showGap(channel string) {
	if s.k.lost.IsZero() {
		return // the first session: no gap
	}
	now := s.k.now()
	s.stream.Emit(feeds.Event{
		Feed: s.k.feed, Platform: s.k.Platform(), ID: s.k.newID(), Kind: feeds.KindNotice,
		Time: now, Channel: channel,
		Text: fmt.Sprintf("reconnected: what was said in %s from %s to %s was not received (IRC keeps no history)",
			channel, s.k.lost.Local().Format(gapTime), now.Local().Format(gapTime)),
	})
}
