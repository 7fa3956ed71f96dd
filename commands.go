package main

import (
	"fmt"
	"io"
	"os"

	"github.com/tribune/tribune/store"
)

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
