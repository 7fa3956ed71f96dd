package canned

import (
	"errors"
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds"
)

func TestExpand(t *testing.T) {
	ev := &feeds.Event{Feed: "launch-chat", Platform: "twitch", Author: "kiki_fr", AuthorName: "Kiki"}
	for _, tc := range []struct{ text, want string }{
		{"Thanks {author}!", "Thanks kiki_fr!"},
		{"Hi {name}, see our {platform} FAQ ({feed})", "Hi Kiki, see our twitch FAQ (launch-chat)"},
		{"{{author}} is {author}", "{author} is kiki_fr"},
		{"set }} and {{", "set } and {"},
		{"{ Author }", "kiki_fr"},
		{"no variables", "no variables"},
		{"", ""},
		{"ça marche {author} 🎧", "ça marche kiki_fr 🎧"},
	} {
		tp, err := Parse("t", tc.text)
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if got := tp.Expand(VarsOf(ev)); got != tc.want {
			t.Errorf("%q expands to %q, want %q", tc.text, got, tc.want)
		}
	}
	// A value is never read as a template, and brings no control
	// character or line break with it.
	tp, _ := Parse("t", "@{author}: {name}")
	got := tp.Expand(Vars{Author: "{feed}", Name: "evil\x1b]0;title\x07\nname\u2028"})
	if got != "@{feed}: evil]0;titlename" {
		t.Errorf("hostile values expand to %q", got)
	}
	// No display name: the handle.
	if got := MustExpand(t, "{name}", Vars{Author: "sam"}); got != "sam" {
		t.Errorf("{name} without a display name = %q", got)
	}
	if !tp.Uses("author") || tp.Uses("platform") {
		t.Error("Uses")
	}
}

func MustExpand(t *testing.T, text string, v Vars) string {
	t.Helper()
	tp, err := Parse("t", text)
	if err != nil {
		t.Fatal(err)
	}
	return tp.Expand(v)
}

func TestParseErrorsPointAtTheVariable(t *testing.T) {
	for _, tc := range []struct{ text, at, msg string }{
		{"Thanks {autor}!", "{autor}", "unknown variable {autor}: use {author}, {name}, {platform}, {feed}"},
		{"Hi {}", "{}", "unknown variable {}"},
		{"a { b", "{", `"{" is not closed`},
		{"a {author b {feed}", "{", `"{" is not closed`},
		{"a } b", "}", `"}" closes nothing`},
	} {
		_, err := Parse("t", tc.text)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: %v, want an *Error", tc.text, err)
			continue
		}
		if off := strings.Index(tc.text, tc.at); e.Offset != off || e.Len != len(tc.at) {
			t.Errorf("%q: error at [%d,+%d), want %q at %d", tc.text, e.Offset, e.Len, tc.at, off)
		}
		if !strings.Contains(e.Error(), tc.msg) {
			t.Errorf("%q: %q, want it to say %q", tc.text, e.Error(), tc.msg)
		}
	}
}
