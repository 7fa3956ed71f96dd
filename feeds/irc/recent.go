package irc

import "container/list"

// lru is a map that forgets its least recently used entries past max.
type lru[K comparable, V any] struct {
	max int
	ll  *list.List // of *lruEntry, most recent first
	m   map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, ll: list.New(), m: make(map[K]*list.Element)}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	if e, ok := l.m[k]; ok {
		l.ll.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (l *lru[K, V]) put(k K, v V) {
	if e, ok := l.m[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		l.ll.MoveToFront(e)
		return
	}
	l.m[k] = l.ll.PushFront(&lruEntry[K, V]{k, v})
	if l.ll.Len() > l.max {
		last := l.ll.Back()
		l.ll.Remove(last)
		delete(l.m, last.Value.(*lruEntry[K, V]).key)
	}
}

func (l *lru[K, V]) remove(k K) (V, bool) {
	if e, ok := l.m[k]; ok {
		l.ll.Remove(e)
		delete(l.m, k)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

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
	channels map[string]*lru[string, []string]
}

func newRecentIDs() *recentIDs {
	return &recentIDs{channels: make(map[string]*lru[string, []string])}
}

func (r *recentIDs) add(channel, author, id string) {
	channel, author = foldName(channel), foldName(author)
	byAuthor := r.channels[channel]
	if byAuthor == nil {
		if len(r.channels) >= channelsWithRecord {
			return
		}
		byAuthor = newLRU[string, []string](authorsPerChannel)
		r.channels[channel] = byAuthor
	}
	ids, _ := byAuthor.get(author)
	if len(ids) >= idsPerAuthor {
		ids = append(ids[:0:0], ids[len(ids)-idsPerAuthor+1:]...)
	}
	byAuthor.put(author, append(ids, id))
}

// take returns and forgets the author's recent ids in channel.
func (r *recentIDs) take(channel, author string) []string {
	byAuthor := r.channels[foldName(channel)]
	if byAuthor == nil {
		return nil
	}
	ids, _ := byAuthor.remove(foldName(author))
	return ids
}
