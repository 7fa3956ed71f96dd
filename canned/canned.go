// Package canned is the team's ready-made replies: templates from the
// config's [[canned]] tables, with variables filled from the message
// being answered, offered in the composer and editable before sending.
//
// A template is text with variables in braces: "Thanks {author}! Our FAQ
// for {platform} is at lumio.example/faq". The variables are {author}
// (the handle of the message's author), {name} (their display name, else
// the handle), {platform} and {feed}; "{{" and "}}" write a brace. An
// unknown variable, or a brace left open or closed alone, is an error
// when the config is read, pointing at it (Parse), never a reply sent
// with "{autor}" in it.
//
// Expanding is safe: a value is put in as it is, never read as a
// template again (an author named "{feed}" stays "{feed}"), and
// characters a value cannot carry into a reply (control characters and
// line breaks) are dropped from it. Values come from the hub, which has
// sanitized them already; this is the second belt.
//
// The TUI parses the config's list once (the config loader does, to
// reject a bad one), offers Names for a fuzzy pick and Expand(Vars{…})
// fills the composer.
package canned

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/tribune/tribune/feeds"
)

// Vars are the values of a template's variables.
type Vars struct {
	Author, Name, Platform, Feed string
}

// VarsOf takes the variables from the message being answered.
func VarsOf(ev *feeds.Event) Vars {
	return Vars{Author: ev.Author, Name: ev.DisplayAuthor(), Platform: ev.Platform, Feed: ev.Feed}
}

// Variables are the names a template may use.
var Variables = []string{"author", "name", "platform", "feed"}

// Error is a template that cannot be read: Offset and Len are the byte
// span of the offending variable or brace in the template.
type Error struct {
	Offset, Len int
	Msg         string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (at byte %d)", e.Msg, e.Offset) }

// Template is a parsed template.
type Template struct {
	Name string // as the config names it, for the picker
	Text string // as written
	// parts alternate: literal text, then a variable (its index in
	// Variables, or -1 for none).
	parts []part
}

type part struct {
	lit string
	v   int
}

// Parse reads a template.
func Parse(name, text string) (*Template, error) {
	t := &Template{Name: name, Text: text}
	var lit strings.Builder
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '{' && strings.HasPrefix(text[i:], "{{"):
			lit.WriteByte('{')
			i += 2
		case c == '}' && strings.HasPrefix(text[i:], "}}"):
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, &Error{i, 1, `a "}" closes nothing: write "}}" for a brace`}
		case c == '{':
			end := strings.IndexAny(text[i+1:], "{}")
			if end < 0 || text[i+1+end] != '}' {
				return nil, &Error{i, 1, `a "{" is not closed: write "{{" for a brace`}
			}
			name := text[i+1 : i+1+end]
			v := -1
			for k, known := range Variables {
				if strings.EqualFold(strings.TrimSpace(name), known) {
					v = k
				}
			}
			if v < 0 {
				return nil, &Error{i, end + 2, fmt.Sprintf("unknown variable {%s}: use {%s}", name,
					strings.Join(Variables, "}, {"))}
			}
			t.parts = append(t.parts, part{lit: lit.String(), v: v})
			lit.Reset()
			i += end + 2
		default:
			lit.WriteByte(c)
			i++
		}
	}
	t.parts = append(t.parts, part{lit: lit.String(), v: -1})
	return t, nil
}

// Expand returns the reply the template makes with v.
func (t *Template) Expand(v Vars) string {
	vals := [...]string{v.Author, v.Name, v.Platform, v.Feed}
	if vals[1] == "" {
		vals[1] = v.Author
	}
	var b strings.Builder
	for _, p := range t.parts {
		b.WriteString(p.lit)
		if p.v >= 0 {
			b.WriteString(strings.Map(inert, vals[p.v]))
		}
	}
	return b.String()
}

// inert drops what a value must not bring into a reply.
func inert(r rune) rune {
	if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
		return -1
	}
	return r
}

// Uses reports whether the template uses the variable name.
func (t *Template) Uses(name string) bool {
	for _, p := range t.parts {
		if p.v >= 0 && Variables[p.v] == name {
			return true
		}
	}
	return false
}
