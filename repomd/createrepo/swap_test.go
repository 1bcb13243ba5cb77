package createrepo

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// demoRPMs copies the first n demo packages into a new directory.
func demoRPMs(t *testing.T, n int) string {
	t.Helper()
	src := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	for _, e := range ents {
		if n == 0 {
			break
		}
		if strings.HasSuffix(e.Name(), ".rpm") {
			data, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
			n--
		}
	}
	return dir
}

func listing(t *testing.T, dir string) string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// TestSwapKeepsRepodata: the exchange (and its two-rename fallback)
// replaces repodata and leaves nothing beside it.
func TestSwapKeepsRepodata(t *testing.T) {
	for _, exchange := range []bool{true, false} {
		if !exchange {
			saved := renameExchange
			renameExchange = func(a, b string) error { return errExchangeUnsupported }
			defer func() { renameExchange = saved }()
		}
		dir := demoRPMs(t, 3)
		for round := 0; round < 2; round++ {
			if _, err := Run(dir, Options{}); err != nil {
				t.Fatal(err)
			}
			if _, err := repomd.Open(dir); err != nil {
				t.Fatal(err)
			}
		}
		if l := listing(t, dir); strings.Contains(l, ".repodata") {
			t.Errorf("exchange=%v: left %s", exchange, l)
		}
	}
}

// TestSwapExchanges: on Linux the swap is one renameat2(RENAME_EXCHANGE),
// so repodata/ never disappears (the two-rename fallback has a moment
// without it); the new directory is in place and the old one gone.
func TestSwapExchanges(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("renameat2 is called on linux/amd64 and linux/arm64 only")
	}
	dir := t.TempDir()
	rd, tmp := filepath.Join(dir, "repodata"), filepath.Join(dir, ".repodata.tmp-1")
	for d, content := range map[string]string{rd: "old", tmp: "new"} {
		os.Mkdir(d, 0o755)
		os.WriteFile(filepath.Join(d, "repomd.xml"), []byte(content), 0o644)
	}
	saved := renameExchange
	defer func() { renameExchange = saved }()
	var calls []error
	renameExchange = func(a, b string) error {
		err := saved(a, b)
		calls = append(calls, err)
		return err
	}
	if err := swap(tmp, rd); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0] != nil {
		t.Errorf("renameat2(RENAME_EXCHANGE): %v, want one exchange (%s/%s)", calls, runtime.GOOS, runtime.GOARCH)
	}
	if data, _ := os.ReadFile(filepath.Join(rd, "repomd.xml")); string(data) != "new" {
		t.Errorf("repodata holds %q", data)
	}
	if l := listing(t, dir); l != "repodata" {
		t.Errorf("left %s", l)
	}
}

// TestRecoverKilledRun: a run killed between the fallback's two renames
// left no repodata but .repodata.old-*; one killed while writing left
// .repodata.tmp-*. The next run restores the newest old copy before it
// reads it (--update) and removes the rest.
func TestRecoverKilledRun(t *testing.T) {
	dir := demoRPMs(t, 3)
	if _, err := Run(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	rd := filepath.Join(dir, "repodata")
	os.Rename(rd, filepath.Join(dir, ".repodata.old-7-200"))
	os.MkdirAll(filepath.Join(dir, ".repodata.old-7-100"), 0o755)
	os.MkdirAll(filepath.Join(dir, ".repodata.tmp-123/x"), 0o755)
	if err := recoverOutput(dir); err != nil {
		t.Fatal(err)
	}
	if l := listing(t, dir); strings.Contains(l, ".repodata") || !strings.Contains(l, "repodata") {
		t.Fatalf("after recovery: %s", l)
	}
	if _, err := repomd.Open(dir); err != nil {
		t.Fatalf("recovered repodata: %v", err)
	}
	os.Rename(rd, filepath.Join(dir, ".repodata.old-7-300"))
	res, err := Run(dir, Options{Update: true})
	if err != nil || res.Reused != 3 {
		t.Fatalf("--update after a killed swap: %+v %v", res, err)
	}
}

// TestConcurrentWriters: a second writer of one directory is refused with
// a clear message, as is one beside createrepo_c's .repodata/.
func TestConcurrentWriters(t *testing.T) {
	dir := demoRPMs(t, 1)
	d, _ := os.Open(dir)
	defer d.Close()
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	_, err := Run(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "another pungo createrepo is writing this repository") {
		t.Errorf("locked: %v", err)
	}
	syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
	os.Mkdir(filepath.Join(dir, ".repodata"), 0o755)
	_, err = Run(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "createrepo_c is running here") {
		t.Errorf(".repodata/: %v", err)
	}
	if l := listing(t, dir); l != ".repodata demo-cluster-1.4-2.src.rpm" {
		t.Errorf("refused runs wrote: %s", l)
	}
}

// TestBadPackages: with SkipBad (pungo createrepo's default, as
// createrepo_c) each unreadable file is reported naming it and why and
// left out, and the package count is right; without it (the compose, and
// --strict) the first one fails the run.
func TestBadPackages(t *testing.T) {
	dir := demoRPMs(t, 3)
	good, _ := os.ReadDir(dir)
	data, _ := os.ReadFile(filepath.Join(dir, good[0].Name()))
	os.WriteFile(filepath.Join(dir, "trunc.rpm"), data[:1000], 0o644)
	os.WriteFile(filepath.Join(dir, "empty.rpm"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "text.rpm"), []byte("hello\n"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "out.rpm"))
	res, err := Run(dir, Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"empty.rpm: empty file (0 bytes), not an RPM package", "out.rpm: ", "text.rpm: not an rpm file", "trunc.rpm: "}
	if len(res.Skipped) != len(want) || res.Packages != 3 {
		t.Fatalf("packages %d, skipped %q", res.Packages, res.Skipped)
	}
	for i, w := range want {
		if !strings.Contains(res.Skipped[i], filepath.Join(dir, w)) {
			t.Errorf("skipped[%d] = %q, want %q", i, res.Skipped[i], w)
		}
	}
	r, err := repomd.Open(dir)
	if err != nil || len(r.Packages) != 3 {
		t.Fatalf("repo: %v", err)
	}
	if _, err := Run(dir, Options{}); err == nil || !strings.Contains(err.Error(), "empty.rpm: empty file") {
		t.Errorf("strict: %v", err)
	}
}

// TestPackagePanic: a package whose reading panics (in a worker goroutine,
// where nothing else could catch it) is reported as a bad package naming
// the file, skipped with SkipBad and an error without, never a crash.
func TestPackagePanic(t *testing.T) {
	dir := demoRPMs(t, 3)
	saved := readPackageFunc
	defer func() { readPackageFunc = saved }()
	readPackageFunc = func(j job, opts Options, cache *checksumCache) (*repomd.Package, error) {
		if strings.HasPrefix(filepath.Base(j.path), "demo-cluster-agents") {
			var m map[string]int
			m["x"]++
		}
		return saved(j, opts, cache)
	}
	want := filepath.Join(dir, "demo-cluster-agents-1.4-2.x86_64.rpm") + ": internal error reading the package: assignment to entry in nil map"
	res, err := Run(dir, Options{SkipBad: true, Workers: 2})
	if err != nil || res.Packages != 2 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], want) {
		t.Fatalf("SkipBad: %+v, %v", res, err)
	}
	if _, err := Run(dir, Options{Workers: 2}); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("strict: %v", err)
	}
}
