package jsonlimit

import (
	"bytes"
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	l := Limits{Depth: 3, Values: 10}
	cases := []struct {
		doc  string
		want error
	}{
		{`{"a":[1,{"b":2}]}`, nil},
		{`[[[]]]`, nil},
		{`[[[[]]]]`, ErrTooDeep},
		{`{"a":{"b":{"c":{}}}}`, ErrTooDeep},
		// Brackets and commas inside strings are text.
		{`["[[[[[[,,,,,,,,,,,,", "\"[[[[[["]`, nil},
		{`[1,2,3,4,5,6,7,8,9,10]`, ErrTooMany},
		{`[1,2,3,4,5,6,7,8]`, nil},
		// Depth is the nesting at a point, not the count of brackets.
		{`[[],[],[]]`, nil},
		// Malformed but within the limits: the parser reports it.
		{`]]]]`, nil},
		{`"unterminated \"`, nil},
	}
	for _, c := range cases {
		if err := Check([]byte(c.doc), l); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("Check(%s) = %v, want %v", c.doc, err, c.want)
		}
	}
	if err := Check(bytes.Repeat([]byte("["), 1<<20), Limits{}); err != nil {
		t.Errorf("zero limits checked something: %v", err)
	}
}

// TestCheckHostile: the 8 MiB "[" that overflowed the stack is refused
// once past the limit, without looking at the rest.
func TestCheckHostile(t *testing.T) {
	doc := bytes.Repeat([]byte("["), 8<<20)
	if err := Check(doc, Default); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("8 MiB of [: %v", err)
	}
	doc = bytes.Repeat([]byte("1,"), 1<<20)
	if err := Check(doc, Default); !errors.Is(err, ErrTooMany) {
		t.Fatalf("a million commas: %v", err)
	}
	ok := bytes.Repeat([]byte(`{"a":["b",1]},`), 1<<14)
	if n := testing.AllocsPerRun(10, func() { Check(ok, Default) }); n != 0 {
		t.Fatalf("Check allocates %v times", n)
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":[1,2]}`, `[[[`, `"\\"`, `"\"`, `]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := Check(doc, Limits{Depth: 4, Values: 8})
		if err == nil {
			return
		}
		if !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTooMany) {
			t.Fatalf("unexpected error %v", err)
		}
		// Refused for depth: some prefix outside strings opens more than 4.
		if errors.Is(err, ErrTooDeep) && bytes.Count(doc, []byte("["))+bytes.Count(doc, []byte("{")) <= 4 {
			t.Fatalf("too deep with at most 4 brackets: %q", doc)
		}
	})
}
