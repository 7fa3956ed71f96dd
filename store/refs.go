package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// EventRef names an event as every store fed from the same stream knows
// it: by its feed and platform id. Seqs are each store's own.
type EventRef struct {
	Feed string `json:"feed"`
	ID   string `json:"id"`
}

// Refs returns the feed and id of the events stored under seqs; a Seq
// with no event stored has no entry. With atOrBelow, a Seq with no event
// stands for the newest event below it: what a watermark covers.
func (db *DB) Refs(seqs []uint64, atOrBelow bool) (map[uint64]EventRef, error) {
	out := make(map[uint64]EventRef, len(seqs))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		fb := tx.Bucket(bucketFeeds)
		for _, seq := range seqs {
			var best uint64
			var ref EventRef
			err := fb.ForEachBucket(func(name []byte) error {
				eb := fb.Bucket(name).Bucket(bucketEvents)
				if eb == nil {
					return nil
				}
				c := eb.Cursor()
				k, v := c.Seek(u64(seq))
				switch {
				case !atOrBelow || k != nil && binary.BigEndian.Uint64(k) == seq:
				case k == nil:
					k, v = c.Last()
				default:
					k, v = c.Prev()
				}
				if k == nil {
					return nil
				}
				got := binary.BigEndian.Uint64(k)
				if got > seq || got <= best {
					return nil
				}
				if id, ok := eventID(v); ok {
					best, ref = got, EventRef{Feed: string(name), ID: string(id)}
				}
				return nil
			})
			if err != nil {
				return err
			}
			if best != 0 {
				out[seq] = ref
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading events by seq: %w", err)
	}
	return out, nil
}

// Locate returns the Seqs of the events refs name, among those stored
// with a Seq above after. Each feed is read from its newest event down,
// and no further than its refs need: what is not found is not stored
// there (yet, or any more, or at or below after).
func (db *DB) Locate(refs []EventRef, after uint64) (map[EventRef]uint64, error) {
	byFeed := make(map[string]map[string]bool)
	for _, r := range refs {
		if byFeed[r.Feed] == nil {
			byFeed[r.Feed] = make(map[string]bool)
		}
		byFeed[r.Feed][r.ID] = true
	}
	out := make(map[EventRef]uint64, len(refs))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for feed, ids := range byFeed {
			fb := tx.Bucket(bucketFeeds).Bucket([]byte(feed))
			if fb == nil || fb.Bucket(bucketEvents) == nil {
				continue
			}
			left := len(ids)
			c := fb.Bucket(bucketEvents).Cursor()
			for k, v := c.Last(); k != nil && left > 0; k, v = c.Prev() {
				seq := binary.BigEndian.Uint64(k)
				if seq <= after {
					break
				}
				id, ok := eventID(v)
				if !ok || !ids[string(id)] {
					continue
				}
				r := EventRef{Feed: feed, ID: string(bytes.Clone(id))}
				if _, dup := out[r]; !dup {
					out[r] = seq
					left--
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("locating events: %w", err)
	}
	return out, nil
}
