package irc

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds/feedstest"
)

// wsPeer is the server's end of a WebSocket IRC connection.
type wsPeer struct {
	t      *testing.T
	c      *websocket.Conn
	origin string
	proto  []string
}

func newWSServer(t *testing.T) (url string, conns chan *wsPeer) {
	conns = make(chan *wsPeer, 4)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		conns <- &wsPeer{t: t, c: c, origin: r.Header.Get("Origin"), proto: websocket.Subprotocols(r)}
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		close(conns)
		for p := range conns {
			p.c.Close()
		}
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/irc", conns
}

// next returns the next frame, which must hold exactly one line.
func (p *wsPeer) next() string {
	p.t.Helper()
	p.c.SetReadDeadline(time.Now().Add(wait))
	typ, b, err := p.c.ReadMessage()
	if err != nil {
		p.t.Fatalf("reading a frame: %v", err)
	}
	if typ != websocket.TextMessage || strings.ContainsAny(string(b), "\r\n") {
		p.t.Fatalf("frame %q (type %d): want one line per text frame", b, typ)
	}
	return string(b)
}

func (p *wsPeer) send(frame string) {
	p.t.Helper()
	if err := p.c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		p.t.Fatal(err)
	}
}

func TestWebSocketTransport(t *testing.T) {
	url, conns := newWSServer(t)
	k := testConnector(t, Config{Server: url, Nick: "lumio", Channels: []string{"#halo"}})
	st := feedstest.NewStream()
	start(t, k, st)
	var p *wsPeer
	select {
	case p = <-conns:
	case <-time.After(wait):
		t.Fatal("no WebSocket connection")
	}
	defer p.c.Close()
	if !strings.HasPrefix(p.origin, "http://127.0.0.1:") {
		t.Errorf("Origin %q: servers such as InspIRCd refuse a handshake without one", p.origin)
	}
	if len(p.proto) != 1 || p.proto[0] != "text.ircv3.net" {
		t.Errorf("subprotocols %v", p.proto)
	}
	for _, want := range []string{"CAP LS 302", "NICK lumio", "USER lumio 0 * tribune"} {
		if got := p.next(); got != want {
			t.Fatalf("frame %q, want %q", got, want)
		}
	}
	// IRCv3 style: one line per frame, no line ending.
	p.send(":irc.test CAP * LS :message-tags")
	if got := p.next(); got != "CAP REQ message-tags" {
		t.Fatalf("frame %q", got)
	}
	p.send(":irc.test CAP * ACK message-tags")
	if got := p.next(); got != "CAP END" {
		t.Fatalf("frame %q", got)
	}
	// Twitch style: several CRLF-terminated lines in one frame.
	p.send(":irc.test 001 lumio :Welcome\r\n:irc.test 376 lumio :End of MOTD\r\n")
	if got := p.next(); got != "JOIN #halo" {
		t.Fatalf("frame %q", got)
	}
	p.send(":lumio!l@h JOIN #halo\r\n@msgid=m1 :alice!a@h PRIVMSG #halo :over websocket\r\n" +
		":bob!b@h PRIVMSG #halo :" + strings.Repeat("x", 600) + "\r\n" + // over 512: dropped
		":carol!c@h PRIVMSG #halo :still here\r\n")
	waitConnected(t, st, 1)
	evs := st.WaitEvents(t, 2, wait)
	if len(evs) != 2 || evs[0].ID != "m1" || evs[0].Text != "over websocket" || evs[1].Text != "still here" {
		t.Fatalf("events %+v", evs)
	}
	p.send("PING :ws")
	if got := p.next(); got != "PONG ws" {
		t.Fatalf("frame %q", got)
	}
	if st.StatusOf("dropped lines") != "1" {
		t.Errorf("dropped lines %q", st.StatusOf("dropped lines"))
	}
}
