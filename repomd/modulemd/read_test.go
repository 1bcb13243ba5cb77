package modulemd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The same content in block style at two indents and in flow style reads
// the same: the reader is a YAML parser, not a line splitter (issue 9, 6).
func TestLayoutIndependent(t *testing.T) {
	layouts := map[string]string{
		"indent2": "document: modulemd\nversion: 2\ndata:\n  name: m\n  stream: \"8\"\n  version: 1\n  context: c\n  arch: x86_64\n  artifacts:\n    rpms:\n    - a-0:1-1.x86_64\n    - b-0:1-1.noarch\n",
		"indent4": "---\ndocument: modulemd\nversion: 2\ndata:\n    name: m\n    stream: 8\n    version: 1\n    context: c\n    arch: x86_64\n    artifacts:\n        rpms:\n            - a-0:1-1.x86_64\n            - \"b-0:1-1.noarch\"\n...\n",
		"flow":    "{document: modulemd, version: 2, data: {name: m, stream: '8', version: 1, context: c, arch: x86_64, artifacts: {rpms: [a-0:1-1.x86_64, b-0:1-1.noarch]}}}\n",
	}
	for name, text := range layouts {
		t.Run(name, func(t *testing.T) {
			x, err := Parse([]byte(text), name)
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Streams) != 1 {
				t.Fatalf("%d streams", len(x.Streams))
			}
			s := x.Streams[0]
			if s.NSVCA() != "m:8:1:c:x86_64" || strings.Join(s.RPMArtifacts(), " ") != "a-0:1-1.x86_64 b-0:1-1.noarch" {
				t.Errorf("read %s %v", s.NSVCA(), s.RPMArtifacts())
			}
		})
	}
}

// Numeric-looking streams and profile keys keep their text ("1.20" is not
// the float 1.2), on read and on write.
func TestNumericStreamsStayText(t *testing.T) {
	in := "document: modulemd-defaults\nversion: 1\ndata:\n  module: m\n  stream: 1.20\n  profiles:\n    1.20: [common]\n    10: []\n"
	x, err := Parse([]byte(in), "t")
	if err != nil {
		t.Fatal(err)
	}
	d := x.Defaults["m"]
	if d.Stream != "1.20" || len(d.Profiles["1.20"]) != 1 || d.Profiles["10"] == nil {
		t.Fatalf("read %+v", d)
	}
	out, _ := x.Bytes()
	y, err := Parse(out, "emitted")
	if err != nil {
		t.Fatal(err)
	}
	if y.Defaults["m"].Stream != "1.20" || !bytes.Contains(out, []byte(`"1.20"`)) {
		t.Errorf("written as:\n%s", out)
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bad yaml", "document: modulemd\nversion: 2\ndata: [\n", "bad: yaml"},
		{"unknown kind", "document: modulemd-foo\nversion: 1\ndata: {}\n", `unknown document "modulemd-foo"`},
		{"artifact without epoch", "document: modulemd\nversion: 2\ndata: {name: a, stream: b, artifacts: {rpms: [a-1-1.x86_64]}}\n", `artifact "a-1-1.x86_64" is not in N-E:V-R.A form`},
		{"v1", "document: modulemd\nversion: 1\ndata: {name: a}\n", "modulemd v1 is not supported"},
		{"no data", "document: modulemd\nversion: 2\n", "no data"},
		{"no name", "document: modulemd\nversion: 2\ndata: {stream: a}\n", "without name or stream"},
		{"wrong type", "document: modulemd\nversion: 2\ndata: {name: a, stream: b, version: x}\n", "cannot unmarshal"},
		{"second document", "document: modulemd-defaults\nversion: 1\ndata: {module: a}\n---\ndocument: x\nversion: 1\ndata: {}\n", "document at line 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in), "bad.yaml")
			if err == nil || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error()+" bad: yaml", c.want) {
				t.Errorf("error %v, want one naming bad.yaml and %q", err, c.want)
			}
		})
	}
}

// Every document kind survives a round trip through pungo and is accepted
// by modulemd-validator and libmodulemd.
func TestAllKindsRoundTrip(t *testing.T) {
	x, err := ReadFile("testdata/all-kinds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Streams) != 1 || len(x.Defaults) != 1 || len(x.Obsoletes) != 1 || len(x.Translations) != 1 {
		t.Fatalf("read %d/%d/%d/%d documents", len(x.Streams), len(x.Defaults), len(x.Obsoletes), len(x.Translations))
	}
	s := x.Streams[0]
	if s.Components.RPMs["demo"].BuildOrder != 10 || s.BuildOpts.RPMs.Macros != "%demo 1\n" || x.Obsoletes[0].ObsoletedBy.Stream != "1.0" ||
		x.Translations[0].Translations["de"].Profiles["default"] == "" || x.Defaults["demo"].Intents["server"].Stream != "2.0" {
		t.Errorf("fields lost on read: %+v", s)
	}
	out, err := x.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	y, err := Parse(out, "emitted")
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := y.Bytes()
	if !bytes.Equal(out, out2) {
		t.Errorf("second emission differs:\n%s\n---\n%s", out, out2)
	}
	if !bytes.Contains(out, []byte("when: 2024-01-01")) {
		t.Errorf("xmd not kept verbatim:\n%s", out)
	}
	python, validator := needModulemdOracle(t)
	path := filepath.Join(t.TempDir(), "out.yaml")
	os.WriteFile(path, out, 0o644)
	if msg, err := exec.Command(validator, path).CombinedOutput(); err != nil {
		t.Fatalf("modulemd-validator: %v\n%s\n%s", err, msg, out)
	}
	if got, want := oracleView(t, python, path), normalizeJSON(t, pungoView(t, x)); !bytes.Equal(got, want) {
		t.Errorf("libmodulemd %s\npungo %s", got, want)
	}
}
