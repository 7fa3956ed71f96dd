package report

import (
	"bufio"
	"encoding/csv"
	"strconv"
	"time"
)

// writeCSV writes the report as one table of long rows, one figure a row:
// section, time (RFC 3339, empty when the figure is for the period), feed
// ("all" for every feed), key, value, and detail (free text: an alert's
// reason, the text of an action). A spreadsheet pivots it; a script
// filters it by section.
//
//	volume      bucket start, feed, "events", n
//	sentiment   bucket start, "all", "negative"|"neutral"|"positive", n
//	contributor "", platform, author, n, display name
//	response    "", "all", mentions|questions|answered|unanswered|median_seconds|p90_seconds, n
//	watch       "", "all", word, n
//	action      "", "all", kind, n       (sent replies, posts, moderation; "failed")
//	alerts      "", "all", "alerts"|"holds"|"incidents", n
//	incident    time, feed, what, incident number, detail
func writeCSV(w *bufio.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	row := func(section string, t time.Time, feed, key string, value int, detail string) {
		ts := ""
		if !t.IsZero() {
			ts = t.In(r.Location).Format(time.RFC3339)
		}
		_ = cw.Write([]string{section, ts, feed, key, strconv.Itoa(value), detail})
	}
	var none time.Time
	_ = cw.Write([]string{"section", "time", "feed", "key", "value", "detail"})
	row("period", r.Since, "all", "since", 0, "")
	row("period", r.Until, "all", "until", 0, "")
	row("period", none, "all", "step_seconds", int(r.Step/time.Second), "")
	row("period", none, "all", "messages", r.Messages, "")
	row("period", none, "all", "brand_messages", r.Brand, "")
	row("period", none, "all", "authors", r.Authors, "")
	for i, t := range r.Buckets {
		for _, f := range r.Feeds {
			row("volume", t, f, "events", r.Volume[f][i], "")
		}
	}
	for i, t := range r.Buckets {
		s := r.Sentiment[i]
		row("sentiment", t, "all", "negative", s.Negative, "")
		row("sentiment", t, "all", "neutral", s.Neutral, "")
		row("sentiment", t, "all", "positive", s.Positive, "")
	}
	for _, c := range r.Top {
		row("contributor", none, c.Platform, c.Author, c.N, c.Name)
	}
	row("response", none, "all", "mentions", r.Mentions, "")
	row("response", none, "all", "questions", r.Questions, "")
	row("response", none, "all", "answered", r.Answered, "")
	row("response", none, "all", "unanswered", r.Unanswered, "")
	if r.Answered > 0 {
		row("response", none, "all", "median_seconds", int(r.ResponseMedian.Round(time.Second)/time.Second), "")
		row("response", none, "all", "p90_seconds", int(r.ResponseP90.Round(time.Second)/time.Second), "")
	}
	for _, wc := range r.Watch {
		row("watch", none, "all", wc.Word, wc.N, "")
	}
	row("action", none, "all", "reply", r.Replies, "")
	row("action", none, "all", "post", r.Posts, "")
	for _, k := range r.Moderation {
		row("action", none, "all", k.Kind, k.N, "")
	}
	row("action", none, "all", "failed", r.Failed, "")
	row("alerts", none, "all", "alerts", r.Alerts, "")
	row("alerts", none, "all", "holds", r.Holds, "")
	row("alerts", none, "all", "incidents", len(r.Incidents), "")
	for i, inc := range r.Incidents {
		for _, e := range inc.Entries {
			row("incident", e.Time, e.Feed, entryWhat(e), i+1, entryDetail(e))
		}
	}
	cw.Flush()
	return cw.Error()
}
