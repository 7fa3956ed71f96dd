package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
)

// minuteCountKeep is how long per-minute counts are kept when MaxAge is
// shorter: the after-event report wants volume over time even once the
// events themselves are gone.
const minuteCountKeep = 30 * 24 * time.Hour

// appendFill packs pages full in buckets whose keys only ever grow, which
// nearly halves the pages an append-only bucket needs.
const appendFill = 1.0

// AppendEvents stores a batch of ingested events in one transaction. Every
// event needs a Seq (assigned by the hub, strictly increasing), a Feed and an
// ID.
//
// It is idempotent: an event whose Seq is already stored, or was stored and
// has since been pruned from its feed, is skipped, so replaying a batch
// changes nothing. A Seq already holding a different event is an error and
// the batch is not written.
//
// Then it prunes every feed to its retention: at most Options.Retention
// events, and with Options.MaxAge none older than that, unless
// Options.Feeds says otherwise for that feed. An event's
// age runs from the earlier of its Time and when it was stored, so a
// platform clock running ahead cannot pin it. Pruning walks a feed from its
// oldest event and stops at the first one it keeps: a feed whose timestamps
// go backwards keeps a late-stamped event until those before it age out too
// (count retention still bounds it). Per-minute counts for MinuteCounts are
// kept at the same time.
func (db *DB) AppendEvents(evs []feeds.Event) error {
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		if err := checkEvent(&evs[i]); err != nil {
			return fmt.Errorf("appending events: %w", err)
		}
	}
	now := db.opts.Now()
	var backlog bool
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		w := newAppender(tx, now, len(evs))
		for i := range evs {
			if err := w.add(&evs[i]); err != nil {
				return err
			}
		}
		err := w.finish(db)
		backlog = w.wantPrune
		return err
	})
	if err != nil {
		return fmt.Errorf("appending events: %w", err)
	}
	if backlog {
		db.wantPrune()
	}
	return nil
}

func checkEvent(ev *feeds.Event) error {
	switch {
	case ev.Seq == 0:
		return fmt.Errorf("event %s/%s has no seq", ev.Feed, ev.ID)
	case ev.Feed == "":
		return fmt.Errorf("event %d has no feed", ev.Seq)
	case ev.ID == "":
		return fmt.Errorf("event %d has no id", ev.Seq)
	}
	return nil
}

// feedTx is one feed's buckets and counters during a write transaction.
type feedTx struct {
	b            *bolt.Bucket // feeds/<feed>
	events       *bolt.Bucket // feeds/<feed>/events
	count, floor uint64
	dirty        bool
}

func loadFeed(b *bolt.Bucket) (*feedTx, error) {
	events, err := b.CreateBucketIfNotExists(bucketEvents)
	if err != nil {
		return nil, err
	}
	events.FillPercent = appendFill
	return &feedTx{b: b, events: events, count: getU64(b, keyCount), floor: getU64(b, keyFloor)}, nil
}

type minute struct {
	feed string
	key  uint64
}

// appender carries one AppendEvents transaction.
type appender struct {
	tx      *bolt.Tx
	now     time.Time
	feeds   *bolt.Bucket
	byName  map[string]*feedTx
	minutes map[minute]uint64
	high    uint64 // highest seq stored so far, this batch included
	added   bool
	n       int // events in the batch
	// wantPrune is set when pruning due was left to the background.
	wantPrune bool
	arena     arena
}

func newAppender(tx *bolt.Tx, now time.Time, n int) *appender {
	w := &appender{
		tx:      tx,
		now:     now,
		feeds:   tx.Bucket(bucketFeeds),
		byName:  make(map[string]*feedTx),
		minutes: make(map[minute]uint64),
		high:    getU64(tx.Bucket(bucketMeta), keyLastSeq),
		n:       n,
	}
	// About what the batch needs (an event encodes to ~100-300 bytes),
	// so that a group commit of a hundred events does not take a 256 KiB
	// chunk; a chunk that runs out is followed by another.
	w.arena.chunk = min(max(n*256, 16<<10), 256<<10)
	return w
}

func (w *appender) feed(name string) (*feedTx, error) {
	if f, ok := w.byName[name]; ok {
		return f, nil
	}
	b, err := w.feeds.CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return nil, fmt.Errorf("feed %q: %w", name, err)
	}
	f, err := loadFeed(b)
	if err != nil {
		return nil, fmt.Errorf("feed %q: %w", name, err)
	}
	w.byName[name] = f
	return f, nil
}

func (w *appender) add(ev *feeds.Event) error {
	f, err := w.feed(ev.Feed)
	if err != nil {
		return err
	}
	if ev.Seq <= f.floor {
		return nil // stored once, since pruned
	}
	key := w.arena.alloc(8)
	binary.BigEndian.PutUint64(key, ev.Seq)
	if ev.Seq <= w.high {
		// A replay, or a hub handing out a seq twice: only here is it
		// worth looking the seq up.
		if dup, err := w.stored(f, key, ev); dup || err != nil {
			return err
		}
	}
	keep := unixNano(minTime(ev.Time, w.now))
	val := w.arena.commit(appendEvent(w.arena.reserve(eventSizeBound(ev)), ev, keep))
	if err := f.events.Put(key, val); err != nil {
		return fmt.Errorf("event %d: %w", ev.Seq, err)
	}
	f.count++
	f.dirty = true
	w.minutes[minute{ev.Feed, minuteKey(ev.Time)}]++
	w.high = max(w.high, ev.Seq)
	w.added = true
	return nil
}

// stored reports whether ev is already stored under key, and fails if
// another event is.
func (w *appender) stored(f *feedTx, key []byte, ev *feeds.Event) (bool, error) {
	if v := f.events.Get(key); v != nil {
		if id, ok := eventID(v); !ok || string(id) != ev.ID {
			return false, fmt.Errorf("seq %d already holds another event than %s/%s", ev.Seq, ev.Feed, ev.ID)
		}
		return true, nil
	}
	return false, w.feeds.ForEachBucket(func(name []byte) error {
		if eb := w.feeds.Bucket(name).Bucket(bucketEvents); eb != nil && eb.Get(key) != nil {
			return fmt.Errorf("seq %d already holds an event of feed %q, not %s/%s", ev.Seq, name, ev.Feed, ev.ID)
		}
		return nil
	})
}

// finish writes the minute counts and the high-water seq, then prunes.
func (w *appender) finish(db *DB) error {
	for m, n := range w.minutes {
		f := w.byName[m.feed]
		mb, err := f.b.CreateBucketIfNotExists(bucketMinutes)
		if err != nil {
			return err
		}
		key := w.arena.alloc(8)
		binary.BigEndian.PutUint64(key, m.key)
		val := w.arena.alloc(8)
		binary.BigEndian.PutUint64(val, getU64(mb, key)+n)
		if err := mb.Put(key, val); err != nil {
			return err
		}
	}
	if w.added {
		if err := w.tx.Bucket(bucketMeta).Put(keyLastSeq, u64(w.high)); err != nil {
			return err
		}
	}
	// As much as was added and some more: what steady ingest needs. The
	// rest, if any, is the background pruner's.
	bud := budget{keys: 2*w.n + appendPruneSlack}
	more, err := db.prune(w.tx, w.byName, w.now, &bud)
	if more {
		w.wantPrune = true
	}
	return err
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// MarkDeleted sets Deleted on the stored event with that feed and id and
// returns it; ErrNotFound if the store does not hold it. The lookup scans
// the feed from its newest event, since moderation acts on recent messages;
// it reads only the id of each event it passes.
func (db *DB) MarkDeleted(feed, id string) (feeds.Event, error) {
	var ev feeds.Event
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		fb := tx.Bucket(bucketFeeds).Bucket([]byte(feed))
		if fb == nil || id == "" {
			return ErrNotFound
		}
		events := fb.Bucket(bucketEvents)
		if events == nil {
			return ErrNotFound
		}
		c := events.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if got, ok := eventID(v); !ok || string(got) != id {
				continue
			}
			seq := binary.BigEndian.Uint64(k)
			var err error
			if ev, err = decodeEvent(seq, v); err != nil {
				return fmt.Errorf("event %d: %w", seq, err)
			}
			if ev.Deleted {
				return nil
			}
			ev.Deleted = true
			upd := bytes.Clone(v) // v is the read-only mmap
			upd[offFlags] |= flagDeleted
			return events.Put(bytes.Clone(k), upd)
		}
		return ErrNotFound
	})
	if err != nil {
		return feeds.Event{}, fmt.Errorf("marking %s/%s deleted: %w", feed, id, err)
	}
	return ev, nil
}

// arena hands out byte slices from large chunks. bbolt keeps the key and
// value slices given to Put until the transaction commits, so each needs its
// own memory; one chunk per few thousand events beats one allocation each.
type arena struct {
	chunk int
	buf   []byte
}

// alloc returns n bytes that no later alloc overlaps.
func (a *arena) alloc(n int) []byte {
	return a.commit(a.reserve(n)[:n])
}

// reserve returns an empty slice with room for n bytes at the arena's tail,
// for appending into; commit then claims what was appended.
func (a *arena) reserve(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(n, a.chunk))
	}
	return a.buf[len(a.buf):len(a.buf):cap(a.buf)]
}

// commit claims b, the slice reserve returned after appending to it within
// the reserved room.
func (a *arena) commit(b []byte) []byte {
	if n := len(a.buf) + len(b); n <= cap(a.buf) {
		a.buf = a.buf[:n]
	} // else b outgrew the reservation and append gave it its own memory
	return b[:len(b):len(b)]
}
