package pkgset

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// work/<arch>/repo of a modular compose holds the main set plus the
// artifacts of the streams the variants ship, and a modules record with
// those streams and their defaults (Pungi's _create_arch_repo with
// add_modular_metadata): the record is what modifyrepo_c --mdtype=modules
// makes of the same modules.yaml, and dnf reading the repository sees the
// default stream's packages.
func TestArchRepoModules(t *testing.T) {
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")
	cases := []struct {
		name    string
		modules []string
		streams string // NSVCs in the record, "" for no record
		lang    string // demo-lang packages in the repository
	}{
		{"one stream", []string{"demo-lang:2"}, "demo-lang:2:20240201000000:c0ffee02",
			"demo-lang-2.0-1.module_demo+2.src demo-lang-2.0-1.module_demo+2.x86_64 demo-lang-devel-2.0-1.module_demo+2.noarch"},
		{"both streams", []string{"demo-lang:*"}, "demo-lang:1:20240101000000:c0ffee01 demo-lang:2:20240201000000:c0ffee02",
			"demo-lang-1.0-1.module_demo+1.src demo-lang-1.0-1.module_demo+1.x86_64 demo-lang-2.0-1.module_demo+2.src demo-lang-2.0-1.module_demo+2.x86_64 demo-lang-devel-1.0-1.module_demo+1.noarch demo-lang-devel-2.0-1.module_demo+2.noarch"},
		{"no modules", nil, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := reposCompose(t, filepath.Join(demo, "rpms"), []string{"x86_64"}, map[string]any{
				"pkgset_repos": map[string]any{"x86_64": []any{filepath.Join(demo, "rpms"), filepath.Join(demo, "modular", "rpms")}},
			})
			c.Variants[0].Modules = tc.modules
			set, err := Load(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeArchRepos(context.Background(), c, set); err != nil {
				t.Fatal(err)
			}
			dir := c.Paths.Work.PkgsetRepo("x86_64", "repos")
			r, err := repomd.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			var lang []string
			for _, p := range r.Packages {
				if strings.HasPrefix(p.Name, "demo-lang") {
					lang = append(lang, p.NEVRA())
				}
			}
			if got := strings.Join(slices.Sorted(slices.Values(lang)), " "); got != tc.lang {
				t.Errorf("demo-lang packages: %s, want %s", got, tc.lang)
			}
			rec, ok := r.Record("modules")
			if !ok {
				if tc.streams != "" {
					t.Fatal("no modules record")
				}
				return
			}
			if tc.streams == "" {
				t.Fatal("a modules record without modules")
			}
			rc, err := r.OpenRecord("modules")
			if err != nil {
				t.Fatal(err)
			}
			yaml, _ := io.ReadAll(rc)
			rc.Close()
			idx, err := modulemd.Parse(yaml, "modules")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range idx.Streams {
				got = append(got, s.NSVC())
			}
			if strings.Join(slices.Sorted(slices.Values(got)), " ") != tc.streams || idx.DefaultStream("demo-lang") != "2" {
				t.Errorf("modules record: streams %v, default %q", got, idx.DefaultStream("demo-lang"))
			}

			// modifyrepo_c on a copy of the repodata without the record.
			tools := toolcheck.Need(t, "modifyrepo_c", "dnf")
			cp := t.TempDir()
			if out, err := exec.Command("cp", "-r", filepath.Join(dir, "repodata"), cp).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			yamlFile := filepath.Join(t.TempDir(), "modules.yaml")
			os.WriteFile(yamlFile, yaml, 0o644)
			for _, args := range [][]string{{"--remove", "modules"}, {"--mdtype=modules", "--compress-type=gz", yamlFile}} {
				if out, err := exec.Command(tools[0], append(args, filepath.Join(cp, "repodata"))...).CombinedOutput(); err != nil {
					t.Fatalf("modifyrepo_c %v: %v %s", args, err, out)
				}
			}
			want, err := repomd.OpenMeta(cp)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := want.Record("modules")
			suffix := func(href string) string {
				_, b, _ := strings.Cut(path.Base(href), "-")
				return path.Dir(href) + "/" + b
			}
			if suffix(rec.Href) != suffix(w.Href) || rec.OpenChecksum != w.OpenChecksum || rec.OpenSize != w.OpenSize ||
				rec.Checksum.Type != w.Checksum.Type {
				t.Errorf("modules record %+v, modifyrepo_c wrote %+v", rec, w)
			}

			// dnf sees the default stream active: its packages, not the other's.
			root := t.TempDir()
			out, err := exec.Command(tools[1], "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
				"--setopt=cachedir="+filepath.Join(root, "cache"), "--setopt=module_platform_id=platform:demo1",
				"--repofrompath", "r,file://"+dir, "--repo", "r", "-q", "repoquery", "--qf", "%{name}-%{version}", "demo-lang").CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "demo-lang-2.0" {
				t.Errorf("dnf repoquery demo-lang: %v %q", err, out)
			}
		})
	}
}
