package wsfeed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/internal/faultproxy"
)

// Over a replay of 10,000 frames through a faulty network, the feed
// detects a silent connection within 1.5 idle intervals (pings every half
// interval), reconnects, and shows every gap: a generic stream has no
// cursor. Nothing arrives twice.
func TestReplayThroughFaults(t *testing.T) {
	var (
		r    *faultproxy.Replay
		mu   sync.Mutex
		next int // shared: what a dead connection took is gone
	)
	ctx, cancel := context.WithCancel(context.Background())
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gen := r.Proxy.Accepted()
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer c.Close()
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
		// The reader answers the connector's pings.
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		for {
			mu.Lock()
			i := next
			mu.Unlock()
			if i >= r.N || r.Before(ctx, i, gen) {
				<-ctx.Done()
				return
			}
			mu.Lock()
			next++
			mu.Unlock()
			frame := fmt.Sprintf(`{"id":"m%d","user":{"login":"v"},"body":{"text":"ev %d and some words"},"room":"#halo"}`, i, i)
			if c.WriteMessage(websocket.TextMessage, []byte(frame)) != nil {
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
	const idle = 300 * time.Millisecond
	r = &faultproxy.Replay{N: 10000, Proxy: p, Interval: idle}
	c, err := New("ws", Config{URL: "ws://" + p.Addr(), Fields: fields, IdleTimeout: fieldmap.Duration(idle)})
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New(hub.Options{})
	h.Add("ws", r.Wrap(c))
	r.Run(t, h, "ws", time.Minute)
}
