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
		"repomd/ok.go":       "package repomd\nimport _ \"" + module + "/internal/glob\"\n",
		"repomd/bad.go":      "package repomd\nimport _ \"" + module + "/phases/compose\"\n",
		"phases/x/ok.go":     "package x\nimport _ \"" + module + "/depsolve\"\n",
		"internal/a/bad.go":  "package a\nimport _ \"" + module + "/cmd/pungo\"\n",
		"depsolve/x_test.go": "package depsolve\nimport _ \"" + module + "/bench/synth\"\n",
		"depsolve/y_test.go": "package depsolve\nimport _ \"" + module + "/phases/gather\"\n",
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
		"repomd/bad.go (layer repomd) imports " + module + "/phases/compose (layer phases)"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
