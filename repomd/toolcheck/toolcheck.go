// Package toolcheck decides, for tests, what happens when an external tool
// (rpmbuild, createrepo_c, dnf, xorriso, …) or the shared data beside the
// project is missing: the test skips with a message, or fails when
// PUNGO_REQUIRE_TOOLS=1 (as CI sets it) so that a missing install step
// cannot pass unnoticed.
package toolcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Required reports whether missing tools must fail tests.
func Required() bool { return os.Getenv("PUNGO_REQUIRE_TOOLS") == "1" }

// Need returns the path of each named executable, in order. When one is
// missing the test is skipped, or failed under PUNGO_REQUIRE_TOOLS=1.
func Need(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			missing(t, "external tool "+n+" is not installed")
		}
		paths[i] = p
	}
	return paths
}

// NeedPython3Solv skips (or fails) unless Debian's python3 has the solv module.
// It returns the interpreter to run.
func NeedPython3Solv(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import solv").Run(); err != nil {
		missing(t, "python3-solv is not installed ("+py+" cannot import solv)")
	}
	return py
}

// Shared returns the path of rel inside the shared folder beside the
// project (../shared). When it is absent the test skips, or fails under
// PUNGO_REQUIRE_TOOLS=1: CI always has ../shared, so tests built on it (the
// Pungi conformance cases, the real-data comparisons) cannot silently drop
// out there. The shared data is only ever read from there, never copied
// into the project.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(ProjectRoot(), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		missing(t, "shared data "+rel+" is absent (../shared beside the project)")
	}
	return p
}

// ProjectRoot is the directory holding go.mod.
func ProjectRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (PUNGO_REQUIRE_TOOLS=1)", msg)
	}
	t.Skipf("%s: skipping", msg)
}
