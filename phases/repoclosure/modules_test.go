package repoclosure

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/modulemd/modtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// The repoclosure phase sees a modular tree as dnf repoclosure does
// (default streams active, with the platform the streams need): the same
// unresolved requirements, a default stream's broken package included,
// another stream's packages and the bare packages the default stream
// shadows left out.
func TestRepoclosureModularTreeMatchesDnf(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	c := treeCompose(t, "lenient")
	server := c.Variants[0]
	tree := c.Paths.Compose.Repository("x86_64", server)
	os.RemoveAll(filepath.Join(tree, "repodata"))
	modtest.WriteRepo(t, tree, modtest.NodejsPackages, modtest.NodejsYAML)
	lines, err := Check(context.Background(), c, "x86_64", server)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		// "nevra (repo): dep, dep" → "nevra: dep" per requirement.
		nevra, rest, _ := strings.Cut(l, " (")
		_, deps, _ := strings.Cut(rest, "): ")
		for _, d := range strings.Split(deps, ", ") {
			got = append(got, nevra+": "+d)
		}
	}
	sort.Strings(got)
	root := t.TempDir()
	out, _ := exec.Command(dnf, "-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir="+filepath.Join(root, "cache"), "--setopt=module_platform_id=platform:el9",
		"--repofrompath", "t,file://"+tree, "--repo", "t", "repoclosure", "--check", "t").Output()
	var want []string
	var pkg string
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "package: "):
			pkg, _, _ = strings.Cut(strings.TrimPrefix(l, "package: "), " from ")
		case strings.HasPrefix(l, "    "):
			want = append(want, pkg+": "+strings.TrimSpace(l))
		}
	}
	sort.Strings(want)
	if len(want) != 4 || !reflect.DeepEqual(got, want) {
		t.Errorf("repoclosure phase %v\ndnf repoclosure     %v", got, want)
	}
}
