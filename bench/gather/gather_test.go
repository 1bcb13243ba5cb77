// Package gather benchmarks pungo's depsolver on a Fedora-sized synthetic
// repository (bench/synth): loading, Pungi's gather of 3,000 input names
// (greedy none; greedy build with fulltree and selfhosting) and
// repoclosure. bench/gather.sh runs them next to libsolv and dnf.
//
// The repository is generated once into bench/out/gather (or taken from
// PUNGO_GATHER_REPO, a directory with bin/ and src/ repositories).
package gather

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/bench/synth"
	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// Repo returns the benchmark repository directory, generating it when
// absent.
func Repo(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PUNGO_GATHER_REPO")
	if dir == "" {
		dir = filepath.Join(toolcheck.ProjectRoot(), "bench", "out", "gather")
	}
	if _, err := os.Stat(filepath.Join(dir, "bin", "repodata", "repomd.xml")); err == nil {
		return dir
	}
	tb.Logf("generating the synthetic repository in %s", dir)
	if err := synth.Generate(filepath.Join(dir, "bin"), synth.Options{SourceDir: filepath.Join(dir, "src")}); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// InputNames picks n distinct binary package names spread evenly over the
// sorted names of the pool, the same every run; PUNGO_GATHER_NAMES names a
// file of names (one per line) to use instead, so that bench/gather.sh
// feeds every tool the same list.
func InputNames(pool *depsolve.Pool, n int) []string {
	if f := os.Getenv("PUNGO_GATHER_NAMES"); f != "" {
		if data, err := os.ReadFile(f); err == nil {
			return strings.Fields(string(data))
		}
	}
	return spreadNames(pool, n)
}

// spreadNames picks n distinct binary package names spread evenly over the
// sorted names of the pool.
func spreadNames(pool *depsolve.Pool, n int) []string {
	seen := map[string]bool{}
	var names []string
	for i := 0; i < pool.Len(); i++ {
		p := pool.Pkg(depsolve.PkgID(i))
		if p.IsSource() || seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		names = append(names, p.Name)
	}
	sort.Strings(names)
	if n >= len(names) {
		return names
	}
	out := make([]string, 0, n)
	step := float64(len(names)) / float64(n)
	for i := 0; i < n; i++ {
		out = append(out, names[int(float64(i)*step)])
	}
	return out
}

// Load opens the binary and source repositories in parallel and builds
// the pool.
func Load(tb testing.TB, dir string) *depsolve.Pool {
	tb.Helper()
	var bin, src *repomd.Repo
	var errB, errS error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); bin, errB = repomd.Open(filepath.Join(dir, "bin")) }()
	go func() { defer wg.Done(); src, errS = repomd.Open(filepath.Join(dir, "src")) }()
	wg.Wait()
	if errB != nil {
		tb.Fatal(errB)
	}
	if errS != nil {
		tb.Fatal(errS)
	}
	pool, err := depsolve.NewPool([]*depsolve.Repo{depsolve.RepoFrom("bin", bin, false), depsolve.RepoFrom("src", src, false)})
	if err != nil {
		tb.Fatal(err)
	}
	return pool
}

var (
	poolOnce sync.Once
	pool     *depsolve.Pool
)

func sharedPool(b *testing.B) *depsolve.Pool {
	poolOnce.Do(func() { pool = Load(b, Repo(b)) })
	return pool
}

var configs = []struct {
	name string
	opts depsolve.Options
}{
	{"none", depsolve.Options{Arch: "x86_64"}},
	{"build-fulltree-selfhosting", depsolve.Options{Arch: "x86_64", Greedy: depsolve.GreedyBuild, Fulltree: true, Selfhosting: true}},
}

// BenchmarkGather measures Gather alone (after loading) for 3,000 names.
func BenchmarkGather(b *testing.B) {
	p := sharedPool(b)
	names := InputNames(p, 3000)
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			var res *depsolve.Result
			b.ReportAllocs()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				var err error
				if res, err = depsolve.Gather(p, names, c.opts); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(len(res.RPM)), "rpms")
			b.ReportMetric(float64(len(res.SRPM)), "srpms")
		})
	}
}

// BenchmarkLoad measures opening both repositories and building the pool.
func BenchmarkLoad(b *testing.B) {
	dir := Repo(b)
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		Load(b, dir)
	}
	reportCPU(b, cpu)
}

// BenchmarkPool measures building the pool from already parsed packages.
func BenchmarkPool(b *testing.B) {
	p := sharedPool(b)
	repos := p.Repos
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := depsolve.NewPool(repos); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkRepoclosure measures Repoclosure of the binary repository.
func BenchmarkRepoclosure(b *testing.B) {
	p := sharedPool(b)
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := depsolve.Repoclosure(p, depsolve.ClosureOptions{Check: []string{"bin"}}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// cpuTime is the process's user+system CPU time: on a shared machine the
// wall time of a benchmark says more about the neighbours than about it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
