// Command teafloor is the floor under tribune's idle cost: a Bubble Tea
// program that draws one static 160x48 screen and never changes it. Its
// CPU at rest is what the renderer's frame ticker costs on this machine
// (WithFPS, default 30, the rate tribune runs at), whatever the program
// does. Run by hand, beside irssi, e.g. in tmux:
//
//	go build -o /tmp/teafloor ./tools/teafloor
//	tmux new -d -s f -x 160 -y 48 /tmp/teafloor   # FPS=10 /tmp/teafloor for another rate
//	cat /proc/$(pgrep -nx teafloor)/task/*/schedstat   # twice, 20 s apart: ns on CPU
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
)

type model struct{ screen string }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return m, tea.Quit
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView(m.screen)
	v.AltScreen = true
	return v
}

func main() {
	fps := 30
	if s := os.Getenv("FPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "teafloor: FPS must be a positive number")
			os.Exit(2)
		}
		fps = n
	}
	screen := strings.Repeat(strings.Repeat("·", 158)+"\n", 47) + "teafloor: a static screen; q quits"
	if _, err := tea.NewProgram(model{screen}, tea.WithFPS(fps)).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "teafloor:", err)
		os.Exit(1)
	}
}
