package createrepo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
)

// TestExtraArgsValidation: the phase's Validate, which `config validate`
// and the compose run, accepts the createrepo_extra_args real composes use
// and names a flag pungo's writer cannot apply.
func TestExtraArgsValidation(t *testing.T) {
	const minimal = "release_name = \"Test\"\nrelease_short = \"test\"\nrelease_version = \"1\"\nvariants_file = \"variants.xml\"\npkgset_source = \"koji\"\ngather_method = \"deps\"\n"
	tests := []struct {
		name, extra, wantErr string
	}{
		{name: "Rocky", extra: `createrepo_extra_args = ['--distro=cpe:/o:rocky:rocky:8,Rocky Linux 8', '--revision=8.7']`},
		{name: "separate values", extra: `createrepo_extra_args = ['--distro', 'cpe:/o:x,X', '--num-deltas', '2', '-v']`},
		{name: "unsupported flag", extra: `createrepo_extra_args = ['-v', '--retain-old-md=3']`,
			wantErr: "CREATEREPO: createrepo_c option --retain-old-md is not supported by pungo createrepo"},
		{name: "skipped phase", extra: `createrepo_extra_args = ['--split']
skip_phases = ['createrepo', 'buildinstall']`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.conf")
			if err := os.WriteFile(path, []byte(minimal+tt.extra+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			vc := compose.ForValidation(c.WithDefaults(), path, nil, false)
			f := compose.ValidatePhases(vc, map[string]compose.Phase{"createrepo": &Phase{}})
			var errs []string
			for _, e := range f.Errors {
				errs = append(errs, e.String())
			}
			got := strings.Join(errs, "\n")
			if tt.wantErr == "" && got != "" || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
				t.Errorf("errors:\n%s\nwant %q", got, tt.wantErr)
			}
		})
	}
}
