package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Report formats.
const (
	Markdown = "md"
	HTMLFmt  = "html"
	// CSV (shared with Export) is one table of long rows.
)

// Write writes r to w in format: md, csv or html.
func Write(w io.Writer, r *Report, format string) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case Markdown:
		err = writeMarkdown(bw, r)
	case CSV:
		err = writeCSV(bw, r)
	case HTMLFmt:
		err = writeHTML(bw, r)
	default:
		return fmt.Errorf("report format %q: want md, csv or html", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// timeFmt is how times read in a report: the zone's offset is shown, so
// a report read elsewhere is not ambiguous.
const timeFmt = "2006-01-02 15:04 -07:00"

func (r *Report) when(t time.Time) string { return t.In(r.Location).Format(timeFmt) }

// label is a bucket's start, as short as the step allows.
func (r *Report) label(t time.Time) string {
	t = t.In(r.Location)
	switch {
	case r.Step >= 24*time.Hour:
		return t.Format("Jan 2")
	case r.Until.Sub(r.Since) > 24*time.Hour:
		return t.Format("Jan 2 15:04")
	}
	return t.Format("15:04")
}

// stepText reads "minute", "5 minutes", "hour", "day".
func stepText(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{7 * 24 * time.Hour, "week"}, {24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if d >= u.d && d%u.d == 0 {
			if n := d / u.d; n > 1 {
				return fmt.Sprintf("%d %ss", n, u.name)
			}
			return u.name
		}
	}
	return duration(d)
}

// duration reads "4m 05s", "1h 02m", "12s".
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d >= time.Minute:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(n)/float64(of))
}

// plural reads "1 alert", "2 alerts".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// clip shortens s to n runes, with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n-1 {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// md makes untrusted text inert in Markdown: no HTML (a renderer would
// pass a tag through), no emphasis, link or code, no table cell break,
// one line.
func md(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func writeMarkdown(w *bufio.Writer, r *Report) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# tribune report\n\n")
	p("%s to %s  \n", r.when(r.Since), r.when(r.Until))
	p("%d messages (%d from the brand) from %d authors", r.Messages, r.Brand, r.Authors)
	if r.AuthorsCapped {
		p(" (at least)")
	}
	p(" on %s; %s, %s.\n\n", plural(len(r.Feeds), "feed"), plural(r.Alerts, "alert"), plural(len(r.Incidents), "incident"))

	p("## Volume\n\nEvents per %s, by feed.\n\n", stepText(r.Step))
	p("| %s |", "from")
	for _, f := range r.Feeds {
		p(" %s |", md(f))
	}
	p(" all |\n|---|")
	for range r.Feeds {
		p("---:|")
	}
	p("---:|\n")
	for i, t := range r.Buckets {
		p("| %s |", r.label(t))
		sum := 0
		for _, f := range r.Feeds {
			n := r.Volume[f][i]
			sum += n
			p(" %d |", n)
		}
		p(" %d |\n", sum)
	}

	p("\n## Top contributors\n\n")
	if len(r.Top) == 0 {
		p("No messages.\n")
	} else {
		p("| # | author | platform | messages |\n|---:|---|---|---:|\n")
		for i, c := range r.Top {
			name := md(c.Author)
			if c.Name != "" && c.Name != c.Author {
				name = md(c.Name) + " \\(" + md(c.Author) + "\\)"
			}
			p("| %d | %s | %s | %d |\n", i+1, name, md(c.Platform), c.N)
		}
	}

	p("\n## Response times\n\n")
	p("%d mentions of the brand, %d of them questions; %d answered", r.Mentions, r.Questions, r.Answered)
	if r.Answered > 0 {
		p(": median %s, 90th percentile %s", duration(r.ResponseMedian), duration(r.ResponseP90))
	}
	p(". %d questions unanswered.", r.Unanswered)
	if r.MentionsCapped {
		p(" (Only the first %d mentions were followed.)", maxMentions)
	}
	p("\n\n")

	p("## Watch-words\n\n")
	if len(r.Watch) == 0 {
		p("No watch-words configured (`[pulse] watch`).\n")
	} else {
		p("| watch-word | messages |\n|---|---:|\n")
		for _, wc := range r.Watch {
			p("| %s | %d |\n", md(wc.Word), wc.N)
		}
	}

	p("\n## Sentiment\n\n")
	m := r.Mood
	p("Over the period: %s negative, %s neutral, %s positive (%d messages; the lexicon reads sarcasm literally).\n\n",
		pct(m.Negative, m.Total()), pct(m.Neutral, m.Total()), pct(m.Positive, m.Total()), m.Total())
	p("| from | messages | negative | positive |\n|---|---:|---:|---:|\n")
	for i, t := range r.Buckets {
		s := r.Sentiment[i]
		p("| %s | %d | %s | %s |\n", r.label(t), s.Total(), pct(s.Negative, s.Total()), pct(s.Positive, s.Total()))
	}

	p("\n## Moderation and actions\n\n")
	p("| action | carried out |\n|---|---:|\n")
	p("| reply | %d |\n| post | %d |\n", r.Replies, r.Posts)
	for _, k := range r.Moderation {
		p("| %s | %d |\n", k.Kind, k.N)
	}
	p("\n%d actions failed or ended uncertain.\n", r.Failed)

	p("\n## Alerts and incidents\n\n")
	p("%s; the outbox was held %s.\n", plural(r.Alerts, "alert"), plural(r.Holds, "time"))
	for i, inc := range r.Incidents {
		span := "to " + r.when(inc.End)
		if inc.Open {
			span = "on, still open at the end of the period"
		}
		p("\n### Incident %d: %s %s\n\n", i+1, r.when(inc.Start), span)
		p("| time | what | by | feed | detail |\n|---|---|---|---|---|\n")
		for _, e := range inc.Entries {
			p("| %s | %s | %s | %s | %s |\n", r.when(e.Time), md(entryWhat(e)), md(e.By), md(e.Feed), md(entryDetail(e)))
		}
		if inc.More > 0 {
			p("\n… and %d more entries.\n", inc.More)
		}
	}
	return nil
}

// entryWhat reads "sent ban", "alert", "held".
func entryWhat(e Entry) string {
	if e.Kind != "" {
		return e.What + " " + e.Kind
	}
	return e.What
}

// entryDetail reads "@who: text".
func entryDetail(e Entry) string {
	text := clip(e.Text, 160)
	if e.Target != "" && e.What != "alert" {
		if text == "" {
			return "@" + e.Target
		}
		return "@" + e.Target + ": " + text
	}
	return text
}
