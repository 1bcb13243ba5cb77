package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
)

// ComposeReportName is the report's file name in logs/global/.
const ComposeReportName = "compose-report.html"

// WriteComposeReport writes logs/global/compose-report.html for a compose
// whose run has ended: what changed since the newest compose of the same
// release among --old-composes (when there is one), the phase timeline
// from the runner's timings and the failed deliverables. It returns the
// page's path.
func WriteComposeReport(c *compose.Compose, timings []compose.PhaseTime) (string, error) {
	out := filepath.Join(c.Paths.Log.Topdir(""), ComposeReportName)
	run := &Run{Status: c.Status()}
	for _, t := range timings {
		if t.Start.IsZero() {
			continue
		}
		run.Phases = append(run.Phases, PhaseSpan{Name: t.Name, Start: t.Start, End: t.Start.Add(t.Duration)})
	}
	failed, err := readFailed(filepath.Join(c.Paths.Log.Topdir(""), "deliverables.json"))
	if err != nil {
		return "", err
	}
	run.Failed = failed

	var d *Diff
	cur, err := Load(c.Topdir)
	if err != nil {
		// A compose that failed before writing its metadata: the run part
		// of the report is still worth having.
		d = &Diff{New: ComposeRef{ID: c.Info.Compose.ID, Path: c.Topdir}, Notes: []string{err.Error()}}
	} else {
		var old *Compose
		for _, dir := range compose.OldComposeDirs(c) {
			if o, err := Load(dir); err == nil {
				old = o
				break
			}
		}
		d = Compare(old, cur)
	}
	title := "Compose report: " + d.New.ID
	f, err := atomicfile.Create(out, 0o644)
	if err != nil {
		return "", err
	}
	if err := WriteHTML(f, Page{Title: title, Diff: d, Run: run}); err != nil {
		f.Abort()
		return "", fmt.Errorf("%s: %v", out, err)
	}
	return out, f.Commit()
}

// readFailed reads the failed deliverables from deliverables.json (none
// when the compose did not get as far as writing it).
func readFailed(path string) ([]Deliverable, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Failed map[string][][]any `json:"failed"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out []Deliverable
	for kind, list := range doc.Failed {
		for _, d := range list {
			s := func(i int) string {
				if i < len(d) && d[i] != nil {
					return fmt.Sprint(d[i])
				}
				return ""
			}
			out = append(out, Deliverable{Kind: kind, Variant: s(0), Arch: s(1), Subvariant: s(2)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Variant != b.Variant {
			return a.Variant < b.Variant
		}
		return a.Arch+a.Subvariant < b.Arch+b.Subvariant
	})
	return out, nil
}
