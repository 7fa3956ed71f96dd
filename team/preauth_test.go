package team

import (
	"net"
	"strings"
	"testing"
	"time"
)

// Connections that never log in are capped and timed out: whoever reaches
// the port cannot hold the process's file descriptors.
func TestConnectionsThatNeverLogInAreBounded(t *testing.T) {
	f := newFixtureWith(t, map[string]Role{"alice": Admin}, func(o *Options) { o.HandshakeTimeout = 300 * time.Millisecond })
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 2*3 + 4 { // the fixture's MaxPerAddr is 3: 6 connections are let in
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// Each is closed by the server: the extra ones at once, the others
	// when their handshake time is up. A read returns then.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("connection %d is still open after 30 s", i)
				}
				break
			}
		}
	}
	if !strings.Contains(f.log.String(), "too many connections") {
		t.Errorf("no refusal logged:\n%s", f.log.String())
	}
	// A real login still works once they are gone.
	s, _ := f.open("alice", 80, 24)
	s.waitFor("Feed")
}
