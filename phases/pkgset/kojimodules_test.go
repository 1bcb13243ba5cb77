package pkgset

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// kojiModuleFixture is the demo's Koji hub plus the demo-lang module as
// MBS leaves it in Koji: the rpm builds of streams 1 and 2 tagged in one
// content tag each, module builds with their modulemd archives, tagged
// in demo-modular: stream 1, stream 2 at two versions (older, newer),
// and an old build of demo-old with only modulemd.txt.
type kojiModuleFixture struct {
	*kojiFixture
	streams map[string]*modulemd.Stream // by stream
}

const (
	lang2Old = "demo-lang:2:20230101000000:c0ffee02"
	lang2    = "demo-lang:2:20240201000000:c0ffee02"
	lang1    = "demo-lang:1:20240101000000:c0ffee01"
)

func newKojiModuleFixture(t *testing.T) *kojiModuleFixture {
	f := newKojiFixture(t)
	top := f.hub.TopDir
	modular := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "modular")
	kojitest.LayoutRepo(t, top, filepath.Join(modular, "rpms"), "")
	if err := f.hub.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	idx, err := modulemd.ReadFile(filepath.Join(modular, "modules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mf := &kojiModuleFixture{kojiFixture: f, streams: map[string]*modulemd.Stream{}}
	for _, s := range idx.Streams {
		mf.streams[s.Stream] = s
		tag := "module-demo-lang-" + s.Stream
		f.hub.AddTag(tag)
		f.hub.TagBuild(tag, fmt.Sprintf("demo-lang-%s.0-1.module_demo+%s", s.Stream, s.Stream))
	}
	// A build in a content tag that no module lists: its binary rpms are
	// not the module's (Pungi's include_packages).
	f.hub.TagBuild("module-demo-lang-1", "demo-shell-5.2-1")
	f.hub.AddTag("demo-modular")
	add := func(s *modulemd.Stream, version uint64, name string, archives ...string) {
		cp := *s
		cp.Version = version
		cp.Name = name
		one := modulemd.NewIndex()
		one.AddStream(&cp)
		text, err := one.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, a := range archives {
			files[a] = string(text)
		}
		nvr, err := f.hub.AddModuleBuild(kojitest.ModuleBuild{Name: name, Stream: s.Stream, Version: version, Context: s.Context,
			ContentTag: "module-demo-lang-" + s.Stream, Archives: files})
		if err != nil {
			t.Fatal(err)
		}
		f.hub.TagBuild("demo-modular", nvr)
	}
	final := []string{"modulemd.txt", "modulemd.x86_64.txt", "modulemd.src.txt"}
	add(mf.streams["2"], 20230101000000, "demo-lang", final...)
	add(mf.streams["1"], 20240101000000, "demo-lang", final...)
	add(mf.streams["2"], 20240201000000, "demo-lang", final...)
	add(mf.streams["1"], 20240101000000, "demo-old", "modulemd.txt")
	add(mf.streams["1"], 20240101000000, "demo-noarch", "modulemd.txt", "modulemd.aarch64.txt")
	f.hub.TagBuild("demo-modular", "demo-lang-1.0-1.module_demo+1") // an rpm build: type=module ignores it
	f.event = f.hub.LastEvent()
	return mf
}

func nevras(pkgs []*Package) string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.NEVRA())
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// Module builds from Koji as Pungi's source_koji chooses them, their
// packages from the content tags, kept out of the main set.
func TestKojiModules(t *testing.T) {
	f := newKojiModuleFixture(t)
	artifacts := map[string]string{
		lang1: "demo-lang-1.0-1.module_demo+1.src demo-lang-1.0-1.module_demo+1.x86_64 demo-lang-devel-1.0-1.module_demo+1.noarch",
		lang2: "demo-lang-2.0-1.module_demo+2.src demo-lang-2.0-1.module_demo+2.x86_64 demo-lang-devel-2.0-1.module_demo+2.noarch",
	}
	artifacts[lang2Old] = artifacts[lang2]
	cases := []struct {
		name     string
		modules  []string // the variant's <module> entries
		kojitags []string
		conf     map[string]any
		want     []string // NSVCs Server ships on x86_64
		err, log string
	}{
		{name: "module tag, name:stream", modules: []string{"demo-lang:2"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular"},
			want: []string{lang2}},
		{name: "module tag, explicit version", modules: []string{"demo-lang:2:20230101000000"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular"},
			want: []string{lang2Old}},
		{name: "old NAME-STREAM form", modules: []string{"demo-lang-2"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular"},
			want: []string{lang2}, log: "Variant file uses old format of module definition"},
		{name: "old NAME-STREAM-VERSION form, searched", modules: []string{"demo-lang-2-20230101000000"}, want: []string{lang2Old}},
		{name: "module tag, star", modules: []string{"*"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular"},
			err: "module demo-noarch:1:20240101000000:c0ffee01 does not have metadata for arch x86_64"},
		{name: "star with filter_modules", modules: []string{"*"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular",
			"filter_modules": []any{[]any{"^Server$", map[string]any{"*": []any{"demo-noarch"}}}}},
			want: []string{lang1, lang2}, log: "demo-old:1:20240101000000:c0ffee01 (demo-old-1-20240101000000.c0ffee01) has no final per-arch modulemd files"},
		{name: "kojitag only", kojitags: []string{"demo-modular"}, conf: map[string]any{"filter_modules": []any{[]any{"^Server$", map[string]any{"*": []any{"demo-noarch:*"}}}}},
			want: []string{lang1, lang2}},
		{name: "unmatched pattern warns", modules: []string{"demo-lang:2", "demo-lang:9"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular"},
			want: []string{lang2}, log: "Configuration specified patterns (demo-lang:9) that don't match any modules in the configured tags."},
		{name: "filter_modules", modules: []string{"demo-lang:2"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular",
			"filter_modules": []any{[]any{"^Server$", map[string]any{"x86_64": []any{"demo-lang:2"}}}}}},
		{name: "search", modules: []string{"demo-lang:2"}, want: []string{lang2}},
		{name: "search glob", modules: []string{"demo-lang:*:20230101000000"}, want: []string{lang2Old}},
		{name: "search finds nothing", modules: []string{"demo-lang:9"}, err: `no module build found for "demo-lang:9" (queried for "demo-lang-9-*")`},
		{name: "explicit build replaces the tag's stream", modules: []string{"demo-lang:2", "demo-lang:1"}, conf: map[string]any{"pkgset_koji_module_tag": "demo-modular",
			"pkgset_koji_module_builds": map[string]any{"^Server$": []any{lang2Old}}}, want: []string{lang1, lang2Old}},
		{name: "explicit build missing", conf: map[string]any{"pkgset_koji_module_builds": map[string]any{"^Server$": []any{"demo-lang:2:1:x"}}},
			err: "module build demo-lang:2:1:x (demo-lang-2-1.x) does not exist in Koji"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conf := map[string]any{"sigkeys": []any{nil}}
			for k, v := range tc.conf {
				conf[k] = v
			}
			c := kojiCompose(t, conf, f.event)
			c.Variants[0].Modules = tc.modules
			c.Variants[0].ModularKojiTags = tc.kojitags
			set, err := Load(context.Background(), c)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range set.Arch("x86_64") {
				if strings.HasPrefix(p.Name, "demo-lang") {
					t.Errorf("modular %s in the main set", p.NEVRA())
				}
			}
			streams, _, err := VariantStreams(c, set, c.Variants[0], "x86_64")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ms := range streams {
				got = append(got, ms.NSVC())
				if nevras(ms.Packages) != artifacts[ms.NSVC()] {
					t.Errorf("%s packages: %s", ms.NSVC(), nevras(ms.Packages))
				}
				if want := "module-demo-lang-" + ms.MD.Stream; ms.KojiTag != want {
					t.Errorf("%s Koji tag %q, want %q", ms.NSVC(), ms.KojiTag, want)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("streams %v, want %v", got, tc.want)
			}
			if tc.log != "" {
				data, _ := os.ReadFile(filepath.Join(c.Topdir, "logs", "global", "pungi.global.log"))
				if !strings.Contains(string(data), tc.log) {
					t.Errorf("log lacks %q:\n%s", tc.log, data)
				}
			}
		})
	}
}

// pkgset_koji_inherit_modules: a content tag's parent gives the module's
// rpms only when it is True.
func TestKojiModulesInherit(t *testing.T) {
	f := newKojiModuleFixture(t)
	f.hub.AddTag("module-demo-lang-2-child")
	f.hub.AddInheritance("module-demo-lang-2-child", "module-demo-lang-2", kojitest.Inherit{})
	s := *f.streams["2"]
	s.Version = 20250101000000
	one := modulemd.NewIndex()
	one.AddStream(&s)
	text, _ := one.Bytes()
	nvr, err := f.hub.AddModuleBuild(kojitest.ModuleBuild{Name: "demo-lang", Stream: "2", Version: s.Version, Context: s.Context,
		ContentTag: "module-demo-lang-2-child", Archives: map[string]string{"modulemd.txt": string(text), "modulemd.x86_64.txt": string(text)}})
	if err != nil {
		t.Fatal(err)
	}
	f.hub.TagBuild("demo-modular", nvr)
	for _, inherit := range []bool{false, true} {
		c := kojiCompose(t, map[string]any{"sigkeys": []any{nil}, "pkgset_koji_module_tag": "demo-modular", "pkgset_koji_inherit_modules": inherit}, f.hub.LastEvent())
		c.Variants[0].Modules = []string{"demo-lang:2"}
		set, err := Load(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		ms := set.Modules["x86_64"]["demo-lang:2:20250101000000:c0ffee02"]
		if ms == nil || len(ms.Packages) != map[bool]int{false: 0, true: 3}[inherit] {
			t.Errorf("inherit %v: stream %+v", inherit, ms)
		}
	}
}

// pkgset_scratch_modules: the final modulemd comes from the Module Build
// Service (a test server here), the rpms from the build's koji_tag; only
// test composes take them.
func TestKojiScratchModules(t *testing.T) {
	f := newKojiModuleFixture(t)
	text, _ := func() ([]byte, error) { i := modulemd.NewIndex(); i.AddStream(f.streams["1"]); return i.Bytes() }()
	var queries []string
	mbs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.String())
		switch {
		case r.URL.Path == "/module-build-service/2/module-builds/":
			items := []any{}
			if r.URL.Query().Get("name") == "demo-lang" && r.URL.Query().Get("context") == "c0ffee01" {
				items = append(items, map[string]any{"id": 42, "name": "demo-lang", "koji_tag": "module-demo-lang-1"})
			}
			json.NewEncoder(w).Encode(map[string]any{"items": items})
		case r.URL.Path == "/module-build-service/2/final-modulemd/42":
			json.NewEncoder(w).Encode(map[string]string{"x86_64": string(text)})
		default:
			http.NotFound(w, r)
		}
	}))
	defer mbs.Close()
	conf := map[string]any{"sigkeys": []any{nil}, "mbs_api_url": mbs.URL + "/module-build-service/2",
		"pkgset_scratch_modules": map[string]any{"^Server$": []any{lang1, "demo-lang:7:1:none"}}}
	c := kojiCompose(t, conf, f.event)
	set, err := Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	streams, _, _ := VariantStreams(c, set, c.Variants[0], "x86_64")
	if len(streams) != 1 || streams[0].NSVC() != lang1 || streams[0].KojiTag != "module-demo-lang-1" || len(streams[0].Packages) != 3 {
		t.Fatalf("scratch streams: %v", streams)
	}
	if len(queries) != 3 || !strings.Contains(queries[0], "stream=1") {
		t.Errorf("MBS queries: %v", queries)
	}
	c = kojiCompose(t, conf, f.event)
	c.Info.Compose.Type = "production"
	set, err = Load(context.Background(), c)
	if err != nil || len(set.VariantModules["Server"]["x86_64"]) != 0 {
		t.Errorf("production compose took scratch modules: %v %v", set.VariantModules, err)
	}
}

// A module tag's inherited builds count only for the name:streams the tag
// itself does not hold (Pungi's filter_inherited), and every context of
// the latest version is taken.
func TestKojiModuleTagInheritance(t *testing.T) {
	f := newKojiModuleFixture(t)
	f.hub.AddTag("demo-modular-child")
	f.hub.AddInheritance("demo-modular-child", "demo-modular", kojitest.Inherit{})
	add := func(stream string, version uint64, context string) string {
		s := *f.streams[stream]
		s.Version, s.Context = version, context
		one := modulemd.NewIndex()
		one.AddStream(&s)
		text, _ := one.Bytes()
		nvr, err := f.hub.AddModuleBuild(kojitest.ModuleBuild{Name: "demo-lang", Stream: stream, Version: version, Context: context,
			ContentTag: "module-demo-lang-" + stream, Archives: map[string]string{"modulemd.txt": string(text), "modulemd.x86_64.txt": string(text)}})
		if err != nil {
			t.Fatal(err)
		}
		f.hub.TagBuild("demo-modular-child", nvr)
		return s.NSVC()
	}
	// The child holds an older stream 2 than its parent, and stream 1 at
	// the parent's version in a second context.
	old2 := add("2", 20220101000000, "c0ffee02")
	other1 := add("1", 20240101000000, "deadbeef")
	second1 := add("1", 20240101000000, "aaaa0001")
	c := kojiCompose(t, map[string]any{"sigkeys": []any{nil}, "pkgset_koji_module_tag": "demo-modular-child"}, f.hub.LastEvent())
	c.Variants[0].Modules = []string{"demo-lang:1", "demo-lang:2"}
	set, err := Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	streams, _, _ := VariantStreams(c, set, c.Variants[0], "x86_64")
	var got []string
	for _, ms := range streams {
		got = append(got, ms.NSVC())
	}
	if want := []string{second1, other1, old2}; !slices.Equal(got, want) {
		t.Errorf("streams %v, want %v", got, want)
	}
}

// A Koji compose's package set repositories, as Pungi's: one per tag it
// read, work/<arch>/repo/<tag>: the main tag's (its packages, no modules
// record) and each module content tag's (the shipped stream's artifacts
// and modulemd with the module's defaults).
func TestKojiArchRepos(t *testing.T) {
	f := newKojiModuleFixture(t)
	c := kojiCompose(t, map[string]any{"sigkeys": []any{nil}, "pkgset_koji_module_tag": "demo-modular"}, f.hub.LastEvent())
	c.Variants[0].Modules = []string{"demo-lang:2"}
	set, err := Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeArchRepos(context.Background(), c, set); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Paths.Work.PkgsetRepoNames("x86_64"), " "); got != "demo-1.0 module-demo-lang-2" {
		t.Fatalf("package set repositories %q", got)
	}
	main, err := repomd.Open(c.Paths.Work.PkgsetRepo("x86_64", "demo-1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(main.Packages) != len(set.Arch("x86_64")) {
		t.Errorf("main tag repository: %d packages, the set %d", len(main.Packages), len(set.Arch("x86_64")))
	}
	if x, err := modulemd.ReadRepo(main); err != nil || x != nil {
		t.Errorf("main tag repository has modules %v (%v)", x, err)
	}
	mod, err := repomd.Open(c.Paths.Work.PkgsetRepo("x86_64", "module-demo-lang-2"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range mod.Packages {
		names = append(names, p.NEVRA())
	}
	slices.Sort(names)
	if got := strings.Join(names, " "); got != "demo-lang-2.0-1.module_demo+2.src demo-lang-2.0-1.module_demo+2.x86_64 demo-lang-devel-2.0-1.module_demo+2.noarch" {
		t.Errorf("content tag repository: %s", got)
	}
	x, err := modulemd.ReadRepo(mod)
	if err != nil || x == nil || len(x.Streams) != 1 || x.Streams[0].NS() != "demo-lang:2" {
		t.Fatalf("content tag modules %+v (%v)", x, err)
	}
}
