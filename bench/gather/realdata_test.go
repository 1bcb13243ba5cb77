package gather

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/repocache"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// realRoot is the shared CentOS Stream 9 metadata (../shared/realdata).
func realRoot(b *testing.B) string {
	root := filepath.Join(toolcheck.ProjectRoot(), "..", "shared", "realdata")
	if _, err := os.Stat(filepath.Join(root, "cs9-appstream")); err != nil {
		b.Skip("shared realdata absent")
	}
	return root
}

// loadCS9 opens BaseOS and AppStream in parallel and builds one pool, as
// `pungo depsolve --repo baseos=… --repo appstream=…` does.
func loadCS9(b *testing.B, root string) *depsolve.Pool {
	ids := []string{"baseos", "appstream"}
	repos := make([]*repomd.Repo, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() { defer wg.Done(); repos[i], errs[i] = repomd.Open(filepath.Join(root, "cs9-"+id)) }()
	}
	wg.Wait()
	var in []*depsolve.Repo
	for i, id := range ids {
		if errs[i] != nil {
			b.Fatal(errs[i])
		}
		in = append(in, depsolve.RepoFrom(id, repos[i], false))
	}
	pool, err := depsolve.NewPool(in)
	if err != nil {
		b.Fatal(err)
	}
	return pool
}

// BenchmarkLoadPoolRealCS9 measures loading the two CentOS Stream 9
// repositories (18,774 packages) and building the pool: the part of the
// real-data gather that issue 13's 0.15 s / 70 MB target is mostly about.
func BenchmarkLoadPoolRealCS9(b *testing.B) {
	root := realRoot(b)
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		loadCS9(b, root)
	}
	reportCPU(b, cpu)
}

// BenchmarkGatherRealCS9 measures Gather alone (after loading) of 300
// names spread over CentOS Stream 9 BaseOS+AppStream, greedy none,
// fulltree, multilib runtime: the options of bench/run.sh's real-data case.
func BenchmarkGatherRealCS9(b *testing.B) {
	p := loadCS9(b, realRoot(b))
	names := spreadNames(p, 300)
	opts := depsolve.Options{Arch: "x86_64", Fulltree: true, MultilibMethods: []string{"runtime"}}
	var res *depsolve.Result
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = depsolve.Gather(p, names, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(res.RPM)), "rpms")
}

// BenchmarkDepsolveRealCS9 is the whole `pungo depsolve` of bench/run.sh's
// real-data case in process, fresh every iteration: open both
// repositories (parsing the XML, or from a warm --cachedir), build the
// pool, gather 300 names (greedy none, fulltree, multilib runtime). It is
// the command's profile without the process start; peak-heap-MB is the
// heap's high-water mark over the run (runtime/metrics), the part of
// peak RSS the code decides.
func BenchmarkDepsolveRealCS9(b *testing.B) {
	root := realRoot(b)
	locs := []string{"baseos=" + filepath.Join(root, "cs9-baseos"), "appstream=" + filepath.Join(root, "cs9-appstream")}
	cacheDir := b.TempDir()
	for _, mode := range []string{"xml", "warm-cache"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			if mode == "warm-cache" {
				ctx = repomd.WithCache(ctx, repocache.New(cacheDir))
				depsolveCS9(b, ctx, locs, nil) // writes the images
			}
			var names []string
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				names = depsolveCS9(b, ctx, locs, names)
			}
			reportCPU(b, cpu)
		})
	}
}

// depsolveCS9 loads, builds the pool and gathers names (picked from the
// pool when nil) as the CLI does; it returns the names.
func depsolveCS9(b *testing.B, ctx context.Context, locs, names []string) []string {
	repos, err := depsolve.OpenReposContext(ctx, locs, nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := depsolve.NewPool(repos)
	if err != nil {
		b.Fatal(err)
	}
	if names == nil {
		names = InputNames(p, 300)
	}
	opts := depsolve.Options{Arch: "x86_64", Fulltree: true, MultilibMethods: []string{"runtime"}}
	if _, err := depsolve.Gather(p, names, opts); err != nil {
		b.Fatal(err)
	}
	return names
}
