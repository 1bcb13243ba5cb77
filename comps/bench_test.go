package comps

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

func realCompsBytes(b *testing.B) []byte {
	dir := toolcheck.Shared(b, "realdata/cs9-appstream/repodata")
	files, _ := filepath.Glob(filepath.Join(dir, "*comps*.xml"))
	if len(files) != 1 {
		b.Skip("no AppStream comps")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// go test ./comps -run XXX -bench . -benchmem
func BenchmarkParseAppStream(b *testing.B) {
	data := realCompsBytes(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseBytes(data, "appstream"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteAppStream(b *testing.B) {
	c, err := ParseBytes(realCompsBytes(b), "appstream")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilterForVariantAppStream(b *testing.B) {
	c, err := ParseBytes(realCompsBytes(b), "appstream")
	if err != nil {
		b.Fatal(err)
	}
	f := VariantFilter{Arch: "x86_64", VariantUID: "AppStream", VariantType: "variant", FilterEnvironments: true,
		Groups: []VariantGroup{{Name: "*", Glob: true}}, Environments: []VariantEnvironment{{Name: "server-product-environment"}}}
	for b.Loop() {
		FilterForVariant(c, f)
	}
}
