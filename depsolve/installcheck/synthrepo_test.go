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
	// Jobs of several sizes: the latest build of every name.arch (a
	// gathered set), single packages, and random groups, which may ask for
	// two builds of one name or for conflicting packages.
	r := rand.New(rand.NewSource(5))
	jobs := [][]*repomd.Package{latest(pkgs, nil)}
	for len(jobs) < 30 {
		n := 1 + r.Intn(3)
		if len(jobs)%2 == 0 {
			n = 20 + r.Intn(500)
		}
		var job []*repomd.Package
		for i := 0; i < n; i++ {
			job = append(job, pkgs[r.Intn(len(pkgs))])
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
