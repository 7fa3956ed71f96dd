package search

import (
	"slices"
	"strings"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/textnorm"
	"github.com/tribune/tribune/stats/watch"
)

// Facts is what only the pulse knows of an event. Each method is asked
// at most once per event and Match, and only when the query needs it.
// Pulse implements it.
type Facts interface {
	// Mention: ev names one of the brand's accounts, or was sent to it
	// directly.
	Mention(ev *feeds.Event) bool
	// Question: ev asks something.
	Question(ev *feeds.Event) bool
	// Unanswered: ev is a question to the brand the team has not
	// answered yet.
	Unanswered(ev *feeds.Event) bool
	// Sentiment: -1 negative, 0 neutral, 1 positive.
	Sentiment(ev *feeds.Event) int
	// Watched appends to dst the watch-words ev's text names, folded
	// (textnorm.Fold) and without a trailing '*', and returns it.
	Watched(ev *feeds.Event, dst []string) []string
}

// eval is what one Match learned of its event so far.
type eval struct {
	ev    *feeds.Event
	f     Facts
	known uint16 // bits: which of the fields below are set
	hits  uint64 // text entries hit
	link  bool
	facts uint8 // mention, question, unanswered: bit set when true
	sent  int
	watch []string
}

const (
	knowHits = 1 << iota
	knowLink
	knowMention
	knowQuestion
	knowUnanswered
	knowSentiment
	knowWatch
)

// Match reports whether ev matches the query; f answers what only the
// pulse knows (nil: those terms are false). The empty query matches
// every event but deletion markers, which no query matches.
func (q *Query) Match(ev *feeds.Event, f Facts) bool {
	if ev.Kind == feeds.KindDelete {
		return false
	}
	if len(q.groups) == 0 {
		return true
	}
	e := eval{ev: ev, f: f}
	for _, g := range q.groups {
		ok := true
		for i := range g {
			if e.holds(q, &g[i]) == g[i].neg {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (e *eval) holds(q *Query, t *term) bool {
	ev := e.ev
	switch t.kind {
	case kFeed:
		return foldEqual(ev.Feed, t.str, false)
	case kOn:
		return foldEqual(ev.Platform, t.str, false)
	case kFrom:
		return authorIs(ev.Author, ev.AuthorName, t.str, t.pre)
	case kFlag:
		switch t.n {
		case flagDirect:
			return ev.Direct
		case flagReply:
			return ev.ReplyTo != ""
		case flagDeleted:
			return ev.Deleted
		case flagCW:
			return ev.Warning != ""
		}
	case kAfter:
		return !ev.Time.Before(t.t)
	case kBefore:
		return ev.Time.Before(t.t)
	case kText:
		if e.known&knowHits == 0 {
			e.known |= knowHits
			e.hits = q.textHits(ev.Text) | q.textHits(ev.Warning)
		}
		return e.hits&(1<<t.n) != 0
	case kSub:
		return indexASCIIFold(ev.Text, t.str) >= 0 || indexASCIIFold(ev.Warning, t.str) >= 0
	case kLink:
		if e.known&knowLink == 0 {
			e.known |= knowLink
			e.link = hasLink(ev.Text)
		}
		return e.link
	case kMention, kQuestion, kUnanswered:
		if e.f == nil {
			return false
		}
		bit := uint16(knowMention) << (t.kind - kMention)
		if e.known&bit == 0 {
			e.known |= bit
			var v bool
			switch t.kind {
			case kMention:
				v = e.f.Mention(ev)
			case kQuestion:
				v = e.f.Question(ev)
			default:
				v = e.f.Unanswered(ev)
			}
			if v {
				e.facts |= 1 << (t.kind - kMention)
			}
		}
		return e.facts&(1<<(t.kind-kMention)) != 0
	case kSentiment:
		if e.f == nil {
			return false
		}
		if e.known&knowSentiment == 0 {
			e.known |= knowSentiment
			e.sent = e.f.Sentiment(ev)
		}
		return e.sent == t.n
	case kWatch:
		if e.f == nil {
			return false
		}
		if e.known&knowWatch == 0 {
			e.known |= knowWatch
			e.watch = e.f.Watched(ev, nil)
		}
		if t.str == "" {
			return len(e.watch) > 0
		}
		return slices.Contains(e.watch, t.str)
	}
	return false
}

// textHits returns the set of the query's words and phrases text names.
func (q *Query) textHits(text string) uint64 {
	if q.words == nil || text == "" {
		return 0
	}
	var buf [16]watch.Hit
	var set uint64
	for _, h := range q.words.Match(buf[:0], text) {
		set |= 1 << h.Entry
	}
	return set
}

// Highlights returns the byte spans of text that the query's words,
// phrases and links (not negated) match, in order, overlapping ones
// merged: text[s[0]:s[1]] is what to paint. Nil when there is none.
func (q *Query) Highlights(text string) [][2]int {
	var out [][2]int
	if q.words != nil {
		var buf [16]watch.Hit
		for _, h := range q.words.Match(buf[:0], text) {
			if q.pos[h.Entry] {
				out = append(out, [2]int{h.Start, h.End})
			}
		}
	}
	for _, s := range q.subs {
		for from := 0; from < len(text); {
			i := indexASCIIFold(text[from:], s)
			if i < 0 {
				break
			}
			out = append(out, [2]int{from + i, from + i + len(s)})
			from += i + len(s)
		}
	}
	if len(out) < 2 {
		return out
	}
	slices.SortFunc(out, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	merged := out[:1]
	for _, s := range out[1:] {
		last := &merged[len(merged)-1]
		if s[0] <= last[1] {
			last[1] = max(last[1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// hasLink reports whether text holds a link, as the tokenizer tells them.
func hasLink(text string) bool {
	if !strings.ContainsRune(text, '.') && !strings.Contains(text, "://") {
		return false // no link without one or the other
	}
	var tk textnorm.Tokenizer
	tk.Reset(text)
	for tk.Next() {
		if tk.Kind() == textnorm.URL {
			return true
		}
	}
	return false
}

// foldEqual reports whether s folds to want (or, with prefix, to
// something starting with want), without allocating for ASCII s.
func foldEqual(s, want string, prefix bool) bool {
	var buf [64]byte
	var f []byte
	if isASCII(s) {
		if len(s) != len(want) && (!prefix || len(s) < len(want)) {
			return false
		}
		f = buf[:0]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			f = append(f, c)
		}
	} else {
		f = textnorm.AppendFold(buf[:0], s)
	}
	if prefix {
		return len(f) >= len(want) && string(f[:len(want)]) == want
	}
	return string(f) == want
}

// authorIs reports whether an author is who from: names: the handle, the
// handle up to its first '@' or '.' (ana@mastodon.social,
// sam.bsky.social), or the display name.
func authorIs(handle, name, want string, prefix bool) bool {
	h := strings.TrimPrefix(handle, "@")
	if foldEqual(h, want, prefix) || (name != "" && foldEqual(name, want, prefix)) {
		return true
	}
	if i := strings.IndexAny(h, "@."); i > 0 {
		return foldEqual(h[:i], want, prefix)
	}
	return false
}

// indexASCIIFold is the index of the first s in text, ASCII letters
// compared without case; s is lower case. -1 when there is none.
func indexASCIIFold(text, s string) int {
	if s == "" {
		return 0
	}
	c0 := s[0]
	for i := 0; i+len(s) <= len(text); i++ {
		c := text[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != c0 {
			continue
		}
		if asciiFoldEqual(text[i:i+len(s)], s) {
			return i
		}
	}
	return -1
}

func asciiFoldEqual(a, lower string) bool {
	for j := 0; j < len(a); j++ {
		c := a[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[j] {
			return false
		}
	}
	return true
}

// asciiLower lower-cases the ASCII letters of s, and only them: spans
// found with it are spans of the original.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
