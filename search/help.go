package search

// Help is the query language in a few lines, for the help overlay and the
// search line's hint. It says the same as README.md's "Search" section.
const Help = `Search: words and "phrases" match whole words, ignoring case and accents
(probleme finds Problème); refund* is a prefix. Terms side by side must all
match; OR between them means either side (a b OR c is "a and b, or c"; no
parentheses). -term excludes.

  from:alice       the author (handle, handle before @ or ., or display name; ali* prefix)
  on:twitch        the platform           feed:ID       the feed
  is:question      asks something (?)     is:mention    names the brand, or direct
  is:unanswered    a question to the brand the team has not answered (last hour)
  is:direct  is:reply  is:deleted         has:link  has:cw (content warning)
  watch:refund     names that watch-word  watch:*       any watch-word
  sentiment:neg    also pos, neutral
  after:10m  before:2h                    also 3d, 1w, 15:04 (today), 2026-11-30,
                                          2026-11-30T15:04, RFC 3339
Quote a word with a colon to search for it as text: "note:".`
