package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds/outbox"
)

// errRollback ends a write transaction that must change nothing.
var errRollback = errors.New("rollback")

// maxProblems bounds what Check reports: a badly damaged file would
// otherwise produce one line per record.
const maxProblems = 100

// Check verifies the database: bbolt's own page and freelist consistency,
// then tribune's invariants: every record decodes, counters match what
// they count, and the outbox's pending index holds exactly the items that
// are not done (so nothing is both sent and queued). It returns what is
// wrong, at most maxProblems of it; nil means the database is sound.
func (db *DB) Check() []error {
	var probs []error
	add := func(format string, args ...any) bool {
		if len(probs) < maxProblems {
			probs = append(probs, fmt.Errorf(format, args...))
		}
		return len(probs) < maxProblems
	}
	check := func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			if !add("bbolt: %v", err) {
				return nil
			}
		}
		checkMeta(tx, add)
		checkFeeds(tx, add)
		checkOps(tx, add)
		checkOutbox(tx, add)
		checkAudit(tx, add)
		return nil
	}
	var err error
	if db.pr == nil {
		// Opened read-only or raw: no writer runs beside it.
		err = db.bolt.View(check)
	} else {
		// bbolt's page check in a read transaction reports pages a
		// concurrent writer (ingest, the pruner) took from the freelist as
		// leaked: run it in a write transaction, which holds them off, and
		// roll back.
		err = db.bolt.Update(func(tx *bolt.Tx) error {
			if err := check(tx); err != nil {
				return err
			}
			return errRollback
		})
		if errors.Is(err, errRollback) {
			err = nil
		}
	}
	if err != nil {
		add("reading: %v", err)
	}
	return probs
}

type addFunc func(format string, args ...any) bool

func checkMeta(tx *bolt.Tx, add addFunc) {
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keyVersion); len(v) != 8 || binary.BigEndian.Uint64(v) != current.version {
		add("meta: schema version is %d, this build writes %d: run the dashboard once to upgrade the file", getU64(meta, keyVersion), current.version)
	}
	if _, err := readHold(tx); err != nil {
		add("meta: %v", err)
	}
}

func checkFeeds(tx *bolt.Tx, add addFunc) {
	last := getU64(tx.Bucket(bucketMeta), keyLastSeq)
	fb := tx.Bucket(bucketFeeds)
	_ = fb.ForEachBucket(func(name []byte) error {
		b := fb.Bucket(name)
		floor, count := getU64(b, keyFloor), getU64(b, keyCount)
		var n uint64
		if ev := b.Bucket(bucketEvents); ev != nil {
			_ = ev.ForEach(func(k, v []byte) error {
				n++
				if len(k) != 8 {
					add("feed %q: event key %x is not a seq", name, k)
					return nil
				}
				seq := binary.BigEndian.Uint64(k)
				e, err := decodeEvent(seq, v)
				switch {
				case err != nil:
					add("feed %q: event %d: %v", name, seq, err)
				case e.Feed != string(name):
					add("feed %q: event %d belongs to feed %q", name, seq, e.Feed)
				case seq <= floor || seq > last:
					add("feed %q: event %d outside (floor %d, last seq %d]", name, seq, floor, last)
				}
				return nil
			})
		}
		if n != count {
			add("feed %q: count says %d events, there are %d", name, count, n)
		}
		if mb := b.Bucket(bucketMinutes); mb != nil {
			_ = mb.ForEach(func(k, v []byte) error {
				if len(k) != 8 || len(v) != 8 {
					add("feed %q: malformed minute count %x=%x", name, k, v)
				}
				return nil
			})
		}
		return nil
	})
}

func checkOps(tx *bolt.Tx, add addFunc) {
	ops := tx.Bucket(bucketOps)
	_ = ops.ForEachBucket(func(name []byte) error {
		b := ops.Bucket(name)
		if v := b.Get(keyUpto); v != nil && len(v) != 8 {
			add("operator %q: malformed read watermark", name)
		}
		if rb := b.Bucket(bucketRead); rb != nil {
			_ = rb.ForEach(func(k, _ []byte) error {
				if len(k) != 8 {
					add("operator %q: malformed read mark %x", name, k)
				}
				return nil
			})
		}
		if db := b.Bucket(bucketDrafts); db != nil {
			_ = db.ForEach(func(k, v []byte) error {
				var rec draftRecord
				if err := json.Unmarshal(v, &rec); err != nil {
					add("operator %q: draft %q: %v", name, k, err)
				}
				return nil
			})
		}
		return nil
	})
}

func checkOutbox(tx *bolt.Tx, add addFunc) {
	items, pending := outboxBuckets(tx)
	_ = items.ForEach(func(k, v []byte) error {
		var o outbox.Outgoing
		if err := json.Unmarshal(v, &o); err != nil {
			add("outbox item %q: %v", k, err)
			return nil
		}
		if o.Action.ID != string(k) {
			add("outbox item %q holds action %q", k, o.Action.ID)
		}
		switch o.State {
		case outbox.StateQueued, outbox.StateSending, outbox.StateSent, outbox.StateFailed,
			outbox.StateUncertain, outbox.StateCancelled:
		default:
			add("outbox item %q: unknown state %q", k, o.State)
		}
		if inIndex := pending.Get(k) != nil; inIndex == o.State.Done() {
			add("outbox item %q is %s but %s the pending index", k, o.State, map[bool]string{true: "in", false: "not in"}[inIndex])
		}
		return nil
	})
	_ = pending.ForEach(func(k, _ []byte) error {
		if items.Get(k) == nil {
			add("pending index names %q, which is not in the outbox", k)
		}
		return nil
	})
}

func checkAudit(tx *bolt.Tx, add addFunc) {
	b := tx.Bucket(bucketAudit)
	if b == nil {
		return // schema 1: reported by checkMeta
	}
	_ = b.ForEach(func(k, v []byte) error {
		var e outbox.AuditEntry
		switch err := json.Unmarshal(v, &e); {
		case err != nil:
			add("audit entry %x: %v", k, err)
		case !bytes.Equal(auditKey(e.Time, e.Seq), k):
			add("audit entry %x: key does not match its time and seq", k)
		}
		return nil
	})
}

// Compact rewrites the database at path into a fresh file holding only
// live pages, checks the copy, and puts it in place of the original: the
// space that pruning and the outbox's history left free goes back to the
// disk. It holds the database lock throughout (a running tribune makes it
// fail with ErrLocked) and leaves the original untouched on any error. It
// returns the file's size before and after.
func Compact(path string, opts Options) (before, after int64, err error) {
	// Opened as it is: no migration and no pruning, so a failed compaction
	// leaves the original exactly as it was.
	src, err := openRaw(path, opts, false)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if cerr := src.Close(); err == nil {
			err = cerr
		}
	}()
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	tmp := path + ".compact"
	_ = os.Remove(tmp) // a leftover from a compaction that was killed
	if err := compactTo(src, tmp, opts); err != nil {
		_ = os.Remove(tmp)
		return 0, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	if tfi, err := os.Stat(tmp); err != nil || tfi.Size() >= fi.Size() {
		// Nothing to reclaim (the copy's pages are laid out
		// differently, and may take more room): keep the original.
		_ = os.Remove(tmp)
		return fi.Size(), fi.Size(), err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return 0, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return 0, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	nfi, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	return fi.Size(), nfi.Size(), nil
}

// compactTo writes src's live data to a new file at dst and checks it.
func compactTo(src *DB, dst string, opts Options) error {
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: opts.withDefaults().Timeout})
	if err != nil {
		return err
	}
	out.AllocSize = allocSize
	if err := bolt.Compact(out, src.bolt, 16<<20); err != nil {
		_ = out.Close()
		return err
	}
	// The file ends where its pages do: bbolt leaves room to grow
	// (up to the map's size, or a step past the pages) that a compacted
	// file has no use for.
	var used int64
	if err := out.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil }); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := truncateSync(dst, used); err != nil {
		return err
	}
	copied, err := openRaw(dst, opts, true)
	if err != nil {
		return fmt.Errorf("reopening the copy: %w", err)
	}
	probs := copied.Check()
	if err := copied.Close(); err != nil {
		return err
	}
	if len(probs) > 0 {
		return fmt.Errorf("the copy fails its check (%v); the original is untouched", errors.Join(probs...))
	}
	return nil
}

// truncateSync cuts the file at path to size, durably.
func truncateSync(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
