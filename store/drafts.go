package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
)

// tombstoneTTL is how long a deleted draft's tombstone outlives it. A save
// that arrives later than this with an older rev is not expected: saves are
// made while typing.
const tombstoneTTL = 7 * 24 * time.Hour

// Draft is a reply being written by one operator.
type Draft struct {
	// Key is chosen by the caller, e.g. feed+"\x00"+target id.
	Key string
	// Action is the reply being written.
	Action feeds.Action
	// Rev orders the edits of one key; the caller makes it increase (the
	// UnixNano of the edit).
	Rev int64
	// Updated is when the draft was last edited; zero means now.
	Updated time.Time
}

// draftRecord is a stored draft, or the tombstone a deletion leaves.
type draftRecord struct {
	Action  feeds.Action `json:"action"`
	Rev     int64        `json:"rev"`
	Updated time.Time    `json:"updated"`
	Deleted bool         `json:"deleted,omitempty"`
}

// SaveDraft stores d for op if d.Rev is newer than what is stored under
// d.Key (a live draft or a deletion's tombstone), and reports whether it
// did. The write is committed to disk before SaveDraft returns. Saves racing
// from several goroutines end with the highest rev, whatever their order.
func (db *DB) SaveDraft(op string, d Draft) (bool, error) {
	if d.Key == "" {
		return false, errors.New("saving draft: key is empty")
	}
	if d.Updated.IsZero() {
		d.Updated = db.opts.Now()
	}
	rec, err := json.Marshal(draftRecord{Action: d.Action, Rev: d.Rev, Updated: d.Updated})
	if err != nil {
		return false, fmt.Errorf("saving draft %q: %w", d.Key, err)
	}
	var wrote bool
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := drafts(tx, op, true)
		if err != nil {
			return err
		}
		key := []byte(d.Key)
		if old, ok, err := getDraft(b, key); err != nil || (ok && d.Rev <= old.Rev) {
			return err
		}
		wrote = true
		return b.Put(key, rec)
	})
	if err != nil {
		return false, fmt.Errorf("saving draft %q for %s: %w", d.Key, op, err)
	}
	if wrote && db.opts.OnDraft != nil {
		db.opts.OnDraft(op, d, false)
	}
	return wrote, nil
}

// DeleteDraft deletes op's draft under key, leaving a tombstone with rev so
// that a save still in flight with a lower rev cannot bring it back. A draft
// stored with a higher rev was edited after the deletion was decided and is
// kept; at an equal rev the deletion wins (the text that was sent is gone).
// Deleting a key never saved still leaves the tombstone, in case its save is
// the one in flight. Tombstones are purged at Open after seven days.
func (db *DB) DeleteDraft(op, key string, rev int64) error {
	if key == "" {
		return errors.New("deleting draft: key is empty")
	}
	rec, err := json.Marshal(draftRecord{Rev: rev, Updated: db.opts.Now(), Deleted: true})
	if err != nil {
		return fmt.Errorf("deleting draft %q: %w", key, err)
	}
	var wrote bool
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := drafts(tx, op, true)
		if err != nil {
			return err
		}
		k := []byte(key)
		if old, ok, err := getDraft(b, k); err != nil || (ok && (old.Rev > rev || old.Rev == rev && old.Deleted)) {
			return err
		}
		wrote = true
		return b.Put(k, rec)
	})
	if err != nil {
		return fmt.Errorf("deleting draft %q for %s: %w", key, op, err)
	}
	if wrote && db.opts.OnDraft != nil {
		db.opts.OnDraft(op, Draft{Key: key, Rev: rev}, true)
	}
	return nil
}

// Drafts returns op's live drafts, most recently updated first.
func (db *DB) Drafts(op string) ([]Draft, error) {
	var out []Draft
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := drafts(tx, op, false)
		if err != nil || b == nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var rec draftRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("draft %q: %w", k, err)
			}
			if !rec.Deleted {
				out = append(out, Draft{Key: string(k), Action: rec.Action, Rev: rec.Rev, Updated: rec.Updated})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading drafts of %s: %w", op, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Updated.After(out[j].Updated) })
	return out, nil
}

// EachDraft calls fn with every operator's drafts, deletions' tombstones
// included (deleted, with the rev of the deletion): what a front-end of a
// cluster shares again when it starts, in case it died before it could.
// fn runs inside a read transaction: it must not call the store.
func (db *DB) EachDraft(fn func(op string, d Draft, deleted bool) error) error {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ops := tx.Bucket(bucketOps)
		return ops.ForEachBucket(func(name []byte) error {
			b := ops.Bucket(name).Bucket(bucketDrafts)
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				var rec draftRecord
				if err := json.Unmarshal(v, &rec); err != nil {
					return fmt.Errorf("draft %q of %s: %w", k, name, err)
				}
				return fn(string(name), Draft{Key: string(k), Action: rec.Action, Rev: rec.Rev, Updated: rec.Updated}, rec.Deleted)
			})
		})
	})
	if err != nil {
		return fmt.Errorf("reading drafts: %w", err)
	}
	return nil
}

// drafts returns op's drafts bucket, creating it when create is set; nil if
// it does not exist and create is not set.
func drafts(tx *bolt.Tx, op string, create bool) (*bolt.Bucket, error) {
	ob, err := operator(tx, op, create)
	if err != nil || ob == nil {
		return nil, err
	}
	if !create {
		return ob.Bucket(bucketDrafts), nil
	}
	return ob.CreateBucketIfNotExists(bucketDrafts)
}

func getDraft(b *bolt.Bucket, key []byte) (draftRecord, bool, error) {
	v := b.Get(key)
	if v == nil {
		return draftRecord{}, false, nil
	}
	var rec draftRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return draftRecord{}, false, fmt.Errorf("draft %q: %w", key, err)
	}
	return rec, true, nil
}

// purgeTombstones deletes, at Open, the tombstones of drafts deleted before
// cutoff.
func purgeTombstones(tx *bolt.Tx, cutoff time.Time) error {
	ops := tx.Bucket(bucketOps)
	names, err := bucketNames(ops)
	if err != nil {
		return err
	}
	for _, name := range names {
		b := ops.Bucket(name).Bucket(bucketDrafts)
		if b == nil {
			continue
		}
		var stale [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var rec draftRecord
			if json.Unmarshal(v, &rec) == nil && rec.Deleted && rec.Updated.Before(cutoff) {
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("operator %q: %w", name, err)
			}
		}
	}
	return nil
}
