// Package feeds owns everything that talks to a platform: the Event and Action
// types every connector speaks, the Connector interface, and the errors
// by which a connector tells the runtime what a failure means. The runtime
// that drives connectors lives beside it: feeds/hub supervises them and fans
// events in and out, feeds/outbox is the life cycle of a queued action, and
// feeds/dispatch carries queued actions out to them.
//
// No connector knows about the TUI and no pane knows about a protocol: the
// types in this file are the whole contract between the two.
package feeds

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Kind says what an Event is.
type Kind uint8

const (
	// KindMessage is a chat line or a social post.
	KindMessage Kind = iota
	// KindAction is an IRC-style "/me" action.
	KindAction
	// KindNotice is a platform or system notice: a subscription, a raid,
	// an announcement, a room-state change.
	KindNotice
	// KindDelete is a moderation marker: the event Target on the same feed
	// was deleted. It is applied to the target, never shown as a row.
	KindDelete
)

// String names the kind for logs and exports.
func (k Kind) String() string {
	switch k {
	case KindMessage:
		return "message"
	case KindAction:
		return "action"
	case KindNotice:
		return "notice"
	case KindDelete:
		return "delete"
	}
	return "unknown"
}

// Role badges an author may carry. Connectors map platform badges onto these
// so that panes can style them without knowing the platform.
const (
	BadgeBroadcaster = "broadcaster"
	BadgeModerator   = "moderator"
	BadgeVIP         = "vip"
	BadgeSubscriber  = "subscriber"
	BadgeVerified    = "verified"
	BadgeStaff       = "staff"
	BadgeBrand       = "brand" // the operator's own account
)

// Event is one thing that happened on a feed. Every string field is
// untrusted until the hub has sanitized it.
type Event struct {
	// Seq is assigned by the hub: strictly increasing across all feeds in
	// arrival order. Zero until the event has been ingested.
	Seq uint64 `json:"seq"`
	// Feed is the configured feed id the event came from ("twitch-main").
	Feed string `json:"feed"`
	// Platform is the kind of network ("twitch", "mastodon", "irc", ...).
	Platform string `json:"platform"`
	// ID is the platform's id for the event, unique within Feed. The hub
	// drops an event whose Feed and ID it has already seen.
	ID      string    `json:"id"`
	Kind    Kind      `json:"kind"`
	Time    time.Time `json:"time"`
	Channel string    `json:"channel,omitempty"`
	// Author is the stable handle (login, acct, DID handle); AuthorName
	// the display name when the platform has one.
	Author     string   `json:"author,omitempty"`
	AuthorName string   `json:"author_name,omitempty"`
	Badges     []string `json:"badges,omitempty"`
	Text       string   `json:"text"`
	// ReplyTo is the platform id of the event this one answers, if any.
	ReplyTo string `json:"reply_to,omitempty"`
	// Target is, for KindDelete, the ID of the deleted event.
	Target string `json:"target,omitempty"`
	// Deleted is set when a moderation event removed this one.
	Deleted bool `json:"deleted,omitempty"`
	// Direct is set for a private message to the operator's account (an
	// IRC query, a Mastodon direct mention), not said in a public channel.
	Direct bool `json:"direct,omitempty"`
	// Warning is a content warning the platform shows before Text
	// (Mastodon's spoiler text, a Bluesky label).
	Warning string `json:"warning,omitempty"`
	// RepostOf is, for a boost or repost, the handle of the original
	// post's author; Author is who reposted it and Text is the original.
	RepostOf string `json:"repost_of,omitempty"`
}

// DisplayAuthor is the name to show: the display name when there is one.
func (e *Event) DisplayAuthor() string {
	if e.AuthorName != "" {
		return e.AuthorName
	}
	return e.Author
}

// HasBadge reports whether the author carries the role badge b.
func (e *Event) HasBadge(b string) bool {
	for _, x := range e.Badges {
		if x == b {
			return true
		}
	}
	return false
}

// ActionKind is what an Action asks a connector to do.
type ActionKind string

const (
	ActReply   ActionKind = "reply"
	ActDelete  ActionKind = "delete"
	ActTimeout ActionKind = "timeout"
	ActBan     ActionKind = "ban"
	ActUnban   ActionKind = "unban"
	// ActPost is a new message, not an answer: Target is empty and
	// Channel, when the platform has channels, says where.
	ActPost ActionKind = "post"
	// ActFavourite, ActBoost: a like and a repost of Target.
	ActFavourite ActionKind = "favourite"
	ActBoost     ActionKind = "boost"
	// ActMute, ActBlock: of TargetAuthor, by the operator's account.
	ActMute  ActionKind = "mute"
	ActBlock ActionKind = "block"
	// ActReport reports Target (or TargetAuthor) to the platform's
	// moderators, with Reason.
	ActReport ActionKind = "report"
)

// Action is something an operator asks a feed to do. It is written to the
// outbox before anything is sent.
type Action struct {
	// ID is chosen by the client when the action is queued. Connectors whose
	// platform supports idempotency use it as the key, so a retry after a
	// crash is not a second post.
	ID      string     `json:"id"`
	Feed    string     `json:"feed"`
	Kind    ActionKind `json:"kind"`
	Channel string     `json:"channel,omitempty"`
	Text    string     `json:"text,omitempty"`
	// Target is the platform id of the event acted on (the message replied
	// to, the message deleted); TargetAuthor the author acted on (timeout,
	// ban). TargetText is a short excerpt kept for the outbox view.
	Target       string        `json:"target,omitempty"`
	TargetAuthor string        `json:"target_author,omitempty"`
	TargetText   string        `json:"target_text,omitempty"`
	Duration     time.Duration `json:"duration,omitempty"`
	// Reason is what the operator gave for a ban, a timeout or a report,
	// for the platforms that take one.
	Reason   string    `json:"reason,omitempty"`
	Operator string    `json:"operator"`
	Created  time.Time `json:"created"`
}

// NewActionID returns an id for an action queued at t: unique, and sorting
// by creation time, which is the outbox's order.
func NewActionID(t time.Time) string {
	return fmt.Sprintf("%016x-%08x", t.UnixNano(), rand.Uint32())
}

// Capabilities is what a connector declares so the UI offers only what works.
type Capabilities struct {
	// MaxText is the platform's limit on a reply, in characters (runes).
	MaxText int
	// Actions lists the action kinds Do carries out.
	Actions []ActionKind
	// Idempotent is true when a repeated Do with the same Action.ID cannot
	// post twice. When false, an interrupted send becomes "uncertain".
	Idempotent bool
	// Rate is the platform's published limit on actions; the dispatcher
	// paces the feed to it unless the config overrides it. Zero: no limit.
	Rate Limit
}

// Limit is a rate: at most Count actions in any window of Per.
type Limit struct {
	Count int
	Per   time.Duration
}

// IsZero reports whether the limit is unset (no pacing).
func (l Limit) IsZero() bool { return l.Count <= 0 || l.Per <= 0 }

// String reads "20/30s".
func (l Limit) String() string {
	if l.IsZero() {
		return "unlimited"
	}
	return fmt.Sprintf("%d/%s", l.Count, l.Per)
}

// Can reports whether the connector carries out actions of kind k.
func (c Capabilities) Can(k ActionKind) bool {
	for _, a := range c.Actions {
		if a == k {
			return true
		}
	}
	return false
}

// Stream is what a running connector reports into. It is provided by the
// supervisor; its methods are safe to call from any goroutine.
type Stream interface {
	// Emit hands one raw event to the hub. It blocks while the hub's
	// ingest queue is full, which is the back-pressure a flood needs.
	Emit(Event)
	// Commit hands events to the hub and returns once they are stored, or
	// dropped as already seen. A connector that acknowledges receipt to its
	// peer (a webhook answering 2xx) waits on it; ctx bounds the wait.
	Commit(ctx context.Context, evs []Event) error
	// Connected says the connection is established and streaming: call it
	// once the peer has proven it (registered, first frame), not at the
	// handshake. The supervisor reports the feed healthy.
	Connected()
	// Status sets a standing condition of the feed that the Stats pane
	// shows beside its health ("slow" = "30s", "mode" = "followers-only").
	// An empty value clears the key. Keys and values are untrusted text,
	// sanitized by the hub. Status is cleared when Run returns.
	Status(key, value string)
}

// Connector is one platform connection. Implementations live in
// sub-packages (feeds/demo, feeds/irc, ...).
type Connector interface {
	// Platform names the kind of network, for badges and limits.
	Platform() string
	// Capabilities is constant for the life of the connector.
	Capabilities() Capabilities
	// Run connects and streams until ctx ends (return ctx.Err()) or the
	// connection fails (return the error); the supervisor calls it again
	// after a backoff, or after the wait of an error wrapped with
	// RetryAfter when the peer said when to come back and that is longer
	// (at most ten minutes). The backoff starts afresh only after a run
	// that stayed connected for a while. Run may resume from its own
	// cursor.
	Run(ctx context.Context, s Stream) error
	// Do carries out one action. It may be called concurrently with Run.
	// Errors wrapped with Permanent are not retried.
	Do(ctx context.Context, a Action) error
}
