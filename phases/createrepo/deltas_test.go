package createrepo

import (
	"bytes"
	"context"
	"github.com/pungo/pungo/phases/config"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestHasDeltas(t *testing.T) {
	server := &compose.Variant{UID: "Server", ID: "Server", Type: "variant", Arches: []string{"x86_64", "s390x"}}
	tests := []struct {
		name string
		raw  any
		arch string
		want bool
	}{
		{"unset", nil, "x86_64", false},
		{"true", true, "x86_64", true},
		{"false", false, "x86_64", false},
		{"mapping matches", []any{[]any{"^Server$", map[string]any{"x86_64": true}}}, "x86_64", true},
		{"mapping for another arch", []any{[]any{"^Server$", map[string]any{"x86_64": true}}}, "s390x", false},
		{"mapping for another variant", []any{[]any{"^Client$", map[string]any{"*": true}}}, "x86_64", false},
		{"mapping says false", []any{[]any{"^Server$", map[string]any{"*": false}}}, "x86_64", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1"}
			if tt.raw != nil {
				conf["createrepo_deltas"] = tt.raw
			}
			c := newCompose(t, conf)
			if got := hasDeltas(c, server, tt.arch); got != tt.want {
				t.Errorf("hasDeltas = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDeltasFromOldCompose runs the phase over a compose whose old
// compose shipped alpha 1.0: the binary repository gets a delta to alpha
// 2.0 that applydeltarpm turns back into the new package, the source and
// debug repositories get none, with and without hashed_directories.
func TestDeltasFromOldCompose(t *testing.T) {
	toolcheck.Need(t, "makedeltarpm", "applydeltarpm")
	corpus := rpmtest.Corpus(t)
	for _, hashed := range []bool{false, true} {
		t.Run(map[bool]string{false: "flat", true: "hashed"}[hashed], func(t *testing.T) {
			conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
				"createrepo_deltas": []any{[]any{"^Server$", map[string]any{"*": true}}}, "hashed_directories": hashed}
			parent := t.TempDir()
			server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
			pkgDir := func(c *compose.Compose, arch string) (dir, rel string) {
				dir, rel = c.Paths.Compose.Packages(arch, server), c.Paths.Compose.RelPackages(arch, server)
				if hashed {
					dir, rel = filepath.Join(dir, "a"), rel+"/a"
					os.MkdirAll(dir, 0o755)
				}
				return dir, rel
			}
			link := func(c *compose.Compose, rpms *productmd.Rpms, arch, file, nevra, cat, src string) {
				dir, rel := pkgDir(c, arch)
				if err := os.Symlink(filepath.Join(corpus, file), filepath.Join(dir, file)); err != nil {
					t.Fatal(err)
				}
				if rpms != nil {
					if err := rpms.Add(server.UID, "x86_64", nevra, rel+"/"+file, "", cat, src); err != nil {
						t.Fatal(err)
					}
				}
			}
			oldDir, _, err := compose.CreateDir(parent, config.NewWithDefaults(conf), compose.Options{Type: "test", Date: "20240101"})
			if err != nil {
				t.Fatal(err)
			}
			old, err := compose.New(config.NewWithDefaults(conf), oldDir, compose.Options{}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Log.Close()
			link(old, nil, "x86_64", "alpha-1.0-1.noarch.rpm", "", "", "")
			if err := os.WriteFile(filepath.Join(oldDir, "STATUS"), []byte("FINISHED\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			newDir, _, err := compose.CreateDir(parent, config.NewWithDefaults(conf), compose.Options{Type: "test", Date: "20240102"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := compose.New(config.NewWithDefaults(conf), newDir, compose.Options{OldComposes: []string{parent}}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Log.Close()
			c.Variants = []*compose.Variant{server}
			rpms := &productmd.Rpms{Compose: c.Info.Compose}
			link(c, rpms, "x86_64", "alpha-2.0-1.noarch.rpm", "alpha-2:2.0-1.noarch", "binary", "alpha-2:1.0-1.src")
			link(c, rpms, "src", "alpha-1.0-1.src.rpm", "alpha-2:1.0-1.src", "source", "")
			if err := productmd.WriteJSON(c.Paths.Compose.Metadata("rpms.json"), rpms); err != nil {
				t.Fatal(err)
			}
			if err := compose.ValidateConfig(c, &Phase{}); err != nil {
				t.Fatal(err)
			}
			if err := (&Phase{}).Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			repo := c.Paths.Compose.Repository("x86_64", server)
			drpm := filepath.Join(repo, "drpms", "alpha-1.0-1_2.0-1.noarch.drpm")
			rebuilt := filepath.Join(t.TempDir(), "alpha.rpm")
			if out, err := exec.Command("applydeltarpm", "-r", filepath.Join(corpus, "alpha-1.0-1.noarch.rpm"), drpm, rebuilt).CombinedOutput(); err != nil {
				t.Fatalf("applydeltarpm: %v\n%s", err, out)
			}
			a, _ := os.ReadFile(rebuilt)
			b, _ := os.ReadFile(filepath.Join(corpus, "alpha-2.0-1.noarch.rpm"))
			if !bytes.Equal(a, b) {
				t.Error("the delta does not rebuild alpha-2.0-1.noarch.rpm")
			}
			for dir, want := range map[string]bool{repo: true, c.Paths.Compose.Repository("src", server): false, c.Paths.Compose.DebugRepository("x86_64", server): false} {
				r, err := repomd.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.Record("prestodelta"); ok != want {
					t.Errorf("%s: prestodelta record %v, want %v", dir, ok, want)
				}
			}
			if log, _ := os.ReadFile(filepath.Join(c.Topdir, "logs", "global", "pungi.global.log")); !strings.Contains(string(log), "Making delta RPMs for Server.x86_64 from ["+filepath.Join(oldDir, "compose", "Server", "x86_64", "os", "Packages")) {
				t.Errorf("log does not say where the deltas come from:\n%s", log)
			}
		})
	}
}
