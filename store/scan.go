package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
)

// scanPage is how many events Events decodes per read transaction: a
// long export never holds a transaction (and with it the file's remap)
// for longer than one page takes to decode.
const scanPage = 512

// Filter picks events for Events. The zero Filter picks every one.
type Filter struct {
	// Since and Until bound Event.Time: Since <= Time < Until. A zero
	// bound is open.
	Since, Until time.Time
	// Feeds keeps only these feed ids; empty keeps all.
	Feeds []string
	// Prefilter, when set, is shown each event before it is decoded and
	// rules out those it returns false for: it must return true for every
	// event Keep could keep. search.Query.Prefilter is one.
	Prefilter func(*Raw) bool
	// Keep, when set, picks among the decoded events that pass the
	// bounds above.
	Keep func(*feeds.Event) bool
}

func (f *Filter) keep(ev *feeds.Event) bool {
	if !f.Since.IsZero() && ev.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !ev.Time.Before(f.Until) {
		return false
	}
	return f.Keep == nil || f.Keep(ev)
}

// Events calls fn with every stored event the filter picks, in Seq
// (arrival) order across the feeds, and stops at fn's first error, which
// it returns. It holds no transaction while fn runs, so fn may take its
// time (write to a slow pipe) and may call the store; memory stays
// bounded whatever the size of the database. An event stored or pruned
// during the walk may or may not be seen; none is seen twice.
//
// Events are keyed by Seq, not by time, so the walk reads every event of
// the chosen feeds: retention bounds that.
func (db *DB) Events(f Filter, fn func(feeds.Event) error) error {
	var after uint64 // every event with Seq <= after was handled
	page := make([]feeds.Event, 0, scanPage)
	for {
		page = page[:0]
		var last uint64
		err := db.bolt.View(func(tx *bolt.Tx) error {
			var err error
			page, last, err = scanFrom(tx, after, f, page, scanPage)
			return err
		})
		if err != nil {
			return fmt.Errorf("reading events: %w", err)
		}
		for i := range page {
			if err := fn(page[i]); err != nil {
				return err
			}
		}
		if last == after {
			return nil
		}
		after = last
	}
}

// scanFrom reads the events with Seq > after in Seq order, up to n of
// them (counting those the filter drops), into out. last is the highest
// Seq read, after when there was none.
func scanFrom(tx *bolt.Tx, after uint64, f Filter, out []feeds.Event, n int) (_ []feeds.Event, last uint64, _ error) {
	var heads []head
	err := eventBuckets(tx, f.Feeds, func(_ []byte, eb *bolt.Bucket) {
		c := eb.Cursor()
		if k, v := c.Seek(u64(after + 1)); k != nil {
			heads = append(heads, head{c, binary.BigEndian.Uint64(k), v})
		}
	})
	if err != nil {
		return out, after, err
	}
	last = after
	var raw Raw
	for ; n > 0 && len(heads) > 0; n-- {
		low := 0
		for i := range heads {
			if heads[i].seq < heads[low].seq {
				low = i
			}
		}
		h := &heads[low]
		last = h.seq
		pass := true
		if f.Prefilter != nil {
			if err := readRaw(h.seq, h.v, &raw); err != nil {
				return out, after, fmt.Errorf("event %d: %w", h.seq, err)
			}
			pass = f.Prefilter(&raw)
		}
		if pass {
			ev, err := decodeEvent(h.seq, h.v)
			if err != nil {
				return out, after, fmt.Errorf("event %d: %w", h.seq, err)
			}
			if f.keep(&ev) {
				out = append(out, ev)
			}
		}
		if k, v := h.c.Next(); k != nil {
			h.seq, h.v = binary.BigEndian.Uint64(k), v
		} else {
			heads[low] = heads[len(heads)-1]
			heads = heads[:len(heads)-1]
		}
	}
	return out, last, nil
}
