package pkgset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/rpmfile"
)

// TestKojiScratchVerified: a scratch task's rpm is checked against what
// Koji reports (the size listTaskOutput gives, the package the task
// result names) and its own digests, whether it is read from Koji's
// topdir or downloaded into koji_cache; a mismatch is a one-line error
// naming the file (or URL), a corrupt cached copy is fetched again.
func TestKojiScratchVerified(t *testing.T) {
	type setup struct {
		cache bool
		// corrupt edits the scratch task's copy on the hub (path of the
		// x86_64 rpm in its work directory) and the koji_cache dir.
		corrupt func(t *testing.T, rpm, cache string)
	}
	flip := func(t *testing.T, file string, at func(n int) int) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		data[at(len(data))] ^= 0x40
		os.WriteFile(file, data, 0o644)
	}
	for _, tt := range []struct {
		name string
		setup
		want string // "" = loads; else the error contains it
	}{
		{"topdir, intact", setup{}, ""},
		{"topdir, payload corrupt", setup{corrupt: func(t *testing.T, rpm, _ string) { flip(t, rpm, func(n int) int { return n - 10 }) }},
			"demo-games-0.9-1.x86_64.rpm: rpm payload digest mismatch"},
		{"topdir, another package", setup{corrupt: func(t *testing.T, rpm, _ string) {
			top := rpm[:strings.Index(rpm, "/work/tasks/")]
			other, _ := filepath.Glob(filepath.Join(top, "packages", "demo-shell", "*", "*", "x86_64", "demo-shell-*.rpm"))
			data, err := os.ReadFile(other[0])
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(rpm, data, 0o644)
		}}, "demo-games-0.9-1.x86_64.rpm: the rpm is demo-shell-5.2-1.x86_64, Koji's task result names demo-games-0.9-1.x86_64.rpm"},
		{"koji_cache, intact", setup{cache: true}, ""},
		{"koji_cache, corrupt download", setup{cache: true, corrupt: func(t *testing.T, rpm, _ string) { flip(t, rpm, func(n int) int { return n - 10 }) }},
			"demo-games-0.9-1.x86_64.rpm: downloaded file failed verification: rpm payload digest mismatch"},
		{"koji_cache, corrupt cached copy fetched again", setup{cache: true, corrupt: func(t *testing.T, rpm, cache string) {
			rel := strings.SplitN(filepath.ToSlash(rpm), "/work/", 2)[1]
			dst := filepath.Join(cache, "work", filepath.FromSlash(rel))
			os.MkdirAll(filepath.Dir(dst), 0o755)
			data, _ := os.ReadFile(rpm)
			os.WriteFile(dst, data[:len(data)-1], 0o644)
		}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f *kojiFixture
			conf := map[string]any{"sigkeys": []any{"abcd1234", nil}}
			cache := t.TempDir()
			if tt.cache {
				f = cacheFixture(t)
				conf["koji_cache"] = cache
			} else {
				f = newKojiFixture(t)
			}
			files, _ := filepath.Glob(filepath.Join(f.hub.TopDir, "packages", "demo-games", "*", "*", "*", "demo-games-*.rpm"))
			id, err := f.hub.AddScratchTask(files...)
			if err != nil {
				t.Fatal(err)
			}
			rpms, _ := filepath.Glob(filepath.Join(f.hub.TopDir, "work", "tasks", "*", "*", "demo-games-0.9-1.x86_64.rpm"))
			if len(rpms) != 1 {
				t.Fatalf("scratch rpm in the task directory: %v", rpms)
			}
			if tt.corrupt != nil {
				tt.corrupt(t, rpms[0], cache)
			}
			conf["pkgset_koji_scratch_tasks"] = []any{fmt.Sprint(id)}
			set, err := Load(context.Background(), kojiCompose(t, conf, f.event))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("%v, want the package set", err)
			case tt.want == "":
				g := byName(set)["demo-games.x86_64"]
				if g == nil {
					t.Fatal("scratch rpm missing")
				}
				file, err := os.Open(g.Path)
				if err != nil {
					t.Fatal(err)
				}
				defer file.Close()
				if err := rpmfile.VerifyDigests(file); err != nil {
					t.Errorf("the set's copy %s: %v", g.Path, err)
				}
			case err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("%v, want one line containing %q", err, tt.want)
			}
		})
	}
}
