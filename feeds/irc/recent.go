package irc

import "github.com/tribune/tribune/feeds/internal/lru"

// Bounds on the recent-message record. A CLEARCHAT on Twitch says "this
// author's messages are gone" without naming them; the record answers
// which ids those were. Twitch clients drop a timed-out viewer's messages
// from what is on screen, which at chat speed is well under idsPerAuthor.
const (
	idsPerAuthor       = 32
	authorsPerChannel  = 2000
	channelsWithRecord = 64
)

// recentIDs remembers, per channel, the last message ids of the most
// recently active authors. Memory is bounded by the constants above
// (about 64 × 2000 × 32 ids at worst, far less in practice).
type recentIDs struct {
	channels map[string]*lru.Cache[string, []string]
}

func newRecentIDs() *recentIDs {
	return &recentIDs{channels: make(map[string]*lru.Cache[string, []string])}
}

func (r *recentIDs) add(channel, author, id string) {
	channel, author = foldName(channel), foldName(author)
	byAuthor := r.channels[channel]
	if byAuthor == nil {
		if len(r.channels) >= channelsWithRecord {
			return
		}
		byAuthor = lru.New[string, []string](authorsPerChannel)
		r.channels[channel] = byAuthor
	}
	ids, _ := byAuthor.Get(author)
	if len(ids) >= idsPerAuthor {
		ids = append(ids[:0:0], ids[len(ids)-idsPerAuthor+1:]...)
	}
	byAuthor.Put(author, append(ids, id))
}

// take returns and forgets the author's recent ids in channel.
func (r *recentIDs) take(channel, author string) []string {
	byAuthor := r.channels[foldName(channel)]
	if byAuthor == nil {
		return nil
	}
	ids, _ := byAuthor.Remove(foldName(author))
	return ids
}
