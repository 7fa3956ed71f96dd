package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// schema is a schema version and the migrations that lead to it.
type schema struct {
	version    uint64
	migrations []migration
}

// migration brings a database from version-1 to version. It runs inside the
// Open transaction, before the top-level buckets are created, so it sees
// the database as the previous version left it; an error rolls everything
// back and Open fails with the file unchanged.
type migration struct {
	version uint64
	name    string
	run     func(tx *bolt.Tx) error
}

// current is the schema this build writes. To change the layout: bump
// version, append a migration with that version to the list (never edit or
// reorder one that has shipped), add a test for it, and draw the new tree
// in doc.go.
var current = schema{
	version: 2,
	migrations: []migration{
		{version: 2, name: "audit log and outbox hold", run: func(tx *bolt.Tx) error {
			// Version 1 had neither. The hold starts released (no key), and
			// the log starts empty: what version 1 sent was never audited,
			// and inventing entries for it would be worse than a gap.
			_, err := tx.CreateBucketIfNotExists(bucketAudit)
			return err
		}},
	},
}

// migrate runs, in order, every migration newer than from. A fresh database
// never migrates: it is created at sc.version directly.
func (sc schema) migrate(tx *bolt.Tx, from uint64) error {
	if err := sc.validate(); err != nil {
		return err
	}
	for _, m := range sc.migrations {
		if m.version <= from {
			continue
		}
		if err := m.run(tx); err != nil {
			return fmt.Errorf("migrating schema to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// validate checks that migrations are strictly increasing and go no further
// than the schema version.
func (sc schema) validate() error {
	var prev uint64
	for _, m := range sc.migrations {
		if m.version <= prev || m.version > sc.version || m.run == nil {
			return fmt.Errorf("store: migration %d (%s) is out of order or beyond schema version %d",
				m.version, m.name, sc.version)
		}
		prev = m.version
	}
	return nil
}
