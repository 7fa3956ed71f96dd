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

// NewActionID returns an id for an action queued at t: unique, and sorting
// by creation time, which is the outbox's order.
func NewActionID(t time.Time) string {
	return fmt.Sprintf("%016x-%08x", t.UnixNano(), rand.Uint32())
}
