package installcheck

import (
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestRealDataAgreesWithLibsolv asks both solvers the same install
// questions over CentOS Stream 9 BaseOS and AppStream metadata (about
// 18,700 packages, real rich, file and versioned dependencies, i686
// multilib builds, modular duplicates): random small jobs, every package of
// a comps-sized random sample, and the whole of BaseOS.
func TestRealDataAgreesWithLibsolv(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	root := toolcheck.Shared(t, "realdata")
	dirs := []string{filepath.Join(root, "cs9-baseos"), filepath.Join(root, "cs9-appstream")}
	var repos [][]*repomd.Package
	var all []*repomd.Package
	for _, d := range dirs {
		r, err := repomd.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LoadFilelists(); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		repos = append(repos, r.Packages)
		all = append(all, r.Packages...)
	}
	loc := map[*repomd.Package]string{}
	var binaries []*repomd.Package
	for i, pkgs := range repos {
		for _, p := range pkgs {
			loc[p] = string(rune('0'+i)) + ":" + p.Location
			if !p.IsSource() {
				binaries = append(binaries, p)
			}
		}
	}
	r := rand.New(rand.NewSource(9))
	var jobs [][]*repomd.Package
	jobs = append(jobs, latest(repos[0], (*repomd.Package).IsSource))
	for len(jobs) < 30 {
		n := 1 + r.Intn(8)
		if len(jobs)%10 == 0 {
			n = 60
		}
		var job []*repomd.Package
		for i := 0; i < n; i++ {
			job = append(job, binaries[r.Intn(len(binaries))])
		}
		jobs = append(jobs, job)
	}
	b := oracleBatch{dirs: dirs}
	for _, job := range jobs {
		c := oracleCase{Arch: "x86_64", Multiversion: DefaultMultiversion}
		for _, p := range job {
			c.Install = append(c.Install, loc[p])
		}
		b.cases = append(b.cases, c)
	}
	ans := askLibsolv(t, py, []oracleBatch{b})[0]
	checker, err := NewChecker(all, "x86_64", Options{Multiversion: DefaultMultiversion})
	if err != nil {
		t.Fatal(err)
	}
	yes := 0
	for i, job := range jobs {
		res, err := checker.Check(job)
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable {
			yes++
		}
		if !res.Installable {
			var theirs []string
			for _, p := range ans[i].Problems {
				theirs = append(theirs, p...)
			}
			shared := 0
			for _, s := range allSentences(res) {
				for _, x := range theirs {
					if s == x {
						shared++
						break
					}
				}
			}
			t.Logf("job %d: %d problems (libsolv %d); %d of our %d sentences also libsolv's", i, len(res.Problems), len(ans[i].Main), shared, len(allSentences(res)))
		}
		if res.Installable != ans[i].Installable {
			t.Errorf("job %d (%d packages): Installable = %v, libsolv %v\nours %q\nlibsolv %q", i, len(job), res.Installable, ans[i].Installable, res.Problems, ans[i].Main)
		}
	}
	if yes == 0 || yes == len(jobs) {
		t.Errorf("%d of %d jobs installable: the test does not discriminate", yes, len(jobs))
	}
	t.Logf("%d packages, %d jobs, %d installable", len(all), len(jobs), yes)
}
