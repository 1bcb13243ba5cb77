package kobo

import (
	"strings"
	"testing"
)

// TestNestingLimit: brackets nest at most 200 deep, as in CPython's
// tokenizer (compile() of 201 nested lists says "too many nested
// parentheses"); deeper input, up to a million levels, is a one-line
// error at the bracket over the limit, not a stack overflow.
func TestNestingLimit(t *testing.T) {
	for _, tt := range []struct {
		depth int
		want  string // "" = parses
	}{
		{maxNesting, ""},
		{maxNesting + 1, "deep.conf:1:205: too many nested parentheses"},
		{1_000_000, "deep.conf:1:205: too many nested parentheses"},
	} {
		_, err := ParseString("deep.conf", "x = "+strings.Repeat("[", tt.depth)+strings.Repeat("]", tt.depth)+"\n")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n")) {
			t.Errorf("depth %d: %v, want %q", tt.depth, err, tt.want)
		}
	}
}
