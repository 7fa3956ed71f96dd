package wsfeed

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/httpx"
)

const (
	replyTimeout = 30 * time.Second
	// defaultRetry is the wait after a 429 that gave no Retry-After.
	defaultRetry = 30 * time.Second
)

// defaultBody is the reply body when the config gives none.
const defaultBody = `{"text": "{{text}}", "reply_to": "{{reply_to}}", "channel": "{{channel}}", "id": "{{id}}"}`

// replier sends replies as HTTP requests built from templates.
type replier struct {
	method  string
	url     template
	headers map[string]template
	body    *template // nil for GET
	auth    http.Header
	client  *http.Client
}

func newReplier(c Config, auth http.Header) (*replier, error) {
	r := &replier{
		method:  strings.ToUpper(cmp.Or(c.ReplyMethod, http.MethodPost)),
		headers: make(map[string]template),
		// A reply, and the auth header with it, go to reply_url's origin
		// only.
		client: &http.Client{Timeout: replyTimeout, CheckRedirect: httpx.SameOriginRedirects},
	}
	var err error
	if r.url, err = parseTemplate("reply_url", c.ReplyURL); err != nil {
		return nil, err
	}
	u, err := url.Parse(r.url.expand(sample, urlEscape))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("websocket: reply_url must be an http:// or https:// URL")
	}
	if u.User != nil {
		// Never quoted: it is a credential, in a file that holds none.
		return nil, errors.New("websocket: reply_url holds a user or password: the config names secrets but never holds them; use auth_env or auth_file, whose header goes with replies")
	}
	switch r.method {
	case http.MethodGet:
		if c.ReplyBody != "" {
			return nil, errors.New("websocket: reply_body is set but reply_method GET sends no body")
		}
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		body, err := parseTemplate("reply_body", cmp.Or(c.ReplyBody, defaultBody))
		if err != nil {
			return nil, err
		}
		// Values that need escaping show a body that only works for
		// tame text.
		if !json.Valid([]byte(body.expand(sample, jsonEscape))) {
			return nil, errors.New(`websocket: reply_body is not JSON once filled in: write each {{…}} inside quotes, as in "text": "{{text}}"`)
		}
		r.body = &body
	default:
		return nil, fmt.Errorf("websocket: reply_method %q must be GET, POST, PUT or PATCH", c.ReplyMethod)
	}
	hs, err := httpx.Headers("websocket", "reply_headers", c.ReplyHeaders)
	if err != nil {
		return nil, err
	}
	r.auth = auth // not a template: a secret is sent as it is
	if r.body != nil && hs.Get("Content-Type") == "" {
		hs.Set("Content-Type", "application/json")
	}
	for k := range hs {
		if r.headers[k], err = parseTemplate("reply_headers", hs.Get(k)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Do sends a reply. Other actions are not supported.
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	if c.reply == nil || a.Kind != feeds.ActReply {
		return feeds.Permanent(fmt.Errorf("websocket: %s is not supported on this feed", a.Kind))
	}
	if strings.TrimSpace(a.Text) == "" {
		return feeds.Permanent(errors.New("websocket: empty reply"))
	}
	if n := utf8.RuneCountInString(a.Text); c.caps.MaxText > 0 && n > c.caps.MaxText {
		return feeds.Permanent(fmt.Errorf("websocket: reply is %d characters, the limit is %d", n, c.caps.MaxText))
	}
	return c.reply.send(ctx, a)
}

func (r *replier) send(ctx context.Context, a feeds.Action) error {
	if err := ctx.Err(); err != nil {
		return feeds.NotSent(err)
	}
	vals := values{"text": a.Text, "reply_to": a.Target, "channel": a.Channel, "id": a.ID}
	var body io.Reader
	if r.body != nil {
		body = strings.NewReader(r.body.expand(vals, jsonEscape))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.expand(vals, urlEscape), body)
	if err != nil {
		return feeds.NotSent(fmt.Errorf("websocket: building the reply request: %w", httpx.RedactError(err)))
	}
	for k, t := range r.headers {
		req.Header.Set(k, t.expand(vals, headerEscape))
	}
	for k, vs := range r.auth {
		req.Header[k] = vs
	}
	resp, err := r.client.Do(req)
	if err != nil {
		// The URL in err holds the reply's fields, maybe a key: cut it.
		err = httpx.RedactError(err)
		var redirect *httpx.RedirectError
		switch {
		case errors.As(err, &redirect):
			// Asked again, the endpoint would redirect again.
			return feeds.Permanent(fmt.Errorf("websocket: reply: the server redirects to %s, another origin (scheme, host or port): not followed, so that the reply and its headers go nowhere else; put that address in reply_url", redirect.To))
		case neverSent(err):
			return feeds.NotSent(fmt.Errorf("websocket: sending reply: %w", err))
		}
		return fmt.Errorf("websocket: sending reply: %w", err)
	}
	defer resp.Body.Close()
	defer io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return httpx.HTTPError("websocket: reply", resp, defaultRetry)
}

// neverSent reports whether a request failed before any of it could reach
// the server: the address did not resolve, the connection was refused, or
// the server's certificate was refused.
func neverSent(err error) bool {
	var (
		dns  *net.DNSError
		op   *net.OpError
		cert *tls.CertificateVerificationError
	)
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &cert)
}

// values are a reply's fields by placeholder name.
type values map[string]string

// sample fills templates when they are checked: quotes, a backslash, a
// newline and a slash show whether every placeholder is escaped.
var sample = values{"text": "a \"b\"\\\n/c", "reply_to": "r\"1", "channel": "#c/h", "id": "i\\d"}

// template is a string with {{name}} placeholders, parsed once.
type template struct {
	lits  []string // len(names)+1 literals around the placeholders
	names []string
}

func parseTemplate(key, s string) (template, error) {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.lits = append(t.lits, s)
			return t, nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return t, fmt.Errorf("websocket: %s: a {{ is not closed", key)
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if _, ok := sample[name]; !ok {
			return t, fmt.Errorf("websocket: %s: unknown placeholder {{%s}} (known: text, reply_to, channel, id)", key, name)
		}
		t.lits = append(t.lits, s[:i])
		t.names = append(t.names, name)
		s = s[i+j+2:]
	}
}

func (t template) expand(v values, escape func(string) string) string {
	var b strings.Builder
	for i, name := range t.names {
		b.WriteString(t.lits[i])
		b.WriteString(escape(v[name]))
	}
	b.WriteString(t.lits[len(t.lits)-1])
	return b.String()
}

// jsonEscape escapes s for the inside of a JSON string.
func jsonEscape(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// urlEscape percent-encodes everything but unreserved characters, so a
// value is safe in a path segment and in a query alike.
func urlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// headerEscape turns control characters into spaces: a reply's text must
// not end a header line.
func headerEscape(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
