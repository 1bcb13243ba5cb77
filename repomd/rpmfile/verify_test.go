package rpmfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestVerifyDigests: an rpm passes exactly when `rpm -K --nosignature`
// (the oracle) accepts it: intact, a flipped byte in the header or the
// payload, cut short.
func TestVerifyDigests(t *testing.T) {
	rpmTool := toolcheck.Need(t, "rpm")[0]
	src := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms", "demo-shell-5.2-1.x86_64.rpm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseHeaders(data)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(at int64) []byte {
		b := bytes.Clone(data)
		b[at] ^= 0x40
		return b
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		data []byte
		want string // "" = passes
	}{
		{"intact", data, ""},
		{"header byte", flip(p.hdrEnd - 3), "rpm header SHA-256 digest mismatch"},
		{"payload byte", flip(p.hdrEnd + 10), "rpm payload digest mismatch"},
		{"cut short", data[:len(data)-50], "rpm payload digest mismatch"},
		{"headers only", data[:p.hdrEnd], "rpm payload digest mismatch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyDigests(bytes.NewReader(tt.data))
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("%v, want %q", err, tt.want)
			}
			f := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".rpm")
			os.WriteFile(f, tt.data, 0o644)
			out, rerr := exec.Command(rpmTool, "-K", "--nosignature", f).CombinedOutput()
			if (rerr == nil) != (err == nil) {
				t.Errorf("rpm -K --nosignature disagrees: %v\n%s", rerr, out)
			}
		})
	}
}
