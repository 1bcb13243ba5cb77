package gather

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/variants"
	"github.com/pungo/pungo/repomd"
)

// pkg makes a package: name, "V-R", arch, source name, then requires and
// "+provide" entries.
func pkg(name, vr, arch, src string, deps ...string) *pkgset.Package {
	evr := repomd.ParseEVR(vr)
	p := &repomd.Package{Name: name, Arch: arch, EVR: evr}
	if arch != "src" {
		p.SourceRPM = src + "-" + vr + ".src.rpm"
	}
	p.Location = name + "-" + vr + "." + arch + ".rpm"
	for _, d := range deps {
		if strings.HasPrefix(d, "+") {
			dep, _ := repomd.ParseDep(d[1:])
			p.Provides = p.Provides.Append(dep)
			continue
		}
		dep, _ := repomd.ParseDep(d)
		p.Requires = p.Requires.Append(dep)
	}
	return &pkgset.Package{Package: p, Path: "/pkgs/" + p.Location}
}

func srpm(name, vr string) *pkgset.Package { return pkg(name, vr, "src", "") }

// fixture is a compose with Server (addon HA, optional) and Workstation,
// x86_64 only, and a package set.
type fixture struct {
	c     *compose.Compose
	set   *pkgset.Set
	comps *initphase.VariantComps
}

func newFixture(t *testing.T, conf map[string]any, groups map[string][]string, pkgs []*pkgset.Package) *fixture {
	t.Helper()
	base := map[string]any{"release_name": "T", "release_short": "T", "release_version": "1", "comps_file": "comps.xml"}
	for k, v := range conf {
		base[k] = v
	}
	c := composetest.New(t, base)
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	ha := &compose.Variant{UID: "Server-HA", ID: "HA", Name: "HA", Type: "addon", Arches: []string{"x86_64"}, Parent: server}
	opt := &compose.Variant{UID: "Server-optional", ID: "optional", Name: "optional", Type: "optional", Arches: []string{"x86_64"}, Parent: server}
	server.Variants = []*compose.Variant{ha, opt}
	ws := &compose.Variant{UID: "Workstation", ID: "Workstation", Name: "Workstation", Type: "variant", Arches: []string{"x86_64"}}
	c.Variants = []*compose.Variant{server, ws}
	known := &initphase.VariantComps{}
	for _, v := range c.GetVariants(nil, "") {
		cs := &comps.Comps{}
		for _, g := range groups[v.UID] {
			id, members, _ := strings.Cut(g, ":")
			v.Groups = append(v.Groups, variantsGroup(id))
			gr := &comps.Group{ID: id}
			for _, m := range strings.Split(members, ",") {
				typ := "mandatory"
				if strings.HasPrefix(m, "?") {
					typ, m = "optional", m[1:]
				}
				gr.Packages = append(gr.Packages, comps.PackageReq{Name: m, Type: typ})
			}
			cs.Groups = append(cs.Groups, gr)
		}
		known.Put("x86_64", v.UID, cs)
	}
	set := &pkgset.Set{ByArch: map[string][]*pkgset.Package{"x86_64": pkgs}}
	return &fixture{c: c, set: set, comps: known}
}

func (f *fixture) plan(t *testing.T) *Result {
	t.Helper()
	res, err := Plan(context.Background(), f.c, f.set, f.comps)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func names(pm PkgMap, typ string) string {
	var out []string
	for _, e := range pm[typ] {
		out = append(out, e.Pkg.Name+"."+e.Pkg.Arch)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// basePkgs: a small distribution. lib is required by app and tool; extra
// is built from the app source but only the optional variant would pull it
// (fulltree); cluster (addon) needs app and brings cluster-libs from the
// lib source, which the parent ships (fulltree-exclude → moves to the
// parent).
func basePkgs() []*pkgset.Package {
	return []*pkgset.Package{
		pkg("lib", "1-1", "x86_64", "lib", "+libx.so"),
		pkg("lib-devel", "1-1", "x86_64", "lib", "lib"),
		pkg("cluster-libs", "1-1", "x86_64", "lib"),
		srpm("lib", "1-1"),
		pkg("app", "2-1", "x86_64", "app", "libx.so"),
		pkg("app-extra", "2-1", "noarch", "app", "app"),
		srpm("app", "2-1"),
		pkg("tool", "3-1", "x86_64", "tool", "libx.so"),
		srpm("tool", "3-1"),
		pkg("cluster", "4-1", "x86_64", "cluster", "app", "cluster-libs"),
		srpm("cluster", "4-1"),
		pkg("docs", "1-1", "noarch", "docs"),
		srpm("docs", "1-1"),
		pkg("unused", "1-1", "x86_64", "unused"),
		srpm("unused", "1-1"),
	}
}

func TestVariantRules(t *testing.T) {
	f := newFixture(t, map[string]any{
		"additional_packages": []any{[]any{"^Server$", map[string]any{"*": []any{"tool"}}}},
		"filter_packages":     []any{[]any{"^Server$", map[string]any{"*": []any{"docs"}}}},
	}, map[string][]string{
		"Server":          {"base:app"},
		"Server-HA":       {"ha:cluster"},
		"Server-optional": {"devel:lib-devel,?docs"},
		"Workstation":     {"ws:tool"},
	}, basePkgs())
	res := f.plan(t)
	get := func(uid string) PkgMap { return res.Get("x86_64", uid) }

	// Server: its group plus additional_packages; cluster-libs arrives
	// from the addon, whose fulltree-excluded package moves to the parent.
	if got := names(get("Server"), TypeRPM); got != "app.x86_64 cluster-libs.x86_64 lib.x86_64 tool.x86_64" {
		t.Errorf("Server rpm = %s", got)
	}
	if got := names(get("Server"), TypeSRPM); got != "app.src lib.src tool.src" {
		t.Errorf("Server srpm = %s", got)
	}
	// The addon inherits Server's inputs but keeps only what Server lacks.
	if got := names(get("Server-HA"), TypeRPM); got != "cluster.x86_64" {
		t.Errorf("Server-HA rpm = %s", got)
	}
	if got := names(get("Server-HA"), TypeSRPM); got != "cluster.src" {
		t.Errorf("Server-HA srpm = %s", got)
	}
	// optional: fulltree brings app-extra; docs is Server's filter, which
	// optional does not inherit; parent and addon packages are trimmed.
	if got := names(get("Server-optional"), TypeRPM); got != "app-extra.noarch docs.noarch lib-devel.x86_64" {
		t.Errorf("Server-optional rpm = %s", got)
	}
	if got := names(get("Server-optional"), TypeSRPM); got != "docs.src" {
		t.Errorf("Server-optional srpm = %s", got)
	}
	// Workstation is independent: no additional_packages, no filter.
	if got := names(get("Workstation"), TypeRPM); got != "lib.x86_64 tool.x86_64" {
		t.Errorf("Workstation rpm = %s", got)
	}
	for _, e := range get("Server")[TypeRPM] {
		if e.Pkg.Name == "cluster-libs" && !e.HasFlag("fulltree-exclude") {
			t.Errorf("moved package lacks fulltree-exclude: %v", e.Flags)
		}
	}
}

func TestAddonFulltreeExcludesParentSources(t *testing.T) {
	f := newFixture(t, nil, map[string][]string{
		"Server":    {"base:app"},
		"Server-HA": {"ha:cluster"},
	}, basePkgs())
	res := f.plan(t)
	di := res.Depsolve["Server-HA.x86_64.comps"]
	if di == nil || strings.Join(di.Options.FulltreeExcludes, ",") != "app,lib" {
		t.Fatalf("addon fulltree excludes = %+v", di)
	}
	if !di.Options.Fulltree || di.Options.Selfhosting {
		t.Errorf("addon options: fulltree %v selfhosting %v", di.Options.Fulltree, di.Options.Selfhosting)
	}
	if o := res.Depsolve["Server.x86_64.comps"].Options; o.Fulltree || o.Selfhosting {
		t.Errorf("variant options: %+v", o)
	}
	// Without the trim, app-extra (fulltree of app) would be in the addon.
	if got := names(res.Get("x86_64", "Server-HA"), TypeRPM); strings.Contains(got, "app-extra") {
		t.Errorf("addon took a package of a parent source: %s", got)
	}
}

// TestSystemRelease: real Pungi never chooses a system-release package per
// variant (kobo's is_system_release is never true on Python 3), so release
// packages come only from comps, package lists and dependencies, and the
// compose log says why.
func TestSystemRelease(t *testing.T) {
	releases := []*pkgset.Package{
		pkg("t-release-server", "1-1", "noarch", "t-release", "+system-release"),
		pkg("t-release-workstation", "1-1", "noarch", "t-release", "+system-release"),
		pkg("generic-release", "1-1", "noarch", "generic-release", "+system-release"),
		srpm("t-release", "1-1"), srpm("generic-release", "1-1"),
	}
	needy := []*pkgset.Package{pkg("needs-release", "1-1", "noarch", "needs-release", "system-release"), srpm("needs-release", "1-1")}
	for _, tc := range []struct {
		name    string
		conf    map[string]any
		pkgs    []*pkgset.Package
		groups  map[string][]string
		want    map[string]string // variant UID → release packages gathered
		wantLog bool
	}{
		{"several providers", nil, append(basePkgs(), releases...),
			map[string][]string{"Server": {"base:app"}, "Server-HA": {"ha:cluster"}, "Workstation": {"ws:tool"}},
			map[string]string{"Server": "", "Server-HA": "", "Workstation": ""}, true},
		{"single provider", nil, append(basePkgs(), releases[2], releases[4]),
			map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}},
			map[string]string{"Server": "", "Workstation": ""}, true},
		{"option off", map[string]any{"filter_system_release_packages": false}, append(basePkgs(), releases...),
			map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}},
			map[string]string{"Server": "", "Workstation": ""}, false},
		{"asked for by comps and deps", nil, append(append(basePkgs(), releases...), needy...),
			map[string][]string{"Server": {"base:app,t-release-server"}, "Workstation": {"ws:needs-release"}},
			map[string]string{"Server": "t-release-server", "Workstation": "generic-release"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.conf, tc.groups, tc.pkgs)
			res := f.plan(t)
			for uid, want := range tc.want {
				var got []string
				for _, e := range res.Get("x86_64", uid)[TypeRPM] {
					if strings.Contains(e.Pkg.Name, "release") && e.Pkg.Name != "needs-release" {
						got = append(got, e.Pkg.Name)
					}
				}
				if strings.Join(got, ",") != want {
					t.Errorf("%s release packages = %q, want %q", uid, strings.Join(got, ","), want)
				}
				for _, in := range res.Inputs[uid+".x86_64"] {
					for s := range in.Filter {
						if strings.Contains(s.Name, "release") {
							t.Errorf("%s filters %s", uid, s.Name)
						}
					}
				}
			}
			f.c.Log.Close()
			log, _ := os.ReadFile(filepath.Join(f.c.Topdir, "logs", "global", "pungi.global.log"))
			if got := strings.Contains(string(log), "not choosing among system-release providers"); got != tc.wantLog {
				t.Errorf("log note = %v, want %v", got, tc.wantLog)
			}
		})
	}
}

func TestCheckDepsAndMissingComps(t *testing.T) {
	broken := append(basePkgs(), pkg("needy", "1-1", "x86_64", "needy", "nothing-provides-this"), srpm("needy", "1-1"))
	groups := map[string][]string{"Server": {"base:needy,ghost"}, "Workstation": {"ws:tool"}}
	f := newFixture(t, nil, groups, broken)
	_, err := Plan(context.Background(), f.c, f.set, f.comps)
	if err == nil || !strings.Contains(err.Error(), "Unresolved dependencies for Server.x86_64") || !strings.Contains(err.Error(), "needy.x86_64: nothing-provides-this") {
		t.Fatalf("check_deps: err = %v", err)
	}
	f = newFixture(t, map[string]any{"check_deps": false}, groups, broken)
	if _, err := Plan(context.Background(), f.c, f.set, f.comps); err != nil {
		t.Fatalf("check_deps off: %v", err)
	}
	log, _ := os.ReadFile(f.c.Paths.Log.LogFile("", "pungi"))
	if !strings.Contains(string(log), "Packages mentioned in comps do not exist for Server.x86_64: ghost") {
		t.Errorf("missing comps package not reported:\n%s", log)
	}
	f = newFixture(t, map[string]any{"check_deps": false, "require_all_comps_packages": true}, groups, broken)
	if _, err := Plan(context.Background(), f.c, f.set, f.comps); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("require_all_comps_packages: err = %v", err)
	}
}

func TestNodepsAndMethodMapping(t *testing.T) {
	f := newFixture(t, map[string]any{
		"gather_method": map[string]any{"^Server$": map[string]any{"comps": "nodeps"}, "^Work": "hybrid", "^Server-": "deps"},
	}, map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}}, basePkgs())
	res := f.plan(t)
	if got := names(res.Get("x86_64", "Server"), TypeRPM); got != "app.x86_64" {
		t.Errorf("nodeps Server = %s", got)
	}
	if got := names(res.Get("x86_64", "Workstation"), TypeRPM); got != "lib.x86_64 tool.x86_64" {
		t.Errorf("hybrid (as deps) Workstation = %s", got)
	}
	if m, err := gatherMethod(f.c, f.c.Variant("Server"), "json"); err == nil {
		t.Errorf("missing per-source method accepted: %s", m)
	}
}

func TestSplitNameArchAndAdditionalArch(t *testing.T) {
	for in, want := range map[string]Spec{"foo": {"foo", ""}, "foo.x86_64": {"foo", "x86_64"}, "python3.11": {"python3.11", ""}, "foo.i686": {"foo", "i686"}} {
		if got := splitNameArch(in); got != want {
			t.Errorf("%s: %+v", in, got)
		}
	}
	f := newFixture(t, map[string]any{"additional_packages": []any{[]any{".*", map[string]any{"*": []any{"foo.aarch64"}}}}},
		map[string][]string{"Server": {"base:app"}}, basePkgs())
	if _, err := Plan(context.Background(), f.c, f.set, f.comps); err == nil || !strings.Contains(err.Error(), "Incompatible package arch 'aarch64'") {
		t.Errorf("err = %v", err)
	}
}

func variantsGroup(id string) variants.Group { return variants.Group{Name: id} }

func TestVariantAsLookasideAndPrepopulate(t *testing.T) {
	dir := t.TempDir()
	pre := dir + "/prepopulate.json"
	os.WriteFile(pre, []byte(`{"Workstation": {"x86_64": {"docs-1-1": ["docs.noarch"]}}}`), 0o644)
	f := newFixture(t, map[string]any{
		"variant_as_lookaside": []any{[]any{"Workstation", "Server"}},
		"gather_prepopulate":   pre,
	}, map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}}, basePkgs())
	order, err := orderedVariants(f.c)
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, v := range order {
		uids = append(uids, v.UID)
	}
	if strings.Join(uids, " ") != "Server-HA Server-optional Server Workstation" {
		t.Errorf("order %v", uids)
	}
	res := f.plan(t)
	ws := res.Get("x86_64", "Workstation")
	flags := map[string]string{}
	for _, e := range ws[TypeRPM] {
		flags[e.Pkg.Name] = strings.Join(e.Flags, ",")
	}
	// lib comes from Server, Workstation's lookaside variant.
	if !strings.Contains(flags["lib"], "lookaside") || strings.Contains(flags["tool"], "lookaside") {
		t.Errorf("Workstation flags %v", flags)
	}
	if !strings.Contains(flags["docs"], "prepopulate") {
		t.Errorf("prepopulate not applied: %v", flags)
	}
	if di := res.Depsolve["Workstation.x86_64.comps"]; strings.Join(di.Options.Prepopulate, ",") != "docs.noarch" {
		t.Errorf("prepopulate option %v", di.Options.Prepopulate)
	}

	cyc := newFixture(t, map[string]any{"variant_as_lookaside": []any{[]any{"Workstation", "Server"}, []any{"Server", "Workstation"}}},
		map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}}, basePkgs())
	if _, err := Plan(context.Background(), cyc.c, cyc.set, cyc.comps); err == nil || !strings.Contains(err.Error(), "bad configuration in 'variant_as_lookaside'") {
		t.Errorf("cycle: %v", err)
	}
}

func TestLinkTypes(t *testing.T) {
	dir := t.TempDir()
	src := dir + "/src/a-1-1.noarch.rpm"
	os.MkdirAll(dir+"/src", 0o755)
	os.WriteFile(src, []byte("rpm"), 0o644)
	for _, lt := range LinkTypes {
		dst := dir + "/" + lt + "/P/a-1-1.noarch.rpm"
		if err := linkFile(src, dst, lt); err != nil {
			t.Fatalf("%s: %v", lt, err)
		}
		if err := linkFile(src, dst, lt); err != nil {
			t.Errorf("%s: relinking the same file: %v", lt, err)
		}
		data, err := os.ReadFile(dst)
		if err != nil || string(data) != "rpm" {
			t.Errorf("%s: content %q %v", lt, data, err)
		}
		target, lerr := os.Readlink(dst)
		switch lt {
		case "symlink":
			if lerr != nil || strings.HasPrefix(target, "/") {
				t.Errorf("symlink target %q %v", target, lerr)
			}
		case "abspath-symlink":
			if lerr != nil || target != src {
				t.Errorf("abspath-symlink target %q %v", target, lerr)
			}
		default:
			if lerr == nil {
				t.Errorf("%s made a symlink", lt)
			}
		}
	}
	os.WriteFile(dir+"/other.rpm", []byte("different"), 0o644)
	if err := linkFile(dir+"/other.rpm", dir+"/hardlink/P/a-1-1.noarch.rpm", "hardlink"); err == nil {
		t.Error("a different file at the destination was accepted")
	}
	if err := linkFile(src, dir+"/x", "reflink"); err == nil {
		t.Error("unknown link type accepted")
	}
}

// TestPackagePath: Pungi's hashed_directories layout; a location href
// without a file name (empty, ending in '/') is an error, not a panic.
func TestPackagePath(t *testing.T) {
	for _, tt := range []struct {
		href   string
		hashed bool
		want   string // "" = error
	}{
		{"Packages/Bash-5.rpm", true, "b/Bash-5.rpm"},
		{"bash-5.rpm", false, "bash-5.rpm"},
		{"", true, ""},
		{"Packages/", true, ""},
		{"", false, ""},
		{"Packages/..", true, ""},
	} {
		got, err := packagePath(&repomd.Package{Name: "bash", Arch: "x86_64", Location: tt.href}, tt.hashed)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("packagePath(%q, %v) = %q, %v; want %q", tt.href, tt.hashed, got, err, tt.want)
		}
	}
}

func TestJSONSource(t *testing.T) {
	mapping := t.TempDir() + "/mapping.json"
	os.WriteFile(mapping, []byte(`{"Server": {"x86_64": {"tool": ["x86_64"], "docs": ["noarch"]}}}`), 0o644)
	f := newFixture(t, map[string]any{"gather_source_mapping": mapping, "gather_method": map[string]any{"comps": "deps", "json": "nodeps"}},
		map[string][]string{"Server": {"base:app"}}, basePkgs())
	res := f.plan(t)
	if got := names(res.Get("x86_64", "Server"), TypeRPM); got != "app.x86_64 docs.noarch lib.x86_64 tool.x86_64" {
		t.Errorf("comps (deps) + json (nodeps): %s", got)
	}
	if n := len(res.Inputs["Server.x86_64"]); n != 2 || res.Inputs["Server.x86_64"][1].Source != "json" {
		t.Errorf("sources %d", n)
	}
	// Without comps_file only the json source runs; Workstation, absent
	// from the mapping, gets nothing.
	f.c.Conf.Delete("comps_file")
	res = f.plan(t)
	if got := names(res.Get("x86_64", "Server"), TypeRPM); got != "docs.noarch tool.x86_64" {
		t.Errorf("json only: %s", got)
	}
	if got := names(res.Get("x86_64", "Workstation"), TypeRPM); got != "" {
		t.Errorf("Workstation: %s", got)
	}
}

func TestLayeredProductKeepsAddonSources(t *testing.T) {
	f := newFixture(t, nil, map[string][]string{"Server": {"base:app"}, "Server-HA": {"ha:cluster"}}, basePkgs())
	server := f.c.Variant("Server")
	lp := &compose.Variant{UID: "Server-LP", ID: "LP", Name: "LP", Type: "layered-product", Arches: []string{"x86_64"}, Parent: server,
		Groups: []variants.Group{{Name: "lp"}}}
	server.Variants = append(server.Variants, lp)
	f.comps.Put("x86_64", "Server-LP", &comps.Comps{Groups: []*comps.Group{{ID: "lp", Packages: []comps.PackageReq{{Name: "cluster", Type: "mandatory"}, {Name: "tool", Type: "mandatory"}}}}})
	res := f.plan(t)
	got := res.Get("x86_64", "Server-LP")
	// cluster is the addon's: removed from the layered product's binaries,
	// but its source stays (GPL) ; tool is the layered product's own.
	if n := names(got, TypeRPM); n != "tool.x86_64" {
		t.Errorf("LP rpm = %s", n)
	}
	if n := names(got, TypeSRPM); n != "cluster.src tool.src" {
		t.Errorf("LP srpm = %s", n)
	}
	// The optional variant loses both the addon's and the layered
	// product's packages.
	if n := names(res.Get("x86_64", "Server-optional"), TypeRPM); strings.Contains(n, "tool") || strings.Contains(n, "cluster") {
		t.Errorf("optional = %s", n)
	}
}

// TestSaveReuseDecodes checks that the streamed gather-reuse.json decodes
// to every entry of the result, strings needing escapes included.
func TestSaveReuseDecodes(t *testing.T) {
	f := newFixture(t, nil, map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}}, basePkgs())
	res := f.plan(t)
	var some *Entry
	for _, e := range res.Get("x86_64", "Server")[TypeRPM] {
		some = e
	}
	if some == nil {
		t.Fatal("no Server packages")
	}
	some.Why = `binary-dep "lib\x" <of> app` // plain ASCII needing escapes
	some.Sigkey = "é\u2028\x01"              // non-ASCII and control bytes
	if err := saveReuse(f.c, "fp-1", res); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(reuseFile(f.c.Topdir))
	if err != nil {
		t.Fatal(err)
	}
	var doc reuseDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("gather-reuse.json does not decode: %v\n%s", err, data)
	}
	if doc.Fingerprint != "fp-1" {
		t.Errorf("fingerprint %q", doc.Fingerprint)
	}
	n := 0
	for arch, byV := range res.ByArch {
		for uid, pm := range byV {
			for _, typ := range Types {
				got := doc.Result[arch][uid][typ]
				if len(got) != len(pm[typ]) {
					t.Fatalf("%s.%s %s: %d entries, want %d", uid, arch, typ, len(got), len(pm[typ]))
				}
				for i, e := range pm[typ] {
					want := reuseEntry{NEVRA: e.Pkg.NEVRA(), Path: e.Path, Sigkey: e.Sigkey, Flags: e.Flags, Why: e.Why}
					if fmt.Sprint(got[i]) != fmt.Sprint(want) {
						t.Errorf("%s.%s %s[%d] = %+v, want %+v", uid, arch, typ, i, got[i], want)
					}
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Error("empty result")
	}
}
