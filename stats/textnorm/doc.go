// Package textnorm folds and tokenizes chat text for the stats engine: the
// watch-word matcher, the sentiment scorer and the "top terms" count all
// see a message through it, so "Problème", "PROBLEME" and "probleme" are
// one word everywhere.
//
// # Folding
//
// A word is folded to lower case with its accents removed: "Problème" →
// "probleme", "BRÛLANT" → "brulant", "Ça" → "ca". Ligatures and sharp s
// are spelled out ("œuf" → "oeuf", "Æ" → "ae", "Straße" → "strasse", "ﬁ" →
// "fi"); fullwidth letters and digits ("ＨＡＬＯ") and the mathematical
// alphabets spammers use ("𝐇𝐀𝐋𝐎", "𝓗𝓪𝓵𝓸") become ASCII; combining marks are
// dropped, so a decomposed "e\u0301" folds like "é". The table is written
// by hand for Latin-1, Latin Extended-A and the pinyin/Romanian letters of
// Extended-B; every other letter is only lower-cased (Greek keeps its
// tonos, Vietnamese its tone marks unless they come decomposed). ASCII takes
// a byte-table path.
//
// # Tokens
//
// Tokens are words, hashtags, mentions, links and emoji (see Kind). Words
// are runs of letters, digits and combining marks; everything else
// separates them, so "pré-commande" is "pre" "commande" and "1.2" is "1"
// "2", and a phrase matches whatever punctuation sits between its words.
// Scripts written without spaces (Chinese, Japanese) come out as one token
// per run of letters: no word segmentation is attempted.
//
// Apostrophes (', ’ and ʼ) between two letters are handled so that French
// and English both come out usefully:
//
//   - after a French elided word (c d j l m n s t qu jusqu lorsqu puisqu
//     quoiqu) the apostrophe splits: "l'écran" → "l" (an Elision token)
//     and "ecran"; "n'aime" → "n" "aime", "qu'il" → "qu" "il";
//   - before a final "s" (English possessive, "it's", "let's") the "'s" is
//     dropped: "Lumio's" → "lumio", whose span stops before the apostrophe;
//   - otherwise the apostrophe is removed and the word goes on:
//     "don't" → "dont", "can't" → "cant", "aujourd'hui" → "aujourdhui".
//     People type "dont" without the apostrophe anyway, and lexicons list
//     that form. "I'll" → "ill" and "we'll" → "well" collide with other
//     words; the lexicon and stop-words live with it.
//
// A link is one token, whether it has a scheme (https://…), starts with
// www. or is a bare domain followed by a path or ending in a common TLD
// ("lumio-cadeaux.win/halo", "b00st-views.net"); words inside a link are
// not tokens, so a watch-word never fires on a URL's path. An unknown TLD
// without a path ("ok.boomer") stays words.
//
// # Cost
//
// Tokenizer.Next does not allocate; the folded form lives in the
// Tokenizer's own 64-byte buffer. On chat-length text a whole message
// costs a few hundred nanoseconds at most (see the benchmarks).
package textnorm
