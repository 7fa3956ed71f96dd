package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/themes"
)

// output is a terminal's screen stream, safe to read while a program
// writes it, with a signal on every write.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newOutput() *output { return &output{changed: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitOut waits until the stream holds every one of what.
func waitOut(t *testing.T, o *output, what ...string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s := o.String()
		missing := ""
		for _, w := range what {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		select {
		case <-o.changed:
		case <-deadline.C:
			t.Fatalf("the terminal never got %q", missing)
		}
	}
}

// Two sessions on one set of services: each draws with its own theme, in
// its own time zone, to its own terminal, for its own operator.
func TestTwoSessionsShareServicesNotScreens(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	paris := time.FixedZone("CET", 3600)
	svc := h.services()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := []string{"TERM=xterm-256color", "COLORTERM=truecolor"}
	dark, _ := themes.Builtin("dark")
	light, _ := themes.Builtin("light")
	alice, bob := newOutput(), newOutput()
	pa := NewProgram(ctx, svc, Session{In: &bytes.Buffer{}, Out: alice, Environ: env, Width: 160, Height: 48,
		Operator: "alice", Role: "moderator", Location: time.UTC, Theme: dark})
	pb := NewProgram(ctx, svc, Session{In: &bytes.Buffer{}, Out: bob, Environ: env, Width: 160, Height: 48,
		Operator: "bob", Role: "responder", Location: paris, Theme: light})
	var wg sync.WaitGroup
	for _, p := range []*Program{pa, pb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Run(); err != nil {
				t.Errorf("session ended with %v", err)
			}
		}()
	}
	// kiki_fr's last message was at 20:04:28 UTC, 21:04:28 in Paris.
	waitOut(t, alice, "20:04:28", "précommande")
	waitOut(t, bob, "21:04:28", "précommande")
	// The focused border: dark's focus colour is #E0A458, light's #9A5B00.
	darkFocus, lightFocus := "38;2;224;164;88", "38;2;154;91;0"
	if a := alice.String(); !strings.Contains(a, darkFocus) || strings.Contains(a, lightFocus) || strings.Contains(a, "21:04:28") {
		t.Errorf("alice's terminal is not drawn in her theme and zone")
	}
	if b := bob.String(); !strings.Contains(b, lightFocus) || strings.Contains(b, darkFocus) || strings.Contains(b, "20:04:28") {
		t.Errorf("bob's terminal is not drawn in his theme and zone")
	}
	// Each operator's own marks: alice reads everything, bob nothing.
	pa.Send(press("R"))
	deadline := time.Now().Add(10 * time.Second)
	for rs, _ := h.db.ReadState("alice"); rs.Upto != 10 && time.Now().Before(deadline); rs, _ = h.db.ReadState("alice") {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if rs, _ := h.db.ReadState("alice"); rs.Upto != 10 {
		t.Errorf("alice's marks: read up to %d, want 10", rs.Upto)
	}
	if rs, _ := h.db.ReadState("bob"); rs.Upto != 0 {
		t.Errorf("bob's marks moved with alice's: read up to %d", rs.Upto)
	}
}

// NO_COLOR in a session's environment turns colour off for that session
// only; the selection still reads, by its gutter.
func TestNoColorIsPerSession(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plain, colour := newOutput(), newOutput()
	dark, _ := themes.Builtin("dark")
	var wg sync.WaitGroup
	for _, s := range []struct {
		out *output
		env []string
	}{
		{plain, []string{"TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=1"}},
		{colour, []string{"TERM=xterm-256color", "COLORTERM=truecolor"}},
	} {
		p := NewProgram(ctx, h.services(), Session{In: &bytes.Buffer{}, Out: s.out, Environ: s.env, Width: 120, Height: 36,
			Operator: "local", Location: time.UTC, Theme: dark})
		wg.Add(1)
		go func() { defer wg.Done(); p.Run() }()
	}
	waitOut(t, plain, "précommande", "▌")
	waitOut(t, colour, "précommande")
	cancel()
	wg.Wait()
	if strings.Contains(plain.String(), "38;2;") || strings.Contains(plain.String(), "48;2;") {
		t.Error("colour reached a NO_COLOR session")
	}
	if !strings.Contains(colour.String(), "38;2;") {
		t.Error("the other session lost its colour")
	}
}

// :theme keeps the operator's theme for their next session, on any
// terminal; another operator keeps theirs.
func TestThemeFollowsTheOperator(t *testing.T) {
	h := newHarness(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(ctx, h.services(), h.session("alice"))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	hit(m, ":")
	m.Update(tea.PasteMsg{Content: "theme light"})
	for _, msg := range run(hit(m, "enter")) {
		m.Update(msg)
	}
	if !strings.Contains(m.status, "Theme light saved for alice") {
		t.Fatalf("status %q", m.status)
	}
	light, _ := themes.Builtin("light")
	again := New(ctx, h.services(), h.session("alice"))
	if again.sess.Theme.Name != light.Name {
		t.Errorf("alice's next session has theme %q, want light", again.sess.Theme.Name)
	}
	if bob := New(ctx, h.services(), h.session("bob")); bob.sess.Theme.Name == light.Name {
		t.Error("bob got alice's theme")
	}
	hit(m, ":")
	m.Update(tea.PasteMsg{Content: "theme neon"})
	hit(m, "enter")
	if !strings.Contains(m.status, "theme:") {
		t.Errorf("an unknown theme: %q", m.status)
	}
}

// :theme puts the theme on screen at once, in every pane and the footer,
// including what keeps its own copy of the styles (the composer, the
// command line, the palette, the help), and keeps it for next time.
func TestThemeAppliesAtOnce(t *testing.T) {
	h, m := loaded(t)
	dark, _ := themes.Builtin("dark")
	light, _ := themes.Builtin("light")
	// sgr is how a colour of the palette reaches the terminal.
	sgr := func(hex string) string {
		var r, g, b int
		fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
		return fmt.Sprintf("38;2;%d;%d;%d", r, g, b)
	}
	lightOnes := map[string]bool{}
	for _, c := range []string{light.Text, light.Muted, light.Border, light.Focus} {
		lightOnes[sgr(c)] = true
	}
	var darkOnly []string
	for _, c := range []string{dark.Text, dark.Muted, dark.Border, dark.Focus} {
		if !lightOnes[sgr(c)] {
			darkOnly = append(darkOnly, sgr(c))
		}
	}
	if len(darkOnly) < 3 {
		t.Fatalf("the themes share too many colours to tell apart: %v", darkOnly)
	}
	if v := m.screen(); !strings.Contains(v, sgr(dark.Text)) {
		t.Fatal("the dashboard is not drawn in dark to begin with")
	}
	hit(m, "r") // the composer open, its text area styled
	typeKeys(m, "bonjour")
	hit(m, "esc")
	for m.panes.Focused() != paneFeed {
		hit(m, "tab")
	}
	hit(m, ":")
	typeKeys(m, "theme light")
	drive(m, hit(m, "enter"))
	if p, _ := h.db.Prefs("local"); p["theme"] != "light" {
		t.Errorf("prefs %v: the theme is not kept", p)
	}
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"dashboard", nil},
		{"composer", []string{"r"}},
		{"palette", []string{"esc", "tab", "tab", "ctrl+p"}},
		{"command line", []string{"esc", ":"}},
		{"help", []string{"esc", "?"}},
	} {
		for _, k := range step.keys {
			hit(m, k)
		}
		v := m.screen()
		if !strings.Contains(v, sgr(light.Text)) {
			t.Errorf("%s: not drawn in light", step.name)
		}
		for _, c := range darkOnly {
			if strings.Contains(v, c) {
				t.Errorf("%s: still draws dark's %s", step.name, c)
			}
		}
	}
}
