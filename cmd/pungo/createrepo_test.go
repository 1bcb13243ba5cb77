package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo/createrepotest"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func groupFile() string {
	return filepath.Join(toolcheck.ProjectRoot(), "testdata", "createrepo", "comps.xml")
}

// flagSets are run through both createrepo_c and pungo createrepo verbatim.
var flagSets = [][]string{
	{},
	{"--no-database"},
	{"--database", "--simple-md-filenames", "--checksum", "sha512", "--baseurl", "http://example.com/repo/", "--changelog-limit", "3", "--groupfile", groupFile()},
	{"--no-database", "--general-compress-type", "xz", "--distro", "cpe:/o:pungo:1,Pungo 1", "--content", "binary-x86_64", "--repo", "test", "--revision", "7"},
	{"--checksum", "sha1", "--xz", "--excludes", "*debuginfo*", "--workers", "1", "--unique-md-filenames"},
	// The group file copy follows --xz / --compress-type.
	{"--groupfile", groupFile(), "--xz"},
	{"--groupfile", groupFile(), "--compress-type", "bz2", "--no-database"},
	{"--groupfile", groupFile(), "--general-compress-type", "bz2", "--compress-type", "xz"},
	// createrepo_c writes "sha" as given, takes md5, and any case.
	{"--no-database", "--checksum", "sha"},
	{"--no-database", "-s", "MD5"},
	// Both naming flags: the simple names win.
	{"--no-database", "--unique-md-filenames", "--simple-md-filenames"},
}

// TestCreaterepoExcludesMatchCreaterepoC runs --excludes patterns through
// both tools over a tree with subdirectories: in the walk createrepo_c
// matches the file name, the path below the directory and, to skip a whole
// directory, the directory's name; with --pkglist only the listed path.
func TestCreaterepoExcludesMatchCreaterepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	corpus := rpmtest.Corpus(t)
	tree := filepath.Join(t.TempDir(), "tree")
	var listed []string
	for _, f := range rpmtest.Files(t, corpus) {
		base := filepath.Base(f)
		rel := base
		switch {
		case strings.HasPrefix(base, "libfoo"):
			rel = "sub/" + base
		case strings.HasPrefix(base, "multi"):
			rel = "sub/deeper/" + base
		}
		dst := filepath.Join(tree, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Link(f, dst); err != nil {
			b, _ := os.ReadFile(f)
			os.WriteFile(dst, b, 0o644)
		}
		listed = append(listed, rel)
	}
	list := filepath.Join(t.TempDir(), "pkglist")
	os.WriteFile(list, []byte(strings.Join(listed, "\n")+"\n"), 0o644)
	for _, c := range []struct {
		pattern string
		pkglist bool
		want    int // packages left
	}{
		{"multi*", false, 7},     // file name
		{"sub/*", false, 3},      // path below the directory
		{"deeper", false, 7},     // a directory's name
		{"su?", false, 3},        //   with a glob
		{"sub/deeper", false, 9}, // not a directory's path
		{"deeper/*", false, 9},   // nor a path suffix
		{"*debuginfo*", false, 8},
		{"multi*", true, 9}, // listed paths: not the file name alone
		{"sub/*", true, 3},
		{"*/multi*", true, 7},
		{"deeper", true, 9},
	} {
		t.Run(fmt.Sprintf("%s/pkglist=%v", c.pattern, c.pkglist), func(t *testing.T) {
			flags := []string{"--no-database", "--excludes", c.pattern}
			if c.pkglist {
				flags = append(flags, "--pkglist", list)
			}
			cr, p := buildBoth(t, tree, flags...)
			createrepotest.Compare(t, cr, p)
			r, err := repomd.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Packages) != c.want {
				t.Errorf("%d packages, want %d", len(r.Packages), c.want)
			}
		})
	}
}

// TestCreaterepoRelativeGroupfile: like createrepo_c, a relative
// --groupfile is found in DIR, not in the working directory.
func TestCreaterepoRelativeGroupfile(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	dir := t.TempDir()
	for _, f := range rpmtest.Files(t, rpmtest.Corpus(t))[:2] {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
	}
	b, _ := os.ReadFile(groupFile())
	os.WriteFile(filepath.Join(dir, "in-dir-comps.xml"), b, 0o644)
	c, p := buildBoth(t, dir, "--no-database", "--groupfile", "in-dir-comps.xml")
	createrepotest.Compare(t, c, p)
	r, err := repomd.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if rec, ok := r.Record("group"); !ok || !strings.HasSuffix(rec.Href, "in-dir-comps.xml") {
		t.Errorf("group record %+v", rec)
	}
}

// TestCreaterepoOutOfRangeNumbers: like createrepo_c, --workers outside
// 1..100 and a changelog limit below -1 fall back to the defaults with a
// warning, and the repository is the one the defaults give.
func TestCreaterepoOutOfRangeNumbers(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	corpus := rpmtest.Corpus(t)
	for _, flags := range [][]string{{"--workers", "0"}, {"--workers", "101"}, {"--changelog-limit", "-2"}} {
		out := t.TempDir()
		code, _, stderr := runCLI(t, runCreaterepo, append(append([]string{"-q", "--no-database", "--outputdir", out}, flags...), corpus)...)
		if code != 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "warning: wrong") {
			t.Errorf("%v: exit %d, stderr %q", flags, code, stderr)
		}
		c, _ := buildBoth(t, corpus, append([]string{"--no-database"}, flags...)...)
		createrepotest.Compare(t, c, out)
	}
}

// TestCreaterepoUpdateMDPathWithoutUpdate: createrepo_c only warns.
func TestCreaterepoUpdateMDPathWithoutUpdate(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	out := t.TempDir()
	code, _, stderr := runCLI(t, runCreaterepo, "-q", "--outputdir", out, "--update-md-path", "/nonexistent", corpus)
	if code != 0 || !strings.Contains(stderr, "warning: --update-md-path has no effect without --update") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestCreaterepoMatchesCreaterepoC is the acceptance test: on the built
// corpus and on RPMs nobody here wrote, pungo createrepo and createrepo_c
// run with the same flags produce the same uncompressed primary, filelists
// and other XML byte for byte, repodiff finds nothing, and the sqlite
// databases hold the same rows.
func TestCreaterepoMatchesCreaterepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	dirs := map[string]string{"corpus": rpmtest.Corpus(t)}
	if ext := externalOrSkip(t); ext != "" {
		dirs["go-rpmutils"] = ext
	}
	t.Run("legacy", func(t *testing.T) { dirs["centos-releases"] = rpmtest.Legacy(t) })
	for label, dir := range dirs {
		for i, flags := range flagSets {
			if label != "corpus" && i > 1 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s", label, strings.Join(flags, "_")), func(t *testing.T) {
				tmp := t.TempDir()
				want, got := filepath.Join(tmp, "c"), filepath.Join(tmp, "pungo")
				os.Mkdir(want, 0o755)
				os.Mkdir(got, 0o755)
				args := append(append([]string{"-q", "--outputdir", want}, flags...), dir)
				if out, err := exec.Command("createrepo_c", args...).CombinedOutput(); err != nil {
					t.Fatalf("createrepo_c %v: %v\n%s", args, err, out)
				}
				args[2] = got
				if code, _, stderr := runCLI(t, runCreaterepo, args...); code != 0 {
					t.Fatalf("pungo createrepo %v: exit %d: %s", args, code, stderr)
				}
				createrepotest.Compare(t, want, got)
			})
		}
	}
}

func externalOrSkip(t *testing.T) (dir string) {
	t.Run("external", func(t *testing.T) { dir = rpmtest.External(t) })
	return dir
}

// buildBoth indexes dir with createrepo_c and with pungo createrepo (same
// flags) and returns the two output directories.
func buildBoth(t *testing.T, dir string, flags ...string) (c, p string) {
	t.Helper()
	tmp := t.TempDir()
	c, p = filepath.Join(tmp, "c"), filepath.Join(tmp, "pungo")
	os.Mkdir(c, 0o755)
	os.Mkdir(p, 0o755)
	args := append(append([]string{"-q", "--outputdir", c}, flags...), dir)
	if out, err := exec.Command("createrepo_c", args...).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	args[2] = p
	if code, _, stderr := runCLI(t, runCreaterepo, args...); code != 0 {
		t.Fatalf("pungo createrepo: exit %d: %s", code, stderr)
	}
	return c, p
}

// TestDnfReadsPungoRepo: dnf answers repoquery (every tag, including files
// from filelists and changelogs from other) and repoclosure identically on
// both repositories.
func TestDnfReadsPungoRepo(t *testing.T) {
	toolcheck.Need(t, "createrepo_c", "dnf")
	c, p := buildBoth(t, rpmtest.Corpus(t))
	const qf = "%{name}-%{evr}.%{arch}|%{requires}|%{provides}|%{files}|%{sourcerpm}|%{recommends}|%{supplements}|%{obsoletes}|%{conflicts}|%{suggests}|%{enhances}|%{buildtime}|%{installsize}|%{downloadsize}|%{license}|%{url}|%{summary}|%{location}|%{changelogs}"
	dnf := func(repo string, args ...string) string {
		root := t.TempDir()
		base := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--repofrompath", "r,file://" + repo, "--repo", "r", "--nogpgcheck"}
		out, _ := exec.Command("dnf", append(base, args...)...).CombinedOutput() // repoclosure exits 1 on unresolved deps
		return string(out)
	}
	for _, args := range [][]string{
		{"repoquery", "--qf", qf},
		{"repoquery", "--whatprovides", "/usr/share/alpha/data.txt"},
		{"repoquery", "--whatrequires", "libfoo"},
		{"repoclosure"},
	} {
		want, got := dnf(c, args...), dnf(p, args...)
		if want != got {
			t.Errorf("dnf %v differs:\ncreaterepo_c:\n%s\npungo:\n%s", args, want, got)
		}
		if len(want) < 20 {
			t.Errorf("dnf %v printed almost nothing: %q", args, want)
		}
	}
}

const solvScript = `
import sys, solv
import xml.etree.ElementTree as ET
ns = {'r': 'http://linux.duke.edu/metadata/repo'}
pool = solv.Pool()
pool.setdisttype(solv.Pool.DISTTYPE_RPM)
pool.setarch('x86_64')
top = sys.argv[1]
repo = pool.add_repo('r')
md = ET.parse(top + '/repodata/repomd.xml').getroot()
for d in md.findall('r:data', ns):
    href = d.find('r:location', ns).get('href')
    if d.get('type') == 'primary':
        repo.add_rpmmd(solv.xfopen(top + '/' + href), None, 0)
for d in md.findall('r:data', ns):
    href = d.find('r:location', ns).get('href')
    if d.get('type') == 'filelists':
        repo.add_rpmmd(solv.xfopen(top + '/' + href), None, solv.Repo.REPO_EXTEND_SOLVABLES)
pool.addfileprovides()
pool.createwhatprovides()
out = []
for s in repo.solvables:
    deps = []
    for k in (solv.SOLVABLE_PROVIDES, solv.SOLVABLE_REQUIRES, solv.SOLVABLE_CONFLICTS, solv.SOLVABLE_OBSOLETES,
              solv.SOLVABLE_RECOMMENDS, solv.SOLVABLE_SUGGESTS, solv.SOLVABLE_SUPPLEMENTS, solv.SOLVABLE_ENHANCES):
        deps.append(','.join(sorted(str(d) for d in s.lookup_deparray(k))))
    out.append(str(s) + ' ' + s.lookup_checksum(solv.SOLVABLE_CHECKSUM).hex() + ' ' + ' | '.join(deps))
for cap in ('/usr/share/alpha/data.txt', '/usr/bin/alpha', 'libfoo.so.1()(64bit)', 'alpha-api'):
    out.append(cap + ' <- ' + ','.join(sorted(str(s) for s in pool.whatprovides(pool.Dep(cap)))))
print('\n'.join(sorted(out)))
`

// TestSolvReadsPungoRepo: libsolv (python3-solv, rpm disttype) loads the
// same solvables, dependencies and file provides from both repositories.
func TestSolvReadsPungoRepo(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	py := toolcheck.NeedPython3Solv(t)
	c, p := buildBoth(t, rpmtest.Corpus(t), "--no-database")
	run := func(repo string) string {
		out, err := exec.Command(py, "-c", solvScript, repo).CombinedOutput()
		if err != nil {
			t.Fatalf("python3-solv on %s: %v\n%s", repo, err, out)
		}
		return string(out)
	}
	want, got := run(c), run(p)
	if want != got {
		t.Errorf("libsolv sees different repositories:\ncreaterepo_c:\n%s\npungo:\n%s", want, got)
	}
	if !strings.Contains(want, "/usr/share/alpha/data.txt <- alpha-2:1.0-1.noarch") {
		t.Errorf("libsolv found no file provide in:\n%s", want)
	}
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

// TestCreaterepoBadInput: each bad input gives exit 2 and a one-line error
// naming the file, and the repodata written before stays as it was.
func TestCreaterepoBadInput(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string) (args []string, names string)
	}{
		{"truncated rpm", func(t *testing.T, dir string) ([]string, string) {
			b, _ := os.ReadFile(filepath.Join(dir, "alpha-1.0-1.noarch.rpm"))
			bad := filepath.Join(dir, "zz-truncated-1-1.noarch.rpm")
			os.WriteFile(bad, b[:1000], 0o644)
			return []string{"--strict", dir}, bad // without it: skipped (TestCreaterepoBadRPMs)
		}},
		{"corrupt header", func(t *testing.T, dir string) ([]string, string) {
			b, _ := os.ReadFile(filepath.Join(dir, "multi-0.9-1.x86_64.rpm"))
			b[96] = 0
			bad := filepath.Join(dir, "aa-corrupt-1-1.noarch.rpm")
			os.WriteFile(bad, b, 0o644)
			return []string{"--strict", dir}, bad
		}},
		{"pkglist names a missing file", func(t *testing.T, dir string) ([]string, string) {
			list := filepath.Join(t.TempDir(), "pkglist")
			os.WriteFile(list, []byte("alpha-1.0-1.noarch.rpm\nmissing-1-1.noarch.rpm\n"), 0o644)
			return []string{"--pkglist", list, dir}, "missing-1-1.noarch.rpm"
		}},
		{"pkglist does not exist", func(t *testing.T, dir string) ([]string, string) {
			return []string{"--pkglist", "/nonexistent/pkglist", dir}, "/nonexistent/pkglist"
		}},
		{"output dir is a file", func(t *testing.T, dir string) ([]string, string) {
			f := filepath.Join(t.TempDir(), "file")
			os.WriteFile(f, nil, 0o644)
			return []string{"--outputdir", f, dir}, f
		}},
		{"unwritable output dir", func(t *testing.T, dir string) ([]string, string) {
			if os.Geteuid() == 0 {
				t.Skip("root writes anywhere; the file-as-directory case stands in")
			}
			ro := filepath.Join(t.TempDir(), "ro")
			os.Mkdir(ro, 0o555)
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return []string{"--outputdir", ro, dir}, ro
		}},
		{"missing groupfile", func(t *testing.T, dir string) ([]string, string) {
			return []string{"--groupfile", "/nonexistent/comps.xml", dir}, "/nonexistent/comps.xml"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range rpmtest.Files(t, corpus) {
				b, _ := os.ReadFile(f)
				os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
			}
			if code, _, stderr := runCLI(t, runCreaterepo, "-q", dir); code != 0 {
				t.Fatalf("first run: %d %s", code, stderr)
			}
			before := sha(t, filepath.Join(dir, "repodata", "repomd.xml"))
			args, names := c.setup(t, dir)
			code, _, stderr := runCLI(t, runCreaterepo, append([]string{"-q"}, args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, names) || !strings.HasPrefix(stderr, "pungo createrepo: ") {
				t.Errorf("stderr %q: want one line naming %s", stderr, names)
			}
			if after := sha(t, filepath.Join(dir, "repodata", "repomd.xml")); after != before {
				t.Error("repodata changed by a failed run")
			}
			if _, err := repomd.Open(dir); err != nil {
				t.Errorf("old repodata no longer loads: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".repodata") {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

// TestRepodiffCLI: exit 0 on the same content, 1 with one line per
// difference, 2 on error.
func TestRepodiffCLI(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	tmp := t.TempDir()
	a, b, c := filepath.Join(tmp, "a"), filepath.Join(tmp, "b"), filepath.Join(tmp, "c")
	for _, d := range []string{a, b, c} {
		os.Mkdir(d, 0o755)
	}
	runCLI(t, runCreaterepo, "-q", "--outputdir", a, corpus)
	runCLI(t, runCreaterepo, "-q", "--outputdir", b, "--no-database", "--general-compress-type", "bz2", "--simple-md-filenames", corpus)
	runCLI(t, runCreaterepo, "-q", "--outputdir", c, "--excludes", "multi-0.9-1.i686.rpm", "--changelog-limit", "1", corpus)
	if code, out, _ := runCLI(t, runRepodiff, a, b); code != 1 || !strings.Contains(out, "record primary_db: A present, B absent") || strings.Count(out, "\n") != 3 {
		t.Errorf("a vs b (databases only in a): exit %d\n%s", code, out)
	}
	code, out, _ := runCLI(t, runRepodiff, a, c)
	if code != 1 || !strings.Contains(out, "multi-0.9-1.i686: only in A") || !strings.Contains(out, "alpha-2:1.0-1.noarch: changelogs:") {
		t.Errorf("a vs c: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, runRepodiff, a, a); code != 0 || out != "" {
		t.Errorf("a vs a: exit %d %q", code, out)
	}
	if code, _, stderr := runCLI(t, runRepodiff, a, filepath.Join(tmp, "nope")); code != 2 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("missing repo: exit %d %q", code, stderr)
	}
}

// TestModifyrepoMatchesModifyrepoC: adding productid and modules.yaml, then
// removing one, gives the same records (by content) as modifyrepo_c.
func TestModifyrepoMatchesModifyrepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c", "modifyrepo_c")
	c, p := buildBoth(t, rpmtest.Corpus(t))
	tmp := t.TempDir()
	productid := filepath.Join(tmp, "productid")
	modules := filepath.Join(tmp, "modules.yaml")
	os.WriteFile(productid, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o644)
	os.WriteFile(modules, []byte("---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: m\n...\n"), 0o644)
	// A compressed input goes in by its content, under its name without
	// the suffix.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte("---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: gz\n...\n"))
	zw.Close()
	modulesGz := filepath.Join(tmp, "packed.yaml.gz")
	os.WriteFile(modulesGz, zb.Bytes(), 0o644)
	steps := [][]string{
		{productid},
		{"--mdtype", "modules", modules},
		{"--compress-type", "xz", "--mdtype", "updateinfo", productid},
		{"--remove", "updateinfo"},
		{"--no-compress", "--mdtype", "plain", productid},
		{"--simple-md-filenames", "--mdtype", "simple", modules},
		{"--new-name", "renamed.yaml", "--mdtype", "renamed", modules},
		{"--checksum", "sha512", "--mdtype", "sha512", productid},
		{"--unique-md-filenames", "--simple-md-filenames", "--mdtype", "both", productid},
		{"--mdtype", "packed", modulesGz},
		{"--mdtype", "packedxz", "--compress-type", "xz", modulesGz},
		{"--no-compress", "--mdtype", "unpacked", modulesGz},
	}
	for _, s := range steps {
		if out, err := exec.Command("modifyrepo_c", append(s, filepath.Join(c, "repodata"))...).CombinedOutput(); err != nil {
			t.Fatalf("modifyrepo_c %v: %v\n%s", s, err, out)
		}
		if code, _, stderr := runCLI(t, runModifyrepo, append(s, filepath.Join(p, "repodata"))...); code != 0 {
			t.Fatalf("pungo modifyrepo %v: exit %d %s", s, code, stderr)
		}
	}
	createrepotest.Compare(t, c, p)
	rc, err := repomd.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repomd.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	// Same records in the same order, each with modifyrepo_c's fields.
	var wantTypes, gotTypes []string
	for _, rec := range rc.Records {
		wantTypes = append(wantTypes, rec.Type)
	}
	for _, rec := range r.Records {
		gotTypes = append(gotTypes, rec.Type)
		unprefixed := func(href string) string { _, b, _ := strings.Cut(path.Base(href), "-"); return b }
		if w, ok := rc.Record(rec.Type); ok && unprefixed(w.Href) != unprefixed(rec.Href) {
			t.Errorf("record %s: file %s, modifyrepo_c wrote %s", rec.Type, rec.Href, w.Href)
		}
		if w, ok := rc.Record(rec.Type); ok && (rec.Timestamp-w.Timestamp > 60 || w.Timestamp-rec.Timestamp > 60 || (rec.OpenSize == 0) != (w.OpenSize == 0) || rec.DatabaseVersion != w.DatabaseVersion) {
			t.Errorf("record %s: %+v, modifyrepo_c wrote %+v", rec.Type, rec, w)
		}
	}
	if fmt.Sprint(gotTypes) != fmt.Sprint(wantTypes) {
		t.Errorf("records %v, modifyrepo_c wrote %v", gotTypes, wantTypes)
	}
	for _, typ := range []string{"productid", "modules"} {
		if _, ok := r.Record(typ); !ok {
			t.Errorf("no %s record", typ)
		}
	}
	if _, ok := r.Record("updateinfo"); ok {
		t.Error("updateinfo not removed")
	}
	if code, _, stderr := runCLI(t, runModifyrepo, "--remove", "nosuch", filepath.Join(p, "repodata")); code != 2 || !strings.Contains(stderr, "repomd.xml") {
		t.Errorf("removing a missing type: exit %d %q", code, stderr)
	}
}

// TestCreaterepoPungiCommandLine runs the command line Pungi's
// CreaterepoWrapper builds for createrepo_c (directory first, --flag=value
// spellings, --pretty) through both tools. --basedir is checked on pungo
// alone: createrepo_c 0.17 cuts the wrong number of characters off the
// locations when the directory is relative to it.
func TestCreaterepoPungiCommandLine(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	corpus := rpmtest.Corpus(t)
	tmp := t.TempDir()
	list := filepath.Join(tmp, "pkglist")
	os.WriteFile(list, []byte("alpha-2.0-1.noarch.rpm\nlibfoo-1.2.3-4.x86_64.rpm\nlibfoo-devel-1.2.3-4.x86_64.rpm\n"), 0o644)
	c, p := filepath.Join(tmp, "c"), filepath.Join(tmp, "p")
	os.Mkdir(c, 0o755)
	os.Mkdir(p, 0o755)
	args := func(out string) []string {
		return []string{corpus, "--outputdir=" + out, "--pkglist=" + list,
			"--groupfile=" + groupFile(), "--update", "--skip-stat", "--database", "--checksum=sha256",
			"--unique-md-filenames", "--workers=3", "--xz", "--pretty", "-q"}
	}
	if out, err := exec.Command("createrepo_c", args(c)...).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	if code, _, stderr := runCLI(t, runCreaterepo, args(p)...); code != 0 {
		t.Fatalf("pungo createrepo: exit %d %s", code, stderr)
	}
	createrepotest.Compare(t, c, p)
	b := filepath.Join(tmp, "basedir")
	os.Mkdir(b, 0o755)
	withBase := args(b)
	withBase[0] = filepath.Base(corpus)
	withBase = append(withBase, "--basedir", filepath.Dir(corpus))
	if code, _, stderr := runCLI(t, runCreaterepo, withBase...); code != 0 {
		t.Fatalf("pungo createrepo --basedir: exit %d %s", code, stderr)
	}
	createrepotest.Compare(t, p, b)
}

// TestBadRepodataCLI damages a repository's metadata in the ways the issue
// lists and reads it through the commands that read repositories:
// repoquery and repodiff exit 2 with one line naming the damaged file;
// createrepo --update-md-path warns so in one line, as createrepo_c does,
// and builds the same repository as without it.
func TestBadRepodataCLI(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	for _, c := range []struct {
		name   string
		damage func(primary []byte) (newPrimary []byte, fixSum bool)
		file   string // named in the error
		why    string // and said
	}{
		{"truncated gzip", func(p []byte) ([]byte, bool) { return p[:len(p)/2], true }, "primary.xml.gz", "truncated"},
		{"checksum mismatch", func(p []byte) ([]byte, bool) { return gz([]byte("<metadata/>")), false }, "primary.xml.gz", "checksum mismatch"},
		{"invalid XML", func(p []byte) ([]byte, bool) {
			zr, _ := gzip.NewReader(bytes.NewReader(p))
			x, _ := io.ReadAll(zr)
			return gz(bytes.Replace(x, []byte("</name>"), []byte("</nam>"), 1)), true
		}, "primary.xml.gz:", "invalid XML"},
		{"invalid repomd.xml", nil, "repomd.xml:", "invalid XML"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := t.TempDir()
			if code, _, stderr := runCLI(t, runCreaterepo, "-q", "--no-database", "--simple-md-filenames", "--outputdir", bad, corpus); code != 0 {
				t.Fatal(stderr)
			}
			repomdPath := filepath.Join(bad, "repodata", "repomd.xml")
			md, _ := os.ReadFile(repomdPath)
			if c.damage == nil {
				md = bytes.Replace(md, []byte("</revision>"), nil, 1)
			} else {
				path := filepath.Join(bad, "repodata", "primary.xml.gz")
				old, _ := os.ReadFile(path)
				p, fix := c.damage(old)
				os.WriteFile(path, p, 0o644)
				if fix {
					md = bytes.Replace(md, []byte(fmt.Sprintf("%x", sha256.Sum256(old))), []byte(fmt.Sprintf("%x", sha256.Sum256(p))), 1)
					md = bytes.Replace(md, []byte(fmt.Sprintf("<size>%d</size>", len(old))), []byte(fmt.Sprintf("<size>%d</size>", len(p))), 1)
				}
			}
			os.WriteFile(repomdPath, md, 0o644)

			good := t.TempDir()
			runCLI(t, runCreaterepo, "-q", "--outputdir", good, corpus)
			before := sha(t, filepath.Join(good, "repodata", "repomd.xml"))
			for _, run := range []struct {
				name string
				f    func([]string) int
				args []string
			}{
				{"repoquery", runRepoquery, []string{"--repo", bad}},
				{"repodiff", runRepodiff, []string{good, bad}},
			} {
				code, _, stderr := runCLI(t, run.f, run.args...)
				if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "pungo "+run.name+": ") ||
					!strings.Contains(stderr, filepath.Join(bad, "repodata", c.file)) || !strings.Contains(stderr, c.why) {
					t.Errorf("%s: exit %d, stderr %q: want exit 2 and one line naming %s and saying %q", run.name, code, stderr, c.file, c.why)
				}
			}
			// createrepo_c only warns about --update-md-path metadata it
			// cannot read, and indexes the packages afresh.
			out := t.TempDir()
			code, _, stderr := runCLI(t, runCreaterepo, "-q", "--update", "--update-md-path", bad, "--outputdir", out, corpus)
			if code != 0 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "pungo createrepo: warning: --update-md-path: ") ||
				!strings.Contains(stderr, filepath.Join(bad, "repodata", c.file)) || !strings.Contains(stderr, c.why) {
				t.Errorf("createrepo --update-md-path: exit %d, stderr %q", code, stderr)
			}
			createrepotest.Compare(t, good, out)
			if sha(t, filepath.Join(good, "repodata", "repomd.xml")) != before {
				t.Error("reading bad repodata changed other repodata")
			}
		})
	}
}

// TestRepoCommandsArgumentCount: a wrong number of arguments is one line
// on stderr and exit 2, not the whole option list.
func TestRepoCommandsArgumentCount(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func([]string) int
		args []string
	}{
		{"createrepo", runCreaterepo, nil},
		{"createrepo", runCreaterepo, []string{"a", "b"}},
		{"modifyrepo", runModifyrepo, []string{"file"}},
		{"repodiff", runRepodiff, []string{"a"}},
	} {
		code, _, stderr := runCLI(t, c.run, c.args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "pungo "+c.name+": want ") {
			t.Errorf("%s %q: exit %d, stderr %q", c.name, c.args, code, stderr)
		}
	}
}

// TestCreaterepoUpdateMDPathMatchesCreaterepoC: with --update and an
// --update-md-path repository that createrepo_c wrote with other options,
// both tools reuse the old entries of the unchanged packages (so the old
// changelog limit shows through) under the new --baseurl, and write the
// same repository.
func TestCreaterepoUpdateMDPathMatchesCreaterepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c")
	corpus := rpmtest.Corpus(t)
	old := t.TempDir()
	if out, err := exec.Command("createrepo_c", "-q", "--no-database", "--changelog-limit", "1", "--outputdir", old, corpus).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	c, p := buildBoth(t, corpus, "--update", "--update-md-path", old, "--baseurl", "http://new/")
	createrepotest.Compare(t, c, p)
	r, err := repomd.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadOther(); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range r.Packages {
		if pkg.LocationBase != "http://new/" || len(pkg.Changelogs) > 1 {
			t.Errorf("%s: base %q, %d changelog entries: not the reused entry under the new base", pkg.NEVRA(), pkg.LocationBase, len(pkg.Changelogs))
		}
	}
}
