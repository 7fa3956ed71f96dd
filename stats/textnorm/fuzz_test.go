package textnorm

import (
	"testing"
	"unicode/utf8"

	"github.com/tribune/tribune/stats/internal/testutil"
)

// FuzzTokenize checks the invariants callers rely on: spans inside the
// text, on rune boundaries, in order and not overlapping; folded forms
// valid UTF-8 when not cut, never longer than MaxFolded; and Token agreeing
// with the accessors.
func FuzzTokenize(f *testing.F) {
	for _, l := range testutil.Lines {
		f.Add(l)
	}
	for _, s := range []string{"l'", "'s", "a'b'c", "#", "@@a", "www.", "http://", "a.b/", "e\u0301\u0301", "🇫", "\xff'a", "ＨＡ＃ｌ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Rune boundaries as range sees them: an invalid byte is a rune
		// of its own.
		bound := map[int]bool{len(s): true}
		for i := range s {
			bound[i] = true
		}
		var tk Tokenizer
		tk.Reset(s)
		prev := 0
		for n := 0; tk.Next(); n++ {
			if n > len(s) {
				t.Fatalf("more tokens than bytes in %q", s)
			}
			tok := tk.Token()
			if tok.Start < prev || tok.End <= tok.Start || tok.End > len(s) {
				t.Fatalf("bad span %d:%d after %d in %q", tok.Start, tok.End, prev, s)
			}
			if !bound[tok.Start] || !bound[tok.End] {
				t.Fatalf("span %d:%d not on rune boundaries in %q", tok.Start, tok.End, s)
			}
			if len(tok.Folded) > MaxFolded {
				t.Fatalf("folded form of %d bytes", len(tok.Folded))
			}
			if tok.Kind != URL && len(tok.Folded) == 0 {
				t.Fatalf("empty %s token %d:%d in %q", tok.Kind, tok.Start, tok.End, s)
			}
			if !tok.Long && !utf8.Valid(tok.Folded) {
				t.Fatalf("folded %q not UTF-8", tok.Folded)
			}
			if st, en := tk.Span(); st != tok.Start || en != tok.End || tk.Kind() != tok.Kind || tk.Long() != tok.Long {
				t.Fatal("accessors disagree with Token")
			}
			prev = tok.End
		}
	})
}
