package kojitest

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// RPMSpec describes a tiny content-only package for MakeBuild.
type RPMSpec struct {
	Name, Version, Release string
	Epoch                  string   // "" for none
	Arches                 []string // binary arches ("noarch", "x86_64", …); a src.rpm is always built
	Requires, Provides     []string
	// SigKeys get signed copies (byte copies: the test hub does not verify
	// signatures) under data/signed/KEY/ARCH/. Unsigned copies are written
	// unless NoUnsigned.
	SigKeys    []string
	NoUnsigned bool
}

// MakeBuild builds the package with rpmbuild and lays it out under
// topdir/packages as Koji does. Call ScanPackages afterwards. It skips the
// test when rpmbuild is missing.
func MakeBuild(t testing.TB, topdir string, s RPMSpec) {
	t.Helper()
	toolcheck.Need(t, "rpmbuild")
	work := t.TempDir()
	var spec strings.Builder
	fmt.Fprintf(&spec, "Name: %s\nVersion: %s\nRelease: %s\nSummary: test package %s\nLicense: MIT\n", s.Name, s.Version, s.Release, s.Name)
	if s.Epoch != "" {
		fmt.Fprintf(&spec, "Epoch: %s\n", s.Epoch)
	}
	for _, r := range s.Requires {
		fmt.Fprintf(&spec, "Requires: %s\n", r)
	}
	for _, p := range s.Provides {
		fmt.Fprintf(&spec, "Provides: %s\n", p)
	}
	fmt.Fprintf(&spec, "\n%%description\ntest package %s\n\n%%install\nmkdir -p %%{buildroot}/usr/share/%s\necho %s > %%{buildroot}/usr/share/%s/data\n\n%%files\n/usr/share/%s\n", s.Name, s.Name, s.Name, s.Name, s.Name)
	specPath := filepath.Join(work, s.Name+".spec")
	if err := os.WriteFile(specPath, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	arches := s.Arches
	if len(arches) == 0 {
		arches = []string{"noarch"}
	}
	build := func(args ...string) {
		cmd := exec.Command("rpmbuild", append([]string{"--nodeps", "--define", "_topdir " + work, "--quiet"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %v: %v\n%s", args, err, out)
		}
	}
	build("-bs", specPath)
	for _, a := range arches {
		if a == "noarch" {
			build("-bb", "--define", "_build_arch noarch", "--define", "_target_cpu noarch", "--target", "noarch", specPath)
			continue
		}
		build("-bb", "--target", a, specPath)
	}
	pkgDir := filepath.Join(topdir, "packages", s.Name, s.Version, s.Release)
	var rpms []string
	srpms, _ := filepath.Glob(filepath.Join(work, "SRPMS", "*.rpm"))
	brpms, _ := filepath.Glob(filepath.Join(work, "RPMS", "*", "*.rpm"))
	rpms = append(srpms, brpms...)
	for _, f := range rpms {
		base := filepath.Base(f)
		arch := strings.TrimSuffix(base, ".rpm")
		arch = arch[strings.LastIndex(arch, ".")+1:]
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var dests []string
		if !s.NoUnsigned {
			dests = append(dests, filepath.Join(pkgDir, arch, base))
		}
		for _, k := range s.SigKeys {
			dests = append(dests, filepath.Join(pkgDir, "data", "signed", strings.ToLower(k), arch, base))
		}
		for _, d := range dests {
			if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(d, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// LayoutRepo lays the packages of the rpm-md repository repoDir out under
// topdir/packages as Koji builds, one per source package
// (packages/N/V/R/ARCH/FILE, hard links where possible); the rpms of the
// source packages named in signed also get copies signed by key
// (data/signed/KEY/ARCH/). It returns the builds' NVRs, sorted. Call
// ScanPackages afterwards.
func LayoutRepo(t testing.TB, topdir, repoDir, key string, signed ...string) []string {
	t.Helper()
	repo, err := repomd.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	nvrs := map[string]bool{}
	for _, p := range repo.Packages {
		src := p.SourceName()
		if p.IsSource() {
			src = p.Name
		}
		nvrs[src+"-"+p.Version+"-"+p.Release] = true
		build := filepath.Join(topdir, "packages", src, p.Version, p.Release)
		dirs := []string{filepath.Join(build, p.Arch)}
		if slices.Contains(signed, src) {
			dirs = append(dirs, filepath.Join(build, "data", "signed", key, p.Arch))
		}
		for _, d := range dirs {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(d, p.FileName())
			if os.Link(repo.PackagePath(p), dest) != nil {
				data, err := os.ReadFile(repo.PackagePath(p))
				if err == nil {
					err = os.WriteFile(dest, data, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(nvrs))
}

// UseProfile writes a koji configuration with a profile name pointing at
// the hub (server and topdir) and points PUNGO_KOJI_CONFIG at it for the
// rest of the test.
func (h *Hub) UseProfile(t testing.TB, name string) {
	t.Helper()
	prof := filepath.Join(t.TempDir(), "koji.conf")
	if err := os.WriteFile(prof, []byte(fmt.Sprintf("[%s]\nserver = %s\ntopdir = %s\n", name, h.URL(), h.TopDir)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
}
