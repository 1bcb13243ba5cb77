package config

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRealisticConfigs: the Fedora-style and Bodhi-style configs in
// testdata/config pass the schema, dependency and skip-phase checks with
// no errors and no warnings, and read back the values their files spell
// out. (phases/pipeline's test runs the phases' checks on them with their
// variants.)
func TestRealisticConfigs(t *testing.T) {
	tests := []struct {
		file   string
		values map[string]string // option → Python repr
	}{
		{"../../testdata/config/fedora/fedora.conf", map[string]string{
			"runroot_tag":           "'f42-build'",
			"global_target":         "'f42'",
			"createrepo_extra_args": "['--zck', '--zck-dict-dir=/usr/share/fedora-repo-zdicts/rawhide']",
			"failable_deliverables": "[('^Server$', {'*': ['buildinstall', 'iso']}), ('^.*$', {'ppc64le': ['buildinstall', 'iso'], 's390x': ['buildinstall', 'iso'], 'src': ['buildinstall']})]",
			"buildinstall_method":   "'lorax'",
		}},
		{"../../testdata/config/bodhi/f41-updates.conf", map[string]string{
			"release_short":   "'Fedora-41-updates'",
			"release_type":    "'updates'",
			"pkgset_koji_tag": "'f41-updates'",
			"runroot_tag":     "'f41-build'",
		}},
		{"../../testdata/config/bodhi/f41-updates-testing.conf", map[string]string{
			"release_short":         "'Fedora-41-updates-testing'",
			"release_type":          "'updates-testing'",
			"pkgset_koji_tag":       "'f41-updates-testing'",
			"createrepo_extra_args": "['--zck', '--zck-dict-dir=/usr/share/fedora-repo-zdicts/f41']",
			"comps_file":            "'comps-f41.xml'",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(tt.file, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := Check(c, ValidateOptions{})
			for _, d := range append(r.Errors, r.Warnings...) {
				// pungo's own warnings about options it does not
				// implement yet are expected; Pungi has none.
				if strings.Contains(d.Msg, "has no effect in pungo") {
					continue
				}
				t.Errorf("unexpected finding: %s", d)
			}
			for k, want := range tt.values {
				v, ok := r.Config.Get(k)
				if !ok {
					t.Errorf("%s not set", k)
					continue
				}
				if got := pyRepr(v); got != want {
					t.Errorf("%s = %s, want %s", k, got, want)
				}
			}
		})
	}

	// Per variant/arch lookups on the Fedora config, as the phases make them.
	c, err := Load("../../testdata/config/fedora/fedora.conf", nil)
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	lookups := []struct {
		key, variant, arch, want string
	}{
		{"additional_packages", "Everything", "x86_64", "['dracut.*', 'autocorr-*', '*']"},
		{"additional_packages", "Server", "aarch64", "['dracut.*', 'autocorr-*']"},
		{"additional_packages", "Workstation", "x86_64", "[]"},
		{"failable_deliverables", "Server", "src", "['buildinstall']"},
		{"failable_deliverables", "Server", "s390x", "['buildinstall', 'iso', 'buildinstall', 'iso']"},
		{"createiso_skip", "Everything", "src", "[True]"},
		{"createiso_skip", "Server", "x86_64", "[]"},
		// Arch keys are visited in the order the file writes them, as Pungi
		// does; later lorax options override earlier ones.
		{"lorax_options", "Server", "ppc64le", "[{'rootfs_size': 3}, {'noupgrade': True}]"},
		{"multilib", "Everything", "x86_64", "['devel', 'runtime']"},
		{"repoclosure_strictness", "Workstation", "x86_64", "['fatal']"},
	}
	for _, l := range lookups {
		if got := pyRepr(orEmpty(c.ForVariantArch(l.key, l.variant, l.arch))); got != l.want {
			t.Errorf("%s for %s.%s = %s, want %s", l.key, l.variant, l.arch, got, l.want)
		}
	}
}

// TestRealisticDumps compares "pungo config dump" of the realistic configs
// with golden files produced by Pungi's validator and json.dump(sort_keys,
// indent=4) (createrepo_num_threads, the host's CPU count, replaced by "N").
func TestRealisticDumps(t *testing.T) {
	for _, tt := range []struct{ conf, golden string }{
		{"../../testdata/config/fedora/fedora.conf", "../../testdata/config/fedora/fedora.dump.json"},
		{"../../testdata/config/bodhi/f41-updates-testing.conf", "../../testdata/config/bodhi/f41-updates-testing.dump.json"},
	} {
		c, err := Load(tt.conf, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := Check(c, ValidateOptions{SchemaOnly: true})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", tt.conf, r.Errors)
		}
		m := r.Config.Merged()
		m["createrepo_num_threads"] = "N"
		var b strings.Builder
		if err := WriteJSON(&b, m); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(tt.golden)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s: dump differs from %s:\n%s", tt.conf, tt.golden, firstDiff(b.String(), string(want)))
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}
