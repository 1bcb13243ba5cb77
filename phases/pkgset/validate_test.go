package pkgset

import (
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
)

// TestValidateKojiOnlyOptionsWithRepos: an option only the Koji source
// reads, set in a config whose pkgset_source is repos, is reported by
// `config validate` instead of being ignored; its neutral value is not.
func TestValidateKojiOnlyOptionsWithRepos(t *testing.T) {
	for _, tt := range []struct {
		option string
		value  any
		warned bool
	}{
		{"pkgset_koji_module_tag", []any{"f40-modular"}, true},
		{"pkgset_koji_module_builds", map[string]any{"^Server$": []any{"m:s:1:c"}}, true},
		{"pkgset_koji_inherit_modules", true, true},
		{"pkgset_koji_inherit_modules", false, false},
		{"pkgset_scratch_modules", map[string]any{"^Server$": []any{"m:s:1:c"}}, true},
		{"mbs_api_url", "https://mbs.example.com/module-build-service/1", true},
		{"pkgset_koji_builds", []any{"foo-1-1"}, true},
		{"pkgset_koji_scratch_tasks", []any{"123"}, true},
		{"pkgset_koji_module_tag", []any{}, false},
	} {
		c := reposCompose(t, t.TempDir(), []string{"x86_64"}, map[string]any{tt.option: tt.value})
		var f compose.Findings
		(&Phase{}).Validate(c, &f)
		var got []string
		for _, w := range f.Warnings {
			if w.Option == tt.option {
				got = append(got, w.Msg)
			}
		}
		if tt.warned != (len(got) == 1) || (tt.warned && !strings.Contains(got[0], "pkgset_source is repos")) {
			t.Errorf("%s = %v: warnings %q, want warned=%v", tt.option, tt.value, got, tt.warned)
		}
		if len(f.Errors) > 0 {
			t.Errorf("%s = %v: errors %v", tt.option, tt.value, f.Errors)
		}
	}
}
