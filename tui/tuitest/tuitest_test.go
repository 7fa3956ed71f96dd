package tuitest

import "testing"

func TestKeyStrings(t *testing.T) {
	for _, s := range []string{"q", "G", "ctrl+s", "shift+tab", "esc", "space", "é", "enter", "up", "pgdown", "ctrl+c", "?", ":", "R", "tab", "backspace"} {
		if got := Key(s).String(); got != s {
			t.Errorf("Key(%q).String() = %q", s, got)
		}
	}
}
