package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDump: what pungo config dump prints for what Pungi's validation and
// json.dump (sort_keys, indent 4) would: a git scm dict in a
// str_or_scm_dict option without a branch gets "HEAD" (Pungi's offline
// resolution; other scm types and nested dicts are left alone), integers
// beyond 64 bits in full, inf as Infinity, and a tuple dict key is an
// error as in Python's json, with nothing written.
func TestDump(t *testing.T) {
	const base = `release_name = "X"
release_short = "X"
release_version = "1"
createrepo_checksum = "sha256"
sigkeys = [None]
pkgset_source = "repos"
pkgset_repos = {"x86_64": ["r"]}
runroot_tag = ""
gather_method = "deps"
`
	for _, tc := range []struct {
		name, conf string
		want       []string // substrings of the dump
		notWant    []string
		err        string
	}{
		{name: "git without branch", conf: `variants_file = {"scm": "git", "repo": "https://x/r.git", "file": "v.xml"}
comps_file = {"scm": "git", "repo": "https://x/r.git", "file": "c.xml", "branch": None}
module_defaults_dir = {"scm": "git", "repo": "https://x/r.git", "dir": ".", "branch": ""}
`, want: []string{`"variants_file": {
        "branch": "HEAD",`, `"comps_file": {
        "branch": "HEAD",`, `"module_defaults_dir": {
        "branch": "HEAD",`}},
		{name: "branch kept, other scm types and git without repo untouched", conf: `variants_file = {"scm": "git", "repo": "https://x/r.git", "file": "v.xml", "branch": "f40"}
comps_file = {"scm": "file", "repo": "r", "file": "c.xml"}
gather_prepopulate = {"scm": "git", "file": "p.json"}
`, want: []string{`"branch": "f40"`}, notWant: []string{`"HEAD"`}},
		{name: "numbers beyond 64 bits and float64", conf: `createrepo_num_workers = 123456789012345678901234567890
iso_size = 1.0e999
split_iso_reserve = -1.0e999
x_small = 1.0e-999
variants_file = "v.xml"
`, want: []string{`"createrepo_num_workers": 123456789012345678901234567890,`, `"iso_size": Infinity,`,
			`"split_iso_reserve": -Infinity,`, `"x_small": 0.0`}},
		{name: "tuple dict key", conf: "variants_file = \"v.xml\"\nk = (\"a\", 1)\nx_map = {k: 1}\n", err: "keys must be str, int, float, bool or None, not tuple (key ('a', 1))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.conf")
			if err := os.WriteFile(p, []byte(base+tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := Check(c, ValidateOptions{SchemaOnly: true})
			if len(r.Errors) > 0 {
				t.Fatalf("validation: %v", r.Errors)
			}
			var out bytes.Buffer
			err = r.Config.Dump(&out)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err || out.Len() != 0 {
					t.Fatalf("err = %v (%d bytes written), want %q", err, out.Len(), tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("dump lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("dump has %q:\n%s", w, out.String())
				}
			}
		})
	}
}
