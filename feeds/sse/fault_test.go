package sse

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/internal/faultproxy"
)

// Over a replay of 10,000 events through a faulty network, the feed
// detects a silent stream within 1.5 idle intervals, reconnects, and
// resumes with Last-Event-ID: every gap is filled, nothing arrives twice.
func TestReplayThroughFaults(t *testing.T) {
	const idle = 300 * time.Millisecond
	var r *faultproxy.Replay
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gen := r.Proxy.Accepted()
		from := 0
		if id := req.Header.Get("Last-Event-ID"); id != "" {
			n, err := strconv.Atoi(id)
			if err != nil {
				http.Error(w, "bad Last-Event-ID", http.StatusBadRequest)
				return
			}
			from = n + 1
		}
		streamHeaders(w)
		var mu sync.Mutex
		write := func(chunk string) error {
			mu.Lock()
			defer mu.Unlock()
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return err
			}
			return http.NewResponseController(w).Flush()
		}
		// Keep-alive comments, so that a quiet server is not a stalled one.
		done := make(chan struct{})
		var wg sync.WaitGroup
		defer wg.Wait() // the response is not to be written once we return
		defer close(done)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(idle / 3)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					if write(": keep-alive\n\n") != nil {
						return
					}
				}
			}
		}()
		for i := from; ; i++ {
			if i >= r.N || r.Before(ctx, i, gen) {
				select {
				case <-ctx.Done():
				case <-req.Context().Done():
				}
				return
			}
			if write(fmt.Sprintf("id: %d\ndata: {\"user\":\"v\",\"text\":\"ev %d and some words\"}\n\n", i, i)) != nil {
				return
			}
		}
	}))
	p, err := faultproxy.New(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		p.Close()
		srv.Close()
	}()
	r = &faultproxy.Replay{N: 10000, Proxy: p, Interval: idle, Resumes: true}
	c := newConn(t, Config{URL: "http://" + p.Addr(), Fields: fields, IdleTimeout: fieldmap.Duration(idle)})
	h := hub.New(hub.Options{})
	h.Add("sse", r.Wrap(c))
	r.Run(t, h, "sse", time.Minute)
}
