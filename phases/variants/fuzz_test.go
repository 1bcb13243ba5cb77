package variants

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: any input either fails with a located *Error (or reads), and
// a tree that reads can be filtered and printed.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(testdata("full.xml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`<variants><variant id="S" name="S" type="variant" has_optional="true"><arches><arch>x</arch></arches></variant></variants>`))
	f.Add([]byte(`<variants><variant id="A" name="A" type="addon"><arches><arch>x</arch></arches></variant><variant id="S" name="S" type="variant"><arches><arch>x</arch></arches><variants><ref id="A"/></variants></variant></variants>`))
	// Seeds near the limits: a <ref> cycle, refs multiplying, text split
	// by comments, many attributes, deep nesting.
	f.Add([]byte(`<variants><variant id="A" name="A" type="addon"><arches><arch>x</arch></arches><variants><variant id="B" name="B" type="variant"><arches><arch>x</arch></arches><variants><ref id="A"/></variants></variant></variants></variant><variant id="S" name="S" type="variant"><arches><arch>x</arch></arches><variants><ref id="A"/><ref id="A"/></variants></variant></variants>`))
	f.Add([]byte(`<variants><variant id="S" name="S" type="variant"><arches><arch>x<!---->8<![CDATA[6]]>_64</arch></arches></variant></variants>`))
	f.Add([]byte(`<variants><variant id="S" name="S" type="variant" a="1" b="2" c="3" d="4" e="5" f="6" g="7"><arches><arch>` + strings.Repeat("x", 300) + `</arch></arches></variant></variants>`))
	f.Add([]byte("<variants>" + strings.Repeat("<variant>", 70) + strings.Repeat("</variant>", 70) + "</variants>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := Parse(data, "fuzz.xml", nil, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if _, err := json.Marshal(vs); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs.All() {
			if v.Parent != nil && len(v.Parent.Arches) > 0 {
				for _, a := range v.Arches {
					if !slices.Contains(v.Parent.Arches, a) {
						t.Fatalf("%s has arch %s its parent lacks", v.UID, a)
					}
				}
			}
		}
		vs.Filter([]string{"x"}, nil)
	})
}
