package bluesky

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
	"github.com/tribune/tribune/feeds/sanitize"
)

const (
	maxAnswer = 1 << 20 // bytes of a successful answer read
	maxError  = 64 << 10
	// defaultRateWait is the wait after a 429 that said nothing of when.
	defaultRateWait = 30 * time.Second
)

// apiError is a non-2xx XRPC answer: the status, and the body's error
// name and message (https://atproto.com/specs/xrpc: {"error","message"}).
type apiError struct {
	method  string // "createRecord"
	status  int
	name    string
	message string
	wait    time.Duration // for a rate limit: when to come back
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("bluesky: %s: the server answered %d %s", e.method, e.status, http.StatusText(e.status))
	switch {
	case e.name != "" && e.message != "":
		msg += ": " + e.name + ": " + e.message
	case e.name != "" || e.message != "":
		msg += ": " + e.name + e.message
	}
	return msg
}

func (e *apiError) rateLimited() bool {
	return e.status == http.StatusTooManyRequests || e.name == "RateLimitExceeded"
}

// expired reports whether the answer says the access token is no good
// any more (a PDS says 400 ExpiredToken; some say 401).
func (e *apiError) expired() bool {
	return e.name == "ExpiredToken" || e.name == "InvalidToken" || e.status == http.StatusUnauthorized
}

// classify turns an error from xrpc into what the dispatcher and the
// supervisor understand: RetryAfter for a rate limit, Permanent for a
// refusal that asking again cannot change, the error itself otherwise.
func classify(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.rateLimited():
		return feeds.RetryAfter(ae.wait, err)
	case ae.status >= 400 && ae.status < 500 && ae.status != http.StatusRequestTimeout:
		return feeds.Permanent(err)
	}
	return err
}

// xrpc calls method (an NSID) on host: a query (GET) when in is nil, a
// procedure (POST, JSON) otherwise, with the bearer token when one is
// given, and decodes the answer into out when it is not nil.
func (c *Connector) xrpc(ctx context.Context, host, nsid string, query url.Values, in any, token string, out any) error {
	short := nsid[strings.LastIndexByte(nsid, '.')+1:]
	u := host + "/xrpc/" + nsid
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	method, body := http.MethodGet, io.Reader(nil)
	if in != nil {
		method = http.MethodPost
		b, err := json.Marshal(in)
		if err != nil {
			return feeds.Permanent(fmt.Errorf("bluesky: %s: %w", short, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return feeds.NotSent(fmt.Errorf("bluesky: %s: %w", short, httpx.RedactError(err)))
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tribune")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		err = httpx.RedactError(err)
		var redirect *httpx.RedirectError
		switch {
		case errors.As(err, &redirect):
			return feeds.Permanent(fmt.Errorf("bluesky: %s: the server redirects to %s, another origin: not followed, so that the session goes nowhere else", short, redirect.To))
		case neverSent(err):
			return feeds.NotSent(fmt.Errorf("bluesky: %s: %w", short, err))
		}
		return fmt.Errorf("bluesky: %s: %w", short, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return answerError(short, resp)
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxError))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("bluesky: %s: reading the answer: %w", short, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("bluesky: %s: the answer is larger than %d bytes", short, maxAnswer)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("bluesky: %s: the answer is not the expected JSON: %w", short, err)
	}
	return nil
}

// answerError reads a refusal: the XRPC error body, and for a rate limit
// the wait from Retry-After or the ratelimit-reset header (Unix seconds),
// as Bluesky's services send with ratelimit-limit, -remaining and -policy.
func answerError(method string, resp *http.Response) error {
	e := &apiError{method: method, status: resp.StatusCode}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxError))
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.name = sanitize.Line(body.Error, 60)
		e.message = sanitize.Line(body.Message, 200)
	}
	if e.rateLimited() || resp.StatusCode == http.StatusServiceUnavailable {
		e.wait = defaultRateWait
		if w, ok := httpx.RetryAfterHeader(resp.Header); ok {
			e.wait = w
		} else if reset, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Ratelimit-Reset")), 10, 64); err == nil {
			e.wait = max(time.Until(time.Unix(reset, 0)), 0)
		}
	}
	return e
}

// neverSent reports whether a request failed before any of it could reach
// the server.
func neverSent(err error) bool {
	var (
		dns  *net.DNSError
		op   *net.OpError
		cert *tls.CertificateVerificationError
	)
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &cert)
}
