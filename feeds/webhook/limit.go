package webhook

import "sync"

// Bounds on what senders can make the inbox hold at once. A sender proves
// nothing before its whole body is read (the signature covers the body),
// so without them 200 connections that each send 1 MiB and pause held
// 270 MB until the read timeout.
const (
	// maxRequests bounds the requests being read or stored at once.
	maxRequests = 64
	// minInFlight is the least room for bodies being read or stored at
	// once; it grows to twice max_body when that is larger.
	minInFlight = 16 << 20
)

// limiter admits a request only while the requests, and the body bytes
// they may hold, stay within bounds. A request over them is refused at
// once rather than queued: a queue would hold the connections, and the
// sender retries a 503.
type limiter struct {
	mu       sync.Mutex
	requests int
	bytes    int64
	maxReq   int
	maxBytes int64
}

func newLimiter(maxReq int, maxBytes int64) *limiter {
	return &limiter{maxReq: maxReq, maxBytes: maxBytes}
}

// take admits a request whose body may be n bytes long.
func (l *limiter) take(n int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.requests+1 > l.maxReq || l.bytes+n > l.maxBytes {
		return false
	}
	l.requests++
	l.bytes += n
	return true
}

// give returns what take admitted.
func (l *limiter) give(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests--
	l.bytes -= n
}

// held reports the requests and bytes admitted now.
func (l *limiter) held() (int, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests, l.bytes
}
