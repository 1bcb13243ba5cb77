package comps

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any input either fails with a located error or reads into a
// document that writes back to an equal, stable document.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(testdata("full.xml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(base))
	f.Add([]byte(`<comps><group><id>a</id><packagelist><packagereq type="conditional" requires="b">c</packagereq></packagelist></group><x/></comps>`))
	f.Add([]byte(`<comps><environment><id>e</id><optionlist><groupid default="true">g</groupid></optionlist></environment></comps>`))
	f.Add([]byte("<comps><group><id>a</id><name>x&#13;y ' \" ]]&gt;</name><extra a='1&#9;2'>r&#13;</extra></group></comps>"))
	// Seeds near the limits: text split by comments, many attributes, a
	// long name, deep nesting.
	f.Add([]byte(`<comps><group><id>a</id><description>d<!--c-->e<![CDATA[f]]>g</description><x a="1" b="2" c="3" d="4" e="5" f="6"/></group></comps>`))
	f.Add([]byte(`<comps><group><id>` + strings.Repeat("g", 300) + `</id><packagelist>` + strings.Repeat(`<packagereq>p</packagereq>`, 50) + `</packagelist></group></comps>`))
	f.Add([]byte("<comps>" + strings.Repeat("<x>", 70) + strings.Repeat("</x>", 70) + "</comps>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseBytes(data, "fuzz.xml")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		c.Validate()
		out := c.Bytes()
		back, err := ParseBytes(out, "rewritten")
		if err != nil {
			t.Fatalf("written document does not read back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(stripLines(c), stripLines(back)) {
			t.Fatalf("round trip changed the document\n%s", out)
		}
		if again := back.Bytes(); !bytes.Equal(out, again) {
			t.Fatalf("writing is not stable")
		}
		c.Clone().Filter(FilterOptions{Arch: "x86_64", Variant: "Server"})
		FilterForVariant(c, VariantFilter{Arch: "x86_64", VariantUID: "Server", VariantType: "addon",
			Groups: []VariantGroup{{Name: "*", Glob: true}}, FilterEnvironments: true, Environments: []VariantEnvironment{{Name: "e"}}})
	})
}
