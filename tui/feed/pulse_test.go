package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/tui/tuitest"
)

func painted(v string, p paint, s string) bool {
	return strings.Contains(v, p[0].Render(s)) || strings.Contains(v, p[1].Render(s))
}

func TestWatchWordsAndMentionsStandOut(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(100, 10)
	m.SetWatch(watch.MustCompile([]string{"@lumio", "refund", "ne marche pas"}))
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	m.Add([]feeds.Event{
		{Seq: 1, Feed: "tw", Platform: "twitch", ID: "1", Author: "ana", Time: at, Text: "@Lumio le boîtier ne marche pas, REFUND ?"},
		{Seq: 2, Feed: "tw", Platform: "twitch", ID: "2", Author: "bob", Time: at, Text: "refund please", Deleted: true},
		{Seq: 3, Feed: "tw", Platform: "twitch", ID: "3", Author: "refund", Time: at, Text: "hello"},
	})
	v := m.View()
	for _, w := range []string{"ne marche pas", "REFUND"} {
		if !painted(v, m.paints.watch, w) {
			t.Errorf("%q is not highlighted as a watch-word:\n%q", w, v)
		}
	}
	if !painted(v, m.paints.mention, "@Lumio") {
		t.Errorf("the brand's mention is not highlighted:\n%q", v)
	}
	if painted(v, m.paints.watch, "refund") {
		t.Errorf("a deleted message, or an author's name, is highlighted:\n%q", v)
	}
	if plain := ansi.Strip(v); !strings.Contains(plain, "ana: @Lumio le boîtier ne marche pas, REFUND ?") {
		t.Errorf("the text changed:\n%s", plain)
	}
}

func TestAnsweredMessagesSaySo(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(100, 10)
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	m.Add([]feeds.Event{
		{Seq: 1, Feed: "tw", Platform: "twitch", ID: "1", Author: "ana", Time: at, Text: "@lumio when?"},
		{Seq: 2, Feed: "tw", Platform: "twitch", ID: "2", Author: "bob", Time: at, Text: "@lumio price?"},
		{Seq: 3, Feed: "md", Platform: "mastodon", ID: "1", Author: "cy", Time: at, Text: "@lumio same id, other feed"},
	})
	// The brand answers 1 on the platform; the outbox answers 2.
	m.Add([]feeds.Event{{Seq: 4, Feed: "tw", Platform: "twitch", ID: "4", Author: "lumio", Badges: []string{feeds.BadgeBrand},
		ReplyTo: "1", Time: at, Text: "tonight!"}})
	m.MarkAnsweredBy("tw", "2", "alice")
	m.MarkAnswered("tw", "2") // someone: alice stays named
	m.MarkAnswered("tw", "unknown")
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.Contains(lines[1], "[answered by alice]") {
		t.Errorf("row 1 %q does not say who answered", lines[1])
	}
	for i, want := range []bool{true, true, false, false} {
		if got := strings.Contains(lines[i], "[answered"); got != want {
			t.Errorf("row %d %q: answered %v, want %v", i, lines[i], got, want)
		}
	}
}

func TestDirectWarningAndRepostShowAsSuch(t *testing.T) {
	m := New(tuitest.Styles(), 0, time.UTC)
	m.SetSize(120, 10)
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	m.Add([]feeds.Event{
		{Seq: 1, Feed: "irc", Platform: "irc", ID: "1", Author: "ana", Time: at, Text: "psst", Direct: true},
		{Seq: 2, Feed: "md", Platform: "mastodon", ID: "2", Author: "bob", Time: at, Text: "the ending", Warning: "spoilers"},
		{Seq: 3, Feed: "md", Platform: "mastodon", ID: "3", Author: "cy", Time: at, Text: "great launch", RepostOf: "press@news.example"},
	})
	v := ansi.Strip(m.View())
	for _, want := range []string{"ana: [direct] psst", "bob: [CW: spoilers] the ending", "cy: boosted @press@news.example: great launch"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
