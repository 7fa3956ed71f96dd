package fieldmap

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

// fuzzMappings cover plain, nested, array, modifier and kind paths.
var fuzzMappings = []Mapping{
	{ID: "id", Author: "user.login", AuthorName: "user.name", Text: "text", Time: "ts", Channel: "room", ReplyTo: "reply.id"},
	{Events: "data.items", ID: "meta.id", Text: "body.0.text", Time: "at", Kind: "type", Target: "of",
		Kinds: map[string]string{"m": "message", "d": "delete", "n": "notice", "*": "ignore"}},
	{ID: "payload|@fromstr|id", Text: "payload|@fromstr|content", Author: "payload|@fromstr|account.acct", Channel: "stream.1"},
	{Text: "@this", Kind: "@this", Target: "@this", Kinds: map[string]string{"x": "delete", "*": "message"}},
}

func FuzzMap(f *testing.F) {
	seeds := []string{
		`{"id":"1","text":"hi","user":{"login":"a","name":"A"},"ts":1732206348741,"room":"#r","reply":{"id":7}}`,
		`[{"id":1,"text":"a"},{"id":"2","text":{"x":1}},3,null]`,
		`{"data":{"items":[{"meta":{"id":"x"},"body":[{"text":"t"}],"type":"m","at":"2024-11-21T16:25:48Z"},{"type":"d","meta":{"id":"y"},"of":"x"}]}}`,
		`{"stream":["hashtag","x"],"payload":"{\"id\":\"9\",\"content\":\"c\",\"account\":{\"acct\":\"u\"}}"}`,
		`"x"`, `[]`, `{}`, `1e400`, strings.Repeat("[", 200), strings.Repeat(`{"a":`, 70), "{\"text\":\"\xff\\ud800\"}", `{"ts":"9999999999999999999999"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	mappers := make([]*Mapper, len(fuzzMappings))
	for i, m := range fuzzMappings {
		mp, err := m.Compile()
		if err != nil {
			f.Fatal(err)
		}
		mappers[i] = mp
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for i, mp := range mappers {
			r, err := mp.Map(doc)
			if err != nil {
				if len(r.Events) != 0 || r.Unmatched != 0 {
					t.Fatalf("mapping %d: an error with results", i)
				}
				continue
			}
			if r.Unmatched > 0 && r.Why == "" {
				t.Fatalf("mapping %d: unmatched with no reason", i)
			}
			if len(r.Events) > MaxItems {
				t.Fatalf("mapping %d: %d events from one document", i, len(r.Events))
			}
			for _, ev := range r.Events {
				checkEvent(t, fuzzMappings[i], ev)
			}
		}
	})
}

func checkEvent(t *testing.T, m Mapping, ev feeds.Event) {
	t.Helper()
	for _, s := range []string{ev.ID, ev.Author, ev.AuthorName, ev.Text, ev.Channel, ev.ReplyTo, ev.Target} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in %+v", ev)
		}
	}
	if m.ID != "" && ev.ID == "" {
		t.Fatalf("empty id with an id path: %+v", ev)
	}
	if ev.Kind == feeds.KindDelete && ev.Target == "" {
		t.Fatalf("delete without a target: %+v", ev)
	}
	if ev.Kind > feeds.KindDelete {
		t.Fatalf("unknown kind: %+v", ev)
	}
}

// FuzzPath checks that any path Compile accepts maps any document without
// panicking.
func FuzzPath(f *testing.F) {
	for _, p := range []string{"a.b", "items.#.id", "payload|@fromstr|x", `a.#(n=="x")#.id`, "{a,b.c}", "@reverse|0", "a.*", "a?c", `a\.b`, "#", "..0"} {
		f.Add(p)
	}
	docs := [][]byte{
		[]byte(`{"a":{"b":"x","c":[1,2]},"items":[{"id":1},{"id":"2"}],"payload":"{\"x\":\"y\"}","n":"x"}`),
		[]byte(`[{"a":"b"},"s",1,true,null,[[[]]]]`),
		[]byte(`"str"`),
	}
	f.Fuzz(func(t *testing.T, path string) {
		mp, err := Mapping{Text: path, ID: path, Time: path, Events: path}.Compile()
		if err != nil {
			return
		}
		for _, d := range docs {
			r, err := mp.Map(d)
			if err != nil {
				t.Fatalf("valid document reported malformed: %v", err)
			}
			for _, ev := range r.Events {
				checkEvent(t, Mapping{ID: path}, ev)
			}
		}
	})
}
