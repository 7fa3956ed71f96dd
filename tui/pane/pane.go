// Package pane is the contract every pane of the dashboard keeps, and the
// manager that lays panes out, draws their borders and routes messages to
// them.
//
// A pane is a pointer model that changes in place: Update returns only a
// Cmd. It draws exactly the size it was given, inside the border the
// manager draws. Keys reach the pane that has the keyboard; every other
// message reaches every pane, so a pane's own timers (a cursor's blink)
// keep running.
package pane

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// Pane is one region of the screen.
type Pane interface {
	Update(msg tea.Msg) tea.Cmd
	// View draws the pane at its size. It changes nothing.
	View() string
	// SetSize gives the pane its inner size, border excluded.
	SetSize(w, h int)
	// Focus gives the pane the keyboard; Blur takes it away.
	Focus() tea.Cmd
	Blur()
	// Title is drawn in the pane's top border.
	Title() string
	// The pane's own keys, for the help bar and the help overlay.
	help.KeyMap
}

// ID names a pane in the manager.
type ID string

// Place is where the manager puts a pane.
type Place int

const (
	// Main is the large pane: the left three fifths of a wide terminal,
	// the top of a narrow one.
	Main Place = iota
	// Side panes share the rest: stacked beside the main pane on a wide
	// terminal, side by side under it on a narrow one. The first one added
	// is docked nearest the footer's start in both: at the bottom of the
	// column, or at the left of the row (the composer, where the operator
	// types); the others fill the rest in the order they were added.
	Side
	// Overlay panes cover the whole screen while open.
	Overlay
)

// Exact is a pane whose View always has exactly its height in lines, each
// exactly its width and already safe to print (as cells.Fit would make
// it). The manager then frames its lines as they are, without measuring
// them again: a pane that draws thousands of new cells a frame says so.
type Exact interface {
	ExactLines() bool
}
