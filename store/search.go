package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
)

// Reading history for the screen: pages newest first (Search), older than
// a row (Before), from the oldest (After, Oldest). Every call is bounded:
// at most MaxPage events come back, and a walk that has to read much of
// the database to fill a page reads it searchChunk events per read
// transaction, so it never holds one for long (a writer's remap waits on
// every reader) and a cancelled context stops it between two.

// MaxPage is the most events one call of Search, Before or After returns;
// a larger n is read as MaxPage.
const MaxPage = 1000

// searchChunk is how many events a walk reads per read transaction.
const searchChunk = 16384

// Raw is a stored event before it is decoded, for a Filter's Prefilter.
// Its byte fields alias the database: valid only during the call, never
// to be kept or modified.
type Raw struct {
	Seq  uint64
	Kind feeds.Kind
	Time time.Time // zero when the event has none
	// The fields of feeds.Event of the same names.
	Feed, Platform, Author, AuthorName, Text, Warning []byte
}

// Cursor is where a newest-first walk (Search) stands. The zero Cursor
// starts at the newest event; Done says nothing is left.
type Cursor struct {
	before uint64 // events with Seq < before are left; 0: all of them
	done   bool
}

// CursorBefore is a Cursor at the events older than seq: a search that
// goes on below the oldest row on screen.
func CursorBefore(seq uint64) Cursor {
	if seq <= 1 {
		return Cursor{done: true}
	}
	return Cursor{before: seq}
}

// Done reports whether the walk has read every stored event.
func (c Cursor) Done() bool { return c.done }

// Search returns up to limit events that f picks, newest first, starting
// at from, and the Cursor to pass for the next page. It reads as far back
// as it must to fill the page (the whole database for a word nobody
// wrote), in windows of Seqs that grow from 4,096 to 65,536, the feeds of
// a window read side by side on the machine's cores, each in read
// transactions of at most searchChunk events; ctx is checked between
// windows: a cancelled search returns what it found with ctx's error and
// a cursor to go on from. Set f.Prefilter when a cheap look at the raw
// event can rule most of them out: only those it lets through are
// decoded. f.Prefilter and f.Keep may be called from several goroutines
// at once. Since and Until are tested on each event, not used to stop
// early: events are kept in arrival order, and a platform's times are
// not.
func (db *DB) Search(ctx context.Context, f Filter, from Cursor, limit int) ([]feeds.Event, Cursor, error) {
	if from.done {
		return nil, from, nil
	}
	limit = min(max(limit, 1), MaxPage)
	spans, err := db.feedSpans(f.Feeds)
	if err != nil {
		return nil, from, fmt.Errorf("searching events: %w", err)
	}
	var oldest, newest uint64
	for i, sp := range spans {
		if i == 0 || sp.first < oldest {
			oldest = sp.first
		}
		newest = max(newest, sp.last)
	}
	hi := from.before
	if hi == 0 || hi > newest+1 {
		hi = newest + 1
	}
	var out []feeds.Event
	hits := make([][]feeds.Event, len(spans))
	for window := uint64(4096); ; window = min(2*window, 1<<16) {
		if len(spans) == 0 || hi <= oldest {
			return out, Cursor{done: true}, nil
		}
		lo := max(oldest, hi-min(hi, window))
		need := limit - len(out)
		err := db.eachFeed(spans, func(i int, sp feedSpan) error {
			hits[i] = hits[i][:0]
			var raw Raw
			return db.walkFeed(context.WithoutCancel(ctx), sp.name, lo, hi, func(seq uint64, v []byte) (bool, error) {
				if f.Prefilter != nil {
					if err := readRaw(seq, v, &raw); err != nil {
						return false, fmt.Errorf("event %d: %w", seq, err)
					}
					if !f.Prefilter(&raw) {
						return false, nil
					}
				}
				ev, err := decodeEvent(seq, v)
				if err != nil {
					return false, fmt.Errorf("event %d: %w", seq, err)
				}
				if f.keep(&ev) {
					hits[i] = append(hits[i], ev)
				}
				return len(hits[i]) == need, nil
			})
		})
		if err != nil {
			return nil, from, fmt.Errorf("searching events: %w", err)
		}
		found := slices.Concat(hits...)
		slices.SortFunc(found, func(a, b feeds.Event) int { return cmpSeqDesc(a.Seq, b.Seq) })
		if len(found) >= need {
			out = append(out, found[:need]...)
			next := out[len(out)-1].Seq
			return out, Cursor{before: next, done: next <= oldest}, nil
		}
		out = append(out, found...)
		hi = lo
		if err := ctx.Err(); err != nil {
			return out, Cursor{before: hi, done: hi <= oldest}, err
		}
	}
}

func cmpSeqDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// feedSpan is one feed's bucket name and the Seqs of its oldest and
// newest stored events.
type feedSpan struct {
	name        string
	first, last uint64
}

// feedSpans returns the spans of the named feeds (all when none is named)
// that hold events.
func (db *DB) feedSpans(names []string) ([]feedSpan, error) {
	var spans []feedSpan
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eventBuckets(tx, names, func(name []byte, eb *bolt.Bucket) {
			c := eb.Cursor()
			first, _ := c.First()
			last, _ := c.Last()
			if len(first) == 8 && len(last) == 8 {
				spans = append(spans, feedSpan{string(name), binary.BigEndian.Uint64(first), binary.BigEndian.Uint64(last)})
			}
		})
	})
	return spans, err
}

// eachFeed runs fn for every span, on as many goroutines as there are
// cores (a long walk is bound by memory, not by the disk), and returns
// the first error.
func (db *DB) eachFeed(spans []feedSpan, fn func(i int, sp feedSpan) error) error {
	workers := min(runtime.GOMAXPROCS(0), len(spans))
	if workers <= 1 {
		for i, sp := range spans {
			if err := fn(i, sp); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(spans) || errs[w] != nil {
					return
				}
				errs[w] = fn(i, spans[i])
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// walkFeed visits the events of one feed with lo <= Seq < hi, newest
// first, until visit says stop, in read transactions of at most
// searchChunk events, and stops with ctx's error between two.
func (db *DB) walkFeed(ctx context.Context, name string, lo, hi uint64, visit func(seq uint64, v []byte) (stop bool, err error)) error {
	for hi > lo {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := 0
		stop := false
		err := db.bolt.View(func(tx *bolt.Tx) error {
			fb := tx.Bucket(bucketFeeds).Bucket([]byte(name))
			if fb == nil || fb.Bucket(bucketEvents) == nil {
				stop = true
				return nil
			}
			c := fb.Bucket(bucketEvents).Cursor()
			k, v := c.Seek(u64(hi))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
			for ; k != nil; k, v = c.Prev() {
				seq := binary.BigEndian.Uint64(k)
				if seq < lo {
					break
				}
				if n == searchChunk {
					return nil
				}
				n++
				hi = seq
				var err error
				if stop, err = visit(seq, v); err != nil || stop {
					return err
				}
			}
			stop = true
			return nil
		})
		if err != nil || stop {
			return err
		}
	}
	return nil
}

// walkBack visits, newest first, up to budget events of the named feeds
// (all when names is empty) from cur, in one read transaction, until
// visit says stop; it returns where it stopped.
func (db *DB) walkBack(names []string, cur Cursor, budget int, visit func(seq uint64, v []byte) (stop bool, err error)) (Cursor, error) {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		heads, err := headsBack(tx, names, cur.before)
		if err != nil {
			return err
		}
		for n := 0; n < budget; n++ {
			if len(heads) == 0 {
				cur.done = true
				return nil
			}
			top := 0
			for i := range heads {
				if heads[i].seq > heads[top].seq {
					top = i
				}
			}
			h := &heads[top]
			cur.before = h.seq
			stop, err := visit(h.seq, h.v)
			if err != nil {
				return err
			}
			if k, v := h.c.Prev(); k != nil {
				h.seq, h.v = binary.BigEndian.Uint64(k), v
			} else {
				heads = slices.Delete(heads, top, top+1)
			}
			if stop {
				break
			}
		}
		if len(heads) == 0 || cur.before <= 1 {
			cur.done = true
		}
		return nil
	})
	return cur, err
}

// headsBack places one cursor per feed (those named, or all) on its newest
// event with Seq < before (any when before is 0).
func headsBack(tx *bolt.Tx, names []string, before uint64) ([]head, error) {
	var heads []head
	err := eventBuckets(tx, names, func(_ []byte, eb *bolt.Bucket) {
		c := eb.Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else if k, v = c.Seek(u64(before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		if k != nil {
			heads = append(heads, head{c, binary.BigEndian.Uint64(k), v})
		}
	})
	return heads, err
}

// eventBuckets calls fn with the events bucket of each named feed (every
// feed when names is empty, in name order), skipping those without one.
func eventBuckets(tx *bolt.Tx, names []string, fn func(name []byte, eb *bolt.Bucket)) error {
	fb := tx.Bucket(bucketFeeds)
	each := func(name []byte) error {
		if b := fb.Bucket(name); b != nil {
			if eb := b.Bucket(bucketEvents); eb != nil {
				fn(name, eb)
			}
		}
		return nil
	}
	if len(names) == 0 {
		return fb.ForEachBucket(each)
	}
	for _, n := range slices.Compact(slices.Sorted(slices.Values(names))) {
		_ = each([]byte(n))
	}
	return nil
}

// Before returns up to n (at most MaxPage) events with Seq < seq, oldest
// first: the page above the oldest row on screen when scrolling back.
// Nothing is older than seq 1; seq 0 reads the newest, as Recent.
func (db *DB) Before(seq uint64, n int) ([]feeds.Event, error) {
	if seq == 1 {
		return nil, nil
	}
	evs, err := db.backwards(seq, min(n, MaxPage))
	if err != nil {
		return nil, fmt.Errorf("reading events before %d: %w", seq, err)
	}
	return evs, nil
}

// After returns up to n (at most MaxPage) events with Seq > seq, oldest
// first: the page below the newest row on screen when scrolling forward
// from old history back towards the live window.
func (db *DB) After(seq uint64, n int) ([]feeds.Event, error) {
	n = min(n, MaxPage)
	if n <= 0 {
		return nil, nil
	}
	var out []feeds.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, _, err = scanFrom(tx, seq, Filter{}, make([]feeds.Event, 0, n), n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading events after %d: %w", seq, err)
	}
	return out, nil
}

// Oldest returns the oldest n (at most MaxPage) stored events, oldest
// first: where `g` goes.
func (db *DB) Oldest(n int) ([]feeds.Event, error) { return db.After(0, n) }

// readRaw reads the fields of a stored event into r without copying.
func readRaw(seq uint64, v []byte, r *Raw) error {
	if len(v) < headerLen {
		return errCorrupt
	}
	if v[0] != eventCodecV1 && v[0] != eventCodecV2 {
		return fmt.Errorf("event codec version %d: %w", v[0], errCorrupt)
	}
	*r = Raw{Seq: seq, Kind: feeds.Kind(v[1])}
	rd := reader{b: v[headerLen:]}
	if v[offFlags]&flagZeroTime == 0 {
		sec := rd.varint()
		nsec := rd.uvarint()
		if nsec >= 1e9 {
			return errCorrupt
		}
		r.Time = time.Unix(sec, int64(nsec)).UTC()
	}
	var skip []byte
	for _, p := range [...]*[]byte{&skip, &r.Feed, &r.Platform, &skip, &r.Author, &r.AuthorName, &r.Text, &skip, &skip} {
		*p = rd.bytes()
	}
	if v[0] >= eventCodecV2 {
		n := rd.uvarint()
		if n > uint64(len(rd.b)) {
			return errCorrupt
		}
		for range n {
			rd.bytes()
		}
		r.Warning = rd.bytes()
	}
	return rd.err
}

// bytes reads a string field as a slice of the record.
func (r *reader) bytes() []byte {
	var n uint64
	if len(r.b) > 0 && r.b[0] < 0x80 && r.err == nil {
		// The common case, a field shorter than 128 bytes: one byte of
		// length, read without a call.
		n, r.b = uint64(r.b[0]), r.b[1:]
	} else if n = r.uvarint(); r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}
