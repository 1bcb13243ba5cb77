// Package createrepo_test benchmarks pungo's repository writer on the
// corpora that bench/createrepo.sh builds into bench/out/createrepo: 2,000
// tiny RPMs and 100 RPMs of about 5 MB. The benchmarks skip when the
// corpora have not been built; run bench/createrepo.sh once first (it also
// compares against createrepo_c).
package createrepo_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func corpus(b *testing.B, name string) string {
	dir := filepath.Join(toolcheck.ProjectRoot(), "bench", "out", "createrepo", name)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		b.Skipf("%s is not built: run bench/createrepo.sh first", dir)
	}
	return dir
}

func run(b *testing.B, name string, update, db bool) {
	runOpts(b, name, update, createrepo.Options{Database: db})
}

// runOpts times createrepo.Run over corpus name with opts (the output
// directory, workers and changelog limit filled in as the command line's).
func runOpts(b *testing.B, name string, update bool, opts createrepo.Options) {
	dir := corpus(b, name)
	opts.OutputDir = b.TempDir()
	opts.Workers = createrepo.DefaultWorkers
	opts.ChangelogLimit = 10
	if update {
		if _, err := createrepo.Run(dir, opts); err != nil {
			b.Fatal(err)
		}
		opts.Update = true
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		res, err := createrepo.Run(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		if update && res.Reused != res.Packages {
			b.Fatalf("update reused %d of %d", res.Reused, res.Packages)
		}
	}
	// On a shared machine wall time depends on the other load; the CPU
	// time of the process is the steadier measure of the work done.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user plus system time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkCreaterepoTiny(b *testing.B)           { run(b, "tiny-2000", false, true) }
func BenchmarkCreaterepoTinyNoDatabase(b *testing.B) { run(b, "tiny-2000", false, false) }
func BenchmarkCreaterepoTinyUpdate(b *testing.B)     { run(b, "tiny-2000", true, true) }
func BenchmarkCreaterepoBig(b *testing.B)            { run(b, "big-100", false, true) }
func BenchmarkCreaterepoBigUpdate(b *testing.B)      { run(b, "big-100", true, true) }

// The zchunk cases run on "tinysrc" (one source package per binary, so
// one zchunk chunk per package, as in a distribution).
func BenchmarkCreaterepoZck(b *testing.B) {
	runOpts(b, "tinysrc-2000", false, createrepo.Options{Zck: true})
}
func BenchmarkCreaterepoZckDatabase(b *testing.B) {
	runOpts(b, "tinysrc-2000", false, createrepo.Options{Zck: true, Database: true})
}
