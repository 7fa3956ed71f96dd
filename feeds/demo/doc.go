// Package demo is the connector a newcomer sees when tribune runs with no
// configuration: a simulated live launch, covered at once on several
// platforms, that exercises every pane of the dashboard.
//
// The fictional brand Lumio unveils its "Halo" earbuds on stage. Each
// Connector simulates one platform: twitch (fast short chat, emotes,
// badges, sub and raid notices, channel "#lumio"), irc (short chat,
// "#lumio-fans"), mastodon (longer posts tagged #LumioHalo, some verified
// accounts) or bluesky (medium posts from name.bsky.social handles). About
// 40% of the messages are in French and 60% in English, from ~150 accounts
// per platform whose activity follows a Zipf law, so a few regulars dominate
// and come back after a pause, with a handful of trolls, throwaway spam
// accounts and, on the social platforms, press accounts.
//
// The timeline, in scenario time since New (the rate is Config.Rate times
// the intensity shown):
//
//	0:00 warm-up   x1    hellos, guesses, "when does it start?", early questions
//	0:40 reveal    x4    the Halo appear on stage (~0:45): hype, comparisons
//	1:40 price     x4    the price (~1:45), "available today": reactions, shipping questions
//	2:55 crisis    x4-5  the demo cuts out on stage and the review embargo lifts:
//	                     disconnects, an overheating case, angry and worried
//	                     messages tagging the brand, trolls, #HaloGate; ~90 s
//	4:30 recovery  x4→1  slowly calms: defenders, firmware 1.2 talk, refund questions
//	6:20 q&a       x1    feature questions, comparisons, a small flare at ~7:10
//	8:00 ...       x1-4  four-minute cycles of "steady" chatter, each with one
//	                     "flare-up" (a giveaway, a limited colour, a guest DJ),
//	                     "aftershock" (complaints return) or "q&a", varied by seed
//
// Scenario is the pure generator: for a platform, seed and rate it always
// produces the same events, for tests and replays. Connector paces it in
// real time, and Do answers for the simulated platform: a reply appears as
// the brand's message and often draws an answer from its recipient a few
// seconds later; deletions, timeouts and bans appear as the platform would
// show them, and a banned account stops posting.
//
// FeedConfig is a demo feed's table in the config file; Launch is the set
// of demo feeds that runs when none is configured.
package demo
