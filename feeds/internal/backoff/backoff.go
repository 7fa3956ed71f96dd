// Package backoff is the wait between tries that the supervisor (before
// running a connector again) and the dispatcher (before sending an action
// again) share: capped exponential, with full jitter.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Bounds of the wait.
const (
	// Base is the ceiling of the first wait; it doubles with each try.
	Base = 500 * time.Millisecond
	// Cap is the highest ceiling.
	Cap = time.Minute
	// Min is the floor, so that something that fails at once cannot spin.
	Min = 100 * time.Millisecond
)

// Wait returns the wait before try n (1-based): a draw from [0, ceiling]
// with the ceiling Base doubled n-1 times and capped at Cap (full jitter),
// never below Min.
func Wait(n int, r *rand.Rand) time.Duration {
	ceil := Cap
	if n < 20 {
		if d := Base << (n - 1); d < ceil {
			ceil = d
		}
	}
	d := time.Duration(r.Int64N(int64(ceil) + 1))
	return max(d, Min)
}
