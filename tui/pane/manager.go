package pane

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// WideAt is the width from which side panes sit beside the main pane
// instead of under it.
const WideAt = 120

type entry struct {
	id    ID
	pane  Pane
	place Place
}

// Manager owns the layout and which pane has the keyboard.
type Manager struct {
	styles  *themes.Styles
	entries []entry
	focus   ID // a tiled pane
	overlay ID // the open overlay, if any

	width, height int

	// frames keeps each pane's last box, and view the last screen drawn
	// from them: most frames change one pane, or none.
	frames       map[ID]*framed
	view         string
	boxes        []string
	viewW, viewH int
}

// framed is a pane's last box and what it was drawn from.
type framed struct {
	title, body string
	w, h        int
	focused     bool
	box         string
	// fit holds the body's lines fitted to the box, by line: a scrolling
	// body shares most lines with its last frame, and measuring a styled
	// line's width is most of a border's cost.
	fit map[string]string
}

// NewManager returns a manager with no panes.
func NewManager(styles *themes.Styles) *Manager {
	return &Manager{styles: styles}
}

// Add registers a pane. The first tiled pane added has the keyboard.
func (m *Manager) Add(id ID, p Pane, place Place) {
	m.entries = append(m.entries, entry{id, p, place})
	if m.focus == "" && place != Overlay {
		m.focus = id
	}
	m.layout()
}

func (m *Manager) get(id ID) (entry, bool) {
	for _, e := range m.entries {
		if e.id == id {
			return e, true
		}
	}
	return entry{}, false
}

// Focused is the tiled pane that has (or gets back, once the overlay
// closes) the keyboard.
func (m *Manager) Focused() ID { return m.focus }

// Overlay is the open overlay, or "".
func (m *Manager) Overlay() ID { return m.overlay }

// Active is the pane keys go to: the open overlay, else the focused pane.
func (m *Manager) Active() Pane {
	id := m.focus
	if m.overlay != "" {
		id = m.overlay
	}
	e, _ := m.get(id)
	return e.pane
}

// Focus gives the keyboard to tiled pane id and closes any overlay.
func (m *Manager) Focus(id ID) tea.Cmd {
	e, ok := m.get(id)
	if !ok || e.place == Overlay {
		return nil
	}
	m.closeOverlay()
	if old, ok := m.get(m.focus); ok && old.id != id {
		old.pane.Blur()
	}
	m.focus = id
	return e.pane.Focus()
}

// Refocus gives the keyboard back to the focused pane, closing any overlay.
func (m *Manager) Refocus() tea.Cmd { return m.Focus(m.focus) }

// Cycle moves the keyboard d tiled panes on, in the order they were added.
func (m *Manager) Cycle(d int) tea.Cmd {
	var tiles []ID
	for _, e := range m.entries {
		if e.place != Overlay {
			tiles = append(tiles, e.id)
		}
	}
	if len(tiles) == 0 {
		return nil
	}
	i := slices.Index(tiles, m.focus)
	return m.Focus(tiles[((i+d)%len(tiles)+len(tiles))%len(tiles)])
}

// Open shows overlay id over the panes and gives it the keyboard.
func (m *Manager) Open(id ID) tea.Cmd {
	e, ok := m.get(id)
	if !ok || e.place != Overlay {
		return nil
	}
	if f, ok := m.get(m.focus); ok {
		f.pane.Blur()
	}
	m.closeOverlay()
	m.overlay = id
	return e.pane.Focus()
}

func (m *Manager) closeOverlay() {
	if o, ok := m.get(m.overlay); ok {
		o.pane.Blur()
	}
	m.overlay = ""
}

// Update routes a message: a key or a paste to the pane with the keyboard,
// anything else to every pane.
func (m *Manager) Update(msg tea.Msg) tea.Cmd {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		if p := m.Active(); p != nil {
			return p.Update(msg)
		}
		return nil
	}
	var cmds []tea.Cmd
	for _, e := range m.entries {
		if cmd := e.pane.Update(msg); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

// UpdatePane hands msg to pane id alone (a wheel turned over it, which
// does not have the keyboard).
func (m *Manager) UpdatePane(id ID, msg tea.Msg) tea.Cmd {
	if e, ok := m.get(id); ok {
		return e.pane.Update(msg)
	}
	return nil
}

// SetSize sets the area the panes share, footer excluded.
func (m *Manager) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// Rect is a pane's outer size and position.
type Rect struct{ X, Y, W, H int }

// Layout computes each pane's outer rectangle.
func (m *Manager) Layout() map[ID]Rect {
	out := make(map[ID]Rect, len(m.entries))
	var main ID
	var side []ID
	for _, e := range m.entries {
		switch e.place {
		case Main:
			if main == "" {
				main = e.id
			}
		case Side:
			side = append(side, e.id)
		case Overlay:
			out[e.id] = Rect{0, 0, m.width, m.height}
		}
	}
	w, h := m.width, m.height
	if len(side) == 0 {
		out[main] = Rect{0, 0, w, h}
		return out
	}
	dock, rest := side[0], side[1:]
	if w >= WideAt {
		// Beside: the docked pane at the bottom with a bounded height,
		// the others sharing the rest from the top.
		fw := w * 3 / 5
		sw := w - fw
		out[main] = Rect{0, 0, fw, h}
		dh := min(max(h/3, 8), 12, h/2)
		if len(rest) == 0 {
			dh = h
		}
		y := 0
		for i, id := range rest {
			ph := (h - dh) / len(rest)
			if i == len(rest)-1 {
				ph = h - dh - y
			}
			out[id] = Rect{fw, y, sw, ph}
			y += ph
		}
		out[dock] = Rect{fw, h - dh, sw, dh}
		return out
	}
	// Under: one row, the docked pane at the left.
	bh := min(max(h*2/5, 6), 12, h/2) // the feed keeps most rows
	out[main] = Rect{0, 0, w, h - bh}
	pw := w / len(side)
	out[dock] = Rect{0, h - bh, pw, bh}
	x := pw
	for i, id := range rest {
		rw := pw
		if i == len(rest)-1 {
			rw = w - x
		}
		out[id] = Rect{x, h - bh, rw, bh}
		x += rw
	}
	return out
}

// At is the pane drawn at x, y (the overlay, when one is open) and where
// that is inside its border; ok is false on a border or off the panes.
func (m *Manager) At(x, y int) (id ID, ix, iy int, ok bool) {
	rs := m.Layout()
	if o, open := m.get(m.overlay); open {
		r := rs[o.id]
		return o.id, x - r.X - 1, y - r.Y - 1, x > r.X && x < r.X+r.W-1 && y > r.Y && y < r.Y+r.H-1
	}
	for _, e := range m.entries {
		r, placed := rs[e.id]
		if !placed || e.place == Overlay {
			continue
		}
		if x > r.X && x < r.X+r.W-1 && y > r.Y && y < r.Y+r.H-1 {
			return e.id, x - r.X - 1, y - r.Y - 1, true
		}
	}
	return "", 0, 0, false
}

// layout gives every pane its inner size.
func (m *Manager) layout() {
	rs := m.Layout()
	for _, e := range m.entries {
		r := rs[e.id]
		e.pane.SetSize(max(r.W-2, 0), max(r.H-2, 0))
	}
}

// View draws the open overlay, or the tiled panes with their borders.
func (m *Manager) View() string {
	if o, ok := m.get(m.overlay); ok {
		return m.frame(o, o.pane.Title(), o.pane.View(), m.width, m.height, true)
	}
	rs := m.Layout()
	var tiles []entry
	for _, e := range m.entries {
		if e.place != Overlay {
			tiles = append(tiles, e)
		}
	}
	// Left to right within a row: sort by x.
	slices.SortStableFunc(tiles, func(a, b entry) int { return rs[a.id].X - rs[b.id].X })
	boxes := make([]string, len(tiles))
	same := len(m.boxes) == len(tiles) && m.viewW == m.width && m.viewH == m.height
	for i, e := range tiles {
		r := rs[e.id]
		boxes[i] = m.frame(e, e.pane.Title(), e.pane.View(), r.W, r.H, e.id == m.focus)
		same = same && boxes[i] == m.boxes[i]
	}
	if same && m.view != "" {
		return m.view
	}
	// Rows of the screen, filled pane by pane at each one's position.
	rows := make([]strings.Builder, m.height)
	for i, e := range tiles {
		r := rs[e.id]
		for j, line := range strings.Split(boxes[i], "\n") {
			if y := r.Y + j; y >= 0 && y < len(rows) {
				rows[y].WriteString(line)
			}
		}
	}
	lines := make([]string, len(rows))
	for i := range rows {
		lines[i] = rows[i].String()
	}
	m.view, m.boxes, m.viewW, m.viewH = strings.Join(lines, "\n"), boxes, m.width, m.height
	return m.view
}

// frame is Frame for pane id, from its last box where that still holds.
func (m *Manager) frame(e entry, title, body string, w, h int, focused bool) string {
	id := e.id
	f := m.frames[id]
	if f == nil {
		if m.frames == nil {
			m.frames = make(map[ID]*framed)
		}
		f = &framed{}
		m.frames[id] = f
	}
	if f.box != "" && f.title == title && f.body == body && f.w == w && f.h == h && f.focused == focused {
		return f.box
	}
	if x, ok := e.pane.(Exact); ok && x.ExactLines() && len(body) > 0 {
		f.title, f.body, f.w, f.h, f.focused, f.fit = title, body, w, h, focused, nil
		f.box = m.frameWith(title, body, w, h, focused, func(line string, inner int) string {
			if line == "" {
				return strings.Repeat(" ", inner) // a line it did not draw
			}
			return line
		})
		return f.box
	}
	if f.w != w {
		f.fit = nil // fitted to another width
	}
	fit := make(map[string]string, h)
	f.title, f.body, f.w, f.h, f.focused = title, body, w, h, focused
	f.box = m.frameWith(title, body, w, h, focused, func(line string, inner int) string {
		out, ok := f.fit[line]
		if !ok {
			out = cells.Fit(line, inner)
		}
		fit[line] = out
		return out
	})
	f.fit = fit
	return f.box
}

// Frame draws a box of exactly w×h with the title in its top border. The
// focused box has a heavy border, which reads without colour too.
func (m *Manager) Frame(title, body string, w, h int, focused bool) string {
	return m.frameWith(title, body, w, h, focused, cells.Fit)
}

func (m *Manager) frameWith(title, body string, w, h int, focused bool, fit func(string, int) string) string {
	if w < 2 || h < 2 {
		return ""
	}
	b, bs, ts := lipgloss.RoundedBorder(), m.styles.Border, m.styles.Title
	if focused {
		b, bs, ts = lipgloss.ThickBorder(), m.styles.BorderFocused, m.styles.TitleFocused
	}
	inner := w - 2
	t := cells.Truncate(cells.Safe(" "+title+" "), max(inner-1, 0), "…")
	fill := max(inner-1-cells.Width(t), 0)
	var out strings.Builder
	out.WriteString(bs.Render(b.TopLeft+b.Top) + ts.Render(t) + bs.Render(strings.Repeat(b.Top, fill)+b.TopRight))
	lines := strings.Split(body, "\n")
	left, right := bs.Render(b.Left), bs.Render(b.Right)
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out.WriteString("\n" + left + fit(line, inner) + right)
	}
	out.WriteString("\n" + bs.Render(b.BottomLeft+strings.Repeat(b.Bottom, inner)+b.BottomRight))
	return out.String()
}
