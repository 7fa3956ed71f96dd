package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wait bounds a broken test; it asserts nothing about speed.
const wait = 10 * time.Second

// echo serves an echo server and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, f Faults) (*Proxy, net.Conn) {
	t.Helper()
	p, err := New(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.Set(f)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(wait))
	return p, c
}

func TestForwardsThroughLatencyBandwidthAndDrip(t *testing.T) {
	for _, f := range []Faults{{}, {Latency: 20 * time.Millisecond}, {BytesPerSecond: 4000}, {Drip: time.Millisecond}} {
		_, c := dial(t, f)
		msg := strings.Repeat("abcdefgh", 40) + "\n"
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatal(err)
		}
		got, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || got != msg {
			t.Errorf("%+v: got %d bytes, %v", f, len(got), err)
		}
	}
}

func TestSilenceIsAHalfOpenConnection(t *testing.T) {
	p, c := dial(t, Faults{})
	r := bufio.NewReader(c)
	io.WriteString(c, "one\n")
	if l, _ := r.ReadString('\n'); l != "one\n" {
		t.Fatalf("got %q", l)
	}
	p.Silence()
	io.WriteString(c, "two\n")
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := r.ReadString('\n')
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read on a silent connection: %v, want a timeout (not closed)", err)
	}
	// A new connection is healthy.
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(wait))
	io.WriteString(c2, "three\n")
	if l, _ := bufio.NewReader(c2).ReadString('\n'); l != "three\n" {
		t.Fatalf("after silence, a new connection got %q", l)
	}
}

func TestResetAfterCutsMidFrame(t *testing.T) {
	p, c := dial(t, Faults{})
	// A round trip first: Dial returns before the proxy has taken the
	// connection, and ResetAfter acts on the connections it has.
	io.WriteString(c, "x\n")
	if l, _ := bufio.NewReader(io.LimitReader(c, 2)).ReadString('\n'); l != "x\n" {
		t.Fatalf("round trip: %q", l)
	}
	p.ResetAfter(5)
	io.WriteString(c, "0123456789\n")
	got, err := io.ReadAll(c)
	if string(got) != "01234" || !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %q, %v; want the first 5 bytes then a reset", got, err)
	}
}
