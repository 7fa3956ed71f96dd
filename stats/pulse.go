package stats

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

// Config is what the pulse watches for. Set it with Configure before the
// first event, and again on a reload.
type Config struct {
	// Brand lists the handles of the brand's own accounts, with or
	// without "@". A message naming one as @handle, or sent to the
	// account directly, is a mention; a mention that asks something
	// (holds a "?") is a question waiting for the team's answer.
	Brand []string
	// Text reads message text: sentiment, watch-words, terms. Nil
	// counts none of them.
	Text Analyzer
	// Alerts are the thresholds of spike detection; zero fields take
	// their defaults.
	Alerts AlertRules
	// OnAlert, when set, is called with each alert the engine raises,
	// from the goroutine that called Observe, outside the engine's lock.
	OnAlert func(Alert)
	// OnWatch, when set, is called after a batch in which messages named
	// watch-words, with how many did, like OnAlert: the sessions ring
	// their bell from it, not by matching every message again.
	OnWatch func(n int)
}

// Analyzer reads the text of one message for the pulse.
type Analyzer interface {
	// Analyze fills a (reset by the caller) with what text says: its
	// sentiment, the watch-word entries it names, and the terms worth
	// counting (hashtags, words that are not stop-words), folded to
	// lower case without accents. Slices in a are reused from call to
	// call: Analyze appends to them.
	Analyze(text string, a *Analysis)
	// Watch names the watch-word entries Analysis.Watch indexes.
	Watch() []string
}

// Analysis is what an Analyzer read in one message.
type Analysis struct {
	// Sentiment is -1 (negative), 0 (neutral or unknown) or 1 (positive).
	Sentiment int
	// Watch holds the index of each watch-word entry named, once each.
	Watch []int
	// Terms are the terms to count, folded; they alias Buf.
	Terms [][]byte
	// Spans are where each term is in the text, when the analyzer says
	// (AddTermAt): the first spelling of a term is how it is shown.
	Spans [][2]int
	// Buf holds the bytes of Terms: AddTerm appends to it.
	Buf []byte
}

// AddTerm appends the folded term b to a.Terms, copied to a.Buf.
func (a *Analysis) AddTerm(b []byte) {
	start := len(a.Buf)
	a.Buf = append(a.Buf, b...)
	a.Terms = append(a.Terms, a.Buf[start:len(a.Buf):len(a.Buf)])
}

// AddTermAt is AddTerm for a term at text[start:end].
func (a *Analysis) AddTermAt(b []byte, start, end int) {
	a.AddTerm(b)
	for len(a.Spans) < len(a.Terms)-1 {
		a.Spans = append(a.Spans, [2]int{})
	}
	a.Spans = append(a.Spans, [2]int{start, end})
}

func (a *Analysis) reset() {
	a.Sentiment = 0
	a.Watch = a.Watch[:0]
	a.Terms = a.Terms[:0]
	a.Spans = a.Spans[:0]
	a.Buf = a.Buf[:0]
}

// Configure sets what the pulse watches for. Counts made so far stay.
func (e *Engine) Configure(c Config) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cfg = c
	e.rules = c.Alerts.withDefaults()
	e.brand = e.brand[:0]
	for _, b := range c.Brand {
		if b = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(b), "@")); b != "" {
			e.brand = append(e.brand, b)
		}
	}
	// Hits stay with their watch-word when the list changes (a reload that
	// adds one at the front); a word no longer watched loses its count.
	var names []string
	if c.Text != nil {
		names = c.Text.Watch()
	}
	e.watch = rekey(e.watch, e.watchNames, names)
	for _, fs := range e.feeds {
		fs.watch = rekey(fs.watch, e.watchNames, names)
	}
	e.watchNames = slices.Clone(names)
}

// rekey moves counts kept by the positions of old to those of names.
func rekey(counts []int, old, names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		if j := slices.Index(old, n); j >= 0 && j < len(counts) {
			out[i] = counts[j]
		}
	}
	return out
}

func resize(s []int, n int) []int {
	if len(s) >= n {
		return s[:n]
	}
	return append(s, make([]int, n-len(s))...)
}

// analyze reads a message's text and counts what it says. The caller
// holds e.mu.
func (e *Engine) analyze(fs *feedState, ev *feeds.Event, mc *minute, m int64) {
	if ev.Direct || e.mentions(ev.Text) {
		mc.mention = 1
	}
	if e.cfg.Text == nil {
		return
	}
	a := &e.analysis
	a.reset()
	e.cfg.Text.Analyze(ev.Text, a)
	switch {
	case a.Sentiment < 0:
		mc.neg = 1
	case a.Sentiment > 0:
		mc.pos = 1
	}
	if len(a.Watch) > 0 {
		mc.watch = 1
		if len(fs.watch) < len(e.watch) {
			fs.watch = resize(fs.watch, len(e.watch))
		}
		for _, i := range a.Watch {
			if i >= 0 && i < len(e.watch) {
				e.watch[i]++
				fs.watch[i]++
			}
		}
	}
	for i, term := range a.Terms {
		if fs.terms.add(term, m) && i < len(a.Spans) {
			e.label(term, ev.Text, a.Spans[i])
		}
	}
}

// maxLabels bounds the spellings kept: past it they are forgotten and
// learnt again from the messages that follow.
const maxLabels = 4096

// label keeps how a new term was first written, when it is not its folded
// form in lower case ("boîtier" for boitier): the top terms show it.
func (e *Engine) label(term []byte, text string, sp [2]int) {
	if sp[1] <= sp[0] || sp[1] > len(text) {
		return
	}
	shown := text[sp[0]:sp[1]]
	if len(shown) == len(term) && strings.EqualFold(shown, string(term)) {
		return // plain ASCII, shown as counted
	}
	if e.labels == nil || len(e.labels) >= maxLabels {
		e.labels = make(map[string]string)
	}
	if _, ok := e.labels[string(term)]; !ok {
		e.labels[string(term)] = strings.ToLower(shown)
	}
}

// shown is how the top terms are written: their first spelling.
func (e *Engine) shown(cs []Count) []Count {
	for i := range cs {
		if l, ok := e.labels[cs[i].Key]; ok {
			cs[i].Key = l
		}
	}
	return cs
}

// mentions reports whether text names one of the brand's accounts as
// @handle, in any case, followed by something that can't continue a
// handle.
func (e *Engine) mentions(text string) bool {
	if len(e.brand) == 0 {
		return false
	}
	for i := strings.IndexByte(text, '@'); i >= 0; {
		rest := text[i+1:]
		for _, b := range e.brand {
			if len(rest) >= len(b) && strings.EqualFold(rest[:len(b)], b) && !handleByte(rest, len(b)) {
				return true
			}
		}
		j := strings.IndexByte(rest, '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// handleByte reports whether s[i] continues a handle.
func handleByte(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Question is a message to the brand the team has not answered yet.
type Question struct {
	Feed, Platform, ID string
	Author             string
	Text               string // the start of the message
	Time               time.Time
	// Asks is true when the message asks something; a mention that
	// doesn't is waiting too, but not counted as unanswered.
	Asks bool
}

const (
	// maxPending bounds the mentions waiting for an answer; past it the
	// oldest are forgotten.
	maxPending = 2000
	// pendingFor is how long a mention waits for an answer before it is
	// forgotten: an answer after that is not a response time anyone
	// reports.
	pendingFor = time.Hour
	// questionText is how much of a question's text is kept.
	questionText = 160
)

type pendingKey struct{ feed, id string }

// pending holds the mentions waiting for an answer, in arrival order, in
// a ring of Question values: a mention costs one allocation (the copy of
// its strings), not two.
type pending struct {
	byKey map[pendingKey]int // the absolute index of each waiting entry
	// ring is a power of two long; entry i is ring[i&(len(ring)-1)], with
	// an ID of "" once answered.
	ring       []Question
	head, tail int // absolute indexes of the first entry and past the last
	asks       int // waiting entries that ask something
}

// at returns entry i, which must be between head and tail.
func (p *pending) at(i int) *Question { return &p.ring[i&(len(p.ring)-1)] }

// add keeps ev waiting for an answer; feed and platform are the engine's
// own copies of its names.
func (p *pending) add(ev *feeds.Event, at time.Time, feed, platform string, asks bool) {
	if ev.ID == "" {
		return
	}
	if p.byKey == nil {
		p.byKey = make(map[pendingKey]int)
	}
	if _, ok := p.byKey[pendingKey{feed, ev.ID}]; ok {
		return
	}
	// One copy holds the id, the author and the start of the text.
	author, text := ev.DisplayAuthor(), clip(ev.Text, questionText)
	all := ev.ID + author + text
	id, rest := all[:len(ev.ID)], all[len(ev.ID):]
	if p.tail-p.head == len(p.ring) {
		p.resize(max(16, 2*len(p.ring)))
	}
	*p.at(p.tail) = Question{Feed: feed, ID: id, Platform: platform, Author: rest[:len(author)], Text: rest[len(author):],
		Time: at, Asks: asks}
	p.byKey[pendingKey{feed, id}] = p.tail
	p.tail++
	if asks {
		p.asks++
	}
	for len(p.byKey) > maxPending {
		p.dropFirst()
	}
}

// resize moves the entries to a ring n long.
func (p *pending) resize(n int) {
	r := make([]Question, n)
	for i := p.head; i < p.tail; i++ {
		r[i&(n-1)] = *p.at(i)
	}
	p.ring = r
}

// take removes and returns the waiting mention feed/id, if any.
func (p *pending) take(feed, id string) (Question, bool) {
	k := pendingKey{feed, id}
	i, ok := p.byKey[k]
	if !ok {
		return Question{}, false
	}
	delete(p.byKey, k)
	q := *p.at(i)
	*p.at(i) = Question{}
	if q.Asks {
		p.asks--
	}
	p.trim()
	return q, true
}

// expire forgets the mentions that arrived before t.
func (p *pending) expire(t time.Time) {
	for p.head < p.tail && (p.at(p.head).ID == "" || p.at(p.head).Time.Before(t)) {
		p.dropFirst()
	}
}

func (p *pending) dropFirst() {
	if q := p.at(p.head); q.ID != "" {
		delete(p.byKey, pendingKey{q.Feed, q.ID})
		if q.Asks {
			p.asks--
		}
	}
	*p.at(p.head) = Question{}
	p.head++
	p.trim()
}

// trim drops answered entries from the front, and halves the ring when
// it is mostly empty.
func (p *pending) trim() {
	for p.head < p.tail && p.at(p.head).ID == "" {
		p.head++
	}
	if len(p.ring) > 64 && p.tail-p.head < len(p.ring)/4 {
		p.resize(len(p.ring) / 2)
	}
}

// questions returns up to n of the oldest waiting questions that ask.
func (p *pending) questions(n int) []Question {
	var out []Question
	for i := p.head; i < p.tail; i++ {
		if q := p.at(i); q.ID != "" && q.Asks {
			out = append(out, *q)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// responses keeps the last response times.
type responses struct {
	d    [1024]time.Duration
	n    int // how many were ever recorded
	next int
}

func (r *responses) add(d time.Duration) {
	r.d[r.next] = max(d, 0)
	r.next = (r.next + 1) % len(r.d)
	r.n++
}

// percentiles returns the median and the 90th percentile of the kept
// response times (nearest rank), and how many there are.
func (r *responses) percentiles() (p50, p90 time.Duration, n int) {
	n = min(r.n, len(r.d))
	if n == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(r.d[:n])
	slices.Sort(s)
	return s[rank(n, 50)], s[rank(n, 90)], n
}

// rank is the index of the p-th percentile of n sorted values, by the
// nearest-rank method.
func rank(n, p int) int {
	return max((n*p+99)/100-1, 0)
}

// answered records that the team answered feed/id at t. The caller holds
// e.mu.
func (e *Engine) answered(feed, id string, t time.Time) {
	if q, ok := e.pending.take(feed, id); ok {
		e.replies.add(t.Sub(q.Time))
	}
}

// Moderation counts the team's moderation actions carried out.
type Moderation struct {
	Deleted, Timeouts, Bans, Unbans int
}

// Acted records an action the team carried out at t (an outbox item
// sent): a reply answers its target, a moderation action is counted.
func (e *Engine) Acted(a feeds.Action, t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.acted(a.Kind, a.Feed, a.Target, t)
}

// acted is Acted for an action of kind on feed/target. The caller holds
// e.mu.
func (e *Engine) acted(kind feeds.ActionKind, feed, target string, t time.Time) {
	switch kind {
	case feeds.ActReply:
		e.answered(feed, target, t)
	case feeds.ActDelete:
		e.mod.Deleted++
	case feeds.ActTimeout:
		e.mod.Timeouts++
	case feeds.ActBan:
		e.mod.Bans++
	case feeds.ActUnban:
		e.mod.Unbans++
	}
}

// Count is one line of a top list.
type Count struct {
	Platform string // for an author; empty for a term or a watch-word
	Key      string
	N        int
}

// topN is the length of the top lists.
const topN = 8

// topK keeps the authors with the most messages, updated as counts grow:
// an author's count only grows, so the list needs no rebuild.
type topK struct {
	c [topN]Count
	n int
}

func (t *topK) add(platform, key string, n int) {
	i := 0
	for ; i < t.n; i++ {
		if t.c[i].Key == key && t.c[i].Platform == platform {
			break
		}
	}
	switch {
	case i < t.n:
		t.c[i].N = n
	case t.n < topN:
		t.c[t.n] = Count{platform, key, n}
		t.n++
	case n > t.c[t.n-1].N:
		i = t.n - 1
		t.c[i] = Count{platform, key, n}
	default:
		return
	}
	for ; i > 0 && t.c[i].N > t.c[i-1].N; i-- {
		t.c[i], t.c[i-1] = t.c[i-1], t.c[i]
	}
}

func (t *topK) list() []Count { return slices.Clone(t.c[:t.n]) }

const (
	// termEpoch is how long one generation of term counts lasts; the top
	// terms are those of the current and the previous generation.
	termEpoch = 5 // minutes
	// maxTerms bounds the distinct terms of one generation of one feed;
	// past it new terms are not counted until the next generation.
	maxTerms = 4000
)

// terms counts terms over the last five to ten minutes, in generations of
// termEpoch minutes: the current one and the one before.
type terms struct {
	epoch   int64 // the current generation
	started bool
	// ids finds a term's entry in list: one lookup per term counted.
	ids  map[string]int32
	list []termCount
	ncur int // entries counted in the current generation
}

// termCount is one term's counts in generation ep and the one before; a
// term not seen since is rotated when it comes back.
type termCount struct {
	name      string
	ep        int64
	cur, prev int32
}

func (t *terms) add(term []byte, m int64) (fresh bool) {
	ep := floorDiv(m, termEpoch)
	switch {
	case !t.started || ep > t.epoch:
		t.epoch, t.started, t.ncur = ep, true, 0
	case ep < t.epoch:
		// An event from before this generation counts in it.
	}
	i, ok := t.ids[string(term)]
	if !ok {
		if len(t.list) >= 3*maxTerms {
			t.compact()
		}
		if t.ids == nil {
			t.ids = make(map[string]int32)
		}
		i = int32(len(t.list))
		name := string(term)
		t.ids[name] = i
		t.list = append(t.list, termCount{name: name, ep: t.epoch - 2})
		fresh = true
	}
	c := &t.list[i]
	if c.ep == t.epoch && c.cur > 0 {
		c.cur++
		return fresh
	}
	if c.ep != t.epoch {
		if c.ep == t.epoch-1 {
			c.prev = c.cur
		} else {
			c.prev = 0
		}
		c.ep, c.cur = t.epoch, 0
	}
	if t.ncur < maxTerms {
		c.cur = 1
		t.ncur++
	}
	return fresh
}

// counts returns c's counts in generation ep and the one before.
func (c *termCount) counts(ep int64) (cur, prev int32) {
	switch c.ep {
	case ep:
		return c.cur, c.prev
	case ep - 1:
		return 0, c.cur
	}
	return 0, 0
}

// compact forgets the terms counted in neither current generation, so
// that the entries stay within 3 × maxTerms.
func (t *terms) compact() {
	kept := t.list[:0]
	clear(t.ids)
	for _, c := range t.list {
		if cur, prev := c.counts(t.epoch); cur > 0 || prev > 0 {
			t.ids[c.name] = int32(len(kept))
			kept = append(kept, c)
		}
	}
	clear(t.list[len(kept):])
	t.list = kept
}

// sum adds to into the counts of the generations still current at
// minute m: this one and the one before.
func (t *terms) sum(m int64, into map[string]int) {
	ep := floorDiv(m, termEpoch)
	if !t.started || (t.epoch != ep && t.epoch != ep-1) {
		return
	}
	for i := range t.list {
		c := &t.list[i]
		cur, prev := c.counts(t.epoch)
		n := cur // the generation t.epoch, current at ep or ep+1
		if t.epoch == ep {
			n += prev
		}
		if n > 0 {
			into[c.name] += int(n)
		}
	}
}

// top returns the n largest counts of m, largest first, ties by key.
func top(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Key: k, N: v})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out[:min(n, len(out))]
}

// Pulse is what a snapshot says of the community beyond the counts.
type Pulse struct {
	// TopAuthors overall, most messages first.
	TopAuthors []Count
	// TopTerms are the most used terms and hashtags of the last five to
	// ten minutes, over all feeds.
	TopTerms []Count
	// Watch counts each watch-word's hits since start, most first;
	// watch-words never hit are left out.
	Watch []Count
	// Unanswered is how many questions to the brand wait for an answer
	// (asked within the last hour); Questions the oldest of them.
	Unanswered int
	Questions  []Question
	// ResponseP50 and ResponseP90 are the median and 90th percentile of
	// the time from a mention to the team's first reply, over the last
	// Responses answers (at most 1,024).
	ResponseP50, ResponseP90 time.Duration
	Responses                int
	Moderation               Moderation
	// Alerts are the last alerts raised, oldest first.
	Alerts []Alert
}

// topCache keeps the pulse's sorted lists for a second: each session takes
// a snapshot every second, and sorting the term counts is the one costly
// part of it.
type topCache struct {
	at    time.Time
	terms []Count
	feed  map[string][]Count // per feed's top terms
}

// pulse builds the Pulse at t. The caller holds e.mu.
func (e *Engine) pulse(t time.Time, cur int64) Pulse {
	e.pending.expire(t.Add(-pendingFor))
	p := Pulse{
		TopAuthors: e.overallTop.list(),
		Unanswered: e.pending.asks,
		Questions:  e.pending.questions(20),
		Moderation: e.mod,
		Alerts:     slices.Clone(e.alerts),
	}
	p.ResponseP50, p.ResponseP90, p.Responses = e.replies.percentiles()
	if t.Sub(e.cache.at) >= time.Second || t.Before(e.cache.at) || e.cache.feed == nil {
		all := make(map[string]int)
		e.cache.feed = make(map[string][]Count, len(e.feeds))
		for _, fs := range e.feeds {
			one := make(map[string]int)
			fs.terms.sum(cur, one)
			e.cache.feed[fs.name] = e.shown(top(one, topN))
			for k, n := range one {
				all[k] += n
			}
		}
		e.cache.terms = e.shown(top(all, topN))
		e.cache.at = t
	}
	p.TopTerms = slices.Clone(e.cache.terms)
	if e.cfg.Text != nil {
		names := e.cfg.Text.Watch()
		for i, n := range e.watch {
			if n > 0 && i < len(names) {
				p.Watch = append(p.Watch, Count{Key: names[i], N: n})
			}
		}
		slices.SortStableFunc(p.Watch, func(a, b Count) int { return b.N - a.N })
	}
	return p
}

// feedTerms returns the top terms of one feed now, largest first. The
// caller holds e.mu.
func (e *Engine) feedTerms(fs *feedState, cur int64, n int) []Count {
	one := make(map[string]int)
	fs.terms.sum(cur, one)
	return e.shown(top(one, n))
}

// clip returns the start of s, at most n bytes, cut on a rune boundary;
// it may share s.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
