package bluesky

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rich text (app.bsky.richtext.facet): mentions, links and hashtags in a
// post are not found by the reader's app, they are declared by the writer
// as facets, each a range of the text in UTF-8 byte offsets (byteStart
// inclusive, byteEnd exclusive) with a feature: #mention (a DID), #link (a
// URI) or #tag (the tag without its #).

type facetIndex struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

type facetFeature struct {
	Type string `json:"$type"`
	DID  string `json:"did,omitempty"`
	URI  string `json:"uri,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

type facet struct {
	Index    facetIndex     `json:"index"`
	Features []facetFeature `json:"features"`
}

const (
	featMention = "app.bsky.richtext.facet#mention"
	featLink    = "app.bsky.richtext.facet#link"
	featTag     = "app.bsky.richtext.facet#tag"
)

// span is a mention, link or tag found in a text, before mentions are
// resolved: value is the handle, the URI or the tag.
type span struct {
	start, end int // byte offsets into the text
	kind       string
	value      string
}

// maxTagLen bounds a tag, as the lexicon does (640 bytes).
const maxTagLen = 640

// findSpans finds mentions (@handle.example), http(s) links and #tags that
// start the text or follow a space or an opening parenthesis. Trailing
// punctuation is not part of a link or a tag.
func findSpans(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if !unicode.IsSpace(prev) && prev != '(' {
				i += size
				continue
			}
		}
		end := i + wordEnd(text[i:])
		word := text[i:end]
		switch {
		case r == '@':
			h := trimHandle(word[1:])
			if validHandle(h) {
				out = append(out, span{i, i + 1 + len(h), featMention, strings.ToLower(h)})
				i += 1 + len(h)
				continue
			}
		case r == '#' || r == '＃':
			tag := trimPunct(word[size:])
			if tag != "" && len(tag) <= maxTagLen && !allDigits(tag) && !strings.ContainsAny(tag, "#＃") {
				out = append(out, span{i, i + size + len(tag), featTag, tag})
				i += size + len(tag)
				continue
			}
		case strings.HasPrefix(word, "https://") || strings.HasPrefix(word, "http://"):
			u := trimLink(word)
			if !strings.HasSuffix(u, "://") {
				out = append(out, span{i, i + len(u), featLink, u})
				i += len(u)
				continue
			}
		}
		i += size
	}
	return out
}

// wordEnd is the byte length of s up to the first space.
func wordEnd(s string) int {
	if n := strings.IndexFunc(s, unicode.IsSpace); n >= 0 {
		return n
	}
	return len(s)
}

// trimHandle keeps the handle characters at the start of s (letters,
// digits, dots and hyphens) and drops a trailing dot ("@bob.example.").
func trimHandle(s string) string {
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			n++
			continue
		}
		break
	}
	return strings.TrimRight(s[:n], ".-")
}

// validHandle checks the handle syntax (https://atproto.com/specs/handle):
// two labels or more, letters, digits and inner hyphens, a top-level
// domain that does not start with a digit, 253 characters at most.
func validHandle(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return !(tld[0] >= '0' && tld[0] <= '9')
}

const trailingPunct = ".,;:!?\"'…"

func trimPunct(s string) string { return strings.TrimRight(s, trailingPunct+")") }

// trimLink drops trailing punctuation, and a closing parenthesis that has
// no opening one in the link ("(see https://example.com/a)").
func trimLink(s string) string {
	for {
		t := strings.TrimRight(s, trailingPunct)
		if strings.HasSuffix(t, ")") && strings.Count(t, "(") < strings.Count(t, ")") {
			t = t[:len(t)-1]
		}
		if t == s {
			return s
		}
		s = t
	}
}

func allDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// resolver finds the DID of a handle; ok is false when it has none.
type resolver func(ctx context.Context, handle string) (did string, ok bool)

// buildFacets returns the facets of text: links and tags as found,
// mentions whose handle resolves (an unknown handle stays plain text).
func buildFacets(ctx context.Context, text string, resolve resolver) []facet {
	var out []facet
	for _, s := range findSpans(text) {
		f := facet{Index: facetIndex{ByteStart: s.start, ByteEnd: s.end}}
		switch s.kind {
		case featMention:
			did, ok := resolve(ctx, s.value)
			if !ok {
				continue
			}
			f.Features = []facetFeature{{Type: featMention, DID: did}}
		case featLink:
			f.Features = []facetFeature{{Type: featLink, URI: s.value}}
		case featTag:
			f.Features = []facetFeature{{Type: featTag, Tag: s.value}}
		}
		out = append(out, f)
	}
	return out
}
