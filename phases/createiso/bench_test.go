package createiso

import (
	"fmt"
	"path/filepath"
	"testing"
)

// A Fedora Everything-sized tree: 60 000 packages in 36 hashed directories.
func BenchmarkSplitAndGraft(b *testing.B) {
	const n = 60000
	tree := Tree{}
	files := make([]string, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%c/pkg%05d-1.0-1.fc40.x86_64.rpm", 'a'+i%26, i)
		files[i] = "/c/os/Packages/" + name
		tree["Packages/"+name] = files[i]
	}
	for i := 0; i < 26; i++ {
		tree[fmt.Sprintf("Packages/%c/", 'a'+i)] = fmt.Sprintf("/c/os/Packages/%c/", 'a'+i)
	}
	out := filepath.Join(b.TempDir(), "gp")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp := NewSplitter(4700000000)
		for j, f := range files {
			sp.Add(f, int64(100000+j%5000000), false)
		}
		if discs := sp.Split(); len(discs) == 0 {
			b.Fatal("no discs")
		}
		g := GraftPoints("/c", []Tree{tree})
		if err := WriteGraftPoints(out, g, []string{"*/lost+found", "*/boot.iso"}); err != nil {
			b.Fatal(err)
		}
	}
}
