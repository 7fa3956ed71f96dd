package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cluster's commands say what is missing before they start anything,
// and without a cluster the other commands take no cluster flag.
func TestClusterCommandLine(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[cluster]\nnode = \"paris-1\"\nreplicas = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest"},
		{"ingest", "--cluster", "embedded"},
		{"cluster"},
		{"cluster", "status"},
		{"cluster", "start", "--cluster", "nats://127.0.0.1:1"},
		{"audit", "--cluster", "nats://127.0.0.1:1"},
	} {
		var out, errb bytes.Buffer
		err := run(append([]string{"--config", cfg, "--db", filepath.Join(dir, "t.db")}, args...), &out, &errb)
		if exitCode(err) != 2 {
			t.Errorf("%q: %v (exit %d), want a mistake on the command line", args, err, exitCode(err))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "t.db")); err == nil {
		t.Error("a database was created")
	}
	var out bytes.Buffer
	if err := run([]string{"help", "ingest"}, &out, &bytes.Buffer{}); err != nil || !strings.Contains(out.String(), "--cluster") {
		t.Errorf("help ingest: %v\n%s", err, out.String())
	}
}
