// Package wskeep keeps a WebSocket stream's liveness for the connectors
// that read one (wsfeed, mastodon, bluesky): pings sent so that a quiet
// stream is not taken for a stalled one, a read deadline that anything
// from the server pushes back, the moment the server first proves the
// stream live, and why a read ended.
package wskeep

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// WriteWait bounds the writing of a control frame (ping or pong).
const WriteWait = 10 * time.Second

// Keeper watches one connection. Its handlers run inside Read, so Read
// must be called from one goroutine only, as gorilla/websocket requires.
type Keeper struct {
	conn   *websocket.Conn
	idle   time.Duration
	onLive func()
	live   bool
	done   chan struct{}
	stop   sync.Once
}

// Start makes anything from the server (frames, its pings, pongs to
// ours) push the read deadline idle further and prove the stream live:
// onLive (which may be nil) runs on the first of them, once. It answers
// the server's pings, sends a ping at once, which a quiet but healthy
// server answers at once, and another every idle/2 until Stop. If a ping
// cannot be sent, the reader sees the broken connection too and reads
// the server's close frame, which says why.
func Start(conn *websocket.Conn, idle time.Duration, onLive func()) *Keeper {
	k := &Keeper{conn: conn, idle: idle, onLive: onLive, done: make(chan struct{})}
	conn.SetPongHandler(func(string) error { k.alive(); return nil })
	conn.SetPingHandler(func(data string) error {
		k.alive()
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(WriteWait))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteWait))
	go k.ping(max(idle/2, time.Millisecond))
	return k
}

// Stop ends the pings. It may be called more than once.
func (k *Keeper) Stop() { k.stop.Do(func() { close(k.done) }) }

// Read reads the next frame. The deadline is set afresh before each read,
// so that time the caller spent handling the last frame (waiting on a
// busy hub) is not taken for the server's silence.
func (k *Keeper) Read() ([]byte, error) {
	k.conn.SetReadDeadline(time.Now().Add(k.idle))
	_, data, err := k.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	k.proven()
	return data, nil
}

func (k *Keeper) alive() {
	k.conn.SetReadDeadline(time.Now().Add(k.idle))
	k.proven()
}

func (k *Keeper) proven() {
	if k.live {
		return
	}
	k.live = true
	if k.onLive != nil {
		k.onLive()
	}
}

// ping sends a ping every interval until Stop, through WriteControl,
// which may run beside the reader.
func (k *Keeper) ping(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-k.done:
			return
		case <-t.C:
			if k.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteWait)) != nil {
				return // the reader sees the broken connection too
			}
		}
	}
}

// Words are a connector's own wording of why its stream ended.
type Words struct {
	Stalled  string // nothing arrived for idle: the whole message
	TooLarge string // a frame was over the read limit: the whole message
	Closed   string // the server closed the stream: put before its close error
	Failed   string // anything else: put before the error
}

// Err says why a read (or a write on the stream) ended with err: ctx's
// error once ctx is done (closing the connection is how ctx ends a
// blocked read), else in w's words.
func Err(ctx context.Context, err error, w Words) error {
	var ne net.Error
	var ce *websocket.CloseError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ne) && ne.Timeout():
		return errors.New(w.Stalled)
	case errors.Is(err, websocket.ErrReadLimit):
		return errors.New(w.TooLarge)
	case errors.As(err, &ce):
		return fmt.Errorf("%s: %w", w.Closed, err)
	}
	return fmt.Errorf("%s: %w", w.Failed, err)
}
