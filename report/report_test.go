package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/report"
	"github.com/tribune/tribune/report/reporttest"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

func filled(t *testing.T) *store.DB {
	t.Helper()
	c := reporttest.NewClock()
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reporttest.Fill(t, db, c)
	return db
}

func query() report.Query {
	m := watch.MustCompile(append(append([]string(nil), reporttest.Brand...), reporttest.Watch...))
	return report.Query{Since: reporttest.T0, Until: reporttest.T0.Add(time.Hour), Watch: m, Brand: len(reporttest.Brand)}
}

func TestBuild(t *testing.T) {
	r, err := report.Build(filled(t), query())
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("step", r.Step, time.Minute)
	check("buckets", len(r.Buckets), 60)
	check("messages", r.Messages, 11)
	check("brand", r.Brand, 1)
	check("authors", r.Authors, 5)
	check("top", r.Top[0].Author+"/"+r.Top[1].Author, "troll/alice")
	check("top n", r.Top[0].N, 5)
	check("mentions", r.Mentions, 3)
	check("questions", r.Questions, 3)
	check("answered", r.Answered, 2)
	check("unanswered", r.Unanswered, 1)
	check("median", r.ResponseMedian, time.Minute)
	check("p90", r.ResponseP90, 2*time.Minute)
	check("watch", len(r.Watch), 3)
	check("refund", r.Watch[0].N, 6)
	check("surchauffe", r.Watch[1].N, 5)
	check("halogate", r.Watch[2].N, 0)
	check("replies", r.Replies, 1)
	check("alerts", r.Alerts, 1)
	check("holds", r.Holds, 1)
	mod := map[string]int{}
	for _, k := range r.Moderation {
		mod[k.Kind] = k.N
	}
	check("bans", mod["ban"], 1)
	check("deletes", mod["delete"], 0)
	vol := 0
	for _, f := range r.Feeds {
		for _, n := range r.Volume[f] {
			vol += n
		}
	}
	check("volume", vol, 13)
	check("feeds", strings.Join(r.Feeds, ","), "mastodon,twitch")
	check("twitch at 20:08", r.Volume["twitch"][8], 1)
	check("negative at 20:08", r.Sentiment[8].Negative, 1)
	check("mood negative", r.Mood.Negative, 7) // the five angry, the refund, the hot case
	if r.Mood.Positive < 1 {
		t.Errorf("no positive message in %+v", r.Mood)
	}
	if len(r.Incidents) != 1 {
		t.Fatalf("incidents = %+v", r.Incidents)
	}
	inc := r.Incidents[0]
	check("incident start", inc.Start, reporttest.T0.Add(10*time.Minute))
	check("incident end", inc.End, reporttest.T0.Add(15*time.Minute))
	var whats []string
	for _, e := range inc.Entries {
		whats = append(whats, e.What+" "+e.Kind)
	}
	check("timeline", strings.Join(whats, ","), "alert ,held ,sent ban,released ")
}

func TestIncidentLeftOpen(t *testing.T) {
	q := query()
	q.Until = reporttest.T0.Add(13 * time.Minute)
	r, err := report.Build(filled(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Incidents) != 1 || !r.Incidents[0].Open || len(r.Incidents[0].Entries) != 3 {
		t.Fatalf("incidents = %+v", r.Incidents)
	}
}

func TestBucketsFitTheSpan(t *testing.T) {
	for _, c := range []struct {
		span time.Duration
		step time.Duration
	}{{30 * time.Minute, time.Minute}, {3 * time.Hour, 5 * time.Minute}, {24 * time.Hour, 30 * time.Minute},
		{7 * 24 * time.Hour, 3 * time.Hour}, {60 * 24 * time.Hour, 24 * time.Hour}} {
		q := query()
		q.Until = q.Since.Add(c.span)
		r, err := report.Build(filled(t), q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Step != c.step || len(r.Buckets) > 61 {
			t.Errorf("span %v: step %v, %d buckets; want step %v", c.span, r.Step, len(r.Buckets), c.step)
		}
	}
}

// TestUntrustedTextIsInert writes every format and checks that the
// hostile author and text never come out as markup.
func TestUntrustedTextIsInert(t *testing.T) {
	r, err := report.Build(filled(t), query())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{report.Markdown, report.HTMLFmt} {
		var b bytes.Buffer
		if err := report.Write(&b, r, f); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"<script", "<img", "onerror=alert(1)>", "x](javascript"} {
			if bad[0] == 'x' && f != report.Markdown {
				continue // plain text in HTML
			}
			if strings.Contains(strings.ToLower(out), bad) {
				i := strings.Index(strings.ToLower(out), bad)
				t.Errorf("%s report holds %q: …%s…", f, bad, out[max(0, i-80):min(len(out), i+80)])
			}
		}
		if !strings.Contains(out, "&lt;script&gt;") && !strings.Contains(out, "&lt;script") {
			t.Errorf("%s report lost the hostile name altogether", f)
		}
	}
}

func TestReportCSV(t *testing.T) {
	r, err := report.Build(filled(t), query())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.Write(&b, r, report.CSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) != 6 {
			t.Fatalf("row %q has %d fields", row, len(row))
		}
		found[row[0]+"/"+row[3]] = row[4]
	}
	for k, want := range map[string]string{"response/median_seconds": "60", "response/p90_seconds": "120",
		"watch/refund": "6", "action/ban": "1", "contributor/troll": "5", "alerts/incidents": "1"} {
		if found[k] != want {
			t.Errorf("%s = %q, want %q", k, found[k], want)
		}
	}
}

func TestExport(t *testing.T) {
	db := filled(t)
	f := store.Filter{Since: reporttest.T0, Until: reporttest.T0.Add(time.Hour), Feeds: []string{"mastodon"}}
	var b bytes.Buffer
	n, err := report.Export(db, f, report.JSONL, &b)
	if err != nil || n != 2 {
		t.Fatalf("export: %d events, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["text"] != "line one\nline \"two\", with a comma" || rec["kind"] != "message" || rec["time"] != "2026-11-30T20:20:00Z" {
		t.Errorf("record = %v", rec)
	}

	b.Reset()
	f.Feeds = nil
	n, err = report.Export(db, f, report.CSV, &b)
	if err != nil || n != 12 { // every event but the deletion marker
		t.Fatalf("csv export: %d events, %v", n, err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "seq" || len(rows) != 13 {
		t.Fatalf("header %q, %d rows", rows[0], len(rows))
	}
	var hostile, multi bool
	for _, row := range rows[1:] {
		hostile = hostile || strings.HasPrefix(row[10], reporttest.HostileText)
		multi = multi || row[10] == "line one\nline \"two\", with a comma"
	}
	if !hostile || !multi {
		t.Errorf("texts not exported exactly: hostile %v, multi-line %v", hostile, multi)
	}
}

func TestAxisTop(t *testing.T) {
	for n, want := range map[int]int{0: 4, 3: 4, 5: 8, 9: 12, 13: 16, 50: 60, 101: 120, 5050: 6000, 9000: 10000} {
		if got := report.NiceCeil(n); got != want {
			t.Errorf("NiceCeil(%d) = %d, want %d", n, got, want)
		}
	}
}

// An incident the team declared (crisis mode) runs from its opening to its
// closing, however quiet it gets, with its notes and stars; an alert after
// it is another incident.
func TestDeclaredIncident(t *testing.T) {
	c := reporttest.NewClock()
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	note := func(at time.Duration, what, text string) {
		c.Set(at)
		if err := db.Note(outbox.AuditEntry{By: "alice", What: what, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	c.Set(time.Minute)
	if _, err := db.SetIncident(outbox.Incident{Open: true, By: "alice", Why: "overheating reports"}); err != nil {
		t.Fatal(err)
	}
	note(2*time.Minute, outbox.AuditNote, "press called")
	note(40*time.Minute, outbox.AuditNote, "firmware 1.2 is out")
	c.Set(45 * time.Minute)
	if _, err := db.SetIncident(outbox.Incident{By: "alice"}); err != nil {
		t.Fatal(err)
	}
	note(50*time.Minute, outbox.AuditAlert, "volume ×5 on twitch")
	r, err := report.Build(db, query())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Incidents) != 2 {
		t.Fatalf("incidents = %+v", r.Incidents)
	}
	first := r.Incidents[0]
	var whats []string
	for _, e := range first.Entries {
		whats = append(whats, e.What)
	}
	if first.Open || !first.Start.Equal(reporttest.T0.Add(time.Minute)) || !first.End.Equal(reporttest.T0.Add(45*time.Minute)) ||
		strings.Join(whats, " ") != "incident-opened note note incident-closed" {
		t.Errorf("the declared incident: %v to %v, open %v, %v", first.Start, first.End, first.Open, whats)
	}
}
