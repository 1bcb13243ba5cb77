package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/pungo/pungo/internal/guard"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain: file.xml:3: bad", "plain: file.xml:3: bad"},
		{"grüße – ok", "grüße – ok"},
		{"entity &1\xcc (no semicolon)", `entity &1\xcc (no semicolon)`},
		{"two\nlines\tand tab", `two\nlines\tand tab`},
		{"nul\x00 esc\x1b[31m del\x7f c1\u0085", `nul\x00 esc\x1b[31m del\x7f c1\u0085`},
		{"cut rune \xe2\x82", `cut rune \xe2\x82`},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCLIErrorsPrintable feeds binary junk where each command expects a
// document: the error must be one line of valid UTF-8 without control
// characters (it used to echo encoding/xml's message with the raw bytes).
func TestCLIErrorsPrintable(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.xml")
	// "&1" then a byte that is not UTF-8: encoding/xml quotes it back.
	if err := os.WriteFile(junk, []byte("<a>&1\xcc\x00\x1b[2J</a>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func([]string) int
		args []string
		code int
	}{
		{"variants", runVariants, []string{junk}, 1},
		{"comps validate", runCompsValidate, []string{junk}, 1},
		{"comps filter", runComps, []string{"filter", "--arch", "x86_64", junk}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.run, tc.args...)
			msg := strings.TrimSuffix(stdout+stderr, "\n")
			if code != tc.code || msg == "" || strings.Contains(msg, "\n") || !utf8.ValidString(msg) ||
				strings.IndexFunc(msg, unicode.IsControl) >= 0 || !strings.Contains(msg, junk) {
				t.Fatalf("exit %d (want %d), output %q", code, tc.code, msg)
			}
		})
	}
}

// TestFailWorkerPanic: a worker goroutine's panic that comes back as an
// error is one line on stderr naming a file that holds its trace; other
// errors name no trace file.
func TestFailWorkerPanic(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, tc := range []struct {
		err       error
		wantTrace bool
	}{
		{fmt.Errorf("repo/x.rpm: %w", &guard.PanicError{Value: "boom", Stack: []byte("goroutine 7 [running]:\nbz2.go:120")}), true},
		{errors.New("repo/x.rpm: not an rpm"), false},
	} {
		code, _, stderr := runCLI(t, func([]string) int { return fail("createrepo", tc.err) })
		line, rest, _ := strings.Cut(stderr, "\n")
		if code != 2 || rest != "" || !strings.HasPrefix(line, "pungo createrepo: "+tc.err.Error()) {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		_, file, found := strings.Cut(line, " (traceback in ")
		if found != tc.wantTrace {
			t.Fatalf("stderr %q: trace file named = %v", line, found)
		}
		if found {
			b, err := os.ReadFile(strings.TrimSuffix(file, ")"))
			if err != nil || !strings.Contains(string(b), "goroutine 7 [running]") {
				t.Errorf("trace file: %v %q", err, b)
			}
		}
	}
}
