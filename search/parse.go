package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// Limits on a query: a search line, not a program.
const (
	// MaxLen is the longest query, in bytes.
	MaxLen = 2000
	// MaxWords is how many free words and phrases a query may hold.
	MaxWords = 64
)

// Error is a query that cannot be read: Offset and Len are the byte span
// of the offending word in the query, Msg says what is wrong with it.
type Error struct {
	Offset, Len int
	Msg         string
}

func (e *Error) Error() string {
	return fmt.Sprintf("search: %s (at byte %d)", e.Msg, e.Offset)
}

func errAt(start, end int, format string, args ...any) *Error {
	return &Error{Offset: start, Len: max(end-start, 0), Msg: fmt.Sprintf(format, args...)}
}

// kind is what a term tests.
type kind uint8

// The kinds, in the order a run of terms is evaluated: cheap first.
const (
	kFeed kind = iota
	kOn
	kFrom
	kFlag // is:direct, is:reply, is:deleted, has:cw: a field of the event
	kAfter
	kBefore
	kText // a free word or phrase: the matcher's entry n
	kSub  // a link or domain: an ASCII-case-insensitive substring
	kLink // has:link
	kMention
	kQuestion
	kUnanswered
	kWatch
	kSentiment
)

// Flags of kFlag.
const (
	flagDirect = iota
	flagReply
	flagDeleted
	flagCW
)

// term is one test of a query.
type term struct {
	kind kind
	neg  bool
	str  string    // folded value: feed, platform, author, watch-word, substring
	pre  bool      // str is a prefix (from:ali*)
	n    int       // text entry, flag or sentiment
	t    time.Time // before, after
}

// Query is a parsed query: an OR of runs of terms that must all hold.
type Query struct {
	src    string
	groups [][]term
	// words are the free words and phrases, compiled; pos[i] says
	// whether entry i appears un-negated (it is highlighted).
	words *watch.Matcher
	pos   []bool
	// need are the required folded ASCII words of each group, for the
	// store's prefilter: a group whose words are not all in a text
	// cannot match it.
	need [][]*needle
	subs []string // un-negated substrings, for highlighting
}

// Need says which facts a query asks of Facts.
type Need uint8

const (
	NeedMention Need = 1 << iota
	NeedQuestion
	NeedUnanswered
	NeedWatch
	NeedSentiment
)

// Parse reads a query. Times are read in loc (time.Local when nil), and
// relative ones ("10m", "15:04") from now.
func Parse(q string, loc *time.Location, now time.Time) (*Query, error) {
	if loc == nil {
		loc = time.Local
	}
	if len(q) > MaxLen {
		return nil, errAt(MaxLen, len(q), "the query is longer than %d bytes", MaxLen)
	}
	if !utf8.ValidString(q) {
		i := 0
		for i < len(q) {
			r, n := utf8.DecodeRuneInString(q[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, errAt(i, i+1, "the query is not valid UTF-8")
	}
	p := parser{src: q, loc: loc, now: now.In(loc), query: &Query{src: q}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.query, nil
}

// MustParse is Parse that panics on error, for queries in code and tests.
func MustParse(q string, loc *time.Location, now time.Time) *Query {
	query, err := Parse(q, loc, now)
	if err != nil {
		panic(err)
	}
	return query
}

// String returns the query as given to Parse.
func (q *Query) String() string { return q.src }

// Empty reports whether the query has no term: it matches everything.
func (q *Query) Empty() bool { return len(q.groups) == 0 }

// Needs reports the facts the query asks of Facts.
func (q *Query) Needs() Need {
	var n Need
	for _, g := range q.groups {
		for _, t := range g {
			switch t.kind {
			case kMention:
				n |= NeedMention
			case kQuestion:
				n |= NeedQuestion
			case kUnanswered:
				n |= NeedUnanswered
			case kWatch:
				n |= NeedWatch
			case kSentiment:
				n |= NeedSentiment
			}
		}
	}
	return n
}

type parser struct {
	src   string
	loc   *time.Location
	now   time.Time
	query *Query
	// words to compile, with where each was in the query.
	words []string
	spans [][2]int
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func (p *parser) parse() error {
	q := p.src
	var group []term
	var need []*needle
	orAt := -1 // where the last OR was, while no term follows it
	closeGroup := func() {
		if len(group) > 0 {
			slices.SortStableFunc(group, func(a, b term) int { return int(a.kind) - int(b.kind) })
			p.query.groups = append(p.query.groups, group)
			p.query.need = append(p.query.need, need)
		}
		group, need = nil, nil
	}
	for i := 0; i < len(q); {
		r, n := utf8.DecodeRuneInString(q[i:])
		if isSpace(r) {
			i += n
			continue
		}
		start := i
		end, err := p.wordEnd(i)
		if err != nil {
			return err
		}
		i = end
		word := q[start:end]
		if word == "OR" {
			if len(group) == 0 {
				if orAt >= 0 {
					return errAt(start, end, "OR twice in a row")
				}
				return errAt(start, end, "OR needs terms before it")
			}
			closeGroup()
			orAt = start
			continue
		}
		t, req, err := p.term(start, word)
		if err != nil {
			return err
		}
		group = append(group, t)
		need = append(need, req...)
		orAt = -1
	}
	if orAt >= 0 {
		return errAt(orAt, orAt+2, "OR needs terms after it")
	}
	closeGroup()
	return p.compile()
}

// wordEnd returns the end of the word starting at i: the next space
// outside quotes.
func (p *parser) wordEnd(i int) (int, error) {
	q := p.src
	quote := -1
	for j := i; j < len(q); {
		r, n := utf8.DecodeRuneInString(q[j:])
		switch {
		case r == '"' && quote < 0:
			quote = j
		case r == '"':
			quote = -1
		case isSpace(r) && quote < 0:
			return j, nil
		}
		j += n
	}
	if quote >= 0 {
		return 0, errAt(quote, len(q), "this quote is not closed")
	}
	return len(q), nil
}

// fieldNames are the fields, for errors and suggestions.
var fieldNames = []string{"from", "on", "feed", "is", "has", "watch", "sentiment", "before", "after"}

// term reads one word (not OR): start is its offset in the query. It
// returns the folded words the term requires of a text, when not negated.
func (p *parser) term(start int, word string) (term, []*needle, error) {
	end := start + len(word)
	var t term
	if strings.HasPrefix(word, "-") {
		t.neg = true
		word = word[1:]
		start++
		if word == "" {
			return t, nil, errAt(start-1, end, "'-' needs a term right after it (-spam, -from:bot)")
		}
	}
	if strings.HasPrefix(word, "\"") {
		if !strings.HasSuffix(word, "\"") || len(word) < 2 {
			return t, nil, errAt(start, end, "put a space after the closing quote")
		}
		return p.text(t, start+1, word[1:len(word)-1], true)
	}
	if c := strings.IndexByte(word, ':'); c > 0 && isFieldName(word[:c]) && !strings.HasPrefix(word[c:], "://") {
		return p.field(t, start, word[:c], word[c+1:])
	}
	if strings.Contains(word, "\"") {
		return t, nil, errAt(start, end, "a quote inside a word: quote the whole phrase (\"like this\")")
	}
	if (strings.HasPrefix(word, "(") || strings.HasSuffix(word, ")")) && (len(word) == 1 || strings.IndexFunc(word, isWordRune) >= 0) {
		return t, nil, errAt(start, end, "parentheses don't group: side by side binds tighter than OR, so write \"a b OR a c\" for a and (b or c)")
	}
	return p.text(t, start, word, false)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isFieldName reports whether s reads as a field name: ASCII letters.
func isFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// text adds a free word or phrase, at start in the query.
func (p *parser) text(t term, start int, word string, quoted bool) (term, []*needle, error) {
	end := start + len(word)
	if quoted && strings.TrimSpace(word) == "" {
		return t, nil, errAt(start-1, end+1, "an empty phrase")
	}
	var tk textnorm.Tokenizer
	tk.Reset(strings.TrimSuffix(word, "*"))
	var folded []string
	link := false
	for tk.Next() {
		tok := tk.Token()
		switch {
		case tok.Kind == textnorm.URL:
			link = true
		case tok.Long:
			return t, nil, errAt(start, end, "a word longer than %d bytes", textnorm.MaxFolded)
		}
		folded = append(folded, string(tok.Folded))
	}
	if link {
		// A link or a domain: looked for as it is written.
		if quoted && strings.ContainsFunc(word, isSpace) {
			return t, nil, errAt(start, end, "a link inside a phrase: search for the link alone")
		}
		t.kind, t.str = kSub, asciiLower(word)
		if !t.neg {
			p.query.subs = append(p.query.subs, t.str)
		}
		return t, nil, nil
	}
	if len(folded) == 0 {
		if strings.Trim(word, "?？") == "" {
			return t, nil, errAt(start, end, "%q has no word to search for: is:question finds messages that ask something", word)
		}
		return t, nil, errAt(start, end, "%q has no word to search for", word)
	}
	if i := strings.IndexByte(word, '*'); i >= 0 && i != len(word)-1 {
		return t, nil, errAt(start+i, start+i+1, "'*' only at the end of a word (refund*)")
	}
	if len(p.words) == MaxWords {
		return t, nil, errAt(start, end, "more than %d words and phrases", MaxWords)
	}
	t.kind, t.n = kText, len(p.words)
	p.words = append(p.words, word)
	p.spans = append(p.spans, [2]int{start, end})
	p.query.pos = append(p.query.pos, !t.neg)
	if t.neg {
		return t, nil, nil
	}
	var req []*needle
	for _, f := range folded {
		if isASCII(f) && len(f) <= 64 {
			req = append(req, newNeedle(f))
		}
	}
	return t, req, nil
}

// compile builds the matcher of the free words and phrases.
func (p *parser) compile() error {
	if len(p.words) == 0 {
		return nil
	}
	for i, w := range p.words {
		if _, err := watch.Compile([]string{w}); err != nil {
			s := p.spans[i]
			msg := err.Error()
			if errors.Is(err, watch.ErrEmpty) {
				msg = fmt.Sprintf("%q has no word to search for", w)
			} else {
				msg = strings.TrimPrefix(msg, fmt.Sprintf("watch-word %q: ", w))
			}
			return errAt(s[0], s[1], "%s", msg)
		}
	}
	m, err := watch.Compile(p.words)
	if err != nil {
		return errAt(0, len(p.src), "%v", err)
	}
	p.query.words = m
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// field reads name:value; start is the offset of name in the query.
func (p *parser) field(t term, start int, name, value string) (term, []*needle, error) {
	vstart := start + len(name) + 1
	vend := vstart + len(value)
	lname := strings.ToLower(name)
	if strings.HasPrefix(value, "\"") {
		if len(value) < 2 || !strings.HasSuffix(value, "\"") {
			return t, nil, errAt(vstart, vend, "put a space after the closing quote")
		}
		value = value[1 : len(value)-1]
		vstart++
		vend--
	}
	value = strings.TrimSpace(value)
	if value == "" && slices.Contains(fieldNames, lname) {
		return t, nil, errAt(start, vend, "%s: needs a value (%s)", lname, fieldExample(lname))
	}
	bad := func(format string, args ...any) (term, []*needle, error) {
		return t, nil, errAt(vstart, vend, format, args...)
	}
	switch lname {
	case "from":
		v := strings.TrimPrefix(value, "@")
		if strings.HasSuffix(v, "*") {
			t.pre, v = true, strings.TrimSuffix(v, "*")
		}
		if v == "" || strings.Contains(v, "*") {
			return bad("from: takes a handle or a name, '*' only at the end (from:alice, from:ali*)")
		}
		t.kind, t.str = kFrom, textnorm.Fold(v)
	case "on":
		t.kind, t.str = kOn, textnorm.Fold(value)
	case "feed":
		t.kind, t.str = kFeed, textnorm.Fold(value)
	case "is":
		switch v := strings.ToLower(value); v {
		case "question":
			t.kind = kQuestion
		case "unanswered":
			t.kind = kUnanswered
		case "mention":
			t.kind = kMention
		case "direct", "dm":
			t.kind, t.n = kFlag, flagDirect
		case "reply":
			t.kind, t.n = kFlag, flagReply
		case "deleted":
			t.kind, t.n = kFlag, flagDeleted
		default:
			return bad("is:%s is not known%s; is: takes question, unanswered, mention, direct, reply, deleted", value,
				suggest("is:", v, "question", "unanswered", "mention", "direct", "reply", "deleted"))
		}
	case "has":
		switch v := strings.ToLower(value); v {
		case "link", "url":
			t.kind = kLink
		case "cw", "warning":
			t.kind, t.n = kFlag, flagCW
		default:
			return bad("has:%s is not known%s; has: takes link, cw", value, suggest("has:", v, "link", "cw"))
		}
	case "watch":
		v := strings.TrimSpace(strings.TrimSuffix(value, "*"))
		if value == "*" || strings.EqualFold(value, "any") {
			v = ""
		} else if v == "" {
			return bad("watch: takes a watch-word, or * for any")
		}
		t.kind, t.str = kWatch, textnorm.Fold(v)
	case "sentiment":
		t.kind = kSentiment
		switch strings.ToLower(value) {
		case "neg", "negative", "-":
			t.n = -1
		case "pos", "positive", "+":
			t.n = 1
		case "neutral", "neu", "0":
			t.n = 0
		default:
			return bad("sentiment:%s is not known; sentiment: takes neg, pos or neutral", value)
		}
	case "before", "after":
		at, err := parseTime(value, p.loc, p.now)
		if err != nil {
			return bad("%s:%s: %v", lname, value, err)
		}
		t.kind, t.t = kAfter, at
		if lname == "before" {
			t.kind = kBefore
		}
	default:
		hint := suggest("", lname, fieldNames...)
		if hint != "" {
			hint = strings.TrimSuffix(hint, "?") + ":?"
		} else {
			hint = `; quote it ("` + name + `:…") to search for the text`
		}
		return t, nil, errAt(start, start+len(name)+1, "unknown field %q%s", name+":", hint)
	}
	return t, nil, nil
}

func fieldExample(name string) string {
	switch name {
	case "from":
		return "from:alice"
	case "on":
		return "on:twitch"
	case "feed":
		return "feed:launch-chat"
	case "is":
		return "is:question"
	case "has":
		return "has:link"
	case "watch":
		return "watch:refund"
	case "sentiment":
		return "sentiment:neg"
	}
	return name + ":10m"
}

// suggest returns " — did you mean PREFIX+X?" for the candidate nearest
// to s, when one is near enough, else "".
func suggest(prefix, s string, candidates ...string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := distance(s, c)
		if strings.HasPrefix(c, s) && len(s) >= 2 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD >= len(best) {
		return ""
	}
	return " — did you mean " + prefix + best + "?"
}

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	if len(a) > 32 || len(b) > 32 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
