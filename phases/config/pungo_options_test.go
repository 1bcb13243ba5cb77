package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPungoOptions: options pungo adds to Pungi's schema validate like
// Pungi's own: accepted with the right shape, refused with a wrong one or
// beside an option they conflict with.
func TestPungoOptions(t *testing.T) {
	repos := strings.Replace(minimal, `"koji"`, `"repos"`, 1) + "pkgset_repos = {\"x86_64\": [\"r\"]}\n"
	for _, tt := range []struct {
		name, body string
		errs       []string
	}{
		{"allowed roots, list", repos + "pkgset_repos_allowed_roots = [\"/mnt/koji\", \"rel\"]\n", nil},
		{"allowed roots, one", repos + "pkgset_repos_allowed_roots = \"/mnt/koji\"\n", nil},
		{"allowed roots, wrong type", repos + "pkgset_repos_allowed_roots = [1]\n",
			[]string{"test.conf:8:1: Failed validation in pkgset_repos_allowed_roots: [1] is not valid under any of the given schemas\n" +
				"    Possible reason: [1] is not of type 'string'\n    Possible reason: 1 is not of type 'string'"}},
		{"allowed roots with koji", minimal + "pkgset_koji_tag = \"t\"\npkgset_repos_allowed_roots = \"/mnt/koji\"\n",
			[]string{"test.conf:5:1: Config option pkgset_source=koji conflicts with option pkgset_repos_allowed_roots."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			c, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := Check(c, ValidateOptions{})
			compare(t, "errors", render(r.Errors, filepath.Dir(path)), tt.errs)
			for _, w := range render(r.Warnings, filepath.Dir(path)) {
				if strings.Contains(w, "pkgset_repos_allowed_roots") {
					t.Errorf("warning: %s", w)
				}
			}
		})
	}
}
