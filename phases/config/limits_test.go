package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuggestionsBounded: "Did you mean" is computed for the first
// maxSuggestions unknown names only, so validating a config with many
// unknown variables stays linear; every unknown name is still reported.
func TestSuggestionsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("release_name = \"X\"\nrelease_short = \"X\"\nrelease_version = \"1\"\n")
	const unknown = 100
	for i := range unknown {
		fmt.Fprintf(&b, "release_nam%d = 1\n", i) // each one edit from release_name
	}
	path := filepath.Join(t.TempDir(), "many.conf")
	os.WriteFile(path, []byte(b.String()), 0o644)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, warns := Validate(c)
	reported, suggested := 0, 0
	for _, w := range warns {
		if strings.Contains(w.Msg, "Unrecognized config option: release_nam") {
			reported++
			if strings.Contains(w.Msg, "Did you mean release_name?") {
				suggested++
			}
		}
	}
	if reported != unknown || suggested != maxSuggestions {
		t.Errorf("%d reported, %d with a suggestion; want %d and %d", reported, suggested, unknown, maxSuggestions)
	}
}
