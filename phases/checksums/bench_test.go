package checksums

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Hashing a 256 MiB image with Pungi's default md5+sha1+sha256 in one read.
func BenchmarkFileDigests(b *testing.B) {
	p := filepath.Join(b.TempDir(), "img")
	f, _ := os.Create(p)
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	for i := 0; i < 256; i++ {
		f.Write(buf)
	}
	f.Close()
	b.SetBytes(256 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FileDigests(context.Background(), p, []string{"md5", "sha1", "sha256"}); err != nil {
			b.Fatal(err)
		}
	}
}
