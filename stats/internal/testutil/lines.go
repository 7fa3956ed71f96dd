// Package testutil holds what the text-analysis packages' tests and
// benchmarks share: a realistic mix of chat lines.
package testutil

// Lines are demo-like chat lines (feeds/demo phrasing): short English and
// French chat, a few posts, emoji, mentions, hashtags, spam links. Roughly
// half are pure ASCII, as in a real launch chat. Benchmarks cycle through
// them so that one figure covers the mix.
var Lines = []string{
	"hi chat",
	"when does it start??",
	"they look SO clean PogChamp",
	"@lumio does it work with Android?",
	"$169?? that's a lot for earbuds lol",
	"c'est quoi la date de sortie ? @lumio",
	"le boîtier est minuscule wow 😍",
	"Trop hâte de voir la keynote ce soir 🔥🔥 vous avez prévu un replay ?",
	"@lumio my Insider pair gets super hot in the case, is this normal??",
	"@lumio le boîtier de charge est brûlant, il se passe quoi",
	"FREE Halo GIVEAWAY 🎁 claim yours at lumio-giveaway.win/halo",
	"mdr les écouteurs ont décroché sur scène",
	"pas terrible le jour du lancement",
	"ok $169 with noise cancelling, not bad",
	"une mise à jour ne suffit pas, je veux être remboursé",
	"L + ratio",
	"the case doubles as a hand warmer KEKW",
	"p:The review embargo for the Lumio Halo just lifted and TechPulse reports the charging case overheating and frequent disconnects. Not what you want to read an hour after launch. @lumio",
	"j'ai mis à jour, aucune coupure depuis 20 min",
	"pretty sure yes",
	"#HaloGate est déjà là. Lumio a lancé des chauffages d'appoint Bluetooth",
	"chat is wild today",
	"ça marche pas chez moi, l'écouteur gauche décroche sans arrêt 😡",
	"the sound demo gave me chills ❤️",
}
