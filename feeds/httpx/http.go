// Package httpx is what the connectors that speak HTTP share: what a
// non-2xx answer means to the supervisor and the dispatcher (HTTPError), a
// redirect policy that keeps their secrets at the configured origin, URLs
// cut down before they go into an error (which the Stats pane, the outbox
// and the audit log show), and the checks of the url and header keys of
// their config.
package httpx

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxRedirects is net/http's own limit.
const maxRedirects = 10

// RedirectError is what SameOriginRedirects refuses: a redirect to another
// origin. To is the new address, cut down by RedactURL.
type RedirectError struct{ To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirected to another origin (%s), which is not followed", e.To)
}

// SameOriginRedirects is an http.Client's CheckRedirect for requests that
// carry a secret or an operator's words: it follows a redirect only within
// the origin of the first request (scheme, host and port) and refuses any
// other with a *RedirectError. net/http alone would forward a custom header
// such as X-Api-Key to whatever host a redirect names, and keep
// Authorization on a downgrade from https to http.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if origin(req.URL) != origin(via[0].URL) {
		return &RedirectError{To: RedactURL(req.URL.String())}
	}
	return nil
}

// origin is scheme://host:port, with the scheme's default port made
// explicit and case folded.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// RedactURL cuts a URL down to its scheme and host (with the port) for an
// error message: the userinfo, the path, the query and the fragment can
// all hold a secret (a token in the query, the key of a Discord or Slack
// webhook in the path, an ntfy topic), so "/…" stands for whatever
// followed the host. A URL that does not parse, or has no host, is "…".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "…"
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// RedactError cuts down, with RedactURL, the URL of every *url.Error in
// err's chain (net/http and net/url put the whole URL, query included, in
// their errors) and returns err. It changes those errors in place: call it
// only on an error just returned to the caller.
func RedactError(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ue, ok := e.(*url.Error); ok {
			ue.URL = RedactURL(ue.URL)
		}
	}
	return err
}

// CheckURL validates the url key of a connector's config: present,
// parseable, with one of the schemes given (the first two are named in the
// message) and a host. kind prefixes the error ("sse"), which never shows
// more of the URL than RedactURL does.
func CheckURL(kind, raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return fmt.Errorf("%s: url is missing", kind)
	case err != nil:
		return fmt.Errorf("%s: url: %w", kind, errors.Unwrap(err)) // the parse error without the URL
	case !slices.Contains(schemes, u.Scheme):
		return fmt.Errorf("%s: url %s must start with %s:// or %s://", kind, RedactURL(raw), schemes[0], schemes[1])
	case u.Host == "":
		return fmt.Errorf("%s: url has no host", kind)
	}
	return nil
}

// ValidHeader reports whether k: v can be sent: a token name, and a value
// with no control character but tab.
func ValidHeader(k, v string) bool {
	return validHeaderName(k) && !strings.ContainsFunc(v, isHeaderControl)
}

func validHeaderName(k string) bool {
	return k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}

func isHeaderControl(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }

// Headers checks a table of headers from a connector's config; kind and
// key name it in errors ("websocket: reply_headers: …").
func Headers(kind, key string, h map[string]string) (http.Header, error) {
	out := make(http.Header, len(h))
	for k, v := range h {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("%s: %s: %q is not a header name", kind, key, k)
		}
		if strings.ContainsFunc(v, isHeaderControl) {
			return nil, fmt.Errorf("%s: %s: the value of %s holds a control character", kind, key, k)
		}
		out.Set(k, v)
	}
	return out, nil
}
