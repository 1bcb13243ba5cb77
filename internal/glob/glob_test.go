package glob

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// cases are patterns and names on which the semantics differ or are easy
// to get wrong; each row says what each matcher answers.
var cases = []struct {
	pat, name       string
	python, dnf, gl bool
}{
	{"glibc", "glibc", true, true, true},
	{"glibc*", "glibc-devel", true, true, true},
	{"*-devel", "glibc-devel", true, true, true},
	{"g?ibc", "glibc", true, true, true},
	{"g?ibc", "gibc", false, false, false},
	{"/usr/lib*/gtk-2.0/*/engines", "/usr/lib64/gtk-2.0/2.10.0/engines", true, true, true},
	{"*", "", true, true, true},
	{"?", "", false, false, false},
	{"*/libc.so.6", "/usr/lib64/libc.so.6", true, true, true},
	{"kernel-[0-9]*", "kernel-5.14", true, true, false},
	{"kernel-[!0-9]*", "kernel-devel", true, true, false},
	{"kernel-[^0-9]*", "kernel-devel", false, true, false},
	{"kernel-[^0-9]*", "kernel-^x", true, true, false},
	{"kernel-[^0-9]*", "kernel-1", true, false, false},
	{"[]]x", "]x", true, true, false},
	{"[!]]x", "ax", true, true, false},
	{"a[b", "a[b", true, true, true},
	{"a[", "a[", true, true, true},
	{"a\\*", "a*", false, true, false},
	{"a\\*", "a\\b", true, false, true},
	{"[[:digit:]]x", "1x", false, true, false},
	{"[a-]", "-", true, true, false},
	{"[z-a]", "m", false, false, false},
	{"python3.?", "python3.9", true, true, true},
	{"é?", "éx", true, true, true},
	{"?x", "éx", true, true, true},
	{"*a*b*c", "xaxbxc", true, true, true},
	{"*a*b*c", "xaxbxcx", false, false, false},
}

func TestMatchers(t *testing.T) {
	for _, c := range cases {
		if got := Python(c.pat, c.name); got != c.python {
			t.Errorf("Python(%q, %q) = %v, want %v", c.pat, c.name, got, c.python)
		}
		if got := DNF(c.pat, c.name); got != c.dnf {
			t.Errorf("DNF(%q, %q) = %v, want %v", c.pat, c.name, got, c.dnf)
		}
		if got := GLib(c.pat, c.name); got != c.gl {
			t.Errorf("GLib(%q, %q) = %v, want %v", c.pat, c.name, got, c.gl)
		}
	}
}

// oracle answers every case with Python's fnmatch.fnmatchcase and glibc's
// fnmatch(3) (through ctypes), so the table above cannot drift from the
// real implementations.
const oracle = `
import ctypes, fnmatch, json, sys
libc = ctypes.CDLL("libc.so.6")
out = []
for pat, name in json.load(sys.stdin):
    out.append([fnmatch.fnmatchcase(name, pat), libc.fnmatch(pat.encode(), name.encode(), 0) == 0])
json.dump(out, sys.stdout)
`

func TestMatchersAgainstPythonAndLibc(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("PUNGO_REQUIRE_TOOLS") == "1" {
			t.Fatal("python3 is required (PUNGO_REQUIRE_TOOLS=1)")
		}
		t.Skip("python3 not installed")
	}
	var in [][2]string
	for _, c := range cases {
		if strings.ContainsAny(c.pat+c.name, "é") {
			continue // libc in the C locale matches bytes
		}
		in = append(in, [2]string{c.pat, c.name})
	}
	// A few generated ones: every short pattern over a small alphabet.
	alpha := []string{"a", "b", "*", "?", "[ab]", "[!a]", "[^b]", "\\a", "["}
	for _, x := range alpha {
		for _, y := range alpha {
			for _, n := range []string{"", "a", "ab", "ba", "aab", "[a", "^", "\\a", "a\\"} {
				in = append(in, [2]string{x + y, n})
			}
		}
	}
	b, _ := json.Marshal(in)
	cmd := exec.Command(py, "-c", oracle)
	cmd.Stdin = strings.NewReader(string(b))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var want [][2]bool
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, c := range in {
		if got := Python(c[0], c[1]); got != want[i][0] {
			t.Errorf("Python(%q, %q) = %v, fnmatch.fnmatchcase says %v", c[0], c[1], got, want[i][0])
		}
		if got := DNF(c[0], c[1]); got != want[i][1] {
			t.Errorf("DNF(%q, %q) = %v, fnmatch(3) says %v", c[0], c[1], got, want[i][1])
		}
	}
}

func BenchmarkDNF(b *testing.B) {
	for i := 0; i < b.N; i++ {
		DNF("*-devel", "glibc-langpack-devel")
	}
}
