package httpx

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func TestHTTPError(t *testing.T) {
	answer := func(code int, retryAfter string) *http.Response {
		h := make(http.Header)
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: code, Status: http.StatusText(code), Header: h}
	}
	for _, tc := range []struct {
		code      int
		header    string
		def       time.Duration
		ok, perm  bool
		wait      time.Duration
		waitGiven bool
	}{
		{code: 200, ok: true},
		{code: 204, ok: true},
		{code: 400, perm: true},
		{code: 401, perm: true},
		{code: 408},
		{code: 429, header: "12", wait: 12 * time.Second, waitGiven: true},
		{code: 429, def: 30 * time.Second, wait: 30 * time.Second, waitGiven: true},
		{code: 429},
		{code: 503, header: "5", wait: 5 * time.Second, waitGiven: true},
		{code: 503},
		{code: 500},
	} {
		err := HTTPError("test", answer(tc.code, tc.header), tc.def)
		wait, given := feeds.RetryAfterOf(err)
		switch {
		case tc.ok != (err == nil):
			t.Errorf("%d: err = %v", tc.code, err)
		case feeds.IsPermanent(err) != tc.perm:
			t.Errorf("%d %q: permanent = %v, want %v", tc.code, tc.header, feeds.IsPermanent(err), tc.perm)
		case given != tc.waitGiven || wait != tc.wait:
			t.Errorf("%d %q def %s: wait %s (%v), want %s (%v)", tc.code, tc.header, tc.def, wait, given, tc.wait, tc.waitGiven)
		}
	}
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if d, ok := RetryAfterHeader(http.Header{"Retry-After": {date}}); !ok || d < 59*time.Minute || d > time.Hour {
		t.Errorf("Retry-After as a date: %s, %v", d, ok)
	}
	if _, ok := RetryAfterHeader(http.Header{"Retry-After": {"soon"}}); ok {
		t.Error("a malformed Retry-After was read")
	}
}

// A refusal says the platform's own reason, made inert.
func TestHTTPErrorSaysThePlatformsReason(t *testing.T) {
	for _, c := range []struct{ ctype, body, want string }{
		{"application/json", `{"error":"Bad Request","message":"This room is in emote-only mode."}`, "400 Bad Request: This room is in emote-only mode."},
		{"application/json", `{"error":{"code":42,"message":"text too long"}}`, "400 Bad Request: text too long"},
		{"text/plain; charset=utf-8", "quota exceeded\nsecond line", "400 Bad Request: quota exceeded"},
		{"application/json", `{"error":"evil\u001b]0;owned\u0007 here"}`, "400 Bad Request: evil here"},
		{"text/html", "<html>oops</html>", "400 Bad Request"},
	} {
		resp := &http.Response{StatusCode: 400, Status: "400 Bad Request", Header: http.Header{"Content-Type": {c.ctype}},
			Body: io.NopCloser(strings.NewReader(c.body))}
		err := HTTPError("websocket: reply", resp, 0)
		if got := strings.TrimPrefix(err.Error(), "websocket: reply: the server answered "); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.ctype, c.body, got, c.want)
		}
		if !feeds.IsPermanent(err) {
			t.Errorf("a 400 is not permanent any more: %v", err)
		}
	}
}
