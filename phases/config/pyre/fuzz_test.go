package pyre

import (
	"regexp"
	"strings"
	"testing"
)

// goDialect lists what Go's RE2 reads differently from Python's re, so
// that patterns using it are not compared. (\B: Python before 3.14 never
// matches it on an empty string, RE2 does.)
var goDialect = []string{"{", "[:", `\Q`, `\E`, `\p`, `\P`, `\z`, `\C`, `\v`, `\s`, `\S`, `\x`, `\0`, `\a`, `\f`, `\B`}

// FuzzCompile: any pattern compiles or fails without panicking, matching
// stays within the step budget, and where Go's RE2 reads the pattern the
// same way as Python and the budget did not run out, both engines agree
// on re.match of printable ASCII. (Past the budget pyre answers false by
// design; RE2, which never backtracks, still answers.)
func FuzzCompile(f *testing.F) {
	for _, tt := range []string{`^(?!Everything$)`, `^(\w+)-\1$`, `(?<=ab)c`, `^(a)?(?(1)b|c)`, `^(?>a|ab)c`,
		`(?i)^server`, `^[^-]+$`, `(?P<n>x)(?P=n)`, `^a*+b`, `((a*)*)*$`} {
		f.Add(tt, "Server-optional")
	}
	f.Fuzz(func(t *testing.T, pattern, subject string) {
		re, err := Compile(pattern)
		if err != nil {
			return
		}
		got, exhausted := re.matchStart(subject)
		if exhausted {
			return
		}
		for _, r := range subject {
			if r < ' ' || r > '~' {
				return
			}
		}
		for _, d := range goDialect {
			if strings.Contains(pattern, d) {
				return
			}
		}
		gre, err := regexp.Compile(`^(?:` + pattern + `)`)
		if err != nil {
			return
		}
		if want := gre.MatchString(subject); got != want {
			t.Errorf("%q on %q: pyre %v, Go regexp %v", pattern, subject, got, want)
		}
	})
}
