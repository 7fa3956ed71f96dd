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
// Sends are confirmed, not assumed. On IRC a PING goes right behind the
// lines of every action, and servers handle one client's commands in order:
// what the server says before the PONG (echoes with echo-message, error
// numerics about the target) is about those lines, and the action settles
// on its own PONG, never earlier, so nothing about it is left for the next
// action to take as its own. All lines taken is success, all refused a
// Permanent refusal, and a mix a plain error (part was posted). On Twitch a
// reply counts as sent when the USERSTATE carrying its id comes back; those
// name no message, so one Twitch never answers ends the session rather than
// shift every later confirmation onto the wrong message. A send that is never
// confirmed returns a plain error, which the dispatcher shows as uncertain:
// IRC has no idempotency. A failed write ends the session too, since it may
// have left half a line on the wire.
//
// See README.md in this directory for configuration examples.
package irc
