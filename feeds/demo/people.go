package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tribune/tribune/feeds"
)

// The cast: for each platform about 150 regulars (60 French-speaking, 90
// English-speaking) ranked by how much they post, a handful of trolls and,
// on the social platforms, a few verified press accounts. Spammers are made
// up on the spot: they are throwaway accounts.

const (
	castFR     = 60
	castEN     = 90
	castTrolls = 8
	regularTop = 12 // ranks below this are the regulars whose comebacks are noticed
)

// person is one simulated account.
type person struct {
	handle string
	name   string   // display name; "" where the platform has none (irc)
	badges []string // read-only; copied into each event
	lang   lang
	rank   int // position in its language pool, 0 = most active
	lower  bool
	mod    bool
	troll  bool
}

// cast is the set of accounts a scenario draws from. It is immutable once
// built, so the connector reads it from Do without locking.
type cast struct {
	people []person
	byLang [2][]int // indices into people, most active first
	trolls []int
	press  []int
	index  map[string]int // by handle
}

// "login:Display" stems; the display part is kept when it carries accents.
var frStems = []string{
	"camille", "mehdi", "lucie", "theo:Théo", "ines:Inès", "hugo", "manon", "yanis",
	"chloe:Chloé", "nathan", "lea:Léa", "sofiane", "clara", "julien", "emma", "karim",
	"pauline", "maxime", "sarah", "antoine", "jade", "bastien", "lina", "romain",
	"zoe:Zoé", "kevin:Kévin", "anais:Anaïs", "florian", "oceane:Océane", "quentin",
	"margaux", "rayan", "elodie:Élodie", "thomas", "louise", "adrien", "aurelie:Aurélie",
	"samir", "justine", "baptiste", "amandine", "loic:Loïc", "nadia", "guillaume",
	"marine", "vincent", "alice", "jeremy:Jérémy", "celia:Célia", "axel", "helene:Hélène",
	"gaetan:Gaëtan", "fatou", "benoit:Benoît", "ophelie:Ophélie", "matthieu",
	"yasmine", "cedric:Cédric", "gabrielle", "etienne:Étienne", "frederique:Frédérique",
	"mathis", "noemie:Noémie", "josee:Josée", "maelle:Maëlle", "aymeric",
	"sebastien:Sébastien", "amelie:Amélie", "francois:François", "mael:Maël",
	"loutre", "patate", "chouquette", "kiwi", "croissant", "raclette", "tartiflette",
	"pepite:Pépite", "mouette", "crevette", "moustache", "titou", "poulpe", "biscotte",
	"bretzel", "cactus", "zebulon:Zébulon", "caribou", "poutine", "gaufre", "chocolatine",
	"pingouin", "hibou", "renard", "castor", "ecureuil:Écureuil", "limace",
	"pamplemousse", "tournesol", "grenouille",
}

var enStems = []string{
	"jake", "emily", "tyler", "hannah", "marcus", "olivia", "dylan", "megan", "ryan",
	"ashley", "connor", "brandon", "kayla", "ethan", "madison", "logan", "priya",
	"jordan", "aisha", "noah", "grace", "liam", "mason", "harper", "caleb", "riley",
	"owen", "nora", "devon", "maya", "isaac", "lena", "kai", "sophie", "mateo", "ava",
	"elijah", "ruby", "finn", "ivy", "jasper", "leah", "gavin", "tessa", "sean",
	"amara", "declan", "freya", "raj", "yuki", "omar", "ellie", "sienna", "zara",
	"chris", "dani", "morgan", "jess", "sam", "alex", "taylor", "jamie", "casey",
	"nico", "ben", "lucy", "oscar", "ravi", "mei", "diego", "sofia", "malik", "bianca",
	"quinn", "rowan", "hazel", "pixelfox", "nightowl", "bassdrop", "lofiluke", "glitchy",
	"techie", "audiophile", "snackattack", "vaporwave", "retrogamer", "beatmaker",
	"moonwalker", "coffeebean", "sleepycat", "quantum", "neonrider", "synthwave",
	"wavey", "crispy", "toastie", "bytesize", "captainchill", "noodle", "waffles",
	"pancake", "mango", "pickle", "sprout", "echo", "staticnoise", "lumen", "orbit",
	"comet", "nova", "rocket", "cloudy", "frosty", "spicy", "turbo", "ziggy",
}

var trollStems = []string{
	"halo_is_mid:en", "ratio_enjoyer:en", "copium_dealer:en", "le_rageux:fr",
	"not_buying_it:en", "trust_me_bro:en", "mid_detector:en", "pas_convaincu:fr",
	"boycott_all:en", "hot_take_larry:en", "vexa_stan:en", "anti_hype:fr",
	"jamais_content:fr", "actually_its_bad:en",
}

// press accounts for mastodon and bluesky: handle stem, display, language,
// mastodon instance, bluesky domain.
var pressAccounts = [][5]string{
	{"geartalk", "GearTalk Daily", "en", "mastodon.social", "geartalk.news"},
	{"ondetech", "OndeTech", "fr", "piaille.fr", "ondetech.fr"},
	{"soundcheck", "SoundCheck Weekly", "en", "techhub.social", "soundcheckweekly.com"},
	{"lelaboaudio", "Le Labo Audio", "fr", "mamot.fr", "lelabo-audio.fr"},
	{"techpulse", "TechPulse", "en", "mas.to", "techpulse.news"},
	{"numeriquematin", "Numérique Matin", "fr", "mastodon.social", "numeriquematin.fr"},
}

var lastNames = [2][]string{
	en: {"Smith", "Johnson", "Patel", "Kim", "Garcia", "O'Brien", "Walker", "Chen", "Nguyen",
		"Brown", "Murphy", "Wilson", "Hughes", "Singh", "Reyes", "Campbell", "Park", "Novak",
		"Foster", "Bennett"},
	fr: {"Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier",
		"Gauthier", "Benali", "Nguyen", "Tremblay", "Gagnon", "Peeters", "Lambert", "Mercier",
		"Diallo", "Haddad", "Leroy", "Bouchard", "Janssens", "Côté", "Rousseau", "Ndiaye"},
}

var instances = [2][]string{
	en: {"mastodon.social", "fosstodon.org", "hachyderm.io", "mas.to", "techhub.social", "mstdn.social"},
	fr: {"mastodon.social", "piaille.fr", "framapiaf.org", "mamot.fr", "eldritch.cafe", "mastodon.online"},
}

var nameEmoji = []string{"🎧", "✨", "🌻", "🦦", "🎶", "☕", "🌙", "🐸", "🍉", "🔊"}

var (
	badgeSub      = []string{feeds.BadgeSubscriber}
	badgeMod      = []string{feeds.BadgeModerator}
	badgeModSub   = []string{feeds.BadgeModerator, feeds.BadgeSubscriber}
	badgeVIPSub   = []string{feeds.BadgeVIP, feeds.BadgeSubscriber}
	badgeVerified = []string{feeds.BadgeVerified}
)

func splitStem(s string) (login, display string) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, capitalize(s)
}

// capitalize upper-cases the first letter of each underscore-separated word.
func capitalize(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '_' || c == '-' || c == '.' || c == ' '
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// newCast builds the accounts of one platform, deterministically from r.
func newCast(p *platSpec, r *rand.Rand) *cast {
	c := &cast{index: map[string]int{}}
	add := func(x person) int {
		base := x.handle
		for n := 2; ; n++ {
			if _, dup := c.index[x.handle]; !dup {
				break
			}
			x.handle = p.variant(base, n)
		}
		c.index[x.handle] = len(c.people)
		c.people = append(c.people, x)
		return len(c.people) - 1
	}
	for _, l := range []lang{fr, en} {
		stems, n := frStems, castFR
		if l == en {
			stems, n = enStems, castEN
		}
		order := r.Perm(len(stems))
		for rank := 0; rank < n; rank++ {
			login, display := splitStem(stems[order[rank%len(order)]])
			x := p.person(r, login, display, l)
			x.rank = rank
			c.byLang[l] = append(c.byLang[l], add(x))
		}
	}
	for _, i := range r.Perm(len(trollStems))[:castTrolls] {
		stem, lg, _ := strings.Cut(trollStems[i], ":")
		l := en
		if lg == "fr" {
			l = fr
		}
		x := p.troll(r, stem, l)
		x.troll = true
		c.trolls = append(c.trolls, add(x))
	}
	if p.style == postStyle {
		for _, a := range pressAccounts {
			l := en
			if a[2] == "fr" {
				l = fr
			}
			x := person{name: a[1], lang: l, badges: badgeVerified}
			if p.id == platMastodon {
				x.handle = a[0] + "@" + a[3]
			} else {
				x.handle = a[4]
			}
			c.press = append(c.press, add(x))
		}
	}
	// Roles on the chat platforms: a few moderators among the fairly active
	// regulars, some VIPs, and many subscribers on twitch.
	switch p.id {
	case platTwitch:
		for k, i := range r.Perm(40)[:7] {
			l := lang(k % 2)
			x := &c.people[c.byLang[l][2+i%30]]
			if k < 3 {
				x.mod, x.badges = true, badgeModSub
			} else if x.badges == nil {
				x.badges = badgeVIPSub
			}
		}
		for i := range c.people {
			x := &c.people[i]
			if x.badges == nil && !x.troll && r.Float64() < 0.45 {
				x.badges = badgeSub
			}
		}
	case platIRC:
		for k := 0; k < 2; k++ {
			x := &c.people[c.byLang[lang(k)][1+r.IntN(10)]]
			x.mod, x.badges = true, badgeMod
		}
	}
	return c
}

// displaySuffix is how a twitch login suffix reads in a display name.
var displaySuffix = map[string]string{
	"_": "_", "_tv": "_TV", "tv": "TV", "_live": "_Live", "_ttv": "_TTV", "x": "X",
	"_gg": "_GG", "_irl": "_IRL", "lol": "lol", "2k": "2K", "_fr": "_FR", "_qc": "_QC", "_be": "_BE",
}

// person makes one regular's account in the platform's conventions.
func (p *platSpec) person(r *rand.Rand, login, display string, l lang) person {
	x := person{lang: l}
	switch p.id {
	case platTwitch:
		suffixes := []string{"", "", "", "_", "_tv", "tv", "_live", "_ttv", "x", "_gg", "_irl", "lol", "2k"}
		if l == fr {
			suffixes = append(suffixes, "_fr", "_qc", "_be")
		}
		suffix := pick(r, suffixes)
		digits := ""
		if r.Float64() < 0.35 {
			digits = strconv.Itoa(r.IntN(100))
		}
		x.handle = login + suffix + digits
		x.name = x.handle
		if r.Float64() < 0.7 {
			// Twitch display names differ from the login only in case.
			x.name = capitalize(login) + displaySuffix[suffix] + digits
		}
		x.lower = r.Float64() < 0.45
	case platIRC:
		suffixes := []string{"", "", "", "", "", "", "_", "_", "`", "^", "|work", "42"}
		x.handle = login + pick(r, suffixes)
		if len(x.handle) > 16 {
			x.handle = x.handle[:16]
		}
		x.lower = r.Float64() < 0.6
	case platMastodon, platBluesky:
		h := login
		if r.Float64() < 0.3 {
			h += strconv.Itoa(r.IntN(100))
		}
		if p.id == platMastodon {
			x.handle = h + "@" + pick(r, instances[l])
		} else if r.Float64() < 0.85 {
			x.handle = h + ".bsky.social"
		} else {
			tlds := []string{"dev", "xyz", "net", "io", "me"}
			if l == fr {
				tlds = []string{"fr", "be", "ca", "ch", "dev"}
			}
			x.handle = h + "." + pick(r, tlds)
		}
		x.name = socialName(r, display, l)
		x.lower = r.Float64() < 0.2
		if r.Float64() < 0.04 {
			x.badges = badgeVerified
		}
	}
	return x
}

// socialName is a free-form display name: "Léa M.", "Mehdi Benali", "kiwi 🎧".
func socialName(r *rand.Rand, display string, l lang) string {
	switch r.IntN(7) {
	case 0, 1:
		return display + " " + pick(r, lastNames[l])
	case 2:
		return display + " " + pick(r, lastNames[l])[:1] + "."
	case 3:
		return display + " " + pick(r, nameEmoji)
	case 4:
		return strings.ToLower(display)
	case 5:
		if l == fr {
			return display + " (iel)"
		}
		return display + " (they/them)"
	}
	return display
}

// troll makes a troll account.
func (p *platSpec) troll(r *rand.Rand, stem string, l lang) person {
	x := person{lang: l}
	switch p.id {
	case platTwitch:
		x.handle = stem + strconv.Itoa(r.IntN(1000))
		x.name = x.handle
		x.lower = true
	case platIRC:
		x.handle = strings.ReplaceAll(stem, "_", "")
		if len(x.handle) > 16 {
			x.handle = x.handle[:16]
		}
		x.lower = true
	case platMastodon:
		x.handle = strings.ReplaceAll(stem, "_", "") + "@" + pick(r, instances[l])
		x.name = strings.ReplaceAll(stem, "_", " ") + " 🤡"
	case platBluesky:
		x.handle = strings.ReplaceAll(stem, "_", "-") + ".bsky.social"
		x.name = strings.ReplaceAll(stem, "_", " ")
	}
	return x
}

// variant makes a handle unique by adding n where the platform allows it.
func (p *platSpec) variant(h string, n int) string {
	switch p.id {
	case platMastodon:
		if user, host, ok := strings.Cut(h, "@"); ok {
			return user + strconv.Itoa(n) + "@" + host
		}
	case platBluesky:
		if user, host, ok := strings.Cut(h, "."); ok {
			return user + strconv.Itoa(n) + "." + host
		}
	}
	return h + strconv.Itoa(n)
}

// spammer makes a throwaway spam account, appended to dst's storage.
func (p *platSpec) spammer(r *rand.Rand) (handle, name string) {
	n := strconv.Itoa(1000 + r.IntN(9000))
	switch p.id {
	case platTwitch:
		h := pick(r, []string{"free_halo_", "lumio_giveaway", "halo_gifts_", "followers_cheap", "viewbot_pro", "lumiio_official"}) + n
		return h, capitalize(h)
	case platIRC:
		return pick(r, []string{"halogift", "freebuds", "promo", "lumiio"}) + n, ""
	case platMastodon:
		return pick(r, []string{"halogifts", "lumiogiveaway", "promo_halo", "growfast"}) + n + "@" + pick(r, []string{"mastodon.social", "mstdn.social", "mas.to"}),
			pick(r, []string{"Lumio Giveaway 🎁", "Halo Gifts", "Grow Your Audience", "L U M I O"})
	}
	return pick(r, []string{"lumio-giveaway-", "halo-gifts-", "free-followers-", "lumiio-official-"}) + n + ".bsky.social",
		pick(r, []string{"Lumio Official Giveaway", "Halo Gifts 🎁", "Followers Fast", "LUMIO"})
}
