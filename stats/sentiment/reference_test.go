package sentiment

import (
	"math"
	"strings"
	"testing"

	"github.com/tribune/tribune/stats/internal/testutil"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// referenceScore is Score as it was before Scorer: the oracle the tests
// compare Score with.
func referenceScore(text string) Result {
	var hitBuf [maxPhrase]watch.Hit
	hits := phrases.Match(hitBuf[:0], text)
	// Keep the first of overlapping expressions (hits come in order of
	// their end).
	nh := 0
	for _, h := range hits {
		if nh == 0 || h.Start >= hits[nh-1].End {
			hits[nh] = h
			nh++
		}
	}
	hits = hits[:nh]

	var (
		sum      float64
		words    int
		neg      int     // tokens left in a negation window
		boost    float64 = 1
		boostFor int     // tokens left for the intensifier
		prevEnd  int
		last     float64 // contribution of the previous token, if a sentiment word
		lastNeg  bool    // it was already flipped
		hi       int     // next phrase hit
	)
	var tk textnorm.Tokenizer
	tk.Reset(text)
	for tk.Next() {
		start, end := tk.Span()
		if clauseBreak(text[prevEnd:start]) {
			neg, boostFor, last = 0, 0, 0
		}
		prevEnd = end
		// Inside a fixed expression: its words are not scored alone.
		for hi < len(hits) && hits[hi].End <= start {
			hi++
		}
		if hi < len(hits) && start >= hits[hi].Start {
			if end == hits[hi].End {
				sum += phraseW[hits[hi].Entry]
				words++
				hi++
			}
			last = 0
			continue
		}
		kind := tk.Kind()
		if kind == textnorm.Mention || kind == textnorm.URL || tk.Long() {
			last = 0
			continue
		}
		b := tk.Folded()
		if kind == textnorm.Hashtag {
			b = b[1:]
		}
		v, ok := lex.Get(b)
		if !ok && kind == textnorm.Word {
			var sq [textnorm.MaxFolded]byte
			if s := squeeze(sq[:0], b, 1); len(s) != len(b) {
				if v, ok = lex.Get(s); !ok {
					v, ok = lex.Get(squeeze(sq[:0], b, 2))
				}
			}
		}
		if !ok || (kind == textnorm.Elision && v&clsMask != clsNeg && v&clsMask != clsNegPost) {
			if neg > 0 {
				neg--
			}
			if boostFor > 0 {
				boostFor--
			}
			last = 0
			continue
		}
		cls, w := entry(v)
		switch cls {
		case clsNeg, clsPost, clsNegPost:
			if (cls == clsPost || cls == clsNegPost) && last != 0 && !lastNeg {
				// "j'aime pas": flip the word just before.
				sum += -1.75 * last
				lastNeg = true
			}
			if cls != clsPost {
				neg = negWindow
			}
			last = 0
			continue
		case clsInt:
			boost, boostFor = 1.5, 2
			last = 0
			continue
		case clsBut:
			sum *= 0.5
			neg, boostFor, last = 0, 0, 0
			continue
		}
		if w == 0 {
			last = 0
			continue
		}
		if boostFor > 0 {
			w *= boost
			boostFor = 0
		}
		if kind == textnorm.Word && len(b) >= 3 && tk.Token().IsCaps(text) {
			w *= 1.25
		}
		lastNeg = false
		if neg > 0 && kind != textnorm.Emoji {
			w *= -0.75
			lastNeg = true
			neg--
		}
		sum += w
		words++
		last = w
	}
	if sum > 0 && strings.IndexByte(text, '?') >= 0 {
		// "does it work with Android?" asks; it does not praise.
		sum *= 0.5
	}
	score := sum / math.Sqrt(sum*sum+4)
	r := Result{Score: score, Words: words}
	switch {
	case score <= -Threshold:
		r.Label = Negative
	case score >= Threshold:
		r.Label = Positive
	}
	return r
}

// Score reads what it read before Scorer, on the labelled set and the
// benchmark lines.
func TestScoreAsReference(t *testing.T) {
	tune, held := readLabelled(t)
	var texts []string
	for _, s := range append(tune, held...) {
		texts = append(texts, s.text)
	}
	texts = append(texts, testutil.Lines...)
	texts = append(texts, "NUUUUL pas terrible", "j'aime pas, mais trop GÉNIAL !!", "not good but not bad 😡 #fail @lumio https://x.io/bad")
	for _, text := range texts {
		if got, want := Score(text), referenceScore(text); got != want {
			t.Errorf("Score(%q) = %+v, before %+v", text, got, want)
		}
	}
}

func FuzzScoreAsReference(f *testing.F) {
	for _, l := range testutil.Lines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Score(s), referenceScore(s); got != want {
			t.Errorf("Score(%q) = %+v, before %+v", s, got, want)
		}
	})
}
