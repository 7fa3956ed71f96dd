package mastodon

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/httpx"
)

const (
	requestTimeout = 30 * time.Second
	// maxBody bounds a JSON answer: a page of 40 statuses is well under.
	maxBody = 8 << 20
	// defaultRetry is the wait after a 429 that says nothing of when.
	defaultRetry = 30 * time.Second
	// maxWait caps the wait a server may ask for.
	maxWait = 10 * time.Minute
)

// call is one REST request.
type call struct {
	what   string // names it in errors: "reply", "backfill #foo"
	method string
	u      *url.URL
	body   any               // sent as JSON when not nil
	header map[string]string // more headers (Idempotency-Key)
	out    any               // a 2xx JSON answer is decoded into it when not nil
}

// api returns the URL of path on the instance, with query q.
func (c *Connector) api(path string, q url.Values) *url.URL {
	u := *c.base
	u.Path = path
	u.RawQuery = q.Encode()
	return &u
}

// do sends a request with the token and reads the answer. Its errors say
// what the dispatcher and the supervisor need: NotSent when nothing left,
// RetryAfter on a rate limit (with the wait from X-RateLimit-Reset),
// Permanent for a 4xx that asking again cannot fix; each carries the
// platform's own reason. It returns the answer's headers on success.
func (c *Connector) do(ctx context.Context, r call) (http.Header, error) {
	if err := ctx.Err(); err != nil {
		return nil, feeds.NotSent(err)
	}
	c.mu.Lock()
	until := c.limited
	c.mu.Unlock()
	if wait := until.Sub(c.now()); wait > 0 {
		return nil, feeds.RetryAfter(min(wait, maxWait), feeds.NotSent(fmt.Errorf(
			"mastodon: %s: the rate limit is used up until %s", r.what, until.Local().Format("15:04:05"))))
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, feeds.Permanent(fmt.Errorf("mastodon: %s: %w", r.what, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.u.String(), body)
	if err != nil {
		return nil, feeds.Permanent(fmt.Errorf("mastodon: %s: %w", r.what, httpx.RedactError(err)))
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tribune")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		err = httpx.RedactError(err)
		var redirect *httpx.RedirectError
		switch {
		case errors.As(err, &redirect):
			return nil, feeds.Permanent(fmt.Errorf("mastodon: %s: the server redirects to %s, another origin: not followed, so that the token goes nowhere else", r.what, redirect.To))
		case neverSent(err):
			return nil, feeds.NotSent(fmt.Errorf("mastodon: %s: %w", r.what, err))
		}
		return nil, fmt.Errorf("mastodon: %s: %w", r.what, err)
	}
	defer resp.Body.Close()
	defer io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	c.noteRate(resp.Header)
	if err := httpx.HTTPError("mastodon: "+r.what, resp, defaultRetry); err != nil {
		if resp.StatusCode == http.StatusTooManyRequests {
			if reset, ok := rateReset(resp.Header); ok {
				err = feeds.RetryAfter(min(max(reset.Sub(c.now()), time.Second), maxWait), err)
			}
		}
		return nil, &statusError{code: resp.StatusCode, err: err}
	}
	if r.out != nil {
		dec := json.NewDecoder(io.LimitReader(resp.Body, maxBody))
		if err := dec.Decode(r.out); err != nil {
			return nil, fmt.Errorf("mastodon: %s: reading the answer: %w", r.what, err)
		}
	}
	return resp.Header, nil
}

// statusError keeps the HTTP status of a refused request beside the error
// that says what it means.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// httpStatus is the HTTP status of a refused request, 0 for other errors.
func httpStatus(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}

// noteRate reads the X-RateLimit-* headers (api/rate-limits): with none
// remaining, no request is sent before the reset.
func (c *Connector) noteRate(h http.Header) {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err != nil {
		return
	}
	limit := strings.TrimSpace(h.Get("X-RateLimit-Limit"))
	reset, known := rateReset(h)
	c.mu.Lock()
	defer c.mu.Unlock()
	if remaining <= 0 && known {
		c.limited = reset
	}
	c.rate = fmt.Sprintf("%d of %s left", remaining, limit)
	if known {
		c.rate += " until " + reset.Local().Format("15:04")
	}
}

// rateReset reads X-RateLimit-Reset, an ISO 8601 time.
func rateReset(h http.Header) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("X-RateLimit-Reset"))
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// neverSent reports whether a request failed before any of it could reach
// the server: the name did not resolve, the connection was refused, the
// certificate was refused.
func neverSent(err error) bool {
	var (
		dns  *net.DNSError
		op   *net.OpError
		cert *tls.CertificateVerificationError
	)
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &cert)
}

// instanceInfo is what the connector reads of GET /api/v2/instance
// (methods/instance#v2, entities/Instance#configuration), and of the v1
// answer of older servers (max_toot_chars is Pleroma's).
type instanceInfo struct {
	Configuration struct {
		URLs struct {
			Streaming string `json:"streaming"`
		} `json:"urls"`
		Statuses struct {
			MaxCharacters    int `json:"max_characters"`
			CharactersPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
	} `json:"configuration"`
	URLs struct {
		StreamingAPI string `json:"streaming_api"`
	} `json:"urls"`
	MaxTootChars int `json:"max_toot_chars"`
}

// refresh reads the instance's configuration and the token's account.
// A token the server refuses is a permanent error; an instance that does
// not say its configuration leaves the defaults.
func (c *Connector) refresh(ctx context.Context) error {
	var me account
	if _, err := c.do(ctx, call{what: "checking the token", method: http.MethodGet, u: c.api("/api/v1/accounts/verify_credentials", nil), out: &me}); err != nil {
		return err
	}
	var info instanceInfo
	_, err := c.do(ctx, call{what: "reading the instance", method: http.MethodGet, u: c.api("/api/v2/instance", nil), out: &info})
	if err != nil {
		info = instanceInfo{}
		if _, err1 := c.do(ctx, call{what: "reading the instance", method: http.MethodGet, u: c.api("/api/v1/instance", nil), out: &info}); err1 != nil {
			if _, limited := feeds.RetryAfterOf(err1); limited {
				return err1
			}
			// Unknown: keep the defaults.
		}
	}
	maxChars := info.Configuration.Statuses.MaxCharacters
	if maxChars <= 0 {
		maxChars = info.MaxTootChars
	}
	streaming := info.Configuration.URLs.Streaming
	if streaming == "" {
		streaming = info.URLs.StreamingAPI
	}
	c.mu.Lock()
	c.me = me
	c.instance = true
	c.streamURL = c.trustedStreaming(streaming)
	c.mu.Unlock()
	if c.fixedMax == 0 && maxChars > 0 {
		c.maxChars.Store(int64(maxChars))
	}
	c.urlChars.Store(int64(max(info.Configuration.Statuses.CharactersPerURL, 0)))
	return nil
}

// ensure reads the token's account once, for Do.
func (c *Connector) ensure(ctx context.Context) error {
	c.mu.Lock()
	known := c.instance
	c.mu.Unlock()
	if known {
		return nil
	}
	if err := c.refresh(ctx); err != nil {
		return feeds.NotSent(err)
	}
	return nil
}

// trustedStreaming is the streaming server the instance names, when it is
// the instance's host or one of its subdomains (streaming.example.social):
// the token is sent there, and nowhere the instance's answer alone could
// send it.
func (c *Connector) trustedStreaming(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" || u.User != nil {
		return ""
	}
	if c.base.Scheme == "https" && u.Scheme != "wss" {
		return ""
	}
	host, base := strings.ToLower(u.Hostname()), strings.ToLower(c.base.Hostname())
	if host != base && !strings.HasSuffix(host, "."+base) {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// streamingURL is where to open the WebSocket: the configured server, the
// one the instance names, or the instance itself.
func (c *Connector) streamingURL(first stream) string {
	c.mu.Lock()
	base := c.streamURL
	c.mu.Unlock()
	if c.wsURL != "" {
		base = c.wsURL
	}
	u, err := url.Parse(base)
	if base == "" || err != nil {
		u = &url.URL{Scheme: "wss", Host: c.base.Host}
		if c.base.Scheme == "http" {
			u.Scheme = "ws"
		}
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/streaming"
	q := url.Values{"stream": {first.name}}
	if first.param != "" {
		q.Set(first.param, first.value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
