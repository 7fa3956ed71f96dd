package httpx

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
)

// HTTPError says what a non-2xx HTTP answer means to the supervisor and the
// dispatcher, for connectors that speak HTTP: nil for 2xx; RetryAfter for
// 429 or 503 with the wait the server gave in Retry-After (a 429 without
// one waits def, unless def is zero); Permanent for any other 4xx but 408,
// since asking again cannot fix it; a plain, retryable error for the rest.
// what names the request in the message ("sse", "websocket reply").
func HTTPError(what string, resp *http.Response, def time.Duration) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: the server answered %s", what, resp.Status)
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
