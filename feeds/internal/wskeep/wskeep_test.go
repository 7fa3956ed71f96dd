package wskeep

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// idle is short so that the tests pass several idle periods quickly; the
// tests wait on events (pings seen, errors returned), never on the clock.
const idle = 40 * time.Millisecond

var words = Words{
	Stalled:  "test: stalled",
	TooLarge: "test: too large",
	Closed:   "test: closed",
	Failed:   "test: reading",
}

// serve runs handler for one WebSocket connection on 127.0.0.1 (where
// httptest listens) and returns a client connection to it. release is
// closed before the server shuts down, so that a handler may block on it.
func serve(t *testing.T, handler func(conn *websocket.Conn, release <-chan struct{})) *websocket.Conn {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var up websocket.Upgrader
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer conn.Close()
		handler(conn, release)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// A peer that sends no frames but answers pings keeps the stream alive
// for many idle periods; its pongs prove the stream live, once; a ping of
// its own is answered.
func TestAnsweringPeerStaysAlive(t *testing.T) {
	const pings = 6 // at one every idle/2: three idle periods of silence
	conn := serve(t, func(conn *websocket.Conn, release <-chan struct{}) {
		seen := make(chan struct{}, pings)
		ponged := make(chan struct{})
		conn.SetPingHandler(func(data string) error {
			select {
			case seen <- struct{}{}:
			default:
			}
			return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(WriteWait))
		})
		conn.SetPongHandler(func(string) error {
			select {
			case <-ponged:
			default:
				close(ponged)
			}
			return nil
		})
		go func() { // reading runs the handlers
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		if err := conn.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(WriteWait)); err != nil {
			t.Errorf("server ping: %v", err)
			return
		}
		for range pings {
			select {
			case <-seen:
			case <-release:
				return
			}
		}
		select {
		case <-ponged:
		case <-release:
			return
		}
		if err := conn.WriteMessage(websocket.TextMessage, []byte("bye")); err != nil {
			t.Errorf("server write: %v", err)
		}
		<-release
	})

	lives := 0
	k := Start(conn, idle, func() { lives++ })
	defer k.Stop()
	data, err := k.Read()
	if err != nil {
		t.Fatalf("Read: %v, want the frame sent after %d pings", err, pings)
	}
	if string(data) != "bye" || lives != 1 {
		t.Errorf("Read = %q with onLive run %d times, want \"bye\" and once", data, lives)
	}
	k.Stop() // twice is fine
}

// A peer that goes silent (and so answers no pings) is dropped by the
// read deadline, as a stall, and was never live.
func TestSilentPeerStalls(t *testing.T) {
	conn := serve(t, func(conn *websocket.Conn, release <-chan struct{}) {
		<-release // reads nothing, so answers nothing
	})
	lives := 0
	k := Start(conn, idle, func() { lives++ })
	defer k.Stop()
	_, err := k.Read()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read: %v, want a timeout", err)
	}
	if got := Err(context.Background(), err, words); got.Error() != words.Stalled {
		t.Errorf("Err = %v, want %q", got, words.Stalled)
	}
	if lives != 0 {
		t.Errorf("onLive ran %d times for a silent peer", lives)
	}
}

// A frame over the read limit and the server's close frame are told
// apart, in the connector's words, and the close error is kept.
func TestErrFromPeer(t *testing.T) {
	conn := serve(t, func(conn *websocket.Conn, release <-chan struct{}) {
		conn.WriteMessage(websocket.TextMessage, []byte("12345678"))
		<-release
	})
	k := Start(conn, time.Hour, nil)
	defer k.Stop()
	conn.SetReadLimit(4)
	_, err := k.Read()
	if got := Err(context.Background(), err, words); got.Error() != words.TooLarge {
		t.Errorf("over the limit: Err = %v, want %q", got, words.TooLarge)
	}

	conn2 := serve(t, func(conn *websocket.Conn, release <-chan struct{}) {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "unauthorized"))
		<-release
	})
	k2 := Start(conn2, time.Hour, nil)
	defer k2.Stop()
	_, err = k2.Read()
	got := Err(context.Background(), err, words)
	var ce *websocket.CloseError
	if !errors.As(got, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.HasPrefix(got.Error(), words.Closed+": ") {
		t.Errorf("closed: Err = %v, want %q and the close error", got, words.Closed)
	}
}

func TestErrOther(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := Err(ctx, io.ErrUnexpectedEOF, words); got != context.Canceled {
		t.Errorf("ctx done: Err = %v, want context.Canceled", got)
	}
	got := Err(context.Background(), io.ErrUnexpectedEOF, words)
	if !errors.Is(got, io.ErrUnexpectedEOF) || got.Error() != "test: reading: unexpected EOF" {
		t.Errorf("other: Err = %v", got)
	}
}
