// Package watch finds watch-words in chat text: brand handles ("@lumio"),
// product names ("Lumio Halo"), risky words ("remboursement", "refund",
// "brûlant") and phrases ("ne marche pas"), from a list compiled once.
//
// # Matching rules
//
//   - Entries and text are folded and tokenized by textnorm, so matching
//     ignores case and accents ("probleme" finds "Problème", "brûlant"
//     finds "BRULANT") and follows its tokens: whole words only, so
//     "refund" does not hit "refunded" nor "refunds".
//   - A trailing '*' makes the last word a prefix: "refund*" hits
//     "refund", "refunds", "refunded"; "rembours*" hits "remboursement"
//     and "remboursé". A '*' anywhere else is an error.
//   - A phrase is a sequence of words: "ne marche pas" hits "ça ne marche
//     pas", "NE MARCHE... PAS" and "ne-marche-pas". Punctuation between
//     its words is ignored; any other token (a word, an emoji, a link)
//     breaks it.
//   - "@lumio" hits only the mention @lumio (any case); "#halogate" only
//     the hashtag. A plain word also hits the hashtag and the mention
//     spelled with it: "halogate" hits "#HaloGate", "lumio" hits "@Lumio"
//     and "Lumio". A mention must match whole: "@lumio" does not hit
//     "@lumio_fr" or "@lumio.bsky.social"; list each handle.
//   - French elisions are words: "écran" hits "l'écran", and the entry
//     "l'écran" is the phrase "l écran".
//   - Words inside a link are not words: "refund" does not hit
//     "https://lumio.com/refund".
//
// # Hits
//
// Match reports every hit, overlapping ones included ("ne marche pas" and
// "marche" both hit in "ne marche pas"), in order of their end, with the
// index of the entry in the list given to Compile and its exact byte span
// in the original, unfolded text: text[Start:End] runs from the first byte
// of the first word to the last byte of the last one, on rune boundaries,
// ready to highlight. Classifying entries (the brand's own accounts,
// always highlighted, versus ordinary watch-words) is the caller's: it
// keeps the list and looks the index up; Entry.Mention says whether an
// entry is a single @handle.
//
// # Cost
//
// Compile builds one hash table of folded words and a trie of phrases
// over them; Match reads each token once and does one table lookup per
// token that passes a bit filter (plus one per distinct prefix length
// when prefix entries exist), so its cost does not grow with the number
// of entries. Plain ASCII words, the bulk of chat, it reads itself, 8
// bytes at a time, and looks up in a table keyed by their first 16 bytes
// as two integers; the tokenizer reads the rest. It does not allocate
// when dst has room. A Matcher is safe for concurrent use.
//
// Measured on the demo-like mix of stats/internal/testutil (user CPU
// time on a loaded 2-core machine, one core, ranges of 5 runs alternated
// with sanitize.Text): sanitize.Text 126-175 ns, Match with 200 entries
// 182-315 ns per message, 1.4 times as much at best (2.1 when Match still
// tokenized every word). On accented lines Match costs a little less than
// sanitizing (246-405 ns against 288-465); on plain ASCII lines sanitize
// checks one comparison a byte (23-37 ns) and Match, reading every word,
// 125-146 ns. With one entry that never hits it costs as much: the cost
// is in finding the words, not in the hits. A skeleton that only finds
// the words of a line from a bitmap, without a branch per byte, and tests
// one filter bit each costs 72 ns: word-level matching does not get down
// to a comparison a byte.
//
// A caller that tokenizes a text for other readers too feeds each token
// to a Scan instead of calling Match: the stats engine does, so that 200
// watch-words add ≈ 140 ns to its reading of a message, 1.2 times
// sanitize.Text (BenchmarkAnalyze in stats, CPU time).
package watch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tribune/tribune/stats/internal/ftab"
	"github.com/tribune/tribune/stats/textnorm"
)

// Hit is one occurrence of a watch-word.
type Hit struct {
	Entry      int // index in the list given to Compile
	Start, End int // byte span in the original text
}

// Entry describes one compiled watch-word.
type Entry struct {
	Text    string // as given to Compile
	Mention bool   // a single @handle
	Prefix  bool   // ends with '*'
}

// Matcher finds the entries of a compiled list in texts.
type Matcher struct {
	entries []Entry
	// words maps a folded word to its symbol; prefixes a folded prefix.
	words, prefixes ftab.Table
	// short is words for the plain ASCII words Match reads itself.
	short shortWords
	// groups lists the prefix entries by their first prefixKeyLen folded
	// bytes: a word passing the prefix filter is compared with the few
	// prefixes that share its first bytes.
	groups map[uint32][]prefix
	// wordBloom and prefixBloom reject most tokens of a message with one
	// bit test, before any hashing: see wordKey and prefixKey.
	// blooms[0] holds the words and prefixes that start an entry, tested
	// when no phrase is under way; blooms[1] holds all of them.
	blooms [2]bloom
	// prefixMin is prefixKeyLen, or more than any word's length when no
	// entry is a prefix: a shorter word cannot start a prefix entry.
	prefixMin int
	// prefixKeyLen is how many leading bytes prefixKey uses: 3, or the
	// length of the shortest prefix entry; prefixMask selects them.
	prefixKeyLen int
	prefixMask   uint64
	// root[sym] is the trie node a phrase starting with sym goes to, or 0.
	root []int32
	// next maps (node, symbol) to the child node in the trie.
	next edges
	// ends lists, per node, the entries that end there.
	ends [][]int32
}

// maxActive bounds the phrases being followed at once; more would need
// 8 phrases sharing a prefix that all match at the same place.
const maxActive = 8

// maxSyms bounds the symbols one token yields: the word, its bare form for
// a hashtag or mention, and prefixes of each.
const maxSyms = 8

// ErrEmpty is returned for an entry with no word in it.
var ErrEmpty = errors.New("watch-word has no word")

// Compile builds a Matcher from a list of watch-words and phrases. It
// fails on an entry with no word, a misplaced '*', a link, or a word longer
// than textnorm.MaxFolded bytes; the error names the entry.
func Compile(list []string) (*Matcher, error) {
	m := &Matcher{
		ends:   [][]int32{nil},
		root:   []int32{0},
		groups: make(map[uint32][]prefix),

		prefixKeyLen: 3,
	}
	// The shortest prefix decides the prefix filter's key, so a first
	// pass finds it.
	for _, raw := range list {
		text := strings.TrimSpace(raw)
		if !strings.HasSuffix(text, "*") {
			continue
		}
		var tk textnorm.Tokenizer
		tk.Reset(strings.TrimSuffix(text, "*"))
		var last []byte
		for tk.Next() {
			last = tk.Token().Folded
		}
		if l := len(last); l > 0 && l < m.prefixKeyLen {
			m.prefixKeyLen = l
		}
	}
	m.prefixMask = 1<<(8*m.prefixKeyLen) - 1
	nsym := int32(0)
	symbol := func(t *ftab.Table, w []byte, first bool) int32 {
		wk, pk := m.keys(w)
		for i := range m.blooms {
			if i == 0 && !first {
				continue
			}
			b := &m.blooms[i]
			if t == &m.words {
				b.words[wk/64] |= 1 << (wk % 64)
			} else {
				b.prefixes[pk/64] |= 1 << (pk % 64)
			}
		}
		if v, ok := t.Get(w); ok {
			return v
		}
		nsym++
		t.Set(w, nsym)
		m.root = append(m.root, 0)
		return nsym
	}
	for i, raw := range list {
		text := strings.TrimSpace(raw)
		e := Entry{Text: raw}
		if strings.HasSuffix(text, "*") {
			e.Prefix = true
			text = strings.TrimSpace(strings.TrimSuffix(text, "*"))
		}
		if strings.Contains(text, "*") {
			return nil, fmt.Errorf("watch-word %q: '*' only at the end", raw)
		}
		var tk textnorm.Tokenizer
		tk.Reset(text)
		node := int32(0)
		n := 0
		var last textnorm.Token
		for tk.Next() {
			tok := tk.Token()
			switch {
			case tok.Kind == textnorm.URL:
				return nil, fmt.Errorf("watch-word %q: links are not matched", raw)
			case tok.Long:
				return nil, fmt.Errorf("watch-word %q: word longer than %d bytes", raw, textnorm.MaxFolded)
			}
			n++
			last = tok
			var sym int32
			if e.Prefix && tok.End == len(text) {
				sym = symbol(&m.prefixes, tok.Folded, n == 1)
				g := groupKey(tok.Folded, m.prefixKeyLen)
				if !slices.ContainsFunc(m.groups[g], func(p prefix) bool { return p.sym == sym }) {
					m.groups[g] = append(m.groups[g], prefix{string(tok.Folded), sym})
				}
			} else {
				sym = symbol(&m.words, tok.Folded, n == 1)
			}
			child, ok := m.next.get(node, sym)
			if !ok {
				child = int32(len(m.ends))
				m.ends = append(m.ends, nil)
				m.next.set(node, sym, child)
				if node == 0 {
					m.root[sym] = child
				}
			}
			node = child
		}
		if n == 0 {
			return nil, fmt.Errorf("watch-word %q: %w", raw, ErrEmpty)
		}
		if e.Prefix && last.End != len(text) {
			return nil, fmt.Errorf("watch-word %q: '*' must follow a word", raw)
		}
		e.Mention = n == 1 && last.Kind == textnorm.Mention
		m.ends[node] = append(m.ends[node], int32(i))
		m.entries = append(m.entries, e)
	}
	m.short.build(&m.words)
	m.prefixMin = m.prefixKeyLen
	if len(m.groups) == 0 {
		m.prefixMin = textnorm.MaxFolded + 1
	}
	return m, nil
}

// MustCompile is Compile that panics on error, for lists in code and tests.
func MustCompile(list []string) *Matcher {
	m, err := Compile(list)
	if err != nil {
		panic(err)
	}
	return m
}

// Entries returns the compiled entries, in the order given to Compile.
// The caller must not modify it.
func (m *Matcher) Entries() []Entry { return m.entries }

type prefix struct {
	folded string
	sym    int32
}

type cand struct {
	node, start int32
}

// Match appends to dst the hits of m's entries in text and returns it.
//
// It reads the plain ASCII words itself, the bulk of chat, 16 bytes at a
// time, and hands every other token (accents, emoji, hashtags, mentions,
// links, apostrophes) to a textnorm.Tokenizer and a Scan; a word of its
// own passes the same filters and reaches the same Scan. The tests check
// that its hits are a Scan's, token by token.
func (m *Matcher) Match(dst []Hit, text string) []Hit {
	var (
		tk textnorm.Tokenizer
		sc Scan
	)
	tk.Reset(text)
	sc.Reset(m)
	for i := 0; i < len(text); {
		switch byteClass[text[i]] {
		case bSkip:
			i++
			continue
		case bWord:
			// asciiRun's common case, a word shorter than 8 bytes
			// not at the end, written out.
			j, lo, hi := i, uint64(0), uint64(0)
			if i+8 <= len(text) {
				v := le64(text[i:])
				if nz := ^alnum(v) & high; nz != 0 {
					k := bits.TrailingZeros64(nz) >> 3
					j, lo = i+k, (v|fold)&(1<<(8*k)-1)
				}
			}
			if j == i {
				j, lo, hi = asciiRun(text, i)
			}
			if textnorm.PlainWord(text, i, j) {
				l := j - i
				w, p := wordKey(lo, l), prefixKey(lo, m.prefixMask)
				if sc.pass(w, p, l) {
					dst = sc.plain(dst, text, i, j, lo, hi, p)
				} else {
					sc.nActive = 0
				}
				i = j + 1 // past the separator PlainWord saw, if any
				continue
			}
		}
		tk.Seek(i)
		if !tk.Next() {
			break
		}
		dst = sc.Next(dst, &tk, text)
		i = tk.Pos()
	}
	return dst
}

const (
	ones = 0x0101010101010101
	high = 0x80 * ones
	fold = 0x20 * ones
)

// asciiRun returns the end of the run of ASCII letters and digits that
// starts at text[i], and its first 16 bytes folded (ORed with 0x20),
// little-endian, zero past its end. It reads 8 bytes at a time.
func asciiRun(text string, i int) (j int, lo, hi uint64) {
	v, v2 := window(text, i)
	if nz := ^alnum(v) & high; nz != 0 {
		k := bits.TrailingZeros64(nz) >> 3
		return i + k, (v | fold) & (1<<(8*k) - 1), 0
	}
	if nz := ^alnum(v2) & high; nz != 0 {
		k := bits.TrailingZeros64(nz) >> 3
		return i + 8 + k, v | fold, (v2 | fold) & (1<<(8*k) - 1)
	}
	j = i + 16
	for j < len(text) && byteClass[text[j]] == bWord {
		j++
	}
	return j, v | fold, v2 | fold
}

// alnum returns the high bit of each byte of v that is an ASCII letter or
// digit.
func alnum(v uint64) uint64 {
	a := v &^ high // no byte over 0x7F: the sums below carry into no other
	x := a | fold
	letters := (x + (0x80-'a')*ones) &^ (x + (0x80-'z'-1)*ones)
	digits := (a + (0x80-'0')*ones) &^ (a + (0x80-'9'-1)*ones)
	return (letters | digits) &^ v & high
}

// window returns the 16 bytes of text from i, little-endian, zero past
// its end.
func window(text string, i int) (v, v2 uint64) {
	n := len(text)
	switch {
	case i+16 <= n:
		return le64(text[i:]), le64(text[i+8:])
	case n >= 16:
		// The last 16 bytes, shifted down to start at i.
		d := uint(i - (n - 16)) // 1 to 15
		a, b := le64(text[n-16:]), le64(text[n-8:])
		if d >= 8 {
			return b >> (8 * (d - 8)), 0
		}
		return a>>(8*d) | b<<(64-8*d), b >> (8 * d)
	}
	var buf [16]byte
	copy(buf[:], text[i:])
	return binary.LittleEndian.Uint64(buf[:8]), binary.LittleEndian.Uint64(buf[8:])
}

// le64 reads the first 8 bytes of s, little-endian: one load.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The classes of bytes Match tells apart.
const (
	bSkip  = iota // what the tokenizer skips between tokens
	bWord         // an ASCII letter or digit
	bOther        // '#', '@', a byte of a multi-byte rune: the tokenizer's
)

var byteClass [256]uint8

func init() {
	for c := range byteClass {
		switch {
		case c >= utf8.RuneSelf || c == '#' || c == '@':
			byteClass[c] = bOther
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			byteClass[c] = bWord
		}
	}
}

// Scan follows one text through a Matcher a token at a time, for a
// caller that tokenizes the text once for several readers: Reset it, then
// call Next with each token of the text. Its hits are Match's. A Scan is
// a value to keep on the stack or in the caller's state; it does not
// allocate.
type Scan struct {
	m       *Matcher
	active  [2][maxActive]cand // the phrases under way: active[cur]
	cur     uint8
	nActive int
}

// Reset starts a scan of a new text with m.
func (s *Scan) Reset(m *Matcher) {
	s.m, s.nActive = m, 0
}

// Next reads the token tk stands on (tk tokenizes text) and appends the
// hits that end with it to dst.
func (s *Scan) Next(dst []Hit, tk *textnorm.Tokenizer, text string) []Hit {
	m := s.m
	kind := tk.Kind()
	if kind <= textnorm.Elision {
		// The common case: a word no entry can be or start with, told
		// without copying it when it is plain ASCII.
		var w, p uint32
		if tk.Plain() {
			st, en := tk.Span()
			l := en - st
			lo := fold8(text, st, en)
			w, p = wordKey(lo, l), prefixKey(lo, m.prefixMask)
			if !s.pass(w, p, l) {
				s.nActive = 0
				return dst
			}
			_, lo, hi := asciiRun(text, st)
			return s.plain(dst, text, st, en, lo, hi, p)
		}
		b := tk.Folded()
		if w, p = m.keys(b); !s.pass(w, p, len(b)) {
			s.nActive = 0
			return dst
		}
	}
	var syms [maxSyms]int32
	ns := 0
	if kind != textnorm.URL && !tk.Long() {
		ns = m.symbols(&syms, kind, tk.Folded())
	}
	st, en := tk.Span()
	return s.step(dst, &syms, ns, st, en)
}

// plain reads the plain ASCII word text[start:end] (see
// textnorm.Tokenizer.Plain) that passed the filters, whose first 16
// bytes folded are lo and hi (see asciiRun) and prefix key p: its folded
// form is its bytes ORed with 0x20.
func (s *Scan) plain(dst []Hit, text string, start, end int, lo, hi uint64, p uint32) []Hit {
	m := s.m
	l := end - start
	var syms [maxSyms]int32
	ns := 0
	if l <= 16 && (l < m.prefixMin || !m.blooms[1].prefix(p)) {
		// No prefix to try: the word's own symbol, from its 16 bytes.
		if sym := m.short.get(lo, hi); sym != 0 {
			syms[0], ns = sym, 1
		}
	} else {
		var buf [textnorm.MaxFolded]byte
		for i := range l {
			buf[i] = text[start+i] | 0x20
		}
		ns = m.lookup(&syms, 0, buf[:l])
	}
	return s.step(dst, &syms, ns, start, end)
}

// shortWords maps the folded words of up to 16 bytes, as asciiRun reads
// them, to their symbols: an open-addressed table whose probe compares
// two integers. A key is never 0 (no word is empty).
type shortWords struct {
	keys []uint64 // lo, hi of each slot
	syms []int32
	mask uint64
}

func (t *shortWords) slot(lo, hi uint64) uint64 {
	return ((lo ^ hi*0xC2B2AE3D27D4EB4F) * 0x9E3779B97F4A7C15) >> 32 & t.mask
}

func (t *shortWords) get(lo, hi uint64) int32 {
	for i := t.slot(lo, hi); ; i = (i + 1) & t.mask {
		switch k := t.keys[2*i]; {
		case k == lo && t.keys[2*i+1] == hi:
			return t.syms[i]
		case k == 0:
			return 0
		}
	}
}

// build fills t with the words of w no longer than 16 bytes.
func (t *shortWords) build(w *ftab.Table) {
	n := 0
	w.Each(func(k []byte, _ int32) {
		if len(k) <= 16 {
			n++
		}
	})
	size := 16
	for size < 4*n {
		size *= 2
	}
	t.keys, t.syms, t.mask = make([]uint64, 2*size), make([]int32, size), uint64(size-1)
	w.Each(func(k []byte, sym int32) {
		if len(k) > 16 {
			return
		}
		var b [16]byte
		copy(b[:], k)
		lo, hi := binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
		i := t.slot(lo, hi)
		for t.keys[2*i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[2*i], t.keys[2*i+1], t.syms[i] = lo, hi, sym
	})
}

// pass reports whether a folded word of length l with filter keys w and
// p may be or start an entry (if no phrase is under way), or go on with
// one.
func (s *Scan) pass(w, p uint32, l int) bool {
	m := s.m
	bl := &m.blooms[min(s.nActive, 1)]
	return bl.word(w) || (l >= m.prefixMin && bl.prefix(p))
}

// step moves the phrases under way with a token spanning start:end that
// stands for the ns symbols syms, and appends the hits it completes.
func (s *Scan) step(dst []Hit, syms *[maxSyms]int32, ns, start, end int) []Hit {
	if ns == 0 {
		s.nActive = 0
		return dst
	}
	m := s.m
	active, next := &s.active[s.cur], &s.active[s.cur^1]
	nNext := 0
	// Phrases under way.
	for _, c := range active[:s.nActive] {
		for _, sym := range syms[:ns] {
			if child, ok := m.next.get(c.node, sym); ok {
				dst, nNext = m.reach(dst, next, nNext, child, int(c.start), end)
			}
		}
	}
	// Phrases starting here.
	for _, sym := range syms[:ns] {
		if child := m.root[sym]; child != 0 {
			dst, nNext = m.reach(dst, next, nNext, child, start, end)
		}
	}
	s.cur ^= 1
	s.nActive = nNext
	return dst
}

// reach records that a phrase begun at start reached node at a token
// ending at end: the entries ending there are hits, and the phrase may go
// on.
func (m *Matcher) reach(dst []Hit, next *[maxActive]cand, n int, node int32, start, end int) ([]Hit, int) {
	for _, e := range m.ends[node] {
		dst = append(dst, Hit{Entry: int(e), Start: start, End: end})
	}
	if n < maxActive {
		next[n] = cand{node: node, start: int32(start)}
		n++
	}
	return dst, n
}

const (
	// Small enough to stay in L1 next to the tokenizer; with a few
	// hundred words about 2 % of tokens pass the word filter by chance.
	wordBits   = 14
	prefixBits = 12
)

// bloom filters folded words before they are looked up.
type bloom struct {
	words    [1 << wordBits / 64]uint64
	prefixes [1 << prefixBits / 64]uint64
}

func (b *bloom) word(k uint32) bool   { return b.words[k/64]&(1<<(k%64)) != 0 }
func (b *bloom) prefix(k uint32) bool { return b.prefixes[k/64]&(1<<(k%64)) != 0 }

// wordKey is the index in a bloom's words of a folded word of length l
// whose first 8 bytes are lo, little-endian, zero past its end (see
// first8): two words alike in length and first 8 bytes share it.
func wordKey(lo uint64, l int) uint32 {
	return uint32(((lo ^ uint64(l)) * 0x9E3779B97F4A7C15) >> (64 - wordBits))
}

// prefixKey is the index in a bloom's prefixes of a folded word whose
// first 8 bytes are lo, when the filter keys on the bytes of mask (the
// first prefixKeyLen).
func prefixKey(lo, mask uint64) uint32 {
	return uint32(((lo & mask) * 0xC2B2AE3D27D4EB4F) >> (64 - prefixBits))
}

// first8 returns the first 8 bytes of b, little-endian, zero past its
// end.
func first8(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var x uint64
	for i, c := range b {
		x |= uint64(c) << (8 * i)
	}
	return x
}

// fold8 is first8 of the folded form of the plain word text[start:end]
// (see textnorm.Tokenizer.Plain): its bytes ORed with 0x20.
func fold8(text string, start, end int) uint64 {
	var v uint64
	if start+8 <= len(text) {
		v = le64(text[start:])
	} else {
		v, _ = window(text, start)
	}
	v |= fold
	if l := end - start; l < 8 {
		v &= 1<<(8*l) - 1
	}
	return v
}

// groupKey is the key of Matcher.groups for a folded word at least n
// bytes long.
func groupKey(b []byte, n int) uint32 {
	k := uint32(0)
	for _, c := range b[:n] {
		k = k<<8 | uint32(c)
	}
	return k
}

// keys returns the filter keys of a folded word.
func (m *Matcher) keys(b []byte) (w, p uint32) {
	lo := first8(b)
	return wordKey(lo, len(b)), prefixKey(lo, m.prefixMask)
}

// symbols fills syms with the symbols a token stands for and returns how
// many.
func (m *Matcher) symbols(syms *[maxSyms]int32, kind textnorm.Kind, folded []byte) int {
	n := m.lookup(syms, 0, folded)
	if kind == textnorm.Hashtag || kind == textnorm.Mention {
		n = m.lookup(syms, n, folded[1:])
	}
	return n
}

// lookup adds to syms[n:] the symbols of the folded word b: the word
// itself and the prefixes it starts with.
func (m *Matcher) lookup(syms *[maxSyms]int32, n int, b []byte) int {
	if len(b) == 0 {
		return n
	}
	w, p := m.keys(b)
	bl := &m.blooms[1]
	if bl.word(w) {
		if v, ok := m.words.Get(b); ok && n < maxSyms {
			syms[n] = v
			n++
		}
	}
	if len(m.groups) == 0 || len(b) < m.prefixKeyLen || !bl.prefix(p) {
		return n
	}
	for _, pr := range m.groups[groupKey(b, m.prefixKeyLen)] {
		if len(pr.folded) <= len(b) && string(b[:len(pr.folded)]) == pr.folded && n < maxSyms {
			syms[n] = pr.sym
			n++
		}
	}
	return n
}

// edges is the trie's transitions: an open-addressing table from
// (node, symbol) to child. Symbols start at 1, so no key is 0, the mark
// of an empty slot.
type edges struct {
	keys []uint64
	vals []int32
	n    int
}

func edgeKey(node, sym int32) uint64 { return uint64(uint32(node))<<32 | uint64(uint32(sym)) }

func (e *edges) slot(k uint64) uint64 {
	return (k * 0x9E3779B97F4A7C15) >> 40 & uint64(len(e.keys)-1)
}

func (e *edges) get(node, sym int32) (int32, bool) {
	if e.n == 0 {
		return 0, false
	}
	k := edgeKey(node, sym)
	for i := e.slot(k); ; i = (i + 1) & uint64(len(e.keys)-1) {
		switch e.keys[i] {
		case k:
			return e.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (e *edges) set(node, sym, child int32) {
	if (e.n+1)*2 > len(e.keys) {
		old, oldv := e.keys, e.vals
		size := max(16, 2*len(old))
		e.keys, e.vals, e.n = make([]uint64, size), make([]int32, size), 0
		for i, k := range old {
			if k != 0 {
				e.set(int32(k>>32), int32(uint32(k)), oldv[i])
			}
		}
	}
	k := edgeKey(node, sym)
	i := e.slot(k)
	for e.keys[i] != 0 && e.keys[i] != k {
		i = (i + 1) & uint64(len(e.keys)-1)
	}
	if e.keys[i] == 0 {
		e.n++
	}
	e.keys[i], e.vals[i] = k, child
}
