package decompress

import (
	"bytes"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

func TestReader(t *testing.T) {
	const text = "hello"
	var gz, zs, x bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(text))
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(text))
	zw.Close()
	xw, _ := xz.NewWriter(&x)
	xw.Write([]byte(text))
	xw.Close()
	bz2 := []byte{66, 90, 104, 57, 49, 65, 89, 38, 83, 89, 25, 49, 101, 61, 0, 0, 0, 129, 0, 2, 68, 160, 0, 33, 154, 104, 51, 77, 7, 51, 139, 185, 34, 156, 40, 72, 12, 152, 178, 158, 128}
	for _, c := range []struct {
		name string
		in   []byte
	}{{"plain", []byte(text)}, {"gzip", gz.Bytes()}, {"zstd", zs.Bytes()}, {"xz", x.Bytes()}, {"bzip2", bz2}} {
		r, done, err := Reader(bytes.NewReader(c.in), c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := io.ReadAll(r)
		done()
		if err != nil || string(got) != text {
			t.Errorf("%s: got %q, %v", c.name, got, err)
		}
	}
	// A gzip header that is cut short is an error naming the file.
	_, _, err := Reader(bytes.NewReader(gz.Bytes()[:4]), "f.gz")
	if err == nil || err.Error() != "f.gz: truncated file (the gzip header is incomplete)" {
		t.Errorf("truncated gzip header: %v", err)
	}
}

func TestCompressedSuffix(t *testing.T) {
	for name, want := range map[string]string{
		"comps.xml.xz": ".xz", "comps.xml.gz": ".gz", "a.bz2": ".bz2", "m.yaml.zst": ".zst",
		"comps.xml": "", ".gz": "", "x.zstd": "", "x.tgz": "",
	} {
		if got := CompressedSuffix(name); got != want {
			t.Errorf("CompressedSuffix(%q) = %q, want %q", name, got, want)
		}
	}
}
