package installcheck

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// synthRepo generates a distribution-shaped repository of about n binary
// packages: components with a library (soname provides), a -devel package
// (exact-EVR requirement on the library, pkgconfig provide) and tools;
// soname requirements skewed toward a few core libraries; file
// requirements on shells and interpreters; some rich and weak
// dependencies; renamed packages with obsoletes; a few conflicts; about 4%
// i686 multilib library builds with their 32-bit sonames; some components
// in two versions; and a handful of deliberately broken packages.
func synthRepo(r *rand.Rand, n int) []*repomd.Package {
	type lib struct {
		soname   string
		multilib bool
	}
	var pkgs []*repomd.Package
	add := func(name, ver, rel, arch string) *repomd.Package {
		p := &repomd.Package{Name: name, Arch: arch, EVR: repomd.EVR{Version: ver, Release: rel}}
		p.Location = fmt.Sprintf("Packages/%s-%s-%s.%s.rpm", name, ver, rel, arch)
		p.Provides = repomd.MakeDepList([]repomd.Dep{{Name: name, Flags: repomd.DepEQ, EVR: p.EVR}})
		if arch != "noarch" {
			mark := "(x86-64)"
			if arch == "i686" {
				mark = "(x86-32)"
			}
			p.Provides = p.Provides.Append(repomd.Dep{Name: name + mark, Flags: repomd.DepEQ, EVR: p.EVR})
		}
		p.FilesComplete = true
		pkgs = append(pkgs, p)
		return p
	}
	req := func(p *repomd.Package, s string) {
		d, err := repomd.ParseDep(s)
		if err != nil {
			panic(err)
		}
		p.Requires = p.Requires.Append(d)
	}
	soname := func(base string, arch string) string {
		if arch == "i686" {
			return base + "()"
		}
		return base + "()(64bit)"
	}

	// Core: glibc and a shell, for both arches.
	for _, arch := range []string{"x86_64", "i686"} {
		g := add("glibc", "2.34", "100", arch)
		g.Provides = g.Provides.Append(repomd.Dep{Name: soname("libc.so.6", arch)}, repomd.Dep{Name: soname("libm.so.6", arch)})
		g.Files = append(g.Files, repomd.File{Path: "/usr/lib64/libc.so.6"})
		req(g, "glibc-common = 2.34-100")
	}
	add("glibc-common", "2.34", "100", "x86_64")
	bash := add("bash", "5.1", "6", "x86_64")
	bash.Files = []repomd.File{{Path: "/bin/sh"}, {Path: "/usr/bin/bash"}}
	req(bash, soname("libc.so.6", "x86_64"))
	py := add("python3", "3.9", "1", "x86_64")
	py.Files = []repomd.File{{Path: "/usr/bin/python3"}}
	req(py, soname("libc.so.6", "x86_64"))

	// Components.
	var libs []lib
	zipf := func() int {
		// Skewed toward the first (core) libraries.
		return int(math.Floor(math.Pow(r.Float64(), 3) * float64(len(libs))))
	}
	comp := 0
	for len(pkgs) < n {
		comp++
		name := fmt.Sprintf("c%04d", comp)
		versions := 1
		if r.Intn(12) == 0 {
			versions = 2
		}
		multilib := r.Intn(25) == 0
		major := 1 + r.Intn(5)
		for v := 1; v <= versions; v++ {
			ver := fmt.Sprintf("%d.%d", major, v)
			rel := fmt.Sprint(1 + r.Intn(9))
			so := fmt.Sprintf("lib%s.so.%d", name, v)
			arches := []string{"x86_64"}
			if multilib {
				arches = append(arches, "i686")
			}
			for _, arch := range arches {
				lp := add("lib"+name, ver, rel, arch)
				lp.Provides = lp.Provides.Append(repomd.Dep{Name: soname(so, arch)})
				lp.Files = []repomd.File{{Path: "/usr/lib64/" + so}}
				req(lp, soname("libc.so.6", arch))
				for k := r.Intn(3); k > 0 && len(libs) > 0; k-- {
					// A 32-bit build can only use 32-bit libraries.
					if l := libs[zipf()]; arch == "x86_64" || l.multilib {
						req(lp, soname(l.soname, arch))
					}
				}
				dv := add("lib"+name+"-devel", ver, rel, arch)
				req(dv, fmt.Sprintf("lib%s%s = %s-%s", name, map[string]string{"x86_64": "(x86-64)", "i686": "(x86-32)"}[arch], ver, rel))
				dv.Provides = dv.Provides.Append(repomd.Dep{Name: "pkgconfig(" + name + ")", Flags: repomd.DepEQ, EVR: repomd.EVR{Version: ver}})
			}
			if v == versions {
				libs = append(libs, lib{so, multilib})
			}
			tool := add(name, ver, rel, "x86_64")
			req(tool, fmt.Sprintf("lib%s(x86-64) = %s-%s", name, ver, rel))
			for k := r.Intn(4); k > 0 && len(libs) > 0; k-- {
				req(tool, soname(libs[zipf()].soname, "x86_64"))
			}
			switch r.Intn(6) {
			case 0:
				req(tool, "/bin/sh")
			case 1:
				req(tool, "/usr/bin/python3")
			}
			if r.Intn(15) == 0 && comp > 3 {
				other := fmt.Sprintf("c%04d", 1+r.Intn(comp-1))
				req(tool, fmt.Sprintf("(%s if %s)", other, fmt.Sprintf("c%04d", 1+r.Intn(comp-1))))
			}
			if r.Intn(8) == 0 {
				tool.Recommends = tool.Recommends.Append(repomd.Dep{Name: "bash"})
			}
			if r.Intn(20) == 0 {
				o, _ := repomd.ParseDep(fmt.Sprintf("old-%s < %s", name, ver))
				tool.Obsoletes = tool.Obsoletes.Append(o)
				tool.Provides = tool.Provides.Append(repomd.Dep{Name: "old-" + name, Flags: repomd.DepEQ, EVR: tool.EVR})
			}
			if r.Intn(10) == 0 {
				doc := add(name+"-doc", ver, rel, "noarch")
				req(doc, name)
			}
		}
	}
	// Deliberate breakage: a missing soname, a pair that conflicts, and an
	// old package obsoleted by a new one.
	broken := add("broken-missing", "1", "1", "x86_64")
	req(broken, "libnowhere.so.9()(64bit)")
	c1 := add("conflict-a", "1", "1", "noarch")
	c1.Conflicts = repomd.MakeDepList([]repomd.Dep{{Name: "conflict-b"}})
	add("conflict-b", "1", "1", "noarch")
	add("legacy", "1", "1", "noarch")
	nl := add("legacy-ng", "2", "1", "noarch")
	nl.Obsoletes = repomd.MakeDepList([]repomd.Dep{{Name: "legacy", Flags: repomd.DepLT, EVR: repomd.EVR{Version: "2"}}})
	r.Shuffle(len(pkgs), func(i, j int) { pkgs[i], pkgs[j] = pkgs[j], pkgs[i] })
	return pkgs
}

// latest returns the highest EVR per name.arch, the shape of a gathered
// package set, in repository order.
func latest(pkgs []*repomd.Package, skip func(*repomd.Package) bool) []*repomd.Package {
	best := map[string]*repomd.Package{}
	for _, p := range pkgs {
		if skip != nil && skip(p) {
			continue
		}
		k := p.Name + "." + p.Arch
		if b := best[k]; b == nil || repomd.CompareEVR(p.EVR, b.EVR) > 0 {
			best[k] = p
		}
	}
	var out []*repomd.Package
	for _, p := range pkgs {
		if best[p.Name+"."+p.Arch] == p {
			out = append(out, p)
		}
	}
	return out
}

// syntheticJobs is a set of install questions over a synthetic repository:
// the whole latest set (with and without the broken packages), and random
// subsets of various sizes.
func syntheticJobs(r *rand.Rand, pkgs []*repomd.Package, n int) [][]*repomd.Package {
	isBroken := func(p *repomd.Package) bool {
		switch p.Name {
		case "broken-missing", "conflict-a", "legacy":
			return true
		}
		return false
	}
	jobs := [][]*repomd.Package{latest(pkgs, isBroken), latest(pkgs, nil)}
	for len(jobs) < n {
		k := 1 + r.Intn(40)
		var job []*repomd.Package
		for i := 0; i < k; i++ {
			job = append(job, pkgs[r.Intn(len(pkgs))])
		}
		jobs = append(jobs, job)
	}
	return jobs
}

// TestSyntheticAgreesWithLibsolv compares verdicts with libsolv on a
// distribution-shaped repository of about 3,000 packages.
func TestSyntheticAgreesWithLibsolv(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	r := rand.New(rand.NewSource(2026))
	pkgs := synthRepo(r, 3000)
	jobs := syntheticJobs(r, pkgs, 40)
	b := oracleBatch{pkgs: pkgs}
	for _, job := range jobs {
		c := oracleCase{Arch: "x86_64", Multiversion: DefaultMultiversion}
		for _, p := range job {
			c.Install = append(c.Install, "0:"+p.Location)
		}
		b.cases = append(b.cases, c)
	}
	ans := askLibsolv(t, py, []oracleBatch{b})[0]
	var yes int
	for i, job := range jobs {
		res, err := Check(job, pkgs, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable {
			yes++
		}
		if res.Installable != ans[i].Installable {
			t.Errorf("job %d (%d packages): Installable = %v, libsolv %v\nours %q\nlibsolv %q", i, len(job), res.Installable, ans[i].Installable, res.Problems, ans[i].Main)
		}
		if i == 1 {
			// The whole set with the broken packages: each breakage must be
			// explained.
			got := map[string]bool{}
			for _, s := range res.Problems {
				got[s] = true
			}
			for _, want := range []string{
				"nothing provides libnowhere.so.9()(64bit) needed by broken-missing-1-1.x86_64",
				"package conflict-a-1-1.noarch conflicts with conflict-b provided by conflict-b-1-1.noarch",
				"package legacy-ng-2-1.noarch obsoletes legacy < 2 provided by legacy-1-1.noarch",
			} {
				if !got[want] {
					t.Errorf("whole set: missing problem %q in %q", want, res.Problems)
				}
			}
		}
	}
	if yes == 0 || yes == len(jobs) {
		t.Errorf("%d of %d jobs installable: the test does not discriminate", yes, len(jobs))
	}
	t.Logf("%d packages, %d jobs, %d installable", len(pkgs), len(jobs), yes)
}

// BenchmarkCheck measures a check of a gathered-set-sized job (the latest
// build of every name.arch, about 5,000 packages) and of small jobs, over
// a synthetic repository of about 6,000 packages.
func BenchmarkCheck(b *testing.B) {
	r := rand.New(rand.NewSource(7))
	pkgs := synthRepo(r, 6000)
	all := latest(pkgs, func(p *repomd.Package) bool {
		return p.Name == "broken-missing" || p.Name == "conflict-a" || p.Name == "legacy"
	})
	withBroken := latest(pkgs, nil)
	small := syntheticJobs(r, pkgs, 52)[2:]
	b.Run(fmt.Sprintf("whole-set-%d", len(all)), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if res, _ := Check(all, pkgs, "x86_64"); !res.Installable {
				b.Fatal(res.Problems)
			}
		}
	})
	b.Run(fmt.Sprintf("whole-set-with-3-problems-%d", len(withBroken)), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if res, _ := Check(withBroken, pkgs, "x86_64"); len(res.Problems) != 3 {
				b.Fatal(res.Problems)
			}
		}
	})
	b.Run("index", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			NewChecker(pkgs, "x86_64", Options{Multiversion: DefaultMultiversion})
		}
	})
	b.Run("50-small-jobs-one-index", func(b *testing.B) {
		c, _ := NewChecker(pkgs, "x86_64", Options{Multiversion: DefaultMultiversion})
		for i := 0; i < b.N; i++ {
			for _, job := range small {
				c.Check(job)
			}
		}
	})
}
