package variants

import (
	"encoding/json"
	"os"
	"slices"
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
