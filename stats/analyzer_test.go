package stats

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/stats/internal/testutil"
	"github.com/tribune/tribune/stats/sentiment"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// referenceAnalyze reads text as Analyze did before it read each message
// once: the watch matcher, the sentiment scorer and the term count each
// tokenize it on their own.
func referenceAnalyze(l *Lexicon, text string, a *Analysis) {
	a.Sentiment = int(sentiment.Score(text).Label)
	if l.m != nil {
		for _, h := range l.m.Match(nil, text) {
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

// Analyze's one pass reads what the three passes read, on the demo's
// messages and the benchmark lines.
func TestAnalyzeOnePass(t *testing.T) {
	texts := slices.Clone(testutil.Lines)
	for _, fc := range demo.Launch(20) {
		s, err := demo.NewScenario(fc.Platform, 3, fc.Rate)
		if err != nil {
			t.Fatal(err)
		}
		for range 3000 {
			_, ev := s.Next()
			texts = append(texts, ev.Text)
		}
	}
	words := append([]string(nil), demoWatch...)
	words = append(words, "ne marche pas", "rembours*", "lumio halo", "l'écran")
	for i := len(words); i < 200; i++ {
		words = append(words, fmt.Sprintf("motclef%d", i))
	}
	l := NewLexicon(watch.MustCompile(words), 1)
	var got, want Analysis
	for _, text := range texts {
		got.reset()
		want.reset()
		l.Analyze(text, &got)
		referenceAnalyze(l, text, &want)
		if got.Sentiment != want.Sentiment || !slices.Equal(got.Watch, want.Watch) ||
			!slices.EqualFunc(got.Terms, want.Terms, slices.Equal) {
			t.Errorf("Analyze(%q):\n got  %d %v %q\n want %d %v %q", text,
				got.Sentiment, got.Watch, got.Terms, want.Sentiment, want.Watch, want.Terms)
		}
	}
}
