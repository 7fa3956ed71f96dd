package demo

import (
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

var allPlatforms = []string{"twitch", "irc", "mastodon", "bluesky"}

type item struct {
	at time.Duration
	ev feeds.Event
}

func generate(t testing.TB, platform string, seed int64, rate float64, n int) []item {
	t.Helper()
	s, err := NewScenario(platform, seed, rate)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]item, n)
	for i := range out {
		out[i].at, out[i].ev = s.Next()
	}
	return out
}

// until generates events up to scenario offset end.
func until(t testing.TB, platform string, seed int64, rate float64, end time.Duration) []item {
	t.Helper()
	s, err := NewScenario(platform, seed, rate)
	if err != nil {
		t.Fatal(err)
	}
	var out []item
	for {
		at, ev := s.Next()
		if at > end {
			return out
		}
		out = append(out, item{at, ev})
	}
}

// A crude language guess on the scenario's own vocabulary, written apart
// from looksFrench so that the test does not grade itself.
var (
	frMarkers = []string{" je ", " j'", "c'est", " les ", " pas ", " est ", " pour ", " des ", " une ",
		" trop ", "vraiment", " mais ", " quoi", " avec ", " sur ", "ça", " vous ", " qui ",
		" quand", "combien", "merci", "écouteurs", " du ", " le ", " la ", "bonjour", "salut",
		"coucou", " il ", " ils ", "déjà", " mdr", "boîtier", " svp", " au ", " en ", "précommand",
		"franchement", " de ", "pareil", "bienvenue", " mon ", " ma ", " t'", " l'", " d'", "ouais",
		"grave", "bof", "nul", "oui", "rien", "danse", "chez"}
	enMarkers = []string{" the ", " is ", " it ", " you ", " and ", " this ", "what", " for ", " i ",
		"i'm", " my ", " are ", " to ", " of ", " with ", " does ", "when", " that ", " so ", " just ",
		" can ", "they", " how ", "lol", " yes", "same", "please", " any ", " new ", " on ", " in ",
		"thanks", "welcome", "hey", "back", " at ", "price", "mid", "ratio", "reported", "dances",
		"fair", "agreed", "true", "ikr", "100%", "hi ", "yo", "w", "re"}
)

func guessLang(text string) string {
	s := " " + strings.ToLower(text) + " "
	var frN, enN int
	for _, m := range frMarkers {
		if strings.Contains(s, m) {
			frN++
		}
	}
	for _, m := range enMarkers {
		if strings.Contains(s, m) {
			enN++
		}
	}
	switch {
	case frN > enN:
		return "fr"
	case enN > frN:
		return "en"
	}
	return "?"
}

func TestDeterministic(t *testing.T) {
	for _, p := range allPlatforms {
		a := generate(t, p, 42, 2, 2000)
		b := generate(t, p, 42, 2, 2000)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: same seed gave different events", p)
		}
		c := generate(t, p, 43, 2, 2000)
		same := 0
		for i := range a {
			if a[i].ev.Text == c[i].ev.Text && a[i].ev.Author == c[i].ev.Author {
				same++
			}
		}
		if same > 100 {
			t.Errorf("%s: seeds 42 and 43 share %d of 2000 events", p, same)
		}
	}
	// Platforms with the same seed differ too.
	a := generate(t, "twitch", 1, 2, 200)
	b := generate(t, "irc", 1, 2, 200)
	if a[0].at == b[0].at && a[1].at == b[1].at {
		t.Error("twitch and irc share their timing with the same seed")
	}
}

func TestInvariants(t *testing.T) {
	for _, p := range allPlatforms {
		items := until(t, p, 7, 3, 12*time.Minute)
		seen := map[string]bool{}
		var last time.Duration
		for i, it := range items {
			ev := it.ev
			if it.at < last {
				t.Fatalf("%s: event %d goes back in time: %v < %v", p, i, it.at, last)
			}
			last = it.at
			if seen[ev.ID] {
				t.Fatalf("%s: duplicate id %s", p, ev.ID)
			}
			if ev.ReplyTo != "" && !seen[ev.ReplyTo] {
				t.Fatalf("%s: %s replies to %s, which came before it: no", p, ev.ID, ev.ReplyTo)
			}
			seen[ev.ID] = true
			if ev.Platform != p || ev.Feed != p || ev.Channel == "" || !ev.Time.IsZero() {
				t.Fatalf("%s: bad envelope %+v", p, ev)
			}
			if ev.Author == "" || ev.Text == "" {
				t.Fatalf("%s: empty author or text: %+v", p, ev)
			}
			for _, f := range []string{ev.Text, ev.Author, ev.AuthorName, ev.Channel, ev.ID} {
				if !utf8.ValidString(f) {
					t.Fatalf("%s: invalid UTF-8 in %q", p, f)
				}
				for _, r := range f {
					if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
						t.Fatalf("%s: control character %U in %q", p, r, f)
					}
				}
			}
			if n := utf8.RuneCountInString(ev.Text); n > platforms[slices.IndexFunc(platforms, func(s *platSpec) bool { return s.name == p })].maxText {
				t.Fatalf("%s: %d runes: %q", p, n, ev.Text)
			}
			if strings.Contains(ev.Text, "{") || strings.Contains(ev.Text, "}") {
				t.Fatalf("%s: unfilled slot in %q", p, ev.Text)
			}
			if n := len(brandMention.FindAllString(ev.Text, -1)); n > 1 {
				t.Fatalf("%s: brand tagged %d times in %q", p, n, ev.Text)
			}
			sentences := map[string]bool{}
			for _, s := range sentenceEnd.Split(ev.Text, -1) {
				if len(s) > 12 && sentences[s] {
					t.Fatalf("%s: sentence repeated in %q", p, ev.Text)
				}
				sentences[s] = true
			}
		}
	}
}

var (
	brandMention = regexp.MustCompile(`@lumio([^\w.-]|$)`)
	sentenceEnd  = regexp.MustCompile(`[.!?] `)
)

func median(xs []int) int {
	sort.Ints(xs)
	return xs[len(xs)/2]
}

func TestPlatformShape(t *testing.T) {
	lengths := map[string][]int{}
	for _, p := range allPlatforms {
		var badged, verified, notices, actions, replies int
		items := generate(t, p, 3, 2, 2000)
		for _, it := range items {
			ev := it.ev
			switch ev.Kind {
			case feeds.KindNotice:
				notices++
			case feeds.KindAction:
				actions++
			case feeds.KindMessage:
				lengths[p] = append(lengths[p], utf8.RuneCountInString(ev.Text))
			}
			if len(ev.Badges) > 0 {
				badged++
			}
			if ev.HasBadge(feeds.BadgeVerified) {
				verified++
			}
			if ev.ReplyTo != "" {
				replies++
			}
		}
		if replies < 100 {
			t.Errorf("%s: only %d replies between users in 2000 events", p, replies)
		}
		switch p {
		case "twitch":
			if badged < 500 {
				t.Errorf("twitch: only %d badged events", badged)
			}
			if notices < 20 || actions < 10 {
				t.Errorf("twitch: %d notices, %d /me actions", notices, actions)
			}
			if items[0].ev.Channel != "#lumio" {
				t.Errorf("twitch channel %q", items[0].ev.Channel)
			}
		case "irc":
			if actions < 20 || notices != 0 {
				t.Errorf("irc: %d notices, %d /me actions", notices, actions)
			}
			if items[0].ev.Channel != "#lumio-fans" || items[0].ev.AuthorName != "" {
				t.Errorf("irc envelope %+v", items[0].ev)
			}
		case "mastodon", "bluesky":
			if verified < 20 {
				t.Errorf("%s: only %d verified", p, verified)
			}
			if notices+actions != 0 {
				t.Errorf("%s: %d notices, %d actions", p, notices, actions)
			}
		}
		if p == "mastodon" {
			withTag := 0
			for _, it := range items {
				if strings.Contains(it.ev.Text, "#LumioHalo") {
					withTag++
				}
				if !strings.Contains(it.ev.Author, "@") {
					t.Fatalf("mastodon handle %q", it.ev.Author)
				}
			}
			if withTag < 1600 {
				t.Errorf("mastodon: only %d posts carry #LumioHalo", withTag)
			}
		}
		if p == "bluesky" {
			bsky := 0
			for _, it := range items {
				if strings.HasSuffix(it.ev.Author, ".bsky.social") {
					bsky++
				}
			}
			if bsky < 1400 {
				t.Errorf("bluesky: only %d handles on bsky.social", bsky)
			}
		}
	}
	tw, ir, ma, bs := median(lengths["twitch"]), median(lengths["irc"]), median(lengths["mastodon"]), median(lengths["bluesky"])
	t.Logf("median length: twitch %d, irc %d, mastodon %d, bluesky %d", tw, ir, ma, bs)
	if tw > 60 || ir > 60 {
		t.Errorf("chat lines too long: twitch %d, irc %d", tw, ir)
	}
	if ma < 2*tw || ma < 90 {
		t.Errorf("mastodon posts not long enough: %d vs twitch %d", ma, tw)
	}
	if bs <= tw || bs >= ma {
		t.Errorf("bluesky posts should sit between chat and mastodon: %d", bs)
	}
}

func TestLanguages(t *testing.T) {
	for _, p := range allPlatforms {
		count := map[string]int{}
		for _, it := range generate(t, p, 11, 2, 2000) {
			count[guessLang(it.ev.Text)]++
		}
		t.Logf("%s: %v", p, count)
		if count["fr"] < 600 || count["en"] < 800 {
			t.Errorf("%s: want >=30%% French and >=40%% English, got %v", p, count)
		}
	}
}

func TestContentMix(t *testing.T) {
	for _, p := range allPlatforms {
		s, err := NewScenario(p, 5, 2)
		if err != nil {
			t.Fatal(err)
		}
		trolls := map[string]bool{}
		for _, i := range s.cast.trolls {
			trolls[s.cast.people[i].handle] = true
		}
		var toBrand, spam, troll, back int
		for i := 0; i < 2000; i++ {
			_, ev := s.Next()
			text := strings.ToLower(ev.Text)
			if strings.Contains(text, "@lumio") && strings.Contains(text, "?") {
				toBrand++
			}
			if strings.Contains(text, "https://") || strings.Contains(text, "followers") {
				spam++
			}
			if trolls[ev.Author] {
				troll++
			}
			if strings.HasPrefix(text, "re") || strings.Contains(text, "back") || strings.Contains(text, "de retour") {
				back++
			}
		}
		t.Logf("%s: %d questions to the brand, %d spam, %d troll, %d comebacks", p, toBrand, spam, troll, back)
		if toBrand < 80 || spam < 30 || troll < 30 || back < 5 {
			t.Errorf("%s: thin mix: %d questions to the brand, %d spam, %d troll, %d comebacks", p, toBrand, spam, troll, back)
		}
	}
}

var complaintWords = []string{"disconnect", "overheat", " hot", "refund", "recall", "cut out", "drop",
	"déconnect", "surchauffe", "chauffe", "brûlant", "rembourse", "rappel", "coupé", "décroche", "coupe",
	"statement", "déclaration", "répond", "answer", "affected", "touchée", "concerné", "cancel", "annul",
	"safe", "dangereux", "risque", "insider", "firmware", "scared", "peur", "panic", "panique", "explain",
	"expliquez", "acceptable", "burning", "°c", "heat", "silence", "halogate", "demo", "démo"}

func complaint(text string) bool {
	text = strings.ToLower(text)
	for _, w := range complaintWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

func TestCrisis(t *testing.T) {
	for _, p := range allPlatforms {
		items := until(t, p, 9, 5, 5*time.Minute)
		var warm, crisis, warmBad, crisisBad int
		for _, it := range items {
			sec := it.at.Seconds()
			switch {
			case sec < 40:
				warm++
				if complaint(it.ev.Text) {
					warmBad++
				}
			case sec >= 185 && sec < 265:
				crisis++
				if complaint(it.ev.Text) {
					crisisBad++
				}
			}
		}
		warmRate, crisisRate := float64(warm)/40, float64(crisis)/80
		t.Logf("%s: warm-up %.1f/s, crisis %.1f/s (x%.1f); complaints %d/%d then %d/%d",
			p, warmRate, crisisRate, crisisRate/warmRate, warmBad, warm, crisisBad, crisis)
		if crisisRate < 2.5*warmRate {
			t.Errorf("%s: crisis rate %.1f/s is not 2.5x warm-up %.1f/s", p, crisisRate, warmRate)
		}
		if float64(crisisBad) < 0.4*float64(crisis) || float64(warmBad) > 0.05*float64(warm) {
			t.Errorf("%s: complaints %d/%d in crisis, %d/%d in warm-up", p, crisisBad, crisis, warmBad, warm)
		}
	}
}

func TestPhases(t *testing.T) {
	s, err := NewScenario("twitch", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		want string
	}{
		{0, "warm-up"}, {30 * time.Second, "warm-up"}, {45 * time.Second, "reveal"},
		{105 * time.Second, "price"}, {3 * time.Minute, "crisis"}, {4*time.Minute + 20*time.Second, "crisis"},
		{5 * time.Minute, "recovery"}, {7 * time.Minute, "q&a"},
	} {
		if got := s.Phase(c.at); got != c.want {
			t.Errorf("Phase(%v) = %q, want %q", c.at, got, c.want)
		}
	}
	// After the script: cycles of steady chatter with varied flares.
	kinds := map[string]bool{}
	for at := 8 * time.Minute; at < 68*time.Minute; at += time.Second {
		ph := s.Phase(at)
		if !slices.Contains(phaseNames[:], ph) {
			t.Fatalf("Phase(%v) = %q", at, ph)
		}
		kinds[ph] = true
	}
	if !kinds["steady"] || len(kinds) < 3 {
		t.Errorf("looping phases lack variety: %v", kinds)
	}
	if i := s.Intensity(200 * time.Second); i < 3 || i > 5 {
		t.Errorf("crisis intensity %.1f", i)
	}
}

func TestVarietyOverTenMinutes(t *testing.T) {
	for _, p := range allPlatforms {
		items := until(t, p, 21, 2, 10*time.Minute)
		texts := map[string]int{}
		authors := map[string]int{}
		msgs := 0
		for _, it := range items {
			if it.ev.Kind != feeds.KindMessage {
				continue
			}
			msgs++
			texts[it.ev.Text]++
			authors[it.ev.Author]++
		}
		counts := make([]int, 0, len(authors))
		for _, n := range authors {
			counts = append(counts, n)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(counts)))
		t.Logf("%s: %d messages, %d distinct texts, %d authors, most active %v, median %d",
			p, msgs, len(texts), len(authors), counts[:5], counts[len(counts)/2])
		if float64(len(texts)) < 0.7*float64(msgs) {
			t.Errorf("%s: only %d distinct texts in %d messages", p, len(texts), msgs)
		}
		// What a CM notices is a line repeated within a screen or two.
		repeats, worst := 0, 0
		for i := range items {
			n := 0
			for j := max(0, i-100); j < i; j++ {
				if items[j].ev.Text == items[i].ev.Text {
					n++
				}
			}
			if n > 0 {
				repeats++
			}
			worst = max(worst, n)
		}
		t.Logf("%s: %d of %d lines repeat one of the previous 100, at most %d times", p, repeats, len(items), worst)
		if float64(repeats) > 0.08*float64(len(items)) || worst > 3 {
			t.Errorf("%s: %d lines repeat a recent one, one up to %d times", p, repeats, worst)
		}
		if len(authors) < 120 {
			t.Errorf("%s: only %d authors", p, len(authors))
		}
		if counts[0] < 5*counts[len(counts)/2] {
			t.Errorf("%s: regulars not much more active than the median: %d vs %d", p, counts[0], counts[len(counts)/2])
		}
	}
}

func TestLibraryComplete(t *testing.T) {
	for st := range lib {
		for c := cat(0); c < numCats; c++ {
			for l := range lib[st][c] {
				n := len(lib[st][c][l])
				need := true
				switch c {
				case cPress, cReply, cSurprise:
					need = false // resolved to other categories
				case cPressWarm, cPressReveal, cPressPrice, cPressCrisis, cPressRecovery, cPressSteady:
					need = style(st) == postStyle
				case cMod, cAction, cActionLate:
					need = style(st) == chatStyle
				}
				if need && n == 0 {
					t.Errorf("no %v templates for category %d, language %d", style(st), c, l)
				}
			}
		}
	}
	if _, err := parseTemplate("hello {nope}"); err == nil {
		t.Error("unknown slot accepted")
	}
}

func TestHighRate(t *testing.T) {
	s, err := NewScenario("twitch", 1, 5000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		at, _ := s.Next()
		if at > time.Minute {
			break
		}
		n++
	}
	// One minute: 40 s of warm-up at ~1x, then the reveal burst.
	if n < 5000*60 || n > 5000*60*3 {
		t.Errorf("%d events in a minute at 5000/s", n)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewScenario("myspace", 1, 2); err == nil {
		t.Error("unknown platform accepted")
	}
	if _, err := New(Config{Platform: "facebook"}); err == nil {
		t.Error("New accepted an unknown platform")
	}
	s, err := NewScenario("irc", 1, -3)
	if err != nil || s.rate != 2 {
		t.Errorf("rate <= 0 should mean 2: %v %v", s.rate, err)
	}
}

func TestLooksFrench(t *testing.T) {
	for text, want := range map[string]bool{
		"ça marche avec Android ?":            true,
		"does it work with Android?":          false,
		"les miens chauffent, c'est normal ?": true,
		"thanks, that's all I needed":         false,
	} {
		if got := looksFrench(text); got != want {
			t.Errorf("looksFrench(%q) = %v", text, got)
		}
	}
}

func BenchmarkScenarioNext(b *testing.B) {
	for _, p := range allPlatforms {
		b.Run(p, func(b *testing.B) {
			s, err := NewScenario(p, 1, 5000)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var bytes int
			for b.Loop() {
				_, ev := s.Next()
				bytes += len(ev.Text)
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "text-bytes/event")
		})
	}
}
