package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func compsTestdata(name string) string {
	return filepath.Join(toolcheck.ProjectRoot(), "testdata", "comps", name)
}

func TestCompsFilterCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.xml")
	code, stdout, stderr := runCLI(t, runComps, "filter", compsTestdata("full.xml"), "--arch=s390x",
		"--keep-empty-group", "conflicts-*", "--remove-translations", "--output", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	c, err := comps.ParseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range c.Groups {
		ids = append(ids, g.ID)
	}
	if got := strings.Join(ids, " "); got != "core workstation-product conflicts-server" {
		t.Errorf("groups %q", got)
	}
	core := c.Group("core")
	if len(core.NameByLang) != 0 || len(core.Packages) != 5 || core.Packages[1].Name != "s390utils" {
		t.Errorf("core %+v", core)
	}
	if c.Environment("arm-environment") != nil || c.Environment("server-environment") == nil {
		t.Errorf("environments %+v", c.Environments)
	}

	// To stdout, with a variant.
	code, stdout, _ = runCLI(t, runComps, "filter", "--arch", "x86_64", "--variant", "Server", compsTestdata("full.xml"))
	if code != 0 || !strings.Contains(stdout, "<packagereq type=\"default\">server-only</packagereq>") || strings.Contains(stdout, "<id>workstation-product</id>") {
		t.Errorf("exit %d, stdout\n%s", code, stdout)
	}
}

func TestCompsCLIErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<comps>\n<group>\n<id>a</id>\n</comps>\n"), 0o644)
	undefined := filepath.Join(dir, "undefined.xml")
	os.WriteFile(undefined, []byte("<comps>\n<group><id>a</id><packagelist><packagereq type='mandatory'>x</packagereq></packagelist></group>\n"+
		"<category><id>c</id><grouplist>\n<groupid>a</groupid>\n<groupid>ghost</groupid></grouplist></category>\n</comps>\n"), 0o644)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no arch", []string{"filter", compsTestdata("full.xml")}, 2, "", "pungo comps filter: --arch is required"},
		{"two files", []string{"filter", "--arch", "x86_64", "a", "b"}, 2, "", "exactly one comps file"},
		{"missing file", []string{"filter", "--arch", "x86_64", filepath.Join(dir, "nope.xml")}, 2, "", "no such file"},
		{"malformed", []string{"filter", "--arch", "x86_64", bad}, 2, "", bad + ":4: malformed XML"},
		{"unknown subcommand", []string{"frobnicate"}, 2, "", "unknown subcommand"},
		{"filter warns about undefined groups", []string{"filter", "--arch", "x86_64", undefined}, 0, "<groupid>a</groupid>",
			"pungo comps filter: warning: " + undefined + ":5: category c names group ghost, which no group defines; removed"},
		{"validate valid", []string{"validate", compsTestdata("full.xml")}, 0, "", ""},
		{"validate undefined", []string{"validate", undefined}, 1, "error: " + undefined + ":5: category c names group ghost, which no group defines", ""},
		{"validate malformed", []string{"validate", bad}, 1, "error: " + bad + ":4: malformed XML", ""},
		{"validate missing", []string{"validate", filepath.Join(dir, "nope.xml")}, 2, "", "no such file"},
		{"validate directory", []string{"validate", dir}, 2, "", "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, runComps, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tc.code, stdout, tc.stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestCompsVariantCLI(t *testing.T) {
	dir := t.TempDir()
	vfile := filepath.Join(dir, "variants.xml")
	os.WriteFile(vfile, []byte(`<variants>
  <variant id="Server" name="Server" type="variant">
    <arches><arch>x86_64</arch><arch>s390x</arch></arches>
    <groups><group uservisible="true">core</group><group>missing</group></groups>
    <environments><environment display_order="7">server-environment</environment></environments>
  </variant>
</variants>`), 0o644)
	out := filepath.Join(dir, "Server.x86_64.xml")
	code, _, stderr := runCLI(t, runComps, "variant", "--variants-file", vfile, "--variant", "Server", "--arch", "x86_64",
		"--output", out, compsTestdata("full.xml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Variant Server.x86_64 requires comps group missing which does not match anything in input comps file") {
		t.Errorf("stderr %q", stderr)
	}
	c, err := comps.ParseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Groups) != 1 || c.Groups[0].ID != "core" || !c.Groups[0].UserVisible {
		t.Errorf("groups %+v", c.Groups)
	}
	if len(c.Environments) != 1 || *c.Environments[0].DisplayOrder != 7 {
		t.Errorf("environments %+v", c.Environments)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"variant", "--variants-file", vfile, "--variant", "Nope", "--arch", "x86_64", compsTestdata("full.xml")}, "defines no variant Nope"},
		{[]string{"variant", "--variants-file", vfile, "--variant", "Server", "--arch", "ppc64le", compsTestdata("full.xml")}, "not built for ppc64le"},
		{[]string{"variant", "--variant", "Server", "--arch", "x86_64", compsTestdata("full.xml")}, "are required"},
	} {
		if code, _, stderr := runCLI(t, runComps, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
}
