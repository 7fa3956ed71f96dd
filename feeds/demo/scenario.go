package demo

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

// platform identifies one simulated network.
type platform uint8

const (
	platTwitch platform = iota
	platIRC
	platMastodon
	platBluesky
)

// platSpec is what differs between the simulated platforms.
type platSpec struct {
	id      platform
	name    string
	style   style
	maxText int
	// emote, lol and sad fill {emote}, {lol} and {sad}.
	emote, lol, sad []string
	// noticeRate scales the twitch sub notices; actionP is the share of
	// "/me" lines.
	notices bool
	actionP float64
}

var platforms = []*platSpec{
	{
		id: platTwitch, name: "twitch", style: chatStyle, maxText: 500, notices: true, actionP: 0.015,
		emote: []string{"PogChamp", "Pog", "PogU", "POGGERS", "catJAM", "SeemsGood", "Kreygasm", "EZ Clap", "<3", "peepoHappy", "HYPERS"},
		lol:   []string{"KEKW", "LUL", "OMEGALUL", "Kappa", "LULW", "4Head", "KEKW KEKW"},
		sad:   []string{"monkaS", "NotLikeThis", "PepeHands", "Sadge", "BibleThump", "D:", "WutFace", "FeelsBadMan"},
	},
	{
		id: platIRC, name: "irc", style: chatStyle, maxText: 400, actionP: 0.035,
		emote: []string{":D", "\\o/", ":)", "^^", "o/", ":-)"},
		lol:   []string{"xD", "haha", ":P", "lol", "xD xD"},
		sad:   []string{":(", "D:", ":/", "-_-", ":'("},
	},
	{
		id: platMastodon, name: "mastodon", style: postStyle, maxText: 500,
		emote: []string{"🔥", "😍", "🎧", "✨", "🤩", "👀", "🙌", "💜"},
		lol:   []string{"😂", "🤣", "😅", "💀"},
		sad:   []string{"😬", "😟", "😡", "🫠", "😤", "🙃"},
	},
	{
		id: platBluesky, name: "bluesky", style: postStyle, maxText: 300,
		emote: []string{"🔥", "😍", "🎧", "✨", "🤩", "👀", "🙌", "🦋"},
		lol:   []string{"😂", "🤣", "😅", "💀"},
		sad:   []string{"😬", "😟", "😡", "🫠", "😤", "🙃"},
	},
}

func lookupPlatform(name string) (*platSpec, error) {
	for _, p := range platforms {
		if p.name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("demo: unknown platform %q (want twitch, irc, mastodon or bluesky)", name)
}

// channel is where the platform's events are said to come from.
func (p *platSpec) channel(brand string) string {
	switch p.id {
	case platTwitch:
		return "#" + brand
	case platIRC:
		return "#" + brand + "-fans"
	}
	return "#LumioHalo"
}

// phase is a stretch of the timeline with its own mood and intensity.
type phase uint8

const (
	phWarmup phase = iota
	phReveal
	phPrice
	phCrisis
	phRecovery
	phQA
	phSteady
	phFlare
	phAftershock
	numPhases
)

var phaseNames = [numPhases]string{"warm-up", "reveal", "price", "crisis", "recovery", "q&a", "steady", "flare-up", "aftershock"}

// The scripted timeline, in seconds of scenario time.
const (
	tReveal   = 40  // the product appears on stage at ~0:45
	tPrice    = 100 // the price is announced at ~1:45
	tCrisis   = 175 // the stage demo cuts out, the review embargo lifts: ~3:00
	tRecovery = 270 // after ~90 s at 3-5x, things slowly calm down
	tQA       = 380 // audience Q&A, with a small flare around 7:10
	tLoop     = 480 // end of the script: 4-minute cycles with one flare each
	cycleLen  = 240
)

// weights is how likely each drawn category is, by phase.
var weights = [numPhases][numDrawn]int{
	//          greet wait hype surp ques qpri qcri prRe joke comp trol trCr spam cmpl worr defe fix chat pres repl
	phWarmup:     {18, 22, 0, 0, 12, 6, 0, 0, 8, 3, 3, 0, 4, 0, 0, 0, 0, 14, 2, 9},
	phReveal:     {3, 0, 38, 0, 12, 10, 0, 0, 8, 8, 4, 0, 3, 0, 0, 0, 0, 5, 3, 11},
	phPrice:      {2, 0, 12, 0, 16, 2, 0, 30, 7, 9, 5, 0, 3, 0, 0, 0, 0, 4, 3, 10},
	phCrisis:     {1, 0, 1, 0, 4, 0, 8, 1, 6, 2, 2, 7, 3, 32, 14, 4, 0, 2, 2, 12},
	phRecovery:   {2, 0, 6, 0, 8, 0, 10, 2, 6, 3, 3, 3, 3, 10, 7, 14, 12, 4, 2, 12},
	phQA:         {4, 0, 12, 0, 22, 0, 3, 6, 7, 9, 4, 0, 4, 2, 1, 1, 5, 10, 1, 11},
	phSteady:     {5, 0, 12, 0, 16, 0, 2, 6, 8, 7, 4, 1, 5, 3, 1, 2, 4, 14, 1, 11},
	phFlare:      {3, 0, 14, 26, 10, 0, 0, 4, 7, 4, 4, 0, 8, 0, 0, 0, 0, 8, 1, 11},
	phAftershock: {2, 0, 3, 0, 6, 0, 8, 1, 5, 3, 2, 6, 3, 26, 10, 10, 8, 3, 2, 12},
}

var weightTotal = func() (t [numPhases]int) {
	for ph := range weights {
		for _, x := range weights[ph] {
			t[ph] += x
		}
	}
	return t
}()

// noticeP is the share of twitch events that are sub notices, by phase.
var noticeP = [numPhases]float64{0.03, 0.045, 0.05, 0.01, 0.015, 0.03, 0.03, 0.05, 0.015}

// pFrench is the share of messages written in French.
const pFrench = 0.41

const ringSize = 64

// recent is a message others may reply to.
type recent struct {
	id     string
	author string
	who    int // index in the cast, -1 for spammers
	lang   lang
	cat    cat
}

// Scenario is the pure, deterministic generator behind the demo connector:
// the same platform, seed and rate always give the same events. It is not
// safe for concurrent use, except Phase.
type Scenario struct {
	plat    *platSpec
	key     uint64
	rate    float64
	brand   string
	channel string
	prefix  string

	rng      *rand.Rand
	zipf     [2]*rand.Zipf
	ztroll   *rand.Zipf
	cast     *cast
	lastSeen []time.Duration // scenario time+1 of each person's last message, 0 = never

	t        time.Duration
	inten    float64
	n        uint64
	nextRaid time.Duration
	lastSpam time.Duration
	ring     [ringSize]recent
	ringN    int
	muted    map[string]time.Duration
	lately   [24]*tmpl
	latelyN  int

	buf []byte
}

// NewScenario returns the generator for one platform ("twitch", "irc",
// "mastodon" or "bluesky"). rate is the average number of messages per
// second in calm phases; <= 0 means 2.
func NewScenario(platform string, seed int64, rate float64) (*Scenario, error) {
	p, err := lookupPlatform(platform)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(rate) || rate <= 0 {
		rate = 2
	}
	if math.IsInf(rate, 0) || rate > 1e6 {
		return nil, errors.New("demo: rate must be at most 1e6 messages per second")
	}
	key := mix64(uint64(seed) ^ hashString(p.name))
	s := &Scenario{
		plat:   p,
		key:    key,
		rate:   rate,
		prefix: p.name + "-",
		rng:    rand.New(rand.NewPCG(key, mix64(key+1))),
		muted:  map[string]time.Duration{},
		buf:    make([]byte, 0, 512),
	}
	s.setBrand("lumio")
	s.cast = newCast(p, s.rng)
	s.lastSeen = make([]time.Duration, len(s.cast.people))
	s.zipf[fr] = rand.NewZipf(s.rng, 1.1, 5, uint64(len(s.cast.byLang[fr])-1))
	s.zipf[en] = rand.NewZipf(s.rng, 1.1, 5, uint64(len(s.cast.byLang[en])-1))
	s.ztroll = rand.NewZipf(s.rng, 1.3, 1, uint64(len(s.cast.trolls)-1))
	_, s.inten, _ = s.shape(0)
	s.nextRaid = 22 * time.Second
	return s, nil
}

func (s *Scenario) setBrand(b string) {
	s.brand = b
	s.channel = s.plat.channel(b)
}

// Phase names the part of the timeline at offset at: "warm-up", "reveal",
// "price", "crisis", "recovery", "q&a", then, after the scripted eight
// minutes, "steady" with a "flare-up", "aftershock" or "q&a" in each
// four-minute cycle. It depends only on the seed and is safe to call
// concurrently with Next.
func (s *Scenario) Phase(at time.Duration) string {
	ph, _, _ := s.shape(at)
	return phaseNames[ph]
}

// Intensity is the rate multiplier at offset at: about 1 in calm phases,
// 3-5 at the peak of the crisis.
func (s *Scenario) Intensity(at time.Duration) float64 {
	_, i, _ := s.shape(at)
	return i
}

// burst rises linearly over rise seconds to 1 at peak, then decays.
func burst(t, peak, rise, decay float64) float64 {
	switch {
	case t < peak-rise:
		return 0
	case t < peak:
		return (t - (peak - rise)) / rise
	}
	return math.Exp(-(t - peak) / decay)
}

// shape is the phase, intensity and surprise topic at offset at.
func (s *Scenario) shape(at time.Duration) (phase, float64, int) {
	t := at.Seconds()
	switch {
	case t < tReveal:
		return phWarmup, 0.9 + 0.2*math.Max(t, 0)/tReveal, 0
	case t < tPrice:
		return phReveal, 1.2 + 3.0*burst(t, 45, 5, 18), 0
	case t < tCrisis:
		return phPrice, 1.3 + 2.6*burst(t, 105, 4, 20), 0
	case t < tRecovery:
		ramp := math.Min((t-tCrisis)/10, 1)
		return phCrisis, 1.3 + ramp*(3.0+0.25*math.Sin((t-tCrisis)/7)), 0
	case t < tQA:
		return phRecovery, 1.2 + 3.1*math.Exp(-(t-tRecovery)/30), 0
	case t < tLoop:
		return phQA, 1.1 + 1.0*burst(t, 430, 5, 15), 0
	}
	k := math.Floor((t - tLoop) / cycleLen)
	tc := t - tLoop - k*cycleLen
	h := mix64(s.key ^ (uint64(k)+1)*0x9E3779B97F4A7C15)
	kind := [3]phase{phFlare, phAftershock, phQA}[h%3]
	base := 0.9 + float64(h>>8%30)/100
	start := 25 + float64(h>>16%140)
	dur := 35 + float64(h>>24%45)
	var amp float64
	switch kind {
	case phFlare:
		amp = 1.4 + float64(h>>32%120)/100
	case phAftershock:
		amp = 1.2 + float64(h>>32%100)/100
	default:
		amp = 0.4 + float64(h>>32%40)/100
	}
	in := base + amp*burst(tc, start+5, 5, dur/2)
	ph := phSteady
	if tc >= start && tc < start+dur {
		ph = kind
	}
	return ph, in, int(h >> 40 % 3)
}

// Next returns the next event and its offset from the scenario start.
// Offsets never decrease. ev.Time is zero and ev.Feed is the platform name:
// the connector sets both.
func (s *Scenario) Next() (at time.Duration, ev feeds.Event) {
	dt := s.rng.ExpFloat64() / (s.rate * s.inten)
	s.t += time.Duration(dt * float64(time.Second))
	ph, inten, topic := s.shape(s.t)
	s.inten = inten
	return s.t, s.event(s.t, ph, topic)
}

// SkipTo moves the scenario clock forward to at without generating the
// events in between, as a real feed misses what was said while it was
// disconnected. IDs keep counting up.
func (s *Scenario) SkipTo(at time.Duration) {
	if at <= s.t {
		return
	}
	s.t = at
	_, s.inten, _ = s.shape(at)
	if s.nextRaid < at {
		s.nextRaid = at + time.Duration(30+s.rng.IntN(150))*time.Second
	}
}

// mute keeps author quiet until the scenario time until (a timeout or ban).
func (s *Scenario) mute(author string, until time.Duration) {
	s.muted[author] = until
}

func (s *Scenario) isMuted(handle string, at time.Duration) bool {
	if len(s.muted) == 0 {
		return false
	}
	until, ok := s.muted[handle]
	if !ok {
		return false
	}
	if at >= until {
		delete(s.muted, handle)
		return false
	}
	return true
}

func (s *Scenario) base(at time.Duration, k feeds.Kind) feeds.Event {
	s.n++
	return feeds.Event{
		Feed:     s.plat.name,
		Platform: s.plat.name,
		ID:       s.prefix + strconv.FormatUint(s.n, 10),
		Kind:     k,
		Channel:  s.channel,
	}
}

// event makes the event at offset at.
func (s *Scenario) event(at time.Duration, ph phase, topic int) feeds.Event {
	p := s.plat
	if p.notices && at >= s.nextRaid {
		s.nextRaid = at + time.Duration(150+s.rng.IntN(180))*time.Second
		return s.raid(at)
	}
	r := s.rng.Float64()
	var np float64
	if p.notices {
		np = noticeP[ph]
		if r < np {
			return s.subNotice(at)
		}
	}
	if r < np+p.actionP {
		return s.action(at)
	}
	c := s.draw(ph)
	var target *recent
	if c == cReply {
		if target = s.replyTarget(); target == nil {
			c = cChatter
		}
	}

	// Choose the author, and with it the language.
	l := en
	if s.rng.Float64() < pFrench {
		l = fr
	}
	who := -1
	var handle, name string
	var badges []string
	switch c {
	case cSpam:
		handle, name = p.spammer(s.rng)
		s.lastSpam = at
	case cTroll, cTrollCrisis:
		who = s.pickTroll(at)
		if x := &s.cast.people[who]; s.rng.Float64() < 0.8 {
			l = x.lang
		}
	case cPress:
		if len(s.cast.press) == 0 {
			c = cChatter
			who = s.pickPerson(l, at)
			break
		}
		who = s.cast.press[s.rng.IntN(len(s.cast.press))]
		l = s.cast.people[who].lang
	case cGreet:
		// Hellos come from people arriving, not from the regulars
		// already talking.
		pool := s.cast.byLang[l]
		who = pool[s.rng.IntN(len(pool))]
		if s.lastSeen[who] > 0 || s.isMuted(s.cast.people[who].handle, at) {
			c = cChatter
			who = s.pickPerson(l, at)
		}
	default:
		if target != nil && s.rng.Float64() < 0.85 {
			l = target.lang
		}
		who = s.pickPerson(l, at)
		if target != nil && who == target.who {
			who = s.pickPerson(l, at)
		}
	}
	if who >= 0 {
		x := &s.cast.people[who]
		handle, name, badges = x.handle, x.name, x.badges
		seen := s.lastSeen[who]
		switch {
		case c != cReply && !x.troll && x.rank < regularTop && seen > 0 && at-seen > 150*time.Second && s.rng.Float64() < 0.5:
			c = cBack
		case x.mod && p.style == chatStyle && (ph == phCrisis || ph == phAftershock || (s.lastSpam > 0 && at-s.lastSpam < 20*time.Second)) && s.rng.Float64() < 0.3:
			c = cMod
		}
		s.lastSeen[who] = at + 1
	}

	// Resolve the category to the templates actually used.
	tc := c
	switch c {
	case cComplaint, cWorried, cQCrisis:
		// The first seconds of the crisis are the demo cutting out on stage.
		if ph == phCrisis && at < (tCrisis+18)*time.Second && s.rng.Float64() < 0.6 {
			tc = cGlitch
		}
	case cSurprise:
		tc = [3]cat{cGiveaway, cColor, cGuest}[topic]
	case cPress:
		tc = pressCat(ph)
	case cReply:
		tc = s.replyCat(target, at)
	}

	ev := s.base(at, feeds.KindMessage)
	ev.Author, ev.AuthorName = handle, name
	if len(badges) > 0 {
		ev.Badges = append([]string(nil), badges...)
	}
	lower := who >= 0 && s.cast.people[who].lower
	ev.Text = s.compose(tc, l, ph, target, handle, lower)
	if target != nil {
		ev.ReplyTo = target.id
	}
	s.remember(recent{id: ev.ID, author: handle, who: who, lang: l, cat: c})
	return ev
}

func pressCat(ph phase) cat {
	switch ph {
	case phWarmup:
		return cPressWarm
	case phReveal:
		return cPressReveal
	case phPrice:
		return cPressPrice
	case phCrisis:
		return cPressCrisis
	case phRecovery, phAftershock:
		return cPressRecovery
	}
	return cPressSteady
}

// draw picks a category from the phase's weights.
func (s *Scenario) draw(ph phase) cat {
	n := s.rng.IntN(weightTotal[ph])
	for c, x := range &weights[ph] {
		if n < x {
			return cat(c)
		}
		n -= x
	}
	return cChatter
}

// pickPerson draws a regular of language l, the most active most often.
func (s *Scenario) pickPerson(l lang, at time.Duration) int {
	if s.rng.Float64() < 0.06 {
		l = 1 - l // a bilingual regular from the other pool
	}
	pool := s.cast.byLang[l]
	var who int
	for try := 0; try < 4; try++ {
		who = pool[s.zipf[l].Uint64()]
		if !s.isMuted(s.cast.people[who].handle, at) {
			return who
		}
	}
	for try := 0; try < 8; try++ {
		who = pool[s.rng.IntN(len(pool))]
		if !s.isMuted(s.cast.people[who].handle, at) {
			break
		}
	}
	return who
}

func (s *Scenario) pickTroll(at time.Duration) int {
	var who int
	for try := 0; try < 4; try++ {
		who = s.cast.trolls[s.ztroll.Uint64()]
		if !s.isMuted(s.cast.people[who].handle, at) {
			return who
		}
	}
	// Every troll is banned: a fresh account takes over, as they do.
	return s.pickPerson(en, at)
}

func (s *Scenario) remember(r recent) {
	s.ring[s.ringN%ringSize] = r
	s.ringN++
}

// replyTarget picks a recent message to answer, recent ones more often.
func (s *Scenario) replyTarget() *recent {
	n := min(s.ringN, 32)
	if n == 0 {
		return nil
	}
	f := s.rng.Float64()
	back := int(float64(n) * f * f)
	return &s.ring[(s.ringN-1-back)%ringSize]
}

// replyCat chooses what kind of answer a message gets.
func (s *Scenario) replyCat(t *recent, at time.Duration) cat {
	switch t.cat {
	case cQPrice:
		if at.Seconds() >= tPrice+5 {
			return cRAnswerPrice
		}
		return cRAnswer
	case cQCrisis:
		return cRCrisisAnswer
	case cQuestion:
		return cRAnswer
	case cTroll, cTrollCrisis:
		return cRTroll
	case cSpam:
		return cRSpam
	case cComplaint, cWorried:
		if s.rng.Float64() < 0.6 {
			return cRAgree
		}
		return cRDefend
	case cDefender, cFix:
		if s.rng.Float64() < 0.5 {
			return cRAgree
		}
		return cRGeneric
	case cHype, cSurprise, cPriceReact, cWaiting:
		return cRHype
	case cGreet, cBack:
		return cRWelcome
	}
	return cRGeneric
}

// mood is the emote family a category calls for.
func mood(c cat) slot {
	switch c {
	case cHype, cWaiting, cPriceReact, cGiveaway, cColor, cGuest, cRHype, cFThanks:
		return sEmote
	case cJoke, cTroll, cTrollCrisis, cRTroll, cRGeneric:
		return sLol
	case cComplaint, cWorried, cFAngry:
		return sSad
	}
	return sLit
}

// compose writes the text of one message from category c in language l.
func (s *Scenario) compose(c cat, l lang, ph phase, target *recent, self string, lower bool) string {
	p := s.plat
	b := s.buf[:0]
	if target != nil {
		b = appendMention(b, p, target.author)
	}
	start := len(b)
	first := s.template(c, l, p.style == postStyle, nil)
	if p.style == chatStyle {
		// People say the same thing in their own words: a filler word
		// before or after, an emote, lower case.
		decorate := c != cSpam && c != cMod && s.rng.Float64() < 0.4
		prefixed := decorate && target == nil && first.lit0 && s.rng.IntN(3) == 0
		if prefixed {
			b = append(b, pick(s.rng, fillerPrefix[l])...)
		}
		mark := len(b)
		b = s.render(b, first, l, self)
		if prefixed {
			lowerFirst(b[mark:])
		}
		if decorate && !prefixed && !first.emote {
			switch last := b[len(b)-1]; last {
			case '?':
				b = append(b, pick(s.rng, questionSuffix[l])...)
			default:
				// Drawn even when unused, so the stream stays the same.
				if f := pick(s.rng, fillerSuffix[l]); last != '.' {
					b = append(b, f...)
				}
			}
		}
		emoteP := 0.15
		if p.id == platTwitch {
			emoteP = 0.25
		}
		if m := mood(c); m != sLit && !first.emote && s.rng.Float64() < emoteP {
			b = append(b, ' ')
			b = s.appendValue(b, m, l, self)
		}
		if lower && first.lit0 {
			lowerFirst(b[start:])
		}
	} else {
		b = s.render(b, first, l, self)
		capital := !lower && target == nil
		if capital {
			upperFirst(b[start:])
		}
		// A second sentence of the same kind makes a fuller post, when it
		// fits. Replies and spam stay one-liners.
		extra := 0.7
		switch {
		case target != nil || c == cSpam || c >= cPressWarm && c <= cPressSteady:
			extra = 0
		case !first.chat:
			extra = 0.15 // already a long post
		case p.id == platBluesky:
			extra = 0.4
		}
		if extra > 0 && s.rng.Float64() < extra {
			one := len(b)
			b = endSentence(b)
			mark := len(b)
			second := s.template(c, l, false, first)
			if second != nil {
				b = s.render(b, second, l, self)
				if capital {
					upperFirst(b[mark:])
				}
			}
			if len(b) == mark || runeCount(b) > p.maxText-40 {
				b = b[:one]
			} else if p.id == platMastodon && first.chat && s.rng.Float64() < 0.5 {
				// Toots run longer: a third short thought.
				two := len(b)
				b = endSentence(b)
				mark = len(b)
				// Earlier sentences are excluded as used lately; pass the one
				// that tagged the brand, so that it is tagged only once.
				not := first
				if second.brand {
					not = second
				}
				if third := s.template(c, l, false, not); third != nil {
					b = s.render(b, third, l, self)
					if capital {
						upperFirst(b[mark:])
					}
				}
				if len(b) == mark || runeCount(b) > p.maxText-40 {
					b = b[:two]
				}
			}
		}
		b = s.appendTags(b, l, ph, c)
	}
	if runeCount(b) > p.maxText {
		b = truncateRunes(b, p.maxText)
	}
	s.buf = b
	return string(b)
}

func appendMention(b []byte, p *platSpec, handle string) []byte {
	if p.id == platIRC {
		b = append(b, handle...)
		return append(b, ": "...)
	}
	b = append(b, '@')
	b = append(b, handle...)
	return append(b, ' ')
}

// appendTags adds the hashtags a post carries, as far as they fit.
func (s *Scenario) appendTags(b []byte, l lang, ph phase, c cat) []byte {
	if c == cSpam && s.rng.Float64() < 0.5 {
		return b
	}
	room := s.plat.maxText - runeCount(b)
	switch s.plat.id {
	case platMastodon:
		b, room = appendTag(b, room, tagLumioHalo)
		if (ph == phCrisis || ph == phAftershock) && s.rng.Float64() < 0.3 {
			b, _ = appendTag(b, room, tagHaloGate)
		} else if s.rng.Float64() < 0.45 {
			b, _ = appendTag(b, room, pick(s.rng, hashtagBytes[l]))
		}
	case platBluesky:
		if s.rng.Float64() < 0.35 {
			b, _ = appendTag(b, room, tagLumioHalo)
		}
	}
	return b
}

var (
	tagLumioHalo = []byte("#LumioHalo")
	tagHaloGate  = []byte("#HaloGate")
	hashtagBytes = func() (t [2][][]byte) {
		for l := range hashtags {
			for _, h := range hashtags[l] {
				t[l] = append(t[l], []byte(h))
			}
		}
		return t
	}()
)

// appendTag adds " tag" when it fits in room runes and is not there yet.
func appendTag(b []byte, room int, tag []byte) ([]byte, int) {
	n := 1 + runeCount(tag)
	if n > room {
		return b, room
	}
	if bytes.Contains(b, tag) {
		return b, room
	}
	b = append(b, ' ')
	return append(b, tag...), room - n
}

// template picks a template of category c in language l for the platform's
// style, avoiding those used lately so that a busy chat does not echo.
// preferPost favours the long post-only templates on social platforms; not,
// when set, excludes that template and the post-only ones.
func (s *Scenario) template(c cat, l lang, preferPost bool, not *tmpl) *tmpl {
	ts := lib[s.plat.style][c][l]
	longP := 0.4
	if s.plat.id == platMastodon {
		longP = 0.75
	}
	var t *tmpl
	for try := 0; ; try++ {
		if try == 8 {
			if not != nil {
				return nil // no second sentence fits
			}
			break
		}
		t = ts[s.rng.IntN(len(ts))]
		if not != nil && (t == not || !t.chat || t.brand && not.brand) {
			continue
		}
		if preferPost && try < 3 && t.chat && s.rng.Float64() < longP {
			continue
		}
		if (try < 5 || not != nil) && s.usedLately(t) {
			continue
		}
		break
	}
	s.lately[s.latelyN%len(s.lately)] = t
	s.latelyN++
	return t
}

func (s *Scenario) usedLately(t *tmpl) bool {
	for _, u := range &s.lately {
		if u == t {
			return true
		}
	}
	return false
}

// render appends template t filled in language l.
func (s *Scenario) render(b []byte, t *tmpl, l lang, self string) []byte {
	for i := range t.parts {
		pt := &t.parts[i]
		if pt.slot == sLit {
			b = append(b, pt.lit...)
			continue
		}
		b = s.appendValue(b, pt.slot, l, self)
	}
	return b
}

func (s *Scenario) appendValue(b []byte, sl slot, l lang, self string) []byte {
	r := s.rng
	switch sl {
	case sBrand:
		b = append(b, '@')
		return append(b, s.brand...)
	case sEmote:
		return append(b, pick(r, s.plat.emote)...)
	case sLol:
		return append(b, pick(r, s.plat.lol)...)
	case sSad:
		return append(b, pick(r, s.plat.sad)...)
	case sUser:
		if s.plat.id != platIRC {
			b = append(b, '@')
		}
		return append(b, s.mention(self)...)
	case sLink:
		b = append(b, "https://"...)
		b = append(b, pick(r, values[sLink][l])...)
		if r.IntN(2) == 0 {
			b = append(b, "?ref="...)
			b = strconv.AppendInt(b, int64(1000+r.IntN(9000)), 10)
		}
		return b
	}
	return append(b, pick(r, values[sl][l])...)
}

// mention is the handle of someone recently active other than self.
func (s *Scenario) mention(self string) string {
	if n := min(s.ringN, ringSize); n > 0 {
		for try := 0; try < 3; try++ {
			rc := &s.ring[(s.ringN-1-s.rng.IntN(n))%ringSize]
			if rc.who >= 0 && rc.author != self {
				return rc.author
			}
		}
	}
	pool := s.cast.byLang[en]
	return s.cast.people[pool[s.rng.IntN(10)]].handle
}

// action makes a "/me" line.
func (s *Scenario) action(at time.Duration) feeds.Event {
	l := en
	if s.rng.Float64() < pFrench {
		l = fr
	}
	who := s.pickPerson(l, at)
	x := &s.cast.people[who]
	s.lastSeen[who] = at + 1
	ev := s.base(at, feeds.KindAction)
	ev.Author, ev.AuthorName = x.handle, x.name
	if len(x.badges) > 0 {
		ev.Badges = append([]string(nil), x.badges...)
	}
	c := cAction
	if at >= (tPrice+5)*time.Second && s.rng.IntN(3) == 0 {
		c = cActionLate
	}
	b := s.render(s.buf[:0], s.template(c, x.lang, false, nil), x.lang, x.handle)
	s.buf = b
	ev.Text = string(b)
	return ev
}

var raiders = []string{"techwithnina", "le_studio_geek", "audiophile_andy", "bytesizedtv", "lagazette_tech", "pixelpanda_live", "gadgetgrotto", "soundlab_qc"}

// raid is a twitch raid notice.
func (s *Scenario) raid(at time.Duration) feeds.Event {
	ev := s.base(at, feeds.KindNotice)
	from := pick(s.rng, raiders)
	ev.Author, ev.AuthorName = from, capitalize(from)
	b := append(s.buf[:0], "raid from @"...)
	b = append(b, from...)
	b = append(b, " with "...)
	b = strconv.AppendInt(b, int64(40+s.rng.IntN(860)), 10)
	b = append(b, " viewers"...)
	s.buf = b
	ev.Text = string(b)
	return ev
}

// subNotice is a twitch subscription or gift notice.
func (s *Scenario) subNotice(at time.Duration) feeds.Event {
	l := en
	if s.rng.Float64() < pFrench {
		l = fr
	}
	who := s.pickPerson(l, at)
	x := &s.cast.people[who]
	ev := s.base(at, feeds.KindNotice)
	ev.Author, ev.AuthorName = x.handle, x.name
	ev.Badges = append([]string(nil), feeds.BadgeSubscriber)
	if x.mod {
		ev.Badges = append(ev.Badges, feeds.BadgeModerator)
	}
	name := x.name
	if name == "" {
		name = x.handle
	}
	b := append(s.buf[:0], name...)
	r := s.rng
	switch k := r.IntN(10); {
	case k < 3:
		b = append(b, " subscribed for "...)
		b = strconv.AppendInt(b, int64(2+r.IntN(30)), 10)
		b = append(b, " months"...)
	case k < 5:
		b = append(b, " subscribed with Prime"...)
	case k < 7:
		b = append(b, " subscribed at Tier 1. They've subscribed for "...)
		b = strconv.AppendInt(b, int64(2+r.IntN(40)), 10)
		b = append(b, " months!"...)
	case k < 8:
		b = append(b, " is gifting "...)
		b = strconv.AppendInt(b, int64(pick(r, []int{1, 5, 5, 10, 20, 50})), 10)
		b = append(b, " Tier 1 Subs to "...)
		b = append(b, capitalize(s.brand)...)
		b = append(b, "'s community!"...)
	case k < 9:
		o := &s.cast.people[s.cast.byLang[en][r.IntN(castEN)]]
		b = append(b, " gifted a Tier 1 sub to "...)
		b = append(b, o.handle...)
		b = append(b, '!')
	default:
		b = append(b, " subscribed at Tier 1"...)
	}
	s.buf = b
	ev.Text = string(b)
	return ev
}

// endSentence closes a sentence before another is added. A trailing
// mention or hashtag is left as it is.
func endSentence(b []byte) []byte {
	word := b[bytes.LastIndexByte(b, ' ')+1:]
	if len(word) > 0 && (word[0] == '@' || word[0] == '#') {
		return append(b, ' ')
	}
	if n := len(b); n > 0 {
		switch b[n-1] {
		case '.', '!', '?', ')':
		default:
			if r, _ := utf8.DecodeLastRune(b); r < 0x80 {
				b = append(b, '.')
			}
		}
	}
	return append(b, ' ')
}

func upperFirst(b []byte) {
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
}

func lowerFirst(b []byte) {
	// Leave shouting ("TAKE MY MONEY") and "I" alone.
	if len(b) > 1 && b[0] >= 'A' && b[0] <= 'Z' && b[1] >= 'a' && b[1] <= 'z' {
		b[0] += 'a' - 'A'
	}
}

// runeCount counts the runes of valid UTF-8 without allocating.
func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

func truncateRunes(b []byte, n int) []byte {
	i := 0
	for k := 0; k < n && i < len(b); k++ {
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return b[:i]
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashString is FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
