package stats

import (
	"github.com/tribune/tribune/stats/sentiment"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// Lexicon is the Analyzer tribune runs: the French and English sentiment
// lexicon of stats/sentiment, the watch-words of a compiled matcher, and
// the terms textnorm keeps (words that are not stop-words, hashtags).
type Lexicon struct {
	m     *watch.Matcher
	skip  int // the matcher's first entries, the brand's handles: not watch-words
	names []string
}

// NewLexicon reads watch-words with m, whose first skip entries are the
// brand's own handles (counted as mentions, not as watch-words).
func NewLexicon(m *watch.Matcher, skip int) *Lexicon {
	l := &Lexicon{m: m, skip: skip}
	if m != nil {
		for _, e := range m.Entries()[skip:] {
			l.names = append(l.names, e.Text)
		}
	}
	return l
}

// Watch names the watch-words, in the order of the matcher's entries
// after the brand's.
func (l *Lexicon) Watch() []string { return l.names }

// Analyze reads one message. It is not safe for concurrent use (the
// engine calls it under its lock): it reuses its buffers.
func (l *Lexicon) Analyze(text string, a *Analysis) {
	a.Sentiment = int(sentiment.Score(text).Label)
	if l.m != nil {
		var hits [16]watch.Hit
		for _, h := range l.m.Match(hits[:0], text) {
			if i := h.Entry - l.skip; i >= 0 && !contains(a.Watch, i) {
				a.Watch = append(a.Watch, i)
			}
		}
	}
	var tk textnorm.Tokenizer
	tk.Reset(text)
	for tk.Next() {
		if tok := tk.Token(); textnorm.IsTerm(tok) {
			a.AddTerm(tok.Folded)
		}
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
