// Package irc is the connector for IRC networks and Twitch chat.
//
// One Connector holds one connection to one server, over TCP, TLS or
// WebSocket (IRCv3 WebSocket: one line per text frame; Twitch may put
// several lines in a frame, and both are accepted). It speaks two dialects:
//
//   - irc: RFC 1459/2812 with IRCv3 where the server offers it: CAP LS 302,
//     message-tags, server-time, echo-message and SASL PLAIN. Replies are
//     PRIVMSGs prefixed with "nick: " (and the +draft/reply client tag when
//     tags are on); long replies are split on word and rune boundaries.
//     Ban is MODE +b nick!*@* and KICK, unban MODE -b.
//   - twitch: Twitch chat with the twitch.tv/tags and twitch.tv/commands
//     capabilities: badges, display names, reply threads, USERNOTICE (subs,
//     raids, announcements), CLEARMSG and CLEARCHAT (as deletions),
//     ROOMSTATE (as feed status) and RECONNECT. Since 2023 Twitch moderates
//     only through its Helix API, so delete, timeout, ban and unban go there
//     when a client id and token are configured.
//
// Lines are parsed and built with github.com/ergochat/irc-go/ircmsg. What
// the server sends is untrusted: a line past the protocol limit is dropped
// (the connection lives on), text that is not UTF-8 is read as Latin-1, and
// every table the connector keeps (recent message ids per author, user ids,
// unconfirmed sends) is bounded.
//
// Sends are confirmed, not assumed: with echo-message a reply counts as sent
// when the server echoes it; on Twitch when the USERSTATE carrying its id
// comes back; elsewhere when the server answers a PING sent right behind it
// without an error in between (servers handle one client's commands in
// order). A send that is never confirmed returns a plain error, which the
// dispatcher shows as uncertain: IRC has no idempotency.
//
// See README.md in this directory for configuration examples.
package irc
