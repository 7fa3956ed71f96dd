// Package search is the query language of the dashboard's `/` search,
// its filters and its columns: a line such as
//
//	refund* from:alice on:twitch -is:deleted OR "ne marche pas" sentiment:neg
//
// parsed once (Parse) and then asked of events, live or stored (Match),
// with the spans of a text to highlight (Highlights). It knows no pane: the
// TUI owns the typing, the paging and the drawing.
//
// # The language
//
// Help is the summary shown to the operator; README.md has the same. In
// short: terms side by side must all hold (AND); OR (upper case) between
// two runs of terms means either run; AND binds tighter, so "a b OR c"
// is "(a and b) or c". There are no parentheses: a term beginning with '('
// or ending with ')' is an error that says so, rather than a query that
// silently means something else. '-' before any term negates it.
//
// Free words and "quoted phrases" are matched in the message's text and
// content warning as the watch-words are (stats/watch): folded (case and
// accents ignored, "probleme" finds "Problème"), whole words ("refund"
// does not hit "refunded"; "refund*" does), punctuation inside a phrase
// ignored, never inside a link. A word that is itself a link (with a scheme,
// www., a path, or a common top-level domain: "lumio-prizes.win",
// "lumio.example/halo") is looked for as a plain substring, ignoring ASCII
// case; "lumio.example" alone is the phrase "lumio example". A word with a colon is a field when what comes before the
// colon is a field name or looks like one (letters only); quote it to
// search for the text itself ("note:" as a phrase).
//
// Fields: from:HANDLE (the author's handle, its part before the first '@'
// or '.', or the display name; '*' at the end for a prefix), on:PLATFORM,
// feed:ID, is:question, is:unanswered, is:mention, is:direct, is:reply,
// is:deleted, has:link, has:cw, watch:WORD (watch:* any),
// sentiment:neg|pos|neutral, before:TIME and after:TIME. A TIME is an RFC
// 3339 time, a date (2026-11-30: its midnight), a date and time
// (2026-11-30T15:04), a time of day (15:04, today) — in the location
// given to Parse — or a duration back from now (90s, 10m, 2h, 3d, 1w).
// after:T keeps events at or after T, before:T those strictly before.
//
// # Facts
//
// is:question, is:unanswered, is:mention, watch: and sentiment: ask the
// pulse, through the Facts interface: the stats engine knows which
// mentions the team has not answered yet. Pulse is the implementation
// tribune uses (NewPulse); a nil Facts makes those terms false (and their
// negation true). Needs reports which facts a query asks for, so that a
// screen can say "is:unanswered is only known for the last hour" when it
// searches the store.
//
// # Errors
//
// A query that cannot be read is an *Error with the byte offset and
// length of the offending word in the query and a message for the
// operator (`unknown field "frm:" — did you mean from:?`): never a query
// that silently matches nothing. The empty query (or only spaces) is
// valid and matches every event; Query.Empty tells it apart.
//
// # Use from the TUI
//
//	q, err := search.Parse(line, sess.Location, time.Now())
//	var perr *search.Error
//	if errors.As(err, &perr) { /* underline line[perr.Offset:perr.Offset+perr.Len], show perr.Msg */ }
//	facts := search.NewPulse(services.Watch, len(brand), services.Stats.Waiting) // once per session
//	ok := q.Match(&ev, facts)       // the in-memory window, per event
//	spans := q.Highlights(ev.Text)  // byte spans of ev.Text to paint
//	// in a Cmd, with a context cancelled when the query changes:
//	page, next, err := db.Search(ctx, q.Filter(facts), store.Cursor{}, 50)  // newest first
//	page, next, err = db.Search(ctx, q.Filter(facts), next, 50)             // more, until next.Done()
//	page, next, err = db.Search(ctx, q.Filter(facts), store.CursorBefore(oldestRowSeq), 50)
//
// Facts on stored events: is:unanswered only knows the pulse's last
// hour, and sentiment and watch-words are read again from the text.
//
// A Query is immutable once parsed and safe for concurrent use; Match
// allocates nothing for ASCII authors, platforms and feed ids. Relative
// times (after:10m) are fixed when the query is parsed: parse again to
// move them with the clock.
package search
