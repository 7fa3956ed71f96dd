package outboxview

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/tui/tuitest"
)

var t0 = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)

func item(id string, s outbox.State, text string) outbox.Outgoing {
	return outbox.Outgoing{Action: feeds.Action{ID: id, Feed: "twitch", Kind: feeds.ActReply, TargetAuthor: "kiki_fr",
		Text: text, Operator: "alice", Created: t0}, State: s, Updated: t0}
}

// The view lists newest first, shows the selected item in full with its
// error, and offers only the keys its state allows.
func TestOutboxViewAndKeys(t *testing.T) {
	m := New(tuitest.Styles(), time.UTC)
	m.SetSize(100, 12)
	failed := item("02", outbox.StateFailed, "second")
	failed.Err, failed.Attempts = "403 you are not a moderator", 1
	m.SetItems([]outbox.Outgoing{item("01", outbox.StateQueued, "first\nline"), failed, item("03", outbox.StateSent, "third")})
	v := ansi.Strip(m.View())
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "✓ sent") || !strings.Contains(lines[1], "✗ failed") || !strings.Contains(lines[2], "◷ queued") ||
		!strings.Contains(lines[2], "first line") {
		t.Errorf("rows not newest first, or text not on one line:\n%s", v)
	}
	enabled := func() string {
		var on []string
		for name, b := range map[string]bool{"edit": m.Keys.Edit.Enabled(), "cancel": m.Keys.Cancel.Enabled(), "resend": m.Keys.Resend.Enabled()} {
			if b {
				on = append(on, name)
			}
		}
		slices.Sort(on)
		return strings.Join(on, ",")
	}
	if got := enabled(); got != "" {
		t.Errorf("on a sent item, keys %q are offered", got)
	}
	m.Update(tuitest.Key("down"))
	if got := enabled(); got != "cancel,edit,resend" { // fix it, then resend
		t.Errorf("on a failed item, keys %q", got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "last error: 403 you are not a moderator") {
		t.Errorf("the selected item's error is not shown:\n%s", v)
	}
	m.Update(tuitest.Key("down"))
	if got := enabled(); got != "cancel,edit" {
		t.Errorf("on a queued item, keys %q", got)
	}
	// An update keeps the selection on the same item.
	m.Apply(item("04", outbox.StateQueued, "fourth"))
	if o, _ := m.Selected(); o.Action.ID != "01" {
		t.Errorf("selection moved to %s after a new item arrived", o.Action.ID)
	}
	m.SetHold(outbox.Hold{On: true, By: "bob", Since: t0})
	if v := ansi.Strip(m.View()); !strings.HasPrefix(v, "⏸ OUTBOX HELD by bob") {
		t.Errorf("the hold is not the first line:\n%s", v)
	}
}

func TestAuditViewNewestFirst(t *testing.T) {
	v := NewAudit(tuitest.Styles(), time.UTC)
	v.SetSize(120, 5)
	if !strings.Contains(ansi.Strip(v.View()), "No action taken yet") {
		t.Error("empty audit view says nothing")
	}
	v.SetEntries([]outbox.AuditEntry{
		{Seq: 1, Time: t0, By: "alice", What: outbox.AuditHeld},
		{Seq: 2, Time: t0.Add(time.Minute), What: outbox.AuditFailed, ActionID: "01", Feed: "twitch", Kind: feeds.ActBan,
			TargetAuthor: "spam_bot", Result: "403 Forbidden"},
	})
	lines := strings.Split(ansi.Strip(v.View()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "failed") || !strings.Contains(lines[0], "ban @spam_bot on twitch") ||
		!strings.Contains(lines[0], "403 Forbidden") || !strings.Contains(lines[1], "alice") || !strings.Contains(lines[1], "held") {
		t.Errorf("audit view:\n%s", strings.Join(lines, "\n"))
	}
}

// The audit says what was done: a timeout's length, the text of the
// message deleted.
func TestAuditSaysWhatWasDone(t *testing.T) {
	v := NewAudit(tuitest.Styles(), time.UTC)
	v.SetSize(140, 5)
	timeout := outbox.NewAuditEntry(outbox.Outgoing{Action: feeds.Action{ID: "01", Kind: feeds.ActTimeout, Feed: "twitch",
		TargetAuthor: "troll", Duration: 10 * time.Minute, TargetText: "you all suck"}}, outbox.AuditQueued, "alice")
	del := outbox.NewAuditEntry(outbox.Outgoing{Action: feeds.Action{ID: "02", Kind: feeds.ActDelete, Feed: "twitch",
		TargetAuthor: "spam_bot", TargetText: "FREE HALO click here"}}, outbox.AuditQueued, "alice")
	v.SetEntries([]outbox.AuditEntry{timeout, del})
	view := ansi.Strip(v.View())
	for _, want := range []string{"timeout @troll 10m0s on twitch", "delete @spam_bot on twitch  on «FREE HALO click here»"} {
		if !strings.Contains(view, want) {
			t.Errorf("audit view lacks %q:\n%s", want, view)
		}
	}
}
