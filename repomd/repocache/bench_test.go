package repocache

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// Warm loads of the CentOS Stream 9 repositories and of the synthetic
// 70,000-package repository (bench/out/synth70000, made by bench/load.sh;
// skipped when absent). bench/run.sh times the same through the CLI.
func BenchmarkWarmLoad(b *testing.B) {
	root := toolcheck.ProjectRoot()
	sets := []struct {
		name string
		locs []string
	}{
		{"cs9", []string{filepath.Join(root, "..", "shared", "realdata", "cs9-baseos"), filepath.Join(root, "..", "shared", "realdata", "cs9-appstream")}},
		{"synth70k", []string{filepath.Join(root, "bench", "out", "synth70000")}},
	}
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			for _, l := range set.locs {
				if _, err := os.Stat(filepath.Join(l, "repodata", "repomd.xml")); err != nil {
					b.Skip(err)
				}
			}
			c := New(b.TempDir())
			ctx := repomd.WithCache(context.Background(), c)
			for _, l := range set.locs {
				if _, err := repomd.OpenContext(ctx, l); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				for _, l := range set.locs {
					if _, err := repomd.OpenContext(ctx, l); err != nil {
						b.Fatal(err)
					}
				}
			}
			// CPU time is the steadier figure on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEncode is the cost a cold load adds: encoding the primary
// image of CentOS Stream 9 AppStream and of the synthetic repository
// (writing it is not included).
func BenchmarkEncode(b *testing.B) {
	root := toolcheck.ProjectRoot()
	for _, set := range []struct{ name, loc string }{
		{"cs9-appstream", filepath.Join(root, "..", "shared", "realdata", "cs9-appstream")},
		{"synth70k", filepath.Join(root, "bench", "out", "synth70000")},
	} {
		b.Run(set.name, func(b *testing.B) {
			r, err := repomd.Open(set.loc)
			if err != nil {
				b.Skip(err)
			}
			var sum [32]byte
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				encode(kindPrimary, sum, r.Packages)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
