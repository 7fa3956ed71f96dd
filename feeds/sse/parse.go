package sse

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// event is one dispatched Server-Sent Event.
type event struct {
	typ  string // "message" when the stream named none
	data string
	// id is the event's own id: the value of an "id" field in the event
	// itself, "" when it had none. The standard has an event without one
	// inherit the last event ID (the parser's lastID), which names the
	// position in the stream to resume from, not this event: an id taken
	// from it would make every later event a repeat of the last one that
	// had an id.
	id string
	// tooBig is set when a line or the data outgrew the limit; the event
	// is skipped whole.
	tooBig bool
}

// parser reads a text/event-stream as the WHATWG HTML standard's
// "interpreting an event stream" says: lines end in CRLF, LF or CR; a
// blank line dispatches; "data" lines join with LF; "id" sets the last
// event ID (unless it holds NUL); "retry" sets the reconnection time;
// lines starting with ":" are comments; a leading BOM is skipped; an
// event not ended by a blank line before EOF is dropped.
type parser struct {
	r   *bufio.Reader
	max int // bytes in one line, and in one event's data

	// lastID and retry are the stream's state, read by the connector
	// after every next.
	lastID string
	retry  time.Duration

	started bool // past the optional BOM
	skipLF  bool // the last line ended in CR: an LF right after is part of it
	line    []byte
	data    []byte
	typ     string
	id      string // the event's "last event ID buffer"
	ownID   string // the value of an "id" field since the last blank line
	tooBig  bool

	// comment, when set, is called for every comment line: a keep-alive
	// shows the stream is live though it dispatches nothing.
	comment func()
	// onLine, when set, is called for every line read whole (or cut at
	// max): bytes trickling in without ever ending a line are not life.
	onLine func()
}

func newParser(r io.Reader, max int, lastID string) *parser {
	return &parser{r: bufio.NewReaderSize(r, 64<<10), max: max, lastID: lastID, id: lastID}
}

// next returns the next event. The error is the reader's (io.EOF at the
// end of the stream).
func (p *parser) next() (event, error) {
	for {
		line, tooLong, err := p.readLine()
		if err == nil && p.onLine != nil {
			p.onLine()
		}
		switch {
		case err != nil:
			return event{}, err
		case tooLong:
			p.tooBig = true
			continue
		}
		if len(line) == 0 {
			if ev, ok := p.dispatch(); ok {
				return ev, nil
			}
			continue
		}
		p.field(line)
	}
}

func (p *parser) field(line []byte) {
	name, value, found := bytes.Cut(line, []byte(":"))
	if len(name) == 0 && found {
		// A comment, often a keep-alive.
		if p.comment != nil {
			p.comment()
		}
		return
	}
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(name) {
	case "event":
		p.typ = string(value)
	case "data":
		if len(p.data)+len(value)+1 > p.max {
			p.tooBig = true
			return
		}
		p.data = append(p.data, value...)
		p.data = append(p.data, '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = string(value)
			p.ownID = p.id
		}
	case "retry":
		if n, err := strconv.ParseUint(string(value), 10, 32); err == nil && len(value) > 0 && value[0] != '+' {
			p.retry = time.Duration(n) * time.Millisecond
		}
	}
}

// dispatch ends the event in progress; ok is false when there is nothing
// to deliver (no data, as the standard says).
func (p *parser) dispatch() (event, bool) {
	p.lastID = p.id
	ev := event{typ: p.typ, id: p.ownID, tooBig: p.tooBig}
	if ev.typ == "" {
		ev.typ = "message"
	}
	empty := len(p.data) == 0
	if !ev.tooBig {
		ev.data = toValidUTF8(bytes.TrimSuffix(p.data, []byte("\n")))
	}
	p.data, p.typ, p.ownID, p.tooBig = p.data[:0], "", "", false
	return ev, !empty || ev.tooBig
}

// readLine returns the next line without its end, or tooLong for a line
// longer than max (read and dropped). It never waits for a byte after a
// CR, so a CR-terminated line is delivered at once.
func (p *parser) readLine() (line []byte, tooLong bool, err error) {
	p.line = p.line[:0]
	over := false
	for {
		buf, err := p.r.Peek(1)
		if err != nil {
			return nil, false, err // an unfinished line at EOF is dropped
		}
		buf, _ = p.r.Peek(p.r.Buffered())
		if p.skipLF {
			p.skipLF = false
			if buf[0] == '\n' {
				p.r.Discard(1)
				continue
			}
		}
		if !p.started {
			p.started = true
			// Wait for three bytes only when they may be a BOM: a stream
			// that opens with a short line (":\n") must not sit on it.
			if buf[0] == 0xEF {
				if bom, _ := p.r.Peek(3); string(bom) == "\uFEFF" {
					p.r.Discard(3)
				}
			}
			continue
		}
		end := bytes.IndexAny(buf, "\r\n")
		chunk := buf
		if end >= 0 {
			chunk = buf[:end]
		}
		if !over && len(p.line)+len(chunk) > p.max {
			over = true
			p.line = p.line[:0]
		}
		if !over {
			p.line = append(p.line, chunk...)
		}
		if end < 0 {
			p.r.Discard(len(buf))
			continue
		}
		p.skipLF = buf[end] == '\r'
		p.r.Discard(end + 1)
		return p.line, over, nil
	}
}

func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
