package modulemd

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// view is what the libmodulemd oracle (testdata/mmdview.py) prints.
type view struct {
	Streams []struct {
		NSVCA     string              `json:"nsvca"`
		Artifacts []string            `json:"artifacts"`
		Profiles  map[string][]string `json:"profiles"`
	} `json:"streams"`
	Defaults map[string]struct {
		Stream   string              `json:"stream"`
		Profiles map[string][]string `json:"profiles"`
	} `json:"defaults"`
}

// pungoView is pungo's side of the comparison, in the oracle's JSON shape.
func pungoView(t *testing.T, x *Index) []byte {
	type st struct {
		NSVCA     string              `json:"nsvca"`
		Artifacts []string            `json:"artifacts"`
		Profiles  map[string][]string `json:"profiles"`
	}
	type df struct {
		Stream   string              `json:"stream"`
		Profiles map[string][]string `json:"profiles"`
	}
	out := struct {
		Streams  []st          `json:"streams"`
		Defaults map[string]df `json:"defaults"`
	}{Streams: []st{}, Defaults: map[string]df{}}
	for _, s := range x.Streams {
		a := slices.Clone(s.RPMArtifacts())
		if a == nil {
			a = []string{}
		}
		slices.Sort(a)
		p := map[string][]string{}
		for n, pr := range s.Profiles {
			r := slices.Clone(pr.RPMs)
			if r == nil {
				r = []string{}
			}
			slices.Sort(r)
			p[n] = r
		}
		out.Streams = append(out.Streams, st{s.NSVCA(), a, p})
	}
	slices.SortFunc(out.Streams, func(a, b st) int { return strings.Compare(a.NSVCA, b.NSVCA) })
	for m, d := range x.Defaults {
		p := map[string][]string{}
		for s, pr := range d.Profiles {
			r := slices.Clone(pr)
			if r == nil {
				r = []string{}
			}
			slices.Sort(r)
			p[s] = r
		}
		out.Defaults[m] = df{d.DefaultStream(), p}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// needModulemdOracle returns python3 when it has libmodulemd's bindings and
// modulemd-validator exists; otherwise the test skips (or fails under
// PUNGO_REQUIRE_TOOLS=1).
func needModulemdOracle(t *testing.T) (python, validator string) {
	tools := toolcheck.Need(t, "modulemd-validator")
	const py = "/usr/bin/python3" // Debian's, which has the gi bindings
	err := exec.Command(py, "-c", `import gi; gi.require_version("Modulemd", "2.0"); from gi.repository import Modulemd`).Run()
	if err != nil {
		if toolcheck.Required() {
			t.Fatalf("python3 without libmodulemd bindings (gir1.2-modulemd-2.0, python3-gi): %v", err)
		}
		t.Skip("python3 without libmodulemd bindings (gir1.2-modulemd-2.0, python3-gi)")
	}
	return py, tools[0]
}

func oracleView(t *testing.T, python, path string) []byte {
	cmd := exec.Command(python, "testdata/mmdview.py", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("libmodulemd on %s: %v\n%s", path, err, stderr.String())
	}
	// Re-marshal through the same struct so both sides have one JSON form.
	var v view
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return b
}

func normalizeJSON(t *testing.T, b []byte) []byte {
	var v view
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}

// realAppStream returns CentOS Stream 9 AppStream's modules.yaml.
func realAppStream(t testing.TB) []byte {
	dir := toolcheck.Shared(t, "realdata/cs9-appstream")
	r, err := repomd.OpenMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("modules")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// On real data every document parses, the re-emitted index is accepted by
// modulemd-validator and read back strictly by libmodulemd, and both views
// of the original and the re-emitted file are equal to pungo's.
func TestRealAppStreamRoundTrip(t *testing.T) {
	data := realAppStream(t)
	x, err := Parse(data, "cs9-appstream modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs := bytes.Count(data, []byte("\ndocument: ")) + map[bool]int{true: 1}[bytes.HasPrefix(data, []byte("document: "))]
	if got := len(x.Streams) + len(x.Defaults) + len(x.Obsoletes) + len(x.Translations); got != docs {
		t.Errorf("read %d documents, the file has %d", got, docs)
	}
	if len(x.Streams) != 31 || len(x.Defaults) != 8 {
		t.Errorf("streams %d defaults %d, want 31 and 8", len(x.Streams), len(x.Defaults))
	}
	python, validator := needModulemdOracle(t)
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.yaml")
	emitted := filepath.Join(dir, "emitted.yaml")
	if err := os.WriteFile(orig, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := x.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(emitted, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(validator, emitted).CombinedOutput(); err != nil {
		t.Fatalf("modulemd-validator refuses pungo's output: %v\n%s", err, msg)
	}
	want := oracleView(t, python, orig)
	if got := normalizeJSON(t, pungoView(t, x)); !bytes.Equal(got, want) {
		t.Errorf("pungo's view differs from libmodulemd's:\npungo: %.600s\nlibmodulemd: %.600s", got, want)
	}
	if back := oracleView(t, python, emitted); !bytes.Equal(back, want) {
		t.Errorf("libmodulemd reads pungo's output differently:\n%.600s\nwant %.600s", back, want)
	}
	// And pungo reads its own output back to the same view.
	y, err := Parse(out, "emitted")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pungoView(t, y), pungoView(t, x)) {
		t.Error("pungo reads its own output differently")
	}
}
