package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// What the front-ends share through KV buckets (drafts, read marks,
// preferences, presence, the crisis) goes the same way: the store tells
// of a change here, which is queued and put by one goroutine (pushes);
// another watches the bucket and applies the others' (follow).

// poke wakes whoever waits on ch, without waiting.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// follow runs push beside a watch of every key of kv, handing apply each
// put or deletion, until ctx ends. When every is non-zero, tick runs that
// often too, on apply's goroutine. A watch that cannot start (the
// cluster is electing a leader, a server is away) or that ends is
// started again: it gives every key again, which apply takes as it does
// any update.
func follow(ctx context.Context, kv jetstream.KeyValue, push func(context.Context), apply func(jetstream.KeyValueEntry),
	onErr func(error), every time.Duration, tick func(time.Time)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); push(ctx) }()
	defer wg.Wait()
	var ticks <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		ticks = t.C
	}
	for failures := 0; ctx.Err() == nil; failures++ {
		w, err := kv.WatchAll(ctx)
		if err != nil {
			if ctx.Err() == nil {
				onErr(fmt.Errorf("cluster: watching %s: %w", kv.Bucket(), err))
			}
			if !sleep(ctx, min(100*time.Millisecond<<min(failures, 6), 5*time.Second)) {
				return
			}
			continue
		}
		failures = 0
		watch(ctx, w, apply, ticks, tick)
		_ = w.Stop()
		sleep(ctx, 100*time.Millisecond) // not in a loop, if it ends at once
	}
}

// watch hands apply what w gives, and tick the ticks, until ctx ends or
// w does.
func watch(ctx context.Context, w jetstream.KeyWatcher, apply func(jetstream.KeyValueEntry),
	ticks <-chan time.Time, tick func(time.Time)) {
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticks:
			tick(now)
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e != nil {
				apply(e)
			}
		}
	}
}

// pushes calls flush each time wake is poked, until ctx ends; a flush
// that left something to try again (it reports false) is called again a
// second later.
func pushes(ctx context.Context, wake chan struct{}, flush func(context.Context) bool) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		if !flush(ctx) && sleep(ctx, time.Second) {
			poke(wake)
		}
	}
}
