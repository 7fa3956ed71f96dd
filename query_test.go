package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/report/reporttest"
	"github.com/tribune/tribune/store"
)

// queryFixture is a database holding reporttest's evening, closed, and a
// config with its [pulse].
func queryFixture(t *testing.T) (dbFile, cfg string) {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dbFile = filepath.Join(t.TempDir(), "tribune.db")
	c := reporttest.NewClock()
	db, err := store.Open(dbFile, store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	reporttest.Fill(t, db, c)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg = writeConfig(t, `
[pulse]
brand = ["@lumio"]
watch = ["refund", "surchauffe", "#HaloGate"]
`)
	return dbFile, cfg
}

var queries = [][]string{
	{"audit"},
	{"audit", "--since", "2026-11-30T20:11:00Z"},
	{"export", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z"},
	{"export", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z", "--format", "csv", "--feed", "mastodon"},
	{"report", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z"},
	{"report", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z", "--format", "csv"},
	{"report", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z", "--format", "html"},
}

// TestQueriesAnswerAlikeWhileTheDatabaseIsHeld runs every query on the
// free database, then again while a process holds it and serves its
// control socket: the answers are the same, byte for byte.
func TestQueriesAnswerAlikeWhileTheDatabaseIsHeld(t *testing.T) {
	t.Setenv("TZ", "UTC")
	dbFile, cfg := queryFixture(t)
	ask := func(args []string) (string, error) {
		var out, errb bytes.Buffer
		err := run(append([]string{"--config", cfg, "--db", dbFile}, args...), &out, &errb)
		return out.String(), err
	}
	free := make([]string, len(queries))
	for i, q := range queries {
		out, err := ask(q)
		if err != nil {
			t.Fatalf("tribune %v: %v", q, err)
		}
		if len(out) < 100 {
			t.Fatalf("tribune %v printed only %q", q, out)
		}
		free[i] = out
	}

	db, err := store.Open(dbFile, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ask(queries[0]); err == nil || !strings.Contains(err.Error(), "no control socket") {
		t.Errorf("held without a control socket: %v", err)
	}
	stop, err := startControl(context.Background(), db, dbFile, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i, q := range queries {
		out, err := ask(q)
		if err != nil {
			t.Fatalf("tribune %v while held: %v", q, err)
		}
		if out != free[i] {
			t.Errorf("tribune %v: answers differ while held:\n%s\n--- free:\n%s", q, out, free[i])
		}
	}

	// --out writes the same bytes to the file.
	out := filepath.Join(t.TempDir(), "r.html")
	if _, err := ask(append(queries[6], "--out", out)); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != free[6] {
		t.Errorf("--out wrote %d bytes (%v), want the %d of stdout", len(b), err, len(free[6]))
	}

	// An error in the running process comes back as one, not as output.
	_, err = ask([]string{"report", "--since", "2026-11-30T20:00:00Z", "--until", "2026-11-30T21:00:00Z",
		"--format", "html", "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "r.html")})
	if err == nil || exitCode(err) != 1 {
		t.Errorf("--out into a missing directory: %v", err)
	}

	sock, _, _ := controlPath(dbFile)
	stop()
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("stop left the socket %s: %v", sock, err)
	}
}

func TestQueryFlagMistakes(t *testing.T) {
	dbFile, cfg := queryFixture(t)
	for _, args := range [][]string{
		{"export"},
		{"export", "--since", "yesterday"},
		{"export", "--since", "2h", "--format", "xml"},
		{"export", "--since", "2h", "--until", "3h"},
		{"report", "--since", "2026-11-30", "--until", "2026-11-30"},
		{"report", "--since", "2h", "--format", "pdf"},
		{"report", "--since", "2h", "stray"},
		{"audit", "--since", "-2h"},
	} {
		err := run(append([]string{"--config", cfg, "--db", dbFile}, args...), &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != 2 {
			t.Errorf("tribune %v: %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2h":                   now.Add(-2 * time.Hour),
		"3d":                   now.Add(-72 * time.Hour),
		"2026-11-30T20:00:00Z": time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC),
		"2026-11-30":           time.Date(2026, 11, 30, 0, 0, 0, 0, time.Local),
	} {
		got, err := parseTime("since", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestControlSocketIsPrivate: a stale socket of ours is replaced; a
// socket in a directory others may enter is not used.
func TestControlSocketIsPrivate(t *testing.T) {
	dbFile, _ := queryFixture(t)
	sock, dir, err := controlPath(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A stale socket, as a killed tribune leaves it.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	db, err := store.Open(dbFile, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stop, err := startControl(context.Background(), db, dbFile, Config{})
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	fi, err := os.Lstat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket %s: %v, %v", sock, fi.Mode(), err)
	}
	var out bytes.Buffer
	if err := askRunning(dbFile, request{Command: "audit"}, &out); err != nil || !strings.Contains(out.String(), `"what":"alert"`) {
		t.Errorf("asking: %v, %q", err, out.String())
	}
	stop()

	// A database in a directory others can enter gets its socket in the
	// private runtime directory instead.
	open := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	p, d, _ := controlPath(filepath.Join(open, "t.db"))
	if strings.HasPrefix(p, open) || !strings.HasPrefix(d, os.Getenv("XDG_RUNTIME_DIR")) {
		t.Errorf("socket of a db in an open directory: %s", p)
	}
	// A runtime directory someone loosened is refused.
	if err := os.MkdirAll(d, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := askRunning(filepath.Join(open, "t.db"), request{Command: "audit"}, &out); err == nil ||
		!strings.Contains(err.Error(), "open to other users") {
		t.Errorf("a loose socket directory: %v", err)
	}
	if _, err := startControl(context.Background(), db, filepath.Join(open, "t.db"), Config{}); err == nil {
		t.Error("served in a loose directory")
	}
}

// TestControlRefusesAnotherUsersSocket needs root, to hand a socket to
// someone else.
func TestControlRefusesAnotherUsersSocket(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to chown a socket")
	}
	dbFile, _ := queryFixture(t)
	sock, dir, _ := controlPath(dbFile)
	os.MkdirAll(dir, 0o700)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := os.Lchown(sock, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := askRunning(dbFile, request{Command: "audit"}, &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "another user") {
		t.Errorf("another user's socket: %v", err)
	}
	db, err := store.Open(dbFile, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := startControl(context.Background(), db, dbFile, Config{}); err == nil {
		t.Error("served over another user's socket")
	}
}

// A CLI and a running tribune of different builds say so rather than
// misread each other: a server without the version frame, one of
// another version, and a client of another version are all refused, with
// what to do.
func TestControlVersionsMustMatch(t *testing.T) {
	dbFile, _ := queryFixture(t)
	sock, dir, err := controlPath(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// serveOnce answers one connection with these frames; done is closed
	// once its socket is gone.
	serveOnce := func(frames ...[]byte) (done chan struct{}) {
		t.Helper()
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		done = make(chan struct{})
		go func() {
			defer close(done)
			defer ln.Close()
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			bufio.NewReader(c).ReadBytes('\n')
			for _, f := range frames {
				c.Write(f)
			}
		}()
		return done
	}
	frame := func(typ byte, p []byte) []byte {
		return append(binary.BigEndian.AppendUint32([]byte{typ}, uint32(len(p))), p...)
	}
	done := serveOnce(frame(frameData, []byte("old answer")), frame(frameOK, nil))
	var out bytes.Buffer
	if err := askRunning(dbFile, request{Command: "audit"}, &out); err == nil || !strings.Contains(err.Error(), "older than this command") || out.Len() > 0 {
		t.Errorf("a server without a version: %v, %q", err, out.String())
	}
	<-done
	done = serveOnce(frame(frameVersion, binary.BigEndian.AppendUint32(nil, controlVersion+1)), frame(frameData, []byte("new answer")), frame(frameOK, nil))
	if err := askRunning(dbFile, request{Command: "audit"}, &out); err == nil || !strings.Contains(err.Error(), "speaks control version 2, this command 1") || out.Len() > 0 {
		t.Errorf("a newer server: %v, %q", err, out.String())
	}
	<-done

	db, err := store.Open(dbFile, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stop, err := startControl(context.Background(), db, dbFile, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// A client of before the handshake sends no version.
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(`{"command":"audit","since":"2026-11-30T00:00:00Z"}` + "\n"))
	got, _ := io.ReadAll(c)
	if !bytes.HasPrefix(got, frame(frameVersion, binary.BigEndian.AppendUint32(nil, controlVersion))) ||
		!bytes.Contains(got, []byte("speaks control version 1, the command 0")) || bytes.Contains(got, []byte(`"what"`)) {
		t.Errorf("an old client got %q", got)
	}
	if err := askRunning(dbFile, request{Command: "audit"}, &out); err != nil || !strings.Contains(out.String(), `"what":"alert"`) {
		t.Errorf("the same build: %v, %q", err, out.String())
	}
}
