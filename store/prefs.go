package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketPrefs holds, inside an operator's bucket, their preferences: the
// theme they chose, and whatever else follows them from terminal to
// terminal.
var bucketPrefs = []byte("prefs")

// SetPref records op's preference key; an empty value removes it.
func (db *DB) SetPref(op, key, value string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob, err := operator(tx, op, true)
		if err != nil {
			return err
		}
		b, err := ob.CreateBucketIfNotExists(bucketPrefs)
		if err != nil {
			return err
		}
		if value == "" {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("saving %s's %s: %w", op, key, err)
	}
	if db.opts.OnPref != nil {
		db.opts.OnPref(op, key, value)
	}
	return nil
}

// Prefs returns op's preferences (none: an empty map).
func (db *DB) Prefs(op string) (map[string]string, error) {
	out := make(map[string]string)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ob, err := operator(tx, op, false)
		if err != nil || ob == nil {
			return err
		}
		b := ob.Bucket(bucketPrefs)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s's preferences: %w", op, err)
	}
	return out, nil
}
