package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
)

// Recent returns the newest n events over all feeds, oldest first.
func (db *DB) Recent(n int) ([]feeds.Event, error) {
	evs, err := db.backwards(0, n)
	if err != nil {
		return nil, fmt.Errorf("reading recent events: %w", err)
	}
	return evs, nil
}

// head is a cursor on one feed's events.
type head struct {
	c   *bolt.Cursor
	seq uint64
	v   []byte
}

// backwards collects up to n events with Seq < before (all when before is
// 0), newest first across the feeds, and returns them oldest first. Each
// feed's events are in Seq order, so this merges one cursor per feed.
func (db *DB) backwards(before uint64, n int) ([]feeds.Event, error) {
	if n <= 0 {
		return nil, nil
	}
	out := make([]feeds.Event, 0, min(n, 1024))
	_, err := db.walkBack(nil, Cursor{before: before}, n, func(seq uint64, v []byte) (bool, error) {
		ev, err := decodeEvent(seq, v)
		if err != nil {
			return false, fmt.Errorf("event %d: %w", seq, err)
		}
		out = append(out, ev)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	return out, nil
}

// LastSeq returns the highest Seq ever stored, 0 if none. It does not go
// down when that event is pruned, so a hub that continues from it never
// hands out a Seq twice (read marks and watermarks refer to Seqs).
func (db *DB) LastSeq() (uint64, error) {
	var seq uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		seq = getU64(tx.Bucket(bucketMeta), keyLastSeq)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading last seq: %w", err)
	}
	return seq, nil
}

// MinuteCount is how many events of a feed fell in one minute.
type MinuteCount struct {
	Minute time.Time // start of the minute, UTC
	N      int
}

// MinuteCounts returns, per feed, how many events were stored per UTC
// minute of their Event.Time, for the minute holding since and every later
// one, ascending. Minutes without events are absent, and so are feeds
// without any. Counts are kept for max(MaxAge, 30 days), beyond the events
// themselves, so that an after-event report can draw the volume.
func (db *DB) MinuteCounts(since time.Time) (map[string][]MinuteCount, error) {
	out := make(map[string][]MinuteCount)
	from := u64(minuteKey(since))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		fb := tx.Bucket(bucketFeeds)
		return fb.ForEachBucket(func(name []byte) error {
			mb := fb.Bucket(name).Bucket(bucketMinutes)
			if mb == nil {
				return nil
			}
			var counts []MinuteCount
			c := mb.Cursor()
			for k, v := c.Seek(from); k != nil; k, v = c.Next() {
				if len(k) != 8 || len(v) != 8 {
					continue
				}
				counts = append(counts, MinuteCount{
					Minute: minuteTime(binary.BigEndian.Uint64(k)),
					N:      int(binary.BigEndian.Uint64(v)),
				})
			}
			if len(counts) > 0 {
				out[string(name)] = counts
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading minute counts: %w", err)
	}
	return out, nil
}
