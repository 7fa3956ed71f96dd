package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/report"
	"github.com/tribune/tribune/store"
)

// The commands that read the database (audit, export, report) work
// whether or not a dashboard is running: each becomes a request, which
// runs here on the database when it is free, or in the running tribune
// that holds it, over its control socket (control.go). The same code
// answers both ways, so the output is the same.

func init() {
	commandHelp["export"] = `Usage: tribune export --since T [--until T] [--feed ID]... [--format jsonl|csv] [--out FILE] [flags]

Writes the stored events of the period, oldest first, as JSON lines
(default) or CSV with a header row. The text is the text as received (after
the sanitizer), not the copy the screen draws. Deletion markers are left
out; a deleted message is exported with deleted=true.

T is a duration back from now ("2h", "3d"), a date (2026-11-30, local
midnight) or an RFC 3339 time; --until (default now) is exclusive.
`
	commandHelp["report"] = `Usage: tribune report --since T [--until T] [--format md|csv|html] [--out FILE] [flags]

Sums the period up: volume over time per feed, top contributors, response
times to the brand's mentions (median, 90th percentile), watch-word hits
and sentiment over time (with the config's [pulse] watch-words and brand),
moderation, alerts and incident timelines. html is one self-contained
file with charts; csv is one table of long rows (section, time, feed,
key, value, detail).
`
}

// queryFlags are the flags of audit, export and report.
type queryFlags struct {
	since, until, format, out string
	feeds                     feedList
}

// feedList is a repeatable --feed.
type feedList []string

func (f *feedList) String() string { return strings.Join(*f, ",") }
func (f *feedList) Set(s string) error {
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*f = append(*f, id)
		}
	}
	return nil
}

// register adds command's flags to fs.
func (q *queryFlags) register(command string, fs *flag.FlagSet) {
	const when = "`T`: a duration back from now (\"2h\", \"7d\"), a date (2026-11-23) or an RFC 3339 time"
	switch command {
	case "audit":
		fs.StringVar(&q.since, "since", "", "only entries at or after "+when)
	case "export", "report":
		fs.StringVar(&q.since, "since", "", "from "+when+" (required)")
		fs.StringVar(&q.until, "until", "", "up to (not including) `T`; default now")
		fs.StringVar(&q.out, "out", "", "write to `file` instead of stdout (replaced only when complete)")
	}
	switch command {
	case "export":
		fs.StringVar(&q.format, "format", report.JSONL, "jsonl or csv")
		fs.Var(&q.feeds, "feed", "only this feed `ID` (repeat, or separate with commas)")
	case "report":
		fs.StringVar(&q.format, "format", report.Markdown, "md, csv or html")
	}
}

// request is one query, as it crosses the control socket: every time is
// resolved by the CLI, so both ends answer alike.
type request struct {
	// Version is the control protocol's (controlVersion), set when sent.
	Version int       `json:"version"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until,omitzero"`
	Feeds   []string  `json:"feeds,omitempty"`
	Format  string    `json:"format,omitempty"`
	// Brand and Watch are the CLI's [pulse], for a report.
	Brand []string `json:"brand,omitempty"`
	Watch []string `json:"watch,omitempty"`
	// Zone is the time zone a report shows times in ("" the process's).
	Zone string `json:"zone,omitempty"`
}

// request checks the flags of command and resolves them at now.
func (q *queryFlags) request(command string, cfg Config, now time.Time) (request, error) {
	req := request{Command: command, Format: q.format, Feeds: q.feeds}
	var err error
	if req.Since, err = parseTime("since", q.since, now); err != nil {
		return req, usageError{err}
	}
	if command == "audit" {
		return req, nil
	}
	if q.since == "" {
		return req, usageError{fmt.Errorf("%s: --since is required (\"2h\", 2026-11-30, an RFC 3339 time)", command)}
	}
	req.Until = now
	if q.until != "" {
		if req.Until, err = parseTime("until", q.until, now); err != nil {
			return req, usageError{err}
		}
	}
	if !req.Since.Before(req.Until) {
		return req, usageError{fmt.Errorf("%s: --since %s is not before --until %s", command,
			req.Since.Format(time.RFC3339), req.Until.Format(time.RFC3339))}
	}
	switch {
	case command == "export" && q.format != report.JSONL && q.format != report.CSV:
		return req, usageError{fmt.Errorf("export: --format %q: want jsonl or csv", q.format)}
	case command == "report" && q.format != report.Markdown && q.format != report.CSV && q.format != report.HTMLFmt:
		return req, usageError{fmt.Errorf("report: --format %q: want md, csv or html", q.format)}
	}
	if command == "report" {
		p := reportPulse(cfg)
		req.Brand, req.Watch = p.Brand, p.Watch
		if tz, ok := os.LookupEnv("TZ"); ok {
			req.Zone = cmpOr(strings.TrimPrefix(tz, ":"), "UTC")
		}
	}
	return req, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// reportPulse is the [pulse] a report reads with: the config's, or the
// demo's when the dashboard would run the demo (as startServices does).
func reportPulse(cfg Config) PulseConfig {
	if len(cfg.Feeds) == 0 && cfg.Pulse.Brand == nil && cfg.Pulse.Watch == nil {
		return demoPulse
	}
	return cfg.Pulse
}

// parseTime reads --name: empty is the zero time.
func parseTime(name, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := parseDays(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--%s %q: a duration back from now must be positive", name, s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a duration (\"2h\", \"7d\"), a date (2026-11-23) or an RFC 3339 time", name, s)
}

// queryCmd runs command: on the database when it is free, else in the
// tribune that holds it. Output goes to stdout, or to --out, which is
// written beside and renamed over when the whole answer is in.
func queryCmd(o options, cfg Config, command string, q queryFlags, stdout io.Writer) error {
	req, err := q.request(command, cfg, time.Now())
	if err != nil {
		return err
	}
	path, err := o.dbPath(cfg)
	if err != nil {
		return err
	}
	if err := mustExist(path); err != nil {
		return err
	}
	w, commit, err := output(q.out, stdout)
	if err != nil {
		return err
	}
	defer commit(false)
	// A running tribune holds the lock for good: no use waiting long.
	opts := storeOptions(cfg)
	opts.Timeout = lockWait
	db, err := store.OpenExisting(path, opts)
	switch {
	case errors.Is(err, store.ErrLocked):
		if err := askRunning(path, req, w); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		err = answer(db, req, w)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return commit(true)
}

// lockWait is how long a query waits for the database's lock before it
// asks the process holding it.
const lockWait = 250 * time.Millisecond

// output is where the answer goes; commit(true) makes a --out file
// appear, commit(false) removes what was written.
func output(out string, stdout io.Writer) (io.Writer, func(ok bool) error, error) {
	if out == "" || out == "-" {
		return stdout, func(bool) error { return nil }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, nil, fmt.Errorf("--out: %w", err)
	}
	done := false
	return f, func(ok bool) error {
		if done {
			return nil
		}
		done = true
		err := f.Close()
		if ok && err == nil {
			if err = os.Rename(f.Name(), out); err == nil {
				return nil
			}
		}
		os.Remove(f.Name())
		if ok {
			return fmt.Errorf("--out: %w", err)
		}
		return nil
	}, nil
}

// answer runs req on db and writes the answer to w. It is what both the
// CLI and the control server run.
func answer(db *store.DB, req request, w io.Writer) error {
	switch req.Command {
	case "audit":
		return writeAudit(db, req.Since, w)
	case "export":
		_, err := report.Export(db, store.Filter{Since: req.Since, Until: req.Until, Feeds: req.Feeds}, req.Format, w)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	case "report":
		m, err := PulseConfig{Brand: req.Brand, Watch: req.Watch}.matcher()
		if err != nil {
			return err
		}
		loc := time.Local
		if req.Zone != "" {
			if loc, err = time.LoadLocation(req.Zone); err != nil {
				loc = time.Local
			}
		}
		r, err := report.Build(db, report.Query{Since: req.Since, Until: req.Until, Watch: m, Brand: len(req.Brand), Location: loc})
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return report.Write(w, r, req.Format)
	}
	return fmt.Errorf("unknown request %q", req.Command)
}

// writeAudit prints the audit log from since as JSON lines.
func writeAudit(db *store.DB, since time.Time, w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := db.Audit(since, func(e outbox.AuditEntry) error { return enc.Encode(e) }); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return bw.Flush()
}
