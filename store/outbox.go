package store

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds/outbox"
)

// Enqueue adds o to the outbox under o.Action.ID, and to the audit log as
// queued by its operator. It is on disk when Enqueue returns, so the UI may
// say "queued". An ID already in the outbox is refused with ErrExists, the
// stored item untouched.
func (db *DB) Enqueue(o outbox.Outgoing) error { return db.EnqueueAll([]outbox.Outgoing{o}) }

// EnqueueAll adds items in one transaction: all of them, or none (a post
// to every feed must not be half queued, then queued again).
func (db *DB) EnqueueAll(os []outbox.Outgoing) error {
	vs := make([][]byte, len(os))
	for i, o := range os {
		if o.Action.ID == "" {
			return errors.New("enqueueing: action id is empty")
		}
		v, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("enqueueing %s: %w", o.Action.ID, err)
		}
		vs[i] = v
	}
	var failed string
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		items, pending := outboxBuckets(tx)
		for i, o := range os {
			failed = o.Action.ID
			key := []byte(o.Action.ID)
			if items.Get(key) != nil {
				return ErrExists
			}
			if err := items.Put(key, vs[i]); err != nil {
				return err
			}
			if err := setPending(pending, key, o.State); err != nil {
				return err
			}
			if err := db.appendAudit(tx, outbox.NewAuditEntry(o, outbox.AuditQueued, o.Action.Operator)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enqueueing %s: %w", failed, err)
	}
	return nil
}

// Change reads the item id, lets fn change it (fn also sees whether the
// outbox is held), writes it back and, when fn returns a non-zero Note,
// appends the change to the audit log: all in one transaction, so a claim
// cannot slip past a hold pulled at the same moment and the log matches
// the outbox exactly. An error from fn aborts the change and is returned as
// is; ErrNotFound if there is no such item. fn runs inside the write
// transaction: it must be quick and must not call the store. It may not
// change Action.ID.
func (db *DB) Change(id string, fn func(o *outbox.Outgoing, held bool) (outbox.Note, error)) (outbox.Outgoing, error) {
	var o outbox.Outgoing
	var fnErr error
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		items, pending := outboxBuckets(tx)
		key := []byte(id)
		v := items.Get(key)
		if v == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("decoding: %w", err)
		}
		hold, err := readHold(tx)
		if err != nil {
			return err
		}
		var note outbox.Note
		if note, fnErr = fn(&o, hold.Holds(o.Action)); fnErr != nil {
			return fnErr
		}
		if o.Action.ID != id {
			return fmt.Errorf("the change altered the action id to %q", o.Action.ID)
		}
		nv, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := items.Put(key, nv); err != nil {
			return err
		}
		if err := setPending(pending, key, o.State); err != nil {
			return err
		}
		if note.What == "" {
			return nil
		}
		return db.appendAudit(tx, outbox.NewAuditEntry(o, note.What, note.By))
	})
	switch {
	case fnErr != nil:
		return outbox.Outgoing{}, fnErr
	case err != nil:
		return outbox.Outgoing{}, fmt.Errorf("changing outbox item %s: %w", id, err)
	}
	return o, nil
}

// HasOutgoing reports whether the outbox holds the item id: an action of
// this front-end's, not another's seen through the cluster.
func (db *DB) HasOutgoing(id string) (bool, error) {
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		items, _ := outboxBuckets(tx)
		found = items.Get([]byte(id)) != nil
		return nil
	})
	return found, err
}

// RecentOutbox returns the newest n items, newest first: what the outbox
// view shows, without reading a long history of sent items.
func (db *DB) RecentOutbox(n int) ([]outbox.Outgoing, error) {
	var out []outbox.Outgoing
	err := db.bolt.View(func(tx *bolt.Tx) error {
		items, _ := outboxBuckets(tx)
		c := items.Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			if err := appendOutgoing(&out, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading outbox: %w", err)
	}
	return out, nil
}

// Pending returns the items whose State is not Done, in ID order. It reads
// an index of them, so a long history of sent items does not slow the
// dispatcher down.
func (db *DB) Pending() ([]outbox.Outgoing, error) {
	var out []outbox.Outgoing
	err := db.bolt.View(func(tx *bolt.Tx) error {
		items, pending := outboxBuckets(tx)
		return pending.ForEach(func(k, _ []byte) error {
			v := items.Get(k)
			if v == nil {
				return nil // index ahead of items cannot happen in one tx; be lenient
			}
			return appendOutgoing(&out, k, v)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading pending outbox: %w", err)
	}
	return out, nil
}

// appendOutgoing decodes the item stored under k and appends it to out.
func appendOutgoing(out *[]outbox.Outgoing, k, v []byte) error {
	var o outbox.Outgoing
	if err := json.Unmarshal(v, &o); err != nil {
		return fmt.Errorf("item %s: %w", k, err)
	}
	*out = append(*out, o)
	return nil
}

func outboxBuckets(tx *bolt.Tx) (items, pending *bolt.Bucket) {
	b := tx.Bucket(bucketOutbox)
	return b.Bucket(bucketItems), b.Bucket(bucketPending)
}

// setPending keeps the pending index in step with an item's state.
func setPending(pending *bolt.Bucket, key []byte, s outbox.State) error {
	if s.Done() {
		return pending.Delete(key)
	}
	return pending.Put(key, nil)
}
