package modulemd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func defaultsDoc(module, stream string, modified uint64, profiles string) string {
	s := fmt.Sprintf("---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: %s\n  modified: %d\n", module, modified)
	if stream != "" {
		s += fmt.Sprintf("  stream: %q\n", stream)
	}
	if profiles != "" {
		s += "  profiles: " + profiles + "\n"
	}
	return s + "...\n"
}

// Merger follows libmodulemd's ModuleIndexMerger; each case is run through
// both and the merged defaults must agree (or both must fail).
func TestMergerAgainstLibmodulemd(t *testing.T) {
	type input struct {
		prio int
		yaml string
	}
	cases := []struct {
		name   string
		strict bool
		in     []input
		want   string // pungo's expected default stream of module "m", or "ERROR"
	}{
		{"one", false, []input{{0, defaultsDoc("m", "1", 1, "{'1': [a]}")}}, "1"},
		{"agree", false, []input{{0, defaultsDoc("m", "1", 1, "{'1': [a]}")}, {0, defaultsDoc("m", "1", 1, "{'2': [b]}")}}, "1"},
		{"conflict same modified", false, []input{{0, defaultsDoc("m", "1", 1, "")}, {0, defaultsDoc("m", "2", 1, "")}}, ""},
		{"conflict strict", true, []input{{0, defaultsDoc("m", "1", 1, "")}, {0, defaultsDoc("m", "2", 1, "")}}, "ERROR"},
		{"conflict then agreement", false, []input{{0, defaultsDoc("m", "1", 1, "")}, {0, defaultsDoc("m", "2", 1, "")}, {0, defaultsDoc("m", "1", 1, "")}}, "1"},
		{"newer modified wins", false, []input{{0, defaultsDoc("m", "1", 1, "{'1': [a]}")}, {0, defaultsDoc("m", "2", 5, "{'1': [b]}")}}, "2"},
		{"older modified loses", false, []input{{0, defaultsDoc("m", "2", 5, "")}, {0, defaultsDoc("m", "1", 1, "")}}, "2"},
		{"profile conflict", false, []input{{0, defaultsDoc("m", "1", 1, "{'1': [a]}")}, {0, defaultsDoc("m", "1", 1, "{'1': [b]}")}}, "ERROR"},
		{"one without stream", false, []input{{0, defaultsDoc("m", "", 1, "{'1': [a]}")}, {0, defaultsDoc("m", "3", 1, "")}}, "3"},
		{"higher priority overrides", false, []input{{0, defaultsDoc("m", "1", 9, "{'1': [a]}")}, {10, defaultsDoc("m", "2", 1, "{'2': [b]}")}}, "2"},
		{"override resolves conflict", false, []input{{0, defaultsDoc("m", "1", 1, "")}, {0, defaultsDoc("m", "2", 1, "")}, {5, defaultsDoc("m", "3", 1, "")}}, "3"},
		{"lower priority conflict survives", false, []input{{5, defaultsDoc("m", "1", 1, "")}, {0, defaultsDoc("m", "2", 1, "")}, {0, defaultsDoc("m", "3", 1, "")}}, "1"},
	}
	python, _ := needModulemdOracle(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			m := NewMerger()
			args := []string{"testdata/mmdmerge.py"}
			if c.strict {
				args = append(args, "--strict")
			}
			for i, in := range c.in {
				x, err := Parse([]byte(in.yaml), "in")
				if err != nil {
					t.Fatal(err)
				}
				m.Associate(x, in.prio)
				p := filepath.Join(dir, fmt.Sprintf("%d.yaml", i))
				os.WriteFile(p, []byte(in.yaml), 0o644)
				args = append(args, fmt.Sprintf("%d:%s", in.prio, p))
			}
			var got []byte
			merged, err := m.Resolve(c.strict)
			if err != nil {
				got = []byte("ERROR")
				if c.want != "ERROR" {
					t.Errorf("error %v, want default %q", err, c.want)
				}
			} else {
				if s := merged.DefaultStream("m"); s != c.want {
					t.Errorf("default stream %q, want %q", s, c.want)
				}
				out := map[string]any{}
				for name, d := range merged.Defaults {
					prof := map[string][]string{}
					for st, p := range d.Profiles {
						prof[st] = append([]string{}, p...)
					}
					out[name] = map[string]any{"stream": d.DefaultStream(), "profiles": prof, "modified": d.Modified}
				}
				got, _ = json.Marshal(out)
			}
			cmd := exec.Command(python, args...)
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("oracle: %v", err)
			}
			want = bytes.TrimSpace(want)
			if string(want) != "ERROR" {
				var v any
				json.Unmarshal(want, &v)
				want, _ = json.Marshal(v)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("pungo %s\nlibmodulemd %s", got, want)
			}
		})
	}
}

// A stream with the same NSVCA replaces the earlier; translations keep the
// newer; obsoletes with the same key replace.
func TestMergeStreamsTranslationsObsoletes(t *testing.T) {
	a, _ := Parse([]byte(`
document: modulemd
version: 2
data: {name: m, stream: s, version: 1, context: c, arch: x86_64, summary: old}
---
document: modulemd-translations
version: 1
data: {module: m, stream: s, modified: 5, translations: {de: {summary: neu}}}
---
document: modulemd-obsoletes
version: 1
data: {modified: 2024-01-01T00:00Z, module: m, stream: s, message: a}
`), "a")
	b, _ := Parse([]byte(`
document: modulemd
version: 2
data: {name: m, stream: s, version: 1, context: c, arch: x86_64, summary: new}
---
document: modulemd-translations
version: 1
data: {module: m, stream: s, modified: 3, translations: {de: {summary: alt}}}
---
document: modulemd-obsoletes
version: 1
data: {modified: 2024-01-01T00:00Z, module: m, stream: s, message: b}
`), "b")
	into := NewIndex()
	for _, x := range []*Index{a, b} {
		if err := Merge(x, into, false, false); err != nil {
			t.Fatal(err)
		}
	}
	if len(into.Streams) != 1 || into.Streams[0].Summary != "new" {
		t.Errorf("streams %d, summary %q", len(into.Streams), into.Streams[0].Summary)
	}
	if len(into.Translations) != 1 || into.Translations[0].Translations["de"].Summary != "neu" {
		t.Errorf("translations: %+v", into.Translations)
	}
	if len(into.Obsoletes) != 1 || !strings.Contains(into.Obsoletes[0].Message, "b") {
		t.Errorf("obsoletes: %+v", into.Obsoletes)
	}
}
