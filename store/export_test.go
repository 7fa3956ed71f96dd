package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds/outbox"
)

// What only the tests read of the store.

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Outbox returns every item, in ID order (which is creation order).
func (db *DB) Outbox() ([]outbox.Outgoing, error) {
	var out []outbox.Outgoing
	err := db.bolt.View(func(tx *bolt.Tx) error {
		items, _ := outboxBuckets(tx)
		return items.ForEach(func(k, v []byte) error {
			return appendOutgoing(&out, k, v)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading outbox: %w", err)
	}
	return out, nil
}
