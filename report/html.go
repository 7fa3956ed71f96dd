package report

import (
	"bufio"
	"fmt"
	"html/template"
	"strings"
)

// The HTML report is one file: inline CSS, inline SVG charts, no script
// and no external asset, so it can be mailed, archived and opened
// offline. Every string from a platform or an operator goes through
// html/template's escaping, or template.HTMLEscapeString inside the
// charts, which are built here from numbers and escaped labels only.

// feedColours are the series' colours, by feed rank; they repeat past
// eight feeds (the legend still names each).
var feedColours = []string{"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"}

const (
	moodNeg = "#d1495b"
	moodNeu = "#c9c9c9"
	moodPos = "#3c9d5d"
)

// chart geometry, in SVG units (the SVG scales to the page's width).
const (
	chartW, chartH = 960.0, 240.0
	padL, padR     = 48.0, 12.0
	padT, padB     = 12.0, 40.0
)

// barChart draws stacked bars: series[s][i] is series s's value in
// bucket i, drawn in colours[s]. share stacks each bucket to 100 %.
func (r *Report) barChart(title string, series [][]int, colours []string, share bool) template.HTML {
	var b strings.Builder
	n := len(r.Buckets)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	totals := make([]int, n)
	top := 0
	for i := range n {
		for _, s := range series {
			totals[i] += s[i]
		}
		top = max(top, totals[i])
	}
	if share {
		top = 100
	}
	top = niceCeil(top)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartW, chartH, template.HTMLEscapeString(title))
	// Grid and y axis: four lines.
	for k := 0; k <= 4; k++ {
		y := padT + plotH - plotH*float64(k)/4
		v := fmt.Sprint(top * k / 4)
		if share {
			v += "%"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis" text-anchor="end">%s</text>`, padL-6, y+4, v)
	}
	slot := plotW / float64(n)
	gap := min(slot*0.15, 4)
	for i := range n {
		if totals[i] == 0 || top == 0 {
			continue
		}
		x := padL + slot*float64(i) + gap/2
		y := padT + plotH
		for s, vals := range series {
			if vals[i] == 0 {
				continue
			}
			var h float64
			if share {
				h = plotH * float64(vals[i]) / float64(totals[i])
			} else {
				h = plotH * float64(vals[i]) / float64(top)
			}
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				x, y, slot-gap, h, colours[s%len(colours)], template.HTMLEscapeString(fmt.Sprintf("%s: %d", r.label(r.Buckets[i]), vals[i])))
		}
	}
	// x labels: about eight, never crowded.
	every := max(1, (n+7)/8)
	for i := 0; i < n; i += every {
		x := padL + slot*float64(i) + slot/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis" text-anchor="middle">%s</text>`,
			x, padT+plotH+18, template.HTMLEscapeString(r.label(r.Buckets[i])))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="base"/>`, padL, padT+plotH, chartW-padR, padT+plotH)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil is the top of an axis of four steps holding n: each step a
// whole 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	for p := 1; p < 1<<50; p *= 10 {
		for _, m := range []int{10, 15, 20, 25, 30, 40, 50, 60, 80} {
			if m*p%10 == 0 && 4*m*p/10 >= n {
				return 4 * m * p / 10
			}
		}
	}
	return n
}

type legendItem struct {
	Colour template.CSS
	Name   string
}

type htmlData struct {
	*Report
	From, To      string
	StepText      string
	Volume        template.HTML
	VolumeLegend  []legendItem
	MoodChart     template.HTML
	MoodLegend    []legendItem
	Median, P90   string
	NegPct        string
	NeuPct        string
	PosPct        string
	MaxWatch      int
	MaxTop        int
	IncidentViews []incidentView
}

type incidentView struct {
	N          int
	From, To   string
	Open       bool
	More       int
	Rows       []entryView
	AlertCount int
}

type entryView struct {
	Time, What, By, Feed, Detail string
	Class                        string
}

func writeHTML(w *bufio.Writer, r *Report) error {
	d := htmlData{Report: r, From: r.when(r.Since), To: r.when(r.Until), StepText: stepText(r.Step)}
	var vol [][]int
	var cols []string
	for i, f := range r.Feeds {
		vol = append(vol, r.Volume[f])
		c := feedColours[i%len(feedColours)]
		cols = append(cols, c)
		d.VolumeLegend = append(d.VolumeLegend, legendItem{template.CSS(c), f})
	}
	d.Volume = r.barChart("events per "+d.StepText+" by feed", vol, cols, false)
	neg, neu, pos := make([]int, len(r.Buckets)), make([]int, len(r.Buckets)), make([]int, len(r.Buckets))
	for i, s := range r.Sentiment {
		neg[i], neu[i], pos[i] = s.Negative, s.Neutral, s.Positive
	}
	d.MoodChart = r.barChart("share of negative, neutral and positive messages", [][]int{neg, neu, pos},
		[]string{moodNeg, moodNeu, moodPos}, true)
	d.MoodLegend = []legendItem{{moodNeg, "negative"}, {moodNeu, "neutral"}, {moodPos, "positive"}}
	d.Median, d.P90 = duration(r.ResponseMedian), duration(r.ResponseP90)
	m := r.Mood
	d.NegPct, d.NeuPct, d.PosPct = pct(m.Negative, m.Total()), pct(m.Neutral, m.Total()), pct(m.Positive, m.Total())
	for _, wc := range r.Watch {
		d.MaxWatch = max(d.MaxWatch, wc.N)
	}
	for _, c := range r.Top {
		d.MaxTop = max(d.MaxTop, c.N)
	}
	for i, inc := range r.Incidents {
		iv := incidentView{N: i + 1, From: r.when(inc.Start), To: r.when(inc.End), Open: inc.Open, More: inc.More}
		for _, e := range inc.Entries {
			if e.What == "alert" {
				iv.AlertCount++
			}
			iv.Rows = append(iv.Rows, entryView{Time: r.when(e.Time), What: entryWhat(e), By: e.By, Feed: e.Feed,
				Detail: entryDetail(e), Class: e.What})
		}
		d.IncidentViews = append(d.IncidentViews, iv)
	}
	return page.Execute(w, d)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc":    func(i int) int { return i + 1 },
	"plural": plural,
	"width": func(n, of int) template.CSS {
		if of == 0 {
			return "width:0"
		}
		return template.CSS(fmt.Sprintf("width:%.1f%%", 100*float64(n)/float64(of)))
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>tribune report, {{.From}} to {{.To}}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a; background: #f6f7f9; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.sub { color: #5b6570; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 10px 14px; }
.card b { display: block; font-size: 24px; }
.card span { color: #5b6570; font-size: 13px; }
section.box { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 12px 16px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e6e9ed; stroke-width: 1; }
svg .base { stroke: #8a949e; stroke-width: 1; }
svg .axis { font-size: 12px; fill: #5b6570; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceff2; vertical-align: top; }
th { color: #5b6570; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.t { white-space: nowrap; color: #5b6570; }
td.d { overflow-wrap: anywhere; }
.bar { background: #4e79a7; height: 8px; border-radius: 4px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 720px) { .two { grid-template-columns: 1fr; } }
tr.alert td { background: #fdeeee; }
tr.held td, tr.released td { background: #fff6e0; }
.muted { color: #5b6570; }
</style>
</head>
<body>
<main>
<h1>tribune report</h1>
<p class="sub">{{.From}} to {{.To}} · {{len .Feeds}} feeds · one bar per {{.StepText}}</p>
<div class="cards">
<div class="card"><b>{{.Messages}}</b><span>messages ({{.Brand}} from the brand)</span></div>
<div class="card"><b>{{.Authors}}{{if .AuthorsCapped}}+{{end}}</b><span>authors</span></div>
<div class="card"><b>{{.Mentions}}</b><span>mentions of the brand</span></div>
<div class="card"><b>{{if .Answered}}{{.Median}}{{else}}–{{end}}</b><span>median response ({{.Answered}} answered)</span></div>
<div class="card"><b>{{.Unanswered}}</b><span>questions unanswered</span></div>
<div class="card"><b>{{.Alerts}}</b><span>alerts · {{plural (len .Incidents) "incident"}}</span></div>
</div>

<h2>Volume</h2>
<section class="box">
{{.Volume}}
<ul class="legend">{{range .VolumeLegend}}<li><i style="background:{{.Colour}}"></i>{{.Name}}</li>{{end}}</ul>
</section>

<h2>Sentiment</h2>
<section class="box">
<p class="muted">Over the period: {{.NegPct}} negative, {{.NeuPct}} neutral, {{.PosPct}} positive ({{.Mood.Total}} messages). The lexicon reads sarcasm literally and laughter as neutral.</p>
{{.MoodChart}}
<ul class="legend">{{range .MoodLegend}}<li><i style="background:{{.Colour}}"></i>{{.Name}}</li>{{end}}</ul>
</section>

<div class="two">
<div>
<h2>Top contributors</h2>
<section class="box">
{{if .Top}}<table><tr><th class="n">#</th><th>author</th><th>platform</th><th class="n">messages</th><th></th></tr>
{{range $i, $c := .Top}}<tr><td class="n">{{inc $i}}</td><td class="d">{{if and $c.Name (ne $c.Name $c.Author)}}{{$c.Name}} <span class="muted">{{$c.Author}}</span>{{else}}{{$c.Author}}{{end}}</td><td>{{$c.Platform}}</td><td class="n">{{$c.N}}</td><td style="width:25%"><div class="bar" style="{{width $c.N $.MaxTop}}"></div></td></tr>
{{end}}</table>{{else}}<p class="muted">No messages.</p>{{end}}
</section>
</div>
<div>
<h2>Watch-words</h2>
<section class="box">
{{if .Watch}}<table><tr><th>watch-word</th><th class="n">messages</th><th></th></tr>
{{range .Watch}}<tr><td>{{.Word}}</td><td class="n">{{.N}}</td><td style="width:40%"><div class="bar" style="background:#d1495b;{{width .N $.MaxWatch}}"></div></td></tr>
{{end}}</table>{{else}}<p class="muted">No watch-words configured.</p>{{end}}
</section>
</div>
</div>

<div class="two">
<div>
<h2>Response times</h2>
<section class="box"><table>
<tr><td>mentions of the brand</td><td class="n">{{.Mentions}}</td></tr>
<tr><td>… of which questions</td><td class="n">{{.Questions}}</td></tr>
<tr><td>answered by the team</td><td class="n">{{.Answered}}</td></tr>
<tr><td>median time to first answer</td><td class="n">{{if .Answered}}{{.Median}}{{else}}–{{end}}</td></tr>
<tr><td>90th percentile</td><td class="n">{{if .Answered}}{{.P90}}{{else}}–{{end}}</td></tr>
<tr><td>questions left unanswered</td><td class="n">{{.Unanswered}}</td></tr>
</table></section>
</div>
<div>
<h2>Moderation and actions</h2>
<section class="box"><table>
<tr><td>replies sent</td><td class="n">{{.Replies}}</td></tr>
<tr><td>posts sent</td><td class="n">{{.Posts}}</td></tr>
{{range .Moderation}}<tr><td>{{.Kind}}</td><td class="n">{{.N}}</td></tr>
{{end}}<tr><td>failed or uncertain</td><td class="n">{{.Failed}}</td></tr>
</table></section>
</div>
</div>

<h2>Alerts and incidents</h2>
<p class="muted">{{plural .Alerts "alert"}}; the outbox was held {{plural .Holds "time"}}.</p>
{{range .IncidentViews}}<section class="box" style="margin-bottom:12px">
<h3>Incident {{.N}}: {{.From}} {{if .Open}}on, still open at the end of the period{{else}}to {{.To}}{{end}} · {{plural .AlertCount "alert"}}</h3>
<table><tr><th>time</th><th>what</th><th>by</th><th>feed</th><th>detail</th></tr>
{{range .Rows}}<tr class="{{.Class}}"><td class="t">{{.Time}}</td><td class="t">{{.What}}</td><td>{{.By}}</td><td>{{.Feed}}</td><td class="d">{{.Detail}}</td></tr>
{{end}}</table>{{if .More}}<p class="muted">… and {{.More}} more entries.</p>{{end}}
</section>
{{else}}<p class="muted">No incident in the period.</p>
{{end}}
</main>
</body>
</html>
`))
