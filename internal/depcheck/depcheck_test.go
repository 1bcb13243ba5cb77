package depcheck

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/pungo/pungo"

// layers, lowest first: the top-level directory of a package decides its
// layer. bench/ and testdata/ (benchmarks, fakes of external tools) sit
// above everything and may use anything.
var layers = [][]string{
	{"internal"},
	{"repomd"},
	{"depsolve", "comps", "multilib"},
	{"phases"},
	{"cmd"},
	{"bench", "testdata"},
}

// phaseLevels order the packages inside phases/, lowest first, by path
// prefix (the longest matching prefix decides; a package under none of
// them is a phase package, level 2): the configuration and the documents
// and clients a compose is built from, then the compose itself, then the
// phases, then the pipeline that wires them. So phases/config can never
// import a phase (config validate gets the phases' Validate from
// pipeline), and no phase can import the pipeline.
var phaseLevels = []struct {
	prefix string
	level  int
}{
	{"phases/config", 0}, {"phases/variants", 0}, {"phases/productmd", 0},
	{"phases/imagemanifest", 0}, {"phases/koji", 0}, {"phases/bootmedia", 0},
	{"phases/compose", 1},
	{"phases/compose/metadata", 2},
	{"phases/pipeline", 3},
}

// phaseLevel is the level of a file or package path under phases/.
func phaseLevel(rel string) int {
	level, best := 2, 0
	for _, l := range phaseLevels {
		if (rel == l.prefix || strings.HasPrefix(rel, l.prefix+"/")) && len(l.prefix) > best {
			level, best = l.level, len(l.prefix)
		}
	}
	return level
}

func layerOf(rel string) (int, bool) {
	top, _, _ := strings.Cut(rel, "/")
	for i, l := range layers {
		for _, d := range l {
			if top == d {
				return i, true
			}
		}
	}
	return 0, false
}

// phasesLayer is the index of phases/ in layers.
const phasesLayer = 3

func root(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// violations lists every import of a package in a higher layer than the
// importing one. Test files are held to the same rule, except that they may
// use the test corpora generators under bench/ and testdata/ (fixtures, not
// library code).
func violations(t *testing.T, dir string) []string {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != dir && (strings.HasPrefix(n, ".") || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		from, ok := layerOf(rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s: in no layer (add its top-level directory to depcheck's layers)", rel))
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			sub, ok := strings.CutPrefix(path, module+"/")
			if !ok {
				continue
			}
			to, known := layerOf(sub)
			fixture := strings.HasSuffix(rel, "_test.go") && to == len(layers)-1
			if !known || to > from && !fixture {
				out = append(out, fmt.Sprintf("%s (layer %s) imports %s (layer %s)", rel, strings.Join(layers[from], "/"), path, layerName(sub, to, known)))
			}
			if known && from == phasesLayer && to == phasesLayer {
				if lf, lt := phaseLevel(rel), phaseLevel(sub); lt > lf {
					out = append(out, fmt.Sprintf("%s (phases level %d) imports %s (phases level %d)", rel, lf, path, lt))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func layerName(sub string, l int, known bool) string {
	if !known {
		return "none: " + sub
	}
	return strings.Join(layers[l], "/")
}

func TestLayers(t *testing.T) {
	for _, v := range violations(t, root(t)) {
		t.Error(v)
	}
}

// The check itself fails on a lower layer importing a higher one.
func TestLayersCatchUpwardImport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"repomd/ok.go":         "package repomd\nimport _ \"" + module + "/internal/glob\"\n",
		"repomd/bad.go":        "package repomd\nimport _ \"" + module + "/phases/compose\"\n",
		"phases/x/ok.go":       "package x\nimport _ \"" + module + "/depsolve\"\n",
		"internal/a/bad.go":    "package a\nimport _ \"" + module + "/cmd/pungo\"\n",
		"depsolve/x_test.go":   "package depsolve\nimport _ \"" + module + "/bench/synth\"\n",
		"depsolve/y_test.go":   "package depsolve\nimport _ \"" + module + "/phases/gather\"\n",
		"phases/config/bad.go": "package config\nimport _ \"" + module + "/phases/createrepo\"\n",
		"phases/gather/ok.go":  "package gather\nimport _ \"" + module + "/phases/compose\"\n",
		"phases/gather/bad.go": "package gather\nimport _ \"" + module + "/phases/pipeline\"\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Join(violations(t, dir), "\n")
	want := "depsolve/y_test.go (layer depsolve/comps/multilib) imports " + module + "/phases/gather (layer phases)\n" +
		"internal/a/bad.go (layer internal) imports " + module + "/cmd/pungo (layer cmd)\n" +
		"phases/config/bad.go (phases level 0) imports " + module + "/phases/createrepo (phases level 2)\n" +
		"phases/gather/bad.go (phases level 2) imports " + module + "/phases/pipeline (phases level 3)\n" +
		"repomd/bad.go (layer repomd) imports " + module + "/phases/compose (layer phases)"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
