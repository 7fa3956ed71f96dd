// Package report writes what tribune stored, for after the event: the
// stored events as JSON lines or CSV (Export), and a report on a period
// (Build, then Markdown, CSV or HTML): volume over time, top contributors,
// the team's response times, watch-word hits, sentiment over time,
// moderation, alerts and incident timelines.
//
// It reads through Source, which *store.DB satisfies, and reads text with
// the stats packages (stats/sentiment, stats/watch), so that a report
// counts as the Stats pane does. Everything streams: an export holds one
// page of events at a time, a report its aggregates (bounded, see Build).
package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// Source is what reports and exports read: a *store.DB.
type Source interface {
	Events(f store.Filter, fn func(feeds.Event) error) error
	Audit(since time.Time, fn func(outbox.AuditEntry) error) error
	MinuteCounts(since time.Time) (map[string][]store.MinuteCount, error)
}

// Export formats.
const (
	JSONL = "jsonl"
	CSV   = "csv"
)

// exportRecord is one exported event: the stored fields, with the kind
// named and the time in UTC. Text is the stored text, exactly: not the
// copy the screen shows.
type exportRecord struct {
	Seq        uint64   `json:"seq"`
	Time       string   `json:"time"`
	Feed       string   `json:"feed"`
	Platform   string   `json:"platform"`
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Channel    string   `json:"channel,omitempty"`
	Author     string   `json:"author,omitempty"`
	AuthorName string   `json:"author_name,omitempty"`
	Badges     []string `json:"badges,omitempty"`
	Text       string   `json:"text"`
	ReplyTo    string   `json:"reply_to,omitempty"`
	Target     string   `json:"target,omitempty"`
	Deleted    bool     `json:"deleted,omitempty"`
	Direct     bool     `json:"direct,omitempty"`
	Warning    string   `json:"warning,omitempty"`
	RepostOf   string   `json:"repost_of,omitempty"`
}

// csvHeader names the CSV columns, in the order of exportRecord.
var csvHeader = []string{"seq", "time", "feed", "platform", "id", "kind", "channel", "author",
	"author_name", "badges", "text", "reply_to", "target", "deleted", "direct", "warning", "repost_of"}

func record(ev *feeds.Event) exportRecord {
	t := ""
	if !ev.Time.IsZero() {
		t = ev.Time.UTC().Format(time.RFC3339Nano)
	}
	return exportRecord{Seq: ev.Seq, Time: t, Feed: ev.Feed, Platform: ev.Platform, ID: ev.ID,
		Kind: ev.Kind.String(), Channel: ev.Channel, Author: ev.Author, AuthorName: ev.AuthorName,
		Badges: ev.Badges, Text: ev.Text, ReplyTo: ev.ReplyTo, Target: ev.Target, Deleted: ev.Deleted,
		Direct: ev.Direct, Warning: ev.Warning, RepostOf: ev.RepostOf}
}

func (r *exportRecord) row() []string {
	return []string{strconv.FormatUint(r.Seq, 10), r.Time, r.Feed, r.Platform, r.ID, r.Kind, r.Channel,
		r.Author, r.AuthorName, strings.Join(r.Badges, " "), r.Text, r.ReplyTo, r.Target,
		strconv.FormatBool(r.Deleted), strconv.FormatBool(r.Direct), r.Warning, r.RepostOf}
}

// Export writes the events f picks to w in format (JSONL or CSV), in
// arrival order. CSV has a header row and quotes as RFC 4180 says; badges
// are separated by spaces. It returns the number of events written.
func Export(src Source, f store.Filter, format string, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var write func(*exportRecord) error
	var cw *csv.Writer
	switch format {
	case JSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false) // the text exactly, '<' and all
		write = func(r *exportRecord) error { return enc.Encode(r) }
	case CSV:
		cw = csv.NewWriter(bw)
		if err := cw.Write(csvHeader); err != nil {
			return 0, err
		}
		write = func(r *exportRecord) error { return cw.Write(r.row()) }
	default:
		return 0, fmt.Errorf("export format %q: want jsonl or csv", format)
	}
	n := 0
	err := src.Events(f, func(ev feeds.Event) error {
		if ev.Kind == feeds.KindDelete {
			return nil // a marker; the deleted event says Deleted
		}
		r := record(&ev)
		n++
		return write(&r)
	})
	if err != nil {
		return n, err
	}
	if cw != nil {
		if cw.Flush(); cw.Error() != nil {
			return n, cw.Error()
		}
	}
	return n, bw.Flush()
}
