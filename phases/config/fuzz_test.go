package config

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheck loads arbitrary config text and runs validation, defaults,
// lookups and the JSON dump on whatever parses: none of them may panic.
func FuzzCheck(f *testing.F) {
	seeds := []string{
		minimal,
		minimal + `additional_packages = [("^Server$", {"*": ["a"], "src": "b"})]`,
		minimal + `ostree = [("^A$", {"x86_64": {"treefile": 1, "extra_source_repos": "x", "repo_from": ["y"]}})]`,
		minimal + `extra_isos = {"(": [{"include_variants": 1}]}` + "\nlive_media = [1, (2,)]\n",
		minimal + `gather_method = {"^.*$": {"comps": "deps"}, "x": [1]}` + "\nsigkeys = ()\n",
		`release_name = 1 gather_method = None skip_phases = "pkgset" createrepo_deltas = [("x", 1)]`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		path := filepath.Join(dir, "fuzz.conf")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, nil)
		if err != nil {
			return
		}
		r := Check(c, ValidateOptions{})
		for _, d := range append(r.Errors, r.Warnings...) {
			if d.Msg == "" {
				t.Fatalf("empty diagnostic at %v", d.Pos)
			}
		}
		d := c.WithDefaults()
		for _, k := range d.Keys() {
			d.ForVariantArch(k, "Server", "x86_64")
			d.ForVariantArch(k, "", "src")
			d.ForVariant(k, "Server")
			d.Strings(k)
		}
		if err := WriteJSON(io.Discard, d.Merged()); err != nil {
			t.Fatal(err)
		}
	})
}
