package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// auditCmd prints the audit log as JSON lines, oldest first.
func auditCmd(o options, cfg Config, since string, stdout io.Writer) error {
	from, err := parseSince(since, time.Now())
	if err != nil {
		return usageError{err}
	}
	db, err := openExisting(o, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := db.Audit(from, func(e outbox.AuditEntry) error { return enc.Encode(e) }); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return w.Flush()
}

// parseSince reads --since: empty is the beginning of the log.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := parseDays(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: a duration back from now must be positive", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (\"2h\", \"7d\"), a date (2026-11-23) or an RFC 3339 time", s)
}

// dbCmd runs the database maintenance commands.
func dbCmd(o options, cfg Config, verb string, stdout io.Writer) error {
	path, err := o.dbPath(cfg)
	if err != nil {
		return err
	}
	if err := mustExist(path); err != nil {
		return err
	}
	if verb == "compact" {
		before, after, err := store.Compact(path, storeOptions(cfg))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "compacted %s: %s -> %s\n", path, size(before), size(after))
		return nil
	}
	db, err := openExisting(o, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	probs := db.Check()
	for _, p := range probs {
		fmt.Fprintln(stdout, p)
	}
	if len(probs) > 0 {
		return fmt.Errorf("%s: %d problems found", path, len(probs))
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return nil
}

// openExisting opens the database for a command that reads it, without
// changing it: a missing file is an error, not a new empty database.
func openExisting(o options, cfg Config) (*store.DB, error) {
	path, err := o.dbPath(cfg)
	if err != nil {
		return nil, err
	}
	if err := mustExist(path); err != nil {
		return nil, err
	}
	return store.OpenExisting(path, storeOptions(cfg))
}

func mustExist(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s (run the dashboard first, or pass --db): %w", path, err)
	}
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
