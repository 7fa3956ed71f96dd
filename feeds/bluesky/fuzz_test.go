package bluesky

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// FuzzFrame feeds hostile frames to the decoder and to the connector's
// handling: nothing panics, and every event is about the frame's own DID.
func FuzzFrame(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a","cid":"b","record":{"text":"#a @b.c https://x"}}}`))
	f.Add([]byte(strings.Repeat("[", 100000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err != nil {
			return
		}
		c, err := New("fz", Config{Terms: []string{"a"}, Hashtags: []string{"a"}, Watch: []string{"b.c"}, Reposts: true})
		if err != nil {
			t.Fatal(err)
		}
		s := feedstest.NewStream()
		c.handle(s, fr)
		c.handle(s, fr) // a replay shows nothing more
		evs := s.Events()
		if len(evs) > 1 {
			t.Fatalf("one frame gave %d events", len(evs))
		}
		for _, e := range evs {
			if !strings.HasPrefix(e.ID, "at://"+fr.DID+"/") {
				t.Fatalf("event %q from a frame of %s", e.ID, fr.DID)
			}
			if e.Kind == feeds.KindDelete && !strings.HasPrefix(e.Target, "at://"+fr.DID+"/") {
				t.Fatalf("delete of %q by %s", e.Target, fr.DID)
			}
		}
	})
}

// FuzzFacets checks the spans found in any text: in order, apart, on
// character boundaries, covering what they say.
func FuzzFacets(f *testing.F) {
	for _, s := range []string{
		"Merci 👋🏽 @alice.test, voir https://example.com/a_(b) #Lancement!",
		"(@a.b) #1 #x# ＃タグ http:// https://x.y/).",
		"@-a.b @a..b @a.1 e\u0301 #\u200d",
		"\xff@a.b #\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		end := 0
		for _, s := range findSpans(text) {
			if s.start < end || s.end <= s.start || s.end > len(text) {
				t.Fatalf("span %+v after %d in %q", s, end, text)
			}
			end = s.end
			// Do refuses text that is not UTF-8 before it looks for spans.
			if utf8.ValidString(text) && (!utf8.RuneStart(text[s.start]) || (s.end < len(text) && !utf8.RuneStart(text[s.end]))) {
				t.Fatalf("span %+v cuts a character in %q", s, text)
			}
			got := text[s.start:s.end]
			switch s.kind {
			case featMention:
				if !strings.EqualFold(got, "@"+s.value) || !validHandle(s.value) {
					t.Fatalf("mention %q is %q", s.value, got)
				}
			case featLink:
				if got != s.value {
					t.Fatalf("link %q is %q", s.value, got)
				}
			case featTag:
				if !strings.HasSuffix(got, s.value) || s.value == "" {
					t.Fatalf("tag %q is %q", s.value, got)
				}
			}
		}
		facets := buildFacets(context.Background(), text, func(context.Context, string) (string, bool) { return "did:plc:x", true })
		for _, fc := range facets {
			if fc.Index.ByteEnd > len(text) || len(fc.Features) != 1 {
				t.Fatalf("facet %+v", fc)
			}
		}
	})
}
