package pkgset

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// The demo's modular repository gives per-stream package sets; its
// packages stay out of the main set, whatever their versions.
func TestReposModules(t *testing.T) {
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")
	c := reposCompose(t, filepath.Join(demo, "rpms"), []string{"x86_64"}, map[string]any{
		"pkgset_repos": map[string]any{"x86_64": []any{filepath.Join(demo, "rpms"), filepath.Join(demo, "modular", "rpms")}},
	})
	set, err := loadRepos(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range set.Arch("x86_64") {
		if strings.HasPrefix(p.Name, "demo-lang") {
			t.Errorf("modular %s in the main set", p.NEVRA())
		}
	}
	streams := set.Modules["x86_64"]
	want := map[string]string{
		"demo-lang:1:20240101000000:c0ffee01": "demo-lang-1.0-1.module_demo+1.src demo-lang-1.0-1.module_demo+1.x86_64 demo-lang-devel-1.0-1.module_demo+1.noarch",
		"demo-lang:2:20240201000000:c0ffee02": "demo-lang-2.0-1.module_demo+2.src demo-lang-2.0-1.module_demo+2.x86_64 demo-lang-devel-2.0-1.module_demo+2.noarch",
	}
	if len(streams) != len(want) {
		t.Fatalf("streams: %v", streams)
	}
	for nsvc, pkgs := range want {
		ms := streams[nsvc]
		if ms == nil {
			t.Fatalf("no stream %s", nsvc)
		}
		var got []string
		for _, p := range ms.Packages {
			got = append(got, p.NEVRA())
		}
		if strings.Join(slices.Sorted(slices.Values(got)), " ") != pkgs {
			t.Errorf("%s: %v", nsvc, got)
		}
	}
	if d := set.ModuleMeta["x86_64"].DefaultStream("demo-lang"); d != "2" {
		t.Errorf("default stream %q", d)
	}
	v := &compose.Variant{UID: "Server", Arches: []string{"x86_64"}, Modules: []string{"demo-lang:*"}}
	sel, unmatched, err := VariantStreams(c, set, v, "x86_64")
	if err != nil || len(sel) != 2 || len(unmatched) != 0 {
		t.Errorf("demo-lang:* selects %d streams (%v)", len(sel), err)
	}
}
