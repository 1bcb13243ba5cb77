package comps

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// xmlOutline renders an XML document as one line per element: its path,
// attributes and trimmed text, children in document order. Two documents
// with the same outline carry the same information whatever their
// indentation, quoting and DOCTYPE spelling.
func xmlOutline(t *testing.T, data []byte) []string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(e *etree.Element, path string)
	walk = func(e *etree.Element, path string) {
		path += "/" + e.FullTag()
		attrs := make([]string, len(e.Attr))
		for i, a := range e.Attr {
			attrs[i] = a.FullKey() + "=" + a.Value
		}
		out = append(out, fmt.Sprintf("%s %v %q", path, attrs, strings.TrimSpace(e.Text())))
		for _, c := range e.ChildElements() {
			walk(c, path)
		}
	}
	walk(doc.Root(), "")
	return out
}

// TestRealCompsWrittenAsRead: writing the real comps files without any
// filtering gives back every element, attribute and text of the original,
// in the original order (the model-level round trip in read_test.go
// cannot see what the reader never kept).
func TestRealCompsWrittenAsRead(t *testing.T) {
	for _, repo := range []string{"cs9-baseos", "cs9-appstream"} {
		t.Run(repo, func(t *testing.T) {
			c := realComps(t, repo)
			files, _ := filepath.Glob(filepath.Join(filepath.Dir(c.File), "*comps*.xml*"))
			orig, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(files[0], ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(orig))
				if err != nil {
					t.Fatal(err)
				}
				if orig, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			want, got := xmlOutline(t, orig), xmlOutline(t, c.Bytes())
			if len(want) < 500 {
				t.Fatalf("only %d elements in %s", len(want), files[0])
			}
			for i := 0; i < len(want) && i < len(got); i++ {
				if want[i] != got[i] {
					t.Fatalf("element %d differs:\noriginal %s\nwritten  %s", i, want[i], got[i])
				}
			}
			if len(want) != len(got) {
				t.Fatalf("%d elements written, %d in the original", len(got), len(want))
			}
		})
	}
}
