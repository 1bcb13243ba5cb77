package pipeline

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
)

// minimal sets the required options, lines 1-7 of every test config.
const minimal = `release_name = "Test"
release_short = "test"
release_version = "1"
variants_file = "variants.xml"
pkgset_source = "koji"
pkgset_koji_tag = "f40"
gather_method = "deps"
`

func variant(uid string, arches ...string) *compose.Variant {
	return &compose.Variant{UID: uid, ID: uid, Name: uid, Type: "variant", Arches: arches}
}

// TestValidate: `config validate` reports what the phases' own Validate
// finds, positioned at the option and prefixed with the phase, and the
// skip-phase rules; the host checks (tools) never run.
func TestValidate(t *testing.T) {
	server := variant("Server", "x86_64", "s390x")
	tests := []struct {
		name  string
		body  string
		opts  ValidateOptions
		path  string // PATH while validating: "" keeps the real one
		errs  []string
		warns []string
	}{
		{name: "minimal is clean", body: ""},
		{name: "schema errors stop before the phases", body: "link_type = \"softlink\"\nmedia_checksum_one_file = True\n",
			errs: []string{"test.conf:8:1: Failed validation in link_type: 'softlink' is not one of ['hardlink', 'copy', 'hardlink-or-copy', 'symlink', 'abspath-symlink']"}},
		{name: "skip pkgset but not gather, with a phase error", body: "skip_phases = [\"pkgset\"]\nmedia_checksum_one_file = True\n",
			errs: []string{"test.conf:8:1: pkgset phase is skipped but it's needed by gather phase",
				`test.conf:9:1: IMAGE_CHECKSUM: Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`}},
		{name: "deltas without old composes", body: "createrepo_deltas = True\n",
			errs: []string{"test.conf:8:1: CREATEREPO: Can not generate deltas without old compose"}},
		{name: "deltas with old composes need no makedeltarpm here", body: "createrepo_deltas = [(\"^Server$\", {\"*\": True})]\n",
			opts: ValidateOptions{OldComposes: true}, path: "empty"},
		{name: "skipped createrepo is not checked", body: "createrepo_deltas = True\nskip_phases = [\"createrepo\"]\n"},
		{name: "createrepo_extra_args", body: "createrepo_extra_args = ['-v', '--retain-old-md=3']\n",
			errs: []string{"test.conf:8:1: CREATEREPO: createrepo_c option --retain-old-md is not supported by pungo createrepo"}},
		{name: "one checksum file needs one checksum", body: "media_checksum_one_file = True\n",
			errs: []string{`test.conf:8:1: IMAGE_CHECKSUM: Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`}},
		{name: "variant_as_lookaside", body: "variant_as_lookaside = [(\"Client\", \"Server\"), (\"Server\", \"Missing\"), (\"Server\", \"Client\")]\n",
			opts: ValidateOptions{Variants: []*compose.Variant{server, variant("Client", "x86_64")}},
			errs: []string{
				"test.conf:8:1: GATHER: variant_as_lookaside: variant 'Missing' doesn't exist but is required by 'Server'",
				"test.conf:8:1: GATHER: variant_as_lookaside: architectures of variant 'Server' aren't subset of architectures of variant 'Client'",
			}},
		{name: "ostree installer clashes with buildinstall", body: "buildinstall_method = \"lorax\"\nostree_installer = [(\"^Server$\", {\"x86_64\": {}})]\n",
			opts: ValidateOptions{Variants: []*compose.Variant{server}},
			errs: []string{"test.conf:9:1: OSTREE_INSTALLER: Can not generate ostree installer for Server.x86_64: it has buildinstall running already and the files would clash."}},
		{name: "ostree installer may overwrite", body: "buildinstall_method = \"lorax\"\nostree_installer_overwrite = True\nostree_installer = [(\"^Server$\", {\"x86_64\": {}})]\n",
			opts: ValidateOptions{Variants: []*compose.Variant{variant("Server", "x86_64")}}},
		{name: "extra iso arches", body: "extra_isos = {\"^Server$\": [{\"include_variants\": [], \"arches\": [\"ppc64le\", \"x86_64\", \"aarch64\", \"ppc64le\"]}]}\n",
			opts:  ValidateOptions{Variants: []*compose.Variant{variant("Server", "x86_64")}},
			warns: []string{"test.conf:8:1: Extra iso config for Server mentions non-existing arches: aarch64, ppc64le"}},
		// A check config validate did not make before it ran the phases'
		// own Validate.
		{name: "iso_size", body: "iso_size = 100\nsplit_iso_reserve = 200\n",
			errs: []string{"test.conf:8:1: CREATEISO: iso_size (100) must be larger than split_iso_reserve (200)"}},
		// Each error points at the option at fault.
		{name: "split_iso_reserve not a size", body: "iso_size = \"400k\"\nsplit_iso_reserve = 0\n",
			errs: []string{"test.conf:9:1: CREATEISO: split_iso_reserve: Media size must be a positive number: 0"}},
		{name: "iso_size not a size", body: "split_iso_reserve = \"1k\"\niso_size = \"big\"\n",
			errs: []string{"test.conf:9:1: CREATEISO: iso_size: media size \"big\": want a number with an optional b, k, M or G suffix"}},
		{name: "reserve above the default iso_size", body: "\nsplit_iso_reserve = \"5G\"\n",
			errs: []string{"test.conf:9:1: CREATEISO: iso_size (4700000000) must be larger than split_iso_reserve (5368709120)"}},
		// ISOs made here would need genisoimage and isomd5sum: the compose
		// checks that, config validate does not.
		{name: "no ISO tools on this host", body: "", path: "empty",
			opts: ValidateOptions{Variants: []*compose.Variant{variant("Server", "x86_64")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "test.conf")
			if err := os.WriteFile(path, []byte(minimal+tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.path == "empty" {
				t.Setenv("PATH", t.TempDir())
			}
			r := Validate(c, tt.opts)
			compare(t, "errors", render(r.Errors, dir), tt.errs)
			compare(t, "warnings", render(r.Warnings, dir), tt.warns)
		})
	}
}

func render(ds []config.Diagnostic, dir string) []string {
	var out []string
	for _, d := range ds {
		// pungo's own warnings about options it does not implement.
		if strings.Contains(d.Msg, "has no effect in pungo") {
			continue
		}
		out = append(out, strings.ReplaceAll(d.String(), dir+string(filepath.Separator), ""))
	}
	return out
}

func compare(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

// TestValidateRealisticConfigs: the Fedora-style and Bodhi-style configs
// in testdata/config, with their variants files, pass every check
// `config validate` makes, the phases' included.
func TestValidateRealisticConfigs(t *testing.T) {
	for _, file := range []string{
		"../../testdata/config/fedora/fedora.conf",
		"../../testdata/config/bodhi/f41-updates.conf",
		"../../testdata/config/bodhi/f41-updates-testing.conf",
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := config.Load(file, nil)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := LoadVariants(c)
			if err != nil || len(vs) == 0 {
				t.Fatalf("variants: %v (%d)", err, len(vs))
			}
			r := Validate(c, ValidateOptions{Variants: vs})
			compare(t, "findings", render(append(r.Errors, r.Warnings...), ""), nil)
		})
	}
}

// TestComposeAndValidateAgree: the compose's Runner.Validate and config
// validate report the same phase errors, and only the compose adds the
// host checks.
func TestComposeAndValidateAgree(t *testing.T) {
	conf := config.NewWithDefaults(map[string]any{"release_name": "T", "release_short": "t", "release_version": "1",
		"variants_file": "v.xml", "pkgset_source": "koji", "pkgset_koji_tag": "f40", "gather_method": "deps",
		"media_checksum_one_file": true, "createrepo_deltas": true})
	vs := []*compose.Variant{variant("Server", "x86_64")}
	want := "CREATEREPO: Can not generate deltas without old compose\n" +
		`IMAGE_CHECKSUM: Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`
	f := compose.ValidatePhases(compose.ForValidation(conf, "", vs, false), New())
	var got []string
	for _, e := range f.Errors {
		got = append(got, e.String())
	}
	if strings.Join(got, "\n") != want {
		t.Errorf("config validate:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	c := compose.ForValidation(conf, "", vs, false)
	if err := compose.NewRunner(c, New()).Validate(); err == nil || err.Error() != want {
		t.Errorf("compose: %v\nwant\n%s", err, want)
	}
	t.Setenv("PATH", t.TempDir())
	c = compose.ForValidation(config.NewWithDefaults(map[string]any{"release_name": "T", "release_short": "t",
		"release_version": "1", "variants_file": "v.xml", "pkgset_source": "koji", "pkgset_koji_tag": "f40",
		"gather_method": "deps"}), "", vs, false)
	if f := compose.ValidatePhases(c, New()); len(f.Errors) != 0 {
		t.Errorf("config validate checked the host: %v", f.Errors)
	}
	if err := compose.NewRunner(c, New()).Validate(); err == nil || !strings.Contains(err.Error(), "CREATEISO: checkisomd5 is not installed") {
		t.Errorf("compose without ISO tools: %v", err)
	}
}

// Every phase with a Validate method implements compose.Validator: one
// with the wrong signature would silently never be asked.
func TestValidatorsImplemented(t *testing.T) {
	n := 0
	for name, p := range New() {
		if _, ok := p.(compose.Validator); ok {
			n++
			continue
		}
		if m := reflect.ValueOf(p).MethodByName("Validate"); m.IsValid() {
			t.Errorf("%s: Validate %s does not implement compose.Validator", name, m.Type())
		}
	}
	if n < 10 {
		t.Errorf("%d phases implement compose.Validator, want at least 10", n)
	}
}
