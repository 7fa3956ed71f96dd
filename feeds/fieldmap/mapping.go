// Package fieldmap turns JSON documents from platforms tribune has no
// dedicated connector for into feeds.Events, by field paths the user writes
// in the config file. It is the one mapping shared by the generic
// connectors (feeds/wsfeed, feeds/sse, feeds/webhook); README.md documents
// it with examples.
//
// Paths are github.com/tidwall/gjson paths ("msg.author.login",
// "items.0.id", "payload|@fromstr|account.acct"). A document may hold one
// event, an array of events, or an array found at the Events path. Every
// item is mapped on its own: an item that lacks a required field, or holds
// a field of the wrong type, is "unmatched" — counted and explained in the
// Result, never an error — so one odd frame cannot stop a feed.
//
// The package also holds what the generic connectors share beyond the
// mapping itself: config durations and the unmatched counter. Their HTTP
// helpers are in feeds/httpx.
package fieldmap

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/internal/jsonlimit"
)

// MaxItems bounds the events taken from one document. Items past it are
// counted as unmatched: a single frame cannot turn into an unbounded
// burst.
const MaxItems = 10000

// ErrMalformed is what Map returns for a document that is not JSON.
var ErrMalformed = errors.New("malformed JSON")

// Mapping is the [feed.fields] table of a generic connector: where each
// event field is found in a JSON item. Only Text is required.
type Mapping struct {
	// Events, when set, selects the array of events inside a document
	// ("data.messages"). Unset: the document is the event, or an array of
	// events.
	Events string `toml:"events"`

	ID         string `toml:"id"`
	Author     string `toml:"author"`
	AuthorName string `toml:"author_name"`
	Text       string `toml:"text"`
	Time       string `toml:"time"`
	Channel    string `toml:"channel"`
	ReplyTo    string `toml:"reply_to"`

	// Kind is the path of the platform's event kind, and Kinds maps its
	// values to "message", "action", "notice", "delete" or "ignore"; the
	// key "*" catches every other value, a missing kind included. Unset:
	// every item is a message.
	Kind  string            `toml:"kind"`
	Kinds map[string]string `toml:"kinds"`
	// Target is, for deletes, the id of the deleted event. Unset: a
	// delete's Target is its ID.
	Target string `toml:"target"`
}

// Mapper is a compiled Mapping. It is immutable and safe for concurrent
// use.
type Mapper struct {
	m     Mapping
	kinds map[string]kindRule
}

// kindRule is what a value of the kind field turns an item into.
type kindRule struct {
	kind   feeds.Kind
	ignore bool
}

var kindNames = map[string]kindRule{
	"message": {kind: feeds.KindMessage},
	"action":  {kind: feeds.KindAction},
	"notice":  {kind: feeds.KindNotice},
	"delete":  {kind: feeds.KindDelete},
	"ignore":  {ignore: true},
}

// Compile checks m once, so that a mistake in the config file is reported
// at start-up, naming the key, rather than as every event going missing.
func (m Mapping) Compile() (*Mapper, error) {
	if m.Text == "" {
		return nil, errors.New("fields.text is missing: say where the message text is")
	}
	paths := []struct{ key, path string }{
		{"events", m.Events}, {"id", m.ID}, {"author", m.Author},
		{"author_name", m.AuthorName}, {"text", m.Text}, {"time", m.Time},
		{"channel", m.Channel}, {"reply_to", m.ReplyTo}, {"kind", m.Kind},
		{"target", m.Target},
	}
	for _, p := range paths {
		if p.path == "" {
			continue
		}
		if err := checkPath(p.path); err != nil {
			return nil, fmt.Errorf("fields.%s: path %q %w", p.key, p.path, err)
		}
	}
	mp := &Mapper{m: m}
	switch {
	case m.Kind == "" && len(m.Kinds) > 0:
		return nil, errors.New("fields.kinds is set but fields.kind (the path of the kind) is not")
	case m.Kind != "" && len(m.Kinds) == 0:
		return nil, errors.New("fields.kind is set but fields.kinds (what each kind means) is empty")
	}
	if len(m.Kinds) > 0 {
		mp.kinds = make(map[string]kindRule, len(m.Kinds))
		deletes := false
		for value, name := range m.Kinds {
			rule, ok := kindNames[strings.ToLower(strings.TrimSpace(name))]
			if !ok {
				return nil, fmt.Errorf("fields.kinds: %q = %q: the kind must be message, action, notice, delete or ignore", value, name)
			}
			mp.kinds[value] = rule
			deletes = deletes || rule.kind == feeds.KindDelete
		}
		if deletes && m.Target == "" && m.ID == "" {
			return nil, errors.New("fields.kinds has deletes but neither fields.target nor fields.id says which event is deleted")
		}
	}
	return mp, nil
}

// Result is what one document mapped to.
type Result struct {
	// Events are the matched items, in document order.
	Events []feeds.Event
	// Unmatched counts items that lacked a required field or held one of
	// the wrong type; Why explains the first of them.
	Unmatched int
	Why       string
	// Ignored counts items whose kind the Kinds table says to ignore.
	Ignored int
}

func (r *Result) unmatched(why string) {
	r.Unmatched++
	if r.Why == "" {
		r.Why = why
	}
}

// Map maps one JSON document. The errors are ErrMalformed, and for a
// document past jsonlimit.Default (checked first, in constant stack,
// since gjson validates by recursion) one wrapping jsonlimit.ErrTooDeep or
// jsonlimit.ErrTooMany; everything else is reported in the Result. Map
// never panics on any input.
func (mp *Mapper) Map(doc []byte) (Result, error) {
	if err := jsonlimit.Check(doc, jsonlimit.Default); err != nil {
		return Result{}, fmt.Errorf("JSON %w", err)
	}
	if !gjson.ValidBytes(doc) {
		return Result{}, ErrMalformed
	}
	var r Result
	root := gjson.ParseBytes(doc)
	if mp.m.Events != "" {
		root = root.Get(mp.m.Events)
		if !root.Exists() {
			r.unmatched(fmt.Sprintf("events: nothing at %q", mp.m.Events))
			return r, nil
		}
	}
	if !root.IsArray() {
		mp.add(&r, root, 0)
		return r, nil
	}
	n := 0
	root.ForEach(func(_, item gjson.Result) bool {
		n++
		if n > MaxItems {
			r.unmatched(fmt.Sprintf("more than %d events in one document", MaxItems))
			return true
		}
		mp.add(&r, item, n)
		return true
	})
	return r, nil
}

// add maps one item into r; n is its place in an array (1-based), 0 for a
// document that is one item.
func (mp *Mapper) add(r *Result, item gjson.Result, n int) {
	ev, ignore, err := mp.item(item)
	switch {
	case err != nil && n > 0:
		r.unmatched(fmt.Sprintf("item %d: %v", n, err))
	case err != nil:
		r.unmatched(err.Error())
	case ignore:
		r.Ignored++
	default:
		r.Events = append(r.Events, ev)
	}
}

// item maps one item: the event, or ignore, or why it does not match.
func (mp *Mapper) item(item gjson.Result) (feeds.Event, bool, error) {
	var ev feeds.Event
	if mp.kinds != nil {
		rule, err := mp.kindOf(item)
		if err != nil || rule.ignore {
			return ev, rule.ignore, err
		}
		ev.Kind = rule.kind
	}
	text := item.Get(mp.m.Text)
	if text.Type == gjson.Null && ev.Kind != feeds.KindDelete {
		// An empty text is the platform's; a missing one means a frame of
		// another shape (a heartbeat, an ack).
		return ev, false, missing("text", mp.m.Text)
	}
	var err error
	if ev.Text, err = str(text, "text", mp.m.Text); err != nil {
		return ev, false, err
	}
	fields := [...]struct {
		key, path string
		dst       *string
	}{
		{"id", mp.m.ID, &ev.ID},
		{"author", mp.m.Author, &ev.Author},
		{"author_name", mp.m.AuthorName, &ev.AuthorName},
		{"channel", mp.m.Channel, &ev.Channel},
		{"reply_to", mp.m.ReplyTo, &ev.ReplyTo},
	}
	for _, f := range fields {
		if *f.dst, err = scalar(item, f.key, f.path); err != nil {
			return ev, false, err
		}
	}
	if mp.m.ID != "" && ev.ID == "" {
		return ev, false, missing("id", mp.m.ID)
	}
	if ev.Kind == feeds.KindDelete {
		ev.Target = ev.ID
		if mp.m.Target != "" {
			if ev.Target, err = scalar(item, "target", mp.m.Target); err != nil {
				return ev, false, err
			}
		}
		if ev.Target == "" {
			return ev, false, missing("target", orPath(mp.m.Target, mp.m.ID))
		}
	}
	if mp.m.Time != "" {
		if ev.Time, err = timeOf(item.Get(mp.m.Time), mp.m.Time); err != nil {
			return ev, false, err
		}
	}
	return ev, false, nil
}

// kindOf looks the item's kind up in the Kinds table.
func (mp *Mapper) kindOf(item gjson.Result) (kindRule, error) {
	v := item.Get(mp.m.Kind)
	key, found := "", false
	switch v.Type {
	case gjson.String:
		key, found = v.Str, true
	case gjson.Number, gjson.True, gjson.False:
		key, found = strings.TrimSpace(v.Raw), true
	case gjson.JSON:
		return kindRule{}, wrongType("kind", mp.m.Kind, v)
	}
	if rule, ok := mp.kinds[key]; found && ok {
		return rule, nil
	}
	if rule, ok := mp.kinds["*"]; ok {
		return rule, nil
	}
	if !found {
		return kindRule{}, missing("kind", mp.m.Kind)
	}
	return kindRule{}, fmt.Errorf("kind: %q at %q is not in fields.kinds", clip(key), mp.m.Kind)
}

// scalar reads a string field: a JSON string, or a number as written (so
// that 1089123456789012345 keeps every digit). Missing and null read as
// "". Objects, arrays and booleans are the wrong type.
func scalar(item gjson.Result, key, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	return str(item.Get(path), key, path)
}

// str is scalar for a value already looked up.
func str(v gjson.Result, key, path string) (string, error) {
	switch v.Type {
	case gjson.Null:
		return "", nil
	case gjson.String:
		return validUTF8(v.Str), nil
	case gjson.Number:
		return validUTF8(strings.TrimSpace(v.Raw)), nil
	}
	return "", wrongType(key, path, v)
}

func missing(key, path string) error {
	return fmt.Errorf("%s: nothing at %q", key, path)
}

func wrongType(key, path string, v gjson.Result) error {
	what := "a boolean"
	if v.IsObject() {
		what = "an object"
	} else if v.IsArray() {
		what = "an array"
	}
	return fmt.Errorf("%s: %q is %s, not a string or number", key, path, what)
}

// clip shortens an untrusted value quoted in a reason.
func clip(s string) string {
	s = validUTF8(s)
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func orPath(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// validUTF8 replaces invalid bytes: gjson validates JSON structure, not
// the encoding of strings.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
