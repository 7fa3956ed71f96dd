package mastodon

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTMLText(t *testing.T) {
	accts := map[string]string{"https://other.example/@bob": "bob@other.example"}
	lookup := func(href string) string { return accts[href] }
	for _, tc := range []struct{ in, want string }{
		{"<p>hello world</p>", "hello world"},
		{"<p>one</p><p>two</p>", "one\n\ntwo"},
		{"<p>line<br>break<br/>again<br />end</p>", "line\nbreak\nagain\nend"},
		{"<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1F600; caf&eacute;</p>", "a & b <c> \"d\" 'e' 😀 café"},
		{`<p><span class="h-card"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span> hi</p>`, "@bob@other.example hi"},
		// A mention the status does not list keeps its text.
		{`<p><a href="https://x.example/@eve" class="u-url mention">@<span>eve</span></a> hi</p>`, "@eve hi"},
		{`<p><a href="https://social.example/tags/lumio" class="mention hashtag" rel="tag">#<span>lumio</span></a></p>`, "#lumio"},
		{`<p>see <a href="https://lumio.example/live/keynote"><span class="invisible">https://</span><span class="ellipsis">lumio.example/li</span><span class="invisible">ve/keynote</span></a> now</p>`, "see https://lumio.example/live/keynote now"},
		{"<p>custom :blobcat: emoji</p>", "custom :blobcat: emoji"},
		{`<p>pleroma <img class="emoji" alt=":blob:" src="x.png"> emoji</p>`, "pleroma :blob: emoji"},
		{"<p>  lots   of\n\n spaces\t </p>", "lots of spaces"},
		{"<pre>  code\n  block</pre>", "code\n  block"},
		{"<ul><li>one</li><li>two</li></ul><p>after</p>", "- one\n- two\n\nafter"},
		{"plain text, no tags", "plain text, no tags"},
		{"a < b and c > d", "a < b and c > d"},
		{"<p>unclosed <a href=\"x", "unclosed <a href=\"x"},
		{"<script>alert(1)</script><p>safe</p>", "safe"},
		{"<p>x</p><!-- comment --><p>y</p>", "x\n\ny"},
		{"<P>Upper<BR>Case</P>", "Upper\nCase"},
		{"", ""},
	} {
		if got := htmlText(tc.in, lookup); got != tc.want {
			t.Errorf("htmlText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// checkHTMLText holds for any input: no panic, no run of three newlines,
// no leading or trailing space, valid UTF-8 from valid UTF-8, and a
// bounded output.
func checkHTMLText(t *testing.T, in string) {
	out := htmlText(in, func(string) string { return "" })
	if strings.Contains(out, "\n\n\n") {
		t.Errorf("htmlText(%q) = %q: three newlines", in, out)
	}
	if out != strings.TrimSpace(out) {
		t.Errorf("htmlText(%q) = %q: untrimmed", in, out)
	}
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Errorf("htmlText(%q) = %q: invalid UTF-8", in, out)
	}
	if len(out) > 2*len(in)+8 {
		t.Errorf("htmlText(%d bytes) = %d bytes", len(in), len(out))
	}
}

func FuzzHTMLText(f *testing.F) {
	for _, s := range []string{
		"<p>hello <a href=\"https://x\" class=\"u-url mention\">@<span>bob</span></a></p>",
		"<br><br><br>", "<pre>\n\n\n</pre>", "&#0;&#xD800;&amp", "<a class='mention' href=x>", "<", "</", "<!--", "<img alt=\"&lt;b&gt;\">",
		"<li><ul><li></ul>", "<p>\u202eevil</p>",
	} {
		f.Add(s)
	}
	f.Fuzz(checkHTMLText)
}
