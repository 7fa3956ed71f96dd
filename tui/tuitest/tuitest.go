// Package tuitest holds what the TUI's tests share: key presses as a
// terminal sends them, and the styles panes draw with. Only tests import
// it.
package tuitest

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/themes"
)

var named = map[string]rune{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "space": tea.KeySpace,
	"backspace": tea.KeyBackspace, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft,
	"right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp,
	"pgdown": tea.KeyPgDown,
}

// Key is the press of one key written as bubbles' key bindings name it:
// "q", "G", "ctrl+s", "shift+tab", "esc", "space", "é".
func Key(s string) tea.KeyPressMsg {
	var mod tea.KeyMod
	for {
		switch {
		case strings.HasPrefix(s, "ctrl+") && len(s) > len("ctrl+"):
			mod |= tea.ModCtrl
			s = s[len("ctrl+"):]
			continue
		case strings.HasPrefix(s, "alt+") && len(s) > len("alt+"):
			mod |= tea.ModAlt
			s = s[len("alt+"):]
			continue
		case strings.HasPrefix(s, "shift+") && len(s) > len("shift+"):
			mod |= tea.ModShift
			s = s[len("shift+"):]
			continue
		}
		break
	}
	if code, ok := named[s]; ok {
		k := tea.KeyPressMsg{Code: code, Mod: mod}
		if code == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r := []rune(s)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: s}
}

// Type is the presses that type s, one per character.
func Type(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// Styles is the dark theme's styles, as the panes draw in a session.
func Styles() *themes.Styles {
	p, err := themes.Builtin("dark")
	if err != nil {
		panic(err)
	}
	return themes.New(p)
}

// Corpus is text terminals draw at different widths (emoji with skin
// tones, joined by ZWJ, with VS16; lone regional indicators; Indic
// conjuncts; halfwidth voiced marks) beside text they agree on (CJK,
// Hangul, RTL, combining marks, French).
var Corpus = []string{
	"👍🏽", "✋🏿", "👨\u200d👩\u200d👧", "👩🏽\u200d💻", "🏳️\u200d🌈", "❤️", "©️", "1️⃣", "☺️", "‼️",
	"🇫🇷", "🇫", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
	"नमस्ते", "ক্ষ", "ｶﾞ", "ก็", "क्षि", "தமிழ்", "கொ", "น้ำ", "ที่", "ﾊﾟﾝ", "ि", "ொ", "中文", "한국어", "ᄀ\u1161\u11a8", "שלום", "مرحبا", "é", "e\u0301", "a\u0301\u0302",
	"précommande", "Ça arrive", "🎧", "☕", "⌚", "x", " ", "\u200b", "\u00ad", "🐸", "𒐫", "ﷺ",
}
