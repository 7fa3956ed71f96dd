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
	// The state of one message's reading, kept to reuse its buffers.
	sent sentiment.Scorer
	hits []watch.Hit
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

// Analyze reads one message. It tokenizes the text once: each token goes
// to the watch-word matcher, the sentiment scorer and the term count in
// turn. It is not safe for concurrent use (the engine calls it under its
// lock): it reuses its buffers.
func (l *Lexicon) Analyze(text string, a *Analysis) {
	var (
		tk textnorm.Tokenizer
		ws watch.Scan
	)
	tk.Reset(text)
	l.sent.Reset(text)
	hits := l.hits[:0]
	if l.m != nil {
		ws.Reset(l.m)
	}
	for tk.Next() {
		if l.m != nil {
			hits = ws.Next(hits, &tk, text)
		}
		l.sent.Next(&tk)
		if tk.IsTerm() {
			start, end := tk.Span()
			a.AddTermAt(tk.Folded(), start, end)
		}
	}
	for _, h := range hits {
		if i := h.Entry - l.skip; i >= 0 && !contains(a.Watch, i) {
			a.Watch = append(a.Watch, i)
		}
	}
	l.hits = hits
	a.Sentiment = int(l.sent.Result().Label)
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
