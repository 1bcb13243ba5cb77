package query

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
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

// queryLines runs o over pool (restricted to keep when not nil) and
// returns the %{nevra} lines, sorted and distinct, as pungo repoquery
// prints them.
func queryLines(t *testing.T, o Options, pool *depsolve.Pool, keep func(depsolve.PkgID) bool) []string {
	t.Helper()
	q, err := Compile(o)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := q.Run(pool)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, id := range sel {
		if keep == nil || keep(id) {
			lines = append(lines, pool.Pkg(id).NEVRA())
		}
	}
	sort.Strings(lines)
	return uniq(lines)
}

// distinctDeps counts entries the way libsolv stores them: one per
// distinct capability of a package, a pre-require and a plain require of
// the same capability counting once.
func distinctDeps(lists ...repomd.DepList) int {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, d := range l.All() {
			seen[d.String()] = true
		}
	}
	return len(seen)
}

func TestRepoqueryAgreesWithLibsolv(t *testing.T) {
	real := toolcheck.Shared(t, "realdata")
	repos := []string{filepath.Join(real, "cs9-baseos"), filepath.Join(real, "cs9-appstream")}

	var rs []*depsolve.Repo
	for i, dir := range repos {
		r, err := repomd.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, depsolve.RepoFrom(strconv.Itoa(i), r, false))
	}
	pool, err := depsolve.NewPool(rs)
	if err == nil {
		err = pool.LoadFiles()
	}
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []*repomd.Package
	for id := depsolve.PkgID(0); int(id) < pool.Len(); id++ {
		pkgs = append(pkgs, pool.Pkg(id))
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
		if p := pkgs[i]; p.Provides.Len() > 0 {
			add(p.Provides.At(p.Provides.Len() / 2))
		}
		if p := pkgs[i]; p.Requires.Len() > 0 {
			add(p.Requires.At(0))
			add(p.Requires.At(p.Requires.Len() - 1))
		}
	}
	want := askSolv(t, repos, caps)

	if want.Counts[0] != 1125 || want.Counts[1] != 17649 {
		t.Fatalf("libsolv counts %v, the shared data's README says 1125 and 17649", want.Counts)
	}
	for i, r := range repos {
		q, _ := Compile(Options{})
		sel, err := q.Run(pool)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, id := range sel {
			if pool.RepoOf(id).ID == strconv.Itoa(i) {
				n++
			}
		}
		if n != want.Counts[i] {
			t.Errorf("%s: %d packages, libsolv %d", r, n, want.Counts[i])
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
			var o Options
			exp := want.WhatProvides[c]
			if kind == "whatprovides" {
				o.WhatProvides = []string{c}
			} else {
				// whatmatchesdep is --exactdeps: no resolving of c as a
				// package spec.
				o.WhatRequires, o.ExactDeps = []string{c}, true
				exp = want.WhatRequires[c]
			}
			got := queryLines(t, o, pool, nil)
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
