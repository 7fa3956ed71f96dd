package backoff

import (
	"math/rand/v2"
	"testing"
)

func TestWaitIsCappedJittered(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 100; n++ {
		ceil := min(Base<<min(n-1, 20), Cap)
		for range 50 {
			d := Wait(n, r)
			if d < Min || d > max(ceil, Min) {
				t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, Min, ceil)
			}
		}
	}
	// Full jitter: waits spread over the range rather than sitting at it.
	seen := map[bool]bool{}
	for range 200 {
		seen[Wait(8, r) < Cap/2] = true
	}
	if !seen[true] || !seen[false] {
		t.Error("attempt 8 waits are not spread over [0, cap]")
	}
}
