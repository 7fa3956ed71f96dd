package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds/outbox"
)

// appendAudit writes e to the audit log inside tx, stamped with the time
// of the commit and the next Seq, so the log's order is the order changes
// were made whatever clock their callers read. Callers write it in the
// same transaction as the change it describes, so the log never tells of a
// change that did not happen, nor misses one.
func (db *DB) appendAudit(tx *bolt.Tx, e outbox.AuditEntry) error {
	e.Time = db.opts.Now()
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding audit entry: %w", err)
	}
	if db.opts.OnAudit != nil {
		tx.OnCommit(func() { db.opts.OnAudit(e) })
	}
	return b.Put(auditKey(e.Time, seq), v)
}

// auditKey orders the log by time, then by Seq for entries of the same
// instant. Times before 1970 sort first (sign bit flipped).
func auditKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano())^(1<<63))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// Audit calls fn with every audit entry at or after since, oldest first,
// and stops at fn's first error, which it returns. It reads the log a
// page at a time and holds no transaction while fn runs, so fn may be
// slow (write to a socket a client reads slowly) without holding up the
// writers, and may call the store. An entry appended during the walk is
// seen if it sorts after where the walk is.
func (db *DB) Audit(since time.Time, fn func(outbox.AuditEntry) error) error {
	from, resume := auditKey(since, 0), false
	page := make([]outbox.AuditEntry, 0, scanPage)
	for {
		page = page[:0]
		var last []byte
		err := db.bolt.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAudit)
			if b == nil {
				return nil // a schema-1 file opened as it is: no log yet
			}
			c := b.Cursor()
			k, v := c.Seek(from)
			if resume && bytes.Equal(k, from) {
				k, v = c.Next() // the last entry of the previous page
			}
			for ; k != nil && len(page) < scanPage; k, v = c.Next() {
				var e outbox.AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("audit entry %x: %w", k, err)
				}
				page = append(page, e)
				last = k
			}
			last = bytes.Clone(last) // k is only valid inside the transaction
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < scanPage {
			return nil
		}
		from, resume = last, true
	}
}

// RecentAudit returns the newest n audit entries, oldest first.
func (db *DB) RecentAudit(n int) ([]outbox.AuditEntry, error) {
	var out []outbox.AuditEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var e outbox.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Note records an entry that goes with no outbox change, an alert.
func (db *DB) Note(e outbox.AuditEntry) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return db.appendAudit(tx, e) })
}

// Hold returns the outbox's brake as last set.
func (db *DB) Hold() (outbox.Hold, error) {
	var h outbox.Hold
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		h, err = readHold(tx)
		return err
	})
	return h, err
}

// SetHold sets the brake and records who pulled or released it. It reports
// whether anything changed: holding a held outbox is not a second entry.
func (db *DB) SetHold(h outbox.Hold) (bool, error) {
	if h.Since.IsZero() {
		h.Since = db.opts.Now()
	}
	changed := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if changed, err = putHold(tx, h); err != nil || !changed {
			return err
		}
		e := outbox.AuditEntry{By: h.By, What: outbox.AuditReleased}
		if h.On {
			e.What, e.Text = outbox.AuditHeld, h.Scope()
		}
		return db.appendAudit(tx, e)
	})
	if err != nil {
		return false, fmt.Errorf("setting hold: %w", err)
	}
	if changed && db.opts.OnHold != nil {
		db.opts.OnHold(h)
	}
	return changed, nil
}

// AdoptHold sets the brake as another node of a cluster set it: its
// audit entry was written there, and it is not told to OnHold. It
// reports whether anything changed.
func (db *DB) AdoptHold(h outbox.Hold) (bool, error) {
	changed := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		changed, err = putHold(tx, h)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("adopting hold: %w", err)
	}
	return changed, nil
}

// putHold stores h unless the stored hold holds the same, and reports
// whether it did.
func putHold(tx *bolt.Tx, h outbox.Hold) (bool, error) {
	old, err := readHold(tx)
	if err != nil || old.Same(h) {
		return false, err
	}
	v, err := json.Marshal(h)
	if err != nil {
		return false, err
	}
	return true, tx.Bucket(bucketMeta).Put(keyHold, v)
}

func readHold(tx *bolt.Tx) (outbox.Hold, error) {
	var h outbox.Hold
	v := tx.Bucket(bucketMeta).Get(keyHold)
	if v == nil {
		return h, nil
	}
	if err := json.Unmarshal(v, &h); err != nil {
		return h, fmt.Errorf("reading hold: %w", err)
	}
	return h, nil
}

// Incident returns the incident open now, if any.
func (db *DB) Incident() (outbox.Incident, error) {
	var inc outbox.Incident
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyIncident)
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &inc)
	})
	if err != nil {
		return inc, fmt.Errorf("reading the incident: %w", err)
	}
	return inc, nil
}

// ErrIncident is why an incident cannot be opened or closed: one is open
// already, or none is.
var ErrIncident = errors.New("incident")

// SetIncident opens (inc.Open) or closes the incident, and records it in
// the audit log in the same transaction. Opening one while another is
// open, or closing none, is an error wrapping ErrIncident.
func (db *DB) SetIncident(inc outbox.Incident) (outbox.Incident, error) {
	if inc.Since.IsZero() {
		inc.Since = db.opts.Now()
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var old outbox.Incident
		if v := meta.Get(keyIncident); v != nil {
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
		}
		switch {
		case inc.Open && old.Open:
			return fmt.Errorf("%w: one is open since %s (by %s)", ErrIncident, old.Since.Format("15:04"), old.By)
		case !inc.Open && !old.Open:
			return fmt.Errorf("%w: none is open", ErrIncident)
		}
		e := outbox.AuditEntry{By: inc.By, What: outbox.AuditIncidentOpened, Text: inc.Why}
		if !inc.Open {
			e.What = outbox.AuditIncidentClosed
			inc = outbox.Incident{By: inc.By, Since: inc.Since}
		}
		v, err := json.Marshal(inc)
		if err != nil {
			return err
		}
		if err := meta.Put(keyIncident, v); err != nil {
			return err
		}
		return db.appendAudit(tx, e)
	})
	if err != nil {
		return outbox.Incident{}, err
	}
	if db.opts.OnIncident != nil {
		db.opts.OnIncident(inc)
	}
	return inc, nil
}

// AdoptIncident opens or closes the incident as another node of a
// cluster did: its audit entry was written there, and it is not told to
// OnIncident. It reports whether anything changed.
func (db *DB) AdoptIncident(inc outbox.Incident) (bool, error) {
	changed := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var old outbox.Incident
		if v := meta.Get(keyIncident); v != nil {
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
		}
		if old.Open == inc.Open && old.Since.Equal(inc.Since) {
			return nil
		}
		changed = true
		v, err := json.Marshal(inc)
		if err != nil {
			return err
		}
		return meta.Put(keyIncident, v)
	})
	if err != nil {
		return false, fmt.Errorf("adopting the incident: %w", err)
	}
	return changed, nil
}
