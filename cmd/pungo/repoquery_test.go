package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// solvOracle loads repositories into libsolv (DISTTYPE_RPM, x86_64) and
// answers counts, de-duplicated dependency counts, whatprovides (after
// addfileprovides, so required paths resolve through file lists) and
// whatmatchesdep on requires (pre-requires included) for each capability.
const solvOracle = `
import solv, sys, json, glob
req = json.load(sys.stdin)
pool = solv.Pool()
pool.setdisttype(solv.Pool.DISTTYPE_RPM)
pool.setarch("x86_64")
counts = []
for d in req["repos"]:
    repo = pool.add_repo(d)
    f = solv.xfopen(glob.glob(d + "/repodata/*-primary.xml*")[0])
    repo.add_rpmmd(f, None, 0)
    f.close()
    for fl in glob.glob(d + "/repodata/*-filelists.xml*"):
        f = solv.xfopen(fl)
        repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES)
        f.close()
    counts.append(repo.nsolvables)
pool.addfileprovides()
pool.createwhatprovides()
out = {"counts": counts, "provides": 0, "requires": 0, "whatprovides": {}, "whatrequires": {}}
for s in pool.solvables_iter():
    out["provides"] += len(s.lookup_deparray(solv.SOLVABLE_PROVIDES))
    # marker -1: plain requires, 1: pre-requires (0 would count the marker)
    out["requires"] += len(s.lookup_deparray(solv.SOLVABLE_REQUIRES, -1)) + len(s.lookup_deparray(solv.SOLVABLE_REQUIRES, 1))
OPS = {"=": solv.REL_EQ, "<": solv.REL_LT, ">": solv.REL_GT, "<=": solv.REL_LT | solv.REL_EQ, ">=": solv.REL_GT | solv.REL_EQ}
for cap in req["caps"]:
    f = cap.split()
    dep = pool.Dep(f[0])
    if len(f) == 3:
        dep = dep.Rel(OPS[f[1]], pool.Dep(f[2]))
    out["whatprovides"][cap] = sorted(str(s) for s in pool.whatprovides(dep))
    out["whatrequires"][cap] = sorted(str(s) for s in pool.whatmatchesdep(solv.SOLVABLE_REQUIRES, dep, 0))
json.dump(out, sys.stdout)
`

type oracleAnswer struct {
	Counts       []int               `json:"counts"`
	Provides     int                 `json:"provides"`
	Requires     int                 `json:"requires"`
	WhatProvides map[string][]string `json:"whatprovides"`
	WhatRequires map[string][]string `json:"whatrequires"`
}

func askSolv(t *testing.T, repos, caps []string) oracleAnswer {
	t.Helper()
	py := toolcheck.NeedPython3Solv(t)
	in, _ := json.Marshal(map[string]any{"repos": repos, "caps": caps})
	cmd := exec.Command(py, "-c", solvOracle)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("libsolv oracle: %v\n%s", err, stderr.String())
	}
	var a oracleAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func queryLines(t *testing.T, q *compiledQuery, pkgs []rqPackage) []string {
	t.Helper()
	var b bytes.Buffer
	if err := q.run(&b, pkgs); err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return lines
}

// distinctDeps counts entries the way libsolv stores them: one per
// distinct capability of a package, a pre-require and a plain require of
// the same capability counting once.
func distinctDeps(lists ...[]repomd.Dep) int {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, d := range l {
			seen[d.String()] = true
		}
	}
	return len(seen)
}

func TestRepoqueryAgreesWithLibsolv(t *testing.T) {
	real := toolcheck.Shared(t, "realdata")
	repos := []string{filepath.Join(real, "cs9-baseos"), filepath.Join(real, "cs9-appstream")}

	loaded, pkgs, err := loadRepoquery(repos)
	if err == nil {
		err = loadFilelists(loaded)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Capabilities: a fixed set (files, versioned ranges, sonames) plus a
	// deterministic sample of real provides and requires.
	caps := []string{"/bin/sh", "/usr/bin/python3", "/usr/bin/perl", "/usr/sbin/useradd",
		"glibc", "glibc >= 2.34", "glibc < 2.34", "glibc = 2.34", "glibc > 2.34-21.el9",
		"python(abi) = 3.9", "libc.so.6()(64bit)", "libc.so.6(GLIBC_2.34)(64bit)", "systemd",
		"perl(strict)", "perl-libs = 4:5.32.1", "perl-libs < 5:0", "bash", "kernel-core"}
	seen := map[string]bool{}
	for _, c := range caps {
		seen[c] = true
	}
	add := func(d repomd.Dep) {
		if s := d.String(); !d.IsRich() && !seen[s] && !strings.ContainsAny(s, "\"'") {
			seen[s] = true
			caps = append(caps, s)
		}
	}
	for i := 0; i < len(pkgs); i += 397 {
		if p := pkgs[i]; len(p.Provides) > 0 {
			add(p.Provides[len(p.Provides)/2])
		}
		if p := pkgs[i]; len(p.Requires) > 0 {
			add(p.Requires[0])
			add(p.Requires[len(p.Requires)-1])
		}
	}
	want := askSolv(t, repos, caps)

	if want.Counts[0] != 1125 || want.Counts[1] != 17649 {
		t.Fatalf("libsolv counts %v, the shared data's README says 1125 and 17649", want.Counts)
	}
	for i, r := range repos {
		q, _ := compileQuery(repoqueryOptions{count: true})
		var mine []rqPackage
		for _, p := range pkgs {
			if p.repo.Location == r {
				mine = append(mine, p)
			}
		}
		if got := queryLines(t, q, mine); len(got) != 1 || got[0] != strconv.Itoa(want.Counts[i]) {
			t.Errorf("%s: --count = %v, libsolv %d", r, got, want.Counts[i])
		}
	}
	prov, req := 0, 0
	for _, p := range pkgs {
		prov += distinctDeps(p.Provides)
		req += distinctDeps(p.Requires)
	}
	if prov != want.Provides || req != want.Requires {
		t.Errorf("distinct provides/requires = %d/%d, libsolv %d/%d", prov, req, want.Provides, want.Requires)
	}
	checked := 0
	for _, c := range caps {
		for _, kind := range []string{"whatprovides", "whatrequires"} {
			o := repoqueryOptions{queryFormat: "%{nevra}"}
			exp := want.WhatProvides[c]
			if kind == "whatprovides" {
				o.whatProvides = stringList{c}
			} else {
				// whatmatchesdep is --exactdeps: no resolving of c as a
				// package spec.
				o.whatRequires, o.exactDeps = stringList{c}, true
				exp = want.WhatRequires[c]
			}
			q, err := compileQuery(o)
			if err != nil {
				t.Fatal(err)
			}
			got := queryLines(t, q, pkgs)
			exp = uniq(exp) // a NEVRA in both repositories prints once
			// libsolv answers a path only through the file list entries
			// that some package requires (addfileprovides); pungo looks at
			// every file, so it may find more for an unrequired path.
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Errorf("--%s %q: pungo %d packages, libsolv %d\n pungo  %v\n libsolv %v", kind, c, len(got), len(exp), head(got), head(exp))
			}
			checked++
		}
	}
	t.Logf("%d queries agree with libsolv over %d capabilities", checked, len(caps))
}

func uniq(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func TestRepoqueryOutputs(t *testing.T) {
	dir := filepath.Join(toolcheck.Shared(t, "realdata"), "cs9-baseos")
	run := func(args ...string) string {
		t.Helper()
		var o repoqueryOptions
		o.repos = stringList{dir}
		rest := args[:0:0]
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "--latest":
				o.latest = true
			case "--provides":
				o.provides = true
			case "--requires":
				o.requires = true
			case "--count":
				o.count = true
			case "--json":
				o.asJSON = true
			case "--arch":
				i++
				o.arches = append(o.arches, args[i])
			case "--whatprovides":
				i++
				o.whatProvides = append(o.whatProvides, args[i])
			case "--qf":
				i++
				o.queryFormat = args[i]
			default:
				rest = append(rest, args[i])
			}
		}
		o.specs = rest
		var b bytes.Buffer
		if err := repoquery(&b, o); err != nil {
			t.Fatalf("repoquery %v: %v", args, err)
		}
		return b.String()
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bash"}, "bash-0:5.1.8-2.el9.x86_64\n"},
		{[]string{"bash.x86_64", "bash-5.1.8-2.el9.x86_64", "bash-0:5.1.8-2.el9.x86_64"}, "bash-0:5.1.8-2.el9.x86_64\n"},
		{[]string{"--count", "glibc*"}, "205\n"},
		{[]string{"--count", "glibc", "glibc-common"}, "3\n"},
		{[]string{"--count", "--arch", "i686,noarch", "glibc*"}, "2\n"},
		{[]string{"--qf", `%{name}\t%{epoch}:%{version}|%{arch}|%{sourcerpm}|%{location}`, "bash"},
			"bash\t0:5.1.8|x86_64|bash-5.1.8-2.el9.src.rpm|Packages/bash-5.1.8-2.el9.x86_64.rpm\n"},
		{[]string{"--provides", "bash"}, "/bin/bash\n/bin/sh\nbash = 5.1.8-2.el9\nbash(x86-64) = 5.1.8-2.el9\nconfig(bash) = 5.1.8-2.el9\n"},
		{[]string{"--requires", "bash"}, "filesystem >= 3\nlibc.so.6(GLIBC_2.34)(64bit)\nlibtinfo.so.6()(64bit)\nrtld(GNU_HASH)\n"},
		{[]string{"nonexistent-*"}, ""},
		{[]string{"--qf", "%{name}", "--whatprovides", "libtinfo.so.6*"}, "ncurses-libs\n"},
		{[]string{"--qf", "%{name}", "--whatprovides", "/usr/bin/bas?"}, "bash\n"},
	}
	for _, c := range cases {
		if got := run(c.args...); got != c.want {
			t.Errorf("repoquery %q:\n got %q\nwant %q", c.args, got, c.want)
		}
	}
	var js []map[string]any
	if err := json.Unmarshal([]byte(run("--json", "--provides", "bash")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0]["nevra"] != "bash-5.1.8-2.el9.x86_64" || js[0]["epoch"] != "0" || len(js[0]["provides"].([]any)) != 5 || js[0]["requires"] != nil {
		t.Errorf("json = %v", js)
	}
	// --latest keeps the newest of each name.arch.
	all := strings.Count(run("kernel-core"), "\n")
	latest := strings.Count(run("--latest", "kernel-core"), "\n")
	if all < 1 || latest != 1 {
		t.Errorf("kernel-core: %d versions, %d latest", all, latest)
	}
}

func TestRepoqueryCLIErrors(t *testing.T) {
	for _, args := range [][]string{
		{},                              // no --repo
		{"--repo", "/nonexistent/repo"}, // missing repository
		{"--repo", os.TempDir(), "--qf", "%{bogus}"}, // unknown tag
	} {
		if code := runRepoquery(args); code != 2 {
			t.Errorf("repoquery %q: exit %d, want 2", args, code)
		}
	}
}

// TestRepoqueryAgreesWithDnf runs each query through dnf repoquery and
// pungo repoquery on a repository of the built corpus (source packages,
// two versions of one package, two architectures, file and rich
// requirements) and compares what they print.
func TestRepoqueryAgreesWithDnf(t *testing.T) {
	toolcheck.Need(t, "dnf")
	repo := t.TempDir()
	if code, _, stderr := runCLI(t, runCreaterepo, "-q", "--no-database", "--outputdir", repo, rpmtest.Corpus(t)); code != 0 {
		t.Fatalf("createrepo: %s", stderr)
	}
	root := t.TempDir()
	dnf := func(args ...string) string {
		base := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--repofrompath", "r," + "file://" + repo, "--repo", "r", "--nogpgcheck", "repoquery"}
		out, err := exec.Command("dnf", append(base, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("dnf repoquery %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, args := range [][]string{
		{},
		{"--arch", "i686,noarch"},
		{"ALPHA"}, // specs ignore case
		{"alpha-2:2.0-1.noarch", "multi.i686", "libfoo-devel-1.2.3"},
		{"alpha-[12].0", "*.src"},
		{"*/alpha"}, // a spec matching no name is a file glob
		{"--latest-limit", "1"},
		{"--latest-limit=-1"},
		{"--provides", "libfoo"},
		{"--requires", "alpha.noarch"},
		{"--whatprovides", "alpha"}, // source packages provide nothing
		{"--whatprovides", "alpha >= 2:1.0, libfoo-devel"},
		{"--whatprovides", "libfoo.so.1()(64bit)"},
		{"--whatprovides", "/usr/share/alpha/*"},
		{"--whatprovides", "*.spec"}, // no provide matches: file globs
		{"--whatrequires", "libfoo"}, // what libfoo's packages provide
		{"--whatrequires", "libfoo*"},
		{"--whatrequires", "alpha-2.0-1.noarch"},
		{"--whatrequires", "*"}, // '*' matches '/' as in fnmatch
		{"--whatrequires", "delta"},
		{"--whatrequires", "/usr/share/alpha/data.txt"},
		{"--whatrequires", "libfoo*", "--exactdeps"},
		{"--whatrequires", "alpha", "--arch", "noarch"},
		{"--qf", "%{name}|%{evr}|%{sourcerpm}|%{source_name}|%{url}|%{packager}|%{buildtime}|%{downloadsize}|%{debug_name}|%{source_debug_name}"},
		{"--qf", "%{name}:%{provides}|%{requires}|%{obsoletes}|%{conflicts}|%{recommends}|%{supplements}"},
		{"--qf", "%{files}", "alpha", "libfoo"},
		{"--qf", `[%{name}]%%{arch} %8{arch}|%-8{arch}|\t%{installsize}\n`},
	} {
		want := dnf(args...)
		code, got, stderr := runCLI(t, runRepoquery, append([]string{"--repo", repo}, args...)...)
		if code != 0 {
			t.Errorf("pungo repoquery %q: exit %d: %s", args, code, stderr)
			continue
		}
		if got != want {
			t.Errorf("repoquery %q:\ndnf:\n%s\npungo:\n%s", args, want, got)
		}
		if strings.TrimSpace(want) == "" {
			t.Errorf("repoquery %q: dnf printed nothing, the case tests nothing", args)
		}
	}
}

// TestRepoqueryAgreesWithDnfOnRealData: on CentOS Stream 9's BaseOS and
// AppStream, the --whatrequires that resolves package specs (thousands of
// requirers) and a file requirement give dnf's answers. pungo does no
// modular filtering, hence dnf's --disable-modular-filtering.
func TestRepoqueryAgreesWithDnfOnRealData(t *testing.T) {
	toolcheck.Need(t, "dnf")
	real := toolcheck.Shared(t, "realdata")
	baseos, appstream := filepath.Join(real, "cs9-baseos"), filepath.Join(real, "cs9-appstream")
	root := t.TempDir()
	for _, args := range [][]string{
		{"--whatrequires", "glibc"},
		{"--whatrequires", "/bin/sh", "--arch", "noarch"},
	} {
		base := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--repofrompath", "b,file://" + baseos,
			"--repofrompath", "a,file://" + appstream, "--repo", "a", "--repo", "b", "--nogpgcheck",
			"repoquery", "--disable-modular-filtering"}
		want, err := exec.Command("dnf", append(base, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("dnf %q: %v\n%s", args, err, want)
		}
		code, got, stderr := runCLI(t, runRepoquery, append([]string{"--repo", baseos, "--repo", appstream}, args...)...)
		if code != 0 {
			t.Fatalf("pungo repoquery %q: %s", args, stderr)
		}
		if got != string(want) {
			w, g := strings.Split(string(want), "\n"), strings.Split(got, "\n")
			t.Errorf("repoquery %q: dnf %d lines, pungo %d", args, len(w), len(g))
		}
		if strings.Count(got, "\n") < 100 {
			t.Errorf("repoquery %q: only %d packages", args, strings.Count(got, "\n"))
		}
	}
}
