package gather

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/modulemd/modtest"
)

// hybridSet gives a fixture module lang with streams 1 and 2, each with
// lang (provides langapi), lang-devel, lang-debuginfo and its source;
// stream 2 also lists lang.i686. The main set has a bare lang 0.9 (x86_64
// and i686) and langapp (x86_64 and i686), which requires langapi.
// platforms gives each stream's run-time platform; def the default stream
// of lang ("" for none).
func hybridSet(t *testing.T, f *fixture, platforms map[string]string, def string) {
	t.Helper()
	mk := func(stream string, version uint64, vr string, multilib bool) *pkgset.ModuleStream {
		pkgs := []*pkgset.Package{
			pkg("lang", vr, "x86_64", "lang", "+langapi"),
			pkg("lang-devel", vr, "noarch", "lang", "lang"),
			pkg("lang-debuginfo", vr, "x86_64", "lang"),
			srpm("lang", vr),
		}
		if multilib {
			pkgs = append(pkgs, pkg("lang", vr, "i686", "lang", "+langapi"))
		}
		var arts []string
		for _, p := range pkgs {
			arts = append(arts, modulemd.PackageKey(p.Package))
		}
		md := &modulemd.Stream{Name: "lang", Stream: stream, Version: version, Context: "c", Arch: "x86_64",
			Artifacts: &modulemd.Artifacts{RPMs: arts}}
		if p := platforms[stream]; p != "" {
			md.Dependencies = []modulemd.Dependencies{{Requires: map[string][]string{"platform": {p}}}}
		}
		return &pkgset.ModuleStream{MD: md, Packages: pkgs, Origin: "repo"}
	}
	f.set.Modules = map[string]map[string]*pkgset.ModuleStream{"x86_64": {}}
	for _, s := range []*pkgset.ModuleStream{mk("1", 10, "1.0-1.module_1", false), mk("2", 20, "2.0-1.module_2", true)} {
		f.set.Modules["x86_64"][s.NSVC()] = s
	}
	meta := modulemd.NewIndex()
	if def != "" {
		meta.AddDefaults(&modulemd.Defaults{Module: "lang", Stream: def})
	}
	f.set.ModuleMeta = map[string]*modulemd.Index{"x86_64": meta}
	f.set.ByArch["x86_64"] = append(f.set.ByArch["x86_64"],
		pkg("lang", "0.9-1", "x86_64", "lang", "+langapi"), pkg("lang", "0.9-1", "i686", "lang", "+langapi"), srpm("lang", "0.9-1"),
		pkg("langapp", "1-1", "x86_64", "langapp", "langapi"), pkg("langapp", "1-1", "i686", "langapp", "langapi"), srpm("langapp", "1-1"))
}

// nevras lists a package map's packages of one type as name-version.arch.
func nevras(pm PkgMap, typ string) string {
	var out []string
	for _, e := range pm[typ] {
		out = append(out, e.Pkg.Name+"-"+e.Pkg.Version+"."+e.Pkg.Arch)
	}
	return strings.Join(slices.Sorted(slices.Values(out)), " ")
}

// Each rule of Pungi's hybrid method (method_hybrid.py and the fus solver
// it runs) as a gather of Server (langapp from comps, module lang:2) and
// Workstation (langapp, no modules).
func TestHybridRules(t *testing.T) {
	el9 := map[string]string{"1": "el9", "2": "el9"}
	cases := []struct {
		rule      string
		conf      map[string]any
		platforms map[string]string
		def       string
		wsModules []string
		server    string // Server rpms, or the error
		serverDbg string
		ws        string // Workstation rpms
		why       map[string]string
		compsLog  string // in work/x86_64/pungi/Server.x86_64.comps.log
		serverPkg string // Server's comps group members (default app,langapp)
	}{
		{rule: "fus disable_module: a non-default stream never satisfies a non-modular package",
			platforms: el9,
			server:    "app-2.x86_64 lang-0.9.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-0.9.x86_64 langapp-1.x86_64 lib-1.x86_64",
			why:       map[string]string{"lang-2.0.x86_64": "artifact of lang:2:20:c", "lang-0.9.x86_64": "binary-dep langapi of langapp", "lang-debuginfo-2.0.x86_64": "artifact of lang:2:20:c"},
			compsLog:  "EXCLUDED: lang-2.0-1.module_2.x86_64  # artifact of lang:2:20:c, a stream that is not active"},
		{rule: "fus mask_bare_rpms: a default stream's artifacts mask bare packages of their names",
			platforms: el9, def: "2",
			server:    "app-2.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-0.9.x86_64 langapp-1.x86_64 lib-1.x86_64",
			compsLog:  "EXCLUDED: lang-0.9-1.x86_64  # shadowed by module lang:2:20:c, an active stream with a package of that name"},
		{rule: "fus sees the variant's package sets: another variant's stream is never pulled in",
			platforms: el9, def: "1", wsModules: []string{"lang:1"},
			server:    "app-2.x86_64 lang-0.9.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-1.0.x86_64 lang-devel-1.0.noarch langapp-1.x86_64 lib-1.x86_64"},
		{rule: "fus reads the modulemd of a variant lookaside repository: its non-default stream satisfies nothing",
			conf:      map[string]any{"variant_as_lookaside": []any{[]any{"Workstation", "Server"}}},
			platforms: el9, serverPkg: "app",
			server:    "app-2.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-0.9.x86_64 langapp-1.x86_64"}, // app: flagged lookaside, not linked
		{rule: "add_multilib skips modular packages: their multilib packages are the module's artifacts, on an arch with multilib (is_arch_multilib; elsewhere the package set repositories fus reads lack them)",
			conf: map[string]any{"multilib": []any{[]any{"^Server$|^Workstation$", map[string]any{"x86_64": []any{"all"}}}}}, platforms: el9, def: "1", wsModules: []string{"lang:1"},
			server:    "app-2.x86_64 lang-0.9.i686 lang-0.9.x86_64 lang-2.0.i686 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.i686 langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-1.0.x86_64 lang-devel-1.0.noarch langapp-1.i686 langapp-1.x86_64 lib-1.x86_64"},
		{rule: "fus apply_excludes spares modular packages: filter_packages does not remove them",
			conf:      map[string]any{"filter_packages": []any{[]any{"^Server$", map[string]any{"*": []any{"lang", "lang-debuginfo"}}}}},
			platforms: el9, def: "2",
			server:    "app-2.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-0.9.x86_64 langapp-1.x86_64 lib-1.x86_64"},
		{rule: "get_platform: one platform stream for every module",
			platforms: map[string]string{"1": "el8", "2": "el9"},
			server:    "app-2.x86_64 lang-0.9.x86_64 lang-2.0.x86_64 lang-devel-2.0.noarch langapp-1.x86_64 lib-1.x86_64",
			serverDbg: "lang-debuginfo-2.0.x86_64",
			ws:        "app-2.x86_64 lang-0.9.x86_64 langapp-1.x86_64 lib-1.x86_64"},
		{rule: "get_platform: conflicting requests for platform are an error",
			platforms: map[string]string{"1": "el8", "2": "el9"}, wsModules: []string{"lang:1"},
			server: "There are conflicting requests for platform on x86_64: platform:el8 (lang:1:10:c of Workstation); platform:el9 (lang:2:20:c of Server)"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			conf := map[string]any{"gather_method": "hybrid"}
			for k, v := range c.conf {
				conf[k] = v
			}
			serverPkg := "app,langapp"
			if c.serverPkg != "" {
				serverPkg = c.serverPkg
			}
			f := newFixture(t, conf, map[string][]string{"Server": {"base:" + serverPkg}, "Workstation": {"ws:app,langapp"}}, basePkgs())
			hybridSet(t, f, c.platforms, c.def)
			f.c.Variant("Server").Modules = []string{"lang:2"}
			f.c.Variant("Workstation").Modules = c.wsModules
			res, err := Plan(context.Background(), f.c, f.set, f.comps)
			if strings.HasPrefix(c.server, "There are") {
				if err == nil || !strings.Contains(err.Error(), c.server) {
					t.Fatalf("error %v, want %q", err, c.server)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			server := res.Get("x86_64", "Server")
			if got := nevras(server, TypeRPM); got != c.server {
				t.Errorf("Server rpms:\n got %s\nwant %s", got, c.server)
			}
			if got := nevras(server, TypeDebug); got != c.serverDbg {
				t.Errorf("Server debuginfo: got %s, want %s", got, c.serverDbg)
			}
			if got := nevras(res.Get("x86_64", "Workstation"), TypeRPM); got != c.ws {
				t.Errorf("Workstation rpms:\n got %s\nwant %s", got, c.ws)
			}
			for _, typ := range Types {
				for _, e := range server[typ] {
					if w, ok := c.why[e.Pkg.Name+"-"+e.Pkg.Version+"."+e.Pkg.Arch]; ok && !strings.Contains(e.Why, w) {
						t.Errorf("why %s = %q, want %q", e.Pkg.NEVRA(), e.Why, w)
					}
				}
			}
			if c.compsLog != "" {
				log, _ := os.ReadFile(filepath.Join(f.c.Paths.Work.Topdir("x86_64"), "pungi", "Server.x86_64.comps.log"))
				if !strings.Contains(string(log), c.compsLog) {
					t.Errorf("comps gather log lacks %q:\n%s", c.compsLog, log)
				}
			}
			if c.platforms["2"] == "el9" {
				log, _ := os.ReadFile(f.c.Paths.Log.LogFile("", "pungi"))
				if !strings.Contains(string(log), "Hybrid gather of Server.x86_64: module platform el9") {
					t.Errorf("platform not logged")
				}
			}
		})
	}
}

// A gather_lookaside_repos repository with modules: fus loads its modules
// record, so a non-modular package's dependency resolves to its default
// stream (nodejs 18), not to the newer package of another stream (nodejs
// 20) nor to the bare package the default stream shadows (nodejs 16); its
// modules' platform counts for get_platform_from_lookasides.
func TestHybridLookasideRepoModules(t *testing.T) {
	look := modtest.WriteRepo(t, t.TempDir(), modtest.NodejsPackages, modtest.NodejsYAML)
	cases := []struct {
		name, method, platform string
		nodejs                 string // the nodejs Server's webapp gets
		err                    string
	}{
		{"hybrid", "hybrid", "el9", "nodejs-1:18.1-1.module_x.x86_64", ""},
		{"deps sees everything (module_hotfixes)", "deps", "el9", "nodejs-1:20.1-1.module_y.x86_64", ""},
		{"platform conflict with the lookaside", "hybrid", "el8", "", "platform:el8 (lang:2:20:c of Server); platform:el9 (nodejs:18:1:x in " + look},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, map[string]any{"gather_method": c.method, "gather_lookaside_repos": []any{[]any{".*", map[string]any{"*": []any{look}}}}},
				map[string][]string{"Server": {"base:webapp"}, "Workstation": {"ws:app"}}, basePkgs())
			hybridSet(t, f, map[string]string{"1": c.platform, "2": c.platform}, "")
			f.set.ByArch["x86_64"] = append(f.set.ByArch["x86_64"], pkg("webapp", "1-1", "noarch", "webapp", "nodejs"), srpm("webapp", "1-1"))
			f.c.Variant("Server").Modules = []string{"lang:2"}
			res, err := Plan(context.Background(), f.c, f.set, f.comps)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Get("x86_64", "Server")[TypeRPM] {
				if e.Pkg.Name == "nodejs" {
					got = append(got, e.Pkg.NEVRA())
				}
			}
			if strings.Join(got, " ") != c.nodejs {
				t.Errorf("Server's nodejs: %v, want %s", got, c.nodejs)
			}
		})
	}
}

// fus has no greedy, fulltree or selfhosting: the hybrid method ignores
// gather_fulltree, gather_selfhosting and greedy_method (and the fulltree
// an optional variant would get), where the deps method applies them.
func TestHybridNoFulltree(t *testing.T) {
	for _, c := range []struct{ method, server string }{
		{"deps", "app-2.x86_64 app-extra-2.noarch lib-1.x86_64 lib-devel-1.x86_64 cluster-libs-1.x86_64"},
		{"hybrid", "app-2.x86_64 lib-1.x86_64"},
	} {
		t.Run(c.method, func(t *testing.T) {
			f := newFixture(t, map[string]any{"gather_method": c.method, "gather_fulltree": true, "gather_selfhosting": true, "greedy_method": "all"},
				map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:tool"}}, basePkgs())
			res := f.plan(t)
			want := strings.Fields(c.server)
			slices.Sort(want)
			if got := nevras(res.Get("x86_64", "Server"), TypeRPM); got != strings.Join(want, " ") {
				t.Errorf("Server: %s, want %s", got, strings.Join(want, " "))
			}
		})
	}
}

// Variants without streams share a pool per lookaside set, but the hybrid
// and deps methods see a modular lookaside repository differently: each
// gets its own view.
func TestHybridAndDepsVariantsWithoutStreams(t *testing.T) {
	look := modtest.WriteRepo(t, t.TempDir(), modtest.NodejsPackages, modtest.NodejsYAML)
	for _, order := range [][2]string{{"hybrid", "deps"}, {"deps", "hybrid"}} {
		f := newFixture(t, map[string]any{
			"gather_method":          map[string]any{"^Server.*$": order[0], "^Workstation$": order[1]},
			"gather_lookaside_repos": []any{[]any{".*", map[string]any{"*": []any{look}}}}},
			map[string][]string{"Server": {"base:webapp"}, "Workstation": {"ws:webapp"}},
			append(basePkgs(), pkg("webapp", "1-1", "noarch", "webapp", "nodejs"), srpm("webapp", "1-1")))
		res := f.plan(t)
		want := map[string]string{"hybrid": "nodejs-1:18.1-1.module_x.x86_64", "deps": "nodejs-1:20.1-1.module_y.x86_64"}
		for i, uid := range []string{"Server", "Workstation"} {
			var got []string
			for _, e := range res.Get("x86_64", uid)[TypeRPM] {
				if e.Pkg.Name == "nodejs" {
					got = append(got, e.Pkg.NEVRA())
				}
			}
			if strings.Join(got, " ") != want[order[i]] {
				t.Errorf("%s with %s: nodejs %v, want %s", uid, order[i], got, want[order[i]])
			}
		}
	}
}

// Module dependencies in the hybrid method, as fus resolves them: Server's
// lang:2 requires nodejs:20, a non-default stream of a lookaside
// repository, which is then active while lang's artifacts resolve (lang
// needs nodejs: the lookaside's 20, not its default 18); a stream whose
// module requirement nothing provides keeps its artifacts without their
// dependencies (langlib stays out) and the compose log warns. The deps
// method knows no module dependencies (as Pungi's): it gathers all, and
// the log warns when nothing in the compose or its lookaside repositories
// meets a shipped stream's module requirement.
func TestHybridModuleDependencies(t *testing.T) {
	look := modtest.WriteRepo(t, t.TempDir(), modtest.NodejsPackages, modtest.NodejsYAML)
	cases := []struct {
		name, method, requires string
		nodejs                 string // the nodejs lang's dependency resolves to
		rpms                   string // Server's lang and langlib
		warn                   string
	}{
		{"required lookaside stream", "hybrid", "nodejs:20", "nodejs-1:20.1-1.module_y.x86_64", "lang-2.0.x86_64 langlib-1.x86_64", ""},
		{"unmet requirement", "hybrid", "nosuch:1", "", "lang-2.0.x86_64",
			"Server.x86_64: module lang:2:20:c requires nosuch:[1], which no stream of the repositories or the platform provides"},
		{"deps method", "deps", "nosuch:1", "nodejs-1:20.1-1.module_y.x86_64", "lang-2.0.i686 lang-2.0.x86_64 langlib-1.x86_64",
			"Server.x86_64: module lang:2:20:c requires nosuch:[1], which no variant of the compose on x86_64 nor a lookaside repository ships"},
		{"deps method, required stream in the lookaside", "deps", "nodejs:20", "nodejs-1:20.1-1.module_y.x86_64", "lang-2.0.i686 lang-2.0.x86_64 langlib-1.x86_64", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, map[string]any{"gather_method": c.method, "gather_lookaside_repos": []any{[]any{".*", map[string]any{"*": []any{look}}}}},
				map[string][]string{"Server": {"base:app"}, "Workstation": {"ws:app"}}, basePkgs())
			hybridSet(t, f, map[string]string{"1": "el9", "2": "el9"}, "")
			f.set.ByArch["x86_64"] = append(f.set.ByArch["x86_64"], pkg("langlib", "1-1", "x86_64", "langlib"), srpm("langlib", "1-1"))
			for _, ms := range f.set.Modules["x86_64"] {
				if ms.MD.Stream != "2" {
					continue
				}
				name, stream, _ := strings.Cut(c.requires, ":")
				ms.MD.Dependencies[0].Requires[name] = []string{stream}
				for _, p := range ms.Packages {
					if p.Name == "lang" && p.Arch == "x86_64" {
						for _, d := range []string{"nodejs", "langlib"} {
							dep, _ := repomd.ParseDep(d)
							p.Requires = p.Requires.Append(dep)
						}
					}
				}
			}
			f.c.Variant("Server").Modules = []string{"lang:2"}
			res, err := Plan(context.Background(), f.c, f.set, f.comps)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Get("x86_64", "Server")[TypeRPM] {
				if e.Pkg.Name == "lang" || e.Pkg.Name == "langlib" {
					got = append(got, e.Pkg.Name+"-"+e.Pkg.Version+"."+e.Pkg.Arch)
				}
			}
			slices.Sort(got)
			if strings.Join(got, " ") != c.rpms {
				t.Errorf("Server: %v, want %s", got, c.rpms)
			}
			var nodejs []string
			if r := res.Depsolved["Server.x86_64.module"]; r != nil {
				for _, it := range r.RPM {
					if it.Pkg.Name == "nodejs" {
						nodejs = append(nodejs, it.Pkg.NEVRA())
					}
				}
			}
			if strings.Join(nodejs, " ") != c.nodejs {
				t.Errorf("lang's nodejs: %v, want %s", nodejs, c.nodejs)
			}
			log, _ := os.ReadFile(f.c.Paths.Log.LogFile("", "pungi"))
			if c.warn != "" && !strings.Contains(string(log), c.warn) {
				t.Errorf("log lacks %q", c.warn)
			}
			if c.warn == "" && (strings.Contains(string(log), "which no stream of the repositories") || strings.Contains(string(log), "nor a lookaside repository ships")) {
				t.Errorf("unexpected warning in the log")
			}
		})
	}
}
