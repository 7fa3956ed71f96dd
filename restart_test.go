package main

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
)

// At start-up the stats engine gets the audit log's last hour: the
// moderation counts and the alerts the Stats pane showed before.
func TestStartSeedsStatsFromTheAudit(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "tribune.db")
	var mu sync.Mutex
	var at time.Time
	db, err := store.Open(dbFile, store.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	for _, e := range []outbox.AuditEntry{
		{Time: now.Add(-2 * time.Hour), What: outbox.AuditSent, Feed: "tw", Kind: feeds.ActBan},
		{Time: now.Add(-2 * time.Hour), What: outbox.AuditAlert, Feed: "tw", Text: "an old alert"},
		{Time: now.Add(-10 * time.Minute), What: outbox.AuditSent, Feed: "tw", Kind: feeds.ActDelete},
		{Time: now.Add(-9 * time.Minute), What: outbox.AuditSent, Feed: "tw", Kind: feeds.ActBan},
		{Time: now.Add(-8 * time.Minute), What: outbox.AuditAlert, Feed: "tw", Text: "volume ×5.0 in 1 min on tw"},
	} {
		mu.Lock()
		at = e.Time // the store stamps the entry with its clock
		mu.Unlock()
		if err := db.Note(e); err != nil {
			t.Fatal(err)
		}
	}
	engine := stats.New(nil)
	if _, err := newHub(db, dbFile, engine); err != nil {
		t.Fatal(err)
	}
	p := engine.Snapshot().Pulse
	if p.Moderation != (stats.Moderation{Deleted: 1, Bans: 1}) {
		t.Errorf("moderation after start-up %+v, want the last hour's: 1 deleted, 1 ban", p.Moderation)
	}
	if len(p.Alerts) != 1 || p.Alerts[0].Text != "volume ×5.0 in 1 min on tw" {
		t.Errorf("alerts after start-up %+v, want the last hour's one", p.Alerts)
	}
}
