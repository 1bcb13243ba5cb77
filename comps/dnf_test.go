package comps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// dnfGroups builds a package-less repository around c with createrepo_c
// --groupfile and returns what dnf prints for the given group subcommand.
// TODO(H5): switch to `pungo createrepo --groupfile` once it exists.
func dnfGroups(t *testing.T, c *Comps, args ...string) string {
	t.Helper()
	tools := toolcheck.Need(t, "createrepo_c", "dnf")
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	os.MkdirAll(repo, 0o755)
	groupfile := filepath.Join(dir, "comps.xml")
	if err := c.WriteFile(groupfile); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tools[0], "-q", "--groupfile", groupfile, repo).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	cmd := append([]string{"-q", "--installroot", filepath.Join(dir, "root"), "--releasever", "1",
		"--setopt=reposdir=/dev/null", "--repofrompath", "r,file://" + repo, "--repo", "r", "--nogpgcheck"}, args...)
	out, err := exec.Command(tools[1], cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("dnf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestDnfReadsFilteredRealComps(t *testing.T) {
	for _, tc := range []struct{ repo, arch string }{
		{"cs9-appstream", "x86_64"},
		{"cs9-baseos", "aarch64"},
	} {
		t.Run(tc.repo+"/"+tc.arch, func(t *testing.T) {
			c := realComps(t, tc.repo)
			c.Filter(FilterOptions{Arch: tc.arch})
			out := dnfGroups(t, c, "group", "list", "--hidden", "-v")
			for _, g := range c.Groups {
				if !strings.Contains(out, "("+g.ID+")") {
					t.Errorf("dnf does not list group %s", g.ID)
				}
			}
			for _, e := range c.Environments {
				if !strings.Contains(out, e.Name+" ("+e.ID+")") {
					t.Errorf("dnf does not list environment %s", e.ID)
				}
			}
		})
	}
}

func TestDnfGroupInfo(t *testing.T) {
	c := realComps(t, "cs9-appstream")
	v, _ := FilterForVariant(c, VariantFilter{Arch: "x86_64", VariantUID: "AppStream", VariantType: "variant",
		Groups: []VariantGroup{{Name: "container-*", Glob: true, UserVisible: boolp(false)}}, FilterEnvironments: true})
	g := v.Group("container-management")
	if g == nil || len(v.Groups) != 1 {
		t.Fatalf("variant comps groups: %+v", v.Groups)
	}
	out := dnfGroups(t, v, "group", "info", "container-management")
	sections := map[string]string{TypeMandatory: "Mandatory Packages:", TypeDefault: "Default Packages:", TypeOptional: "Optional Packages:"}
	for _, p := range g.Packages {
		head, ok := sections[p.Type]
		if !ok {
			continue
		}
		i := strings.Index(out, head)
		if i < 0 || !strings.Contains(out[i:], "   "+p.Name+"\n") {
			t.Errorf("dnf group info lacks %s package %s:\n%s", p.Type, p.Name, out)
		}
	}
	if list := dnfGroups(t, v, "group", "list"); strings.Contains(list, "Container Management") {
		t.Errorf("uservisible=false override ignored by dnf:\n%s", list)
	}
}
