package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestCreaterepoDeltasCLI(t *testing.T) {
	toolcheck.Need(t, "makedeltarpm")
	corpus := rpmtest.Corpus(t)
	base := t.TempDir()
	oldDir, newDir := filepath.Join(base, "old"), filepath.Join(base, "new")
	for dir, files := range map[string][]string{oldDir: {"alpha-1.0-1.noarch.rpm"}, newDir: {"alpha-2.0-1.noarch.rpm", "alpha-1.0-1.src.rpm"}} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.Symlink(filepath.Join(corpus, f), filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
		wantDRPM bool
	}{
		{"deltas", []string{"--deltas", "--oldpackagedirs", oldDir, "--num-deltas", "2"}, 0, "", true},
		{"old dirs without --deltas", []string{"--oldpackagedirs", oldDir}, 0, "", false},
		{"bad --num-deltas", []string{"--deltas", "--oldpackagedirs", oldDir, "--num-deltas", "0"}, 2, "--num-deltas", false},
		{"bad --max-delta-rpm-size", []string{"--deltas", "--max-delta-rpm-size", "-1"}, 2, "--max-delta-rpm-size", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(filepath.Join(newDir, "repodata"))
			os.RemoveAll(filepath.Join(newDir, "drpms"))
			code, _, stderr := runCLI(t, runCreaterepo, append(append([]string{"-q"}, tt.args...), newDir)...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.wantErr)
			}
			if code != 0 {
				return
			}
			_, err := os.Stat(filepath.Join(newDir, "drpms", "alpha-1.0-1_2.0-1.noarch.drpm"))
			if (err == nil) != tt.wantDRPM {
				t.Errorf("drpm present: %v, want %v", err == nil, tt.wantDRPM)
			}
			r, err := repomd.Open(newDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := r.Record("prestodelta"); ok != tt.wantDRPM {
				t.Errorf("prestodelta record: %v, want %v", ok, tt.wantDRPM)
			}
		})
	}
}
