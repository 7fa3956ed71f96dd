package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
)

// u shows the author's card from the store; r there answers the message
// picked on the card; D deletes all their recent messages after one y.
func TestUserCard(t *testing.T) {
	h, m := loaded(t)
	for { // select kiki's latest message
		if ev, _ := m.feed.Selected(); ev.Author == "kiki_fr" {
			break
		}
		hit(m, "k")
	}
	drive(m, hit(m, "u"))
	if m.panes.Overlay() != paneCard {
		t.Fatalf("u: overlay %q", m.panes.Overlay())
	}
	v := ansi.Strip(m.screen())
	if !strings.Contains(v, "Kiki (@kiki_fr) on twitch") || !strings.Contains(v, "2 messages") || !strings.Contains(v, "sortie en France") {
		t.Fatalf("card:\n%s", v)
	}
	hit(m, "j") // the older one
	hit(m, "r")
	if a := m.composer.Reply(); a.Target != "t2" || m.panes.Focused() != paneReply {
		t.Fatalf("r on the card answers %q (focus %q), want t2", a.Target, m.panes.Focused())
	}
	hit(m, "esc")

	for m.panes.Focused() != paneFeed {
		hit(m, "tab")
	}
	drive(m, hit(m, "u"))
	hit(m, "D")
	if m.mode != modeConfirm || !strings.Contains(m.ask.prompt, "Delete @kiki_fr's 2 recent messages") {
		t.Fatalf("D asks %+v", m.ask)
	}
	drive(m, hit(m, "y"))
	pending, err := h.db.Pending()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range pending {
		if o.Action.Kind == feeds.ActDelete && o.Action.TargetAuthor == "kiki_fr" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d deletes queued, want 2; status %q", n, m.status)
	}
}
