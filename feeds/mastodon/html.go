package mastodon

import (
	"html"
	"strings"
)

// maxHTML bounds the HTML converted for one field; the rest is dropped (the
// hub cuts a message far shorter anyway).
const maxHTML = 256 << 10

// htmlText turns the HTML of a status's content into plain text.
//
// Mastodon sends content as a small, sanitized subset of HTML
// (entities/Status#content; the server's sanitizer keeps p, br, span, a,
// del, pre, code, em, strong, b, i, u, ul, ol, li, blockquote): paragraphs
// become blank lines, <br> a line break, list items lines of their own,
// and a mention link becomes "@acct" when mentionAcct knows its href (so
// "@alice" from another server reads "@alice@example.social"). The text
// of a link is kept whole: Mastodon splits a long URL into "invisible" and
// "ellipsis" spans whose text, joined, is the URL. Custom emoji are
// shortcodes in the text already (":blobcat:"); servers that send them as
// <img> give their alt text. Entities are decoded. Other servers federate
// content that Mastodon re-sanitizes, but this runs on any input: unknown
// tags are dropped, a stray "<" is text, and it never fails.
func htmlText(s string, mentionAcct func(href string) string) string {
	if len(s) > maxHTML {
		s = s[:maxHTML]
	}
	var c converter
	c.out.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			c.text(s)
			break
		}
		c.text(s[:i])
		s = s[i:]
		t, n, ok := parseTag(s)
		if !ok {
			c.text("<")
			s = s[1:]
			continue
		}
		s = s[n:]
		if t.name == "script" || t.name == "style" {
			if !t.closing && !t.selfClosing {
				s = skipElement(s, t.name)
			}
			continue
		}
		c.tag(t, mentionAcct)
	}
	return c.finish()
}

// converter builds the text. Whitespace is collapsed as HTML renders it,
// but inside <pre>.
type converter struct {
	out      strings.Builder
	space    bool // a collapsed space is pending
	newlines int  // newlines owed before the next text (the max wins)
	pre      int  // depth of <pre>
	skip     int  // >0: inside a mention whose text was replaced
	list     int  // depth of ul/ol
}

func (c *converter) text(raw string) {
	if raw == "" || c.skip > 0 {
		return
	}
	t := html.UnescapeString(raw)
	if c.pre > 0 {
		for _, line := range strings.SplitAfter(t, "\n") {
			body := strings.TrimSuffix(line, "\n")
			if body != "" {
				c.write(body)
			}
			if strings.HasSuffix(line, "\n") {
				c.out.WriteByte('\n')
			}
		}
		return
	}
	for i := 0; i < len(t); {
		if isHTMLSpaceByte(t[i]) {
			c.space = true
			i++
			continue
		}
		j := i
		for j < len(t) && !isHTMLSpaceByte(t[j]) {
			j++
		}
		c.word(t[i:j])
		i = j
	}
}

// word puts text that is not to be split or decoded, after a pending
// space.
func (c *converter) word(s string) {
	if c.space && c.newlines == 0 && c.out.Len() > 0 {
		c.out.WriteByte(' ')
	}
	c.space = false
	c.write(s)
}

// write puts a run of text, after the newlines owed.
func (c *converter) write(s string) {
	if c.out.Len() > 0 {
		for ; c.newlines > 0; c.newlines-- {
			c.out.WriteByte('\n')
		}
	}
	c.newlines = 0
	c.out.WriteString(s)
}

// breakLines owes n newlines before the next text, and drops a pending
// space.
func (c *converter) breakLines(n int) {
	c.space = false
	c.newlines = max(c.newlines, n)
}

func (c *converter) tag(t tag, mentionAcct func(string) string) {
	if c.skip > 0 {
		switch {
		case t.name == "a" && t.closing:
			c.skip--
		case t.name == "a" && !t.selfClosing:
			c.skip++
		}
		return
	}
	switch t.name {
	case "br":
		// A <br> is a line break even where a newline is already owed.
		if c.out.Len() > 0 {
			for ; c.newlines > 0; c.newlines-- {
				c.out.WriteByte('\n')
			}
			c.out.WriteByte('\n')
		}
		c.space = false
	case "p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "div":
		c.breakLines(2)
		if t.name == "ul" || t.name == "ol" {
			if t.closing {
				c.list = max(c.list-1, 0)
			} else if !t.selfClosing {
				c.list++
			}
		}
	case "pre":
		c.breakLines(2)
		if t.closing {
			c.pre = max(c.pre-1, 0)
		} else if !t.selfClosing {
			c.pre++
		}
	case "li":
		if !t.closing {
			c.breakLines(1)
			c.write("- ")
		} else {
			c.breakLines(1)
		}
	case "img":
		if alt := t.attr("alt"); alt != "" {
			c.word(html.UnescapeString(alt))
		}
	case "a":
		if t.closing || t.selfClosing || mentionAcct == nil {
			return
		}
		class := " " + t.attr("class") + " "
		if !strings.Contains(class, " mention ") || strings.Contains(class, " hashtag ") {
			return
		}
		acct := mentionAcct(html.UnescapeString(t.attr("href")))
		if acct == "" {
			return
		}
		c.word("@" + acct)
		c.skip = 1
	}
}

func (c *converter) finish() string {
	s := c.out.String()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s)
}

func isHTMLSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f'
}

// tag is one parsed start or end tag.
type tag struct {
	name        string // lower case
	closing     bool
	selfClosing bool
	attrs       string // the raw attribute text
}

// parseTag reads the tag at the start of s ("<a href=…>", "</p>", "<br/>")
// and its length. A "<" that does not open a tag (followed by a space, a
// digit, nothing) gives ok false, and so does a comment, which it skips
// whole as a zero-length "tag" of name "!".
func parseTag(s string) (t tag, n int, ok bool) {
	if strings.HasPrefix(s, "<!--") {
		end := strings.Index(s[4:], "-->")
		if end < 0 {
			return tag{name: "!"}, len(s), true
		}
		return tag{name: "!"}, 4 + end + 3, true
	}
	i := 1
	if i < len(s) && s[i] == '/' {
		t.closing = true
		i++
	}
	if i >= len(s) || !isASCIILetter(s[i]) {
		if i < len(s) && (s[i] == '!' || s[i] == '?') {
			// <!DOCTYPE …>, <?xml …?>: dropped.
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return tag{}, 0, false
			}
			return tag{name: "!"}, end + 1, true
		}
		return tag{}, 0, false
	}
	j := i
	for j < len(s) && (isASCIILetter(s[j]) || '0' <= s[j] && s[j] <= '9') {
		j++
	}
	t.name = strings.ToLower(s[i:j])
	// The tag ends at the first ">" outside a quoted attribute value.
	var quote byte
	k := j
	for ; k < len(s); k++ {
		b := s[k]
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '>':
			attrs := s[j:k]
			if strings.HasSuffix(attrs, "/") {
				t.selfClosing = true
				attrs = attrs[:len(attrs)-1]
			}
			t.attrs = attrs
			return t, k + 1, true
		}
	}
	return tag{}, 0, false
}

// attr returns the value of the attribute name, "" when absent.
func (t tag) attr(name string) string {
	s := t.attrs
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\n\r\f/")
		i := 0
		for i < len(s) && s[i] != '=' && !isHTMLSpaceByte(s[i]) && s[i] != '/' {
			i++
		}
		key := strings.ToLower(s[:i])
		s = strings.TrimLeft(s[i:], " \t\n\r\f")
		val := ""
		if strings.HasPrefix(s, "=") {
			s = strings.TrimLeft(s[1:], " \t\n\r\f")
			if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
				q := s[0]
				end := strings.IndexByte(s[1:], q)
				if end < 0 {
					val, s = s[1:], ""
				} else {
					val, s = s[1:1+end], s[2+end:]
				}
			} else {
				end := 0
				for end < len(s) && !isHTMLSpaceByte(s[end]) {
					end++
				}
				val, s = s[:end], s[end:]
			}
		}
		if key == name {
			return val
		}
		if i == 0 && !strings.HasPrefix(s, "=") && len(s) > 0 {
			s = s[1:] // a stray character: step over it
		}
	}
	return ""
}

// skipElement returns s after the end tag of name, or "" when there is none.
func skipElement(s, name string) string {
	lower := strings.ToLower(s)
	i := strings.Index(lower, "</"+name)
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], '>')
	if j < 0 {
		return ""
	}
	return s[i+j+1:]
}

func isASCIILetter(b byte) bool { return 'a' <= b|0x20 && b|0x20 <= 'z' }
