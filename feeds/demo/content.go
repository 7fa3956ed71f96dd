package demo

import (
	"fmt"
	"strings"
	"unicode"
)

// This file is the scenario's vocabulary: message templates by category and
// language, and the values their slots are filled with.
//
// A template is plain text with {slot} placeholders. A leading "c:" keeps it
// to chat platforms (twitch, irc), a leading "p:" to post platforms
// (mastodon, bluesky); unmarked templates fit both. Templates never contain
// control characters or newlines: posts are single paragraphs.

// lang is the language a message is written in.
type lang uint8

const (
	en lang = iota
	fr
)

// cat is what a message is about. The first block is drawn from a phase's
// weight table; the rest are chosen by the generator for a reason (a reply,
// a moderator speaking up, a follow-up to the brand).
type cat uint8

const (
	cGreet cat = iota
	cWaiting
	cHype
	cSurprise // resolved to one of the surprise topics by the loop cycle
	cQuestion
	cQPrice
	cQCrisis
	cPriceReact
	cJoke
	cCompare
	cTroll
	cTrollCrisis
	cSpam
	cComplaint
	cWorried
	cDefender
	cFix
	cChatter
	cPress // resolved to a phase's press category
	cReply // resolved from the category of the message replied to
	numDrawn
)

// Categories not drawn from the phase tables. Declared apart so numDrawn
// stays the size of a weight row.
const (
	cBack cat = numDrawn + iota
	cMod
	cAction
	cActionLate // "/me" lines that need the pre-orders open
	cGiveaway
	cColor
	cGuest
	cPressWarm
	cPressReveal
	cPressPrice
	cPressCrisis
	cPressRecovery
	cPressSteady
	cRAnswer
	cRAnswerPrice
	cRCrisisAnswer
	cGlitch
	cRTroll
	cRSpam
	cRAgree
	cRDefend
	cRHype
	cRWelcome
	cRGeneric
	cFThanks
	cFSkeptic
	cFAngry
	cFRelieved
	cFMore
	numCats
)

// raw is the template text, by category then language.
var raw = [numCats][2][]string{
	cGreet: {
		en: {
			"hi chat",
			"hello from {city}!",
			"hey everyone {emote}",
			"c:yo",
			"c:hello hello",
			"first time catching a {Brand} stream, hi all",
			"good morning from {city}, it's way too early here",
			"evening from {city}!",
			"hi {user}!",
			"hey {user}, long time no see",
			"made it just in time!",
			"skipped my lunch break for this lol",
			"who else is watching from work 👀",
			"hi from the office, sound off",
			"p:Tuning in to the {Brand} keynote from {city}. Let's see what they've got.",
			"p:Morning! Coffee ready, {Brand} livestream on. Let's go.",
			"p:Watching the {Brand} launch with the whole team at our office in {city}. Big screen, bad coffee.",
		},
		fr: {
			"coucou le chat",
			"salut tout le monde !",
			"bonjour depuis {city} {emote}",
			"c:yo la commu",
			"c:wesh le chat",
			"coucou depuis {city} !",
			"première fois que je regarde un live {Brand}, salut !",
			"salut {user} !",
			"coucou {user}, toi aussi t'es là ?",
			"bonsoir depuis {city}, ici il est tard mdr",
			"présente ! j'ai posé ma pause exprès",
			"je regarde depuis le boulot, chut",
			"salut les gens, ça commence bientôt ?",
			"p:Installée devant la keynote {Brand} depuis {city}. Voyons ce qu'ils nous préparent.",
			"p:Bonjour ! Café prêt, live {Brand} lancé. C'est parti.",
			"p:On regarde le lancement {Brand} avec toute l'équipe au bureau de {city}. Grand écran, mauvais café.",
		},
	},
	cWaiting: {
		en: {
			"when does it start??",
			"is the stream frozen for anyone else?",
			"the countdown music is a vibe ngl",
			"my guess: new earbuds. calling it now",
			"pls be earbuds pls be earbuds",
			"they better announce something big today",
			"c:hype hype hype {emote}",
			"5 more minutes apparently",
			"the leak said earbuds with a tiny case",
			"if it's just a new color of the old ones I'm leaving {lol}",
			"chat is moving already lol",
			"c:LETS GOOOO",
			"c:waiting room {emote}",
			"I heard they'll ship to {country} on day one this time",
			"is {host} presenting again?",
			"anyone know how long the stream is?",
			"p:Watching the {Brand} livestream. Rumours say earbuds — hoping for real multipoint this time.",
			"p:Countdown is on for the {Brand} event. Placing my bet: earbuds with a pocket-sized case.",
			"p:Ten minutes to the {Brand} keynote and the leaks are everywhere. If half of them are true, my old earbuds are retiring today.",
			"stream starting soon, grab your snacks",
			"who's here from the newsletter?",
			"the loading screen animation is cute",
			"calling it: they'll say 'all-day battery'",
			"my bet is on a {color} color option",
		},
		fr: {
			"ça commence quand ??",
			"le live est figé chez vous aussi ?",
			"la musique d'attente est trop bien mdr",
			"je parie sur des écouteurs",
			"faites que ce soit des écouteurs svp",
			"ils ont intérêt à annoncer un truc fou",
			"encore 5 minutes apparemment",
			"la fuite parlait d'écouteurs avec un boîtier minuscule",
			"si c'est juste une nouvelle couleur je pars {lol}",
			"le chat est déjà en feu",
			"c:ALLEZ C'EST PARTI",
			"c:ça arrive {emote}",
			"c'est {host} qui présente ?",
			"quelqu'un sait combien de temps dure le live ?",
			"j'ai posé une RTT pour ça, ils ont intérêt à assurer",
			"p:Je regarde le live {Brand}. Les rumeurs parlent d'écouteurs, j'espère enfin un vrai multipoint.",
			"p:Compte à rebours lancé pour l'événement {Brand}. Mon pari : des écouteurs avec un boîtier de poche.",
			"p:Dix minutes avant la keynote {Brand} et les fuites sont partout. Si la moitié est vraie, mes vieux écouteurs partent à la retraite aujourd'hui.",
			"le live commence bientôt, prenez vos snacks",
			"qui est là grâce à la newsletter ?",
			"l'animation d'attente est mignonne",
			"je vous le dis : ils vont dire « autonomie toute la journée »",
			"je parie sur un coloris {color}",
		},
	},
	cHype: {
		en: {
			"they look SO clean {emote}",
			"ok the case is tiny wow",
			"the {color} one is gorgeous",
			"{product} in {color}, take my money",
			"c:TAKE MY MONEY",
			"that design though {emote}",
			"8 hours of battery on the buds?? nice",
			"{feature} looks really good",
			"ok I'm sold",
			"finally {feature} done right",
			"{host} nailed that demo",
			"sending this to the group chat right now",
			"the sound demo gave me chills",
			"Halo is such a good name",
			"c:W",
			"c:{emote} {emote} {emote}",
			"this is the best {Brand} launch yet",
			"the way they sit in the ear looks so comfy",
			"32 hours with the case is huge",
			"p:Okay, the {product} look genuinely great. Tiny case, {feature}, and that {color} finish. I'm impressed.",
			"p:Just watched the reveal: {feature} and 32h total with the case? If the reviews hold up, this is my next pair.",
			"p:Didn't expect much from this keynote but the {product} delivered. Clean design, sensible features, no gimmicks.",
			"wait the case is smaller than my keyring",
			"those colors though {emote}",
			"the {color} is so clean omg",
			"ok {host} sold me in 30 seconds",
			"{feature} on earbuds this small? impressive",
			"need them for the gym asap",
			"my old buds are shaking rn",
			"they actually look comfortable for once",
			"c:HYPE HYPE HYPE",
			"the sound stage demo was crazy",
			"p:The {product} reveal was genuinely well done. No endless buzzwords, just the case, the fit and a real sound demo. More of this, please.",
			"p:Finally a pair of earbuds that don't look like a medical device. The {color} {product} are really pretty.",
		},
		fr: {
			"ils sont trop beaux {emote}",
			"le boîtier est minuscule wow",
			"le coloris {color} est magnifique",
			"les {product} en {color}, prenez mon argent",
			"c:PRENEZ MON ARGENT",
			"ce design quand même {emote}",
			"8 h d'autonomie sur les écouteurs ?? pas mal",
			"{feature} a l'air vraiment bien",
			"ok je suis convaincu",
			"enfin {feature} qui marche bien",
			"{host} a trop bien géré la démo",
			"j'envoie ça au groupe direct",
			"la démo son m'a donné des frissons",
			"c:ÉNORME",
			"meilleur lancement {Brand} de loin",
			"32 h avec le boîtier c'est énorme",
			"ils ont l'air super confortables",
			"franchement c'est propre",
			"c'est beau, c'est simple, j'adore",
			"p:Bon, les {product} ont l'air vraiment réussis. Boîtier minuscule, {feature}, et cette finition {color}. Je suis impressionné.",
			"p:Je viens de voir la présentation : {feature} et 32 h avec le boîtier ? Si les tests confirment, c'est ma prochaine paire.",
			"p:Je n'attendais pas grand-chose de cette keynote mais les {product} font le job. Design propre, fonctions utiles, pas de gadget.",
			"le boîtier est plus petit que mon porte-clés",
			"ces couleurs quand même {emote}",
			"le {color} est trop propre",
			"ok {host} m'a convaincu en 30 secondes",
			"{feature} dans des écouteurs aussi petits ? chapeau",
			"il me les faut pour la salle de sport",
			"mes vieux écouteurs tremblent",
			"pour une fois ils ont l'air confortables",
			"c:HYPE HYPE HYPE",
			"la démo de son était folle",
			"p:La présentation des {product} était vraiment réussie. Pas de jargon sans fin, juste le boîtier, le maintien et une vraie démo de son. On en veut plus, des comme ça.",
			"p:Enfin des écouteurs qui ne ressemblent pas à un appareil médical. Les {product} en {color} sont vraiment jolis.",
		},
	},
	cGiveaway: {
		en: {
			"wait they're giving away 100 pairs??",
			"giveaway!! how do we enter?",
			"official giveaway on stage, not the fake links in chat lol",
			"I never win these but let's go {emote}",
			"entered the giveaway, manifesting {emote}",
			"p:{Brand} just announced a giveaway live on stream: 100 pairs of {product}. Only through the official site — ignore the links in replies.",
		},
		fr: {
			"attendez ils font gagner 100 paires ??",
			"concours !! on participe comment ?",
			"concours officiel sur scène, pas les faux liens du chat mdr",
			"je gagne jamais mais on tente {emote}",
			"inscrit au concours, je croise les doigts {emote}",
			"p:{Brand} annonce un concours en direct : 100 paires de {product} à gagner. Uniquement via le site officiel, ignorez les liens en réponse.",
		},
	},
	cColor: {
		en: {
			"a {color} edition?? didn't see that coming",
			"new color just dropped {emote}",
			"ok the limited edition is stunning",
			"limited edition in {color}, I need it",
			"how many of the limited ones are there?",
			"p:Surprise mid-stream: a limited {color} edition of the {product}. Shameless, and it works on me.",
		},
		fr: {
			"une édition {color} ?? je l'avais pas vue venir",
			"nouvelle couleur {emote}",
			"l'édition limitée est sublime",
			"édition limitée {color}, il me la faut",
			"il y en a combien de l'édition limitée ?",
			"p:Surprise en plein live : une édition limitée {color} des {product}. Coup marketing évident, et ça marche sur moi.",
		},
	},
	cGuest: {
		en: {
			"wait is that a live DJ set with the Halo on stage?",
			"the guest artist is wearing them {emote}",
			"this live set is actually fire",
			"didn't expect a concert at a tech launch lol",
			"turn it up!! {emote}",
			"p:{Brand} brought a DJ on stage to show off the {product}. Peak keynote energy, and honestly the live set slaps.",
		},
		fr: {
			"attendez c'est un DJ set en live avec les Halo ?",
			"l'artiste invité les porte {emote}",
			"ce live est vraiment cool",
			"un concert pendant une keynote tech mdr",
			"montez le son !! {emote}",
			"p:{Brand} a invité un DJ sur scène pour montrer les {product}. Énergie de keynote maximale, et le set est vraiment bon.",
		},
	},
	cQuestion: {
		en: {
			"{brand} does it work with Android?",
			"{brand} is there multipoint?",
			"{brand} do you ship to {country}?",
			"when is the release date? {brand}",
			"{brand} how long does the battery last with noise cancelling on?",
			"{brand} can I use just one bud at a time?",
			"is {feature} adjustable?",
			"does the app work on Android or only iPhone? {brand}",
			"{brand} any student discount?",
			"{brand} will it be sold in stores in {country}?",
			"how long is the warranty? {brand}",
			"{brand} are the ear tips replaceable?",
			"can you connect them to a laptop and a phone at the same time?",
			"is the {color} version coming to {country}?",
			"{brand} when do pre-orders open in {country}?",
			"{brand} waterproof or just splash resistant?",
			"do they support aptX or LDAC? {brand}",
			"{brand} are they good for running?",
			"{brand} do they work with hearing aids settings?",
			"p:Question for {brand}: do the {product} support multipoint with Android phones, or is that limited to your own devices?",
			"p:{brand} Will the {product} ship to {country} at launch, or is that a later wave? Asking for half of my timeline.",
			"p:Hey {brand}, any word on battery life with noise cancelling turned on? The 8h figure usually assumes it's off.",
			"{brand} is the case compatible with Qi chargers?",
			"{brand} can I pre-order from {country} yet?",
			"{brand} what sizes of ear tips come in the box?",
			"will there be a Pro version later? {brand}",
			"{brand} do they auto-pause when you take one out?",
			"{brand} is the {color} one available everywhere?",
			"does it support Bluetooth 5.4? {brand}",
			"{brand} any bundle with the case cover?",
		},
		fr: {
			"{brand} ça marche avec Android ?",
			"{brand} il y a le multipoint ?",
			"{brand} vous livrez {country} ?",
			"c'est quoi la date de sortie ? {brand}",
			"{brand} l'autonomie avec la réduction de bruit activée c'est combien ?",
			"{brand} on peut utiliser un seul écouteur ?",
			"{feature} est réglable ?",
			"l'appli marche sur Android ou que sur iPhone ? {brand}",
			"{brand} il y a une réduc étudiant ?",
			"{brand} ils seront en magasin {country} ?",
			"la garantie c'est combien de temps ? {brand}",
			"{brand} les embouts sont remplaçables ?",
			"on peut les connecter au PC et au téléphone en même temps ?",
			"{brand} les précommandes ouvrent quand {country} ?",
			"{brand} étanches ou juste résistants aux éclaboussures ?",
			"ils sont bien pour courir ? {brand}",
			"{brand} le coloris {color} sera dispo {country} ?",
			"p:Question pour {brand} : les {product} gèrent-ils le multipoint avec Android, ou seulement avec vos appareils ?",
			"p:{brand} Les {product} seront-ils livrés {country} dès la sortie ? Toute ma timeline se pose la question.",
			"p:Bonjour {brand}, une info sur l'autonomie avec la réduction de bruit activée ? Les 8 h annoncées, c'est sans, j'imagine.",
			"{brand} le boîtier est compatible Qi ?",
			"{brand} on peut déjà précommander {country} ?",
			"{brand} il y a combien de tailles d'embouts dans la boîte ?",
			"il y aura une version Pro plus tard ? {brand}",
			"{brand} ça se met en pause quand on en retire un ?",
			"{brand} le coloris {color} est dispo partout ?",
			"c'est du Bluetooth 5.4 ? {brand}",
			"{brand} il y a un pack avec la coque du boîtier ?",
		},
	},
	cQPrice: {
		en: {
			"{brand} how much???",
			"price? {brand}",
			"please don't say 300 bucks",
			"{brand} how much will they cost in {country}?",
			"if it's under 150 I'm buying two",
			"c:PRICE PRICE PRICE",
			"they're avoiding the price question lol",
			"p:Waiting for the price reveal. Anything over €200 and {Brand} loses me, no matter how nice that case is.",
		},
		fr: {
			"{brand} combien ???",
			"le prix ? {brand}",
			"dites pas 300 balles svp",
			"{brand} ça va coûter combien {country} ?",
			"si c'est moins de 150 j'en prends deux",
			"c:LE PRIX LE PRIX",
			"ils esquivent la question du prix mdr",
			"p:J'attends l'annonce du prix. Au-delà de 200 €, {Brand} me perd, aussi joli que soit le boîtier.",
		},
	},
	cQCrisis: {
		en: {
			"{brand} will there be a recall?",
			"{brand} what's the refund policy for pre-orders?",
			"{brand} is a firmware update coming?",
			"{brand} which batches are affected?",
			"{brand} how do I know if my unit is affected?",
			"{brand} will you extend the warranty after this?",
			"{brand} are retail units affected or just the Insider ones?",
			"p:{brand} Simple question: are the units shipping this week affected by the overheating reports, yes or no?",
			"{brand} will there be a recall in {country}?",
			"{brand} can I get a refund if I cancel today?",
			"{brand} when will you post a statement?",
			"{brand} is the {color} batch affected too?",
			"{brand} should Insiders stop charging the case?",
			"{brand} is it the case or the buds that overheat?",
		},
		fr: {
			"{brand} il va y avoir un rappel ?",
			"{brand} c'est quoi la politique de remboursement pour les précommandes ?",
			"{brand} une mise à jour du firmware est prévue ?",
			"{brand} quels lots sont concernés ?",
			"{brand} comment savoir si ma paire est touchée ?",
			"{brand} vous allez étendre la garantie après ça ?",
			"{brand} les modèles du commerce sont touchés ou juste les Insider ?",
			"p:{brand} Question simple : les paires livrées cette semaine sont-elles concernées par la surchauffe, oui ou non ?",
			"{brand} il y aura un rappel {country} ?",
			"{brand} je suis remboursé si j'annule aujourd'hui ?",
			"{brand} vous publiez un communiqué quand ?",
			"{brand} le lot {color} est touché aussi ?",
			"{brand} les Insider doivent arrêter de charger le boîtier ?",
			"{brand} c'est le boîtier ou les écouteurs qui chauffent ?",
		},
	},
	cPriceReact: {
		en: {
			"{price} is actually reasonable",
			"{price}?? that's a lot for earbuds",
			"ok {price} with {feature}, not bad",
			"cheaper than the {competitor}, nice",
			"{price} lol, my wallet is crying",
			"pre-ordered. no regrets. {emote}",
			"available TODAY? didn't expect that",
			"it's gonna be way more than {price} in {country} with taxes",
			"honestly fair price for what you get",
			"my bank account after {price}: {sad}",
			"c:PREORDERED",
			"instant buy at {price}",
			"p:{price} for the {product}. That undercuts the {competitor} while matching them on paper. Aggressive move from {Brand}.",
			"p:Pre-ordered the {product} at {price}. Shipping estimate says next week. Will report back.",
			"{price} is fine, the case alone looks premium",
			"ok at {price} I'm getting two",
			"{price} is more than I hoped, less than I feared",
			"cheaper than I expected tbh",
			"student me crying at {price}",
		},
		fr: {
			"{price} c'est plutôt raisonnable",
			"{price} ?? c'est cher pour des écouteurs",
			"ok {price} avec {feature}, pas mal",
			"moins cher que les {competitor}, cool",
			"{price} mdr mon compte en banque pleure",
			"précommandé. aucun regret {emote}",
			"dispo AUJOURD'HUI ? je m'y attendais pas",
			"{price} plus les frais de port {country} ça pique",
			"franchement le prix est correct pour ce que c'est",
			"mon banquier après {price} : {sad}",
			"c:PRÉCOMMANDÉ",
			"achat direct à {price}",
			"p:{price} pour les {product}. C'est moins cher que les {competitor} à fiche technique égale. {Brand} joue agressif.",
			"p:J'ai précommandé les {product} à {price}. Livraison estimée la semaine prochaine. Je vous ferai un retour.",
			"{price} ça va, rien que le boîtier fait premium",
			"ok à {price} j'en prends deux",
			"{price} c'est plus que j'espérais, moins que je craignais",
			"moins cher que prévu en vrai",
			"l'étudiant que je suis pleure à {price}",
		},
	},
	cJoke: {
		en: {
			"Halo? Master Chief approved {lol}",
			"my cat is going to eat the tiny case {lol}",
			"I'll lose one bud in 3 days, guaranteed",
			"can they find my keys too?",
			"{host} said 'revolutionary', drink",
			"bingo card: 'seamless' ✅",
			"the presenter's shoes tho {lol}",
			"{user} you owe me 5 bucks, I said earbuds",
			"my ex had the {competitor}, so I'm buying these out of spite",
			"me: I don't need new earbuds. also me: {emote}",
			"'the most advanced earbuds ever' — every company, every year",
			"imagine dropping one on the subway tracks {sad}",
			"my wallet has left the chat",
			"p:Keynote drinking game: 'seamless', 'magical', 'all-day battery'. I'm three shots in and it's been ten minutes.",
			"p:Me, owning three pairs of earbuds that work fine: hmm, the {product} look nice.",
			"they should sell a case for the case",
			"earbuds so small I'll lose them before they ship",
			"Halo 2 when",
			"the real product is the friends we made in chat",
			"c:{host} forgot to unmute {lol}",
			"p:Every keynote needs a 'one more thing'. I'm still waiting for the {Brand} toaster.",
		},
		fr: {
			"Halo ? comme le jeu ? Master Chief valide {lol}",
			"mon chat va manger le boîtier {lol}",
			"je vais perdre un écouteur en 3 jours, garanti",
			"ils retrouvent mes clés aussi ?",
			"{host} a dit « révolutionnaire », on boit",
			"carton bingo : « fluide » ✅",
			"{user} tu me dois 5 balles, j'avais dit écouteurs",
			"moi : j'ai pas besoin d'écouteurs. aussi moi : {emote}",
			"« les meilleurs écouteurs jamais conçus » chaque marque, chaque année",
			"imaginez en faire tomber un sur les rails du métro {sad}",
			"les chaussures du présentateur mdr",
			"mon porte-monnaie a quitté le chat",
			"p:Jeu à boire de keynote : « fluide », « magique », « toute la journée ». Trois verres et ça fait dix minutes.",
			"p:Moi, avec trois paires d'écouteurs qui marchent très bien : tiens, les {product} ont l'air sympa.",
			"ils devraient vendre un boîtier pour le boîtier",
			"tellement petits que je vais les perdre avant la livraison",
			"Halo 2 quand ?",
			"le vrai produit c'est les amis qu'on s'est faits dans le chat",
			"p:Toute keynote a besoin d'un « one more thing ». J'attends toujours le grille-pain {Brand}.",
		},
	},
	cCompare: {
		en: {
			"how do they compare to the {competitor}?",
			"the {competitor} had better ANC imo",
			"switching from the {competitor}, this looks better",
			"same chip as the {competitor}?",
			"{competitor} owners in shambles {lol}",
			"is it better than the {competitor} for calls?",
			"the {competitor} case is way bigger lol",
			"waiting for a {competitor} vs Halo comparison video",
			"honestly the {competitor} still win on price",
			"p:Spec for spec the {product} look close to the {competitor}, but that case size and {feature} could tip it. Waiting on side-by-side tests.",
			"p:Owner of the {competitor} here. Nothing shown today makes me want to switch yet — happy to be proven wrong by reviews.",
			"coming from the {competitor}, the fit looks better",
			"is the ANC better than the {competitor}?",
			"the {competitor} still have the better app imo",
		},
		fr: {
			"ils sont mieux que les {competitor} ?",
			"les {competitor} avaient une meilleure réduction de bruit je trouve",
			"je passe des {competitor} à ça, ça a l'air mieux",
			"même puce que les {competitor} ?",
			"les possesseurs de {competitor} en sueur {lol}",
			"c'est mieux que les {competitor} pour les appels ?",
			"le boîtier des {competitor} est énorme à côté",
			"j'attends le comparatif {competitor} vs Halo",
			"franchement les {competitor} restent moins chers",
			"p:Sur le papier, les {product} sont proches des {competitor}, mais la taille du boîtier et {feature} peuvent faire la différence. J'attends les comparatifs.",
			"p:J'ai des {competitor}. Rien de ce que j'ai vu aujourd'hui ne me donne envie de changer, mais les tests me feront peut-être changer d'avis.",
			"venant des {competitor}, le maintien a l'air meilleur",
			"la réduction de bruit est meilleure que les {competitor} ?",
			"l'appli des {competitor} reste meilleure je trouve",
		},
	},
	cTroll: {
		en: {
			"c:mid",
			"c:L + ratio",
			"who even buys {Brand} stuff lol",
			"overpriced plastic",
			"{Brand} fans will buy anything",
			"just buy the {competitor} lmao",
			"this stream is so cringe",
			"bet they break in a week",
			"nobody asked for this",
			"imagine paying for this {lol}",
			"{brand} fire your marketing team",
			"ratio + didn't ask + {competitor} better",
			"p:Another year, another pair of overpriced earbuds from {Brand}. The marketing budget must be bigger than the R&D one.",
		},
		fr: {
			"c:bof",
			"c'est nul",
			"qui achète encore du {Brand} mdr",
			"du plastique hors de prix",
			"les fans de {Brand} achèteraient n'importe quoi",
			"achetez des {competitor} et puis c'est tout",
			"ce live est gênant",
			"je parie qu'ils cassent en une semaine",
			"personne n'a demandé ça",
			"vous allez vraiment payer pour ça {lol}",
			"{brand} virez votre équipe marketing",
			"p:Encore une paire d'écouteurs hors de prix chez {Brand}. Le budget marketing doit dépasser celui de la R&D.",
		},
	},
	cTrollCrisis: {
		en: {
			"told you lmao",
			"the case doubles as a hand warmer {lol}",
			"{Brand} cooked. literally.",
			"refund speedrun any%",
			"HaloGate trending in 10 min, calling it",
			"imagine defending a company that ships hot cases",
			"who could have predicted this (me, I did)",
			"p:#HaloGate is already a thing. {Brand} launched space heaters with Bluetooth and called them earbuds.",
			"{Brand} speedran losing trust",
			"not the hot case era {lol}",
			"can't wait for the apology video",
		},
		fr: {
			"je vous l'avais dit mdr",
			"le boîtier fait chauffe-mains {lol}",
			"{Brand} c'est cuit. littéralement.",
			"speedrun du remboursement",
			"HaloGate en top tendance dans 10 min",
			"imaginez défendre une boîte qui vend des boîtiers brûlants",
			"qui aurait pu prévoir ça (moi)",
			"p:#HaloGate est déjà là. {Brand} a lancé des chauffages d'appoint Bluetooth et appelle ça des écouteurs.",
			"{Brand} a speedrun la perte de confiance",
			"l'ère du boîtier brûlant {lol}",
			"vivement la vidéo d'excuses",
		},
	},
	cSpam: {
		en: {
			"FREE {product} GIVEAWAY 🎁 claim yours at {link}",
			"🎁 {Brand} official giveaway: first 500 get a free Halo {link}",
			"Want more followers? Buy real followers cheap at {link}",
			"buy followers, viewers and likes 💯 {link}",
			"c:best viewers and followers on {link}",
			"Congrats! You've been selected for a free {product}, claim it at {link}",
			"earn $500/day from home, ask me how {link}",
			"crypto airdrop for Halo holders {link}",
		},
		fr: {
			"CONCOURS {product} GRATUITS 🎁 récupère les tiens sur {link}",
			"🎁 Concours officiel {Brand} : les 500 premiers reçoivent des Halo {link}",
			"Tu veux plus de followers ? Achète des followers réels pas cher sur {link}",
			"followers, vues et likes pas chers 💯 {link}",
			"Félicitations ! Tu as été sélectionné pour des {product} gratuits, clique ici {link}",
			"gagne 500 €/jour depuis chez toi, demande-moi comment {link}",
		},
	},
	cComplaint: {
		en: {
			"{brand} mine keep disconnecting every 5 minutes",
			"the buds literally cut out on stage lmao",
			"did the demo unit just disconnect on stage??",
			"embargo lifted and {reviewer} says the case hit 50°C while charging",
			"{brand} my Insider pair gets super hot in the case, is this normal??",
			"left bud drops the connection constantly",
			"{brand} the charging case is burning hot, what is going on",
			"had them for a month in the Insider program, disconnects daily",
			"{reviewer} review: 'the case overheats' — great launch {sad}",
			"{brand} you knew about the overheating and launched anyway?",
			"{brand} answer us please",
			"this is unacceptable for {price}",
			"mine disconnected 3 times during this stream",
			"{brand} explain the overheating",
			"the case smelled like hot plastic yesterday, not kidding",
			"connection drops whenever I turn my head, seriously",
			"{brand} why is nobody answering??",
			"c:{brand} ???",
			"p:The review embargo for the {product} just lifted and {reviewer} reports the charging case overheating and frequent disconnects. Not what you want to read an hour after launch. {brand}",
			"p:I've been in the {Brand} Insider program for a month. The {product} sound great but the left bud drops out several times a day, and the case gets uncomfortably warm. {brand} please address this.",
			"p:So the demo unit cut out live on stage, and now reviews mention overheating cases. {brand} we need a statement, not silence.",
			"{brand} my case was too hot to hold this morning",
			"reviews are brutal right now",
			"the left bud keeps dropping during calls",
			"{brand} so the overheating is real?",
			"great, {reviewer} confirms the heat issue",
			"{brand} I want answers, not silence",
			"disconnects every time I walk past the microwave lol",
			"{brand} your Insider forum is full of overheating threads",
			"{brand} my pair disconnected twice during this stream alone",
			"{brand} the case got warm in my pocket, is that expected?",
		},
		fr: {
			"{brand} les miens se déconnectent toutes les 5 minutes",
			"ils ont littéralement coupé en pleine démo mdr",
			"la démo vient de se déconnecter sur scène ??",
			"l'embargo est levé et {reviewer} dit que le boîtier monte à 50 °C en charge",
			"{brand} ma paire Insider chauffe à mort dans le boîtier, c'est normal ??",
			"l'écouteur gauche décroche sans arrêt",
			"{brand} le boîtier de charge est brûlant, il se passe quoi",
			"un mois dans le programme Insider, déconnexions tous les jours",
			"test de {reviewer} : « le boîtier surchauffe ». super lancement {sad}",
			"{brand} vous saviez pour la surchauffe et vous avez lancé quand même ?",
			"{brand} répondez svp",
			"inacceptable pour {price}",
			"les miens ont coupé 3 fois pendant ce live",
			"{brand} expliquez la surchauffe",
			"le boîtier sentait le plastique chaud hier, sans rire",
			"ça coupe dès que je tourne la tête, sérieux",
			"{brand} pourquoi personne ne répond ??",
			"c:{brand} ???",
			"p:L'embargo sur les {product} vient de tomber et {reviewer} parle d'un boîtier qui surchauffe et de déconnexions fréquentes. Pas ce qu'on veut lire une heure après le lancement. {brand}",
			"p:Ça fait un mois que je suis dans le programme Insider de {Brand}. Le son est top mais l'écouteur gauche décroche plusieurs fois par jour et le boîtier devient vraiment chaud. {brand} il faut réagir.",
			"p:La démo a coupé en direct sur scène, et maintenant les tests parlent de surchauffe. {brand} on attend une déclaration, pas du silence.",
			"{brand} mon boîtier était trop chaud pour le tenir ce matin",
			"les tests sont sans pitié là",
			"l'écouteur gauche décroche pendant les appels",
			"{brand} donc la surchauffe est réelle ?",
			"super, {reviewer} confirme le problème de chauffe",
			"{brand} on veut des réponses, pas du silence",
			"ça se déconnecte dès que je passe devant le micro-ondes mdr",
			"{brand} votre forum Insider est plein de sujets sur la surchauffe",
			"{brand} ma paire a coupé deux fois rien que pendant ce live",
			"{brand} le boîtier chauffe dans ma poche, c'est normal ?",
		},
	},
	cWorried: {
		en: {
			"I just pre-ordered... should I cancel?",
			"{brand} is it safe to charge them overnight?",
			"ok now I'm scared to open my package",
			"{brand} will you replace the affected units?",
			"my kid wanted these for his birthday, now I'm not sure",
			"hope it's just a firmware thing {sad}",
			"{brand} can we still cancel pre-orders?",
			"is it all units or just the Insider batch?",
			"waiting for {brand} to say something before I panic",
			"hot case + battery = not great, right?",
			"p:Pre-ordered the {product} an hour ago and now the timeline is full of overheating reports. {brand} can you tell us whether retail units are affected?",
			"is it safe to leave the case charging at night??",
			"should I return mine just in case?",
			"scared to use them on the plane now",
			"{brand} please tell us retail units are fine",
		},
		fr: {
			"je viens de précommander... j'annule ?",
			"{brand} c'est dangereux de les charger la nuit ?",
			"bon là j'ai peur d'ouvrir mon colis",
			"{brand} vous allez remplacer les paires touchées ?",
			"mon fils les voulait pour son anniv, j'hésite maintenant",
			"j'espère que c'est juste un souci de firmware {sad}",
			"{brand} on peut encore annuler les précommandes ?",
			"c'est toutes les paires ou juste le lot Insider ?",
			"j'attends que {brand} dise quelque chose avant de paniquer",
			"boîtier chaud + batterie = pas top, non ?",
			"p:J'ai précommandé les {product} il y a une heure et ma timeline est remplie de cas de surchauffe. {brand} pouvez-vous dire si les modèles du commerce sont concernés ?",
			"c'est sans risque de laisser le boîtier en charge la nuit ??",
			"je les renvoie par précaution ?",
			"j'ose plus les prendre dans l'avion",
			"{brand} dites-nous que les modèles du commerce n'ont rien",
		},
	},
	cDefender: {
		en: {
			"chill, every launch has bugs",
			"the Insider units run beta firmware, that's literally the point of the program",
			"one review and everyone panics lol",
			"mine have been fine for 3 weeks, no heat at all",
			"give them a minute to respond, it's been 10 minutes",
			"let's wait for an actual statement before grabbing pitchforks",
			"people acting like the {competitor} didn't have the exact same issue at launch",
			"stage demos fail all the time, it's a room full of Bluetooth",
			"p:Reminder that the units in review are pre-production with beta firmware. Worth waiting for retail units before drawing conclusions. Not defending anyone, just context.",
			"p:A room with 2,000 phones and a live stream rig is the worst possible Bluetooth environment. The stage dropout alone tells us nothing.",
			"we don't even know how many units are affected yet",
			"every {competitor} launch had a firmware fix in week one too",
			"they answered Insiders fast last time, give them a sec",
			"reviews of pre-production units, let's keep perspective",
			"the stage cutout was 3 seconds, people act like it exploded",
		},
		fr: {
			"calmez-vous, tous les lancements ont des bugs",
			"les paires Insider tournent sur un firmware bêta, c'est le principe du programme",
			"un test et tout le monde panique mdr",
			"les miens marchent très bien depuis 3 semaines, aucune chauffe",
			"laissez-leur le temps de répondre, ça fait 10 minutes",
			"attendons une vraie déclaration avant de sortir les fourches",
			"les {competitor} avaient exactement le même souci à leur sortie hein",
			"les démos sur scène plantent tout le temps, c'est une salle pleine de Bluetooth",
			"p:Rappel : les paires en test sont des préséries avec un firmware bêta. Mieux vaut attendre les modèles du commerce avant de conclure. Je ne défends personne, c'est juste du contexte.",
			"p:Une salle avec 2 000 téléphones et une régie de streaming, c'est le pire environnement Bluetooth possible. La coupure sur scène ne prouve rien.",
			"on sait même pas combien de paires sont touchées",
			"les {competitor} aussi ont eu un correctif la première semaine",
			"la dernière fois ils ont répondu vite aux Insider, patience",
			"des tests sur des préséries, relativisons",
			"la coupure sur scène a duré 3 secondes, on dirait que ça a explosé",
		},
	},
	cFix: {
		en: {
			"apparently firmware 1.2 fixes the disconnects",
			"{user} said the update fixed it for them",
			"updated mine, no drops in 20 min so far",
			"heard retail units ship with the new firmware",
			"the heating seems to be the old charging chip on the Insider batch only",
			"ok it's calming down, waiting for the official word",
			"tip: update through the app before you pair, fixed mine",
			"p:Update: installed firmware 1.2 on my Insider pair — no disconnects in the last half hour and the case stays lukewarm. Cautiously optimistic.",
			"firmware 1.2 is rolling out in {country} now",
			"after the update the case stays cool here",
			"re-paired after updating, zero drops since",
		},
		fr: {
			"apparemment le firmware 1.2 corrige les déconnexions",
			"{user} dit que la mise à jour a réglé le problème",
			"j'ai mis à jour, aucune coupure depuis 20 min",
			"il paraît que les modèles du commerce ont le nouveau firmware",
			"la chauffe viendrait de l'ancienne puce de charge du lot Insider seulement",
			"bon ça se calme, on attend la version officielle",
			"astuce : faites la mise à jour dans l'appli avant d'appairer, chez moi ça a réglé le souci",
			"p:Mise à jour : firmware 1.2 installé sur ma paire Insider, plus aucune coupure depuis une demi-heure et le boîtier reste tiède. Prudemment optimiste.",
			"le firmware 1.2 arrive {country} en ce moment",
			"depuis la mise à jour le boîtier reste froid chez moi",
			"réappairé après la mise à jour, plus aucune coupure",
		},
	},
	cChatter: {
		en: {
			"audio is a bit low on the stream",
			"anyone else getting buffering?",
			"chat is wild today",
			"what time is it over there {user}?",
			"the lighting on stage is really nice",
			"is there a replay after?",
			"the camera guy deserves a raise",
			"my boss thinks I'm in a meeting",
			"who's the person next to {host}?",
			"that stage is huge",
			"lol chat is so fast",
			"love this community honestly",
			"{user} same",
			"can someone clip that",
			"p:The production value on this {Brand} stream is really good. Whoever did the stage design deserves a raise.",
			"p:Half my timeline is watching the {Brand} launch right now. Nice to see a tech event that feels like an event again.",
			"the stream just froze for a sec",
			"sound is good now",
			"who's watching on their phone lol",
			"chat, be honest, who's buying",
			"this music slaps",
			"{host} looks so nervous lol",
			"hello to everyone watching the replay later",
			"ok I have a meeting in 10 min, hurry up",
			"my cat just walked on my keyboard",
			"that transition was smooth",
			"p:Watching the {Brand} stream and the chat at the same time is a sport. Half hype, half questions, half jokes. Yes, that's three halves.",
		},
		fr: {
			"le son est un peu faible sur le live",
			"ça bufferise chez vous aussi ?",
			"le chat est en folie aujourd'hui",
			"il est quelle heure chez toi {user} ?",
			"la lumière sur scène est super belle",
			"il y aura un replay ?",
			"le caméraman mérite une augmentation",
			"mon chef croit que je suis en réunion",
			"c'est qui à côté de {host} ?",
			"la scène est immense",
			"le chat va trop vite mdr",
			"j'adore cette commu franchement",
			"{user} pareil",
			"quelqu'un peut clipper ça ?",
			"p:La réalisation du live {Brand} est vraiment soignée. La personne qui a conçu la scène mérite une augmentation.",
			"p:La moitié de ma timeline regarde le lancement {Brand} en ce moment. Ça fait plaisir, un événement tech qui ressemble à un événement.",
			"le live a freeze une seconde",
			"le son est bon maintenant",
			"qui regarde sur son téléphone mdr",
			"soyez honnêtes, qui achète ?",
			"cette musique est trop bien",
			"{host} a l'air stressé mdr",
			"coucou à ceux qui regardent le replay",
			"j'ai une réunion dans 10 min, dépêchez-vous",
			"mon chat vient de marcher sur mon clavier",
			"belle transition",
			"p:Suivre le live {Brand} et le chat en même temps, c'est un sport. Moitié hype, moitié questions, moitié blagues. Oui, ça fait trois moitiés.",
		},
	},
	cBack: {
		en: {
			"back! what did I miss?",
			"re, had to take a call",
			"back, did they say the price yet?",
			"I'm back, why is chat on fire?",
			"back from lunch, catching up",
			"c:re",
			"p:Back from a meeting. Scrolling the timeline to figure out what {Brand} announced while I was gone.",
		},
		fr: {
			"re ! j'ai raté quoi ?",
			"re, j'avais un appel",
			"de retour, ils ont donné le prix ?",
			"je reviens, pourquoi le chat est en feu ?",
			"de retour de pause, je rattrape",
			"c:re tout le monde",
			"p:De retour de réunion. Je remonte la timeline pour comprendre ce que {Brand} a annoncé pendant mon absence.",
		},
	},
	cMod: {
		en: {
			"c:please keep it civil, chat",
			"c:no links please, spam gets a timeout",
			"c:reminder: the only official giveaway is on the {Brand} site",
			"c:questions for the team? tag {brand}, they're reading",
			"c:be nice to each other please",
			"c:don't click the giveaway links, they're scams",
		},
		fr: {
			"c:on reste courtois svp",
			"c:pas de liens svp, le spam c'est timeout",
			"c:rappel : le seul concours officiel est sur le site {Brand}",
			"c:des questions pour l'équipe ? mentionnez {brand}, ils lisent",
			"c:soyez sympas entre vous svp",
			"c:cliquez pas sur les liens de concours, ce sont des arnaques",
		},
	},
	cAction: {
		en: {
			"c:dances",
			"c:hides the credit card from themselves",
			"c:sends this to the group chat",
			"c:grabs popcorn",
			"c:screams internally",
			"c:puts on headphones to hear the demo better",
			"c:takes notes",
			"c:is already checking shipping to {country}",
			"c:waves from {country}",
			"c:pets the cat while waiting",
			"c:hides under the desk",
			"c:slowly puts the case in the freezer",
		},
		fr: {
			"c:danse",
			"c:cache sa carte bleue",
			"c:envoie ça au groupe",
			"c:sort le pop-corn",
			"c:hurle intérieurement",
			"c:prend des notes",
			"c:regarde déjà la livraison {country}",
			"c:fait coucou depuis le boulot",
			"c:caresse le chat en attendant",
			"c:se cache sous le bureau",
			"c:met discrètement le boîtier au congélateur",
		},
	},
	cActionLate: {
		en: {
			"c:refreshes the pre-order page for the 40th time",
			"c:checks the pre-order confirmation email",
			"c:cancels the pre-order, then un-cancels it",
		},
		fr: {
			"c:rafraîchit la page de précommande pour la 40e fois",
			"c:vérifie le mail de confirmation de précommande",
			"c:annule la précommande, puis la réactive",
		},
	},
	cPressWarm: {
		en: {
			"p:Live: we're covering the {Brand} launch event as it happens. Earbuds widely expected. Follow this thread for updates.",
			"p:The {Brand} event starts in a few minutes. We'll post specs, price and availability here as they're announced.",
		},
		fr: {
			"p:En direct : nous suivons le lancement {Brand}. Des écouteurs sont attendus. Suivez ce fil pour les annonces.",
			"p:L'événement {Brand} commence dans quelques minutes. Caractéristiques, prix et disponibilités ici dès leur annonce.",
		},
	},
	cPressReveal: {
		en: {
			"p:{Brand} unveils the {product}: true wireless earbuds with {feature}, 8h battery (32h with the case), multipoint. Price not yet announced.",
			"p:First look at the {product}: the charging case is noticeably smaller than the {competitor}'s. Colors: {color} and more.",
		},
		fr: {
			"p:{Brand} dévoile les {product} : écouteurs sans fil avec {feature}, 8 h d'autonomie (32 h avec le boîtier), multipoint. Prix pas encore annoncé.",
			"p:Premier aperçu des {product} : le boîtier de charge est nettement plus petit que celui des {competitor}. Coloris : {color} et d'autres.",
		},
	},
	cPressPrice: {
		en: {
			"p:Price: the {product} cost {price}, available today in 12 countries, pre-orders open now.",
			"p:{Brand} prices the {product} at {price}, below the {competitor}. Shipping starts this week.",
		},
		fr: {
			"p:Prix : les {product} sont à {price}, disponibles aujourd'hui dans 12 pays, précommandes ouvertes.",
			"p:{Brand} fixe le prix des {product} à {price}, sous les {competitor}. Premières livraisons cette semaine.",
		},
	},
	cPressCrisis: {
		en: {
			"p:Reports are piling up of {product} units disconnecting and charging cases overheating after the review embargo lifted. We have asked {Brand} for comment.",
			"p:The demo unit cut out on stage during the {Brand} keynote, and several reviewers now report overheating cases. Developing.",
		},
		fr: {
			"p:Les signalements de {product} qui se déconnectent et de boîtiers qui surchauffent se multiplient depuis la levée de l'embargo. Nous avons sollicité {Brand}.",
			"p:La démo a coupé sur scène pendant la keynote {Brand}, et plusieurs testeurs signalent des boîtiers qui surchauffent. Sujet en cours.",
		},
	},
	cPressRecovery: {
		en: {
			"p:Community members say the affected units ran pre-release firmware; {Brand} has not yet confirmed. We'll update this post.",
			"p:Early tests with firmware 1.2 suggest the disconnects are fixed. Overheating remains unconfirmed on retail units.",
		},
		fr: {
			"p:Selon des membres de la communauté, les paires concernées tournaient sur un firmware de préproduction ; {Brand} n'a pas encore confirmé. Article mis à jour.",
			"p:Les premiers essais avec le firmware 1.2 suggèrent que les déconnexions sont corrigées. La surchauffe n'est pas confirmée sur les modèles du commerce.",
		},
	},
	cPressSteady: {
		en: {
			"p:Hands-on with the {product} later today. Early impressions: comfortable fit, and {feature} is solid.",
			"p:Our {product} vs {competitor} comparison is in the works. Send us your questions.",
		},
		fr: {
			"p:Prise en main des {product} plus tard dans la journée. Premières impressions : bon maintien, et {feature} convainc.",
			"p:Notre comparatif {product} contre {competitor} est en préparation. Envoyez-nous vos questions.",
		},
	},
	cRAnswer: {
		en: {
			"I think they said that earlier, scroll up",
			"it's in the FAQ on their site",
			"yes, {host} mentioned it at the start",
			"no idea, hopefully {brand} answers",
			"pretty sure yes",
			"not announced yet afaik",
			"they said {country} later this year I think",
			"yes, it was on one of the slides",
			"I think so, check the spec sheet",
		},
		fr: {
			"je crois qu'ils l'ont dit tout à l'heure, remonte le chat",
			"c'est dans la FAQ sur leur site",
			"oui, {host} en a parlé au début",
			"aucune idée, j'espère que {brand} va répondre",
			"je crois que oui",
			"pas encore annoncé à ma connaissance",
			"ils ont dit {country} plus tard dans l'année je crois",
			"oui, c'était sur une des slides",
			"je crois, regarde la fiche technique",
		},
	},
	cRAnswerPrice: {
		en: {
			"{price}, they said it on stage",
			"it's {price}, pre-orders are open",
			"{price} and available today",
			"{price} here, check the store page for {country}",
		},
		fr: {
			"{price}, ils l'ont dit sur scène",
			"c'est {price}, les précommandes sont ouvertes",
			"{price} et dispo aujourd'hui",
			"{price} chez nous, regarde la boutique pour {country}",
		},
	},
	cRCrisisAnswer: {
		en: {
			"no word yet",
			"nothing official so far",
			"they haven't said anything yet",
			"someone asked already, still waiting",
			"I read it's only the Insider batch, but nothing confirmed",
			"asked support, they said a statement is coming",
		},
		fr: {
			"pas encore de réponse",
			"rien d'officiel pour l'instant",
			"ils ont encore rien dit",
			"quelqu'un a déjà demandé, on attend",
			"j'ai lu que c'était que le lot Insider, mais rien de confirmé",
			"j'ai demandé au support, ils disent qu'un communiqué arrive",
		},
	},
	cGlitch: {
		en: {
			"wait did the demo just cut out??",
			"lmao the buds disconnected on stage",
			"awkward silence {lol}",
			"{host} is re-pairing them live {lol}",
			"the demo gods are not kind today",
			"did anyone else hear the audio drop?",
			"c:uh oh {sad}",
			"that's not a good look on launch day",
			"p:The live demo of the {product} just cut out mid-song on stage. A few awkward seconds for {host}.",
		},
		fr: {
			"attendez la démo vient de couper ??",
			"mdr les écouteurs ont décroché sur scène",
			"gros blanc {lol}",
			"{host} les réappaire en direct {lol}",
			"l'effet démo dans toute sa splendeur",
			"vous avez entendu le son couper ?",
			"c:aïe {sad}",
			"pas terrible le jour du lancement",
			"p:La démo des {product} vient de couper en pleine chanson sur scène. Quelques secondes gênantes pour {host}.",
		},
	},
	cRTroll: {
		en: {
			"don't feed the troll",
			"ok buddy",
			"then why are you here lol",
			"nobody is forcing you to watch",
			"c:mods?",
			"touch grass {lol}",
		},
		fr: {
			"nourrissez pas le troll",
			"ok mon grand",
			"alors pourquoi t'es là mdr",
			"personne te force à regarder",
			"c:les modos ?",
			"t'as rien d'autre à faire ?",
		},
	},
	cRSpam: {
		en: {
			"c:mods?",
			"reported",
			"don't click that, it's a scam",
			"lol nice try",
		},
		fr: {
			"c:les modos ?",
			"signalé",
			"cliquez pas, c'est une arnaque",
			"bien essayé mdr",
		},
	},
	cRAgree: {
		en: {
			"same here, mine dropped twice today",
			"yep, mine gets hot too",
			"same, so annoying",
			"this. {brand} please answer",
			"can confirm, left bud especially",
		},
		fr: {
			"pareil, les miens ont coupé deux fois aujourd'hui",
			"oui le mien chauffe aussi",
			"pareil, c'est pénible",
			"exactement. {brand} répondez",
			"je confirme, surtout l'écouteur gauche",
		},
	},
	cRDefend: {
		en: {
			"did you update the firmware though?",
			"mine are fine tbh",
			"it's a beta unit, that's the point",
			"have you tried re-pairing them?",
			"contact support, they replaced mine fast",
		},
		fr: {
			"t'as fait la mise à jour du firmware ?",
			"les miens marchent très bien perso",
			"c'est une paire bêta, c'est le principe",
			"t'as essayé de les réappairer ?",
			"contacte le support, ils m'ont remplacé les miens vite",
		},
	},
	cRHype: {
		en: {
			"right?? {emote}",
			"same, instant pre-order",
			"agreed, the {color} one is the best",
			"100%",
			"ikr",
		},
		fr: {
			"hein ?? {emote}",
			"pareil, précommande direct",
			"d'accord, le {color} est le plus beau",
			"grave",
			"carrément, j'adore",
		},
	},
	cRWelcome: {
		en: {
			"welcome!",
			"hey! you're just in time",
			"hey, welcome to the chaos",
			"hi! grab a seat",
		},
		fr: {
			"bienvenue !",
			"salut, t'arrives pile à l'heure",
			"coucou, bienvenue dans le chaos",
			"salut ! installe-toi",
		},
	},
	cRGeneric: {
		en: {
			"lol true",
			"c:{lol}",
			"fair point",
			"haha yes",
			"not sure about that",
			"exactly what I thought",
			"that's a good question actually",
			"same tbh",
			"wait really?",
			"good point",
			"I was about to say that",
			"this ^",
		},
		fr: {
			"mdr vrai",
			"pas faux",
			"haha oui",
			"pas sûr de ça",
			"c'est exactement ce que je pensais",
			"bonne question en vrai",
			"pareil en vrai",
			"attends, vraiment ?",
			"bien vu",
			"j'allais le dire",
			"ça ^",
		},
	},
	cFThanks: {
		en: {
			"thanks for the quick answer!",
			"oh nice, thank you {Brand} team",
			"perfect, that's all I needed",
			"wow they actually answered {emote}",
			"great, pre-ordering now then",
			"appreciate it!",
		},
		fr: {
			"merci pour la réponse rapide !",
			"ah super, merci l'équipe {Brand}",
			"parfait, c'est tout ce que je voulais savoir",
			"ils ont vraiment répondu {emote}",
			"top, je précommande alors",
			"merci beaucoup !",
		},
	},
	cFSkeptic: {
		en: {
			"ok but when exactly?",
			"that doesn't really answer my question",
			"so is that a yes or a no?",
			"hmm, I'll believe it when I see it",
			"is there an official page I can read about that?",
		},
		fr: {
			"ok mais concrètement c'est quand ?",
			"ça répond pas vraiment à ma question",
			"donc c'est oui ou non ?",
			"mouais, je verrai bien",
			"il y a une page officielle là-dessus ?",
		},
	},
	cFAngry: {
		en: {
			"a firmware update is not enough, I want a refund",
			"copy-paste answer, thanks for nothing",
			"ok but who pays if the case damages something?",
			"I'll wait for a real statement",
		},
		fr: {
			"une mise à jour ne suffit pas, je veux être remboursé",
			"réponse copiée-collée, merci pour rien",
			"et si le boîtier abîme quelque chose, qui paie ?",
			"j'attends une vraie déclaration",
		},
	},
	cFRelieved: {
		en: {
			"ok that's reassuring, thank you",
			"good to know, I'll keep my pre-order then",
			"thanks for being transparent about it",
		},
		fr: {
			"ok c'est rassurant, merci",
			"bon à savoir, je garde ma précommande alors",
			"merci pour la transparence",
		},
	},
	cFMore: {
		en: {
			"thanks! and does it work with Android too?",
			"cool, and is there a student discount?",
			"nice. any plans for a {color} version in {country}?",
		},
		fr: {
			"merci ! et ça marche avec Android aussi ?",
			"cool, et il y a une réduc étudiant ?",
			"top. une version {color} est prévue {country} ?",
		},
	},
}

// slot is a placeholder filled when a template is rendered.
type slot uint8

const (
	sLit slot = iota
	sBrand
	sBrandName
	sProduct
	sPrice
	sCountry
	sFeature
	sColor
	sCity
	sCompetitor
	sReviewer
	sHost
	sEmote
	sLol
	sSad
	sUser
	sLink
	numSlots
)

var slotNames = map[string]slot{
	"brand":      sBrand,
	"Brand":      sBrandName,
	"product":    sProduct,
	"price":      sPrice,
	"country":    sCountry,
	"feature":    sFeature,
	"color":      sColor,
	"city":       sCity,
	"competitor": sCompetitor,
	"reviewer":   sReviewer,
	"host":       sHost,
	"emote":      sEmote,
	"lol":        sLol,
	"sad":        sSad,
	"user":       sUser,
	"link":       sLink,
}

// brandName is the fictional company; the product is its "Halo" earbuds.
const brandName = "Lumio"

// values fills the slots that depend only on the language.
var values = [numSlots][2][]string{
	sBrandName: {{brandName}, {brandName}},
	sProduct: {
		en: {"Halo", "Lumio Halo", "Halo buds", "Halo"},
		fr: {"Halo", "Lumio Halo", "Halo"},
	},
	sPrice: {
		en: {"$169", "€149", "£139", "$169", "CA$229"},
		fr: {"149 €", "149 euros", "149 €", "229 $ CA"},
	},
	sCountry: {
		en: {"Belgium", "Canada", "Ireland", "Australia", "Switzerland", "New Zealand", "Mexico", "India", "Poland", "Brazil", "South Africa"},
		fr: {"en Belgique", "au Canada", "en Suisse", "au Québec", "au Maroc", "au Luxembourg", "en Tunisie", "au Sénégal", "à la Réunion", "en Algérie", "en Côte d'Ivoire"},
	},
	sFeature: {
		en: {"noise cancelling", "transparency mode", "wireless charging", "multipoint", "spatial audio", "the battery life", "the touch controls", "the mic", "the EQ in the app"},
		fr: {"la réduction de bruit", "le mode transparence", "la recharge sans fil", "le multipoint", "l'audio spatial", "l'autonomie", "les commandes tactiles", "le micro", "l'égaliseur de l'appli"},
	},
	sColor: {
		en: {"sand", "midnight", "coral", "pearl white", "sage green"},
		fr: {"sable", "minuit", "corail", "blanc nacré", "vert sauge"},
	},
	sCity: {
		en: {"Austin", "Leeds", "Toronto", "Dublin", "Manchester", "Seattle", "Melbourne", "Chicago", "Glasgow", "Denver", "Vancouver", "Bristol", "Atlanta", "Auckland", "Cape Town", "Berlin"},
		fr: {"Lyon", "Montréal", "Bruxelles", "Toulouse", "Lille", "Québec", "Genève", "Nantes", "Marseille", "Liège", "Dakar", "Bordeaux", "Rennes", "Strasbourg", "Sherbrooke", "Namur", "Abidjan", "Lausanne"},
	},
	sCompetitor: {
		en: {"Vexa Pods", "Sonik Air 2", "Nordwave Buds", "Kiro Beats Pro", "Vexa Pods Pro"},
		fr: {"Vexa Pods", "Sonik Air 2", "Nordwave Buds", "Kiro Beats Pro", "Vexa Pods Pro"},
	},
	sReviewer: {
		en: {"GearTalk", "SoundCheck Weekly", "TechPulse", "OndeTech", "Le Labo Audio"},
		fr: {"OndeTech", "Le Labo Audio", "Numérique Matin", "GearTalk", "TechPulse"},
	},
	sHost: {
		en: {"Maya", "Théo", "Maya Okafor"},
		fr: {"Maya", "Théo", "Théo Lambert"},
	},
	sLink: {
		en: {"lumio-giveaway.win/halo", "free-halo.click/claim", "lumi0-gifts.shop", "halo-promo.top/win", "getfollowers.pro/cheap", "b00st-views.net"},
		fr: {"lumio-cadeaux.win/halo", "halo-gratuit.click", "lumi0-gifts.shop", "halo-promo.top/gagner", "followers-pas-cher.pro", "b00st-views.net"},
	},
}

// Chat fillers that make the same thought come out differently.
var (
	fillerPrefix = [2][]string{
		en: {"ok ", "honestly ", "ngl ", "wait ", "omg ", "yo ", "hmm ", "lol ", "bro ", "ok so "},
		fr: {"bon ", "franchement ", "ptdr ", "attends ", "ah ", "bref ", "mdr ", "bah ", "genre ", "bon bah "},
	}
	fillerSuffix = [2][]string{
		en: {" lol", " ngl", " tbh", "!!", " fr", "...", " haha", " honestly", " lmao", "!"},
		fr: {" mdr", " ptdr", " franchement", " sérieux", "!!", " en vrai", "...", " hein", " quoi", " mdrr"},
	}
	questionSuffix = [2][]string{
		en: {"?", "??", " pls", " anyone?", " 👀"},
		fr: {"?", "??", " svp", " quelqu'un ?", " 👀"},
	}
)

// hashtags appended to posts, by language.
var hashtags = [2][]string{
	en: {"#Lumio", "#keynote", "#tech", "#earbuds", "#audio", "#launch"},
	fr: {"#Lumio", "#keynote", "#tech", "#écouteurs", "#audio", "#LumioLive"},
}

// part is a literal run or a slot.
type part struct {
	lit  string
	slot slot
}

// tmpl is a parsed template.
type tmpl struct {
	parts []part
	chat  bool // allowed on chat platforms
	post  bool // allowed on post platforms
	user  bool // has a {user} slot
	brand bool // mentions the brand
	emote bool // has an emote-like slot
	lit0  bool // starts with literal text
}

// style is how a platform's messages are shaped.
type style uint8

const (
	chatStyle style = iota // short chat lines
	postStyle              // social posts
)

// lib holds the parsed templates by style, category and language.
var lib [2][numCats][2][]*tmpl

func parseTemplate(s string) (*tmpl, error) {
	t := &tmpl{chat: true, post: true}
	switch {
	case strings.HasPrefix(s, "c:"):
		t.post, s = false, s[2:]
	case strings.HasPrefix(s, "p:"):
		t.chat, s = false, s[2:]
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return nil, fmt.Errorf("control character in %q", s)
		}
	}
	t.lit0 = !strings.HasPrefix(s, "{")
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, part{lit: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed slot in %q", s)
		}
		name := s[i+1 : i+j]
		sl, ok := slotNames[name]
		if !ok {
			return nil, fmt.Errorf("unknown slot {%s}", name)
		}
		switch sl {
		case sBrand:
			t.brand = true
		case sUser:
			t.user = true
		case sEmote, sLol, sSad:
			t.emote = true
		}
		t.parts = append(t.parts, part{slot: sl})
		s = s[i+j+1:]
	}
	return t, nil
}

func init() {
	for c := range raw {
		for l := range raw[c] {
			for _, s := range raw[c][l] {
				t, err := parseTemplate(s)
				if err != nil {
					panic("demo: template: " + err.Error())
				}
				if t.chat {
					lib[chatStyle][c][l] = append(lib[chatStyle][c][l], t)
				}
				if t.post {
					lib[postStyle][c][l] = append(lib[postStyle][c][l], t)
				}
			}
		}
	}
}

// frenchWords and englishWords drive the crude language guess used to
// answer back in the language of the message the brand replied to.
var frenchWords = map[string]bool{
	"le": true, "la": true, "les": true, "des": true, "une": true, "est": true,
	"pas": true, "je": true, "tu": true, "vous": true, "nous": true, "merci": true,
	"bonjour": true, "salut": true, "quand": true, "combien": true, "pourquoi": true,
	"avec": true, "pour": true, "sur": true, "dans": true, "mais": true, "très": true,
	"trop": true, "ça": true, "c'est": true, "j'ai": true, "votre": true, "vos": true,
	"quoi": true, "qui": true, "oui": true, "non": true, "aussi": true, "déjà": true,
	"bien": true, "sont": true, "livrez": true, "livraison": true, "prix": true,
	"écouteurs": true, "boîtier": true, "il": true, "elle": true, "mon": true,
	"ma": true, "mes": true, "du": true, "au": true, "et": true, "en": true,
}

var englishWords = map[string]bool{
	"the": true, "is": true, "are": true, "you": true, "your": true, "we": true,
	"our": true, "thanks": true, "thank": true, "hello": true, "hi": true,
	"when": true, "how": true, "why": true, "with": true, "for": true, "on": true,
	"but": true, "very": true, "it's": true, "i": true, "i'm": true, "yes": true,
	"no": true, "will": true, "be": true, "ship": true, "shipping": true,
	"does": true, "do": true, "it": true, "my": true, "and": true, "this": true,
	"what": true, "to": true, "of": true, "can": true, "they": true,
}

// looksFrench reports whether s reads as French rather than English.
func looksFrench(s string) bool {
	var frN, enN int
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		w = strings.ReplaceAll(w, "’", "'")
		if frenchWords[w] {
			frN++
		}
		if englishWords[w] {
			enN++
		}
	}
	return frN > enN
}
