package main

import (
	"os"
	"strings"
	"testing"
)

// TestPanicIsOneLine: a subcommand that panics prints one line naming the
// command and the traceback file, exits 2, and no Go trace reaches the
// terminal.
func TestPanicIsOneLine(t *testing.T) {
	cmd := &command{name: "boom", run: func([]string) int {
		var m map[string]int
		m["x"]++ // assignment to entry in nil map
		return 0
	}}
	code, stdout, stderr := runCLI(t, func(args []string) int { return runCommand(cmd, args) }, "a")
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "goroutine") ||
		!strings.HasPrefix(stderr, "pungo boom: internal error: assignment to entry in nil map (traceback in ") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	tb := strings.TrimSuffix(strings.TrimSuffix(stderr[strings.Index(stderr, "traceback in ")+len("traceback in "):], "\n"), ")")
	data, err := os.ReadFile(tb)
	os.Remove(tb)
	if err != nil || !strings.Contains(string(data), "goroutine") || !strings.Contains(string(data), "reliability_test.go") {
		t.Errorf("traceback file %s: %v\n%s", tb, err, data)
	}
}
