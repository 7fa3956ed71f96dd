package search

import (
	"slices"
	"strings"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/sentiment"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// Pulse answers Facts as the stats engine counts them: mentions of the
// brand's handles and direct messages, questions (a '?'), the watch-words
// and sentiment of the text. Unanswered asks the engine which questions
// still wait (stats.Engine.Waiting), since only it sees the answers.
// A Pulse is safe for concurrent use.
type Pulse struct {
	m       *watch.Matcher
	brand   int      // the matcher's first entries are the brand's handles
	names   []string // the watch-words, folded, without '*'
	waiting func(feed, id string) bool
}

// NewPulse reads texts with m, the matcher the dashboard compiles from
// [pulse] (brand handles first, as "@handle", then the watch-words;
// nil: none), and asks waiting whether a question still waits for an
// answer (stats.Engine.Waiting; nil: none does).
func NewPulse(m *watch.Matcher, brand int, waiting func(feed, id string) bool) *Pulse {
	p := &Pulse{m: m, brand: brand, waiting: waiting}
	if m != nil {
		for _, e := range m.Entries()[min(brand, len(m.Entries())):] {
			p.names = append(p.names, textnorm.Fold(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(e.Text), "*"))))
		}
	}
	return p
}

// answerable are the kinds the pulse reads the text of.
func answerable(ev *feeds.Event) bool {
	return (ev.Kind == feeds.KindMessage || ev.Kind == feeds.KindAction) && !ev.HasBadge(feeds.BadgeBrand)
}

// Mention reports whether ev names the brand's handles or is direct.
func (p *Pulse) Mention(ev *feeds.Event) bool {
	if ev.Direct {
		return true
	}
	if p.m == nil || p.brand == 0 {
		return false
	}
	var buf [16]watch.Hit
	for _, h := range p.m.Match(buf[:0], ev.Text) {
		if h.Entry < p.brand {
			return true
		}
	}
	return false
}

// Question reports whether ev asks something: a message with a '?', the
// pulse's own test.
func (p *Pulse) Question(ev *feeds.Event) bool {
	return answerable(ev) && strings.ContainsAny(ev.Text, "?？")
}

// Unanswered reports whether ev is a question the pulse still counts as
// waiting for the team.
func (p *Pulse) Unanswered(ev *feeds.Event) bool {
	return p.waiting != nil && p.Question(ev) && p.waiting(ev.Feed, ev.ID)
}

// Sentiment scores ev's text (stats/sentiment); the brand's own messages
// and notices are neutral, as the pulse leaves them out.
func (p *Pulse) Sentiment(ev *feeds.Event) int {
	if !answerable(ev) {
		return 0
	}
	return int(sentiment.Score(ev.Text).Label)
}

// Watched appends the watch-words ev's text names.
func (p *Pulse) Watched(ev *feeds.Event, dst []string) []string {
	if p.m == nil || len(p.names) == 0 {
		return dst
	}
	var buf [16]watch.Hit
	for _, h := range p.m.Match(buf[:0], ev.Text) {
		if i := h.Entry - p.brand; i >= 0 && i < len(p.names) && !slices.Contains(dst, p.names[i]) {
			dst = append(dst, p.names[i])
		}
	}
	return dst
}
