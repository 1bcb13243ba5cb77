// Package rpmtest builds, once per machine, the corpus of real RPM files
// that the repository tests of the whole project share: packages built by
// rpmbuild from the spec files in testdata/rpmspecs (noarch, x86_64, i686,
// a real ELF library with its -devel and -debuginfo, source packages, two
// versions of one package), plus the RPMs shipped with the Go module
// github.com/sassoftware/go-rpmutils, which nobody here wrote.
//
// The built corpus is cached in os.TempDir() under a name keyed by a hash of
// testdata/rpmspecs, so editing a spec rebuilds it; a file lock keeps
// parallel test binaries from building it twice at once.
package rpmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// builderVersion changes whenever the build steps below change, so that a
// cached corpus from an older builder is not reused.
const builderVersion = "2"

// build is one rpmbuild invocation over a spec in testdata/rpmspecs.
type build struct {
	spec string
	args []string
}

var builds = []build{
	{"alpha.spec", []string{"-ba"}},
	{"alpha.spec", []string{"--define", "ver 2.0", "-bb"}},
	{"libfoo.spec", []string{"-ba"}},
	{"multi.spec", []string{"-bb"}},
	{"multi.spec", []string{"--target", "i686", "-bb"}},
}

// SpecDir is the directory holding the corpus spec files and sources.
func SpecDir() string { return filepath.Join(toolcheck.ProjectRoot(), "testdata", "rpmspecs") }

var (
	corpusOnce sync.Once
	corpusDir  string
	corpusErr  error
)

// Corpus returns a directory holding the built RPMs (binary and source,
// all at the top level). It skips the test, or fails it under
// PUNGO_REQUIRE_TOOLS=1, when rpmbuild or gcc is missing.
func Corpus(t testing.TB) string {
	t.Helper()
	toolcheck.Need(t, "rpmbuild", "gcc")
	corpusOnce.Do(func() { corpusDir, corpusErr = buildCorpus() })
	if corpusErr != nil {
		t.Fatalf("rpmtest: building the RPM corpus: %v", corpusErr)
	}
	return corpusDir
}

// TryCorpus builds (or finds) the corpus without a testing.TB, for fuzz
// seeds and benchmarks that can do without it.
func TryCorpus() (string, error) {
	for _, tool := range []string{"rpmbuild", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", err
		}
	}
	corpusOnce.Do(func() { corpusDir, corpusErr = buildCorpus() })
	return corpusDir, corpusErr
}

// Files returns the paths of the .rpm files in dir (recursively), sorted.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rpm") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func specHash() (string, error) {
	h := sha256.New()
	io.WriteString(h, builderVersion+"\x00")
	entries, err := os.ReadDir(SpecDir())
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(SpecDir(), e.Name()))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// cachedBuild returns os.TempDir()/<prefix>-<key>, building it first when
// no complete copy exists. build fills out (inside a private work
// directory) and out is renamed into place with a .complete marker, under
// a lock file, so concurrent test processes build each corpus once and
// never see a half-built one.
func cachedBuild(prefix, key string, build func(work, out string) error) (string, error) {
	dir := filepath.Join(os.TempDir(), prefix+"-"+key)
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(done); err == nil {
		return dir, nil // another process built it while we waited
	}
	os.RemoveAll(dir)
	work, err := os.MkdirTemp(os.TempDir(), prefix+"-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	out := filepath.Join(work, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	if err := build(work, out); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(out, ".complete"), []byte(key+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(out, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func buildCorpus() (string, error) {
	key, err := specHash()
	if err != nil {
		return "", err
	}
	return cachedBuild("pungo-rpmcorpus", key, buildCorpusInto)
}

// buildCorpusInto builds every corpus package with rpmbuild in work and
// moves the binary and source packages into out.
func buildCorpusInto(work, out string) error {
	top := filepath.Join(work, "top")
	for _, d := range []string{filepath.Join(top, "SOURCES"), out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(SpecDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".spec") {
			continue
		}
		if err := copyFile(filepath.Join(SpecDir(), e.Name()), filepath.Join(top, "SOURCES", e.Name())); err != nil {
			return err
		}
	}
	for _, b := range builds {
		if err := rpmbuild(top, filepath.Join(SpecDir(), b.spec), b.args, nil); err != nil {
			return err
		}
	}
	return collectRPMs(top, out)
}

// rpmbuild runs rpmbuild --nodeps --quiet over spec with _topdir top and
// args, under a fixed locale and SOURCE_DATE_EPOCH (so headers are the
// same on every machine) plus env.
func rpmbuild(top, spec string, args, env []string) error {
	args = append(append([]string{"--nodeps", "--quiet", "--define", "_topdir " + top}, args...), spec)
	cmd := exec.Command("rpmbuild", args...)
	cmd.Env = append(append(os.Environ(), "LC_ALL=C", "SOURCE_DATE_EPOCH=1767225600"), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("rpmbuild %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// collectRPMs moves every .rpm under top's RPMS and SRPMS into out.
func collectRPMs(top, out string) error {
	for _, sub := range []string{"RPMS", "SRPMS"} {
		err := filepath.WalkDir(filepath.Join(top, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rpm") {
				return err
			}
			return os.Rename(p, filepath.Join(out, d.Name()))
		})
		if err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

var (
	externalOnce sync.Once
	externalDir  string
	externalErr  error
)

// External returns the testdata directory of the Go module
// github.com/sassoftware/go-rpmutils@v0.4.0 (read-only, in the module
// cache), whose RPMs carry xz, zstd, bzip2, gzip, lzma and uncompressed
// payloads. The module is fetched with `go mod download`, not listed in
// go.mod. When it cannot be had the test skips, or fails under
// PUNGO_REQUIRE_TOOLS=1.
func External(t testing.TB) string {
	t.Helper()
	externalOnce.Do(func() {
		cmd := exec.Command("go", "mod", "download", "-json", "github.com/sassoftware/go-rpmutils@v0.4.0")
		cmd.Dir = os.TempDir() // outside any module: go.mod stays untouched
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
		out, err := cmd.Output()
		if err != nil {
			externalErr = fmt.Errorf("go mod download github.com/sassoftware/go-rpmutils@v0.4.0: %v", err)
			return
		}
		var info struct{ Dir, Error string }
		if err := json.Unmarshal(out, &info); err != nil {
			externalErr = err
			return
		}
		if info.Dir == "" {
			externalErr = fmt.Errorf("go mod download: %s", info.Error)
			return
		}
		externalDir = filepath.Join(info.Dir, "testdata")
	})
	if externalErr != nil {
		if toolcheck.Required() {
			t.Fatalf("rpmtest: %v (PUNGO_REQUIRE_TOOLS=1)", externalErr)
		}
		t.Skipf("rpmtest: %v: skipping", externalErr)
	}
	return externalDir
}

// Legacy returns the testdata directory of github.com/cavaliergopher/rpm
// (a dependency already in go.mod, read-only in the module cache): release
// packages of CentOS 3 to 7 and EPEL 7, built by rpm versions from 4.2 on,
// which exercise old header layouts. Skips like External when unavailable.
func Legacy(t testing.TB) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cavaliergopher/rpm")
	cmd.Dir = toolcheck.ProjectRoot()
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err == nil && dir == "" {
		err = fmt.Errorf("module not downloaded")
	}
	if err != nil {
		if toolcheck.Required() {
			t.Fatalf("rpmtest: go list github.com/cavaliergopher/rpm: %v (PUNGO_REQUIRE_TOOLS=1)", err)
		}
		t.Skipf("rpmtest: go list github.com/cavaliergopher/rpm: %v: skipping", err)
	}
	return filepath.Join(dir, "testdata")
}

// Spec is one rpmbuild run of a test: the spec file's name and text, the
// rpmbuild arguments besides --nodeps, --quiet and the _topdir ("-ba"
// when none) and environment variables besides the corpus's fixed locale
// and SOURCE_DATE_EPOCH.
type Spec struct {
	Name string
	Text string
	Args []string
	Env  []string
}

// Build builds specs with rpmbuild once per machine, cached in
// os.TempDir() like the corpus under prefix and a hash of the specs, and
// returns the RPM files made: binary packages, then source packages, each
// sorted. The files are shared by every test on the machine: copy them,
// never move or change them. It skips the test, or fails it under
// PUNGO_REQUIRE_TOOLS=1, when rpmbuild is missing.
func Build(t testing.TB, prefix string, specs ...Spec) []string {
	t.Helper()
	toolcheck.Need(t, "rpmbuild")
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", builderVersion, prefix)
	for _, s := range specs {
		fmt.Fprintf(h, "%s\x00%s\x00%q\x00%q\x00", s.Name, s.Text, s.Args, s.Env)
	}
	key := hex.EncodeToString(h.Sum(nil))[:16]
	dir, err := cachedBuild(prefix, key, func(work, out string) error {
		top := filepath.Join(work, "top")
		for _, s := range specs {
			path := filepath.Join(work, s.Name)
			if err := os.WriteFile(path, []byte(s.Text), 0o644); err != nil {
				return err
			}
			args := s.Args
			if len(args) == 0 {
				args = []string{"-ba"}
			}
			if err := rpmbuild(top, path, args, s.Env); err != nil {
				return err
			}
		}
		return collectRPMs(top, out)
	})
	if err != nil {
		t.Fatalf("rpmtest: building %s: %v", prefix, err)
	}
	var bin, src []string
	for _, f := range Files(t, dir) {
		if strings.HasSuffix(f, ".src.rpm") {
			src = append(src, f)
		} else {
			bin = append(bin, f)
		}
	}
	return append(bin, src...)
}
