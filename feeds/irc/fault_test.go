package irc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/internal/faultproxy"
)

// replayServer is an IRC server that registers each connection, joins it
// to #halo and plays numbered channel messages from a shared counter: IRC
// has no replay, so what a dead connection took is gone.
type replayServer struct {
	ln     net.Listener
	replay *faultproxy.Replay
	mu     sync.Mutex
	next   int
	wg     sync.WaitGroup
}

func (s *replayServer) serve(ctx context.Context) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.conn(ctx, c, s.replay.Proxy.Accepted())
		}()
	}
}

func (s *replayServer) conn(ctx context.Context, c net.Conn, gen int) {
	var wmu sync.Mutex
	write := func(line string) error {
		wmu.Lock()
		defer wmu.Unlock()
		_, err := c.Write([]byte(line + "\r\n"))
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(strings.TrimSpace(line))
		switch {
		case len(f) >= 2 && f[0] == "CAP" && f[1] == "LS":
			write(":irc.test CAP * LS :")
		case len(f) >= 2 && f[0] == "CAP" && f[1] == "END":
			write(":irc.test 001 lumio :Welcome")
		case len(f) >= 2 && f[0] == "PING":
			write(":irc.test PONG irc.test " + f[1])
		case len(f) >= 2 && f[0] == "JOIN":
			write(":lumio!lumio@127.0.0.1 JOIN #halo")
			go s.play(ctx, write, gen)
		}
	}
}

// play writes the next events until the replay is done, a write fails or
// the replay says to stop on this connection.
func (s *replayServer) play(ctx context.Context, write func(string) error, gen int) {
	for {
		s.mu.Lock()
		i := s.next
		s.mu.Unlock()
		if i >= s.replay.N || s.replay.Before(ctx, i, gen) {
			return
		}
		s.mu.Lock()
		s.next++
		s.mu.Unlock()
		// Sent or lost: IRC will not send it again.
		if err := write(fmt.Sprintf("@msgid=m%d :viewer!v@127.0.0.1 PRIVMSG #halo :ev %d and some words to fill a line", i, i)); err != nil {
			return
		}
	}
}

// Over a replay of 10,000 messages through a faulty network, the feed
// detects a silent connection within 1.5 ping intervals, reconnects, and
// shows every gap IRC cannot fill; nothing arrives twice.
func TestReplayThroughFaults(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.New(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	k := testConnector(t, ircConfig(p.Addr()))
	// Stall detection: PING after pingAfter of silence, give up pongWait
	// later, 1.5 intervals in all.
	k.pingAfter, k.pongWait = 300*time.Millisecond, 150*time.Millisecond
	r := &faultproxy.Replay{N: 10000, Proxy: p, Interval: k.pingAfter}
	srv := &replayServer{ln: ln, replay: r}
	ctx, cancel := context.WithCancel(context.Background())
	srv.wg.Add(1)
	go srv.serve(ctx)
	defer func() {
		cancel()
		p.Close()
		ln.Close()
		srv.wg.Wait()
	}()

	h := hub.New(hub.Options{})
	h.Add("irc", r.Wrap(k))
	r.Run(t, h, "irc", time.Minute)
}
