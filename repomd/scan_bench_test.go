package repomd

import (
	"bytes"
	"encoding/xml"
	"io"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// These benchmarks are the measurement behind the hand-written scanner:
// the same decompressed primary (CentOS Stream 9 AppStream, 49 MB) read
// by encoding/xml's tokenizer and by xmlScanner, and parsed into packages.
//
//	go test -run XXX -bench 'Tokens|ParsePrimary' ./repomd/

var (
	appstreamOnce sync.Once
	appstreamXML  []byte
)

func appstreamPrimary(b *testing.B) []byte {
	dir := filepath.Join(toolcheck.Shared(b, "realdata"), "cs9-appstream")
	appstreamOnce.Do(func() {
		r, err := OpenMeta(dir)
		if err != nil {
			b.Fatal(err)
		}
		rc, err := r.OpenRecord("primary")
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		appstreamXML, err = io.ReadAll(rc)
		if err != nil {
			b.Fatal(err)
		}
	})
	return appstreamXML
}

// cpuMetric reports the process CPU time per op beside the wall time,
// which a busy machine inflates.
func cpuMetric(b *testing.B) func() {
	start := processCPU()
	return func() { b.ReportMetric(float64(processCPU()-start)/1e6/float64(b.N), "cpu-ms/op") }
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkTokensEncodingXML(b *testing.B) {
	data := appstreamPrimary(b)
	b.SetBytes(int64(len(data)))
	defer cpuMetric(b)()
	for i := 0; i < b.N; i++ {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.RawToken(); err != nil {
				break
			}
		}
	}
}

func BenchmarkTokensScanner(b *testing.B) {
	data := appstreamPrimary(b)
	b.SetBytes(int64(len(data)))
	defer cpuMetric(b)()
	for i := 0; i < b.N; i++ {
		s := newXMLScanner(bytes.NewReader(data), "primary.xml")
		for s.next() != tokEOF {
		}
	}
}

func BenchmarkParsePrimarySequential(b *testing.B) {
	data := appstreamPrimary(b)
	b.SetBytes(int64(len(data)))
	defer cpuMetric(b)()
	for i := 0; i < b.N; i++ {
		if _, err := parsePrimary(bytes.NewReader(data), "primary.xml", 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePrimaryParallel(b *testing.B) {
	data := appstreamPrimary(b)
	b.SetBytes(int64(len(data)))
	defer cpuMetric(b)()
	for i := 0; i < b.N; i++ {
		if _, err := parsePrimary(bytes.NewReader(data), "primary.xml", chunkWorkers()); err != nil {
			b.Fatal(err)
		}
	}
}
