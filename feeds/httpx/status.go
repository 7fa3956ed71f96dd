package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/sanitize"
)

// HTTPError says what a non-2xx HTTP answer means to the supervisor and the
// dispatcher, for connectors that speak HTTP: nil for 2xx; RetryAfter for
// 429 or 503 with the wait the server gave in Retry-After (a 429 without
// one waits def, unless def is zero); Permanent for any other 4xx but 408,
// since asking again cannot fix it; a plain, retryable error for the rest.
// what names the request in the message ("sse", "websocket reply"). The
// message carries the platform's own reason when the body gives one (a
// JSON error or message field, or a line of text), made inert; the body
// is read, at most 64 KiB, so that the connection can be reused.
func HTTPError(what string, resp *http.Response, def time.Duration) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: the server answered %s", what, resp.Status)
	if why := Reason(resp); why != "" {
		err = fmt.Errorf("%s: the server answered %s: %s", what, resp.Status, why)
	}
	wait, told := RetryAfterHeader(resp.Header)
	switch {
	case (code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable) && told:
		return feeds.RetryAfter(wait, err)
	case code == http.StatusTooManyRequests && def > 0:
		return feeds.RetryAfter(def, err)
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return feeds.Permanent(err)
	}
	return err
}

// RetryAfterHeader reads a Retry-After header: seconds, or an HTTP date.
func RetryAfterHeader(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// Reason reads what a refusing server said, from the body: the first of
// the JSON fields error_description, message, error (or error.message),
// detail, reason, msg; else the first line of a text body. It is cut to
// 200 characters and sanitized: it comes from the network.
func Reason(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 60<<10))
	data = bytes.TrimSpace(data)
	var why string
	var doc map[string]any
	if json.Unmarshal(data, &doc) == nil {
		for _, k := range []string{"error_description", "message", "error", "detail", "reason", "msg"} {
			switch v := doc[k].(type) {
			case string:
				why = v
			case map[string]any:
				why, _ = v["message"].(string)
			}
			if why != "" {
				break
			}
		}
	} else if ct := resp.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "text/plain") {
		why, _, _ = strings.Cut(string(data), "\n")
	}
	return sanitize.Line(why, 200)
}
