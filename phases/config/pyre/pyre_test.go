package pyre

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// subjects are matched against every pattern of TestAgainstPython.
var subjects = []string{"Server", "Everything", "Server-optional", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", " x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}

// TestAgainstPython: for each pattern, the subjects CPython 3.11's re.match
// matches (all others must not match), or the re.error message it raises.
// The table was produced by running those patterns through CPython.
func TestAgainstPython(t *testing.T) {
	tests := []struct {
		pattern string
		yes     []string
		err     string
	}{
		{pattern: `^(?!Everything).*$`, yes: []string{"Server", "Server-optional", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", " x", "x", "yz", "z", "xyz", "Server\n", "Sever"}},
		{pattern: `^(?!Everything$)`, yes: []string{"Server", "Server-optional", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", " x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}},
		{pattern: `(?=Serv)Server`, yes: []string{"Server", "Server-optional", "Server-HA", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^(?!.*-optional$)`, yes: []string{"Server", "Everything", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", " x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}},
		{pattern: `^Server(?!-)`, yes: []string{"Server", "Server\n"}},
		{pattern: `^(?<=)Server`, yes: []string{"Server", "Server-optional", "Server-HA", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^.*(?<=-optional)$`, yes: []string{"Server-optional"}},
		{pattern: `^.*(?<!-optional)$`, yes: []string{"Server", "Everything", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", " x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}},
		{pattern: `^.{6}(?<=Server)`, yes: []string{"Server", "Server-optional", "Server-HA", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^(\w+)-\1$`, yes: []string{"Server-Server"}},
		{pattern: `^(?P<v>[A-Z]\w*)-(?P=v)$`, yes: []string{"Server-Server"}},
		{pattern: `^(a)?(?(1)b|c)`, yes: []string{"ab", "c", "abc"}},
		{pattern: `^(?>Serv|Server)$`, yes: []string{}},
		{pattern: `^Serv(?:er)?+$`, yes: []string{"Server", "Server\n"}},
		{pattern: `^\w++$`, yes: []string{"Server", "Everything", "Client", "Workstation", "server", "SERVER", "ab", "c", "b", "aaa", "abc", "ac", "xy", "12x", "x", "yz", "z", "xyz", "Server\n", "Sever"}},
		{pattern: `(?i)^server(?!x)`, yes: []string{"Server", "Server-optional", "Server-HA", "server", "SERVER", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^(?i:server)-Opt(?=ional)`, yes: []string{}},
		{pattern: `^(?x) Server  # comment\n (?!-)`, err: "global flags not at the start of the expression at position 1"},
		{pattern: `^\bServer\b`, yes: []string{"Server", "Server-optional", "Server-HA", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^(?!)`, yes: []string{}},
		{pattern: `^(?=Server|Client)\w+$`, yes: []string{"Server", "Client", "Server\n"}},
		{pattern: `^(Server|Client)(?!-(?:optional|HA))`, yes: []string{"Server", "Client", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^[^-]+(?<![-])$`, yes: []string{"Server", "Everything", "Client", "Workstation", "server", "SERVER", "ab", "c", "b", "aaa", "abc", "ac", "xy", "12x", " x", "x", "yz", "z", "xyz", "Server\n", "Sever"}},
		{pattern: `^(?:(?!-).)*$`, yes: []string{"Server", "Everything", "Client", "Workstation", "server", "SERVER", "ab", "c", "b", "aaa", "abc", "ac", "xy", "12x", " x", "x", "yz", "z", "xyz", "Server\n", "Sever"}},
		{pattern: `^(?s:.)(?!x)`, yes: []string{"Server", "Everything", "Server-optional", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}},
		{pattern: `^\d{2}(?=x)`, yes: []string{"12x"}},
		{pattern: `^(?!\s)`, yes: []string{"Server", "Everything", "Server-optional", "Server-HA", "Client", "Workstation", "server", "SERVER", "Server-Server", "ab", "c", "b", "aaa", "abc", "ac", "xy", "Server-", "12x", "x", "yz", "z", "xyz", "Everything-x", "Server\n", "Sever"}},
		{pattern: `^Ser(?=v)\S+`, yes: []string{"Server", "Server-optional", "Server-HA", "Server-Server", "Server-", "Server\n"}},
		{pattern: `^(a|ab)(?=c)c`, yes: []string{"abc", "ac"}},
		{pattern: `^(?:a+)+$(?<!b)`, yes: []string{"aaa"}},
		{pattern: `^([a-z])(?!\1)[a-z]$`, yes: []string{"ab", "ac", "xy", "yz"}},
		// 3.11 only warns here; 3.12, which Pungi hosts run, refuses it
		{pattern: `(a)(?(+1)b)`, err: "bad character in group name '+1' at position 6"},
		{pattern: `^(x)?(?(1)y)z`, yes: []string{"z", "xyz"}},
		{pattern: `(?<=a+)b`, err: "look-behind requires fixed-width pattern"},
		{pattern: `(?<!a|bc)x`, err: "look-behind requires fixed-width pattern"},
		{pattern: `(?P<1>a)`, err: "bad character in group name '1' at position 4"},
		{pattern: `(?P=nope)`, err: "unknown group name 'nope' at position 4"},
		{pattern: `\2(a)`, err: "invalid group reference 2 at position 1"},
		{pattern: `(?P<a>x)(?P<a>y)`, err: "redefinition of group name 'a' as group 2; was group 1 at position 12"},
		{pattern: `(?<n>a)`, err: "unknown extension ?<n at position 1"},
		{pattern: `(?Q)`, err: "unknown extension ?Q at position 1"},
		{pattern: `a(?i)b(?!c)`, err: "global flags not at the start of the expression at position 1"},
		{pattern: `(?=a`, err: "missing ), unterminated subpattern at position 0"},
		{pattern: `[z-a](?=x)`, err: "bad character range z-a at position 1"},
		{pattern: `\q(?=x)`, err: "bad escape \\q at position 0"},
		{pattern: `x{3,2}(?=y)`, err: "min repeat greater than max repeat at position 2"},
		{pattern: `(?(2)a)(?=x)`, err: "invalid group reference 2 at position 3"},
		{pattern: `(a\1)(?=x)`, err: "cannot refer to an open group at position 2"},
	}
	for _, tt := range tests {
		re, err := Compile(tt.pattern)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.pattern, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.pattern, err)
			continue
		}
		for _, s := range subjects {
			if got, want := re.MatchStart(s), slices.Contains(tt.yes, s); got != want {
				t.Errorf("%q on %q: match %v, want %v", tt.pattern, s, got, want)
			}
		}
	}
}

// TestCPythonCorpus: random patterns over a small alphabet of regex
// pieces, with what CPython 3.11's re made of them (testdata/config/
// pyre-cpython.jsonl: per pattern either re.error's message or, per
// subject, whether re.match matched).
func TestCPythonCorpus(t *testing.T) {
	f, err := os.Open(filepath.Join(toolcheck.ProjectRoot(), "testdata", "config", "pyre-cpython.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var head struct{ Subjects []string }
	if !sc.Scan() || json.Unmarshal(sc.Bytes(), &head) != nil || len(head.Subjects) == 0 {
		t.Fatal("corpus has no subjects line")
	}
	n := 0
	for sc.Scan() {
		var c struct{ P, M, E string }
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		re, err := Compile(c.P)
		if c.E != "" {
			if err == nil || err.Error() != c.E {
				t.Errorf("%q: error %v, want %q", c.P, err, c.E)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v (CPython accepts it)", c.P, err)
			continue
		}
		for i, s := range head.Subjects {
			if got, want := re.MatchStart(s), c.M[i] == '1'; got != want {
				t.Errorf("%q on %q: match %v, CPython %v", c.P, s, got, want)
			}
		}
	}
	if n < 2000 {
		t.Fatalf("only %d cases", n)
	}
}

// TestGroupDepthLimit: groups nested beyond the limit are a syntax error
// at the group's position, not a stack overflow.
func TestGroupDepthLimit(t *testing.T) {
	for _, tt := range []struct {
		depth int
		ok    bool
	}{{maxGroupDepth, true}, {maxGroupDepth + 1, false}, {1_000_000, false}} {
		_, err := Compile(strings.Repeat("(", tt.depth) + "a" + strings.Repeat(")", tt.depth))
		if (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), "limit of 100 at position 100") {
			t.Errorf("depth %d: %v", tt.depth, err)
		}
	}
}
