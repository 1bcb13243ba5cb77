package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunWritesReportChartsAndReadme(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.tsv")
	meta := filepath.Join(dir, "meta.tsv")
	readme := filepath.Join(dir, "README.md")
	out := filepath.Join(dir, "report")
	mustWrite(t, results, "gather\tcs9 <300> & co\tpungo\t0.50\t0.80\t140\t1.0 1.0 1.0\n"+
		"gather\tcs9 <300> & co\tlibsolv load+solve\t2.00\t1.60\t44\t1.0 1.0 1.0\n"+
		"load\tprimary\tlibsolv\t1.00\t1.00\t20\t2 2 2\n"+
		"load\tprimary\tpungo\t0.25\t0.40\t60\t2 2 2\n"+
		"compose\tphase pkgset\tpungo\t1.00\t1.50\t\t3 3 3\n"+
		"compose\tphase gather\tpungo\t2.00\t3.00\t230\t3 3 3\n")
	mustWrite(t, meta, "machine\tvm\nnproc\t2\nload_start\t1.0 1.0 1.0\nload_end\t3 3 3\n")
	mustWrite(t, readme, "intro\n<!-- bench-report:start -->\nold table\n<!-- bench-report:end -->\nrest\n")
	if err := run(results, meta, out, readme); err != nil {
		t.Fatal(err)
	}

	report := mustRead(t, filepath.Join(out, "report.md"))
	for _, want := range []string{
		"| cs9 <300> & co | libsolv load+solve | 2.00 | 1.60 | 44 | 0.25× | 0.50× |", // pungo/peer wall, CPU
		"| primary | pungo | 0.25 | 0.40 | 60 |",                                     // pungo first although measured second
		"| phase pkgset | pungo | 1.00 | 1.50 | – |",                                 // no RSS sampled
		"| phase gather | pungo | 2.00 | 3.00 | 230 |",                               // the phase's sampled peak
		"2 cores", "1.0 1.0 1.0 at the start, 3 3 3 at the end",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report.md lacks %q:\n%s", want, report)
		}
	}

	got := mustRead(t, readme)
	if strings.Contains(got, "old table") || !strings.HasPrefix(got, "intro\n") || !strings.HasSuffix(got, "<!-- bench-report:end -->\nrest\n") {
		t.Errorf("README section not replaced in place:\n%s", got)
	}
	// Every case with a peer, the gather phase (issue 13's target) but
	// no other phase, and every area's chart.
	for _, want := range []string{"libsolv load+solve 2.00 / 1.60 / 44 (0.25×, 0.50×)", "| compose | phase gather | 2.00 / 3.00 / 230 |",
		"![gather](" + out + "/gather.svg)", "![load](" + out + "/load.svg)", "![compose](" + out + "/compose.svg)"} {
		if !strings.Contains(got, want) {
			t.Errorf("README summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "phase pkgset") {
		t.Errorf("README summary has the pkgset phase:\n%s", got)
	}

	// Each area's chart is well-formed XML with one bar per row.
	for area, bars := range map[string]int{"gather": 2, "load": 2, "compose": 2} {
		svg := mustRead(t, filepath.Join(out, area+".svg"))
		rects := 0
		dec := xml.NewDecoder(strings.NewReader(svg))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s.svg: %v", area, err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
				rects++
			}
		}
		if rects != bars+1 { // + the white background
			t.Errorf("%s.svg has %d rects, want %d bars + background", area, rects, bars)
		}
	}
}

func TestReadRowsRejectsBadInput(t *testing.T) {
	for name, text := range map[string]string{
		"too few fields": "load\tprimary\tpungo\n",
		"bad wall":       "load\tprimary\tpungo\tfast\t0.1\t10\t1\n",
		"bad rss":        "load\tprimary\tpungo\t0.1\t0.1\tbig\t1\n",
	} {
		p := filepath.Join(t.TempDir(), "r.tsv")
		mustWrite(t, p, text)
		if _, err := readRows(p); err == nil || !strings.Contains(err.Error(), "r.tsv:1") {
			t.Errorf("%s: error %v, want one naming r.tsv:1", name, err)
		}
	}
}

func TestReplaceBetweenMarkersNeedsBoth(t *testing.T) {
	if _, err := replaceBetweenMarkers([]byte("no markers"), []byte("x")); err == nil {
		t.Error("no error without markers")
	}
	got, err := replaceBetweenMarkers([]byte("a"+markStart+"b"+markEnd+"c"), []byte("new\n"))
	if err != nil || !bytes.Equal(got, []byte("a"+markStart+"\nnew\n"+markEnd+"c")) {
		t.Errorf("got %q, %v", got, err)
	}
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
