package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
)

// Page is what one HTML report shows: a comparison (always present; with
// an empty Old side it describes the new compose alone) and, for the
// report a compose writes about itself, its run.
type Page struct {
	Title string
	Diff  *Diff
	Run   *Run // nil for `pungo compose-diff --html`
}

// Run is how a compose went: its final status, when each phase ran and
// which failable deliverables failed.
type Run struct {
	Status string
	Phases []PhaseSpan
	Failed []Deliverable
}

// PhaseSpan is one phase's wall-clock interval.
type PhaseSpan struct {
	Name       string
	Start, End time.Time
}

// Deliverable is one failed deliverable of deliverables.json.
type Deliverable struct {
	Kind, Variant, Arch, Subvariant string
}

// WriteHTML writes p as one static page: inline CSS and SVG, no script, no
// network reference, so it can be mailed or opened from a file.
func WriteHTML(w io.Writer, p Page) error {
	d := p.Diff
	data := map[string]any{
		"Title":    p.Title,
		"D":        d,
		"Run":      p.Run,
		"Baseline": d.Old.ID == "",
		"Counts":   template.HTML(countChart(d)),
		"Sizes":    template.HTML(sizeChart(d)),
	}
	if p.Run != nil {
		data["Timeline"] = template.HTML(timeline(p.Run.Phases))
	}
	return pageTmpl.Execute(w, data)
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"size":   HumanSize,
	"signed": SignedSize,
	"nvr":    NVR,
	"rpms":   func(l []string) string { return strings.Join(rpmNames(l), " ") },
	"sub":    func(a, b int64) int64 { return a - b },
	"isub":   func(a, b int) int { return a - b },
	"n":      func(l []*Change) int { return len(l) },
	"date":   func(t int64) string { return time.Unix(t, 0).UTC().Format("2006-01-02") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222;max-width:75em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#eee}td.l,th.l{text-align:left}
.added{color:#1a7f37}.removed{color:#c62828}.upgraded{color:#0b5cad}.downgraded{color:#b26a00}
.pkg{margin:.4em 0 .8em 0}.pkg pre{background:#f6f6f6;padding:.4em;margin:.2em 0 0 1em;white-space:pre-wrap}
.status{font-weight:bold}.failed{color:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:2em}
</style></head>
<body>
<h1>{{.Title}}</h1>
{{if .Baseline}}<p id="compared">No older compose of this release to compare with: {{.D.New.ID}} alone.</p>
{{else}}<p id="compared">Changes from <b>{{.D.Old.ID}}</b> to <b>{{.D.New.ID}}</b>.</p>{{end}}
{{with .Run}}
<h2>Compose run</h2>
<p>Status: <span class="status" id="status">{{.Status}}</span></p>
<h3>Phase timeline</h3>
<div id="timeline">{{$.Timeline}}</div>
<h3>Failed deliverables</h3>
{{if .Failed}}<table id="failed"><tr><th class="l">Deliverable</th><th class="l">Variant</th><th class="l">Arch</th><th class="l">Subvariant</th></tr>
{{range .Failed}}<tr class="failed"><td class="l">{{.Kind}}</td><td class="l">{{.Variant}}</td><td class="l">{{.Arch}}</td><td class="l">{{.Subvariant}}</td></tr>
{{end}}</table>{{else}}<p id="failed">None.</p>{{end}}
{{end}}
{{with .D}}
{{if not $.Baseline}}
<h2>Summary</h2>
<table id="totals">
<tr><th class="l">Added packages</th><td class="added">{{.Summary.Added}}</td><td>{{size .Summary.AddedSize}}</td></tr>
<tr><th class="l">Dropped packages</th><td class="removed">{{.Summary.Removed}}</td><td>{{size .Summary.RemovedSize}}</td></tr>
<tr><th class="l">Upgraded packages</th><td class="upgraded">{{.Summary.Upgraded}}</td><td>{{signed .Summary.UpgradedDelta}}</td></tr>
<tr><th class="l">Downgraded packages</th><td class="downgraded">{{.Summary.Downgraded}}</td><td>{{signed .Summary.DowngradedDelta}}</td></tr>
<tr><th class="l">Images added / dropped / changed</th><td>{{len .Images.Added}} / {{len .Images.Removed}} / {{len .Images.Changed}}</td><td></td></tr>
</table>
{{end}}
<h2>Variants</h2>
<table id="variants">
<tr><th class="l">Variant</th><th class="l">Arch</th><th>Packages before</th><th>Packages after</th><th>Added</th><th>Dropped</th><th>Upgraded</th><th>Downgraded</th><th>Size before</th><th>Size after</th><th>Size change</th></tr>
{{range .Arches}}<tr data-variant="{{.Variant}}.{{.Arch}}"><td class="l">{{.Variant}}</td><td class="l">{{.Arch}}</td><td>{{.OldPackages}}</td><td>{{.NewPackages}}</td><td class="added">{{n .Added}}</td><td class="removed">{{n .Removed}}</td><td class="upgraded">{{n .Upgraded}}</td><td class="downgraded">{{n .Downgraded}}</td><td>{{size .OldSize}}</td><td>{{size .NewSize}}</td><td>{{signed (sub .NewSize .OldSize)}}</td></tr>
{{end}}</table>
<div class="charts">
<figure id="chart-packages">{{$.Counts}}<figcaption>Source packages per variant and arch, before and after</figcaption></figure>
<figure id="chart-sizes">{{$.Sizes}}<figcaption>Size change per variant and arch</figcaption></figure>
</div>
{{if or .Images.Added .Images.Removed .Images.Changed}}
<h2>Images</h2>
<table id="images"><tr><th class="l">Change</th><th class="l">Image</th><th class="l">Variant</th><th class="l">Arch</th><th class="l">Type</th><th>Size</th></tr>
{{range .Images.Added}}<tr><td class="l added">added</td><td class="l">{{.Path}}</td><td class="l">{{.Variant}}</td><td class="l">{{.Arch}}</td><td class="l">{{.Type}}</td><td>{{size .Size}}</td></tr>
{{end}}{{range .Images.Removed}}<tr><td class="l removed">dropped</td><td class="l">{{.Path}}</td><td class="l">{{.Variant}}</td><td class="l">{{.Arch}}</td><td class="l">{{.Type}}</td><td>{{size .Size}}</td></tr>
{{end}}{{range .Images.Changed}}<tr><td class="l upgraded">changed</td><td class="l">{{.New.Path}} (was {{.Old.Path}})</td><td class="l">{{.New.Variant}}</td><td class="l">{{.New.Arch}}</td><td class="l">{{.New.Type}}</td><td>{{signed (sub .New.Size .Old.Size)}}</td></tr>
{{end}}</table>
{{end}}
{{if not $.Baseline}}
<h2>Package changes</h2>
{{if not .Changed}}<p>None.</p>{{end}}
{{range .Arches}}{{if .Changed}}
<section class="arch" id="changes-{{.Variant}}.{{.Arch}}">
<h3>{{.Variant}}.{{.Arch}}</h3>
{{range .Added}}<div class="pkg added" data-change="added"><b>added</b> {{nvr .New}} — {{.Summary}} <small>({{rpms .RPMs}}; {{size .NewSize}})</small></div>
{{end}}{{range .Removed}}<div class="pkg removed" data-change="removed"><b>dropped</b> {{nvr .Old}} — {{.Summary}} <small>({{rpms .RPMs}}; {{size .OldSize}})</small></div>
{{end}}{{range .Upgraded}}<div class="pkg upgraded" data-change="upgraded"><b>upgraded</b> {{nvr .Old}} → {{nvr .New}} — {{.Summary}} <small>({{rpms .RPMs}}; {{signed (sub .NewSize .OldSize)}})</small>
{{if .Changelog}}<pre class="changelog">{{range .Changelog}}{{.Header}}
{{.Text}}
{{end}}</pre>{{end}}</div>
{{end}}{{range .Downgraded}}<div class="pkg downgraded" data-change="downgraded"><b>downgraded</b> {{nvr .Old}} → {{nvr .New}} — {{.Summary}} <small>({{rpms .RPMs}}; {{signed (sub .NewSize .OldSize)}})</small>
{{if .Changelog}}<pre class="changelog">{{range .Changelog}}{{.Header}}
{{.Text}}
{{end}}</pre>{{end}}</div>
{{end}}
</section>
{{end}}{{end}}
{{end}}
{{range .Notes}}<p class="note">Note: {{.}}</p>{{end}}
{{end}}
</body></html>
`))

// svgText escapes s for SVG text content.
func svgText(s string) string { return html.EscapeString(s) }

const barH, labelW, chartW = 16, 170, 300

// countChart draws, per variant and arch, the source package count before
// (grey) and after (blue) as horizontal bars.
func countChart(d *Diff) string {
	maxN := 1
	for _, a := range d.Arches {
		maxN = max(maxN, a.OldPackages, a.NewPackages)
	}
	h := len(d.Arches)*(2*barH+10) + 30
	b := &strings.Builder{}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" role="img" aria-label="package counts">`, labelW+chartW+60, h)
	fmt.Fprintf(b, `<rect x="%d" y="4" width="10" height="10" fill="#bbb"/><text x="%d" y="13" font-size="11">before</text>`, labelW, labelW+14)
	fmt.Fprintf(b, `<rect x="%d" y="4" width="10" height="10" fill="#2f6fb5"/><text x="%d" y="13" font-size="11">after</text>`, labelW+70, labelW+84)
	y := 24
	for _, a := range d.Arches {
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+barH+4, svgText(a.Variant+"."+a.Arch))
		for i, n := range []int{a.OldPackages, a.NewPackages} {
			fill := "#bbb"
			if i == 1 {
				fill = "#2f6fb5"
			}
			w := n * chartW / maxN
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %d</title></rect>`, labelW, y, w, barH-2, fill, svgText(a.Variant+"."+a.Arch), n)
			fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11">%d</text>`, labelW+w+4, y+barH-4, n)
			y += barH
		}
		y += 10
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// sizeChart draws each variant and arch's size change as a bar left
// (shrank, red) or right (grew, green) of a zero axis.
func sizeChart(d *Diff) string {
	var maxD int64 = 1
	for _, a := range d.Arches {
		delta := a.NewSize - a.OldSize
		maxD = max(maxD, delta, -delta)
	}
	half := chartW / 2
	axis := labelW + half
	h := len(d.Arches)*(barH+8) + 20
	b := &strings.Builder{}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" role="img" aria-label="size changes">`, labelW+chartW+90, h)
	fmt.Fprintf(b, `<line x1="%d" y1="4" x2="%d" y2="%d" stroke="#555"/>`, axis, axis, h-4)
	y := 10
	for _, a := range d.Arches {
		delta := a.NewSize - a.OldSize
		w := int(delta * int64(half) / maxD)
		x, fill := axis, "#2e9d4f"
		if w < 0 {
			x, w, fill = axis+w, -w, "#c62828"
		}
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+barH-4, svgText(a.Variant+"."+a.Arch))
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s</title></rect>`, x, y, max(w, 1), barH-2, fill, svgText(SignedSize(delta)))
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11">%s</text>`, labelW+chartW+4, y+barH-4, svgText(SignedSize(delta)))
		y += barH + 8
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// timeline draws a Gantt chart: one row per phase, in start order, its bar
// spanning the phase's start to end on the compose's time axis.
func timeline(spans []PhaseSpan) string {
	if len(spans) == 0 {
		return `<p>No phase ran.</p>`
	}
	spans = append([]PhaseSpan(nil), spans...)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].Start.Before(spans[j].Start) })
	t0, t1 := spans[0].Start, spans[0].End
	for _, s := range spans {
		if s.End.After(t1) {
			t1 = s.End
		}
	}
	total := max(t1.Sub(t0), time.Millisecond)
	const w = 460
	h := len(spans)*(barH+4) + 34
	b := &strings.Builder{}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" role="img" aria-label="phase timeline">`, labelW+w+80, h)
	for i := 0; i <= 4; i++ {
		x := labelW + i*w/4
		fmt.Fprintf(b, `<line x1="%d" y1="4" x2="%d" y2="%d" stroke="#ddd"/>`, x, x, h-18)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="10" text-anchor="middle">%s</text>`, x, h-6, svgText(fmtDur(total*time.Duration(i)/4)))
	}
	y := 6
	for _, s := range spans {
		x := labelW + int(int64(s.Start.Sub(t0))*w/int64(total))
		bw := max(int(int64(s.End.Sub(s.Start))*w/int64(total)), 2)
		d := s.End.Sub(s.Start)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+barH-4, svgText(s.Name))
		fmt.Fprintf(b, `<rect class="phase" x="%d" y="%d" width="%d" height="%d" fill="#6a5acd"><title>%s %s</title></rect>`, x, y, bw, barH-2, svgText(s.Name), svgText(fmtDur(d)))
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11">%s</text>`, x+bw+4, y+barH-4, svgText(fmtDur(d)))
		y += barH + 4
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Truncate(time.Second).String()
}
