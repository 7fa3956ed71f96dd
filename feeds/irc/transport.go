package irc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Line limits. IRCv3 allows 8191 bytes of tags (with the '@' and the space
// after them) in front of the RFC's 512 bytes (with the CRLF).
const (
	maxTagBytes = 8191
	ircBodyMax  = 512
	// twitchBodyMax: Twitch relays messages of 500 characters, which in
	// UTF-8 with the source prefix runs well past 512 bytes; Twitch clients
	// accept such lines, so we do too, within this bound.
	twitchBodyMax = 4096
	// maxFrame bounds one WebSocket message. Twitch packs many lines in
	// one when chat is busy; a message past the bound ends the connection,
	// so it is generous, and it bounds the memory one message can take.
	maxFrame = 1 << 20
)

// errLineTooLong reports a line past the limit. It is not fatal: the line
// is dropped and reading goes on.
var errLineTooLong = errors.New("line over the protocol limit")

// lineConn carries IRC lines. ReadLine is called from one goroutine and
// WriteLine from one at a time (the session serializes writers); Close may
// be called from anywhere, and unblocks both.
type lineConn interface {
	// ReadLine returns the next line without its line ending. The slice
	// is valid until the next call.
	ReadLine() ([]byte, error)
	// WriteLine sends one line (without line ending) by deadline. sent is
	// false when the error certainly came before any byte left.
	WriteLine(line []byte, deadline time.Time) (sent bool, err error)
	Close() error
}

// dial connects to the configured server. ctx bounds the connection set-up
// only.
func (k *Connector) dial(ctx context.Context, bodyMax int) (lineConn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	tlsConf := k.tlsConf()
	switch k.transport {
	case TransportWebSocket:
		wd := websocket.Dialer{
			NetDialContext:   d.DialContext,
			TLSClientConfig:  tlsConf,
			HandshakeTimeout: dialWait,
			// IRCv3 WebSocket's subprotocol; servers that predate it
			// (InspIRCd 3, Twitch) ignore it and speak text anyway.
			Subprotocols: []string{"text.ircv3.net"},
		}
		h := http.Header{}
		h.Set("Origin", k.origin)
		ws, resp, err := wd.DialContext(ctx, k.wsURL, h)
		if err != nil {
			if resp != nil {
				return nil, fmt.Errorf("websocket handshake: %s: %w", resp.Status, err)
			}
			return nil, err
		}
		ws.SetReadLimit(maxFrame)
		return &wsLines{ws: ws, max: maxTagBytes + bodyMax}, nil
	default:
		c, err := d.DialContext(ctx, "tcp", k.addr)
		if err != nil {
			return nil, err
		}
		if k.transport == TransportTLS {
			tc := tls.Client(c, tlsConf)
			if err := tc.HandshakeContext(ctx); err != nil {
				c.Close()
				return nil, fmt.Errorf("tls: %w", err)
			}
			c = tc
		}
		return newTCPLines(c, maxTagBytes+bodyMax), nil
	}
}

func (k *Connector) tlsConf() *tls.Config {
	if k.tlsConfig != nil {
		c := k.tlsConfig.Clone()
		c.ServerName = k.host
		return c
	}
	return &tls.Config{ServerName: k.host, MinVersion: tls.VersionTLS12}
}

// tcpLines reads CRLF- (or LF-) terminated lines from a stream.
type tcpLines struct {
	c net.Conn
	r *bufio.Reader
}

func newTCPLines(c net.Conn, max int) *tcpLines {
	// The buffer holds the longest allowed line and its CRLF: a longer
	// one fills it, which is how it is detected.
	return &tcpLines{c: c, r: bufio.NewReaderSize(c, max+2)}
}

func (t *tcpLines) ReadLine() ([]byte, error) {
	line, err := t.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// Skip to the end of the overlong line, keeping the connection.
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = t.r.ReadSlice('\n')
		}
		if err != nil {
			return nil, err
		}
		return nil, errLineTooLong
	}
	if err != nil {
		return nil, err
	}
	return trimEOL(line), nil
}

func (t *tcpLines) WriteLine(line []byte, deadline time.Time) (bool, error) {
	if err := t.c.SetWriteDeadline(deadline); err != nil {
		return false, err
	}
	buf := make([]byte, 0, len(line)+2)
	buf = append(append(buf, line...), '\r', '\n')
	n, err := t.c.Write(buf)
	return n > 0, err
}

func (t *tcpLines) Close() error { return t.c.Close() }

// wsLines reads IRC lines from WebSocket messages: one line per message
// (IRCv3 WebSocket), or several separated by CRLF (Twitch).
type wsLines struct {
	ws      *websocket.Conn
	max     int
	pending []byte // the rest of the current message
}

func (w *wsLines) ReadLine() ([]byte, error) {
	for {
		for len(w.pending) > 0 {
			line, rest, _ := bytes.Cut(w.pending, []byte{'\n'})
			w.pending = rest
			line = trimEOL(line)
			if len(line) > w.max {
				return nil, errLineTooLong
			}
			if len(line) > 0 {
				return line, nil
			}
		}
		_, msg, err := w.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		w.pending = msg
	}
}

func (w *wsLines) WriteLine(line []byte, deadline time.Time) (bool, error) {
	if err := w.ws.SetWriteDeadline(deadline); err != nil {
		return false, err
	}
	err := w.ws.WriteMessage(websocket.TextMessage, line)
	// gorilla does not say how much of a frame left; only a connection
	// already closing certainly sent nothing.
	return !errors.Is(err, websocket.ErrCloseSent), err
}

func (w *wsLines) Close() error { return w.ws.Close() }

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}
