package feeds

import (
	"errors"
	"time"
)

// What a connector's error says to the supervisor and the dispatcher: that
// retrying cannot help (Permanent), that nothing left the process
// (NotSent), how long the platform asked us to wait (RetryAfter), or that
// another node sends the action and its outcome is not known yet
// (Awaiting).

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

// awaitingError marks an action handed to another process that sends it
// (in a cluster, the ingest node holding the feed) whose outcome has not
// come yet.
type awaitingError struct {
	who string
	err error
}

func (a awaitingError) Error() string { return a.err.Error() }
func (a awaitingError) Unwrap() error { return a.err }

// Awaiting wraps err to say the action is with who ("" when it is not
// known which node), which sends it and has not said what became of it
// yet. It is neither a failure nor a refusal: the dispatcher queues it
// again without counting an attempt, shows the feed waiting for who, and
// the next Do waits for the same outcome; nothing is sent twice.
func Awaiting(who string, err error) error {
	if err == nil {
		return nil
	}
	return awaitingError{who: who, err: err}
}

// AwaitingOf returns who an Awaiting error waits for.
func AwaitingOf(err error) (who string, ok bool) {
	var a awaitingError
	if errors.As(err, &a) {
		return a.who, true
	}
	return "", false
}
