package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/tribune/tribune/store"
)

// The control socket lets the read-only commands (audit, export, report)
// run while a dashboard or `tribune serve` holds the database's lock: the
// CLI sends the request (query.go) to the running process, which runs it
// on its open store and streams the answer back.
//
// Who can ask: the socket lives in a directory only its user can enter
// (the database's own directory when it is private, else
// $XDG_RUNTIME_DIR/tribune-UID or $TMPDIR/tribune-UID, created 0700 and
// refused if someone else owns it or can enter it), the socket is 0600,
// and on Linux the server checks the peer's uid (SO_PEERCRED) too. The
// CLI refuses a socket that another user owns.
//
// The protocol: the client writes one JSON request and a newline; the
// server answers with frames, each a type byte and a big-endian uint32
// length then that many bytes: first 'v', the protocol version it speaks
// (a uint32), then 'd' data to copy out, then one 'k' (done) or 'e' (an
// error, its message). A connection that ends without either is an answer
// cut short. Each side refuses a version other than its own, so that a
// CLI and a dashboard of different builds say so instead of misreading
// each other: a request's fields an older server does not know would be
// ignored, and its answer taken for the one asked.

// controlVersion is the protocol's version: raised whenever a request or
// an answer changes meaning.
const controlVersion = 1

const (
	frameVersion = 'v'
	frameData    = 'd'
	frameOK      = 'k'
	frameError   = 'e'
	// maxRequest bounds the request line.
	maxRequest = 1 << 20
	// maxFrame bounds a data frame.
	maxFrame = 64 << 10
)

// controlPath is the socket of the database at dbPath.
func controlPath(dbPath string) (path, dir string, err error) {
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return "", "", err
	}
	// A unix socket path is at most 107 bytes on Linux, 103 on macOS.
	if d := filepath.Dir(abs); privateDir(d) == nil && len(abs)+len(".sock") < 100 {
		return abs + ".sock", d, nil
	}
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	sum := sha256.Sum256([]byte(abs))
	dir = filepath.Join(base, fmt.Sprintf("tribune-%d", os.Getuid()))
	return filepath.Join(dir, hex.EncodeToString(sum[:10])+".sock"), dir, nil
}

// privateDir checks that dir is a directory of this user that no one
// else may enter or write.
func privateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid, ok := owner(fi); !ok || uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is open to other users (mode %v)", dir, fi.Mode().Perm())
	}
	return nil
}

func owner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// mySocket checks that path is a socket of this user's.
func mySocket(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s is not a socket", path)
	}
	if uid, ok := owner(fi); !ok || uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user; refusing it", path)
	}
	return nil
}

// startControl serves the control socket of the database db, open at
// dbPath, until ctx ends or stop is called. stop closes the listener and
// every connection, waits for the answers under way to return, and
// removes the socket; call it before closing db. cfg is for the future
// (the requests carry what they need).
func startControl(ctx context.Context, db *store.DB, dbPath string, cfg Config) (stop func(), err error) {
	path, dir, err := controlPath(dbPath)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := privateDir(dir); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// We hold the database's lock, so a socket already there was left by
	// a tribune that died: remove it, if it is ours.
	if _, err := os.Lstat(path); err == nil {
		if err := mySocket(path); err != nil {
			return nil, fmt.Errorf("control socket: %w", err)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control socket: removing a stale one: %w", err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln.SetUnlinkOnClose(false) // stop removes it only if it is still ours
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		os.Remove(path)
		return nil, fmt.Errorf("control socket: %w", err)
	}
	mine, err := os.Lstat(path)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	s := &controlServer{db: db, ln: ln, conns: make(map[net.Conn]bool)}
	ctx, cancel := context.WithCancel(ctx)
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.accept() }()
	go func() { <-ctx.Done(); s.close() }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			s.close()
			s.wg.Wait()
			if fi, err := os.Lstat(path); err == nil && os.SameFile(fi, mine) {
				os.Remove(path)
			}
		})
	}, nil
}

type controlServer struct {
	db *store.DB
	ln *net.UnixListener
	wg sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]bool
}

func (s *controlServer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
}

func (s *controlServer) accept() {
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // EMFILE and the like: the next may work
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// serve answers one request.
func (s *controlServer) serve(c *net.UnixConn) {
	fw := &frameWriter{w: c}
	if fw.frame(frameVersion, binary.BigEndian.AppendUint32(nil, controlVersion)) != nil {
		return
	}
	if err := peerIsMe(c); err != nil {
		fw.frame(frameError, []byte(err.Error()))
		return
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxRequest)).ReadBytes('\n')
	if err != nil {
		return
	}
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		fw.frame(frameError, []byte("bad request: "+err.Error()))
		return
	}
	if req.Version != controlVersion {
		fw.frame(frameError, []byte(fmt.Sprintf("it speaks control version %d, the command %d: run the command with the same tribune as the dashboard", controlVersion, req.Version)))
		return
	}
	bw := bufio.NewWriterSize(fw, maxFrame)
	err = answer(s.db, req, bw)
	if err == nil {
		err = bw.Flush()
	}
	if fw.err != nil {
		return // the client is gone
	}
	if err != nil {
		fw.frame(frameError, []byte(err.Error()))
		return
	}
	fw.frame(frameOK, nil)
}

// frameWriter writes data frames; the first failed write sticks.
type frameWriter struct {
	w   io.Writer
	err error
}

func (f *frameWriter) Write(p []byte) (int, error) {
	for n := 0; n < len(p); {
		m := min(len(p)-n, maxFrame)
		if err := f.frame(frameData, p[n:n+m]); err != nil {
			return n, err
		}
		n += m
	}
	return len(p), nil
}

func (f *frameWriter) frame(typ byte, p []byte) error {
	if f.err != nil {
		return f.err
	}
	var h [5]byte
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], uint32(len(p)))
	if _, err := f.w.Write(h[:]); err != nil {
		f.err = err
		return err
	}
	if _, err := f.w.Write(p); err != nil {
		f.err = err
	}
	return f.err
}

// askRunning sends req to the tribune holding the database at dbPath and
// copies its answer to w.
func askRunning(dbPath string, req request, w io.Writer) error {
	inUse := fmt.Errorf("%s: %w", dbPath, store.ErrLocked)
	path, dir, err := controlPath(dbPath)
	if err != nil {
		return err
	}
	err = privateDir(dir)
	if err == nil {
		err = mySocket(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w, and it has no control socket (a tribune older than this one?)", inUse)
		}
		return fmt.Errorf("%w, and its control socket is not usable: %v", inUse, err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		return fmt.Errorf("%w, and it does not answer on %s: %v", inUse, path, err)
	}
	defer c.Close()
	req.Version = controlVersion
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := c.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("asking the running tribune: %w", err)
	}
	r := bufio.NewReaderSize(c, maxFrame)
	buf := make([]byte, maxFrame)
	for first := true; ; first = false {
		var h [5]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return fmt.Errorf("the running tribune stopped answering: %w", err)
		}
		n := binary.BigEndian.Uint32(h[1:])
		if n > maxFrame {
			return fmt.Errorf("the running tribune answered a frame of %d bytes", n)
		}
		p := buf[:n]
		if _, err := io.ReadFull(r, p); err != nil {
			return fmt.Errorf("the running tribune stopped answering: %w", err)
		}
		switch {
		case first && (h[0] != frameVersion || n != 4):
			// Only a tribune older than the handshake begins otherwise.
			return fmt.Errorf("the running tribune is another build, older than this command (it gave no protocol version): run the command with the same tribune as the dashboard")
		case h[0] == frameVersion:
			if !first || n != 4 {
				return fmt.Errorf("the running tribune answered a version frame out of place")
			}
			if v := binary.BigEndian.Uint32(p); v != controlVersion {
				return fmt.Errorf("the running tribune speaks control version %d, this command %d: run the command with the same tribune as the dashboard", v, controlVersion)
			}
			continue
		}
		switch h[0] {
		case frameData:
			if _, err := w.Write(p); err != nil {
				return err
			}
		case frameOK:
			return nil
		case frameError:
			return fmt.Errorf("the running tribune: %s", p)
		default:
			return fmt.Errorf("the running tribune answered frame type %q", h[0])
		}
	}
}
