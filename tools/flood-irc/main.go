// Command flood-irc measures what tribune costs under an IRC flood, side by
// side with irssi as the reference. Run by hand, not in CI (see
// .ci/flood-irc):
//
//	go run ./tools/flood-irc -tribune ./tribune -rate 2000 -duration 20s -runs 3
//
// It starts InspIRCd (Debian package inspircd) on loopback with flood
// limits off, runs tribune (an IRC feed on the channel, colour on) and
// irssi (if installed) in tmux at 160x48, waits until both sit in the
// channel, then floods the channel with several senders at the given rate
// and reads each client's CPU seconds (utime+stime from /proc/PID/stat)
// over the flood and a short settle after it, its RSS, and how many
// messages it received: tribune's from its --debug log (events handed to
// the screen), irssi's from /lastlog -count.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const channel = "#flood"

type options struct {
	tribune  string
	rate     float64
	duration time.Duration
	settle   time.Duration
	senders  int
	runs     int
	cols     int
	rows     int
	keep     bool
	noIrssi  bool
}

// result is one client's figures for one run.
type result struct {
	cpu      float64 // seconds
	rssMB    float64 // at the end
	hwmMB    float64
	received int
	dropped  int
}

func main() {
	var o options
	flag.StringVar(&o.tribune, "tribune", "./tribune", "tribune binary")
	flag.Float64Var(&o.rate, "rate", 2000, "messages per second over all senders")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to flood")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "measured time after the flood, for the clients to catch up")
	flag.IntVar(&o.senders, "senders", 4, "sending connections")
	flag.IntVar(&o.runs, "runs", 3, "runs")
	flag.IntVar(&o.cols, "cols", 160, "terminal columns")
	flag.IntVar(&o.rows, "rows", 48, "terminal rows")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory")
	flag.BoolVar(&o.noIrssi, "no-irssi", false, "measure tribune only")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "flood-irc:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	bin, err := filepath.Abs(o.tribune)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("tribune binary: %w", err)
	}
	for _, tool := range []string{"inspircd", "tmux"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is missing (apt-get install -y inspircd irssi tmux)", tool)
		}
	}
	withIrssi := !o.noIrssi
	if _, err := exec.LookPath("irssi"); err != nil && withIrssi {
		fmt.Fprintln(os.Stderr, "flood-irc: irssi is not installed: measuring tribune alone")
		withIrssi = false
	}
	sent := float64(perSender(o.rate, o.senders, o.duration) * o.senders)
	fmt.Printf("flood: %g msg/s x %s (%d senders, %d messages), settle %s, terminal %dx%d\n",
		o.rate, o.duration, o.senders, int(sent), o.settle, o.cols, o.rows)
	var trib, irs []result
	for i := 1; i <= o.runs; i++ {
		t, r, err := once(o, bin, withIrssi, i)
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		trib = append(trib, t)
		line := fmt.Sprintf("run %d  tribune %s", i, t.format(sent))
		if withIrssi {
			irs = append(irs, r)
			line += fmt.Sprintf("  |  irssi %s  |  tribune/irssi %.2f", r.format(sent), ratio(t.cpu, r.cpu))
		}
		fmt.Println(line)
	}
	summary("tribune", trib, sent)
	if withIrssi {
		summary("irssi", irs, sent)
		var rs []float64
		for i := range trib {
			rs = append(rs, ratio(trib[i].cpu, irs[i].cpu))
		}
		fmt.Printf("tribune/irssi (same run)  min %.2f  median %.2f\n", slices.Min(rs), median(rs))
	}
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return a / b
}

func (r result) format(sent float64) string {
	s := fmt.Sprintf("cpu %.3fs  %.4f ms/msg  rss %.1f MB (peak %.1f)  received %d",
		r.cpu, r.cpu/sent*1000, r.rssMB, r.hwmMB, r.received)
	if r.dropped > 0 {
		s += fmt.Sprintf(" (+%d skipped on screen)", r.dropped)
	}
	return s
}

func summary(name string, rs []result, sent float64) {
	var cpu, rss []float64
	for _, r := range rs {
		cpu, rss = append(cpu, r.cpu), append(rss, r.rssMB)
	}
	fmt.Printf("%-8s cpu min %.3fs median %.3fs  |  ms/msg min %.4f median %.4f  |  rss median %.1f MB\n",
		name, slices.Min(cpu), median(cpu), slices.Min(cpu)/sent*1000, median(cpu)/sent*1000, median(rss))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// once is one run: a fresh server, fresh clients, one flood.
func once(o options, bin string, withIrssi bool, n int) (trib, irs result, err error) {
	dir, err := os.MkdirTemp("", "flood-irc.")
	if err != nil {
		return trib, irs, err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	port, err := freePort()
	if err != nil {
		return trib, irs, err
	}
	stopIRCd, err := startIRCd(dir, port)
	if err != nil {
		return trib, irs, err
	}
	defer stopIRCd()
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	sock := fmt.Sprintf("flood-irc-%d-%d", os.Getpid(), n)
	tm := func(args ...string) ([]byte, error) {
		return exec.Command("tmux", append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	}
	defer tm("kill-server")

	// tribune, with a fresh database and an IRC feed on the channel.
	for _, d := range []string{"data", "config", "irssi"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return trib, irs, err
		}
	}
	conf := filepath.Join(dir, "tribune.toml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "[[feed]]\nid = \"irc\"\ntype = \"irc\"\nserver = %q\ntransport = \"tcp\"\nnick = \"tribune\"\nchannels = [%q]\n", addr, channel), 0o600); err != nil {
		return trib, irs, err
	}
	debugLog := filepath.Join(dir, "tribune-debug.log")
	cmd := fmt.Sprintf("exec env -u NO_COLOR XDG_DATA_HOME=%s XDG_CONFIG_HOME=%s COLORTERM=truecolor %s --config %s --db %s --debug %s",
		filepath.Join(dir, "data"), filepath.Join(dir, "config"), bin, conf, filepath.Join(dir, "tribune.db"), debugLog)
	size := []string{"-x", strconv.Itoa(o.cols), "-y", strconv.Itoa(o.rows)}
	if out, err := tm(append(append([]string{"new-session", "-d", "-s", "tribune"}, size...), cmd)...); err != nil {
		return trib, irs, fmt.Errorf("tmux: %v: %s", err, out)
	}
	tpid, err := panePID(tm, "tribune", bin)
	if err != nil {
		return trib, irs, err
	}
	var ipid int
	if withIrssi {
		home := filepath.Join(dir, "irssi")
		if err := os.WriteFile(filepath.Join(home, "config"), []byte(irssiConfig(port)), 0o600); err != nil {
			return trib, irs, err
		}
		irssiBin, _ := exec.LookPath("irssi")
		if out, err := tm(append(append([]string{"new-session", "-d", "-s", "irssi"}, size...), "exec "+irssiBin+" --home="+home)...); err != nil {
			return trib, irs, fmt.Errorf("tmux: %v: %s", err, out)
		}
		if ipid, err = panePID(tm, "irssi", irssiBin); err != nil {
			return trib, irs, err
		}
	}

	// Wait for both in the channel, then a little more for their screens.
	want := []string{"tribune"}
	if withIrssi {
		want = append(want, "irssi")
	}
	if err := waitJoined(addr, want, 30*time.Second); err != nil {
		out, _ := tm("capture-pane", "-p", "-t", "tribune")
		return trib, irs, fmt.Errorf("%w; tribune's screen:\n%s", err, out)
	}
	if withIrssi {
		tm("send-keys", "-t", "irssi", "/window goto "+channel, "Enter")
	}
	time.Sleep(2 * time.Second)
	before := countTribune(debugLog)

	// The senders connect and join before the measurement starts.
	fl, err := newFlood(addr, o.senders)
	if err != nil {
		return trib, irs, err
	}
	defer fl.close()
	t0, i0 := ticks(tpid), 0.0
	if withIrssi {
		i0 = ticks(ipid)
	}
	fl.run(o.rate, o.duration)
	time.Sleep(o.settle)
	trib.cpu = ticks(tpid) - t0
	trib.rssMB, trib.hwmMB = rss(tpid)
	if withIrssi {
		irs.cpu = ticks(ipid) - i0
		irs.rssMB, irs.hwmMB = rss(ipid)
	}
	after := countTribune(debugLog)
	trib.received, trib.dropped = after.events-before.events, after.dropped-before.dropped

	if withIrssi {
		tm("send-keys", "-t", "irssi", "/lastlog -count "+fl.tag, "Enter")
		irs.received = -1
		for range 50 {
			time.Sleep(100 * time.Millisecond)
			out, _ := tm("capture-pane", "-p", "-t", "irssi")
			if m := lastlogRE.FindAllSubmatch(out, -1); len(m) > 0 {
				irs.received, _ = strconv.Atoi(string(m[len(m)-1][1]))
				break
			}
		}
		tm("send-keys", "-t", "irssi", "/quit", "Enter")
	}
	tm("send-keys", "-t", "tribune", "q")
	for range 50 {
		if !alive(tpid) && (ipid == 0 || !alive(ipid)) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return trib, irs, nil
}

var lastlogRE = regexp.MustCompile(`(\d+) lines?`)

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startIRCd runs InspIRCd on loopback with the flood limits off.
func startIRCd(dir string, port int) (stop func(), err error) {
	conf := filepath.Join(dir, "inspircd.conf")
	text := fmt.Sprintf(`<server name="irc.test.local" description="flood" network="FloodNet">
<admin name="t" nick="t" email="t@example.invalid">
<bind address="127.0.0.1" port="%d" type="clients">
<connect name="main" allow="*" resolvehostnames="no" maxchans="50" timeout="20" pingfreq="120"
         hardsendq="100M" softsendq="100M" recvq="1M" threshold="1000000" commandrate="100000000"
         fakelag="off" localmax="5000" globalmax="5000" useident="no" limit="5000">
<class name="main" commands="*" privs="*" usermodes="*" chanmodes="*">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
<module name="cap"> <module name="ircv3"> <module name="ircv3_servertime"> <module name="ircv3_msgid">
<module name="ircv3_ctctags"> <module name="ircv3_echomessage">
`, port, dir, dir)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("inspircd", "--config="+conf, "--nofork", "--runasroot")
	out, err := os.Create(filepath.Join(dir, "inspircd.out"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting inspircd: %w", err)
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
	}
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	b, _ := os.ReadFile(filepath.Join(dir, "inspircd.out"))
	return nil, fmt.Errorf("inspircd did not listen on %d:\n%s", port, b)
}

func irssiConfig(port int) string {
	return fmt.Sprintf(`servers = ( { address = "127.0.0.1"; chatnet = "flood"; port = "%d"; use_tls = "no"; autoconnect = "yes"; } );
chatnets = { flood = { type = "IRC"; }; };
channels = ( { name = "%s"; chatnet = "flood"; autojoin = "yes"; } );
settings = {
  core = { real_name = "irssi"; user_name = "irssi"; nick = "irssi"; };
  "fe-common/core" = { autocreate_windows = "yes"; };
};
`, port, channel)
}

// panePID is the pid of the program a tmux session runs (exec'd by the
// pane's shell).
func panePID(tm func(...string) ([]byte, error), session, bin string) (int, error) {
	for range 50 {
		out, err := tm("list-panes", "-t", session, "-F", "#{pane_pid}")
		if err == nil {
			pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); pid > 0 && exe == bin {
				return pid, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := tm("capture-pane", "-p", "-t", session)
	return 0, fmt.Errorf("%s did not start in tmux:\n%s", bin, out)
}

// ticks is the CPU seconds pid has run: the sum over its threads of the
// nanoseconds in /proc/PID/task/*/schedstat, precise where utime+stime
// counts in hundredths (irssi at a trickle uses one or two of those a
// run). If that cannot be read it falls back to fields 14 and 15 of
// /proc/PID/stat, counted after the ")" that ends the command name.
func ticks(pid int) float64 {
	if tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid)); err == nil && len(tasks) > 0 {
		var ns float64
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				ns += v
			}
		}
		if ns > 0 {
			return ns / 1e9
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return math.NaN()
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / clkTck
}

// clkTck is USER_HZ, 100 on every Linux this runs on.
const clkTck = 100

func rss(pid int) (rssMB, hwmMB float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rssMB = kb / 1024
		case "VmHWM:":
			hwmMB = kb / 1024
		}
	}
	return rssMB, hwmMB
}

func alive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

type counts struct{ events, dropped int }

var batchRE = regexp.MustCompile(`batchMsg events=(\d+) updates=\d+ outbox=\d+ dropped=(\d+)`)

// countTribune adds up the events tribune's --debug log says reached the
// screen.
func countTribune(path string) counts {
	var c counts
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := batchRE.FindStringSubmatch(sc.Text()); m != nil {
			e, _ := strconv.Atoi(m[1])
			d, _ := strconv.Atoi(m[2])
			c.events += e
			c.dropped += d
		}
	}
	return c
}

// conn is a registered IRC connection whose input is read and dropped
// (PINGs answered) so the server never backs up on it.
type conn struct {
	c  net.Conn
	mu sync.Mutex
	w  *bufio.Writer
}

func dial(addr, nick string, onLine func(string)) (*conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	k := &conn{c: c, w: bufio.NewWriterSize(c, 64<<10)}
	welcome := make(chan struct{})
	var once sync.Once
	go func() {
		r := bufio.NewReaderSize(c, 64<<10)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			f := strings.Fields(line)
			switch {
			case len(f) > 0 && f[0] == "PING":
				k.send("PONG " + strings.Join(f[1:], " "))
			case len(f) > 1 && f[1] == "001":
				once.Do(func() { close(welcome) })
			}
			if onLine != nil {
				onLine(line)
			}
		}
	}()
	k.send(fmt.Sprintf("NICK %s\r\nUSER %s 0 * :flood", nick, nick))
	select {
	case <-welcome:
	case <-time.After(10 * time.Second):
		c.Close()
		return nil, errors.New(nick + ": no welcome from the server")
	}
	return k, nil
}

func (k *conn) send(lines string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.w.WriteString(lines + "\r\n")
	k.w.Flush()
}

// waitJoined waits until every nick in want sits in the channel.
func waitJoined(addr string, want []string, d time.Duration) error {
	var mu sync.Mutex
	names := map[string]bool{}
	w, err := dial(addr, "watcher", func(line string) {
		f := strings.Fields(line)
		if len(f) > 5 && f[1] == "353" {
			mu.Lock()
			for _, n := range strings.Fields(strings.TrimPrefix(strings.Join(f[5:], " "), ":")) {
				names[strings.TrimLeft(n, "@+%~&")] = true
			}
			mu.Unlock()
		}
	})
	if err != nil {
		return err
	}
	defer w.c.Close()
	w.send("JOIN " + channel)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		w.send("NAMES " + channel)
		time.Sleep(300 * time.Millisecond)
		mu.Lock()
		ok := true
		for _, n := range want {
			ok = ok && names[n]
		}
		mu.Unlock()
		if ok {
			return nil
		}
	}
	return fmt.Errorf("%v not all in %s after %s", want, channel, d)
}

type flood struct {
	conns []*conn
	tag   string // in every message, for irssi's /lastlog
}

func newFlood(addr string, n int) (*flood, error) {
	f := &flood{tag: fmt.Sprintf("fl%05d", os.Getpid()%100000)}
	for i := range n {
		c, err := dial(addr, fmt.Sprintf("sender%d", i), nil)
		if err != nil {
			f.close()
			return nil, err
		}
		c.send("JOIN " + channel)
		f.conns = append(f.conns, c)
	}
	time.Sleep(500 * time.Millisecond) // the joins reach the clients before the clock starts
	return f, nil
}

var words = strings.Fields("the keynote stream is live and the new earbuds look great but the battery life question is still open for me can anyone confirm the price in europe lol pogchamp")

// run sends rate messages a second, shared by the senders, for d: each
// sender writes its share every 10 ms, so the flood is even.
func (f *flood) run(rate float64, d time.Duration) {
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range f.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			per := rate / float64(len(f.conns))
			total := perSender(rate, len(f.conns), d)
			seq := 0
			var b strings.Builder
			for seq < total {
				due := min(int(per*time.Since(start).Seconds())+1, total)
				b.Reset()
				for ; seq < due; seq++ {
					w := (seq*7 + i*3) % len(words)
					fmt.Fprintf(&b, "PRIVMSG %s :%s %d/%d %s %s %s %s\r\n", channel, f.tag, i, seq,
						words[w], words[(w+5)%len(words)], words[(w+11)%len(words)], words[(w+17)%len(words)])
				}
				if b.Len() > 0 {
					c.mu.Lock()
					c.w.WriteString(b.String())
					c.w.Flush()
					c.mu.Unlock()
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

// perSender is how many messages each sender sends.
func perSender(rate float64, senders int, d time.Duration) int {
	return int(rate / float64(senders) * d.Seconds())
}

func (f *flood) close() {
	for _, c := range f.conns {
		c.send("QUIT :done")
		c.c.Close()
	}
}
