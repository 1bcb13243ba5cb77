package comps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// dnfGroups builds a package-less repository around c with pungo's
// createrepo --groupfile (or createrepo_c's, as a cross-check) and returns
// what dnf prints for the given group subcommand.
func dnfGroups(t *testing.T, c *Comps, withCreaterepoC bool, args ...string) string {
	t.Helper()
	dnf := toolcheck.Need(t, "dnf")[0]
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	os.MkdirAll(repo, 0o755)
	groupfile := filepath.Join(dir, "comps.xml")
	if err := c.WriteFile(groupfile); err != nil {
		t.Fatal(err)
	}
	if withCreaterepoC {
		cr := toolcheck.Need(t, "createrepo_c")[0]
		if out, err := exec.Command(cr, "-q", "--groupfile", groupfile, repo).CombinedOutput(); err != nil {
			t.Fatalf("createrepo_c: %v\n%s", err, out)
		}
	} else if _, err := createrepo.Run(repo, createrepo.Options{GroupFile: groupfile, Database: true}); err != nil {
		t.Fatalf("pungo createrepo: %v", err)
	}
	cmd := append([]string{"-q", "--installroot", filepath.Join(dir, "root"), "--releasever", "1",
		"--setopt=reposdir=/dev/null", "--repofrompath", "r,file://" + repo, "--repo", "r", "--nogpgcheck"}, args...)
	out, err := exec.Command(dnf, cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("dnf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestDnfReadsFilteredRealComps(t *testing.T) {
	for _, tc := range []struct {
		repo, arch  string
		createrepoC bool
	}{
		{"cs9-appstream", "x86_64", false},
		{"cs9-appstream", "aarch64", false},
		{"cs9-baseos", "aarch64", false},
		{"cs9-baseos", "x86_64", true},
	} {
		t.Run(tc.repo+"/"+tc.arch, func(t *testing.T) {
			c := realComps(t, tc.repo)
			c.Filter(FilterOptions{Arch: tc.arch})
			out := dnfGroups(t, c, tc.createrepoC, "group", "list", "--hidden", "-v")
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
	out := dnfGroups(t, v, false, "group", "info", "container-management")
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
	if list := dnfGroups(t, v, false, "group", "list"); strings.Contains(list, "Container Management") {
		t.Errorf("uservisible=false override ignored by dnf:\n%s", list)
	}
}
