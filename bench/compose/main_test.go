package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pungo/pungo/repomd/rpmfile"
)

// TestPlaceholderIsReadable: the compose's pkgset phase reads the arch
// tags of every placeholder, so it must be an rpm header readers accept.
func TestPlaceholderIsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.rpm")
	if err := os.WriteFile(path, minimalRPM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rpmfile.ReadArchTags(path); err != nil {
		t.Fatal(err)
	}
	p, err := rpmfile.ReadFile(path, rpmfile.Options{})
	if err != nil || p.Name != "placeholder" {
		t.Fatalf("ReadFile: %v, %+v", err, p)
	}
}
