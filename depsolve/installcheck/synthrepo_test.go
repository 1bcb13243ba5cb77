package installcheck

import (
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/pungo/pungo/bench/synth"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestSynthRepoAgreesWithLibsolv compares verdicts with libsolv over a
// repository from the project's Fedora-shaped generator (bench/synth, at
// a tenth of Fedora's size), read back by repomd like real metadata:
// jobs of several sizes.
func TestSynthRepoAgreesWithLibsolv(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	dir := filepath.Join(t.TempDir(), "bin")
	if err := synth.Generate(dir, synth.Options{Binary: 7000, Source: -1, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	repo, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.LoadFilelists(); err != nil {
		t.Fatal(err)
	}
	pkgs := repo.Packages
	checker, err := NewChecker(pkgs, "x86_64", Options{Multiversion: DefaultMultiversion})
	if err != nil {
		t.Fatal(err)
	}
	// The generator leaves some requirements open (as real snapshots do), so
	// pick jobs from both sides: packages that install alone, groups of
	// them (which may clash) and packages that do not. (The whole latest
	// set has thousands of problems; libsolv takes long to list them.)
	r := rand.New(rand.NewSource(5))
	var good, bad []*repomd.Package
	for len(good) < 30 || len(bad) < 5 {
		p := pkgs[r.Intn(len(pkgs))]
		res, err := checker.Check([]*repomd.Package{p})
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable {
			good = append(good, p)
		} else if len(bad) < 5 {
			bad = append(bad, p)
		}
	}
	jobs := [][]*repomd.Package{good}
	for _, p := range good[:10] {
		jobs = append(jobs, []*repomd.Package{p})
	}
	for _, p := range bad {
		jobs = append(jobs, []*repomd.Package{p})
	}
	for len(jobs) < 25 {
		var job []*repomd.Package
		for k := 2 + r.Intn(20); k > 0; k-- {
			job = append(job, good[r.Intn(len(good))])
		}
		jobs = append(jobs, job)
	}
	b := oracleBatch{dirs: []string{dir}}
	for _, job := range jobs {
		c := oracleCase{Arch: "x86_64", Multiversion: DefaultMultiversion}
		for _, p := range job {
			c.Install = append(c.Install, "0:"+p.Location)
		}
		b.cases = append(b.cases, c)
	}
	ans := askLibsolv(t, py, []oracleBatch{b})[0]
	yes := 0
	for i, job := range jobs {
		res, err := checker.Check(job)
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable {
			yes++
		}
		if res.Installable != ans[i].Installable {
			t.Errorf("job %d (%d packages): Installable = %v, libsolv %v\nours %q\nlibsolv %q", i, len(job), res.Installable, ans[i].Installable, res.Problems, ans[i].Main)
		}
		if !res.Installable && len(res.Problems) != len(ans[i].Main) {
			t.Logf("job %d: %d problems, libsolv %d", i, len(res.Problems), len(ans[i].Main))
		}
	}
	if yes == 0 || yes == len(jobs) {
		t.Errorf("%d of %d jobs installable: the test does not discriminate", yes, len(jobs))
	}
	t.Logf("%d packages, %d jobs, %d installable", len(pkgs), len(jobs), yes)
}
