// Command reportgen turns the measurements of bench/run.sh into the
// benchmark report: bench/report/report.md (every case, every tool, with
// ratios and the machine's load) and one SVG bar chart per area (pungo
// beside its peers, one bar group per case), and refreshes the short
// summary between the bench-report markers of README.md. It uses only the
// standard library so that the report builds wherever pungo does.
//
// Usage: reportgen -results FILE -meta FILE -out DIR [-readme README.md]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Row is one measured (area, case, tool): the fastest run's wall and CPU
// time in seconds and its peak RSS in MB (0 when not measured, as for a
// compose phase, which runs inside the compose process).
type Row struct {
	Area, Case, Tool string
	Wall, CPU        float64
	RSS              int
	Load             string
}

// Meta holds the key/value lines run.sh writes about the machine and run.
type Meta map[string]string

func main() {
	results := flag.String("results", "", "results TSV written by bench/run.sh")
	meta := flag.String("meta", "", "meta TSV written by bench/run.sh")
	out := flag.String("out", "bench/report", "output directory")
	readme := flag.String("readme", "", "README to refresh between the bench-report markers")
	flag.Parse()
	if err := run(*results, *meta, *out, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "reportgen:", err)
		os.Exit(1)
	}
}

func run(resultsPath, metaPath, out, readme string) error {
	rows, err := readRows(resultsPath)
	if err != nil {
		return err
	}
	m, err := readMeta(metaPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	areas := areaOrder(rows)
	for _, a := range areas {
		if err := writeFile(filepath.Join(out, a+".svg"), chart(a, rows, m)); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(out, "report.md"), report(rows, m, areas)); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := replaceBetweenMarkers(old, summary(rows, m, filepath.ToSlash(out)))
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	return writeFile(readme, updated)
}

// writeFile writes through a temporary file and a rename so that a failed
// run never leaves half a report.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readRows(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []Row
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 6 {
			return nil, fmt.Errorf("%s:%d: want 7 tab-separated fields, have %d", path, line, len(fs))
		}
		r := Row{Area: fs[0], Case: fs[1], Tool: fs[2]}
		if len(fs) > 6 {
			r.Load = fs[6]
		}
		if r.Wall, err = strconv.ParseFloat(fs[3], 64); err != nil {
			return nil, fmt.Errorf("%s:%d: wall time %q", path, line, fs[3])
		}
		if r.CPU, err = strconv.ParseFloat(fs[4], 64); err != nil {
			return nil, fmt.Errorf("%s:%d: cpu time %q", path, line, fs[4])
		}
		if fs[5] != "" {
			if r.RSS, err = strconv.Atoi(fs[5]); err != nil {
				return nil, fmt.Errorf("%s:%d: rss %q", path, line, fs[5])
			}
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

func readMeta(path string) (Meta, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := Meta{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// areaOrder lists the areas in the order they were measured.
func areaOrder(rows []Row) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Area] {
			seen[r.Area] = true
			out = append(out, r.Area)
		}
	}
	return out
}

// group is one case of an area with its rows, pungo's first.
type group struct {
	Case  string
	Rows  []Row
	Pungo *Row
}

func groups(rows []Row, area string) []group {
	var out []group
	index := map[string]int{}
	for _, r := range rows {
		if r.Area != area {
			continue
		}
		i, ok := index[r.Case]
		if !ok {
			i = len(out)
			index[r.Case] = i
			out = append(out, group{Case: r.Case})
		}
		out[i].Rows = append(out[i].Rows, r)
	}
	for i := range out {
		g := &out[i]
		for j := range g.Rows {
			if g.Rows[j].Tool == "pungo" {
				g.Rows[0], g.Rows[j] = g.Rows[j], g.Rows[0]
				g.Pungo = &g.Rows[0]
				break
			}
		}
	}
	return out
}

// ratio is pungo's time as a fraction of the peer's: 0.25× means pungo
// needs a quarter of the peer's time.
func ratio(pungo, peer float64) string {
	if peer <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", pungo/peer)
}

func rss(mb int) string {
	if mb <= 0 {
		return "–"
	}
	return strconv.Itoa(mb)
}

func header(m Meta) string {
	return fmt.Sprintf("Machine %s, %s cores; %s; commit %s; %s. Load average (1, 5, 15 min) %s at the start, %s at the end.",
		m["machine"], m["nproc"], m["date"], m["commit"], m["mode"], m["load_start"], m["load_end"])
}

func report(rows []Row, m Meta, areas []string) []byte {
	var b bytes.Buffer
	b.WriteString("# pungo benchmark report\n\n")
	b.WriteString("Written by `bench/run.sh` (do not edit). " + header(m) + "\n\n")
	b.WriteString("Each figure is the fastest of the runs of a whole process under `/usr/bin/time`; " +
		"CPU is user+system time, RSS the peak resident set. \"pungo/peer\" is pungo's time divided by the peer's " +
		"(below 1 means pungo is faster); on a busy machine the CPU ratio is the steadier one. The load average column is the machine's when the case finished: " +
		"on a shared machine it is what disturbs wall times most. " +
		"The compose's \"phase\" rows come from that compose process: the wall and CPU time it logs per phase, " +
		"and the peak RSS bench/compose sampled every 2 ms while the phase ran (– where a step logs no start).\n")
	for _, a := range areas {
		fmt.Fprintf(&b, "\n## %s\n\n![%s](%s.svg)\n\n", a, a, a)
		b.WriteString("| case | tool | wall s | CPU s | peak RSS MB | pungo/peer wall | pungo/peer CPU | load avg |\n|---|---|---:|---:|---:|---:|---:|---|\n")
		for _, g := range groups(rows, a) {
			for _, r := range g.Rows {
				rw, rc := "", ""
				if g.Pungo != nil && r.Tool != "pungo" {
					rw, rc = ratio(g.Pungo.Wall, r.Wall), ratio(g.Pungo.CPU, r.CPU)
				}
				fmt.Fprintf(&b, "| %s | %s | %.2f | %.2f | %s | %s | %s | %s |\n", g.Case, r.Tool, r.Wall, r.CPU, rss(r.RSS), rw, rc, r.Load)
			}
		}
	}
	return b.Bytes()
}

// summary is the short table README.md embeds: one line per case with
// pungo's figures and each peer's (the whole compose and its gather phase
// included, its other phases left to the full report), then every area's
// chart.
func summary(rows []Row, m Meta, dir string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s Full table: [%s/report.md](%s/report.md).\n\n", header(m), dir, dir)
	b.WriteString("| area | case | pungo wall s / CPU s / RSS MB | peers: wall s / CPU s / RSS MB (pungo/peer wall, CPU) |\n|---|---|---|---|\n")
	for _, a := range areaOrder(rows) {
		for _, g := range groups(rows, a) {
			// Of the compose phases only gather (issue 13's target):
			// the others are in the full report.
			if g.Pungo == nil || (strings.HasPrefix(g.Case, "phase ") && g.Case != "phase gather") {
				continue
			}
			var peers []string
			for _, r := range g.Rows[1:] {
				peers = append(peers, fmt.Sprintf("%s %.2f / %.2f / %s (%s, %s)", r.Tool, r.Wall, r.CPU, rss(r.RSS),
					ratio(g.Pungo.Wall, r.Wall), ratio(g.Pungo.CPU, r.CPU)))
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f / %.2f / %s | %s |\n", a, g.Case, g.Pungo.Wall, g.Pungo.CPU, rss(g.Pungo.RSS), strings.Join(peers, "; "))
		}
	}
	b.WriteString("\n")
	for _, a := range areaOrder(rows) {
		fmt.Fprintf(&b, "![%s](%s/%s.svg)\n", a, dir, a)
	}
	return b.Bytes()
}

const (
	markStart = "<!-- bench-report:start -->"
	markEnd   = "<!-- bench-report:end -->"
)

func replaceBetweenMarkers(doc, body []byte) ([]byte, error) {
	i := bytes.Index(doc, []byte(markStart))
	j := bytes.Index(doc, []byte(markEnd))
	if i < 0 || j < i {
		return nil, fmt.Errorf("no %s ... %s section", markStart, markEnd)
	}
	var b bytes.Buffer
	b.Write(doc[:i+len(markStart)])
	b.WriteString("\n")
	b.Write(body)
	b.Write(doc[j:])
	return b.Bytes(), nil
}

// toolColor gives pungo one colour and each peer its own, the same in
// every chart.
func toolColor(tool string) string {
	switch {
	case tool == "pungo":
		return "#2b6cb0"
	case strings.HasPrefix(tool, "pungo ("): // pungo another way (cold cache, ...)
		return "#90cdf4"
	case strings.HasPrefix(tool, "libsolv ("):
		return "#f6ad55" // the whole python3 process, lighter
	case strings.HasPrefix(tool, "libsolv"):
		return "#dd6b20"
	case strings.HasPrefix(tool, "createrepo_c"):
		return "#38a169"
	case strings.Contains(tool, "warm"):
		return "#805ad5"
	case strings.HasPrefix(tool, "dnf"):
		return "#b83280"
	}
	return "#718096"
}

func xmlText(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// chart draws an area as horizontal bars of wall time: per case a title
// line and one bar per tool, scaled to the slowest tool of that case (the
// cases differ by orders of magnitude), each labelled with its seconds,
// peak RSS and, for peers, pungo's ratio.
func chart(area string, rows []Row, m Meta) []byte {
	const (
		width, left, barMax, barH, gap = 1080, 190, 500, 18, 4
	)
	gs := groups(rows, area)
	y := 70
	var body bytes.Buffer
	for _, g := range gs {
		fmt.Fprintf(&body, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+12, xmlText(g.Case))
		y += 20
		max := 0.0
		for _, r := range g.Rows {
			if r.Wall > max {
				max = r.Wall
			}
		}
		for _, r := range g.Rows {
			w := 1.0
			if max > 0 {
				w = r.Wall / max * barMax
			}
			if w < 1 {
				w = 1
			}
			label := fmt.Sprintf("%.2f s (CPU %.2f s)", r.Wall, r.CPU)
			if r.RSS > 0 {
				label += fmt.Sprintf(" · %d MB", r.RSS)
			}
			if g.Pungo != nil && r.Tool != "pungo" {
				label += " · pungo/this " + ratio(g.Pungo.Wall, r.Wall)
			}
			fmt.Fprintf(&body, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+13, xmlText(r.Tool))
			fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				left, y, w, barH, toolColor(r.Tool), xmlText(g.Case), xmlText(r.Tool), xmlText(label))
			fmt.Fprintf(&body, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(left)+w+6, y+13, xmlText(label))
			y += barH + gap
		}
		y += 12
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n",
		width, y+10, width, y+10)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, y+10)
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="18" font-weight="bold">pungo vs peers: %s (wall time, shorter is faster)</text>`+"\n", xmlText(area))
	fmt.Fprintf(&b, `<text x="10" y="42" font-size="11" fill="#444">%s, %s cores, load average %s → %s; %s; %s</text>`+"\n",
		xmlText(m["machine"]), xmlText(m["nproc"]), xmlText(m["load_start"]), xmlText(m["load_end"]), xmlText(m["date"]), xmlText(m["mode"]))
	fmt.Fprintf(&b, `<text x="10" y="58" font-size="11" fill="#444">each case's bars are scaled to its slowest tool</text>`+"\n")
	b.Write(body.Bytes())
	b.WriteString("</svg>\n")
	return b.Bytes()
}
