package zck

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkWriter writes 2,000 package-sized chunks (about 600 bytes of
// primary.xml each), without and with a raw dictionary; allocs/op shows
// that a chunk costs no allocation beyond the index's growth.
func BenchmarkWriter(b *testing.B) {
	chunks := make([][]byte, 2000)
	total := 0
	for i := range chunks {
		chunks[i] = []byte(fmt.Sprintf(`<package type="rpm">
  <name>pkg%d</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="1.%d" rel="%d.fc41"/>
  <checksum type="sha256" pkgid="YES">%064x</checksum>
  <summary>Package number %d</summary>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:sourcerpm>pkg%d-1.%d-%d.fc41.src.rpm</rpm:sourcerpm>
    <rpm:provides><rpm:entry name="pkg%d" flags="EQ" epoch="0" ver="1.%d" rel="%d.fc41"/></rpm:provides>
  </format>
</package>
`, i, i%13, i%5, i*7919, i, i, i%13, i%5, i, i%13, i%5))
		total += len(chunks[i])
	}
	dict := []byte{}
	for _, c := range chunks[:100] {
		dict = append(dict, c...)
	}
	for _, tt := range []struct {
		name string
		dict []byte
	}{{"plain", nil}, {"dict", dict}} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w, err := NewWriter(io.Discard, Options{Dict: tt.dict})
				if err != nil {
					b.Fatal(err)
				}
				for _, c := range chunks {
					w.Write(c)
					w.EndChunk()
				}
				if _, err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
