package textnorm

import (
	"bufio"
	"embed"
	"strings"

	"github.com/tribune/tribune/stats/internal/ftab"
)

//go:embed stopwords/*.txt
var stopFS embed.FS

// stop holds the folded stop-words of stopwords/en.txt, fr.txt and chat.txt.
var stop ftab.Table

func init() {
	for _, name := range []string{"en.txt", "fr.txt", "chat.txt"} {
		b, err := stopFS.ReadFile("stopwords/" + name)
		if err != nil {
			panic("textnorm: " + err.Error())
		}
		forEachWord(string(b), func(w string) { stop.SetString(Fold(w), 1) })
	}
}

// forEachWord calls fn for every space-separated word of a list file,
// skipping '#' comment lines.
func forEachWord(list string, fn func(string)) {
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		for _, w := range strings.Fields(line) {
			fn(w)
		}
	}
}

// IsStop reports whether a folded word says nothing about what a message
// is about: a French or English stop-word, a chat filler ("lol", "mdr",
// "ok"), a single character, or a number. Top-terms counting skips these.
// The lists are embedded (stopwords/*.txt); they are small on purpose, so
// a word like "boîtier" or "refund" always counts.
func IsStop(folded []byte) bool {
	if len(folded) < 2 {
		return true
	}
	digits := true
	for _, c := range folded {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	_, ok := stop.Get(folded)
	return ok
}

// IsTerm reports whether tok should count among a feed's top terms: a word
// or hashtag that is not a stop-word, not Long. Mentions, links, emoji and
// elisions are not terms (mentions are counted apart, as brand mentions or
// contributors).
func IsTerm(tok Token) bool {
	switch tok.Kind {
	case Word:
		return !tok.Long && !IsStop(tok.Folded)
	case Hashtag:
		return !tok.Long && len(tok.Folded) > 1
	}
	return false
}

// IsTerm reports IsTerm(t.Token()) without building the Token.
func (t *Tokenizer) IsTerm() bool {
	switch t.kind {
	case Word:
		return !t.long && !IsStop(t.Folded())
	case Hashtag:
		return !t.long && t.n > 1
	}
	return false
}
