package pkgset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/createrepo"
)

// TestAllowedRoots: a pkgset_repos repository whose xml:base points
// outside it is refused naming repository and href, unless
// pkgset_repos_allowed_roots lists the directory (relative paths are
// relative to the config file); a URL there is refused by Validate.
func TestAllowedRoots(t *testing.T) {
	pkgs := exclusiveRepo(t) // the .rpm files
	// A repository elsewhere whose locations point into pkgs.
	repo := filepath.Join(t.TempDir(), "based")
	if _, err := createrepo.Run(pkgs, createrepo.Options{OutputDir: repo, BaseURL: "file://" + pkgs}); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd() // the config directory of reposCompose's composes
	rel, err := filepath.Rel(wd, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		roots any    // pkgset_repos_allowed_roots; nil: unset
		want  string // "" = loads; else the error contains it
	}{
		{"strict by default", nil, "repository " + repo + ": package "},
		{"another root", []any{filepath.Join(pkgs, "sub")}, "resolves outside the repository"},
		{"the directory", []any{pkgs}, ""},
		{"a parent, one string", filepath.Dir(pkgs), ""},
		{"relative to the config", []any{rel}, ""},
		{"a URL", []any{"https://example.org/"}, `pkgset_repos_allowed_roots: "https://example.org/" is not a directory`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conf := map[string]any{}
			if tt.roots != nil {
				conf["pkgset_repos_allowed_roots"] = tt.roots
			}
			c := reposCompose(t, repo, []string{"x86_64"}, conf)
			verr := compose.ValidateConfig(c, &Phase{})
			set, err := Load(context.Background(), c)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("%v, want the package set", err)
			case tt.want == "":
				for _, p := range set.Arch("x86_64") {
					if !strings.HasPrefix(p.Path, pkgs+"/") {
						t.Errorf("%s at %s, not under %s", p.NEVRA(), p.Path, pkgs)
					}
				}
				if len(set.Arch("x86_64")) == 0 {
					t.Error("no packages")
				}
			case err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("%v, want one line containing %q", err, tt.want)
			}
			if strings.Contains(tt.want, "allowed_roots") != (verr != nil) {
				t.Errorf("Validate: %v", verr)
			}
		})
	}
}
