package rpmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// DummyProductDir is the shared copy of Pungi's end-to-end test product
// (specs, build script, config, variants, comps), read-only.
const DummyProductDir = "conformance/dummy-product"

// dummyBuilderVersion changes whenever dummyJobs changes, so that a cached
// build from an older builder is not reused.
const dummyBuilderVersion = "1"

// dummyJob is one rpmbuild run of Pungi's tests/data/specs/build.sh.
type dummyJob struct {
	spec, target string
	args         []string
}

// dummyJobs lists build.sh's rpmbuild runs: every spec for i686, x86_64,
// ppc, ppc64, s390 and s390x (binary and source), except dummy-foo32
// (32-bit targets only), AdobeReader_enu (a nosrc package for i486) and
// skype (binary only, i586).
func dummyJobs(specs []string) []dummyJob {
	var jobs []dummyJob
	for _, spec := range specs {
		switch filepath.Base(spec) {
		case "dummy-AdobeReader_enu.spec":
			jobs = append(jobs, dummyJob{spec, "i486", []string{"-ba"}})
			continue
		case "dummy-skype.spec":
			jobs = append(jobs, dummyJob{spec, "i586", []string{"-bb"}})
			continue
		}
		for _, target := range []string{"i686", "x86_64", "ppc", "ppc64", "s390", "s390x"} {
			if filepath.Base(spec) == "dummy-foo32.spec" && (target == "x86_64" || target == "ppc64" || target == "s390x") {
				continue
			}
			jobs = append(jobs, dummyJob{spec, target, []string{"-ba"}})
		}
	}
	return jobs
}

var (
	dummyOnce sync.Once
	dummyDir  string
	dummyErr  error
)

// DummyProduct builds (once per machine, cached in os.TempDir() by a hash
// of the specs) the package repositories of Pungi's test product as its
// build.sh does with rpmbuild --nodeps, and returns a directory holding
// "repo" (binary RPMs in per-arch directories, source RPMs in "src") and
// "repo-krb5-lookaside" (the krb5 RPMs). Neither has repodata: the caller
// links them where it wants them and indexes them. The shared inputs are
// never written. It skips (or fails under PUNGO_REQUIRE_TOOLS=1) without
// rpmbuild or the shared data.
func DummyProduct(t testing.TB) string {
	t.Helper()
	src := toolcheck.Shared(t, DummyProductDir)
	toolcheck.Need(t, "rpmbuild")
	dummyOnce.Do(func() { dummyDir, dummyErr = buildDummyProduct(filepath.Join(src, "specs")) })
	if dummyErr != nil {
		t.Fatalf("rpmtest: building Pungi's test product: %v", dummyErr)
	}
	return dummyDir
}

// LinkTree hardlinks (or copies, across file systems) every file under src
// into dst, keeping the relative layout and replacing files already there.
func LinkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		os.Remove(target)
		if err := os.Link(p, target); err != nil {
			return copyFile(p, target)
		}
		return nil
	})
}

func dummyHash(specDir string) (string, []string, error) {
	entries, err := os.ReadDir(specDir)
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	io.WriteString(h, dummyBuilderVersion+"\x00")
	var specs []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(specDir, e.Name()))
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
		if strings.HasSuffix(e.Name(), ".spec") {
			specs = append(specs, filepath.Join(specDir, e.Name()))
		}
	}
	sort.Strings(specs)
	return hex.EncodeToString(h.Sum(nil))[:16], specs, nil
}

func buildDummyProduct(specDir string) (string, error) {
	key, specs, err := dummyHash(specDir)
	if err != nil {
		return "", err
	}
	return cachedBuild("pungo-dummy-product", key, func(work, out string) error {
		return buildDummyProductInto(specDir, specs, work, out)
	})
}

// buildDummyProductInto runs build.sh's rpmbuild jobs in work and lays
// their packages out in out as build.sh does (repo/ and the krb5
// lookaside repository).
func buildDummyProductInto(specDir string, specs []string, work, out string) error {
	repo := filepath.Join(out, "repo")
	jobs := dummyJobs(specs)
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	// The per-run directories exist before any rpmbuild starts: rpm
	// creates a missing _topdir's parents with stat-then-mkdir, and two
	// runs creating work/top at once fail with "failed to create
	// directory %{_topdir}: File exists" (seen in the full suite).
	for i := range jobs {
		if err := os.MkdirAll(filepath.Join(work, "top", fmt.Sprint(i)), 0o755); err != nil {
			return err
		}
	}
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			// Private directories per run: concurrent runs of one spec
			// write the same source and noarch packages.
			top := filepath.Join(work, "top", fmt.Sprint(i))
			args := []string{"--quiet", "--target=" + j.target}
			args = append(args, j.args...)
			args = append(args, "--nodeps", "--define", "_topdir "+top, "--define", "_srcrpmdir "+filepath.Join(top, "out", "src"),
				"--define", "_rpmdir "+filepath.Join(top, "out"), "--define", "_sourcedir "+specDir, j.spec)
			cmd := exec.Command("rpmbuild", args...)
			cmd.Env = append(os.Environ(), "LC_ALL=C", "SOURCE_DATE_EPOCH=1767225600")
			if msg, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("rpmbuild %s: %v\n%s", strings.Join(args, " "), err, msg)
			}
		}()
	}
	wg.Wait()
	// Merged in build.sh's order: a package built again by a later run
	// (source and noarch packages) replaces the earlier file, as there.
	for i, err := range errs {
		if err != nil {
			return err
		}
		built := filepath.Join(work, "top", fmt.Sprint(i), "out")
		if err := LinkTree(built, repo); err != nil {
			return err
		}
	}
	lookaside := filepath.Join(out, "repo-krb5-lookaside")
	if err := os.MkdirAll(lookaside, 0o755); err != nil {
		return err
	}
	err := filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rpm") || !strings.Contains(d.Name(), "krb5") {
			return err
		}
		return copyFile(p, filepath.Join(lookaside, d.Name()))
	})
	if err != nil {
		return err
	}
	return nil
}
