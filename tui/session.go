package tui

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	xterm "github.com/charmbracelet/x/term"

	"github.com/tribune/tribune/canned"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/search"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
)

// Services are what every session shares: started once per process, used
// by one local terminal or by many SSH sessions at a time.
type Services struct {
	Hub        *hub.Hub
	Store      *store.DB
	Stats      *stats.Engine
	Dispatcher *dispatch.Dispatcher // nil: nothing is sent
	// Work counts persistence in flight; wait on it before closing Store.
	Work *sync.WaitGroup
	// Window caps the events a feed pane keeps in memory.
	Window int
	Now    func() time.Time
	// BatchEvery is the least time between two deliveries of events to
	// a session; zero means 50ms.
	BatchEvery time.Duration
	// TickEvery is how often the stats refresh; zero means 1s.
	TickEvery time.Duration
	// Bell rings the terminal bell on an alert, at most every 30 s.
	Bell bool
	// Watch finds the watch-words and the brand's handles the feed
	// highlights; nil highlights nothing.
	Watch *watch.Matcher
	// Team is who is connected, for presence and collisions between
	// sessions (across front-ends, in a cluster); nil when there is only
	// ever one.
	Team *presence.Team
	// Statements are the holding statements crisis mode offers, from the
	// config.
	Statements []string
	// Facts answers what searches ask the pulse (is:question,
	// is:unanswered, sentiment:…); nil: those terms hold for nothing.
	Facts search.Facts
	// Canned are the ready-made replies the composer offers (ctrl+t).
	Canned []*canned.Template
	// Reload reads the config again for an operator (:reload) and tells
	// every session the new Settings; nil: not offered.
	Reload func(operator string) error
	// Reloaded has the last reload's settings, which win over Watch,
	// Statements and Bell for a session that opens after it.
	Reloaded *Reloaded
}

// Settings are what a config reload changes in every session: the
// watch-words and brand handles highlighted, the holding statements, the
// bell.
type Settings struct {
	Watch      *watch.Matcher
	Statements []string
	Bell       bool
	Facts      search.Facts
}

// TopicSettings carries the settings after a reload; only the latest is
// kept.
var TopicSettings = hub.NewTopic("settings", hub.KeepLatest[Settings]())

// Reloaded holds the settings of the last reload, for sessions that open
// after it (the topic reaches those already open).
type Reloaded struct {
	mu  sync.Mutex
	s   Settings
	set bool
}

// Store keeps s.
func (r *Reloaded) Store(s Settings) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s, r.set = s, true
}

// Load returns the last settings kept, if any.
func (r *Reloaded) Load() (Settings, bool) {
	if r == nil {
		return Settings{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.s, r.set
}

// Session is what one terminal brings to the dashboard: where it reads and
// writes, its environment, and who sits at it. Nothing in this package
// reads the process's own environment, clock zone or standard streams.
type Session struct {
	In  io.Reader
	Out io.Writer
	// Environ is the terminal's environment (TERM, COLORTERM, NO_COLOR…):
	// the program picks its colour profile from it.
	Environ []string
	// Width and Height are the terminal's size when known up front (an
	// SSH PTY); zero asks the terminal.
	Width, Height int
	// Operator names whose drafts and read marks these are.
	Operator string
	// Role is what the operator may do (viewer, responder, moderator,
	// admin); the services enforce it.
	Role string
	// Location is the time zone times are shown in; nil is UTC.
	Location *time.Location
	Theme    themes.Palette
	// NoMouse leaves the mouse to the terminal (its own selection and
	// copy); by default a click selects and focuses, the wheel scrolls.
	NoMouse bool
	// Debug, when set, receives one line per message the session gets.
	Debug io.Writer
}

// Program is one session's dashboard.
type Program struct {
	*tea.Program
	model *Model
	svc   Services
	ctx   context.Context
}

// NewProgram builds the dashboard of one session over shared services. It
// subscribes to the hub at once, so nothing published from now on is
// missed; ctx ends the subscription and the program.
func NewProgram(ctx context.Context, svc Services, s Session) *Program {
	svc = svc.withDefaults()
	m := New(ctx, svc, s)
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithEnvironment(s.Environ), tea.WithFPS(idleFPS)}
	if s.In != nil {
		opts = append(opts, tea.WithInput(s.In))
	}
	if s.Out != nil {
		opts = append(opts, tea.WithOutput(s.Out))
		if f, ok := s.Out.(xterm.File); !ok || !xterm.IsTerminal(f.Fd()) {
			// A terminal at the far end of a channel (an SSH PTY): its
			// colours are what the environment it sent says.
			opts = append(opts, tea.WithColorProfile(colorprofile.Env(s.Environ)))
		}
	}
	if s.Width > 0 && s.Height > 0 {
		opts = append(opts, tea.WithWindowSize(s.Width, s.Height))
	}
	return &Program{Program: tea.NewProgram(m, opts...), model: m, svc: svc, ctx: ctx}
}

// Run runs the session until it quits, then waits for the writes it
// started and writes what a Cmd dropped at quit would have: nothing typed
// is lost. A context that ended is not an error.
func (p *Program) Run() error {
	_, err := p.Program.Run()
	p.model.leave()
	p.model.GiveUpDropped()
	WaitWork(p.svc.Work, 5*time.Second)
	if ferr := p.model.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrProgramPanic) && p.ctx.Err() != nil {
		err = nil // asked to stop (a signal, a closed SSH session)
	}
	return err
}

func (svc Services) withDefaults() Services {
	if svc.Now == nil {
		svc.Now = time.Now
	}
	if svc.Work == nil {
		svc.Work = new(sync.WaitGroup)
	}
	if svc.BatchEvery <= 0 {
		svc.BatchEvery = 50 * time.Millisecond
	}
	if svc.TickEvery <= 0 {
		svc.TickEvery = time.Second
	}
	return svc
}

// idleFPS bounds how often the renderer looks for a changed frame. Bubble
// Tea's default, 60, wakes the process 60 times a second with nothing to
// draw; 30 keeps typing prompt (a key is on screen within 33 ms) and
// costs half as much at rest.
const idleFPS = 30
