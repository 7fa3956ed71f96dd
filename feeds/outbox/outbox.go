// Package outbox is the life cycle of an action an operator queued: where
// an Outgoing item stands (State), the changes the operator and the
// dispatcher may make to it (Claim, Edit, Cancel, Resend), the Hold that
// keeps everything in, and the AuditEntry that records each change. The
// store keeps the items and the audit log; feeds/dispatch sends them.
package outbox

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
)

// State is where an outbox item is in its life cycle.
type State string

const (
	StateQueued    State = "queued"
	StateSending   State = "sending"
	StateSent      State = "sent"
	StateFailed    State = "failed"
	StateUncertain State = "uncertain"
	StateCancelled State = "cancelled"
)

// Done reports whether the item needs nothing more from the dispatcher.
func (s State) Done() bool {
	return s == StateSent || s == StateCancelled
}

// Outgoing is one outbox item: an action and what has become of it.
type Outgoing struct {
	Action   feeds.Action `json:"action"`
	State    State        `json:"state"`
	Attempts int          `json:"attempts"`
	Err      string       `json:"err,omitempty"`
	Updated  time.Time    `json:"updated"`
	// NextTry, when set, is the earliest time a queued item may be sent
	// again after a transient failure.
	NextTry time.Time `json:"next_try,omitempty"`
	// Elsewhere says the item is another front-end's of a cluster, shown
	// here as the team's: it is edited, cancelled and resent there. Never
	// stored.
	Elsewhere bool `json:"-"`
}

// Hold is the crisis brake: while On, what it covers does not leave the
// outbox; queued items stay queued and editable. It covers everything,
// unless narrowed: to what speaks for the brand (Replies: replies and
// posts, while moderation still goes out), and to some feeds (Feeds).
type Hold struct {
	On      bool      `json:"on"`
	By      string    `json:"by,omitempty"`
	Since   time.Time `json:"since,omitempty"`
	Replies bool      `json:"replies,omitempty"`
	Feeds   []string  `json:"feeds,omitempty"`
}

// Holds reports whether the hold keeps a in.
func (h Hold) Holds(a feeds.Action) bool {
	switch {
	case !h.On:
		return false
	case len(h.Feeds) > 0 && !slices.Contains(h.Feeds, a.Feed):
		return false
	case h.Replies && a.Kind != feeds.ActReply && a.Kind != feeds.ActPost:
		return false
	}
	return true
}

// Whole reports whether the hold keeps everything in.
func (h Hold) Whole() bool { return h.On && !h.Replies && len(h.Feeds) == 0 }

// Same reports whether h and o hold the same things.
func (h Hold) Same(o Hold) bool {
	return h.On == o.On && (!h.On || h.Replies == o.Replies && slices.Equal(h.Feeds, o.Feeds))
}

// Scope says what a hold covers: "everything", "replies and posts",
// "twitch", "replies and posts on twitch, irc".
func (h Hold) Scope() string {
	what := "everything"
	if h.Replies {
		what = "replies and posts"
	}
	switch {
	case len(h.Feeds) == 0:
		return what
	case h.Replies:
		return what + " on " + strings.Join(h.Feeds, ", ")
	}
	return strings.Join(h.Feeds, ", ")
}

// Incident is a crisis the team handles: from when it was opened until it
// is closed, the audit log is its timeline.
type Incident struct {
	Open  bool      `json:"open"`
	By    string    `json:"by,omitempty"`
	Since time.Time `json:"since,omitempty"`
	Why   string    `json:"why,omitempty"`
}

// Errors from the outbox transitions below, for the operator to read.
var (
	ErrHeld      = errors.New("the outbox is on hold")
	ErrNotQueued = errors.New("the item is no longer queued")
	ErrInFlight  = errors.New("the item is being sent right now")
	ErrFinished  = errors.New("the item is already sent or cancelled")
	ErrEmptyText = errors.New("the text is empty")
)

// Claim takes a queued item for sending: it fails with ErrHeld while the
// outbox is held and ErrNotQueued when something else changed it first.
func (o *Outgoing) Claim(held bool, now time.Time) error {
	switch {
	case held:
		return ErrHeld
	case o.State != StateQueued:
		return ErrNotQueued
	}
	o.State = StateSending
	o.Attempts++
	o.Updated = now
	return nil
}

// Edit replaces the text of an item that has not left yet: queued, or
// failed (the operator fixes what the platform refused, then resends). An
// uncertain item may have been posted: it is resent as it was, or not.
func (o *Outgoing) Edit(text string, now time.Time) error {
	switch {
	case o.State != StateQueued && o.State != StateFailed:
		return fmt.Errorf("cannot edit: %w", o.notQueued())
	case text == "":
		return fmt.Errorf("cannot edit: %w", ErrEmptyText)
	}
	o.Action.Text = text
	o.Updated = now
	return nil
}

// Cancel drops an item that is queued, failed or uncertain.
func (o *Outgoing) Cancel(now time.Time) error {
	switch o.State {
	case StateSending:
		return fmt.Errorf("cannot cancel: %w", ErrInFlight)
	case StateSent, StateCancelled:
		return fmt.Errorf("cannot cancel: %w", ErrFinished)
	}
	o.State = StateCancelled
	o.NextTry = time.Time{}
	o.Updated = now
	return nil
}

// Resend queues a failed or uncertain item again, from a fresh count of
// attempts: the operator checked the platform and chose to send.
func (o *Outgoing) Resend(now time.Time) error {
	if o.State != StateFailed && o.State != StateUncertain {
		return fmt.Errorf("only a failed or uncertain item can be resent; this one is %s", o.State)
	}
	o.State = StateQueued
	o.Attempts = 0
	o.Err = ""
	o.NextTry = time.Time{}
	o.Updated = now
	return nil
}

func (o *Outgoing) notQueued() error {
	switch o.State {
	case StateSending:
		return ErrInFlight
	case StateSent, StateCancelled:
		return ErrFinished
	}
	return fmt.Errorf("%w (it is %s)", ErrNotQueued, o.State)
}

// AuditEntry is one line of the audit log: an action taken on the outbox or
// the outbox's brake, by whom, and what came of it.
type AuditEntry struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	// By is the operator who did this (queued, edited, cancelled, resent,
	// held, released); empty when the dispatcher reports an outcome.
	By string `json:"by,omitempty"`
	// What happened: one of the Audit* values.
	What string `json:"what"`
	// The action concerned, when there is one.
	ActionID     string           `json:"action_id,omitempty"`
	Operator     string           `json:"operator,omitempty"`
	Feed         string           `json:"feed,omitempty"`
	Kind         feeds.ActionKind `json:"kind,omitempty"`
	Channel      string           `json:"channel,omitempty"`
	Target       string           `json:"target,omitempty"`
	TargetAuthor string           `json:"target_author,omitempty"`
	// TargetText is the message acted on, as it read (a deleted message's
	// text is kept here).
	TargetText string `json:"target_text,omitempty"`
	Text       string `json:"text,omitempty"`
	// Duration is a timeout's length.
	Duration time.Duration `json:"duration,omitempty"`
	// Reason is what the operator gave for a ban, a timeout or a report.
	Reason string `json:"reason,omitempty"`
	// State is the item's state after the change; Result the platform's
	// error, if any.
	State    State  `json:"state,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Result   string `json:"result,omitempty"`
}

// Note is what a change to the outbox records in the audit log: what
// happened and who did it. The zero Note records nothing (a claim for
// sending is not worth a line; its outcome is).
type Note struct{ What, By string }

// What an AuditEntry records.
const (
	AuditQueued    = "queued"
	AuditEdited    = "edited"
	AuditCancelled = "cancelled"
	AuditResent    = "resent"
	AuditSent      = "sent"
	AuditFailed    = "failed"
	AuditUncertain = "uncertain"
	AuditRetry     = "retry"
	AuditLimited   = "rate-limited"
	AuditHeld      = "held"
	AuditReleased  = "released"
	// AuditAlert records a spike the stats raised: Feed and Text say
	// where and why.
	AuditAlert = "alert"
	// AuditRefused records what an operator's role does not allow: By
	// asked for Kind (an action, or "hold"), Result says why not.
	AuditRefused = "refused"
	// An incident's timeline: opened (Text: why, often the alert) and
	// closed, a note an operator typed (Text), a message starred
	// (Feed, Target, TargetAuthor, TargetText).
	AuditIncidentOpened = "incident-opened"
	AuditIncidentClosed = "incident-closed"
	AuditNote           = "note"
	AuditStarred        = "starred"
)

// NewAuditEntry describes o after a change recorded as what, done by by.
// The store stamps Time and Seq when it commits the entry.
func NewAuditEntry(o Outgoing, what, by string) AuditEntry {
	a := o.Action
	return AuditEntry{
		By: by, What: what,
		ActionID: a.ID, Operator: a.Operator, Feed: a.Feed, Kind: a.Kind, Channel: a.Channel,
		Target: a.Target, TargetAuthor: a.TargetAuthor, TargetText: a.TargetText, Text: a.Text,
		Duration: a.Duration, Reason: a.Reason,
		State: o.State, Attempts: o.Attempts, Result: o.Err,
	}
}
