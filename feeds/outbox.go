package feeds

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// State is where an outbox item is in its life cycle.
type State string

const (
	StateQueued    State = "queued"
	StateSending   State = "sending"
	StateSent      State = "sent"
	StateFailed    State = "failed"
	StateUncertain State = "uncertain"
	StateCancelled State = "cancelled"
)

// Done reports whether the item needs nothing more from the dispatcher.
func (s State) Done() bool {
	return s == StateSent || s == StateCancelled
}

// Outgoing is one outbox item: an action and what has become of it.
type Outgoing struct {
	Action   Action    `json:"action"`
	State    State     `json:"state"`
	Attempts int       `json:"attempts"`
	Err      string    `json:"err,omitempty"`
	Updated  time.Time `json:"updated"`
	// NextTry, when set, is the earliest time a queued item may be sent
	// again after a transient failure.
	NextTry time.Time `json:"next_try,omitempty"`
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so the dispatcher does not retry the action.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err (or an error it wraps) was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// retryAfterError carries the wait a platform asked for ("rate limited,
// retry in 30 s").
type retryAfterError struct {
	wait time.Duration
	err  error
}

func (r retryAfterError) Error() string { return r.err.Error() }
func (r retryAfterError) Unwrap() error { return r.err }

// RetryAfter wraps err, a rate-limit answer from the platform, with the wait
// it asked for. The dispatcher holds the whole feed for that long, says so
// in the Stats pane, and then retries the action: a rate-limited request was
// refused, so it was not posted, even on a platform without idempotency.
func RetryAfter(wait time.Duration, err error) error {
	if err == nil {
		return nil
	}
	return retryAfterError{wait: max(wait, 0), err: err}
}

// RetryAfterOf returns the wait carried by a RetryAfter error.
func RetryAfterOf(err error) (time.Duration, bool) {
	var r retryAfterError
	if errors.As(err, &r) {
		return r.wait, true
	}
	return 0, false
}

// notSentError marks a failure that happened before anything left the
// process (not connected, the send queue refused it).
type notSentError struct{ err error }

func (n notSentError) Error() string { return n.err.Error() }
func (n notSentError) Unwrap() error { return n.err }

// NotSent wraps err to say the action certainly did not reach the platform,
// so retrying it cannot post twice even where the platform has no
// idempotency. Without it, a failed send on such a platform is uncertain.
func NotSent(err error) error {
	if err == nil {
		return nil
	}
	return notSentError{err}
}

// IsNotSent reports whether err (or an error it wraps) was marked NotSent.
func IsNotSent(err error) bool {
	var n notSentError
	return errors.As(err, &n)
}

// NewActionID returns an id for an action queued at t: unique, and sorting
// by creation time, which is the outbox's order.
func NewActionID(t time.Time) string {
	return fmt.Sprintf("%016x-%08x", t.UnixNano(), rand.Uint32())
}
