package gather

import (
	"os"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd/modulemd"
)

// modularSet adds module lang with streams 1 and 2 (and an older version
// of stream 2, the default stream) to a fixture's package set: a
// non-modular lang 0.9 stays in the main set.
func modularSet(t *testing.T, f *fixture) {
	t.Helper()
	mk := func(stream string, version uint64, ctx, vr string) *pkgset.ModuleStream {
		bin := pkg("lang", vr, "x86_64", "lang", "+langapi")
		dev := pkg("lang-devel", vr, "noarch", "lang", "lang")
		src := srpm("lang", vr)
		md := &modulemd.Stream{Name: "lang", Stream: stream, Version: version, Context: ctx, Arch: "x86_64",
			Artifacts: &modulemd.Artifacts{RPMs: []string{
				modulemd.PackageKey(bin.Package), modulemd.PackageKey(dev.Package), modulemd.PackageKey(src.Package)}}}
		return &pkgset.ModuleStream{MD: md, Packages: []*pkgset.Package{bin, dev, src}, Origin: "repo"}
	}
	streams := []*pkgset.ModuleStream{
		mk("1", 10, "a", "1.0-1.module_1"),
		mk("2", 20, "a", "2.0-1.module_2"),
		mk("2", 10, "a", "1.9-1.module_2"),
	}
	f.set.Modules = map[string]map[string]*pkgset.ModuleStream{"x86_64": {}}
	for _, s := range streams {
		f.set.Modules["x86_64"][s.NSVC()] = s
	}
	// Stream 2 is the default: with the hybrid method a non-default
	// stream would not satisfy langapp's requirement (hybrid_test.go).
	meta := modulemd.NewIndex()
	meta.AddDefaults(&modulemd.Defaults{Module: "lang", Stream: "2"})
	f.set.ModuleMeta = map[string]*modulemd.Index{"x86_64": meta}
	f.set.ByArch["x86_64"] = append(f.set.ByArch["x86_64"],
		pkg("lang", "0.9-1", "x86_64", "lang", "+langapi"), srpm("lang", "0.9-1"),
		pkg("langapp", "1-1", "x86_64", "langapp", "langapi"), srpm("langapp", "1-1"))
}

func TestModularGather(t *testing.T) {
	cases := []struct {
		name    string
		method  any
		modules []string
		server  string // Server rpms
		srpms   string
		why     string // Server's lang entry Why contains
	}{
		{"module nodeps, comps deps", map[string]any{"module": "nodeps", "comps": "deps"}, []string{"lang:2"},
			"app.x86_64 lang-devel.noarch lang.x86_64 langapp.x86_64 lib.x86_64", "app.src lang.src langapp.src lib.src", "artifact of lang:2:20:a"},
		{"hybrid", "hybrid", []string{"lang:2"},
			"app.x86_64 lang-devel.noarch lang.x86_64 langapp.x86_64 lib.x86_64", "app.src lang.src langapp.src lib.src", "artifact of lang:2:20:a"},
		{"glob and explicit version", "hybrid", []string{"la*:2:10"},
			"app.x86_64 lang-devel.noarch lang.x86_64 langapp.x86_64 lib.x86_64", "app.src lang.src langapp.src lib.src", "artifact of lang:2:10:a"},
		{"not modular", "hybrid", nil,
			"app.x86_64 lang.x86_64 langapp.x86_64 lib.x86_64", "app.src lang.src langapp.src lib.src", "binary-dep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, map[string]any{"gather_method": c.method}, map[string][]string{
				"Server":      {"base:app,langapp"},
				"Workstation": {"ws:langapp"},
			}, basePkgs())
			modularSet(t, f)
			f.c.Variant("Server").Modules = c.modules
			res := f.plan(t)
			server := res.Get("x86_64", "Server")
			if got := names(server, TypeRPM); got != c.server {
				t.Errorf("Server rpm = %s, want %s", got, c.server)
			}
			if got := names(server, TypeSRPM); got != c.srpms {
				t.Errorf("Server srpm = %s, want %s", got, c.srpms)
			}
			for _, e := range server[TypeRPM] {
				if e.Pkg.Name == "lang" {
					want := map[bool]string{true: "0.9-1", false: ""}[c.modules == nil]
					if want == "" {
						want = map[bool]string{true: "1.9-1.module_2", false: "2.0-1.module_2"}[strings.HasSuffix(c.modules[0], ":10")]
					}
					if got := e.Pkg.Version + "-" + e.Pkg.Release; got != want {
						t.Errorf("Server has lang %s, want %s", got, want)
					}
					if !strings.Contains(e.Why, c.why) {
						t.Errorf("why = %q, want %q", e.Why, c.why)
					}
				}
			}
			// Workstation has no modules: never a modular package.
			for _, e := range res.Get("x86_64", "Workstation")[TypeRPM] {
				if strings.Contains(e.Pkg.Release, "module") {
					t.Errorf("Workstation got %s", e.Pkg.NEVRA())
				}
			}
		})
	}
}

// A <module> that matches nothing is warned about (as Pungi does for
// module tags), filter_modules removes a stream, and variantModules limits
// artifacts to what was gathered.
func TestModuleSelection(t *testing.T) {
	f := newFixture(t, nil, map[string][]string{"Server": {"base:app"}}, basePkgs())
	modularSet(t, f)
	f.c.Variant("Server").Modules = []string{"nosuch:1", "lang:1"}
	f.plan(t)
	log, _ := os.ReadFile(f.c.Paths.Log.LogFile("", "pungi"))
	if !strings.Contains(string(log), "Variant Server.x86_64 lists modules (nosuch:1) that match no module stream") {
		t.Errorf("no warning for nosuch:1:\n%s", log)
	}
	f = newFixture(t, map[string]any{"filter_modules": []any{[]any{"^Server$", map[string]any{"*": []any{"lang:1"}}}}},
		map[string][]string{"Server": {"base:app"}}, basePkgs())
	modularSet(t, f)
	f.c.Variant("Server").Modules = []string{"lang:*"}
	streams, _, err := pkgset.VariantStreams(f.c, f.set, f.c.Variant("Server"), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range streams {
		got = append(got, s.NSVC())
	}
	if strings.Join(got, " ") != "lang:2:20:a" {
		t.Errorf("streams %v, want the latest of lang:2 only (lang:1 filtered)", got)
	}
	res := f.plan(t)
	idx, err := variantModules(f.c, f.set, f.c.Variant("Server"), "x86_64", res.Get("x86_64", "Server"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Streams) != 1 || len(idx.Streams[0].RPMArtifacts()) != 3 {
		t.Fatalf("modulemd: %+v", idx.Streams)
	}
	pm := res.Get("x86_64", "Server")
	pm[TypeRPM] = pm[TypeRPM][:0] // nothing binary gathered: only the source artifact remains
	idx, _ = variantModules(f.c, f.set, f.c.Variant("Server"), "x86_64", pm, nil)
	if a := idx.Streams[0].RPMArtifacts(); len(a) != 1 || !strings.HasSuffix(a[0], ".src") {
		t.Errorf("limited artifacts: %v", a)
	}
}
