package variants

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func testdata(name string) string {
	return filepath.Join(toolcheck.ProjectRoot(), "testdata", "variants", name)
}

// tree renders a variant tree compactly: one line per variant.
func tree(vs *Variants) string {
	var b strings.Builder
	for _, v := range vs.All() {
		depth := 0
		for p := v.Parent; p != nil; p = p.Parent {
			depth++
		}
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(v.UID + " " + v.Type + " [" + strings.Join(v.Arches, " ") + "]")
		b.WriteString("\n")
	}
	return b.String()
}

func TestFullFile(t *testing.T) {
	vs, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `Server variant [aarch64 s390x x86_64]
  Server-ResilientStorage addon [x86_64]
  Server-optional optional [aarch64 s390x x86_64]
  Server-HighAvailability addon [s390x x86_64]
  Server-Gluster layered-product [x86_64]
Client variant [x86_64]
  Client-optional optional [x86_64]
AppStream variant [aarch64 x86_64]
Everything variant [aarch64 ppc64le s390x x86_64]
Live variant [x86_64]
`
	if got := tree(vs); got != want {
		t.Errorf("tree\n%s\nwant\n%s", got, want)
	}
	srv := vs.Lookup("Server")
	wantGroups := []Group{
		{Name: "base", Default: boolp(false)},
		{Name: "core", Default: boolp(true), UserVisible: boolp(false)},
		{Name: "server-*", Glob: true},
	}
	if !reflect.DeepEqual(srv.Groups, wantGroups) {
		t.Errorf("Server groups %+v", srv.Groups)
	}
	if !reflect.DeepEqual(srv.Environments, []Environment{{"minimal-environment", nil}, {"server-product-environment", intp(10)}}) {
		t.Errorf("Server environments %+v", srv.Environments)
	}
	if !reflect.DeepEqual(srv.BuildInstallPackages, []string{"anaconda-install-env-deps", "lorax-templates-server"}) {
		t.Errorf("buildinstallpackages %v", srv.BuildInstallPackages)
	}
	if !srv.HasOptional || srv.Modular() || srv.Line != 26 {
		t.Errorf("Server: has_optional %v modular %v line %d", srv.HasOptional, srv.Modular(), srv.Line)
	}
	gl := vs.Lookup("Server-Gluster")
	if gl == nil || !reflect.DeepEqual(gl.Release, &Release{Name: "Gluster", Short: "Gluster", Version: "2.3"}) {
		t.Errorf("Gluster release %+v", gl)
	}
	as := vs.Lookup("AppStream")
	if !reflect.DeepEqual(as.Modules, []string{"nodejs:18", "postgresql:*"}) ||
		!reflect.DeepEqual(as.ModuleSpecs, []Module{{"nodejs:18", false}, {"postgresql:*", true}}) ||
		!reflect.DeepEqual(as.ModularKojiTags, []string{"module-el9-*"}) {
		t.Errorf("AppStream modules %v %v %v", as.Modules, as.ModuleSpecs, as.ModularKojiTags)
	}
	// As in Pungi, any is_empty value, "false" included, empties a variant.
	if !vs.Lookup("Everything").IsEmpty || !vs.Lookup("Live").IsEmpty || vs.Lookup("Client").IsEmpty {
		t.Error("is_empty misread")
	}
	if !slices.ContainsFunc(vs.Notes, func(n string) bool { return strings.Contains(n, `Variant Everything: is_empty="false" makes it empty`) }) {
		t.Errorf("no note about is_empty=\"false\": %q", vs.Notes)
	}
	if got := vs.Lookup("Client-optional").Groups; len(got) != 1 || got[0].Name != "client-optional" {
		t.Errorf("explicit optional child replaced: %+v", got)
	}
	if got := vs.Arches(); !reflect.DeepEqual(got, []string{"aarch64", "ppc64le", "s390x", "x86_64"}) {
		t.Errorf("arches %v", got)
	}
}

func TestGoldenJSON(t *testing.T) {
	vs, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := testdata("full.json")
	if os.Getenv("PUNGO_UPDATE_GOLDEN") == "1" {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("JSON differs from %s (PUNGO_UPDATE_GOLDEN=1 rewrites it):\n%s", golden, got)
	}
	// The shape: exactly the documented keys, nulls where unset.
	var list []map[string]any
	json.Unmarshal(got, &list)
	keys := func(m map[string]any) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		return sortStrings(k)
	}
	wantKeys := sortStrings([]string{"uid", "id", "name", "type", "arches", "groups", "environments", "buildinstallpackages", "modules", "is_empty", "parent", "variants"})
	if !reflect.DeepEqual(keys(list[0]), wantKeys) {
		t.Errorf("keys %v", keys(list[0]))
	}
	if list[0]["parent"] != nil || list[0]["modules"] != nil {
		t.Errorf("unset parent/modules not null: %v %v", list[0]["parent"], list[0]["modules"])
	}
	child := list[0]["variants"].([]any)[0].(map[string]any)
	if child["parent"] != "Server" {
		t.Errorf("child parent %v", child["parent"])
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func boolp(b bool) *bool { return &b }
func intp(n int) *int    { return &n }

const head = ""

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string // each a line of the error
	}{
		{"malformed", head + "<variants>\n<variant id='a' name='a' type='variant'>\n</variants>",
			[]string{"f.xml:3: malformed XML: element <variant> closed by </variants>"}},
		{"wrong root", head + "<variant/>", []string{"f.xml:1: root element is <variant>, want <variants>"}},
		{"unknown element", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches>\n<foo/></variant></variants>",
			[]string{"f.xml:2: element <variant> content does not follow the DTD, expecting (release?,arches,groups?,environments*,variants*,buildinstallpackages?,modules?)?, got (arches,foo)",
				"f.xml:3: no declaration for element <foo>"}},
		{"missing attributes", head + "<variants>\n<variant id='a'><arches><arch>x</arch></arches></variant></variants>",
			[]string{"f.xml:2: element <variant> does not carry attribute name", "f.xml:2: element <variant> does not carry attribute type"}},
		{"bad type", head + "<variants>\n<variant id='a' name='a' type='product'><arches><arch>x</arch></arches></variant></variants>",
			[]string{`f.xml:2: value "product" for attribute type of <variant> is not among the enumerated set (variant|addon|optional|layered-product)`}},
		{"bad boolean", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches>\n<groups><group glob='yes'>g</group></groups></variant></variants>",
			[]string{`f.xml:3: value "yes" for attribute glob of <group> is not among the enumerated set (true|false)`}},
		{"unknown attribute", head + "<variants>\n<variant id='a' name='a' type='variant' arch='x'><arches><arch>x</arch></arches></variant></variants>",
			[]string{"f.xml:2: no declaration for attribute arch of element <variant>"}},
		{"wrong order", head + "<variants>\n<variant id='a' name='a' type='variant'>\n<groups><group>g</group></groups>\n<arches><arch>x</arch></arches></variant></variants>",
			[]string{"f.xml:2: element <variant> content does not follow the DTD, expecting (release?,arches,groups?,environments*,variants*,buildinstallpackages?,modules?)?, got (groups,arches)"}},
		{"empty arches", head + "<variants>\n<variant id='a' name='a' type='variant'>\n<arches/></variant></variants>",
			[]string{"f.xml:3: element <arches> content does not follow the DTD, expecting (arch)+, got ()"}},
		{"ref after variant", head + "<variants>\n<variant id='a' name='a' type='variant'/>\n<ref id='a'/></variants>",
			[]string{"f.xml:1: element <variants> content does not follow the DTD, expecting (ref*,variant*), got (variant,ref)"}},
		{"text in element content", head + "<variants>\n<variant id='a' name='a' type='variant'><arches>\nx86_64</arches></variant></variants>",
			[]string{`f.xml:2: element <arches> may not contain text ("x86_64"); expecting (arch)+`,
				"f.xml:2: element <arches> content does not follow the DTD, expecting (arch)+, got ()"}},
		{"child in text element", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x<b/></arch></arches></variant></variants>",
			[]string{"f.xml:2: element <arch> may only contain text, not <b>", "f.xml:2: no declaration for element <b>"}},
		{"ref with content", head + "<variants><variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<ref id='b'>x</ref></variants></variant></variants>",
			[]string{"f.xml:2: element <ref> was declared EMPTY but has content"}},
		{"whitespace", head + "<variants>\n<variant id='a' name='a' type='variant'>\n<arches><arch> x86_64</arch></arches>\n<groups><group>core\n</group></groups></variant></variants>",
			[]string{"f.xml:3: tag arch contains leading or trailing whitespace", "f.xml:4: tag group contains leading or trailing whitespace"}},
		{"display order", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches>\n<environments><environment display_order='first'>e</environment></environments></variant></variants>",
			[]string{`f.xml:3: environment e: display_order must be an integer, not "first"`}},
		{"missing ref", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<ref id='Nope'/></variants></variant></variants>",
			[]string{"f.xml:3: variant a references non-existing variant Nope (only top-level addons and layered products can be referenced)"}},
		{"layered product without release", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<variant id='LP' name='lp' type='layered-product'><arches><arch>x</arch></arches></variant></variants></variant></variants>",
			[]string{"f.xml:3: layered product a-LP has no <release> element"}},
		{"release without version", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<variant id='LP' name='lp' type='layered-product'>\n<release name='LP' short='lp'/><arches><arch>x</arch></arches></variant></variants></variant></variants>",
			[]string{"f.xml:4: layered product a-LP: <release> lacks the version attribute(s)"}},
		{"arches do not intersect", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x86_64</arch></arches><variants>\n<variant id='b' name='b' type='addon'><arches><arch>s390x</arch></arches></variant></variants></variant></variants>",
			[]string{"f.xml:3: a-b: arch list [s390x] does not intersect with parent arch list [x86_64]"}},
		{"child of an addon", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<variant id='b' name='b' type='addon'><arches><arch>x</arch></arches><variants>\n<variant id='c' name='c' type='addon'><arches><arch>x</arch></arches></variant></variants></variant></variants></variant></variants>",
			[]string{"f.xml:4: a-b: only a variant can contain other variants, not a addon (child c)"}},
		{"child with the parent's id", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches><variants>\n<variant id='a' name='b' type='addon'><arches><arch>x</arch></arches></variant></variants></variant></variants>",
			[]string{"f.xml:3: child variant id must be different from its parent's: a"}},
		{"duplicate top-level id", head + "<variants>\n<variant id='a' name='a' type='variant'><arches><arch>x</arch></arches></variant>\n<variant id='a' name='a2' type='variant'><arches><arch>x</arch></arches></variant></variants>",
			[]string{"f.xml:3: variant a defined again (first at line 2)"}},
		{"empty", "", []string{"f.xml: no root element (empty document?)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "f.xml", nil, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("error\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSemantics(t *testing.T) {
	for _, tc := range []struct {
		name, doc     string
		arches, uids  []string
		want          string
		notes         []string
		wantRefArches string
	}{
		{
			name: "has_optional adds an optional child with the parent's arches",
			doc: `<variants><variant id="S" name="S" type="variant" has_optional="true">
<arches><arch>x86_64</arch><arch>aarch64</arch></arches></variant></variants>`,
			want: "S variant [aarch64 x86_64]\n  S-optional optional [aarch64 x86_64]\n",
		},
		{
			name: "has_optional false adds nothing",
			doc: `<variants><variant id="S" name="S" type="variant" has_optional="false">
<arches><arch>x86_64</arch></arches></variant></variants>`,
			want: "S variant [x86_64]\n",
		},
		{
			name: "a referenced addon is shared by two variants with their own arches",
			doc: `<variants>
<variant id="HA" name="HA" type="addon"><arches><arch>x86_64</arch><arch>s390x</arch><arch>ppc64le</arch></arches></variant>
<variant id="A" name="A" type="variant"><arches><arch>x86_64</arch></arches><variants><ref id="HA"/></variants></variant>
<variant id="B" name="B" type="variant"><arches><arch>s390x</arch><arch>ppc64le</arch></arches><variants><ref id="HA"/></variants></variant>
</variants>`,
			want: "A variant [x86_64]\n  A-HA addon [x86_64]\nB variant [ppc64le s390x]\n  B-HA addon [ppc64le s390x]\n",
		},
		{
			name: "repeated child id keeps the first",
			doc: `<variants>
<variant id="HA" name="HA top" type="addon"><arches><arch>x86_64</arch></arches></variant>
<variant id="A" name="A" type="variant"><arches><arch>x86_64</arch></arches><variants><ref id="HA"/>
<variant id="HA" name="HA nested" type="addon"><arches><arch>x86_64</arch></arches></variant></variants></variant>
</variants>`,
			want: "A variant [x86_64]\n  A-HA addon [x86_64]\n",
		},
		{
			name: "tree_arches filters arches before intersecting",
			doc: `<variants><variant id="S" name="S" type="variant">
<arches><arch>x86_64</arch><arch>ppc64le</arch></arches><variants>
<variant id="P" name="P" type="addon"><arches><arch>ppc64le</arch></arches></variant>
<variant id="X" name="X" type="addon"><arches><arch>x86_64</arch><arch>ppc64le</arch></arches></variant></variants></variant>
<variant id="Z" name="Z" type="variant"><arches><arch>s390x</arch></arches></variant></variants>`,
			arches: []string{"x86_64"},
			want:   "S variant [x86_64]\n  S-X addon [x86_64]\n",
			notes:  []string{"Excluding variant P: all its arches are filtered.", "Excluding variant Z: all its arches are filtered."},
		},
		{
			name: "tree_variants keeps only listed UIDs, children included by UID",
			doc: `<variants><variant id="S" name="S" type="variant" has_optional="true">
<arches><arch>x86_64</arch></arches><variants>
<variant id="HA" name="HA" type="addon"><arches><arch>x86_64</arch></arches></variant></variants></variant>
<variant id="W" name="W" type="variant"><arches><arch>x86_64</arch></arches></variant></variants>`,
			uids:  []string{"S", "S-HA"},
			want:  "S variant [x86_64]\n  S-HA addon [x86_64]\n",
			notes: []string{"Excluding variant S-optional: filtered by configuration.", "Excluding variant W: filtered by configuration."},
		},
		{
			name: "a variant without arches is left out",
			doc: `<variants><variant id="E" name="E" type="variant"/>
<variant id="S" name="S" type="variant"><arches><arch>x86_64</arch></arches></variant></variants>`,
			want:  "S variant [x86_64]\n",
			notes: []string{"Excluding variant E: all its arches are filtered."},
		},
		{
			name: "top-level optional and refs are ignored",
			doc: `<variants><ref id="S"/><variant id="O" name="O" type="optional"><arches><arch>x86_64</arch></arches></variant>
<variant id="S" name="S" type="variant"><arches><arch>x86_64</arch></arches></variant></variants>`,
			want: "S variant [x86_64]\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := Parse([]byte(tc.doc), "s.xml", tc.arches, tc.uids)
			if err != nil {
				t.Fatal(err)
			}
			if got := tree(vs); got != tc.want {
				t.Errorf("tree\n%s\nwant\n%s", got, tc.want)
			}
			if !reflect.DeepEqual(vs.Notes, tc.notes) {
				t.Errorf("notes %q, want %q", vs.Notes, tc.notes)
			}
		})
	}
}

func TestFilterMatchesFilteredParse(t *testing.T) {
	all, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ arches, uids []string }{
		{[]string{"x86_64"}, nil},
		{[]string{"x86_64", "aarch64"}, nil},
		{nil, []string{"Server", "Server-optional", "AppStream"}},
		{[]string{"aarch64"}, []string{"Server", "Server-HighAvailability", "Everything"}},
	} {
		f, err := all.Filter(tc.arches, tc.uids)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := ParseFileFiltered(testdata("full.xml"), tc.arches, tc.uids)
		if err != nil {
			t.Fatal(err)
		}
		if tree(f) != tree(direct) {
			t.Errorf("Filter(%v, %v)\n%s\nParseFileFiltered\n%s", tc.arches, tc.uids, tree(f), tree(direct))
		}
		if len(all.All()) != 10 {
			t.Fatal("Filter changed the unfiltered tree")
		}
	}
	f, _ := all.Filter([]string{"s390x"}, nil)
	if got, want := tree(f), "Server variant [s390x]\n  Server-optional optional [s390x]\n  Server-HighAvailability addon [s390x]\nEverything variant [s390x]\n"; got != want {
		t.Errorf("s390x tree\n%s\nwant\n%s", got, want)
	}
}

func TestFilterCanBreakIntersection(t *testing.T) {
	doc := `<variants><variant id="S" name="S" type="variant"><arches><arch>x86_64</arch><arch>ppc64le</arch></arches>
<variants><variant id="A" name="A" type="addon"><arches><arch>ppc64le</arch><arch>s390x</arch></arches></variant></variants></variant></variants>`
	vs, err := Parse([]byte(doc), "i.xml", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = vs.Filter([]string{"x86_64", "s390x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "i.xml:2: S-A: arch list [s390x] does not intersect with parent arch list [x86_64]") {
		t.Fatalf("error %v", err)
	}
}

func TestGetVariants(t *testing.T) {
	vs, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := vs.Lookup("Server")
	uids := func(list []*Variant) string {
		var s []string
		for _, v := range list {
			s = append(s, v.UID)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		arch      string
		types     []string
		recursive bool
		want      string
	}{
		{"", nil, false, "Server-ResilientStorage Server-optional Server-HighAvailability Server-Gluster"},
		{"", []string{"self", "addon"}, false, "Server Server-ResilientStorage Server-HighAvailability"},
		{"s390x", []string{"addon", "optional"}, false, "Server-optional Server-HighAvailability"},
		{"src", []string{"layered-product"}, false, "Server-Gluster"},
		{"ppc64le", nil, false, ""},
	} {
		if got := uids(srv.GetVariants(tc.arch, tc.types, tc.recursive)); got != tc.want {
			t.Errorf("GetVariants(%q, %v) = %q, want %q", tc.arch, tc.types, got, tc.want)
		}
	}
}

func TestCompsFilter(t *testing.T) {
	vs, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ha := vs.Lookup("Server-HighAvailability")
	f := ha.CompsFilter("x86_64", true, vs.Lookup("AppStream"))
	want := comps.VariantFilter{
		Arch: "x86_64", VariantUID: "Server-HighAvailability", VariantType: "addon",
		Groups:             []comps.VariantGroup{{Name: "ha", Default: boolp(true)}},
		Environments:       []comps.VariantEnvironment{},
		LookasideGroups:    []string{"base", "container-management", "core", "server-*"},
		FilterEnvironments: true,
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("got  %+v\nwant %+v", f, want)
	}
	if !vs.Lookup("AppStream").CompsFilter("x86_64", true).Modular {
		t.Error("AppStream not modular")
	}
}
