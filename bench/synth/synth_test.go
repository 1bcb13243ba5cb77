package synth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestGenerateShape(t *testing.T) {
	dir, srcDir := t.TempDir(), t.TempDir()
	opts := Options{Binary: 2000, Source: 900, SourceDir: srcDir}
	if err := Generate(dir, opts); err != nil {
		t.Fatal(err)
	}
	bin, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := repomd.Open(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bin.Packages) != 2000 || len(src.Packages) != 900 {
		t.Fatalf("%d binary, %d source packages; want 2000, 900", len(bin.Packages), len(src.Packages))
	}
	srpms := map[string]bool{}
	for _, p := range src.Packages {
		if p.Arch != "src" {
			t.Fatalf("%s in the source repository", p.NEVRA())
		}
		srpms[p.FileName()] = true
	}
	var i686, shReq, rich, recommends, fileReq, soname int
	versions := map[string]map[string]bool{}
	for _, p := range bin.Packages {
		if !srpms[p.SourceRPM] {
			t.Errorf("%s: sourcerpm %q is not among the source packages", p.NEVRA(), p.SourceRPM)
		}
		self := repomd.Dep{Name: p.Name, Flags: repomd.DepEQ, EVR: p.EVR}
		if p.Provides.Len() == 0 || repomd.CompareEVR(p.Provides.At(0).EVR, p.EVR) != 0 || p.Provides.At(0).Name != p.Name {
			t.Errorf("%s does not provide %s first", p.NEVRA(), self)
		}
		if p.Arch == "i686" {
			i686++
		}
		for _, r := range p.Requires.All() {
			switch {
			case r.Name == "/bin/sh":
				shReq++
			case r.IsRich():
				rich++
				if _, err := repomd.ParseRich(r.Name); err != nil {
					t.Error(err)
				}
			case strings.HasPrefix(r.Name, "/"):
				fileReq++
			case strings.Contains(r.Name, ".so.") && strings.HasSuffix(r.Name, "(64bit)"):
				soname++
			}
		}
		recommends += p.Recommends.Len()
		if versions[p.Name+"."+p.Arch] == nil {
			versions[p.Name+"."+p.Arch] = map[string]bool{}
		}
		versions[p.Name+"."+p.Arch][p.EVR.String()] = true
	}
	multi := 0
	for _, v := range versions {
		if len(v) > 1 {
			multi++
		}
	}
	if i686 < 40 || i686 > 100 {
		t.Errorf("%d i686 packages of 2000, want about 4%%", i686)
	}
	for name, n := range map[string]int{"/bin/sh requires": shReq, "rich requires": rich, "recommends": recommends,
		"other file requires": fileReq, "soname requires": soname, "names with several versions": multi} {
		if n == 0 {
			t.Errorf("no %s", name)
		}
	}
	if soname < 2000 {
		t.Errorf("only %d soname requires", soname)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := Generate(d, Options{Binary: 500, Source: 200, Seed: 7}); err != nil {
			t.Fatal(err)
		}
	}
	ra, _ := os.ReadFile(filepath.Join(a, "repodata", "repomd.xml"))
	rb, _ := os.ReadFile(filepath.Join(b, "repodata", "repomd.xml"))
	if !bytes.Equal(ra, rb) {
		t.Error("two runs with the same seed wrote different repomd.xml")
	}
	c := t.TempDir()
	if err := Generate(c, Options{Binary: 500, Source: 200, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	rc, _ := os.ReadFile(filepath.Join(c, "repodata", "repomd.xml"))
	if bytes.Equal(ra, rc) {
		t.Error("a different seed wrote the same repository")
	}
	if err := Generate(t.TempDir(), Options{Compress: "lz4"}); err == nil {
		t.Error("unknown compression accepted")
	}
}

// TestLibsolvReadsIt loads a generated repository into libsolv and checks
// that every binary package's requires has a provider (file requires
// through filelists), so depsolving benchmarks see a closed repository.
func TestLibsolvReadsIt(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	dir := t.TempDir()
	if err := Generate(dir, Options{Binary: 3000, Source: 1300, Compress: "zst"}); err != nil {
		t.Fatal(err)
	}
	script := `
import solv, glob, sys
pool = solv.Pool(); pool.setdisttype(solv.Pool.DISTTYPE_RPM); pool.setarch("x86_64")
repo = pool.add_repo("r")
d = sys.argv[1]
f = solv.xfopen(glob.glob(d + "/repodata/*-primary.xml*")[0]); repo.add_rpmmd(f, None, 0); f.close()
f = solv.xfopen(glob.glob(d + "/repodata/*-filelists.xml*")[0]); repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES); f.close()
pool.addfileprovides(); pool.createwhatprovides()
bad = set()
for s in pool.solvables_iter():
    if s.arch == "src":
        continue
    for dep in s.lookup_deparray(solv.SOLVABLE_REQUIRES, -1) + s.lookup_deparray(solv.SOLVABLE_REQUIRES, 1):
        if not pool.whatprovides(dep):
            bad.add(str(dep))
print(repo.nsolvables, len(bad), sorted(bad)[:5])
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "zst") || strings.Contains(string(out), "xfopen") {
			t.Skipf("this libsolv cannot read zstd: %s", out)
		}
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "4300 0 []" {
		t.Errorf("libsolv: %s, want 4300 packages and no unresolved requires", got)
	}
}
