package installcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// This file lets tests ask libsolv (python3-solv) the same questions: the
// test packages are written as a tiny rpm-md repository (primary.xml and
// filelists.xml, enough for repo.add_rpmmd) and a script solves each install
// job with dnf's pool settings (DISTTYPE_RPM, the target arch, implicit
// obsoletes using colors) and the same multiversion capabilities.

// oracleScript reads a JSON list of {"repo": dir, "cases": [...]} from
// argv[1]; each dir holds repodata/primary.xml and filelists.xml. It prints,
// per repository and case, whether the job is installable, the sentences
// of every problem rule, and each problem's main sentence.
const oracleScript = `
import glob, json, sys, solv
def load(repo_dirs, arch):
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch(arch)
    pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
    byloc = {}
    for i, d in enumerate(repo_dirs):
        repo = pool.add_repo("r%d" % i)
        f = solv.xfopen(glob.glob(d + "/repodata/*primary.xml*")[0])
        repo.add_rpmmd(f, None, 0)
        f.close()
        for fl in glob.glob(d + "/repodata/*filelists.xml*"):
            f = solv.xfopen(fl)
            repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES)
            f.close()
        for s in repo.solvables:
            byloc["%d:%s" % (i, s.lookup_location()[0])] = s
    pool.addfileprovides()
    pool.createwhatprovides()
    return pool, byloc
result = []
for batch in json.load(open(sys.argv[1])):
    pools = {}
    out = []
    for case in batch["cases"]:
        if case["arch"] not in pools:
            pools[case["arch"]] = load(batch["repos"], case["arch"])
        pool, byloc = pools[case["arch"]]
        jobs = []
        for cap in case["multiversion"]:
            jobs.append(pool.Job(solv.Job.SOLVER_MULTIVERSION | solv.Job.SOLVER_SOLVABLE_PROVIDES, pool.str2id(cap)))
        for loc in case["install"]:
            jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE, byloc[loc].id))
        solver = pool.Solver()
        problems = solver.solve(jobs)
        out.append({"installable": not problems,
                    "problems": [[r.info().problemstr() for r in p.findallproblemrules()] for p in problems],
                    "main": [str(p) for p in problems]})
    result.append(out)
json.dump(result, sys.stdout)
`

// oracleCase is one job for libsolv.
type oracleCase struct {
	Arch         string   `json:"arch"`
	Install      []string `json:"install"` // "repo index:location"
	Multiversion []string `json:"multiversion"`
}

type oracleAnswer struct {
	Installable bool       `json:"installable"`
	Problems    [][]string `json:"problems"`
	Main        []string   `json:"main"`
}

// oracleBatch is one repository and the jobs asked over it; dirs, when
// set, are existing repositories to load instead of writing pkgs.
type oracleBatch struct {
	pkgs  []*repomd.Package
	cases []oracleCase
	dirs  []string
}

// askLibsolv writes each batch's packages as a repository under a temp dir
// and returns libsolv's answers, batch by batch, from one python3 run.
// Packages need unique Location values within a batch.
func askLibsolv(t testing.TB, py string, batches []oracleBatch) [][]oracleAnswer {
	t.Helper()
	dir := t.TempDir()
	type input struct {
		Repos []string     `json:"repos"`
		Cases []oracleCase `json:"cases"`
	}
	var in []input
	for i, b := range batches {
		if b.dirs != nil {
			in = append(in, input{b.dirs, b.cases})
			continue
		}
		repo := filepath.Join(dir, strconv.Itoa(i))
		if err := writeRepo(repo, b.pkgs); err != nil {
			t.Fatal(err)
		}
		in = append(in, input{[]string{repo}, b.cases})
	}
	script := filepath.Join(dir, "oracle.py")
	jobs := filepath.Join(dir, "jobs.json")
	data, _ := json.Marshal(in)
	if err := os.WriteFile(script, []byte(oracleScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jobs, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, jobs)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("libsolv oracle: %v\n%s", err, stderr.String())
	}
	var ans [][]oracleAnswer
	if err := json.Unmarshal(outb, &ans); err != nil {
		t.Fatalf("libsolv oracle output: %v", err)
	}
	if len(ans) != len(batches) {
		t.Fatalf("libsolv oracle answered %d of %d batches", len(ans), len(batches))
	}
	for i := range ans {
		if len(ans[i]) != len(batches[i].cases) {
			t.Fatalf("libsolv oracle answered %d of %d cases", len(ans[i]), len(batches[i].cases))
		}
	}
	return ans
}

var xmlFlags = map[repomd.DepFlag]string{repomd.DepEQ: "EQ", repomd.DepLT: "LT", repomd.DepLE: "LE", repomd.DepGT: "GT", repomd.DepGE: "GE"}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&quot;")
}

func pkgID(p *repomd.Package) string {
	sum := sha256.Sum256([]byte(p.Location))
	return hex.EncodeToString(sum[:])
}

// writeRepo writes primary.xml and filelists.xml (uncompressed) for pkgs.
func writeRepo(dir string, pkgs []*repomd.Package) error {
	if err := os.MkdirAll(filepath.Join(dir, "repodata"), 0o755); err != nil {
		return err
	}
	var prim, fl strings.Builder
	prim.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&prim, `<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">`+"\n", len(pkgs))
	fl.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&fl, `<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="%d">`+"\n", len(pkgs))
	deps := func(tag string, list repomd.DepList) {
		if list.Len() == 0 {
			return
		}
		fmt.Fprintf(&prim, "<rpm:%s>", tag)
		for _, d := range list.All() {
			fmt.Fprintf(&prim, `<rpm:entry name="%s"`, esc(d.Name))
			if d.Flags != repomd.DepAny {
				epoch := d.Epoch
				if epoch == "" {
					epoch = "0"
				}
				fmt.Fprintf(&prim, ` flags="%s" epoch="%s" ver="%s"`, xmlFlags[d.Flags], esc(epoch), esc(d.Version))
				if d.Release != "" {
					fmt.Fprintf(&prim, ` rel="%s"`, esc(d.Release))
				}
			}
			if d.Pre {
				prim.WriteString(` pre="1"`)
			}
			prim.WriteString("/>")
		}
		fmt.Fprintf(&prim, "</rpm:%s>\n", tag)
	}
	for _, p := range pkgs {
		epoch := p.Epoch
		if epoch == "" {
			epoch = "0"
		}
		id := pkgID(p)
		fmt.Fprintf(&prim, `<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="%s" ver="%s" rel="%s"/>`,
			esc(p.Name), esc(p.Arch), esc(epoch), esc(p.Version), esc(p.Release))
		fmt.Fprintf(&prim, `<checksum type="sha256" pkgid="YES">%s</checksum><location href="%s"/><format>`, id, esc(p.Location))
		deps("provides", p.Provides)
		deps("requires", p.Requires)
		deps("conflicts", p.Conflicts)
		deps("obsoletes", p.Obsoletes)
		// createrepo puts the files of /etc and of bin directories in
		// primary too, and libsolv trusts primary alone for such paths.
		for _, f := range p.Files {
			if strings.HasPrefix(f.Path, "/etc/") || strings.Contains(f.Path, "bin/") || f.Path == "/usr/lib/sendmail" {
				fmt.Fprintf(&prim, `<file%s>%s</file>`, fileType(f.Type), esc(f.Path))
			}
		}
		prim.WriteString("</format></package>\n")
		fmt.Fprintf(&fl, `<package pkgid="%s" name="%s" arch="%s"><version epoch="%s" ver="%s" rel="%s"/>`,
			id, esc(p.Name), esc(p.Arch), esc(epoch), esc(p.Version), esc(p.Release))
		for _, f := range p.Files {
			fmt.Fprintf(&fl, `<file%s>%s</file>`, fileType(f.Type), esc(f.Path))
		}
		fl.WriteString("</package>\n")
	}
	prim.WriteString("</metadata>\n")
	fl.WriteString("</filelists>\n")
	if err := os.WriteFile(filepath.Join(dir, "repodata", "primary.xml"), []byte(prim.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "repodata", "filelists.xml"), []byte(fl.String()), 0o644)
}

func fileType(t repomd.FileType) string {
	switch t {
	case repomd.FileDir:
		return ` type="dir"`
	case repomd.FileGhost:
		return ` type="ghost"`
	}
	return ""
}

// mkpkg builds a package from "name-[e:]v-r.arch" and dependency lists
// written as rpm prints them; files start with "/". Every package provides
// itself, as rpm-built packages do.
type spec struct {
	nevra                     string
	provides, requires        []string
	conflicts, obsoletes      []string
	files                     []string
	noSelfProvide, preRequire bool
}

func mkpkg(t testing.TB, i int, s spec) *repomd.Package {
	t.Helper()
	n, err := repomd.ParseNEVRA(s.nevra)
	if err != nil {
		t.Fatalf("%s: %v", s.nevra, err)
	}
	p := &repomd.Package{Name: n.Name, Arch: n.Arch, EVR: n.EVR, Location: "pkgs/" + strconv.Itoa(i) + "/" + s.nevra + ".rpm"}
	dl := func(list []string) []repomd.Dep {
		var out []repomd.Dep
		for _, x := range list {
			d, err := repomd.ParseDep(x)
			if err != nil {
				t.Fatalf("%s: %v", s.nevra, err)
			}
			out = append(out, d)
		}
		return out
	}
	var provides []repomd.Dep
	if !s.noSelfProvide {
		provides = append(provides, repomd.Dep{Name: n.Name, Flags: repomd.DepEQ, EVR: n.EVR})
	}
	p.Provides = repomd.MakeDepList(append(provides, dl(s.provides)...))
	requires := dl(s.requires)
	if s.preRequire {
		for i := range requires {
			requires[i].Pre = true
		}
	}
	p.Requires = repomd.MakeDepList(requires)
	p.Conflicts = repomd.MakeDepList(dl(s.conflicts))
	p.Obsoletes = repomd.MakeDepList(dl(s.obsoletes))
	for _, f := range s.files {
		typ := repomd.FileRegular
		if strings.HasSuffix(f, "/") {
			f, typ = strings.TrimSuffix(f, "/"), repomd.FileDir
		}
		p.Files = append(p.Files, repomd.File{Path: f, Type: typ})
	}
	p.FilesComplete = true
	return p
}
