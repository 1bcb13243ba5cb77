package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// archive is a txtar-style test case: a comment, then "-- name --" sections.
type archive struct {
	comment string
	files   map[string]string
	order   []string
}

func readArchive(t *testing.T, path string) *archive {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &archive{files: map[string]string{}}
	cur := ""
	var buf strings.Builder
	flush := func() {
		if cur == "" {
			a.comment = buf.String()
		} else {
			a.files[cur] = buf.String()
			a.order = append(a.order, cur)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			cur = strings.TrimSpace(trimmed[3 : len(trimmed)-3])
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return a
}

// TestKoboConformance runs testdata/config/kobo: each case is a config (with
// the files it imports) and the expected variables (want.json, optionally
// want.repr with Python reprs where the type matters) or the expected error
// (want.err, paths relative to the case directory).
func TestKoboConformance(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/config/kobo/*.txt")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no conformance cases found: %v", err)
	}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			a := readArchive(t, file)
			dir := t.TempDir()
			mainFile := ""
			var args []string
			for _, n := range a.order {
				switch {
				case n == "args":
					for _, l := range strings.Split(strings.TrimRight(a.files[n], "\n"), "\n") {
						args = append(args, l)
					}
					continue
				case strings.HasPrefix(n, "want."):
					continue
				case n == "main.conf" || n == "main.json":
					mainFile = filepath.Join(dir, n)
				}
				p := filepath.Join(dir, filepath.FromSlash(n))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(a.files[n]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if mainFile == "" {
				t.Fatal("case has no main.conf or main.json")
			}
			var overrides []string
			for i := 0; i+1 < len(args); i += 2 {
				if args[i] != "-e" {
					t.Fatalf("args: want pairs of -e and KEY=VALUE, got %q", args[i])
				}
				overrides = append(overrides, args[i+1])
			}
			c, err := Load(mainFile, overrides)
			if wantErr, ok := a.files["want.err"]; ok {
				if err == nil {
					t.Fatalf("loaded without error; want %q", strings.TrimSpace(wantErr))
				}
				got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
				if got != strings.TrimSpace(wantErr) {
					t.Errorf("error\n got: %s\nwant: %s", got, strings.TrimSpace(wantErr))
				}
				return
			}
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			wantFile := filepath.Join(t.TempDir(), "want.json")
			if err := os.WriteFile(wantFile, []byte(a.files["want.json"]), 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := ReadJSONValues(wantFile)
			if err != nil {
				t.Fatalf("want.json: %v", err)
			}
			got := untuple(c.Values()).(map[string]any)
			if !reflect.DeepEqual(got, want) {
				var g, w bytes.Buffer
				WriteJSON(&g, got)
				WriteJSON(&w, want)
				t.Errorf("values differ\n got: %s\nwant: %s", g.String(), w.String())
			}
			if reprs, ok := a.files["want.repr"]; ok {
				for _, line := range strings.Split(strings.TrimSpace(reprs), "\n") {
					name, repr, _ := strings.Cut(line, " = ")
					v, ok := c.Get(name)
					if !ok {
						t.Errorf("%s is not set", name)
						continue
					}
					if got := pyRepr(v); got != repr {
						t.Errorf("%s = %s, want %s", name, got, repr)
					}
				}
			}
		})
	}
}

// untuple turns tuples into lists, as JSON sees them.
func untuple(v any) any {
	switch x := v.(type) {
	case Tuple:
		return untuple([]any(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = untuple(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[k] = untuple(x[k])
		}
		return out
	}
	return v
}
