package compose

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A git scm_dict's options.credential_helper reaches git as Pungi passes
// it: -c credential.useHttpPath=true -c credential.helper=HELPER.
func TestSCMGitCredentialHelper(t *testing.T) {
	for _, tc := range []struct {
		scm  map[string]any
		want string
	}{
		{map[string]any{"scm": "git", "repo": "https://git.example.com/comps.git", "file": "comps.xml",
			"options": map[string]any{"credential_helper": "!/usr/libexec/get-token"}},
			"-c credential.useHttpPath=true -c credential.helper=!/usr/libexec/get-token clone --quiet --depth 1 https://git.example.com/comps.git "},
		{map[string]any{"scm": "git", "repo": "https://git.example.com/comps.git", "file": "comps.xml"},
			"clone --quiet --depth 1 https://git.example.com/comps.git "},
	} {
		bin := t.TempDir()
		log := filepath.Join(t.TempDir(), "args")
		// The fake git records its arguments and "clones" comps.xml.
		os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\necho \"$@\" > "+log+"\nfor last; do :; done\nmkdir -p \"$last\" && echo '<comps/>' > \"$last/comps.xml\"\n"), 0o755)
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		c := newTestCompose(t, baseConf())
		s, err := ParseSCM(tc.scm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Fetch(context.Background(), s, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(log)
		if !strings.HasPrefix(string(got), tc.want) {
			t.Errorf("git %s, want %s…", got, tc.want)
		}
	}
}
