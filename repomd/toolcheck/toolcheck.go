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
	"strconv"
	"strings"
	"syscall"
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

// mountNSEnv marks the child process MountNamespace starts.
const mountNSEnv = "PUNGO_TEST_MOUNT_NAMESPACE"

// MountNamespace runs the calling top-level test again in a child process
// inside a new mount namespace (with a user namespace, `unshare -rm`,
// where the kernel allows one; else `unshare -m`, which needs root), in
// which the test may mount file systems (MountTmpfs) that nobody else
// sees and that vanish with it. It returns true in that child, which
// then does the test's work; in the parent it returns false once the
// child has run, and the test passed, failed or skipped as the child did.
// Where no namespace can be made the test skips, or fails under
// PUNGO_REQUIRE_TOOLS=1.
func MountNamespace(t *testing.T) bool {
	t.Helper()
	if os.Getenv(mountNSEnv) == "1" {
		return true
	}
	probe := t.TempDir()
	var prefix []string
	for _, p := range [][]string{{"unshare", "-rm"}, {"unshare", "-m"}} {
		if exec.Command(p[0], append(p[1:], "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe)...).Run() == nil {
			prefix = p
			break
		}
	}
	if prefix == nil {
		missing(t, "cannot mount a tmpfs in a new mount namespace (neither unshare -rm nor, as root, unshare -m works here)")
		return false
	}
	args := append(prefix[1:], os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v")
	cmd := exec.Command(prefix[0], args...)
	cmd.Env = append(os.Environ(), mountNSEnv+"=1")
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Errorf("in a mount namespace (%s): %v\n%s", strings.Join(prefix, " "), err, out)
	case strings.Contains(string(out), "--- SKIP: "+t.Name()):
		t.Skipf("skipped in the mount namespace:\n%s", out)
	default:
		t.Logf("ran in a mount namespace (%s):\n%s", strings.Join(prefix, " "), out)
	}
	return false
}

// MountTmpfs mounts a tmpfs of size bytes at dir, inside the namespace
// MountNamespace made, until the test ends.
func MountTmpfs(t testing.TB, dir string, size int64) {
	t.Helper()
	if os.Getenv(mountNSEnv) != "1" {
		t.Fatal("MountTmpfs outside MountNamespace's child")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.FormatInt(size, 10)); err != nil {
		t.Fatalf("mounting a tmpfs at %s: %v", dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
}
