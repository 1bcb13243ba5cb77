package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/createrepo/createrepotest"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestCreaterepoZckMatchesCreaterepoC runs --zck flag sets through both
// createrepo_c and pungo createrepo: the same records (primary_zck,
// filelists_zck, other_zck, group_zck), each .zck verified by
// zck_read_header -f, unzck'd to the plain XML, chunked per source package
// exactly as createrepo_c chunks, with dictionaries made by zck_gen_zdict
// (and a dictionary directory without them); then modifyrepo --zck
// against modifyrepo_c --zck on the results, and dnf reads pungo's
// repository as it reads createrepo_c's.
func TestCreaterepoZckMatchesCreaterepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c", "modifyrepo_c", "unzck", "zck_read_header", "zck_gen_zdict")
	corpus := rpmtest.Corpus(t)
	dicts := createrepotest.Dicts(t, corpus)
	// A dictionary directory that also has one for modules.yaml, which
	// modifyrepo_c picks by the added file's name.
	withModules := t.TempDir()
	for _, n := range []string{"primary.xml", "filelists.xml", "other.xml"} {
		b, _ := os.ReadFile(filepath.Join(dicts, n+".zdict"))
		os.WriteFile(filepath.Join(withModules, n+".zdict"), b, 0o644)
	}
	b, _ := os.ReadFile(filepath.Join(dicts, "other.xml.zdict"))
	os.WriteFile(filepath.Join(withModules, "modules.yaml.zdict"), b, 0o644)
	empty := t.TempDir()
	modules := filepath.Join(t.TempDir(), "modules.yaml")
	os.WriteFile(modules, []byte("---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: m\n...\n"), 0o644)
	for _, flags := range [][]string{
		{"--zck"},
		{"--zck", "--zck-dict-dir", withModules, "--xz", "--groupfile", groupFile()},
		{"--zck", "--zck-dict-dir=" + dicts, "--no-database", "--simple-md-filenames", "--checksum", "sha512", "--changelog-limit", "1"},
		{"--zck", "--zck-dict-dir", empty, "--groupfile", groupFile(), "--general-compress-type", "xz"},
	} {
		t.Run(strings.Join(flags, "_"), func(t *testing.T) {
			c, p := buildBoth(t, corpus, flags...)
			createrepotest.Compare(t, c, p)
			// modifyrepo: the same record pair (modules, modules_zck).
			mflags := []string{"--zck"}
			if i := indexOf(flags, "--zck-dict-dir"); i >= 0 {
				mflags = append(mflags, "--zck-dict-dir", flags[i+1])
			}
			args := append(append([]string{}, mflags...), modules, filepath.Join(c, "repodata"))
			if out, err := exec.Command("modifyrepo_c", args...).CombinedOutput(); err != nil {
				t.Fatalf("modifyrepo_c %v: %v\n%s", args, err, out)
			}
			args[len(args)-1] = filepath.Join(p, "repodata")
			if code, _, stderr := runCLI(t, runModifyrepo, args...); code != 0 {
				t.Fatalf("pungo modifyrepo %v: exit %d: %s", args, code, stderr)
			}
			createrepotest.Compare(t, c, p)
		})
	}
	t.Run("dnf", func(t *testing.T) {
		toolcheck.Need(t, "dnf")
		c, p := buildBoth(t, corpus, "--zck", "--zck-dict-dir", dicts)
		const qf = "%{name}-%{evr}.%{arch}|%{requires}|%{provides}|%{files}|%{sourcerpm}|%{changelogs}"
		dnf := func(repo string) string {
			root := t.TempDir()
			out, err := exec.Command("dnf", "-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
				"--setopt=cachedir="+filepath.Join(root, "cache"), "--setopt=zchunk=True", "--repofrompath", "r,file://"+repo,
				"--repo", "r", "--nogpgcheck", "repoquery", "--qf", qf).CombinedOutput()
			if err != nil {
				t.Fatalf("dnf repoquery %s: %v\n%s", repo, err, out)
			}
			return string(out)
		}
		want, got := dnf(c), dnf(p)
		if want != got || len(want) < 100 {
			t.Errorf("dnf repoquery differs:\ncreaterepo_c:\n%s\npungo:\n%s", want, got)
		}
	})
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x || strings.HasPrefix(v, x+"=") {
			if v != x {
				return -1 // the value is in the same argument; handled by the caller's flags as given
			}
			return i
		}
	}
	return -1
}
