package modulemd

import "testing"

// BenchmarkReadAppStream parses CentOS Stream 9 AppStream's modules.yaml
// (39 documents, 135 kB).
func BenchmarkReadAppStream(b *testing.B) {
	data := realAppStream(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
