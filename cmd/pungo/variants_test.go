package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

func variantsTestdata(name string) string {
	return filepath.Join(toolcheck.ProjectRoot(), "testdata", "variants", name)
}

func TestVariantsCLI(t *testing.T) {
	golden, err := os.ReadFile(variantsTestdata("full.json"))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, runVariants, variantsTestdata("full.xml"))
	if code != 0 || stdout != string(golden) {
		t.Fatalf("exit %d, stderr %q, stdout differs from full.json:\n%s", code, stderr, stdout)
	}
	code, stdout, stderr = runCLI(t, runVariants, variantsTestdata("full.xml"), "--arch", "s390x", "--variant", "Server", "--variant", "Server-optional", "-v")
	if code != 0 || !strings.Contains(stdout, `"uid": "Server-optional"`) || strings.Contains(stdout, "Everything") ||
		!strings.Contains(stderr, "Excluding variant Everything: filtered by configuration.") {
		t.Fatalf("exit %d, stderr %q, stdout\n%s", code, stderr, stdout)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte("<variants>\n<variant id='a' name='a'>\n<arches><arch>x86_64 </arch></arches></variant></variants>\n"), 0o644)
	code, _, stderr = runCLI(t, runVariants, bad)
	if code != 1 || !strings.Contains(stderr, bad+":2: element <variant> does not carry attribute type") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, runVariants, filepath.Join(t.TempDir(), "none.xml"))
	if code != 2 || !strings.Contains(stderr, "pungo variants:") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
