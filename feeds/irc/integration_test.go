package irc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
)

// The tests in this file run real IRC servers on 127.0.0.1: ngircd, and
// InspIRCd over TCP and over WebSocket. Each starts its own server on free
// ports with a config in t.TempDir(), and kills it when done. A missing
// server skips the test, unless TRIBUNE_REQUIRE_IRC=1 (CI) makes it fail.

// ircdBinary finds name in PATH or the sbin directories Debian uses.
func ircdBinary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if os.Getenv("TRIBUNE_REQUIRE_IRC") == "1" {
		t.Fatalf("%s not installed (TRIBUNE_REQUIRE_IRC=1): apt-get install -y %s", name, name)
	}
	t.Skipf("%s not installed: apt-get install -y %s", name, name)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ircd is a server process the test controls.
type ircd struct {
	t     *testing.T
	name  string
	argv  []string
	ports []int
	log   string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// start launches the server and waits until every port accepts.
func (d *ircd) start() {
	d.t.Helper()
	cmd := exec.Command(d.argv[0], d.argv[1:]...)
	out, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("starting %s: %v", d.name, err)
	}
	d.mu.Lock()
	d.cmd = cmd
	d.mu.Unlock()
	for _, port := range d.ports {
		addr := "127.0.0.1:" + strconv.Itoa(port)
		deadline := time.Now().Add(wait)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(d.log)
				d.t.Fatalf("%s does not accept on %s: %v\n%s", d.name, addr, err, b)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// kill stops the server at once, as a crash would.
func (d *ircd) kill() {
	d.mu.Lock()
	cmd := d.cmd
	d.cmd = nil
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
}

func startNgircd(t *testing.T) (d *ircd, port int) {
	bin := ircdBinary(t, "ngircd")
	dir := t.TempDir()
	port = freePort(t)
	conf := fmt.Sprintf(`[Global]
Name = irc.test.local
Info = tribune test
Listen = 127.0.0.1
Ports = %d
MotdPhrase = "tribune test"
[Limits]
PingTimeout = 120
MaxConnectionsIP = 0
[Options]
PAM = no
Ident = no
DNS = no
`, port)
	path := filepath.Join(dir, "ngircd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d = &ircd{t: t, name: "ngircd", argv: []string{bin, "--nodaemon", "--config", path},
		ports: []int{port}, log: filepath.Join(dir, "ngircd.log")}
	d.start()
	t.Cleanup(d.kill)
	return d, port
}

func startInspircd(t *testing.T) (d *ircd, port, wsPort int) {
	bin := ircdBinary(t, "inspircd")
	dir := t.TempDir()
	port, wsPort = freePort(t), freePort(t)
	conf := fmt.Sprintf(`<server name="irc.test.local" description="tribune test" network="TestNet">
<admin name="t" nick="t" email="t@example.invalid">
<bind address="127.0.0.1" port="%d" type="clients">
<bind address="127.0.0.1" port="%d" type="clients" hook="websocket">
<connect name="main" allow="*" resolvehostnames="no" maxchans="50" timeout="20" pingfreq="120"
         hardsendq="100M" softsendq="100M" recvq="1M" threshold="1000000" commandrate="100000000"
         fakelag="off" localmax="5000" globalmax="5000" useident="no" limit="5000">
<class name="main" commands="*" privs="*" usermodes="*" chanmodes="*">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
<module name="cap"> <module name="ircv3"> <module name="ircv3_servertime"> <module name="ircv3_msgid">
<module name="ircv3_ctctags"> <module name="ircv3_echomessage"> <module name="sha1"> <module name="websocket">
<websocket sendastext="yes">
<wsorigin allow="*">
`, port, wsPort, dir, dir)
	path := filepath.Join(dir, "inspircd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	argv := []string{bin, "--config=" + path, "--nofork"}
	if os.Geteuid() == 0 {
		argv = append(argv, "--runasroot")
	}
	d = &ircd{t: t, name: "inspircd", argv: argv, ports: []int{port, wsPort}, log: filepath.Join(dir, "stdout.log")}
	d.start()
	t.Cleanup(d.kill)
	return d, port, wsPort
}

// hubWatch runs a connector under a real hub.Hub (and so its supervisor)
// and records what the hub ingests.
type hubWatch struct {
	t   *testing.T
	hub *hub.Hub
	mu  sync.Mutex
	evs []feeds.Event
}

func watchHub(t *testing.T, k *Connector) *hubWatch {
	w := &hubWatch{t: t}
	w.hub = hub.New(hub.Options{Observe: func(evs []feeds.Event) {
		w.mu.Lock()
		w.evs = append(w.evs, evs...)
		w.mu.Unlock()
	}})
	if err := w.hub.Add("irc-test", k); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.hub.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("the hub did not stop")
		}
	})
	return w
}

// until polls cond until it holds; the timeout only bounds a broken test.
func (w *hubWatch) until(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(2 * wait)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("waited for %s; health %+v", what, w.hub.Health())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (w *hubWatch) health() hub.Health { return w.hub.Health()[0] }

// event waits for an ingested event that satisfies match.
func (w *hubWatch) event(what string, match func(feeds.Event) bool) feeds.Event {
	w.t.Helper()
	var found feeds.Event
	w.until(what, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range w.evs {
			if match(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// viewer is a plain IRC client in the channel, played by the test.
func viewer(t *testing.T, port int, nick, channel string) *peer {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	p := newPeer(t, c)
	p.send("NICK "+nick, "USER "+nick+" 0 * :test viewer")
	p.untilCommand("001")
	p.send("JOIN " + channel)
	p.untilCommand("JOIN")
	return p
}

// untilCommand reads lines until one with cmd, answering PINGs.
func (p *peer) untilCommand(cmd string) []string {
	p.t.Helper()
	for {
		m := p.expectAny()
		if m.Command == "PING" {
			p.send("PONG :" + lastParam(&m))
			continue
		}
		if m.Command == cmd {
			return append([]string{m.Source}, m.Params...)
		}
	}
}

func (p *peer) expectAny() ircmsg.Message {
	p.t.Helper()
	l := p.next()
	m, err := ircmsg.ParseLine(l)
	if err != nil {
		p.t.Fatalf("bad line from the server %q: %v", l, err)
	}
	return m
}

// integration runs the whole story against a real server: the connector
// joins (and so holds operator rights in the new channel), a viewer joins,
// they talk both ways, the connector bans and unbans the viewer, then the
// server is killed and restarted and the connector comes back on its own.
func integration(t *testing.T, d *ircd, cfg Config, viewerPort int) {
	k := testConnector(t, cfg)
	w := watchHub(t, k)
	w.until("connected", func() bool { return w.health().State == hub.HealthConnected })
	nick := k.nick

	v := viewer(t, viewerPort, "viewer", "#test")
	v.send("PRIVMSG #test :hello from the viewer")
	got := w.event("the viewer's message", func(ev feeds.Event) bool { return ev.Text == "hello from the viewer" })
	if got.Author != "viewer" || got.Channel != "#test" || got.Kind != feeds.KindMessage || got.ID == "" {
		t.Errorf("viewer event %+v", got)
	}

	ctx := context.Background()
	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Channel: "#test", Text: "welcome!", TargetAuthor: "viewer", Target: got.ID}); err != nil {
		t.Fatalf("reply: %v", err)
	}
	if m := v.untilCommand("PRIVMSG"); !strings.HasPrefix(m[0], nick+"!") || m[2] != "viewer: welcome!" {
		t.Fatalf("the viewer got %q", m)
	}
	own := w.event("our reply in the feed", func(ev feeds.Event) bool { return ev.Text == "viewer: welcome!" })
	if !own.HasBadge(feeds.BadgeBrand) || own.Author != nick {
		t.Errorf("own event %+v", own)
	}

	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActBan, Channel: "#test", TargetAuthor: "viewer", Text: "test ban"}); err != nil {
		t.Fatalf("ban: %v", err)
	}
	if m := v.untilCommand("KICK"); m[1] != "#test" || m[2] != "viewer" {
		t.Fatalf("kick %q", m)
	}
	w.event("the kick", func(ev feeds.Event) bool {
		return ev.Kind == feeds.KindNotice && strings.Contains(ev.Text, "viewer was kicked")
	})
	v.send("JOIN #test")
	if m := v.untilCommand("474"); m[2] != "#test" {
		t.Fatalf("banned viewer: %q", m)
	}
	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActUnban, Channel: "#test", TargetAuthor: "viewer"}); err != nil {
		t.Fatalf("unban: %v", err)
	}
	v.send("JOIN #test")
	v.untilCommand("JOIN")

	// The server dies mid-stream and comes back: the supervisor runs the
	// connector again, which reconnects and rejoins by itself.
	d.kill()
	w.until("the drop noticed", func() bool { return w.health().Reconnects >= 1 })
	d.start()
	w.until("reconnected", func() bool { h := w.health(); return h.State == hub.HealthConnected && h.Reconnects >= 1 })
	v2 := viewer(t, viewerPort, "viewer2", "#test")
	v2.send("PRIVMSG #test :back after the restart")
	w.event("a message after the restart", func(ev feeds.Event) bool { return ev.Text == "back after the restart" })
	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Channel: "#test", Text: "glad you're back"}); err != nil {
		t.Fatalf("reply after the restart: %v", err)
	}
	if m := v2.untilCommand("PRIVMSG"); m[2] != "glad you're back" {
		t.Fatalf("viewer2 got %q", m)
	}
}

func TestNgircd(t *testing.T) {
	t.Parallel()
	d, port := startNgircd(t)
	integration(t, d, Config{
		Server: "127.0.0.1:" + strconv.Itoa(port), Transport: "tcp", Nick: "lumio", Channels: []string{"#test"},
	}, port)
}

func TestInspircdTCP(t *testing.T) {
	t.Parallel()
	d, port, _ := startInspircd(t)
	integration(t, d, Config{
		Server: "127.0.0.1:" + strconv.Itoa(port), Transport: "tcp", Nick: "lumio", Channels: []string{"#test"},
	}, port)
}

func TestInspircdWebSocket(t *testing.T) {
	t.Parallel()
	d, port, wsPort := startInspircd(t)
	integration(t, d, Config{
		Server: "ws://127.0.0.1:" + strconv.Itoa(wsPort) + "/", Nick: "lumio", Channels: []string{"#test"},
	}, port)
}

// refusedBanThenReplies runs against a real server: the connector joins a
// channel where it has no operator rights and bans the operator, which the
// server refuses twice (MODE +b and KICK each get ERR_CHANOPRIVSNEEDED).
// Both refusals belong to the ban; the replies that follow reach the
// channel and must be reported sent, not refused (a refused reply would be
// resent by the operator: a double post).
func refusedBanThenReplies(t *testing.T, port int, cfg Config) {
	op := viewer(t, port, "chanop", "#test") // first in: holds +o
	k := testConnector(t, cfg)
	w := watchHub(t, k)
	w.until("connected", func() bool { return w.health().State == hub.HealthConnected })
	ctx := context.Background()
	err := k.Do(ctx, feeds.Action{Kind: feeds.ActBan, Channel: "#test", TargetAuthor: "chanop"})
	if !feeds.IsPermanent(err) {
		t.Errorf("ban without operator rights: %v, want a permanent refusal", err)
	}
	for i := range 3 {
		text := "hello after the ban " + strconv.Itoa(i)
		if err := k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Channel: "#test", Text: text}); err != nil {
			t.Errorf("reply %d: %v (%s), want success", i, err, classify(err))
		}
		if m := op.untilCommand("PRIVMSG"); m[2] != text {
			t.Fatalf("the channel got %q, want %q", m, text)
		}
	}
}

func TestNgircdRefusedBanThenReplies(t *testing.T) {
	t.Parallel()
	_, port := startNgircd(t)
	refusedBanThenReplies(t, port, Config{
		Server: "127.0.0.1:" + strconv.Itoa(port), Transport: "tcp", Nick: "lumio", Channels: []string{"#test"},
	})
}

// InspIRCd offers echo-message: replies are confirmed by their echo.
func TestInspircdRefusedBanThenReplies(t *testing.T) {
	t.Parallel()
	_, port, _ := startInspircd(t)
	refusedBanThenReplies(t, port, Config{
		Server: "127.0.0.1:" + strconv.Itoa(port), Transport: "tcp", Nick: "lumio", Channels: []string{"#test"},
	})
}
