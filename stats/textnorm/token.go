package textnorm

import (
	"unicode"
	"unicode/utf8"
)

// MaxFolded is the longest folded form a Token carries. A longer token
// (a keyboard smash, a base64 blob) keeps its exact span but only its first
// MaxFolded folded bytes, and is marked Long: no watch-word or lexicon
// entry is that long, so callers skip it.
const MaxFolded = 64 // a power of two

// Kind is what a token is.
type Kind uint8

const (
	// Word is a run of letters, digits and combining marks, with the
	// apostrophes it joins (see the package doc).
	Word Kind = iota
	// Elision is a French elided word before its apostrophe: the "l" of
	// "l'écran", the "n" of "n'aime", the "qu" of "qu'il". Its span stops
	// before the apostrophe.
	Elision
	// Hashtag is '#' and a word ('_' allowed); Folded keeps the '#'.
	Hashtag
	// Mention is '@' and a handle ('_' allowed, and '.', '-', '@' between
	// letters or digits: @lumio_fr, @lumio.bsky.social,
	// @lumio@mastodon.social); Folded keeps the '@'.
	Mention
	// URL is a link, one token from scheme to end: http(s)://…, www.…,
	// or a bare domain with a path or a common TLD (lumio-cadeaux.win/halo,
	// free-halo.click). Folded is empty: use the span.
	URL
	// Emoji is one pictograph with the modifiers that follow it (skin
	// tone, variation selector, keycap); a flag is one token. Folded is
	// the base code point(s) in UTF-8, without modifiers, so 👍🏽 and 👍 fold
	// alike. A ZWJ sequence is one token per pictograph.
	Emoji
)

var kindNames = [...]string{"word", "elision", "hashtag", "mention", "url", "emoji"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Token is one token of a text.
type Token struct {
	Kind Kind
	// Start and End delimit the token in the original text, in bytes:
	// text[Start:End] is what to highlight. They are always on rune
	// boundaries.
	Start, End int
	// Folded is the folded form (see the package doc). It aliases the
	// Tokenizer's buffer: valid until the next call to Next; copy it to
	// keep it.
	Folded []byte
	// Long is set when the folded form was longer than MaxFolded and
	// Folded holds only its beginning.
	Long bool
}

// Tokenizer splits a text into tokens without allocating. Use it as a
// value on the stack:
//
//	var tk textnorm.Tokenizer
//	tk.Reset(text)
//	for tk.Next() {
//		tok := tk.Token()
//		…
//	}
//
// A Tokenizer is not safe for concurrent use; make one per goroutine (they
// are cheap: a string, two ints and a small buffer).
type Tokenizer struct {
	s          string
	pos        int
	start, end int // the current token's span
	n          int // bytes in buf
	kind       Kind
	long       bool
	lazy       bool // a Plain word whose folded form is not in buf yet
	buf        [MaxFolded]byte
}

// Reset starts tokenizing s.
func (t *Tokenizer) Reset(s string) {
	t.s, t.pos, t.n, t.long, t.lazy = s, 0, 0, false, false
}

// Pos returns where the next call to Next starts reading: the end of the
// current token or past it (an elision's apostrophe, a possessive's "'s").
func (t *Tokenizer) Pos() int { return t.pos }

// Seek makes Next go on from byte i of the text, as if it had read up to
// there. i must be a place Next can stand: 0, a Pos, or further on past
// bytes Next skips between tokens (spaces, ASCII punctuation other than
// '#' and '@'). A reader that finds plain words on its own (see Plain)
// uses it to hand the rest of a text back to the tokenizer.
func (t *Tokenizer) Seek(i int) { t.pos = i }

// Token returns the token found by the last successful Next.
func (t *Tokenizer) Token() Token {
	// Built field by field: copying a stored Token with wide moves right
	// after its fields were written stalls store forwarding.
	return Token{Kind: t.kind, Start: t.start, End: t.end, Folded: t.Folded(), Long: t.long}
}

// Kind, Span, Folded and Long return the fields of Token one by one.
// Hot loops use them: building the Token struct and copying it costs a
// store-forwarding stall per token, a third of a watch-word match.

// Kind returns the current token's kind.
func (t *Tokenizer) Kind() Kind { return t.kind }

// Span returns the current token's byte span in the text.
func (t *Tokenizer) Span() (start, end int) { return t.start, t.end }

// Folded returns the current token's folded form; see Token.Folded.
func (t *Tokenizer) Folded() []byte {
	if t.lazy {
		t.lazy = false
		s := t.s[t.start:t.end]
		for i := 0; i < len(s) && i < MaxFolded; i++ {
			t.buf[i] = s[i] | 0x20
		}
	}
	return t.buf[:t.n]
}

// Plain reports whether the current token is a Word of ASCII letters and
// digits only, so that its folded form is its text with each byte ORed
// with 0x20 (A-Z to a-z; digits already have that bit). The common case;
// a caller that only needs a few folded bytes can read them from the text
// and save the copy Folded makes.
func (t *Tokenizer) Plain() bool { return t.lazy }

// Long reports whether the current token's folded form was cut; see
// Token.Long.
func (t *Tokenizer) Long() bool { return t.long }

// Next advances to the next token and reports whether there is one.
func (t *Tokenizer) Next() bool {
	s := t.s
	for i := t.pos; i < len(s); {
		c := s[i]
		if c == ' ' {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case rWord:
				if !t.asciiWord(i) {
					t.word(i)
				}
				return true
			case rHash:
				if t.tag(i, 1, Hashtag) {
					return true
				}
			case rAt:
				if t.tag(i, 1, Mention) {
					return true
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch classify(r) {
		case rWord:
			t.word(i)
			return true
		case rEmoji:
			t.emoji(i, r, n)
			return true
		case rHash:
			if t.tag(i, n, Hashtag) {
				return true
			}
		case rAt:
			if t.tag(i, n, Mention) {
				return true
			}
		}
		i += n
	}
	t.pos = len(s)
	return false
}

func (t *Tokenizer) begin(k Kind, i int) {
	t.kind, t.start = k, i
	t.n, t.long, t.lazy = 0, false, false
}

func (t *Tokenizer) put(b byte) {
	if t.n < MaxFolded {
		t.buf[t.n] = b
		t.n++
	} else {
		t.long = true
	}
}

func (t *Tokenizer) putRune(r rune) {
	var tmp [4]byte
	for _, b := range appendFolded(tmp[:0], r) {
		t.put(b)
	}
}

func (t *Tokenizer) finish(j int) {
	t.end, t.pos = j, j
}

// word scans a word starting at i (a letter or digit).
func (t *Tokenizer) word(i int) {
	s := t.s
	t.begin(Word, i)
	j := i
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if asciiFold[c] != 0 {
				j = t.asciiRun(j)
				continue
			}
			if c == '\'' {
				if done, k := t.apostrophe(j, 1); done {
					return
				} else if k > j {
					j = k
					continue
				}
			}
			break
		}
		if c < 0xE0 && c >= 0xC3 && j+1 < len(s) && s[j+1]&0xC0 == 0x80 {
			// Two-byte Latin letters (é, ç, œ, ł...), the bulk of
			// French: fold straight from the table.
			r := rune(c&0x1F)<<6 | rune(s[j+1]&0x3F)
			if r < 0x250 {
				if f := latinFold[r-0xC0]; f != "" && f != "\x00" {
					t.put(f[0])
					if len(f) > 1 {
						t.put(f[1])
					}
					j += 2
					continue
				}
			}
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		switch classify(r) {
		case rWord:
			t.putRune(r)
		case rMark:
		case rApos:
			if done, k := t.apostrophe(j, n); done {
				return
			} else if k > j {
				j = k
				continue
			}
			t.finish(j)
			return
		default:
			t.finish(j)
			return
		}
		j += n
	}
	if j < len(s) && t.kind == Word && (s[j] == '.' || s[j] == '/' || s[j] == ':' || s[j] == '-') && chunkStart(s, i) {
		if e := urlEnd(s, i); e > j {
			t.kind, t.n, t.long = URL, 0, false
			t.finish(e)
			return
		}
	}
	t.finish(j)
}

// asciiWord is the fast path for a word of ASCII letters and digits
// followed by a plain separator (space, or punctuation that cannot
// continue a word, a link or a contraction). It reports false, leaving
// the token to word, when anything else follows.
func (t *Tokenizer) asciiWord(i int) bool {
	s := t.s
	j := i
	for j < len(s) && asciiFold[s[j]] != 0 {
		j++
	}
	if !PlainWord(s, i, j) {
		return false
	}
	n := j - i
	t.kind, t.start, t.end = Word, i, j
	t.n, t.long, t.lazy, t.pos = n, false, true, j
	return true
}

// PlainWord reports whether s[i:j], a run of ASCII letters and digits
// that Next reaches at i, is a token of its own, a Word that Plain
// reports: no longer than MaxFolded, and followed by the end of s or a
// separator that cannot continue it into a contraction, a link, a word
// with accents or a handle. A reader that finds such words itself (see
// Seek) must take the rest to Next.
func PlainWord(s string, i, j int) bool {
	if j-i > MaxFolded {
		return false
	}
	if j == len(s) {
		return true
	}
	switch s[j] {
	case ' ', ',', '!', '?', ';', ')', '\n':
		return true
	case '.', ':', '/', '-', '\'':
		return j+1 == len(s) || s[j+1] <= ' '
	}
	return false
}

// asciiRun folds the run of ASCII letters and digits at s[j] into the
// buffer and returns its end: the bulk of the work on most chat.
func (t *Tokenizer) asciiRun(j int) int {
	s, n := t.s, t.n
	buf := &t.buf
	for ; j < len(s); j++ {
		f := asciiFold[s[j]]
		if f == 0 {
			break
		}
		if n < MaxFolded {
			buf[n] = f
			n++
		} else {
			t.long = true
		}
	}
	t.n = n
	return j
}

// apostrophe decides what an apostrophe of width w at j does inside a
// word: done means the token ended (t.pos is set past what is skipped);
// otherwise k > j is where the word goes on (the apostrophe joins), and
// k == j means the apostrophe ends the word there.
func (t *Tokenizer) apostrophe(j, w int) (done bool, k int) {
	s := t.s
	k = j + w
	if k >= len(s) || !wordRuneAt(s, k) {
		return false, j
	}
	if isElision(t.buf[:t.n]) {
		t.kind = Elision
		t.end, t.pos = j, k
		return true, k
	}
	if (s[k] == 's' || s[k] == 'S') && (k+1 == len(s) || !wordRuneAt(s, k+1)) {
		// English possessive or "it's": the token is the word before.
		t.end, t.pos = j, k+1
		return true, k
	}
	return false, k
}

// isElision reports whether a folded word is a French elided form.
func isElision(b []byte) bool {
	switch len(b) {
	case 1:
		switch b[0] {
		case 'c', 'd', 'j', 'l', 'm', 'n', 's', 't':
			return true
		}
	case 2:
		return string(b) == "qu"
	case 5:
		return string(b) == "jusqu"
	case 6:
		return string(b) == "lorsqu" || string(b) == "puisqu" || string(b) == "quoiqu"
	}
	return false
}

// wordRuneAt reports whether a letter or digit starts at s[k].
func wordRuneAt(s string, k int) bool {
	if c := s[k]; c < utf8.RuneSelf {
		return asciiFold[c] != 0
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return classify(r) == rWord
}

// wordRuneBefore reports whether a letter, digit or mark ends at s[:k].
func wordRuneBefore(s string, k int) bool {
	if k == 0 {
		return false
	}
	if c := s[k-1]; c < utf8.RuneSelf {
		return asciiFold[c] != 0 || c == '_'
	}
	r, _ := utf8.DecodeLastRuneInString(s[:k])
	cl := classify(r)
	return cl == rWord || cl == rMark
}

// tag scans a hashtag or mention whose sigil (of width w) is at i. It
// reports false, consuming nothing, when the sigil does not start one.
func (t *Tokenizer) tag(i, w int, k Kind) bool {
	s := t.s
	j := i + w
	if j >= len(s) || wordRuneBefore(s, i) || !(s[j] == '_' || wordRuneAt(s, j)) {
		return false
	}
	t.begin(k, i)
	if k == Hashtag {
		t.put('#')
	} else {
		t.put('@')
	}
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if f := asciiFold[c]; f != 0 || c == '_' {
				if f == 0 {
					f = c
				}
				t.put(f)
				j++
				continue
			}
			if k == Mention && (c == '.' || c == '-' || c == '@') && j+1 < len(s) && (s[j+1] == '_' || wordRuneAt(s, j+1)) {
				t.put(c)
				j++
				continue
			}
			break
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		cl := classify(r)
		if cl == rWord {
			t.putRune(r)
		} else if cl != rMark {
			break
		}
		j += n
	}
	t.finish(j)
	return true
}

// emoji scans a pictograph r of width n at i and its modifiers.
func (t *Tokenizer) emoji(i int, r rune, n int) {
	s := t.s
	t.begin(Emoji, i)
	j := i + n
	t.putRaw(s[i:j])
	if r >= 0x1F1E6 && r <= 0x1F1FF && j < len(s) {
		// A flag is a pair of regional indicators.
		if r2, n2 := utf8.DecodeRuneInString(s[j:]); r2 >= 0x1F1E6 && r2 <= 0x1F1FF {
			t.putRaw(s[j : j+n2])
			j += n2
		}
	}
	for j < len(s) && s[j] >= utf8.RuneSelf {
		r2, n2 := utf8.DecodeRuneInString(s[j:])
		if classify(r2) != rMod {
			break
		}
		j += n2
	}
	t.finish(j)
}

func (t *Tokenizer) putRaw(s string) {
	for i := 0; i < len(s); i++ {
		t.put(s[i])
	}
}

// chunkStart reports whether s[i] starts a whitespace-delimited chunk (or
// follows an opening bracket or quote), where a URL may begin.
func chunkStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	switch s[i-1] {
	case ' ', '\n', '\t', '\r', '(', '[', '<', '"', '\'':
		return true
	}
	if s[i-1] >= utf8.RuneSelf {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		return unicode.IsSpace(r) || r == '«'
	}
	return false
}

// urlEnd returns the end of the URL starting at s[i], or -1.
func urlEnd(s string, i int) int {
	if hasPrefixFold(s[i:], "https://") || hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "www.") {
		return urlTail(s, i)
	}
	j := i
	labels := 0
	var tld string
	for {
		st := j
		for j < len(s) && (asciiFold[s[j]] != 0 || s[j] == '-') {
			j++
		}
		if j == st {
			return -1
		}
		labels++
		tld = s[st:j]
		if j+1 < len(s) && s[j] == '.' && asciiFold[s[j+1]] != 0 {
			j++
			continue
		}
		break
	}
	if labels < 2 || len(tld) < 2 {
		return -1
	}
	for k := 0; k < len(tld); k++ {
		if c := tld[k] | 0x20; c < 'a' || c > 'z' {
			return -1
		}
	}
	if j < len(s) && s[j] == '/' {
		return urlTail(s, j)
	}
	if commonTLD(tld) {
		return j
	}
	return -1
}

// urlTail returns the end of a URL whose path goes on from j: up to
// whitespace, a quote or angle bracket, or non-ASCII, less trailing
// punctuation.
func urlTail(s string, j int) int {
	for j < len(s) {
		c := s[j]
		if c <= ' ' || c >= utf8.RuneSelf || c == '"' || c == '<' || c == '>' || c == '`' || c == 0x7F {
			break
		}
		j++
	}
	for j > 0 {
		switch s[j-1] {
		case '.', ',', ';', ':', '!', '?', ')', ']', '}', '\'':
			j--
			continue
		}
		break
	}
	return j
}

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// commonTLD lists the top-level domains that make a bare "name.tld" a
// link without a path: the generic ones, those of the demo's countries,
// and those spammers favour.
func commonTLD(t string) bool {
	var b [8]byte
	if len(t) > len(b) {
		return false
	}
	for i := 0; i < len(t); i++ {
		b[i] = t[i] | 0x20
	}
	switch string(b[:len(t)]) {
	case "com", "net", "org", "io", "co", "fr", "be", "ch", "ca", "lu", "ma", "sn", "tn", "dz", "ci",
		"uk", "de", "es", "it", "nl", "us", "eu", "me", "tv", "gg", "ly", "app", "dev", "xyz",
		"shop", "store", "win", "click", "top", "pro", "link", "site", "online", "live", "info",
		"biz", "social", "gift", "gifts", "promo", "vip", "ru", "cn", "in", "br", "au":
		return true
	}
	return false
}

// IsCaps reports whether text[tok.Start:tok.End] has at least two letters
// and no lower-case one ("KEKW", "NUL"): shouting, for sentiment.
func (tok Token) IsCaps(text string) bool {
	up := 0
	for _, r := range text[tok.Start:tok.End] {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'a' && r <= 'z' {
				return false
			}
			if r >= 'A' && r <= 'Z' {
				up++
			}
		case unicode.IsLower(r):
			return false
		case unicode.IsUpper(r):
			up++
		}
	}
	return up >= 2
}
