package rpmfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestReadArchTags reads ExclusiveArch/ExcludeArch from a source package
// (where rpmbuild writes them) and from a binary one (where it does not).
func TestReadArchTags(t *testing.T) {
	toolcheck.Need(t, "rpmbuild")
	dir := t.TempDir()
	spec := filepath.Join(dir, "tags.spec")
	host := runtime.GOARCH
	if host == "amd64" {
		host = "x86_64"
	} else if host == "arm64" {
		host = "aarch64"
	}
	os.WriteFile(spec, []byte("Name: tags\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"+
		"ExclusiveArch: "+host+" noarch\nExcludeArch: s390x ppc64le\n\n%description\nd\n\n%files\n"), 0o644)
	if out, err := exec.Command("rpmbuild", "--nodeps", "-ba", "--define", "_topdir "+dir, spec).CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		file               string
		exclusive, exclude string
	}{
		{"SRPMS/tags-1-1.src.rpm", host + " noarch", "s390x ppc64le"},
		{"RPMS/noarch/tags-1-1.noarch.rpm", "", ""},
	} {
		exclusive, exclude, err := ReadArchTags(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(exclusive, " "); got != tc.exclusive {
			t.Errorf("%s: ExclusiveArch %q, want %q", tc.file, got, tc.exclusive)
		}
		if got := strings.Join(exclude, " "); got != tc.exclude {
			t.Errorf("%s: ExcludeArch %q, want %q", tc.file, got, tc.exclude)
		}
	}
	// A truncated header is an error naming the file.
	src, _ := os.ReadFile(filepath.Join(dir, "SRPMS/tags-1-1.src.rpm"))
	cut := filepath.Join(dir, "cut.rpm")
	os.WriteFile(cut, src[:200], 0o644)
	if _, _, err := ReadArchTags(cut); err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("truncated file: %v", err)
	}
}
