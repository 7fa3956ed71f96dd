// Package sentiment scores short chat messages as negative, neutral or
// positive, in French and English, from a lexicon shipped with it
// (lexicon.txt, written for tribune; no third-party list).
//
// # How a message is scored
//
// The text is tokenized and folded by textnorm, so accents and case do not
// matter ("GÉNIAL" = "genial"). Each word, hashtag (without its '#') and
// emoji found in the lexicon adds its weight (-3 to +3). Then:
//
//   - negation: a negator ("not", "never", "don't", "pas", "jamais",
//     "sans", the "n'" of "n'aime") flips and damps (×-0.75) the sentiment
//     words among the next three tokens of the same clause; "pas",
//     "jamais", "plus" and "rien" also flip the word just before them, for
//     French's postposed negation ("j'aime pas", "ça marche plus"). A word
//     is flipped once, so "ne marche pas" is negative, not positive;
//   - fixed expressions are scored whole and never flipped: "pas
//     terrible" (negative, though "terrible" alone is), "merci pour rien",
//     "thanks for nothing", "take my money", "doesn't work", "j'ai hâte";
//   - intensifiers ("very", "so", "trop", "vraiment") make the next
//     sentiment word count 1.5 times; a word of three letters or more in
//     capitals counts 1.25 times ("NUL");
//   - "but", "mais", "though": what came before counts half;
//   - emoji are never flipped by a negation ("pas de réponse 😡");
//   - a positive sum counts half in a message with a '?': "ça marche avec
//     Android ?" asks, it does not praise. Negative questions keep their
//     weight ("why is nobody answering??" is a complaint);
//   - a letter repeated three times or more is squeezed to one, then two
//     ("nuuuul", "looove", "goooood") when the word is not found as
//     written.
//
// The sum s gives Score = s/√(s²+4), in (-1, 1); |Score| < Threshold
// (s within about ±0.6) is Neutral.
//
// # Limits, honestly
//
//   - Laughter ("lol", "mdr", "ptdr", "KEKW", 😂, 💀, 😭) scores 0: in a
//     launch chat it is as often mockery of the brand as delight, and 😭 /
//     💀 mean "I can't, it's too good" as often as grief. The surrounding
//     words decide.
//   - Sarcasm ("great launch 🙃", "super, encore une panne") is read
//     literally. Irony, questions ("is it good?") and reported speech
//     ("reviews say it overheats") are not understood.
//   - Negation is a window of three tokens, not a parse: "not only good
//     but great" comes out mixed.
//   - The lexicon leans toward consumer tech and launch/crisis chat:
//     "overheating", "refund", "disconnects", "surchauffe", "arnaque" are
//     negative, "take my money" positive. Other domains need words added.
//   - Words that fold alike across languages share a weight: English
//     "hate" (negative) and French "hâte" (eager) are one word, so French
//     eagerness is caught only as "j'ai hâte" / "trop hâte".
//   - Spam ("FREE giveaway, claim yours!") tends to score positive; tell
//     spam apart before counting sentiment.
//
// The labelled set in testdata (chat messages written for this package,
// half French, half English) and the figures its test prints say how far
// to trust it.
package sentiment

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tribune/tribune/stats/internal/ftab"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// Label is the class of a message.
type Label int8

const (
	Negative Label = -1
	Neutral  Label = 0
	Positive Label = 1
)

func (l Label) String() string {
	switch l {
	case Negative:
		return "negative"
	case Positive:
		return "positive"
	}
	return "neutral"
}

// Threshold is the |Score| below which a message is Neutral.
const Threshold = 0.29

// Result is the sentiment of one message.
type Result struct {
	Label Label
	// Score is in (-1, 1): negative below 0. It saturates: ±0.6 is
	// about one strong word, ±0.9 three.
	Score float64
	// Words is how many lexicon entries (words, expressions, emoji)
	// contributed; 0 means the message said nothing the lexicon knows.
	Words int
}

//go:embed lexicon.txt
var lexiconText string

// Value classes in the lexicon table: weight×4 in the low bits, class
// above.
const (
	clsWord = iota << 16
	clsNeg
	clsPost    // postposed negation only
	clsNegPost // both
	clsInt
	clsBut
	clsMask = 0xFF << 16
)

var (
	lex     ftab.Table
	phrases *watch.Matcher
	phraseW []float64
)

func init() {
	if err := load(lexiconText); err != nil {
		panic("sentiment: lexicon: " + err.Error())
	}
}

func load(text string) error {
	var phraseList []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		cls, weight := clsWord, 0.0
		switch head {
		case "neg:":
			cls = clsNeg
		case "post:":
			cls = clsPost
		case "int:":
			cls = clsInt
		case "but:":
			cls = clsBut
		default:
			w, err := strconv.ParseFloat(head, 64)
			if err != nil || w < -3 || w > 3 {
				return fmt.Errorf("line %d: bad weight %q", n, head)
			}
			weight = w
		}
		for _, field := range strings.Fields(rest) {
			for _, form := range expand(field) {
				if strings.Contains(form, "_") {
					if cls != clsWord {
						return fmt.Errorf("line %d: phrase %q outside a weight line", n, form)
					}
					phraseList = append(phraseList, strings.ReplaceAll(form, "_", " "))
					phraseW = append(phraseW, weight)
					continue
				}
				key := []byte(textnorm.Fold(form))
				c := cls
				if old, ok := lex.Get(key); ok {
					// A word both forward and postposed negator.
					if o := old & clsMask; (o == clsNeg && c == clsPost) || (o == clsPost && c == clsNeg) {
						c = clsNegPost
					}
				}
				lex.Set(key, int32(c)|int32(weight*4)&0xFFFF)
			}
		}
	}
	var err error
	phrases, err = watch.Compile(phraseList)
	return err
}

// expand spells out "word|s|ed" as word, words, worded.
func expand(field string) []string {
	parts := strings.Split(field, "|")
	out := []string{parts[0]}
	for _, suf := range parts[1:] {
		out = append(out, parts[0]+suf)
	}
	return out
}

// entry decodes a lexicon value.
func entry(v int32) (cls int32, weight float64) {
	return v & clsMask, float64(int16(v&0xFFFF)) / 4
}

const (
	negWindow = 3 // tokens a negator reaches
	maxPhrase = 16
)

// Score returns the sentiment of text. It does not allocate, and is safe
// for concurrent use.
func Score(text string) Result {
	var (
		tk     textnorm.Tokenizer
		ps     watch.Scan
		hitBuf [maxPhrase]watch.Hit
		tokBuf [maxTokens]token
		hits   = hitBuf[:0]
		tokens = tokBuf[:0]
	)
	tk.Reset(text)
	ps.Reset(phrases)
	for tk.Next() {
		hits = ps.Next(hits, &tk, text)
		tokens = append(tokens, token{})
		read(&tk, &tokens[len(tokens)-1])
	}
	return score(text, tokens, hits)
}

// maxTokens is how many tokens Score keeps on the stack; a longer text
// costs it an allocation.
const maxTokens = 256

// Scorer is Score for a caller that tokenizes a text once for several
// readers: Reset it with the text, call Next with each of its tokens, then
// Result. A Scorer keeps its buffers from text to text; it is not safe for
// concurrent use.
type Scorer struct {
	text string
	phr  watch.Scan
	hits []watch.Hit
	toks []token
}

// token is what Result needs of one token, read while the Tokenizer
// stood on it: fixed expressions are known only once their last word is
// read, so scoring waits for the end of the text.
type token struct {
	start, end int32
	v          int32 // the lexicon's value, when found
	kind       textnorm.Kind
	found      bool
	skip       bool // a mention, a link or a Long token: never scored
	short      bool // folded shorter than 3 bytes: never shouting
}

// Reset starts scoring text.
func (sc *Scorer) Reset(text string) {
	sc.text = text
	sc.phr.Reset(phrases)
	sc.hits, sc.toks = sc.hits[:0], sc.toks[:0]
}

// Next reads the token tk stands on; tk tokenizes the text given to Reset.
func (sc *Scorer) Next(tk *textnorm.Tokenizer) {
	sc.hits = sc.phr.Next(sc.hits, tk, sc.text)
	sc.toks = append(sc.toks, token{})
	read(tk, &sc.toks[len(sc.toks)-1])
}

// read fills t, zero, with what scoring needs of the token tk stands on.
// It writes in place: a token built then copied costs a store-forwarding
// stall (its narrow fields are read back as one wide move): 14 % of the
// pulse benchmark's profile, before.
func read(tk *textnorm.Tokenizer, t *token) {
	start, end := tk.Span()
	t.start, t.end, t.kind = int32(start), int32(end), tk.Kind()
	if t.kind == textnorm.Mention || t.kind == textnorm.URL || tk.Long() {
		t.skip = true
		return
	}
	b := tk.Folded()
	t.short = len(b) < 3
	if t.kind == textnorm.Hashtag {
		b = b[1:]
	}
	t.v, t.found = lookup(b, t.kind)
}

// lookup finds a folded token in the lexicon, as written or, for a word,
// with its repeated letters squeezed.
func lookup(b []byte, kind textnorm.Kind) (int32, bool) {
	v, ok := lex.Get(b)
	if !ok && kind == textnorm.Word && hasRun3(b) {
		var sq [textnorm.MaxFolded]byte
		if s := squeeze(sq[:0], b, 1); len(s) != len(b) {
			if v, ok = lex.Get(s); !ok {
				v, ok = lex.Get(squeeze(sq[:0], b, 2))
			}
		}
	}
	return v, ok
}

// Result returns the sentiment of the tokens read since Reset.
func (sc *Scorer) Result() Result { return score(sc.text, sc.toks, sc.hits) }

// score is the sentiment of text, read as tokens, where the fixed
// expressions hit. It reorders hits.
func score(text string, toks []token, hits []watch.Hit) Result {
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
	for i := range toks {
		t := &toks[i]
		start, end := int(t.start), int(t.end)
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
		kind := t.kind
		if t.skip {
			last = 0
			continue
		}
		v := t.v
		if !t.found || (kind == textnorm.Elision && v&clsMask != clsNeg && v&clsMask != clsNegPost) {
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
		if kind == textnorm.Word && !t.short && (textnorm.Token{Start: start, End: end}).IsCaps(text) {
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

// clauseBreak reports whether the text between two tokens ends a clause,
// which ends negation and intensifier windows.
func clauseBreak(gap string) bool {
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case '.', '!', '?', ';', ',', '\n', ':':
			return true
		}
	}
	return false
}

// hasRun3 reports whether b holds a byte three times in a row: whether
// squeeze would change it.
func hasRun3(b []byte) bool {
	for i := 2; i < len(b); i++ {
		if b[i] == b[i-1] && b[i] == b[i-2] {
			return true
		}
	}
	return false
}

// squeeze appends b to dst with runs of three or more identical bytes cut
// to keep bytes ("nuuuul" → "nul", "looove" → "love" with keep 1;
// "goooood" → "good" with keep 2).
func squeeze(dst, b []byte, keep int) []byte {
	for i := 0; i < len(b); {
		j := i + 1
		for j < len(b) && b[j] == b[i] {
			j++
		}
		if j-i >= 3 {
			dst = append(dst, b[i:i+keep]...)
		} else {
			dst = append(dst, b[i:j]...)
		}
		i = j
	}
	return dst
}
