// Package faultproxy is a TCP proxy for tests that puts a faulty network
// between a connector and its test server: latency, a bandwidth limit, a
// slow drip of bytes, a connection that goes silent without closing
// (half-open), and a reset in the middle of what is in flight. It listens
// on 127.0.0.1 only and is meant to be used from tests only.
//
// Latency, bandwidth and drip are settings of the proxy, applied to every
// connection from the next chunk on, in both directions. Silence and reset
// strike the connections open at the time; connections made after them
// are healthy, as a reconnect through a repaired network would be.
//
// It is written here rather than taken from github.com/Shopify/toxiproxy/v2:
// that module brings an HTTP API, Prometheus and a logger with it, and its
// toxics cannot reset after an exact number of bytes, which a test needs to
// cut a frame in half.
package faultproxy

import (
	"net"
	"sync"
	"time"
)

// Faults are the proxy's standing settings. The zero value forwards at
// full speed.
type Faults struct {
	// Latency delays every chunk by this much, without limiting the
	// throughput.
	Latency time.Duration
	// BytesPerSecond limits each direction of each connection. Zero: no
	// limit.
	BytesPerSecond int
	// Drip forwards one byte at a time, with this pause after each.
	Drip time.Duration
}

// Proxy forwards connections to one target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu       sync.Mutex
	faults   Faults
	conns    map[*conn]struct{}
	accepted int
	changed  chan struct{} // closed and replaced on every change of state
	closed   bool
	wg       sync.WaitGroup
}

// New listens on 127.0.0.1 and forwards every connection to target.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: make(map[*conn]struct{}), changed: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set replaces the standing faults.
func (p *Proxy) Set(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.mu.Unlock()
}

func (p *Proxy) settings() Faults {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// Accepted is how many connections the proxy has accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Changed returns a channel closed at the next accepted or ended
// connection: what a test waits on instead of sleeping.
func (p *Proxy) Changed() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}

func (p *Proxy) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Silence makes every open connection a black hole, both ways: what
// either end sends is read and dropped, nothing is closed, so neither
// end learns of it from the network. A connection ends only when one of
// its ends closes it.
func (p *Proxy) Silence() {
	p.each(func(c *conn) { c.silence() })
}

// ResetAfter lets n more bytes from the server through on every open
// connection, then resets both of its ends (TCP RST): what the server
// sent after those n bytes is lost, so a small n cuts a frame in half.
func (p *Proxy) ResetAfter(n int64) {
	p.each(func(c *conn) { c.resetAfter(n) })
}

func (p *Proxy) each(fn func(*conn)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		fn(c)
	}
}

// Close stops listening and closes every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		// Counted before the server sees the connection, so that a test
		// server reading Accepted counts its own.
		p.mu.Lock()
		p.accepted++
		p.mu.Unlock()
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		c := &conn{p: p, client: client, server: server, budget: -1}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.close()
			return
		}
		p.conns[c] = struct{}{}
		p.notifyLocked()
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			c.run()
			p.mu.Lock()
			delete(p.conns, c)
			p.notifyLocked()
			p.mu.Unlock()
		}()
	}
}

// conn is one proxied connection.
type conn struct {
	p              *Proxy
	client, server net.Conn

	mu       sync.Mutex
	silent   bool
	budget   int64 // bytes from the server still let through; -1: no reset pending
	isClosed bool
}

func (c *conn) silence() {
	c.mu.Lock()
	c.silent = true
	c.mu.Unlock()
}

func (c *conn) resetAfter(n int64) {
	c.mu.Lock()
	c.budget = n
	c.mu.Unlock()
}

// reset closes both ends with SO_LINGER 0, so that both see a reset.
func (c *conn) reset() {
	for _, nc := range []net.Conn{c.client, c.server} {
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	c.close()
}

func (c *conn) close() {
	c.mu.Lock()
	c.isClosed = true
	c.mu.Unlock()
	c.client.Close()
	c.server.Close()
}

func (c *conn) run() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.pipe(c.client, c.server, false) }()
	go func() { defer wg.Done(); c.pipe(c.server, c.client, true) }()
	wg.Wait()
}

// chunk is what one read got, and when.
type chunk struct {
	at   time.Time
	data []byte
}

// pipe copies from src to dst through the faults until either fails; it
// then closes both ends (unless silent: a black hole reports nothing).
// down is the server-to-client direction, which resets count.
func (c *conn) pipe(src, dst net.Conn, down bool) {
	queue := make(chan chunk, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ch := range queue {
			if !c.forward(dst, ch, down) {
				// The writer is gone: drain, so the reader never blocks.
				for range queue {
				}
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			queue <- chunk{time.Now(), append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			break
		}
	}
	close(queue)
	<-done
	c.close()
}

// forward writes one chunk to dst with the standing faults; false when
// the connection is over.
func (c *conn) forward(dst net.Conn, ch chunk, down bool) bool {
	f := c.p.settings()
	if f.Latency > 0 {
		time.Sleep(time.Until(ch.at.Add(f.Latency)))
	}
	data := ch.data
	for len(data) > 0 {
		c.mu.Lock()
		silent, closed, budget := c.silent, c.isClosed, c.budget
		c.mu.Unlock()
		switch {
		case closed:
			return false
		case silent:
			return true // dropped; reading goes on
		}
		f = c.p.settings()
		n := len(data)
		if f.Drip > 0 {
			n = 1
		} else if f.BytesPerSecond > 0 {
			n = min(n, max(f.BytesPerSecond/20, 1)) // 20 slices a second
		}
		if down && budget >= 0 {
			if budget == 0 {
				c.reset()
				return false
			}
			n = int(min(int64(n), budget))
			c.mu.Lock()
			c.budget -= int64(n)
			c.mu.Unlock()
		}
		if _, err := dst.Write(data[:n]); err != nil {
			return false
		}
		data = data[n:]
		switch {
		case f.Drip > 0:
			time.Sleep(f.Drip)
		case f.BytesPerSecond > 0:
			time.Sleep(time.Duration(n) * time.Second / time.Duration(f.BytesPerSecond))
		}
	}
	if down {
		c.mu.Lock()
		budget := c.budget
		c.mu.Unlock()
		if budget == 0 {
			c.reset()
			return false
		}
	}
	return true
}
