package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Retention is applied in two places, both in bounded transactions, so
// neither start-up nor ingest ever waits on a long prune:
//
//   - AppendEvents prunes in its own transaction as much as it added (and
//     a little more): in steady state that keeps every feed at its
//     retention without a transaction of its own.
//   - A background pruner, started by Open, removes what retention left
//     while tribune was not running (a lowered keep_count, keep_for after a
//     weekend off), and whatever AppendEvents' budget could not. It works
//     in transactions of at most pruneTxKeys deletions and about
//     pruneTxTime of work, so it never holds the write lock for more than
//     a frame; each one commits the deletions with the feed's count and
//     floor, so a kill between two of them leaves a consistent database
//     with less pruned.
//
// Each pass walks a bucket from its oldest key with a cursor, collects what
// goes, then deletes those keys: linear in what it deletes. (Deleting under
// the cursor and starting again from First is quadratic: the emptied leaves
// stay in the tree until commit and First walks past every one of them.)
const (
	pruneTxKeys = 2048
	pruneTxTime = 4 * time.Millisecond
	// appendPruneSlack is what AppendEvents may prune beyond twice what it
	// adds, so that age retention keeps up with a burst that is aging out.
	appendPruneSlack = 512
)

// budget bounds the deletions of one transaction, by count and, when
// deadline is set, by time.
type budget struct {
	keys     int
	deadline time.Time
	spent    int
}

// take reports whether one more deletion fits, and counts it.
func (b *budget) take() bool {
	if b.keys <= 0 {
		return false
	}
	b.spent++
	b.keys--
	if b.spent%256 == 0 && !b.deadline.IsZero() && time.Now().After(b.deadline) {
		b.keys = 0 // this one still fits; the next does not
	}
	return true
}

// exhausted reports whether the budget stopped a pass short.
func (b *budget) exhausted() bool { return b.keys <= 0 }

// deleteOldest deletes b's keys from the first on, while del says so and the
// budget lasts. Keys are collected first and deleted afterwards, each
// Delete a seek: linear in what it deletes.
func deleteOldest(b *bolt.Bucket, bud *budget, del func(k, v []byte) bool) (deleted int, err error) {
	var keys [][]byte
	var arena []byte
	c := b.Cursor()
	for k, v := c.First(); k != nil && del(k, v) && bud.take(); k, v = c.Next() {
		// k is in the mmap or in a node; copied, it survives the deletes.
		if cap(arena)-len(arena) < len(k) {
			arena = make([]byte, 0, max(4096, len(k)))
		}
		start := len(arena)
		arena = append(arena, k...)
		keys = append(keys, arena[start:len(arena):len(arena)])
	}
	for _, k := range keys {
		// One cursor for every seek: Bucket.Delete would make one each.
		if got, _ := c.Seek(k); !bytes.Equal(got, k) {
			return deleted, fmt.Errorf("key %x vanished while pruning", k)
		}
		if err := c.Delete(); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}

// prune applies retention to every feed, within bud: by count, by age when
// MaxAge is set, and drops minute counts past their keep. loaded holds the
// feeds already opened by the caller's transaction (may be nil). It reports
// whether the budget ran out before everything due was pruned.
func (db *DB) prune(tx *bolt.Tx, loaded map[string]*feedTx, now time.Time, bud *budget) (more bool, err error) {
	feedsB := tx.Bucket(bucketFeeds)
	names, err := bucketNames(feedsB)
	if err != nil {
		return false, err
	}
	for _, name := range names {
		f, ok := loaded[string(name)]
		if !ok {
			var err error
			if f, err = loadFeed(feedsB.Bucket(name)); err != nil {
				return false, fmt.Errorf("feed %q: %w", name, err)
			}
		}
		keep, maxAge := db.opts.retention(string(name))
		cutoff := int64(math.MinInt64)
		if maxAge > 0 {
			cutoff = unixNano(now.Add(-maxAge))
		}
		minuteCutoff := minuteKey(now.Add(-max(maxAge, minuteCountKeep)))
		if err := pruneFeed(f, keep, cutoff, bud); err != nil {
			return false, fmt.Errorf("pruning feed %q: %w", name, err)
		}
		if f.dirty {
			if err := f.b.Put(keyCount, u64(f.count)); err != nil {
				return false, err
			}
			if err := f.b.Put(keyFloor, u64(f.floor)); err != nil {
				return false, err
			}
		}
		if mb := f.b.Bucket(bucketMinutes); mb != nil {
			_, err := deleteOldest(mb, bud, func(k, _ []byte) bool {
				return binary.BigEndian.Uint64(k) < minuteCutoff
			})
			if err != nil {
				return false, fmt.Errorf("pruning feed %q: %w", name, err)
			}
		}
		if bud.exhausted() {
			return true, nil
		}
	}
	return false, nil
}

// pruneFeed deletes the feed's oldest events, within bud, while it holds
// more than keep or the oldest was kept since before cutoff (Unix
// nanoseconds).
func pruneFeed(f *feedTx, keep uint64, cutoff int64, bud *budget) error {
	count, floor := f.count, f.floor
	stopped := false
	n, err := deleteOldest(f.events, bud, func(k, v []byte) bool {
		if count <= keep {
			if t, ok := keepTime(v); !ok || t >= cutoff {
				stopped = true
				return false
			}
		}
		if bud.exhausted() {
			stopped = true
			return false
		}
		if count > 0 {
			count--
		}
		floor = max(floor, binary.BigEndian.Uint64(k))
		return true
	})
	if err != nil {
		return err
	}
	if !stopped {
		count = 0 // the walk reached the end: the bucket is empty, whatever the counter said
	}
	if n > 0 || count != f.count {
		f.count, f.floor, f.dirty = count, floor, true
	}
	return nil
}

// pruner runs the background pruning of one open DB.
type pruner struct {
	kick     chan struct{} // a pass is wanted; buffered, one pending at most
	stop     chan struct{} // closed by Close
	done     chan struct{} // closed when the goroutine has returned
	initial  chan struct{} // closed when the pass Open asked for is done
	stopOnce sync.Once

	mu    sync.Mutex
	stats pruneStats
}

// pruneStats is what the pruner has done, for the benchmarks.
type pruneStats struct {
	Txs     int
	Deleted int
	MaxTx   time.Duration // the longest transaction, commit included
	LastErr error
}

// startPruner starts the background pruner with one pass due.
func (db *DB) startPruner() {
	p := &pruner{
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		initial: make(chan struct{}),
	}
	p.kick <- struct{}{}
	db.pr = p
	go db.runPruner(p)
}

func (db *DB) runPruner(p *pruner) {
	defer close(p.done)
	first := true
	defer func() {
		if first { // stopped before the first pass
			close(p.initial)
		}
	}()
	if d := db.opts.PruneDelay; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-p.stop:
			t.Stop()
			return
		case <-t.C:
		}
	}
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		err := db.prunePass(p)
		if first {
			// The read marks of events pruned while tribune was not
			// running go once the backlog is gone.
			if err == nil {
				err = db.bolt.Update(pruneReadMarks)
			}
			first = false
			close(p.initial)
		}
		if err != nil {
			// A disk that fails here fails ingest too, which reports it;
			// the next kick tries again.
			p.mu.Lock()
			p.stats.LastErr = err
			p.mu.Unlock()
		}
	}
}

// prunePass prunes in bounded transactions until nothing is due or Close
// is called.
func (db *DB) prunePass(p *pruner) error {
	for {
		select {
		case <-p.stop:
			return nil
		default:
		}
		start := time.Now()
		var more bool
		bud := budget{keys: pruneTxKeys, deadline: start.Add(pruneTxTime)}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			var err error
			more, err = db.prune(tx, nil, db.opts.Now(), &bud)
			return err
		})
		took := time.Since(start)
		p.mu.Lock()
		p.stats.Txs++
		p.stats.Deleted += bud.spent
		p.stats.MaxTx = max(p.stats.MaxTx, took)
		p.mu.Unlock()
		if err != nil {
			return fmt.Errorf("pruning: %w", err)
		}
		if !more {
			return nil
		}
	}
}

// wantPrune asks the background pruner for a pass, without waiting.
func (db *DB) wantPrune() {
	if db.pr == nil {
		return
	}
	select {
	case db.pr.kick <- struct{}{}:
	default:
	}
}

// stopPruner stops the background pruner and waits for it; a transaction
// under way finishes first.
func (db *DB) stopPruner() {
	if db.pr == nil {
		return
	}
	db.pr.stopOnce.Do(func() { close(db.pr.stop) })
	<-db.pr.done
}

// pruned is closed once the pruning that Open started is done (or Close
// stopped it).
func (db *DB) pruned() <-chan struct{} {
	if db.pr == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return db.pr.initial
}
