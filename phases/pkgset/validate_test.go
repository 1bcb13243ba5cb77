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

// TestValidateModuleSpecs: config validate refuses a <module> entry no
// source can read, naming the variant; the Koji source's old
// NAME-STREAM form passes (Pungi reads it, with a warning at compose).
func TestValidateModuleSpecs(t *testing.T) {
	for _, tt := range []struct {
		source string
		spec   string
		err    string
	}{
		{"repos", "demo-lang:2", ""},
		{"repos", "demo-lang:2:20240201000000:c0ffee02", ""},
		{"repos", "demo-*:*", ""},
		{"repos", "*", ""},
		{"repos", "demo-lang", `variant Server: module "demo-lang" is not NAME:STREAM[:VERSION[:CONTEXT]]`},
		{"repos", "demo-lang:", `variant Server: module "demo-lang:" is not NAME:STREAM[:VERSION[:CONTEXT]]`},
		{"repos", "a:b:c:d:e", `variant Server: module "a:b:c:d:e" is not NAME:STREAM[:VERSION[:CONTEXT]]`},
		{"koji", "demo-lang-2", ""},
		{"koji", "demo-lang:2:1:c", ""},
		{"koji", "a:b:c:d:e", `variant Server: module "a:b:c:d:e" is not NAME:STREAM[:VERSION[:CONTEXT]]`},
		{"koji", ":2", `variant Server: module ":2" is not NAME:STREAM[:VERSION[:CONTEXT]]`},
	} {
		var c *compose.Compose
		if tt.source == "koji" {
			c = kojiCompose(t, nil, 0)
		} else {
			c = reposCompose(t, t.TempDir(), []string{"x86_64"}, nil)
		}
		c.Variants[0].Modules = []string{tt.spec}
		var f compose.Findings
		(&Phase{}).Validate(c, &f)
		var got []string
		for _, e := range f.Errors {
			got = append(got, e.Msg)
		}
		if want := []string{tt.err}; tt.err == "" && len(got) != 0 || tt.err != "" && strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s <module>%s</module>: errors %q, want %q", tt.source, tt.spec, got, tt.err)
		}
	}
}

// TestValidateOverrideDirAlone: module_defaults_override_dir without
// module_defaults_dir is refused by config validate (the compose refused
// it only in its pkgset phase).
func TestValidateOverrideDirAlone(t *testing.T) {
	for _, tt := range []struct {
		conf map[string]any
		err  bool
	}{
		{map[string]any{"module_defaults_override_dir": "overrides"}, true},
		{map[string]any{"module_defaults_override_dir": "overrides", "module_defaults_dir": "defaults"}, false},
		{map[string]any{"module_defaults_dir": "defaults"}, false},
	} {
		c := reposCompose(t, t.TempDir(), []string{"x86_64"}, tt.conf)
		var f compose.Findings
		(&Phase{}).Validate(c, &f)
		got := len(f.Errors) == 1 && f.Errors[0].Option == "module_defaults_override_dir" &&
			f.Errors[0].Msg == "module_defaults_override_dir is set but module_defaults_dir is not"
		if got != tt.err || !tt.err && len(f.Errors) > 0 {
			t.Errorf("%v: errors %v", tt.conf, f.Errors)
		}
	}
}
