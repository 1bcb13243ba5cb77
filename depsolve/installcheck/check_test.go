package installcheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// scenario is one install question over a small repository.
type scenario struct {
	name    string
	arch    string
	pkgs    []spec
	install []string // NEVRAs
	multi   bool     // dnf's installonly capabilities are multiversion
	want    bool
	// sentences that must all appear among the problems' sentences
	problems []string
}

var scenarios = []scenario{
	{name: "chain", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b"}},
		{nevra: "b-1-1.x86_64", requires: []string{"libc.so.6()(64bit)"}},
		{nevra: "glibc-2-1.x86_64", provides: []string{"libc.so.6()(64bit)"}},
		{nevra: "glibc-2-1.i686", provides: []string{"libc.so.6()"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "nothing provides", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"missing >= 2"}},
	}, install: []string{"a-1-1.noarch"}, problems: []string{"nothing provides missing >= 2 needed by a-1-1.noarch"}},
	{name: "version too old", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b >= 2"}},
		{nevra: "b-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, problems: []string{"nothing provides b >= 2 needed by a-1-1.noarch"}},
	{name: "unversioned provide matches versioned require", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"cap >= 5"}},
		{nevra: "b-1-1.noarch", provides: []string{"cap"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "epoch beats version", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b >= 1:0.1"}},
		{nevra: "b-9.0-1.noarch"},
		{nevra: "b-1:0.5-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "conflict between jobs", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"b < 2"}},
		{nevra: "b-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}, problems: []string{"package a-1-1.noarch conflicts with b < 2 provided by b-1-1.noarch"}},
	{name: "conflict avoided by another provider", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"mta"}, conflicts: []string{"sendmail"}},
		{nevra: "sendmail-1-1.x86_64", provides: []string{"mta"}},
		{nevra: "postfix-1-1.x86_64", provides: []string{"mta"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "requirement conflicts with job", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b"}},
		{nevra: "b-1-1.noarch", conflicts: []string{"c"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "c-1-1.noarch"}, problems: []string{
		"package a-1-1.noarch requires b, but none of the providers can be installed",
		"package b-1-1.noarch conflicts with c provided by c-1-1.noarch"}},
	{name: "obsoletes between jobs", pkgs: []spec{
		{nevra: "new-2-1.x86_64", obsoletes: []string{"old < 2"}},
		{nevra: "old-1-1.i686"},
	}, install: []string{"new-2-1.x86_64", "old-1-1.i686"}, problems: []string{"package new-2-1.x86_64 obsoletes old < 2 provided by old-1-1.i686"}},
	{name: "obsoletes miss newer version", pkgs: []spec{
		{nevra: "new-2-1.x86_64", obsoletes: []string{"old < 2"}},
		{nevra: "old-2-1.x86_64"},
	}, install: []string{"new-2-1.x86_64", "old-2-1.x86_64"}, want: true},
	{name: "obsoletes match names not provides", pkgs: []spec{
		{nevra: "new-2-1.x86_64", obsoletes: []string{"cap"}},
		{nevra: "old-1-1.x86_64", provides: []string{"cap"}},
	}, install: []string{"new-2-1.x86_64", "old-1-1.x86_64"}, want: true},
	{name: "two versions of one name.arch", pkgs: []spec{
		{nevra: "foo-1-1.x86_64"}, {nevra: "foo-2-1.x86_64"},
	}, install: []string{"foo-1-1.x86_64", "foo-2-1.x86_64"}, problems: []string{"cannot install both"}},
	{name: "multilib pair", pkgs: []spec{
		{nevra: "foo-1-1.x86_64"}, {nevra: "foo-1-1.i686"},
	}, install: []string{"foo-1-1.x86_64", "foo-1-1.i686"}, want: true},
	{name: "multilib pair of different versions", pkgs: []spec{
		{nevra: "foo-2-1.x86_64"}, {nevra: "foo-1-1.i686"},
	}, install: []string{"foo-2-1.x86_64", "foo-1-1.i686"}, want: true},
	{name: "two 32-bit arches", pkgs: []spec{
		{nevra: "foo-1-1.i686"}, {nevra: "foo-1-1.i586"},
	}, install: []string{"foo-1-1.i686", "foo-1-1.i586"}, problems: []string{"cannot install both"}},
	{name: "noarch and arch of one name", pkgs: []spec{
		{nevra: "foo-1-1.noarch"}, {nevra: "foo-1-1.x86_64"},
	}, install: []string{"foo-1-1.noarch", "foo-1-1.x86_64"}, problems: []string{"cannot install both"}},
	{name: "s390x pair", arch: "s390x", pkgs: []spec{
		{nevra: "foo-1-1.s390x"}, {nevra: "foo-1-1.s390"},
	}, install: []string{"foo-1-1.s390x", "foo-1-1.s390"}, want: true},
	{name: "incompatible arch", arch: "aarch64", pkgs: []spec{
		{nevra: "foo-1-1.x86_64"},
	}, install: []string{"foo-1-1.x86_64"}, problems: []string{"package foo-1-1.x86_64 does not have a compatible architecture"}},
	{name: "provider of incompatible arch", arch: "aarch64", pkgs: []spec{
		{nevra: "a-1-1.aarch64", requires: []string{"b"}},
		{nevra: "b-1-1.x86_64"},
	}, install: []string{"a-1-1.aarch64"}, problems: []string{"nothing provides b needed by a-1-1.aarch64"}},
	{name: "kernels side by side", multi: true, pkgs: []spec{
		{nevra: "kernel-5.1-1.x86_64"}, {nevra: "kernel-5.2-1.x86_64"},
	}, install: []string{"kernel-5.1-1.x86_64", "kernel-5.2-1.x86_64"}, want: true},
	{name: "kernels without installonly", pkgs: []spec{
		{nevra: "kernel-5.1-1.x86_64"}, {nevra: "kernel-5.2-1.x86_64"},
	}, install: []string{"kernel-5.1-1.x86_64", "kernel-5.2-1.x86_64"}, problems: []string{"cannot install both"}},
	{name: "installonly keeps explicit obsoletes", multi: true, pkgs: []spec{
		{nevra: "kernel-core-5.2-1.x86_64", provides: []string{"installonlypkg(kernel)"}, obsoletes: []string{"kernel-core < 5.2"}},
		{nevra: "kernel-core-5.1-1.x86_64", provides: []string{"installonlypkg(kernel)"}},
	}, install: []string{"kernel-core-5.1-1.x86_64", "kernel-core-5.2-1.x86_64"}, problems: []string{
		"package kernel-core-5.2-1.x86_64 obsoletes kernel-core < 5.2 provided by kernel-core-5.1-1.x86_64"}},
	{name: "self conflict ignored", pkgs: []spec{
		{nevra: "a-1-1.noarch", provides: []string{"x"}, conflicts: []string{"x", "a"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "file requirement from filelists", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"/usr/bin/python3"}},
		{nevra: "python3-3.11-1.x86_64", files: []string{"/usr/bin/python3", "/usr/lib/python3/"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "directory requirement", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"/usr/lib/python3"}},
		{nevra: "python3-3.11-1.x86_64", files: []string{"/usr/bin/python3", "/usr/lib/python3/"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "file conflict", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"/etc/foo.conf"}},
		{nevra: "b-1-1.noarch", files: []string{"/etc/foo.conf"}},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}, problems: []string{"package a-1-1.noarch conflicts with /etc/foo.conf provided by b-1-1.noarch"}},
	{name: "pre requirement", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"shadow-utils"}, preRequire: true},
	}, install: []string{"a-1-1.noarch"}, problems: []string{"nothing provides shadow-utils needed by a-1-1.noarch"}},
	{name: "cycle with conflict", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b"}},
		{nevra: "b-1-1.noarch", requires: []string{"c"}},
		{nevra: "c-1-1.noarch", conflicts: []string{"a"}},
	}, install: []string{"a-1-1.noarch"}, problems: []string{"package c-1-1.noarch conflicts with a provided by a-1-1.noarch"}},
	{name: "rich or", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b or c)"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich and", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b and c)"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}},
	{name: "rich if, condition absent", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b if c)"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich if, condition installed", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b if c)"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "c-1-1.noarch"}},
	{name: "rich if-else", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b if c else d)"}},
		{nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}},
	{name: "rich if-else taken", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b if c else d)"}},
		{nevra: "d-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich unless, condition installed", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b unless c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "c-1-1.noarch"}},
	{name: "rich unless, condition absent", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b unless c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich unless-else", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(b unless c else d)"}},
		{nevra: "c-1-1.noarch"}, {nevra: "d-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "c-1-1.noarch"}, want: true},
	{name: "rich with", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(x with y)"}},
		{nevra: "b-1-1.noarch", provides: []string{"x"}},
		{nevra: "c-1-1.noarch", provides: []string{"y"}},
	}, install: []string{"a-1-1.noarch"}},
	{name: "rich with one package", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(x with y)"}},
		{nevra: "b-1-1.noarch", provides: []string{"x"}},
		{nevra: "c-1-1.noarch", provides: []string{"x", "y"}},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich without", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"(x without y)"}},
		{nevra: "c-1-1.noarch", provides: []string{"x", "y"}},
	}, install: []string{"a-1-1.noarch"}},
	{name: "rich nested", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"((b and c) or (d if e))"}},
		{nevra: "b-1-1.noarch"}, {nevra: "e-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "e-1-1.noarch"}},
	{name: "rich conflict", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b and c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch"}},
	{name: "rich conflict partial", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b and c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}, want: true},
	{name: "rich conflict with if", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b if c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}},
	{name: "rich conflict with if avoided by installing the condition", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b if c)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"},
	}, install: []string{"a-1-1.noarch"}, want: true},
	{name: "rich conflict unless-else", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b unless c else d)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"}, {nevra: "d-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch", "d-1-1.noarch"}},
	{name: "rich conflict if-else", pkgs: []spec{
		{nevra: "a-1-1.noarch", conflicts: []string{"(b if c else d)"}},
		{nevra: "b-1-1.noarch"}, {nevra: "c-1-1.noarch"}, {nevra: "d-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "c-1-1.noarch", "d-1-1.noarch"}, want: true},
	{name: "two problems", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"nope"}},
		{nevra: "b-1-1.noarch", conflicts: []string{"c"}},
		{nevra: "c-1-1.noarch"},
		{nevra: "d-1-1.noarch"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch", "c-1-1.noarch", "d-1-1.noarch"}, problems: []string{
		"nothing provides nope needed by a-1-1.noarch",
		"package b-1-1.noarch conflicts with c provided by c-1-1.noarch"}},
	{name: "choice needed across versions", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"lib >= 2"}},
		{nevra: "b-1-1.noarch", requires: []string{"lib < 3"}},
		{nevra: "lib-1-1.x86_64"}, {nevra: "lib-2-1.x86_64"}, {nevra: "lib-3-1.x86_64"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}, want: true},
	{name: "no version fits both", pkgs: []spec{
		{nevra: "a-1-1.noarch", requires: []string{"lib >= 3"}},
		{nevra: "b-1-1.noarch", requires: []string{"lib < 3"}},
		{nevra: "lib-1-1.x86_64"}, {nevra: "lib-3-1.x86_64"},
	}, install: []string{"a-1-1.noarch", "b-1-1.noarch"}},
}

func (sc scenario) build(t testing.TB) (pkgs, install []*repomd.Package, arch string) {
	arch = sc.arch
	if arch == "" {
		arch = "x86_64"
	}
	byNEVRA := map[string]*repomd.Package{}
	for i, s := range sc.pkgs {
		p := mkpkg(t, i, s)
		pkgs = append(pkgs, p)
		byNEVRA[s.nevra] = p
	}
	for _, n := range sc.install {
		if byNEVRA[n] == nil {
			t.Fatalf("%s: install %s is not a package", sc.name, n)
		}
		install = append(install, byNEVRA[n])
	}
	return pkgs, install, arch
}

func (sc scenario) check(pkgs, install []*repomd.Package, arch string) (*Result, error) {
	opts := Options{}
	if sc.multi {
		opts.Multiversion = DefaultMultiversion
	}
	return CheckWith(install, pkgs, arch, opts)
}

func allSentences(r *Result) []string {
	var out []string
	for _, p := range r.Details {
		out = append(out, p.Sentences...)
	}
	return out
}

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		pkgs, install, arch := sc.build(t)
		res, err := sc.check(pkgs, install, arch)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		if res.Installable != sc.want {
			t.Errorf("%s: Installable = %v, want %v; problems %q", sc.name, res.Installable, sc.want, allSentences(res))
			continue
		}
		if res.Installable {
			if len(res.Problems) != 0 {
				t.Errorf("%s: installable with problems %q", sc.name, res.Problems)
			}
			checkSolution(t, sc.name, res, install)
			continue
		}
		if len(res.Problems) == 0 || len(res.Problems) != len(res.Details) {
			t.Errorf("%s: not installable but problems %q / %d details", sc.name, res.Problems, len(res.Details))
		}
		got := allSentences(res)
		for _, want := range sc.problems {
			if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, want) }) {
				t.Errorf("%s: no problem sentence containing %q in %q", sc.name, want, got)
			}
		}
	}
}

// checkSolution verifies the returned package set really is installable:
// every job in it, every requirement met inside it.
func checkSolution(t *testing.T, name string, res *Result, install []*repomd.Package) {
	t.Helper()
	in := map[*repomd.Package]bool{}
	for _, p := range res.Solution {
		in[p] = true
	}
	for _, p := range install {
		if !in[p] {
			t.Errorf("%s: solution lacks job %s", name, p.NEVRA())
		}
	}
	for _, p := range res.Solution {
		for _, d := range p.Requires.All() {
			if d.IsRich() || strings.HasPrefix(d.Name, "/") {
				continue
			}
			ok := false
			for _, q := range res.Solution {
				if q.Name == d.Name && repomd.RangesOverlap(repomd.Dep{Name: q.Name, Flags: repomd.DepEQ, EVR: q.EVR}, d) {
					ok = true
				}
				for _, pr := range q.Provides.All() {
					if repomd.RangesOverlap(pr, d) {
						ok = true
					}
				}
			}
			if !ok {
				t.Errorf("%s: solution leaves %s of %s unmet", name, d, p.NEVRA())
			}
		}
	}
}

// TestScenariosAgreeWithLibsolv asks python3-solv every scenario and
// compares the verdicts, and checks that each of our problem sentences is
// one libsolv also prints for that job.
func TestScenariosAgreeWithLibsolv(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	var batches []oracleBatch
	for _, sc := range scenarios {
		pkgs, install, arch := sc.build(t)
		c := oracleCase{Arch: arch, Multiversion: []string{}}
		if sc.multi {
			c.Multiversion = DefaultMultiversion
		}
		for _, p := range install {
			c.Install = append(c.Install, "0:"+p.Location)
		}
		batches = append(batches, oracleBatch{pkgs: pkgs, cases: []oracleCase{c}})
	}
	answers := askLibsolv(t, py, batches)
	for i, sc := range scenarios {
		ans := answers[i][0]
		pkgs, install, arch := sc.build(t)
		res, err := sc.check(pkgs, install, arch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable != ans.Installable {
			t.Errorf("%s: Installable = %v, libsolv %v (%q)", sc.name, res.Installable, ans.Installable, ans.Problems)
			continue
		}
		if sc.want != ans.Installable {
			t.Errorf("%s: the scenario expects %v but libsolv says %v", sc.name, sc.want, ans.Installable)
		}
		var theirs []string
		for _, p := range ans.Problems {
			for _, x := range p {
				// libsolv names no provider for a rich conflict.
				theirs = append(theirs, strings.TrimSuffix(x, " provided by <NULL>"))
			}
		}
		for _, s := range allSentences(res) {
			if !slices.Contains(theirs, s) {
				t.Errorf("%s: our sentence %q is not among libsolv's %q", sc.name, s, theirs)
			}
		}
		if len(res.Problems) != len(ans.Main) {
			t.Errorf("%s: %d problems, libsolv %d: ours %q, libsolv %q", sc.name, len(res.Problems), len(ans.Main), res.Problems, ans.Main)
		}
	}
}

func TestCheckerErrors(t *testing.T) {
	if _, err := Check(nil, nil, ""); err == nil {
		t.Error("no arch accepted")
	}
	if _, err := NewChecker(nil, "", Options{}); err == nil {
		t.Error("no arch accepted by NewChecker")
	}
	if _, err := Check([]*repomd.Package{nil}, nil, "x86_64"); err == nil {
		t.Error("nil package accepted")
	}
	// An empty job and source packages are trivially installable.
	src := &repomd.Package{Name: "foo", Arch: "src", EVR: repomd.EVR{Version: "1", Release: "1"}}
	if res, err := Check([]*repomd.Package{src}, nil, "x86_64"); err != nil || !res.Installable {
		t.Errorf("source package: %v %v", res, err)
	}
}

// TestCheckerReuse asks one Checker several questions, including one with
// a package it was not given, and compares with one-off checks.
func TestCheckerReuse(t *testing.T) {
	var pkgs []*repomd.Package
	for i, s := range []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b"}},
		{nevra: "b-1-1.noarch", conflicts: []string{"c"}},
		{nevra: "c-1-1.noarch"},
	} {
		pkgs = append(pkgs, mkpkg(t, i, s))
	}
	extra := mkpkg(t, 9, spec{nevra: "d-1-1.noarch", requires: []string{"a"}})
	c, err := NewChecker(pkgs, "x86_64", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range [][]*repomd.Package{{pkgs[0]}, {pkgs[0], pkgs[2]}, {pkgs[2]}, {extra}, {extra, pkgs[2]}} {
		got, err := c.Check(job)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := CheckWith(job, pkgs, "x86_64", Options{})
		if got.Installable != want.Installable || !slices.Equal(got.Problems, want.Problems) {
			t.Errorf("job %v: reused checker %v %q, one-off %v %q", sortedNames(job), got.Installable, got.Problems, want.Installable, want.Problems)
		}
	}
}

func sortedNames(ps []*repomd.Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.NEVRA())
	}
	slices.Sort(out)
	return out
}

func TestWriteText(t *testing.T) {
	var pkgs []*repomd.Package
	for i, s := range []spec{
		{nevra: "a-1-1.noarch", requires: []string{"b"}},
		{nevra: "b-1-1.noarch", conflicts: []string{"c"}},
		{nevra: "c-1-1.noarch"},
		{nevra: "d-1-1.noarch", requires: []string{"nope"}},
	} {
		pkgs = append(pkgs, mkpkg(t, i, s))
	}
	res, _ := CheckWith([]*repomd.Package{pkgs[0], pkgs[2], pkgs[3]}, pkgs, "x86_64", Options{})
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "Problem 1: nothing provides nope needed by d-1-1.noarch\n" +
		"Problem 2: package a-1-1.noarch requires b, but none of the providers can be installed\n" +
		"  - package b-1-1.noarch conflicts with c provided by c-1-1.noarch\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestUnreadableRichDependency: a requirement repomd cannot parse cannot be
// satisfied, and the problem says why.
func TestUnreadableRichDependency(t *testing.T) {
	p := &repomd.Package{Name: "a", Arch: "noarch", EVR: repomd.EVR{Version: "1", Release: "1"},
		Requires: repomd.MakeDepList([]repomd.Dep{{Name: "(b or"}})}
	res, err := Check([]*repomd.Package{p}, nil, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	if res.Installable || len(res.Problems) != 1 || res.Problems[0] != "package a-1-1.noarch has an unreadable dependency (b or" {
		t.Errorf("got %v %q", res.Installable, res.Problems)
	}
}
