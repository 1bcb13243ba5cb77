// Package load benchmarks reading repositories: the primary metadata of a
// Fedora-sized synthetic repository (bench/synth, 70,000 binary packages,
// about 130 MB of primary XML) and the same with filelists. The repository
// is generated once into bench/out/synth70000 (or taken from
// PUNGO_BENCH_REPO). bench/load.sh runs the same loads against libsolv.
//
//	go test -run XXX -bench . -benchtime 5x ./bench/load/
package load

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/bench/synth"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

var (
	repoOnce sync.Once
	repoDir  string
	repoErr  error
)

func benchRepo(b *testing.B) string {
	repoOnce.Do(func() {
		if d := os.Getenv("PUNGO_BENCH_REPO"); d != "" {
			repoDir = d
			return
		}
		repoDir = filepath.Join(toolcheck.ProjectRoot(), "bench", "out", "synth70000")
		if _, err := os.Stat(filepath.Join(repoDir, "repodata", "repomd.xml")); err == nil {
			return
		}
		repoErr = synth.Generate(repoDir, synth.Options{Binary: 70000, Source: 30000,
			SourceDir: filepath.Join(toolcheck.ProjectRoot(), "bench", "out", "synth70000-src")})
	})
	if repoErr != nil {
		b.Fatal(repoErr)
	}
	return repoDir
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// run times f, reporting CPU time per load beside wall time (the two
// differ on a busy machine and by the parallelism of the load).
func run(b *testing.B, f func() (*repomd.Repo, error)) {
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	c := cpuTime()
	var n int
	for i := 0; i < b.N; i++ {
		r, err := f()
		if err != nil {
			b.Fatal(err)
		}
		n = len(r.Packages)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-c)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "packages")
}

func BenchmarkLoadPrimary(b *testing.B) {
	dir := benchRepo(b)
	run(b, func() (*repomd.Repo, error) { return repomd.Open(dir) })
}

func BenchmarkLoadPrimaryAndFilelists(b *testing.B) {
	dir := benchRepo(b)
	run(b, func() (*repomd.Repo, error) {
		r, err := repomd.Open(dir)
		if err != nil {
			return nil, err
		}
		return r, r.LoadFilelists()
	})
}

// BenchmarkLoadRealCS9 loads both CentOS Stream 9 primaries (BaseOS,
// 1,125 packages, and AppStream, 17,649), one after the other, as
// bench/run.sh's real-data load case does in a whole process.
func BenchmarkLoadRealCS9(b *testing.B) {
	root := filepath.Join(toolcheck.ProjectRoot(), "..", "shared", "realdata")
	if _, err := os.Stat(root); err != nil {
		b.Skip("shared realdata absent")
	}
	n := 0
	run(b, func() (*repomd.Repo, error) {
		base, err := repomd.Open(filepath.Join(root, "cs9-baseos"))
		if err != nil {
			return nil, err
		}
		app, err := repomd.Open(filepath.Join(root, "cs9-appstream"))
		n = len(base.Packages) + len(app.Packages)
		return app, err
	})
	b.ReportMetric(float64(n), "packages")
}

func BenchmarkLoadRealAppStream(b *testing.B) {
	dir := filepath.Join(toolcheck.ProjectRoot(), "..", "shared", "realdata", "cs9-appstream")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("shared realdata absent")
	}
	run(b, func() (*repomd.Repo, error) { return repomd.Open(dir) })
}
