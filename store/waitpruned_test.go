package store

import (
	"testing"
	"time"
)

// waitPruned waits until the pruning Open started is done.
func waitPruned(t testing.TB, db *DB) {
	t.Helper()
	<-db.pruned()
}

// pruneMaxTx is the longest pruning transaction so far, and how many there
// were.
func pruneMaxTx(db *DB) (time.Duration, int) {
	db.pr.mu.Lock()
	defer db.pr.mu.Unlock()
	return db.pr.stats.MaxTx, db.pr.stats.Txs
}
