package httpx

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://status.example":                             "https://status.example",
		"https://status.example/":                            "https://status.example",
		"https://status.example:8443/events":                 "https://status.example:8443/…",
		"https://alice:hunter2@status.example/":              "https://status.example/…",
		"https://token@status.example":                       "https://status.example/…",
		"wss://chat.example/stream?access_token=k3y":         "wss://chat.example/…",
		"https://discord.com/api/webhooks/123/s3cr3t-token":  "https://discord.com/…",
		"https://ntfy.sh/my-secret-topic/sse#frag":           "https://ntfy.sh/…",
		"https://status.example?":                            "https://status.example/…",
		"http://[::1]:8080/x":                                "http://[::1]:8080/…",
		"/relative/path?token=k3y":                           "…",
		"http://alice:hunter2@status.example:8o/?token=k3y":  "…",
		"https://status.example/…":                           "https://status.example/…", // already cut
		"mailto:alice@example.org":                           "…",
		"https://status.example/%zz":                         "…",
		"HTTPS://Status.Example/path":                        "https://Status.Example/…",
		"http://alice:hunter2@status.example/?token=k3y#top": "http://status.example/…",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestRedactError(t *testing.T) {
	inner := errors.New("connection refused")
	err := &url.Error{Op: "Get", URL: "https://alice:hunter2@status.example/events?token=k3y", Err: inner}
	got := RedactError(err).Error()
	if got != `Get "https://status.example/…": connection refused` {
		t.Errorf("got %q", got)
	}
	if RedactError(nil) != nil {
		t.Error("nil is not nil")
	}
	// Deep in a chain of %w wraps.
	deep := &url.Error{Op: "Post", URL: "https://h.example/p?k=k3y", Err: inner}
	msg := RedactError(errorf(errorf(deep))).Error()
	if strings.Contains(msg, "k3y") || !errors.Is(RedactError(errorf(deep)), inner) {
		t.Errorf("wrapped: %q", msg)
	}
}

type wrapErr struct{ err error }

func (w wrapErr) Error() string { return "outer: " + w.err.Error() }
func (w wrapErr) Unwrap() error { return w.err }

func errorf(err error) error { return wrapErr{err} }

func TestSameOriginRedirects(t *testing.T) {
	req := func(raw string) *http.Request {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Request{URL: u}
	}
	from := "https://status.example/events"
	for to, follow := range map[string]bool{
		"https://status.example/v2/events":     true,
		"https://STATUS.example:443/v2":        true, // the default port, another case
		"http://status.example/events":         false,
		"https://status.example:8443/events":   false,
		"https://evil.example/events":          false,
		"https://sub.status.example/events":    false,
		"https://status.example.evil.example/": false,
	} {
		err := SameOriginRedirects(req(to), []*http.Request{req(from)})
		var re *RedirectError
		switch {
		case follow && err != nil:
			t.Errorf("%s: refused: %v", to, err)
		case !follow && !errors.As(err, &re):
			t.Errorf("%s: %v, want a *RedirectError", to, err)
		case !follow && re.To != RedactURL(to):
			t.Errorf("%s: names %q", to, re.To)
		}
	}
	via := make([]*http.Request, maxRedirects)
	for i := range via {
		via[i] = req(from)
	}
	if err := SameOriginRedirects(req(from), via); err == nil || !strings.Contains(err.Error(), "10 redirects") {
		t.Errorf("after %d redirects: %v", len(via), err)
	}
	if SameOriginRedirects(req("http://h.example/"), []*http.Request{req("http://h.example:80/")}) != nil {
		t.Error("http://h.example and http://h.example:80 are one origin")
	}
}
