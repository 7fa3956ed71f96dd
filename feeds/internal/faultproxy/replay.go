package faultproxy

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
)

// Replay drives one replay of N numbered events ("ev <i>" in their text)
// from a connector's test server, through a Proxy, through a hub, with a
// fixed schedule of faults, and checks what the hub delivered: nothing
// twice, in order, and every gap either filled (Resumes) or shown by a
// notice before the first event after it.
//
// The test server asks Before(i, gen) before writing event i on the
// connection the proxy counted as gen (Proxy.Accepted when it was made);
// the schedule waits on what the hub delivered, never on time:
//
//	1000–1100  latency 20ms           (no stall expected)
//	2000–2100  bandwidth 20 kB/s      (no stall expected)
//	3000–3020  drip, 200µs per byte   (no stall expected)
//	5000       silence (half-open); 50 more events go into the void
//	7000       reset 100 bytes into what follows (mid-frame); the server
//	           stops 50 events later on that connection
type Replay struct {
	N        int
	Proxy    *Proxy
	Interval time.Duration // the connector's stall interval (ping or idle)
	Resumes  bool          // the protocol resumes: no event may be missing

	mu        sync.Mutex
	changed   chan struct{}
	seen      map[int]int
	order     []int // event numbers as delivered; -1 for a gap notice
	max       int
	fired     map[int]bool
	silentGen int
	silentAt  time.Time
	resetGen  int
	resetAt   time.Time
	runs      []runEnd
}

type runEnd struct {
	at  time.Time
	err error
}

// Schedule points.
const (
	latencyAt, latencyTo = 1000, 1100
	bwAt, bwTo           = 2000, 2100
	dripAt, dripTo       = 3000, 3020
	silenceAt, lostAfter = 5000, 50
	resetAt              = 7000
)

func (r *Replay) init() {
	if r.changed == nil {
		r.changed = make(chan struct{})
		r.seen = make(map[int]int)
		r.fired = make(map[int]bool)
		r.max = -1
	}
}

func (r *Replay) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// waitSeen blocks until event i was delivered, or ctx ends.
func (r *Replay) waitSeen(ctx context.Context, i int) {
	for {
		r.mu.Lock()
		ok, ch := r.max >= i, r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// once reports whether the schedule point at has not fired yet, and marks
// it fired: a resumed stream sends some events twice.
func (r *Replay) once(at int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	if r.fired[at] {
		return false
	}
	r.fired[at] = true
	return true
}

// Before is called by the test server before it writes event i on
// connection gen; stop says to write nothing more on that connection
// (the server then waits for it to end).
func (r *Replay) Before(ctx context.Context, i, gen int) (stop bool) {
	switch {
	case i == latencyAt && r.once(i):
		r.waitSeen(ctx, i-1) // the fault strikes these events only
		r.Proxy.Set(Faults{Latency: 20 * time.Millisecond})
	case i == latencyTo+1 && r.once(i):
		r.waitSeen(ctx, latencyTo)
		r.Proxy.Set(Faults{})
	case i == bwAt && r.once(i):
		r.waitSeen(ctx, i-1) // the fault strikes these events only
		r.Proxy.Set(Faults{BytesPerSecond: 20000})
	case i == bwTo+1 && r.once(i):
		r.waitSeen(ctx, bwTo)
		r.Proxy.Set(Faults{})
	case i == dripAt && r.once(i):
		r.waitSeen(ctx, i-1) // the fault strikes these events only
		r.Proxy.Set(Faults{Drip: 200 * time.Microsecond})
	case i == dripTo+1 && r.once(i):
		r.waitSeen(ctx, dripTo)
		r.Proxy.Set(Faults{})
	case i == silenceAt && r.once(i):
		r.waitSeen(ctx, silenceAt-1) // a clean start for the measure
		r.mu.Lock()
		r.silentGen, r.silentAt = gen, time.Now()
		r.mu.Unlock()
		r.Proxy.Silence()
	case i == silenceAt+lostAfter && r.silent(gen):
		// The void took enough; the connector must find out by itself.
		return true
	case i == resetAt && r.once(i):
		r.waitSeen(ctx, resetAt-1)
		r.mu.Lock()
		r.resetAt, r.resetGen = time.Now(), gen
		r.mu.Unlock()
		r.Proxy.ResetAfter(100)
	case i == resetAt+lostAfter && r.wasReset(gen):
		// A server writes faster than a reset reaches it: stop here, as
		// if its writes had started failing.
		return true
	}
	return false
}

func (r *Replay) wasReset(gen int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resetGen == gen
}

func (r *Replay) silent(gen int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.silentGen == gen
}

// Wrap records how each Run of c ends: the connector's own word on why.
func (r *Replay) Wrap(c feeds.Connector) feeds.Connector { return &recorder{c, r} }

type recorder struct {
	feeds.Connector
	r *Replay
}

func (c *recorder) Run(ctx context.Context, s feeds.Stream) error {
	err := c.Connector.Run(ctx, s)
	c.r.mu.Lock()
	c.r.runs = append(c.r.runs, runEnd{time.Now(), err})
	c.r.mu.Unlock()
	return err
}

// observe records delivered events.
func (r *Replay) observe(evs []feeds.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	for _, ev := range evs {
		if ev.Kind == feeds.KindNotice && strings.Contains(ev.Text, "reconnected") {
			r.order = append(r.order, -1)
			continue
		}
		n, ok := strings.CutPrefix(ev.Text, "ev ")
		if !ok {
			continue
		}
		n, _, _ = strings.Cut(n, " ")
		i, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		r.seen[i]++
		r.order = append(r.order, i)
		r.max = max(r.max, i)
	}
	r.notify()
}

// stallFor reads the silence a connector's stall error names.
var stallFor = regexp.MustCompile(`(?:answered|received) for ([0-9.]+[a-zµ]+)`)

// Run runs h (with the wrapped connector added as feed) until the last
// event is delivered, then checks the replay. deadline only bounds a
// broken run.
func (r *Replay) Run(t *testing.T, h *hub.Hub, feed string, deadline time.Duration) {
	t.Helper()
	r.mu.Lock()
	r.init()
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	sub := h.Subscribe(ctx)
	hctx, hcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); h.Run(hctx) }()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sub.Ready():
				r.observe(hub.Items(sub.Take(), hub.TopicEvents))
			case <-hctx.Done():
				return
			}
		}
	}()
	r.waitSeen(ctx, r.N-1)
	var hl hub.Health
	for _, x := range h.Health() {
		if x.Feed == feed {
			hl = x
		}
	}
	hcancel()
	wg.Wait()
	if ctx.Err() != nil {
		r.mu.Lock()
		t.Fatalf("the replay did not finish: %d events delivered, last %d; runs ended: %v; health %+v", len(r.seen), r.max, r.runs, hl)
	}
	r.check(t, hl)
}

func (r *Replay) check(t *testing.T, hl hub.Health) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	dups, missing, shown, unshown := 0, 0, 0, 0
	for i := range r.N {
		switch n := r.seen[i]; {
		case n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	prev, notice := -1, false
	for _, i := range r.order {
		if i < 0 {
			notice = true
			continue
		}
		switch {
		case i <= prev:
			t.Errorf("event %d delivered after %d", i, prev)
		case i > prev+1 && notice:
			shown++
		case i > prev+1:
			unshown++
			t.Errorf("events %d to %d are missing and no notice shows the gap", prev+1, i-1)
		}
		prev, notice = i, false
	}
	if dups > 0 {
		t.Errorf("%d events delivered twice", dups)
	}
	if r.Resumes && missing > 0 {
		t.Errorf("%d events missing: the protocol resumes, the gaps should be filled", missing)
	}
	// Stall detection: the run that ended after the silence said so, and
	// names a silence of at most 1.5 intervals.
	var stall, reset *runEnd
	for k := range r.runs {
		e := &r.runs[k]
		if stall == nil && e.at.After(r.silentAt) {
			stall = e
		} else if reset == nil && !r.resetAt.IsZero() && e.at.After(r.resetAt) {
			reset = e
		}
	}
	if stall == nil || stall.err == nil {
		t.Fatalf("no run ended after the silence: %v", r.runs)
	}
	m := stallFor.FindStringSubmatch(stall.err.Error())
	if m == nil {
		t.Errorf("the run after the silence ended with %q, not a stall", stall.err)
	} else if d, err := time.ParseDuration(m[1]); err != nil || d > r.Interval*3/2 {
		t.Errorf("the stall was detected after %s of silence, want at most 1.5 × %s", m[1], r.Interval)
	}
	if reset == nil || reset.err == nil || errors.Is(reset.err, context.Canceled) {
		t.Errorf("no run ended with the reset: %v", r.runs)
	}
	if hl.Reconnects < 2 {
		t.Errorf("health %+v: want at least 2 reconnects (silence, reset)", hl)
	}
	detected := stall.at.Sub(r.silentAt)
	t.Logf("%d events, %d delivered, %d duplicates; %d missing in %d gaps shown, %d unshown; %d reconnects",
		r.N, len(r.seen), dups, missing, shown, unshown, hl.Reconnects)
	t.Logf("silence: %q after %.2f intervals of %s (wall clock, not asserted)", stall.err, float64(detected)/float64(r.Interval), r.Interval)
	if reset != nil {
		t.Logf("reset mid-frame: %q", reset.err)
	}
	for _, e := range r.runs {
		if e.at.Before(r.silentAt) {
			t.Logf("a run ended before the silence (a false stall?): %v", e.err)
		}
	}
}
