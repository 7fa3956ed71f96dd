// Package themes owns every colour and style tribune draws with. No other
// package builds a lipgloss colour: panes ask for a Styles value, built
// from a Palette for one session.
package themes

import (
	"charm.land/bubbles/v2/textinput"
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette is a theme's colours, as hex strings or ANSI numbers.
type Palette struct {
	Name        string
	Text        string
	Muted       string
	Border      string
	Focus       string
	Selection   string // background of the selected row
	Unread      string
	Error       string
	Warn        string
	OK          string
	Brand       string
	Moderator   string
	Broadcaster string
	VIP         string
	Subscriber  string
	Verified    string
	Spark       string
	// Platforms colours each platform's badge; Other is the fallback.
	Platforms map[string]string
	Other     string
}

var builtins = map[string]Palette{
	"dark": {
		Name: "dark", Text: "#E4E4E7", Muted: "#8B8B94", Border: "#4B4B55", Focus: "#E0A458",
		Selection: "#2E3440", Unread: "#E0A458", Error: "#F2777A", Warn: "#F9CB62", OK: "#8BD49C",
		Brand: "#E0A458", Moderator: "#8BD49C", Broadcaster: "#F2777A", VIP: "#F49AC2",
		Subscriber: "#B39DDB", Verified: "#6CB6FF", Spark: "#6CB6FF",
		Platforms: map[string]string{
			"twitch": "#A970FF", "mastodon": "#4FD1C5", "bluesky": "#4FA8FF", "irc": "#9DA5B4",
		},
		Other: "#C0C0C8",
	},
	"light": {
		Name: "light", Text: "#1F2328", Muted: "#6E7781", Border: "#AFB8C1", Focus: "#9A5B00",
		Selection: "#DDF4FF", Unread: "#9A5B00", Error: "#CF222E", Warn: "#9A6700", OK: "#1A7F37",
		Brand: "#9A5B00", Moderator: "#1A7F37", Broadcaster: "#CF222E", VIP: "#BF3989",
		Subscriber: "#8250DF", Verified: "#0969DA", Spark: "#0969DA",
		Platforms: map[string]string{
			"twitch": "#6E40C9", "mastodon": "#0E7C86", "bluesky": "#0969DA", "irc": "#57606A",
		},
		Other: "#424A53",
	},
	// colorblind is dark with the Okabe–Ito colours, told apart with any
	// of the common colour-vision deficiencies.
	"colorblind": {
		Name: "colorblind", Text: "#E4E4E7", Muted: "#9A9AA3", Border: "#4B4B55", Focus: "#E69F00",
		Selection: "#2E3440", Unread: "#F0E442", Error: "#D55E00", Warn: "#E69F00", OK: "#009E73",
		Brand: "#F0E442", Moderator: "#009E73", Broadcaster: "#D55E00", VIP: "#CC79A7",
		Subscriber: "#56B4E9", Verified: "#56B4E9", Spark: "#56B4E9",
		Platforms: map[string]string{
			"twitch": "#CC79A7", "mastodon": "#56B4E9", "bluesky": "#F0E442", "irc": "#BBBBBB",
		},
		Other: "#E4E4E7",
	},
}

// Names lists the built-in themes.
func Names() []string {
	out := make([]string, 0, len(builtins))
	for n := range builtins {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Builtin returns a built-in palette by name.
func Builtin(name string) (Palette, error) {
	p, ok := builtins[strings.ToLower(name)]
	if !ok {
		return Palette{}, fmt.Errorf("unknown theme %q (built-in themes: %s)", name, strings.Join(Names(), ", "))
	}
	return p, nil
}

// Styles is every style a pane draws with. Styles render full colour; the
// program that prints them downsamples to its own terminal's profile (none
// at all under NO_COLOR), so one Styles value serves any session.
type Styles struct {
	Palette Palette

	Border        lipgloss.Style
	BorderFocused lipgloss.Style
	Title         lipgloss.Style
	TitleFocused  lipgloss.Style

	Text     lipgloss.Style
	Muted    lipgloss.Style
	Time     lipgloss.Style
	Author   lipgloss.Style
	Brand    lipgloss.Style
	Selected lipgloss.Style
	Unread   lipgloss.Style
	Deleted  lipgloss.Style
	Notice   lipgloss.Style
	NewBar   lipgloss.Style

	Error lipgloss.Style
	Warn  lipgloss.Style
	OK    lipgloss.Style
	Spark lipgloss.Style
	Bold  lipgloss.Style

	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	badges    map[string]lipgloss.Style
	platforms map[string]lipgloss.Style
	other     lipgloss.Style
}

// New builds the styles of palette p.
func New(p Palette) *Styles {
	c := lipgloss.Color
	fg := func(s string) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(s)) }
	s := &Styles{
		Palette:       p,
		Border:        fg(p.Border),
		BorderFocused: fg(p.Focus),
		Title:         fg(p.Muted).Bold(true),
		TitleFocused:  fg(p.Focus).Bold(true),
		Text:          fg(p.Text),
		Muted:         fg(p.Muted),
		Time:          fg(p.Muted),
		Author:        fg(p.Text).Bold(true),
		Brand:         fg(p.Brand).Bold(true),
		Selected:      lipgloss.NewStyle().Background(c(p.Selection)),
		Unread:        fg(p.Unread).Bold(true),
		Deleted:       fg(p.Muted).Strikethrough(true),
		Notice:        fg(p.Verified).Italic(true),
		NewBar:        fg(p.Focus).Bold(true),
		Error:         fg(p.Error).Bold(true),
		Warn:          fg(p.Warn),
		OK:            fg(p.OK),
		Spark:         fg(p.Spark),
		Bold:          lipgloss.NewStyle().Bold(true),
		HelpKey:       fg(p.Text).Bold(true),
		HelpDesc:      fg(p.Muted),
		HelpSep:       fg(p.Border),
		badges: map[string]lipgloss.Style{
			"brand":       fg(p.Brand).Bold(true),
			"broadcaster": fg(p.Broadcaster).Bold(true),
			"moderator":   fg(p.Moderator).Bold(true),
			"vip":         fg(p.VIP),
			"subscriber":  fg(p.Subscriber),
			"verified":    fg(p.Verified),
			"staff":       fg(p.Broadcaster),
		},
		platforms: make(map[string]lipgloss.Style, len(p.Platforms)),
		other:     fg(p.Other),
	}
	for name, col := range p.Platforms {
		s.platforms[name] = fg(col)
	}
	return s
}

// Platform is the style of a platform's badge.
func (s *Styles) Platform(name string) lipgloss.Style {
	if st, ok := s.platforms[name]; ok {
		return st
	}
	return s.other
}

// Badge is the style of a role badge; unknown badges are muted.
func (s *Styles) Badge(name string) lipgloss.Style {
	if st, ok := s.badges[name]; ok {
		return st
	}
	return s.Muted
}

// Span is an inline style reduced to the escape sequences around a run of
// text: rendering it is two concatenations. Panes that draw thousands of
// short runs a frame use it where lipgloss's Render would do layout work
// (tabs, borders, padding, widths) a run on one line never needs. Only for
// one line of sanitized text: no tab, no newline.
type Span struct{ open, close string }

// SpanOf reduces s, which sets only colours and attributes, to a Span.
func SpanOf(s lipgloss.Style) Span {
	r := s.Render("x") // SGR sequences hold no x
	i := strings.IndexByte(r, 'x')
	return Span{open: r[:i], close: r[i+1:]}
}

// Render styles one line of text.
func (p Span) Render(s string) string {
	if s == "" {
		return ""
	}
	return p.open + s + p.close
}

// Input is how a one-line input is drawn, focused or not: its prompt as a
// key, its text, its placeholder muted. base is the input's own styles,
// for what the theme does not set (the cursor).
func (s *Styles) Input(base textinput.Styles) textinput.Styles {
	base.Focused.Prompt, base.Focused.Text, base.Focused.Placeholder = s.HelpKey, s.Text, s.Muted
	base.Blurred = base.Focused
	return base
}
