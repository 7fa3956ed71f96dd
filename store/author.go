package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// AuthorCard is what the store knows of one author on one platform, for
// the user card: their recent events across the feeds of that platform,
// how much they wrote, when they were first seen, and what the team did
// to them.
type AuthorCard struct {
	Platform, Author string
	// Recent are their newest events (messages, actions, notices such as
	// a subscription), newest first, at most the n asked for.
	Recent []feeds.Event
	// Messages counts their stored messages and actions; Deleted how
	// many of those were deleted.
	Messages, Deleted int
	// FirstSeen and LastSeen are the times of their oldest and newest
	// stored event: "first seen" within the history kept (keep_for,
	// keep_count), zero when none is stored.
	FirstSeen, LastSeen time.Time
	// Moderation are the audit entries of moderation actions aimed at
	// them (delete, timeout, ban, unban, mute, block, report: queued,
	// sent, failed…), newest first, at most MaxAuthorAudit. An action
	// has several entries (queued, then sent or failed), sharing its
	// ActionID.
	Moderation []outbox.AuditEntry
}

// MaxAuthorAudit bounds AuthorCard.Moderation.
const MaxAuthorAudit = 200

// moderation are the action kinds the card lists.
var moderation = []feeds.ActionKind{feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban,
	feeds.ActMute, feeds.ActBlock, feeds.ActReport}

// Author reads the card of author (the handle, Event.Author, compared
// without ASCII case) on platform, with their n (at most MaxPage) newest
// events. There is no index by author: it reads every stored event's
// header and author, without decoding the others, the feeds side by side
// in read transactions of at most searchChunk events, and the whole audit
// log; a cancelled ctx stops it.
func (db *DB) Author(ctx context.Context, platform, author string, n int) (AuthorCard, error) {
	card := AuthorCard{Platform: platform, Author: author}
	n = min(n, MaxPage)
	spans, err := db.feedSpans(nil)
	if err != nil {
		return card, fmt.Errorf("reading %s's events: %w", author, err)
	}
	// Each feed is read on its own (side by side), into its own card.
	cards := make([]AuthorCard, len(spans))
	onPlatform := make([]bool, len(spans))
	wantP, wantA := []byte(platform), []byte(author)
	err = db.eachFeed(spans, func(i int, sp feedSpan) error {
		c := &cards[i]
		var raw Raw
		first := true
		return db.walkFeed(ctx, sp.name, 0, sp.last+1, func(seq uint64, v []byte) (bool, error) {
			if err := readRaw(seq, v, &raw); err != nil {
				return false, fmt.Errorf("event %d: %w", seq, err)
			}
			if first {
				first, onPlatform[i] = false, bytes.Equal(raw.Platform, wantP)
			}
			if raw.Kind == feeds.KindDelete || !bytes.EqualFold(raw.Author, wantA) || !bytes.Equal(raw.Platform, wantP) {
				return false, nil
			}
			if raw.Kind == feeds.KindMessage || raw.Kind == feeds.KindAction {
				c.Messages++
				if v[offFlags]&flagDeleted != 0 {
					c.Deleted++
				}
			}
			if !raw.Time.IsZero() {
				if c.LastSeen.IsZero() || raw.Time.After(c.LastSeen) {
					c.LastSeen = raw.Time
				}
				if c.FirstSeen.IsZero() || raw.Time.Before(c.FirstSeen) {
					c.FirstSeen = raw.Time
				}
			}
			if len(c.Recent) < n {
				ev, err := decodeEvent(seq, v)
				if err != nil {
					return false, fmt.Errorf("event %d: %w", seq, err)
				}
				c.Recent = append(c.Recent, ev)
			}
			return false, nil
		})
	})
	if err != nil {
		return card, fmt.Errorf("reading %s's events: %w", author, err)
	}
	feedsOf := make(map[string]bool, len(spans))
	for i, c := range cards {
		feedsOf[spans[i].name] = onPlatform[i]
		card.Messages += c.Messages
		card.Deleted += c.Deleted
		card.Recent = append(card.Recent, c.Recent...)
		if !c.LastSeen.IsZero() && (card.LastSeen.IsZero() || c.LastSeen.After(card.LastSeen)) {
			card.LastSeen = c.LastSeen
		}
		if !c.FirstSeen.IsZero() && (card.FirstSeen.IsZero() || c.FirstSeen.Before(card.FirstSeen)) {
			card.FirstSeen = c.FirstSeen
		}
	}
	slices.SortFunc(card.Recent, func(a, b feeds.Event) int { return cmpSeqDesc(a.Seq, b.Seq) })
	card.Recent = card.Recent[:min(len(card.Recent), n)]
	if err := db.authorAudit(ctx, &card, feedsOf); err != nil {
		return card, fmt.Errorf("reading %s's moderation: %w", author, err)
	}
	return card, nil
}

// authorAudit fills card.Moderation, newest first. An entry on a feed
// whose events are all pruned, whose platform is unknown, is kept.
func (db *DB) authorAudit(ctx context.Context, card *AuthorCard, onPlatform map[string]bool) error {
	marker := []byte(`"target_author":`)
	var from []byte // the key of the last entry read; nil: the newest
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		read := 0
		err := db.bolt.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAudit)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			var k, v []byte
			if from == nil {
				k, v = c.Last()
			} else if k, v = c.Seek(from); k != nil {
				k, v = c.Prev()
			} else {
				k, v = c.Last()
			}
			for ; k != nil && read < searchChunk; k, v = c.Prev() {
				read++
				from = k
				if !bytes.Contains(v, marker) {
					continue
				}
				var e outbox.AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("audit entry %x: %w", k, err)
				}
				if !strings.EqualFold(e.TargetAuthor, card.Author) || !slices.Contains(moderation, e.Kind) {
					continue
				}
				if on, known := onPlatform[e.Feed]; known && !on {
					continue
				}
				card.Moderation = append(card.Moderation, e)
				if len(card.Moderation) == MaxAuthorAudit {
					read = -1
					return nil
				}
			}
			if k == nil {
				read = -1
			}
			from = bytes.Clone(from)
			return nil
		})
		if err != nil || read < 0 {
			return err
		}
	}
}
