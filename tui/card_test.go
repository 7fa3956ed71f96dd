package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/canned"
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

// ctrl+t in the composer offers the canned replies filled in for the
// message answered; the one picked is typed in, to edit before sending.
func TestCannedReplies(t *testing.T) {
	_, m := loaded(t)
	for _, c := range [][2]string{{"thanks", "Merci {name} ! On transmet à l'équipe."}, {"refund", "@{author}, écris-nous en DM pour le remboursement."}} {
		tpl, err := canned.Parse(c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		m.svc.Canned = append(m.svc.Canned, tpl)
	}
	hit(m, "r") // kiki's message, the newest
	typeKeys(m, "Salut ")
	hit(m, "ctrl+t")
	if m.panes.Overlay() != panePalette {
		t.Fatalf("ctrl+t: overlay %q", m.panes.Overlay())
	}
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "@kiki_fr, écris-nous en DM") {
		t.Fatalf("the picker does not show the filled-in text:\n%s", v)
	}
	typeKeys(m, "rfnd")
	hit(m, "enter")
	if got := m.composer.Value(); got != "Salut @kiki_fr, écris-nous en DM pour le remboursement." || m.panes.Focused() != paneReply {
		t.Errorf("composer %q, focus %q", got, m.panes.Focused())
	}
	m.svc.Canned = nil
	hit(m, "ctrl+t")
	if m.panes.Overlay() != "" || !strings.Contains(m.status, "No canned replies") {
		t.Errorf("with none configured: overlay %q, status %q", m.panes.Overlay(), m.status)
	}
}

// m, x and ! on the card mute, block and report the author with the
// brand's account, where the platform has them: after a y, or for a
// report after an optional reason and enter.
func TestCardMuteBlockReport(t *testing.T) {
	h, m := loaded(t)
	pick := func(author string) {
		t.Helper()
		for range 50 {
			if ev, _ := m.feed.Selected(); ev.Author == author {
				drive(m, hit(m, "u"))
				return
			}
			hit(m, "k")
		}
		t.Fatalf("no message of %s", author)
	}
	pick("ana@mastodon.social")
	hit(m, "m")
	if m.mode != modeConfirm || !strings.Contains(m.ask.prompt, "Mute @ana@mastodon.social with the brand's account on mastodon") {
		t.Fatalf("m asks %+v", m.ask)
	}
	drive(m, hit(m, "y"))
	hit(m, "x")
	hit(m, "n") // not this time
	hit(m, "!")
	if m.mode != modeConfirm || !strings.Contains(m.ask.prompt, "Report @ana@mastodon.social's message «Watching") {
		t.Fatalf("! asks %+v", m.ask)
	}
	typeKeys(m, "fake giveaway")
	drive(m, hit(m, "enter"))

	pending, err := h.db.Pending()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range pending {
		a := o.Action
		got = append(got, string(a.Kind)+" "+a.TargetAuthor+" "+a.Target+" "+a.Reason)
	}
	want := []string{"mute ana@mastodon.social m1 ", "report ana@mastodon.social m1 fake giveaway"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("queued %q, want %q", got, want)
	}

	hit(m, "esc")
	for m.panes.Focused() != paneFeed {
		hit(m, "tab")
	}
	pick("kiki_fr") // on twitch, which has no mute
	hit(m, "m")
	if m.mode == modeConfirm || !strings.Contains(m.status, "cannot mute") {
		t.Errorf("m on twitch: mode %v, status %q", m.mode, m.status)
	}
}
