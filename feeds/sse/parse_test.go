package sse

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"
)

// parseAll runs the parser over a whole stream.
func parseAll(r io.Reader, max int) (evs []event, lastID string, retry time.Duration, err error) {
	p := newParser(r, max, "")
	for {
		ev, err := p.next()
		if err != nil {
			return evs, p.lastID, p.retry, err
		}
		evs = append(evs, ev)
	}
}

func TestParseStandardExamples(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []event
	}{
		{"multi-line data", "data: YHOO\ndata: +2\ndata: 10\n\n",
			[]event{{typ: "message", data: "YHOO\n+2\n10"}}},
		{"ids and one space", ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
			[]event{{typ: "message", data: "first event", id: "1"}, {typ: "message", data: "second event"}, {typ: "message", data: " third event"}}},
		{"empty data and an unfinished event", "data\n\ndata\ndata\n\ndata:",
			[]event{{typ: "message", data: ""}, {typ: "message", data: "\n"}}},
		{"a space is optional", "data:test\n\ndata: test\n\n",
			[]event{{typ: "message", data: "test"}, {typ: "message", data: "test"}}},
		{"named events", "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
			[]event{{typ: "add", data: "73857293"}, {typ: "remove", data: "2153"}, {typ: "add", data: "113411"}}},
		{"CRLF, CR and a BOM", "\uFEFFdata: a\r\ndata: b\r\r\nid: 7\rdata: c\r\r",
			[]event{{typ: "message", data: "a\nb"}, {typ: "message", data: "c", id: "7"}}},
		{"no data dispatches nothing but the id", "id: 5\nevent: ping\n\ndata: x\n\n",
			[]event{{typ: "message", data: "x"}}},
		{"an event without an id has none of its own", "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
			[]event{{typ: "message", data: "a", id: "1"}, {typ: "message", data: "b"}, {typ: "message", data: "c", id: "2"}}},
		{"odd fields", "Data: no\ndata : no\nfoo: bar\nid: a\x00b\ndata: yes\n\n",
			[]event{{typ: "message", data: "yes"}}},
		{"invalid UTF-8", "data: a\xffb\n\n",
			[]event{{typ: "message", data: "a\uFFFDb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, _, _, err := parseAll(strings.NewReader(tt.stream), 1<<10)
			if err != io.EOF {
				t.Fatalf("err %v", err)
			}
			if !sameEvents(evs, tt.want) {
				t.Errorf("events\n got %+v\nwant %+v", evs, tt.want)
			}
		})
	}
}

func TestParseLastIDIsInherited(t *testing.T) {
	// The last event ID, which a resume sends, is the stream's position:
	// it moves with every id field and stays through events without one.
	for stream, want := range map[string]string{
		"id: 1\ndata: a\n\ndata: b\n\n":            "1",
		"id: 1\ndata: a\n\nid: 5\nevent: x\n\n":    "5",
		"id: 1\ndata: a\n\nid\ndata: b\n\n":        "",
		"id: 1\ndata: a\n\nid: 2\ndata: b\n":       "1", // not dispatched yet
		"id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\n": "1",
	} {
		if _, lastID, _, _ := parseAll(strings.NewReader(stream), 1<<10); lastID != want {
			t.Errorf("%q: last id %q, want %q", stream, lastID, want)
		}
	}
}

func TestParseComments(t *testing.T) {
	p := newParser(strings.NewReader(": hi\n:\ndata: x\n: mid\n\n:tail"), 1<<10, "")
	comments := 0
	p.comment = func() { comments++ }
	if ev, err := p.next(); err != nil || ev.data != "x" || comments != 3 {
		t.Fatalf("got %+v, %v after %d comments", ev, err, comments)
	}
	if _, err := p.next(); err != io.EOF || comments != 3 {
		t.Errorf("an unfinished comment line counted: %v, %d comments", err, comments)
	}
}

func sameEvents(a, b []event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseRetry(t *testing.T) {
	for stream, want := range map[string]time.Duration{
		"retry: 2500\n":             2500 * time.Millisecond,
		"retry: 2500\nretry: 10a\n": 2500 * time.Millisecond,
		"retry: -5\n":               0,
		"retry: +5\n":               0,
		"retry:\n":                  0,
		"retry: 0\n":                0,
		"retry: 99999999999\n":      0, // beyond any sane wait: ignored
	} {
		_, _, retry, _ := parseAll(strings.NewReader(stream), 1<<10)
		if retry != want {
			t.Errorf("%q: retry %v, want %v", stream, retry, want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	long := strings.Repeat("x", 100)
	stream := "data: " + long + "\n\n" + // a line over the limit
		"data: " + long[:30] + "\ndata: " + long[:30] + "\n\n" + // data over the limit
		"data: ok\n\n"
	evs, _, _, _ := parseAll(strings.NewReader(stream), 50)
	want := []event{{typ: "message", tooBig: true}, {typ: "message", tooBig: true}, {typ: "message", data: "ok"}}
	if !sameEvents(evs, want) {
		t.Errorf("events %+v, want %+v", evs, want)
	}
}

func TestParseCRDeliveredAtOnce(t *testing.T) {
	// A CR-terminated blank line dispatches without waiting for the next
	// byte (which may be an LF, or never come).
	r, w := io.Pipe()
	p := newParser(r, 1<<10, "")
	go w.Write([]byte("data: x\r\r"))
	ev, err := p.next()
	if err != nil || ev.data != "x" {
		t.Fatalf("got %+v, %v", ev, err)
	}
	w.CloseWithError(errors.New("done"))
}

func TestParseShortFirstLine(t *testing.T) {
	// A stream that opens with a line shorter than a BOM delivers it at
	// once, not when more bytes come.
	r, w := io.Pipe()
	p := newParser(r, 1<<10, "")
	comment := make(chan struct{}, 1)
	p.comment = func() { comment <- struct{}{} }
	go w.Write([]byte(":\n"))
	go p.next()
	select {
	case <-comment:
	case <-time.After(10 * time.Second): // bounds a broken test only
		t.Fatal("the first line waits for more bytes")
	}
	w.CloseWithError(errors.New("done"))
}

// refParse is a plain reading of the standard, without limits, to check
// the streaming parser against.
func refParse(stream []byte) (evs []event, lastID string, retry time.Duration) {
	s := strings.TrimPrefix(string(stream), "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	lines = lines[:len(lines)-1] // what follows the last line end is unfinished
	var data, typ, id, own string
	hasData := false
	for _, line := range lines {
		if line == "" {
			lastID = id
			if hasData {
				if typ == "" {
					typ = "message"
				}
				evs = append(evs, event{typ: typ, data: toValidUTF8([]byte(strings.TrimSuffix(data, "\n"))), id: own})
			}
			data, typ, own, hasData = "", "", "", false
			continue
		}
		name, value, found := strings.Cut(line, ":")
		if name == "" && found {
			continue
		}
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "event":
			typ = value
		case "data":
			data += value + "\n"
			hasData = true
		case "id":
			if !strings.Contains(value, "\x00") {
				id, own = value, value
			}
		case "retry":
			if n, err := strconv.ParseUint(value, 10, 32); err == nil && value != "" && value[0] != '+' {
				retry = time.Duration(n) * time.Millisecond
			}
		}
	}
	return evs, lastID, retry
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"data: YHOO\ndata: +2\ndata: 10\n\n",
		"\uFEFFevent: add\r\ndata: 1\r\n\r\nid: 9\rretry: 300\r\rdata:x\n\n",
		": keep-alive\n\nid\n\ndata\n\ndata:",
		"data: " + strings.Repeat("y", 40) + "\n\ndata: z\r\n\r\n",
		"id: a\x00\ndata: \xff\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		// Without limits in the way, the streaming parser is the standard.
		evs, lastID, retry, _ := parseAll(bytes.NewReader(stream), 1<<20)
		wantEvs, wantID, wantRetry := refParse(stream)
		if !sameEvents(evs, wantEvs) || lastID != wantID || retry != wantRetry {
			t.Fatalf("stream %q\n got %+v %q %v\nwant %+v %q %v", stream, evs, lastID, retry, wantEvs, wantID, wantRetry)
		}
		// However the bytes are split, with a small limit too, the result
		// is the same and bounded.
		const small = 16
		whole, _, _, _ := parseAll(bytes.NewReader(stream), small)
		split, _, _, _ := parseAll(iotest.OneByteReader(bytes.NewReader(stream)), small)
		if !sameEvents(whole, split) {
			t.Fatalf("stream %q: whole %+v, byte by byte %+v", stream, whole, split)
		}
		for _, ev := range whole {
			if len(ev.data) > small*3 || !utf8.ValidString(ev.data) || (ev.tooBig && ev.data != "") {
				t.Fatalf("event %+v", ev)
			}
		}
	})
}
