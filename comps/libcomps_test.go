package comps

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// libcompsDump prints what libcomps (the library dnf and Pungi read comps
// with) sees in a comps file, as JSON.
const libcompsDump = `
import json, sys, libcomps
kinds = {libcomps.PACKAGE_TYPE_MANDATORY: "mandatory", libcomps.PACKAGE_TYPE_DEFAULT: "default",
         libcomps.PACKAGE_TYPE_OPTIONAL: "optional", libcomps.PACKAGE_TYPE_CONDITIONAL: "conditional"}
def strdict(sd):
    return {k: sd[k] for k in sd.keys()}
def opt(s):
    return s if s else None
def common(x):
    return {"id": x.id, "name": opt(x.name), "names": strdict(x.name_by_lang), "desc": opt(x.desc),
            "descs": strdict(x.desc_by_lang), "display_order": x.display_order}
c = libcomps.Comps()
c.fromxml_f(sys.argv[1])
out = {"groups": [], "categories": [], "environments": [], "langpacks": strdict(c.langpacks)}
for g in c.groups:
    d = common(g)
    d.update({"default": bool(g.default), "uservisible": bool(g.uservisible), "biarchonly": bool(g.biarchonly),
              "langonly": opt(g.lang_only),
              "packages": [[p.name, kinds.get(p.type, "unknown"), opt(p.requires), bool(p.basearchonly)] for p in g.packages]})
    out["groups"].append(d)
for x in c.categories:
    d = common(x)
    d["groups"] = [i.name for i in x.group_ids]
    out["categories"].append(d)
for x in c.environments:
    d = common(x)
    d["groups"] = [i.name for i in x.group_ids]
    d["options"] = [[i.name, bool(i.default)] for i in x.option_ids]
    out["environments"].append(d)
json.dump(out, sys.stdout)
`

// libcompsView renders c the way libcompsDump renders a file.
func libcompsView(c *Comps) any {
	opt := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	langs := func(ts []Translation) map[string]any {
		m := map[string]any{}
		for _, t := range ts {
			m[t.Lang] = t.Text
		}
		return m
	}
	order := func(p *int) any {
		if p == nil {
			return nil
		}
		return float64(*p)
	}
	common := func(id, name string, names []Translation, desc string, descs []Translation, do *int) map[string]any {
		return map[string]any{"id": id, "name": opt(name), "names": langs(names), "desc": opt(desc), "descs": langs(descs), "display_order": order(do)}
	}
	refs := func(rs []GroupRef) []any {
		out := []any{}
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	groups, cats, envs := []any{}, []any{}, []any{}
	for _, g := range c.Groups {
		d := common(g.ID, g.Name, g.NameByLang, g.Description, g.DescriptionByLang, g.DisplayOrder)
		d["default"], d["uservisible"], d["biarchonly"], d["langonly"] = g.Default, g.UserVisible, g.BiarchOnly, opt(g.LangOnly)
		pkgs := []any{}
		for _, p := range g.Packages {
			typ := p.EffectiveType()
			if _, ok := typeRank[typ]; !ok {
				typ = "unknown"
			}
			pkgs = append(pkgs, []any{p.Name, typ, opt(p.Requires), p.BaseArchOnly})
		}
		d["packages"] = pkgs
		groups = append(groups, d)
	}
	for _, x := range c.Categories {
		d := common(x.ID, x.Name, x.NameByLang, x.Description, x.DescriptionByLang, x.DisplayOrder)
		d["groups"] = refs(x.Groups)
		cats = append(cats, d)
	}
	for _, x := range c.Environments {
		d := common(x.ID, x.Name, x.NameByLang, x.Description, x.DescriptionByLang, x.DisplayOrder)
		d["groups"] = refs(x.Groups)
		opts := []any{}
		for _, r := range x.Options {
			opts = append(opts, []any{r.Name, r.Default})
		}
		d["options"] = opts
		envs = append(envs, d)
	}
	lps := map[string]any{}
	for _, lp := range c.Langpacks {
		lps[lp.Name] = lp.Install
	}
	// Through JSON so that both sides have the same Go types.
	data, _ := json.Marshal(map[string]any{"groups": groups, "categories": cats, "environments": envs, "langpacks": lps})
	var v any
	json.Unmarshal(data, &v)
	return v
}

func libcomps(t *testing.T, path string) any {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import libcomps").Run(); err != nil {
		if toolcheck.Required() {
			t.Fatalf("python3-libcomps is not installed (PUNGO_REQUIRE_TOOLS=1)")
		}
		t.Skip("python3-libcomps is not installed: skipping")
	}
	out, err := exec.Command(py, "-c", libcompsDump, path).Output()
	if err != nil {
		t.Fatalf("libcomps on %s: %v", path, err)
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLibcompsAgrees: libcomps reads each input as this package does, and
// reads what this package writes (filtered or not) as the model says.
func TestLibcompsAgrees(t *testing.T) {
	inputs := map[string]*Comps{}
	full, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	inputs[testdata("full.xml")] = full
	for _, repo := range []string{"cs9-baseos", "cs9-appstream"} {
		dir := toolcheck.Shared(t, "realdata/"+repo+"/repodata")
		files, _ := filepath.Glob(filepath.Join(dir, "*comps*.xml*"))
		c, err := ParseFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		inputs[files[0]] = c
	}
	dir := t.TempDir()
	n := 0
	for path, c := range inputs {
		if filepath.Ext(path) == ".xml" { // libcomps reads plain files only
			if got, want := libcomps(t, path), libcompsView(c); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: libcomps reads\n%v\nthis package reads\n%v", path, got, want)
			}
		}
		filtered := c.Clone()
		filtered.Filter(FilterOptions{Arch: "aarch64"})
		variant, _ := FilterForVariant(c, VariantFilter{Arch: "x86_64", VariantUID: "Server", VariantType: "variant",
			Groups: []VariantGroup{{Name: "*", Glob: true, Default: boolp(true)}}, FilterEnvironments: true})
		for _, out := range []*Comps{c, filtered, variant} {
			n++
			p := filepath.Join(dir, "out"+string(rune('a'+n))+".xml")
			if err := out.WriteFile(p); err != nil {
				t.Fatal(err)
			}
			if got, want := libcomps(t, p), libcompsView(out); !reflect.DeepEqual(got, want) {
				t.Errorf("%s (written from %s): libcomps reads\n%v\nthe model is\n%v", p, path, got, want)
			}
		}
	}
}
