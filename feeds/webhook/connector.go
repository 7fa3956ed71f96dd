// Package webhook is the webhook inbox connector (config type "webhook"):
// a local HTTP listener that takes POSTed JSON, maps it with
// feeds/fieldmap and answers 2xx only once the events are stored, so a
// sender that retries on failure loses nothing. It is read-only. See
// feeds/fieldmap/README.md for the config.
package webhook

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/internal/jsonlimit"
)

const (
	defaultListen    = "127.0.0.1:8787"
	defaultSigHeader = "X-Signature-256"
	defaultMaxBody   = 1 << 20
	// ioTimeout bounds reading a request, and writing its answer once
	// the store has answered (the wait for it is not counted).
	ioTimeout = 30 * time.Second
	// shutdownWait bounds how long requests in flight may finish.
	shutdownWait = 5 * time.Second
	// StatusListen is the status key showing the address listened on.
	StatusListen = "listen"
)

// Config is one [[feed]] table of type "webhook".
type Config struct {
	// Listen is the address to listen on; default 127.0.0.1:8787.
	Listen string `toml:"listen"`
	// Path is the one path accepted; default "/".
	Path     string `toml:"path"`
	Platform string `toml:"platform"` // label on events; default "webhook"
	// The shared secret from SecretEnv or SecretFile, when set, makes a
	// valid HMAC-SHA256 of the body required, sent in SignatureHeader
	// (default X-Signature-256) as "sha256=<hex>".
	SecretEnv       string `toml:"secret_env"`
	SecretFile      string `toml:"secret_file"`
	SignatureHeader string `toml:"signature_header"`
	// MaxBody bounds a request body, in bytes; default 1 MiB.
	MaxBody int64            `toml:"max_body"`
	Fields  fieldmap.Mapping `toml:"fields"`
}

// Connector is one webhook inbox. It implements feeds.Connector.
type Connector struct {
	feed      string
	platform  string
	listen    string
	path      string
	secret    []byte // nil: no signature check
	sigHeader string
	maxBody   int64
	mapper    *fieldmap.Mapper
	unmatched *fieldmap.Unmatched
	// limit bounds the requests and body bytes held at once; a field so
	// that a test can shrink it.
	limit *limiter
	// ioTimeout is the server's read and write timeout; a field so that
	// a test can shorten it.
	ioTimeout time.Duration
	// listenOn opens the listener; a field so that a test can break it.
	listenOn func(ctx context.Context, network, address string) (net.Listener, error)

	running sync.Mutex // held by Run
}

var _ feeds.Connector = (*Connector)(nil)

// New checks c, reads its secret and compiles its mapping.
func New(feedID string, c Config) (*Connector, error) {
	conn := &Connector{
		feed:      feedID,
		platform:  cmp.Or(c.Platform, "webhook"),
		listen:    cmp.Or(c.Listen, defaultListen),
		path:      cmp.Or(c.Path, "/"),
		sigHeader: http.CanonicalHeaderKey(cmp.Or(c.SignatureHeader, defaultSigHeader)),
		maxBody:   cmp.Or(c.MaxBody, defaultMaxBody),
		unmatched: fieldmap.NewUnmatched("request"),

		ioTimeout: ioTimeout,
		listenOn:  new(net.ListenConfig).Listen,
	}
	if _, _, err := net.SplitHostPort(conn.listen); err != nil {
		return nil, fmt.Errorf("webhook: listen %q is not host:port: %w", conn.listen, err)
	}
	switch {
	case !strings.HasPrefix(conn.path, "/"):
		return nil, fmt.Errorf("webhook: path %q must start with /", conn.path)
	case c.MaxBody < 0:
		return nil, errors.New("webhook: max_body must be positive")
	}
	secret, err := feeds.ReadSecret(c.SecretEnv, c.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("webhook: secret: %w", err)
	}
	if secret != "" {
		conn.secret = []byte(secret)
	} else if c.SignatureHeader != "" {
		return nil, errors.New("webhook: signature_header is set but no secret_env or secret_file")
	}
	if conn.mapper, err = c.Fields.Compile(); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	conn.limit = newLimiter(maxRequests, max(minInFlight, 2*conn.maxBody))
	return conn, nil
}

// Platform is the configured label, "webhook" by default.
func (c *Connector) Platform() string { return c.platform }

// Capabilities: the inbox is read-only.
func (c *Connector) Capabilities() feeds.Capabilities { return feeds.Capabilities{} }

// Do refuses: the inbox is read-only.
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	return feeds.Permanent(fmt.Errorf("webhook: the feed is read-only, %s is not supported", a.Kind))
}

// Run listens and serves until ctx ends, then lets requests in flight
// finish (those still waiting on the store are answered 503). No handler
// outlives Run, whichever way it ends: none may touch s afterwards.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.running.TryLock() {
		return errors.New("webhook: Run is already running")
	}
	defer c.running.Unlock()
	defer c.unmatched.Attach(s)()

	ln, err := c.listenOn(ctx, "tcp", c.listen)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	// Handlers hold gate for reading; Run takes it for writing once the
	// server is closed, which waits for those in flight and turns away
	// any that a closing connection still starts.
	var gate sync.RWMutex
	srv := &http.Server{
		Handler:           c.handler(s, &gate),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       c.ioTimeout,
		WriteTimeout:      c.ioTimeout,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		// Requests end with Run: a handler waiting on the store gives up.
		BaseContext: func(net.Listener) context.Context { return ctx },
		// The terminal belongs to the dashboard: no stray log lines.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	defer gate.Lock() // never unlocked: this Run's handlers are done
	s.Status(StatusListen, ln.Addr().String())
	s.Connected()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		// Closing the connections ends the requests on them (their
		// contexts are cancelled), so gate.Lock does not wait long.
		srv.Close()
		return fmt.Errorf("webhook: serving: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	<-served
	return ctx.Err()
}

// handler checks each request in the order that tells a sender the most:
// path, method, content type, size, signature, JSON, mapping, storage.
// What the headers alone show to be invalid (a declared length over
// max_body, a missing signature) is refused before the body is read, and
// a body is read only within the limiter's bounds.
func (c *Connector) handler(s feeds.Stream, gate *sync.RWMutex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !gate.TryRLock() {
			// Run is returning: s is no longer ours to use.
			w.Header().Set("Retry-After", "5")
			http.Error(w, "tribune is stopping; try again", http.StatusServiceUnavailable)
			return
		}
		defer gate.RUnlock()
		if r.URL.Path != c.path {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "only POST is accepted", http.StatusMethodNotAllowed)
			return
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			http.Error(w, "the body must be JSON (Content-Type: application/json)", http.StatusUnsupportedMediaType)
			return
		}
		// Refusals before the body is read close the connection: the
		// server would otherwise wait for the body, to read past it.
		if r.ContentLength > c.maxBody {
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("the body is larger than %d bytes", c.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		if c.secret != nil && strings.TrimSpace(r.Header.Get(c.sigHeader)) == "" {
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("missing signature in %s (sha256=<hex HMAC-SHA256 of the body>)", c.sigHeader), http.StatusUnauthorized)
			return
		}
		size := r.ContentLength
		if size < 0 { // chunked: it may be as long as max_body
			size = c.maxBody
		}
		if !c.limit.take(size) {
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "5")
			http.Error(w, "too many requests in progress; try again", http.StatusServiceUnavailable)
			return
		}
		defer c.limit.give(size)
		body, err := readBody(http.MaxBytesReader(w, r.Body, c.maxBody), r.ContentLength)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, fmt.Sprintf("the body is larger than %d bytes", c.maxBody), http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "reading the body failed", http.StatusBadRequest)
			return
		}
		if c.secret != nil && !c.signed(r.Header.Get(c.sigHeader), body) {
			http.Error(w, fmt.Sprintf("missing or wrong signature in %s (sha256=<hex HMAC-SHA256 of the body>)", c.sigHeader), http.StatusUnauthorized)
			return
		}
		res, err := c.mapper.Map(body)
		switch {
		case errors.Is(err, jsonlimit.ErrTooDeep):
			c.unmatched.Add(err.Error())
			http.Error(w, "the body is refused: "+err.Error(), http.StatusBadRequest)
			return
		case errors.Is(err, jsonlimit.ErrTooMany):
			c.unmatched.Add(err.Error())
			http.Error(w, "the body is refused: "+err.Error(), http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			c.unmatched.Add(err.Error())
			http.Error(w, "the body is not valid JSON", http.StatusBadRequest)
			return
		}
		if res.Unmatched > 0 {
			c.unmatched.Add(res.Why)
		}
		if len(res.Events) == 0 {
			if res.Ignored > 0 && res.Unmatched == 0 {
				fmt.Fprintf(w, "nothing to store: %d events of ignored kinds\n", res.Ignored)
				return
			}
			why := res.Why
			if why == "" {
				why = "the body holds no events"
			}
			http.Error(w, "no event matched the configured fields: "+why, http.StatusUnprocessableEntity)
			return
		}
		for i := range res.Events {
			res.Events[i].Feed, res.Events[i].Platform = c.feed, c.platform
		}
		// Wait for the store as long as the request lasts: until the sender
		// hangs up or tribune stops, not on a timer of our own. Events
		// handed to the hub are stored even if the wait ends first, so a
		// timeout would answer 503 for stored events, and the sender's
		// retry would store them twice unless an id is mapped. The
		// server's write deadline runs from the reading of the request,
		// so the answer gets one of its own, or a slow store would have
		// it cut off.
		fresh, counted, err := commit(r.Context(), s, res.Events)
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(c.ioTimeout))
		switch {
		case err != nil && r.Context().Err() != nil:
			// Stopping (or the sender is gone): the events may have been
			// stored all the same.
			w.Header().Set("Retry-After", "5")
			http.Error(w, "tribune is stopping; the events may or may not be stored: try again (with an id mapped, a retry is not stored twice)", http.StatusServiceUnavailable)
			return
		case err != nil:
			// The store's error stays here: it may name local paths.
			w.Header().Set("Retry-After", "5")
			http.Error(w, "the events could not be stored; try again", http.StatusServiceUnavailable)
			return
		}
		if counted {
			fmt.Fprintf(w, "stored %s, %s already stored", count(fresh, "new event"), count(len(res.Events)-fresh, "repeat"))
		} else {
			fmt.Fprintf(w, "stored %d events", len(res.Events))
		}
		if res.Unmatched > 0 {
			fmt.Fprintf(w, "; %d did not match: %s", res.Unmatched, res.Why)
		}
		fmt.Fprintln(w)
	})
}

// newCounter is a stream that says how many committed events were new
// (not dropped as repeats of stored ones): the hub's streams do.
type newCounter interface {
	CommitNew(ctx context.Context, evs []feeds.Event) (int, error)
}

// commit commits evs on s, and when s can say, how many were new.
func commit(ctx context.Context, s feeds.Stream, evs []feeds.Event) (fresh int, counted bool, err error) {
	if nc, ok := s.(newCounter); ok {
		fresh, err = nc.CommitNew(ctx, evs)
		return fresh, true, err
	}
	return 0, false, s.Commit(ctx, evs)
}

// readBody reads r whole; with the length declared, into one buffer of
// that size (io.ReadAll would grow it by copies to up to twice that).
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	// ReadFrom wants MinRead bytes free before each read, the last included.
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// isJSON accepts application/json and any +json type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// signed checks "sha256=<hex>" against the body's HMAC, in constant time.
func (c *Connector) signed(header string, body []byte) bool {
	hexSum, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, c.secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// count reads "1 new event", "3 new events".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
