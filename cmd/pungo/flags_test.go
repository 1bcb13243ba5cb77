package main

import (
	"strings"
	"testing"
)

// TestBadFlagIsOneLine: a mistyped flag is one line on stderr naming the
// command and the flag, for every command; -h still prints the usage.
func TestBadFlagIsOneLine(t *testing.T) {
	sub := map[string][]string{"config": {"validate"}, "comps": {"filter"}}
	for name, c := range commands {
		t.Run(name, func(t *testing.T) {
			args := append(append([]string{}, sub[name]...), "--bogus-flag")
			code, _, stderr := runCLI(t, c.run, args...)
			if code == 0 {
				t.Errorf("exit 0 for an unknown flag")
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "bogus-flag") {
				t.Errorf("stderr is %d lines, want one naming the flag:\n%s", len(lines), stderr)
			}
			help := append(append([]string{}, sub[name]...), "-h")
			_, stdout, stderr := runCLI(t, c.run, help...)
			if n := strings.Count(stdout+stderr, "\n"); n < 2 {
				t.Errorf("-h printed %d lines, want the usage:\n%s%s", n, stdout, stderr)
			}
		})
	}
}
