package fieldmap

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
	"github.com/tribune/tribune/feeds/internal/jsonlimit"
)

func mustCompile(t *testing.T, m Mapping) *Mapper {
	t.Helper()
	mp, err := m.Compile()
	if err != nil {
		t.Fatalf("Compile(%+v): %v", m, err)
	}
	return mp
}

func mapDoc(t *testing.T, mp *Mapper, doc string) Result {
	t.Helper()
	r, err := mp.Map([]byte(doc))
	if err != nil {
		t.Fatalf("Map(%s): %v", doc, err)
	}
	return r
}

func TestMapNestedPaths(t *testing.T) {
	mp := mustCompile(t, Mapping{
		ID:         "msg.id",
		Author:     "msg.user.login",
		AuthorName: "msg.user.display",
		Text:       "msg.body",
		Time:       "msg.sent",
		Channel:    "room.name",
		ReplyTo:    "msg.reply.parent.id",
	})
	r := mapDoc(t, mp, `{"room":{"name":"#launch"},"msg":{"id":"m1","user":{"login":"ana","display":"Ana B"},
		"body":"hello","sent":"2024-11-21T16:25:48.741Z","reply":{"parent":{"id":"m0"}}}}`)
	want := feeds.Event{
		ID: "m1", Author: "ana", AuthorName: "Ana B", Text: "hello", Channel: "#launch", ReplyTo: "m0",
		Time: time.Date(2024, 11, 21, 16, 25, 48, 741e6, time.UTC),
	}
	if r.Unmatched != 0 || len(r.Events) != 1 {
		t.Fatalf("got %+v", r)
	}
	if got := r.Events[0]; !sameEvent(got, want) {
		t.Errorf("event\n got %+v\nwant %+v", got, want)
	}
}

func sameEvent(a, b feeds.Event) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Time.Equal(b.Time) && a.Channel == b.Channel &&
		a.Author == b.Author && a.AuthorName == b.AuthorName && a.Text == b.Text &&
		a.ReplyTo == b.ReplyTo && a.Target == b.Target
}

func TestMapArrays(t *testing.T) {
	plain := mustCompile(t, Mapping{ID: "id", Text: "text"})
	inside := mustCompile(t, Mapping{Events: "data.messages", ID: "id", Text: "parts.0.text", Author: "tags.#(k==\"login\").v"})
	tests := []struct {
		name      string
		mp        *Mapper
		doc       string
		ids       []string
		unmatched int
	}{
		{"a frame that is an array", plain, `[{"id":"a","text":"1"},{"id":"b","text":"2"}]`, []string{"a", "b"}, 0},
		{"an empty array", plain, `[]`, nil, 0},
		{"one bad item among good ones", plain, `[{"id":"a","text":"1"},{"id":"b"},{"id":"c","text":"3"}]`, []string{"a", "c"}, 1},
		{"items that are not objects", plain, `[1,"x",null,[]]`, nil, 4},
		{"an array at the events path", inside,
			`{"data":{"messages":[{"id":"x","parts":[{"text":"hi"}],"tags":[{"k":"login","v":"bo"}]}]}}`, []string{"x"}, 0},
		{"an object at the events path", inside, `{"data":{"messages":{"id":"y","parts":[{"text":"hi"}]}}}`, []string{"y"}, 0},
		{"nothing at the events path", inside, `{"data":{}}`, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mapDoc(t, tt.mp, tt.doc)
			var ids []string
			for _, ev := range r.Events {
				ids = append(ids, ev.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") || r.Unmatched != tt.unmatched {
				t.Errorf("ids %v unmatched %d (%s), want %v and %d", ids, r.Unmatched, r.Why, tt.ids, tt.unmatched)
			}
			if r.Unmatched > 0 && r.Why == "" {
				t.Error("unmatched without a reason")
			}
		})
	}
	r := mapDoc(t, inside, `{"data":{"messages":[{"id":"x","parts":[{"text":"hi"}],"tags":[{"k":"login","v":"bo"}]}]}}`)
	if r.Events[0].Author != "bo" || r.Events[0].Text != "hi" {
		t.Errorf("query paths: got %+v", r.Events[0])
	}
}

func TestMapMissingAndWrongTypes(t *testing.T) {
	mp := mustCompile(t, Mapping{ID: "id", Text: "text", Author: "user", Time: "ts", ReplyTo: "parent"})
	tests := []struct {
		name, doc, why string
	}{
		{"missing text", `{"id":"1"}`, `text: nothing at "text"`},
		{"null text", `{"id":"1","text":null}`, `text: nothing at "text"`},
		{"object text", `{"id":"1","text":{"a":1}}`, `text: "text" is an object`},
		{"array text", `{"id":"1","text":["a"]}`, `text: "text" is an array`},
		{"boolean text", `{"id":"1","text":true}`, `text: "text" is a boolean`},
		{"missing id", `{"text":"hi"}`, `id: nothing at "id"`},
		{"empty id", `{"id":"","text":"hi"}`, `id: nothing at "id"`},
		{"array id", `{"id":[1],"text":"hi"}`, `id: "id" is an array`},
		{"object author", `{"id":"1","text":"hi","user":{"n":"x"}}`, `author: "user" is an object`},
		{"bad time string", `{"id":"1","text":"hi","ts":"yesterday"}`, `time: "yesterday" at "ts" is neither`},
		{"boolean time", `{"id":"1","text":"hi","ts":false}`, `time: "ts" is a boolean`},
		{"negative time", `{"id":"1","text":"hi","ts":-5}`, `time:`},
		{"time out of range", `{"id":"1","text":"hi","ts":1e300}`, `time:`},
		{"scalar document", `"just a string"`, `text: nothing at "text"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mapDoc(t, mp, tt.doc)
			if len(r.Events) != 0 || r.Unmatched != 1 || !strings.Contains(r.Why, tt.why) {
				t.Errorf("got %d events, %d unmatched, why %q; want unmatched because %q", len(r.Events), r.Unmatched, r.Why, tt.why)
			}
		})
	}
	// Optional fields may be missing or null; an empty text is the platform's.
	r := mapDoc(t, mp, `{"id":"1","text":"","user":null}`)
	if len(r.Events) != 1 || r.Unmatched != 0 {
		t.Errorf("optional fields: got %+v", r)
	}
}

func TestMapScalars(t *testing.T) {
	mp := mustCompile(t, Mapping{ID: "id", Text: "text", Channel: "room", Author: "uid"})
	r := mapDoc(t, mp, `{"id":1089123456789012345678,"text":"caf\u00e9 \ud83d\ude00","room":-12.5e3,"uid":42}`)
	if len(r.Events) != 1 {
		t.Fatalf("got %+v", r)
	}
	ev := r.Events[0]
	if ev.ID != "1089123456789012345678" || ev.Channel != "-12.5e3" || ev.Author != "42" || ev.Text != "café 😀" {
		t.Errorf("got %+v", ev)
	}
	// Invalid UTF-8 inside a JSON string and a lone surrogate come out valid.
	r = mapDoc(t, mp, "{\"id\":\"a\xffb\",\"text\":\"\\ud800x\"}")
	if len(r.Events) != 1 || r.Events[0].ID != "a\uFFFDb" || !strings.HasSuffix(r.Events[0].Text, "x") {
		t.Errorf("invalid UTF-8: got %+v", r)
	}
}

func TestMapTimes(t *testing.T) {
	mp := mustCompile(t, Mapping{Text: "t", Time: "at"})
	want := time.Date(2024, 11, 21, 16, 25, 48, 0, time.UTC)
	tests := []struct {
		at   string
		want time.Time
	}{
		{`"2024-11-21T16:25:48Z"`, want},
		{`"2024-11-21T17:25:48+01:00"`, want},
		{`"2024-11-21T16:25:48.123456Z"`, want.Add(123456 * time.Microsecond)},
		{`1732206348`, want},                                   // seconds
		{`1732206348.5`, want.Add(500 * time.Millisecond)},     // fractional seconds
		{`1732206348741`, want.Add(741 * time.Millisecond)},    // milliseconds
		{`1732206348000167`, want.Add(167 * time.Microsecond)}, // Jetstream's time_us
		{`1732206348000000001`, want.Add(1)},                   // nanoseconds
		{`"1732206348741"`, want.Add(741 * time.Millisecond)},  // digits in a string
		{`1.732206348741e12`, want.Add(741 * time.Millisecond)},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		r := mapDoc(t, mp, `{"t":"x","at":`+tt.at+`}`)
		if len(r.Events) != 1 {
			t.Errorf("%s: %+v", tt.at, r)
			continue
		}
		if got := r.Events[0].Time; !got.Equal(tt.want) {
			t.Errorf("%s: time %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestMapKinds(t *testing.T) {
	m := Mapping{ID: "id", Text: "text", Kind: "type", Target: "deleted",
		Kinds: map[string]string{"chat": "message", "me": "action", "sub": "notice", "del": "delete", "ping": "ignore", "7": "notice"}}
	mp := mustCompile(t, m)
	r := mapDoc(t, mp, `[
		{"type":"chat","id":"1","text":"a"},
		{"type":"me","id":"2","text":"waves"},
		{"type":"sub","id":"3","text":"subscribed"},
		{"type":"del","id":"4","deleted":"1"},
		{"type":"ping"},
		{"type":7,"id":"5","text":"number kind"},
		{"type":"raid","id":"6","text":"?"},
		{"id":"7","text":"no kind"},
		{"type":{"x":1},"id":"8","text":"object kind"}]`)
	got := map[string]feeds.Kind{}
	for _, ev := range r.Events {
		got[ev.ID] = ev.Kind
	}
	want := map[string]feeds.Kind{"1": feeds.KindMessage, "2": feeds.KindAction, "3": feeds.KindNotice, "4": feeds.KindDelete, "5": feeds.KindNotice}
	if len(got) != len(want) {
		t.Fatalf("kinds %v, want %v (%+v)", got, want, r)
	}
	for id, k := range want {
		if got[id] != k {
			t.Errorf("event %s: kind %s, want %s", id, got[id], k)
		}
	}
	if r.Ignored != 1 || r.Unmatched != 3 || !strings.Contains(r.Why, `"raid" at "type" is not in fields.kinds`) {
		t.Errorf("ignored %d unmatched %d why %q", r.Ignored, r.Unmatched, r.Why)
	}
	if ev := r.Events[3]; ev.Target != "1" {
		t.Errorf("delete target %q, want 1", ev.Target)
	}

	// "*" catches everything else, a missing kind included; a delete with
	// no target path deletes its id.
	m = Mapping{ID: "payload", Text: "payload", Kind: "event", Kinds: map[string]string{"delete": "delete", "update": "message", "*": "ignore"}}
	r = mapDoc(t, mustCompile(t, m), `[{"event":"delete","payload":"109"},{"event":"status.update","payload":"x"},{"payload":"y"},{"event":"delete"}]`)
	if len(r.Events) != 1 || r.Events[0].Kind != feeds.KindDelete || r.Events[0].Target != "109" || r.Ignored != 2 || r.Unmatched != 1 {
		t.Errorf("wildcard: %+v", r)
	}
}

func TestMapMastodonStringPayload(t *testing.T) {
	// Mastodon's streaming payload is a JSON document inside a string.
	mp := mustCompile(t, Mapping{
		ID: "payload|@fromstr|id", Author: "payload|@fromstr|account.acct", Text: "payload|@fromstr|content",
		ReplyTo: "payload|@fromstr|in_reply_to_id", Time: "payload|@fromstr|created_at", Channel: "stream.1",
	})
	r := mapDoc(t, mp, `{"stream":["hashtag","lumio"],"event":"update","payload":"{\"id\":\"1089\",\"created_at\":\"2024-11-21T16:25:48.741Z\",\"in_reply_to_id\":null,\"content\":\"<p>hi</p>\",\"account\":{\"acct\":\"ana@social.example\"}}"}`)
	if len(r.Events) != 1 {
		t.Fatalf("got %+v", r)
	}
	ev := r.Events[0]
	if ev.ID != "1089" || ev.Author != "ana@social.example" || ev.Text != "<p>hi</p>" || ev.Channel != "lumio" || ev.ReplyTo != "" {
		t.Errorf("got %+v", ev)
	}
}

func TestMapMalformed(t *testing.T) {
	mp := mustCompile(t, Mapping{Text: "t"})
	for _, doc := range []string{``, `{`, `{"t":"x"`, `{"t":"x"}}`, `nope`, "{\"t\":\"a\x01\"}", `[1,]`} {
		if _, err := mp.Map([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Map(%q): err %v, want ErrMalformed", doc, err)
		}
	}
}

func TestMapItemLimit(t *testing.T) {
	mp := mustCompile(t, Mapping{Text: "@this"})
	doc := "[" + strings.Repeat(`"x",`, MaxItems+4) + `"x"]`
	r := mapDoc(t, mp, doc)
	if len(r.Events) != MaxItems || r.Unmatched != 5 || !strings.Contains(r.Why, "more than") {
		t.Errorf("got %d events, %d unmatched (%s)", len(r.Events), r.Unmatched, r.Why)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Mapping
		want string
	}{
		{"no text", Mapping{ID: "id"}, "fields.text is missing"},
		{"empty component", Mapping{Text: "a..b"}, `fields.text: path "a..b" has an empty component`},
		{"leading dot", Mapping{Text: ".a"}, "empty component"},
		{"trailing separator", Mapping{Text: "a|"}, "ends with a separator"},
		{"unbalanced", Mapping{Text: "a.#(b==1"}, `missing a closing ')'`},
		{"stray closer", Mapping{Text: "a]"}, "unbalanced"},
		{"unterminated string", Mapping{Text: `a.#(b=="x)`}, "unterminated"},
		{"lone backslash", Mapping{Text: `a\`}, "lone backslash"},
		{"unknown modifier", Mapping{Text: "a|@lower"}, "unknown modifier @lower"},
		{"control character", Mapping{Text: "a\nb"}, "control character"},
		{"space", Mapping{Text: " a"}, "space"},
		{"bad author path", Mapping{Text: "t", Author: "a..b"}, "fields.author:"},
		{"kinds without kind", Mapping{Text: "t", Kinds: map[string]string{"a": "message"}}, "fields.kind"},
		{"kind without kinds", Mapping{Text: "t", Kind: "type"}, "fields.kinds"},
		{"unknown kind name", Mapping{Text: "t", Kind: "type", Kinds: map[string]string{"a": "shout"}}, `"a" = "shout"`},
		{"delete without target", Mapping{Text: "t", Kind: "type", Kinds: map[string]string{"d": "delete"}}, "fields.target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.Compile()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	for _, p := range []string{"a.b", "items.#.id", `a\.b`, "payload|@fromstr|x", "@this", "{a,b}", `a.#(name=="x.y")#.id`, "x.@reverse", "a-b_c", "0"} {
		if _, err := (Mapping{Text: p}).Compile(); err != nil {
			t.Errorf("Compile(%q): %v", p, err)
		}
	}
}

func TestDurationTOML(t *testing.T) {
	var c struct {
		Idle Duration `toml:"idle"`
	}
	if _, err := toml.Decode(`idle = "1m30s"`, &c); err != nil || time.Duration(c.Idle) != 90*time.Second {
		t.Errorf("decoded %v, %v", time.Duration(c.Idle), err)
	}
	_, err := toml.Decode(`idle = "30"`, &c)
	if err == nil || !strings.Contains(err.Error(), `"30" is not a duration`) {
		t.Errorf("bad duration: %v", err)
	}
}

func TestUnmatchedStatus(t *testing.T) {
	u := NewUnmatched("frame")
	u.Add("before any run") // counted, shown on the next Attach
	s := feedstest.NewStream()
	detach := u.Attach(s)
	if got := s.StatusOf(StatusUnmatched); got != "1 frame" {
		t.Errorf("status on attach %q, want 1 frame", got)
	}
	u.Add("text: nothing at \"t\"")
	u.Add("id: nothing at \"i\"")
	// Spaced out, but the latest count and reason always show in the end.
	// (They are two statuses, set one after the other: wait for both.)
	s.WaitFor(t, 5*time.Second, `3 frames, id: nothing at "i"`, func(s *feedstest.Stream) bool {
		return s.StatusOf(StatusUnmatched) == "3 frames" && s.StatusOf(StatusWhy) == `id: nothing at "i"`
	})
	detach()
	s2 := feedstest.NewStream()
	u.Add("between runs")
	detach()             // a second detach is harmless
	defer u.Attach(s2)() // the count carries over to the next Run
	if got := s2.StatusOf(StatusUnmatched); got != "4 frames" {
		t.Errorf("next run shows %q, want 4 frames", got)
	}
	if got := s.StatusOf(StatusUnmatched); got != "3 frames" {
		t.Errorf("a detached stream was updated to %q", got)
	}
}

func BenchmarkMap(b *testing.B) {
	mp, err := Mapping{ID: "id", Author: "user.login", AuthorName: "user.name", Text: "body.text", Time: "ts", Channel: "room", ReplyTo: "reply.id"}.Compile()
	if err != nil {
		b.Fatal(err)
	}
	doc := []byte(`[` + strings.Repeat(`{"id":"885196de-cb67-427a","user":{"login":"ana","name":"Ana B"},"body":{"text":"so hyped for the launch!!"},"ts":1732206348741,"room":"#lumio","reply":{"id":null}},`, 9) +
		`{"id":"x","body":{"text":"last"}}]`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if r, err := mp.Map(doc); err != nil || len(r.Events) != 10 {
			b.Fatal(r, err)
		}
	}
}

// TestMapBoundsNesting: a document nested past jsonlimit.Default is
// refused before gjson validates it by recursion.
func TestMapBoundsNesting(t *testing.T) {
	mp, err := Mapping{Text: "text"}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	deep := strings.Repeat(`{"a":`, 65) + `{"text":"x"}` + strings.Repeat("}", 65)
	if _, err := mp.Map([]byte(deep)); !errors.Is(err, jsonlimit.ErrTooDeep) {
		t.Errorf("65 levels: %v", err)
	}
	ok := strings.Repeat(`{"a":`, 60) + `{"text":"x"}` + strings.Repeat("}", 60)
	if _, err := mp.Map([]byte(ok)); err != nil {
		t.Errorf("61 levels: %v", err)
	}
}
