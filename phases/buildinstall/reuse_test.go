package buildinstall

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// writeRepo writes a package set repository holding the given
// name/version pairs (noarch, release 1).
func writeRepo(t *testing.T, dir string, pkgs ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">
`, len(pkgs)/2)
	for i := 0; i < len(pkgs); i += 2 {
		n, v := pkgs[i], pkgs[i+1]
		fmt.Fprintf(&b, `<package type="rpm"><name>%s</name><arch>noarch</arch><version epoch="0" ver="%s" rel="1"/>
<checksum type="sha256" pkgid="YES">%064d</checksum><summary>s</summary><description>d</description><packager/><url/>
<time file="1" build="1"/><size package="1" installed="1" archive="1"/><location href="Packages/%s-%s-1.noarch.rpm"/>
<format><rpm:license>MIT</rpm:license><rpm:vendor/><rpm:group>g</rpm:group><rpm:buildhost>h</rpm:buildhost>
<rpm:sourcerpm>%s-%s-1.src.rpm</rpm:sourcerpm><rpm:header-range start="1" end="2"/></format></package>
`, n, v, i, n, v, n, v)
	}
	b.WriteString("</metadata>\n")
	primary := []byte(b.String())
	sum := sha256.Sum256(primary)
	h := hex.EncodeToString(sum[:])
	rd := filepath.Join(dir, "repodata")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(rd, "primary.xml"), primary, 0o644)
	repomd := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>
<data type="primary"><checksum type="sha256">%s</checksum><open-checksum type="sha256">%s</open-checksum>
<location href="repodata/primary.xml"/><timestamp>1</timestamp><size>%d</size><open-size>%d</open-size></data></repomd>
`, h, h, len(primary), len(primary))
	if err := os.WriteFile(filepath.Join(rd, "repomd.xml"), []byte(repomd), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReuseOldBuildinstall(t *testing.T) {
	toolcheck.Need(t, "xorrisofs", "isoinfo", "checkisomd5", "rpm")
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	calls := filepath.Join(t.TempDir(), "lorax.log")
	t.Setenv("FAKE_LORAX_LOG", calls)
	parent := t.TempDir()
	base := func() map[string]any {
		conf := imgtest.BaseConf()
		conf["buildinstall_method"] = "lorax"
		conf["buildinstall_allow_reuse"] = true
		conf["disc_types"] = map[string]any{"boot": "netinst"}
		return conf
	}
	mk := func(respin int, conf map[string]any, logosVersion string) *compose.Compose {
		dir, _, err := compose.CreateDir(parent, config.NewWithDefaults(conf), compose.Options{Type: "test", Date: "20240102", Respin: respin})
		if err != nil {
			t.Fatal(err)
		}
		c, err := compose.New(config.NewWithDefaults(conf), dir, compose.Options{OldComposes: []string{parent}}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Log.Close() })
		c.Variants = imgtest.NewCompose(t, nil, "").Variants
		c.Variant("Server").BuildInstallPackages = []string{"fedora-logos"}
		writeRepo(t, c.Paths.Work.PkgsetRepo("x86_64", "repos"), "fedora-logos", logosVersion, "bash", "5")
		return c
	}
	runs := func() int {
		b, _ := os.ReadFile(calls)
		return strings.Count(string(b), "\n")
	}
	var last *Phase
	run := func(c *compose.Compose) string {
		last = New()
		if err := last.Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		c.WriteStatus(compose.StatusFinished)
		b, _ := os.ReadFile(c.Paths.Log.LogFile("", "pungi"))
		return string(b)
	}

	first := mk(0, base(), "30")
	if log := run(first); !strings.Contains(log, "no old BUILDINSTALL metadata") {
		t.Errorf("first compose: no reason logged for not reusing:\n%s", log)
	}
	meta, err := os.ReadFile(filepath.Join(first.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "buildinstall.metadata"))
	if err != nil || !strings.Contains(string(meta), `"fedora-logos-30-1.noarch"`) || strings.Contains(string(meta), "bash-") {
		t.Fatalf("metadata %s: %v", meta, err)
	}
	if runs() != 1 {
		t.Fatalf("lorax ran %d times", runs())
	}

	tests := []struct {
		name   string
		conf   func(map[string]any)
		logos  string
		reused bool
		reason string
	}{
		{"same input", nil, "30", true, "Reusing old BUILDINSTALL phase output of Server.x86_64"},
		{"reuse disabled", func(m map[string]any) { m["buildinstall_allow_reuse"] = false }, "30", false, "reuse of old buildinstall results is disabled"},
		{"installed package updated", nil, "31", false, "RPM fedora-logos-30-1.noarch does not exist in new compose"},
		{"other lorax option", func(m map[string]any) {
			m["lorax_options"] = []any{[]any{"^Server$", map[string]any{"*": map[string]any{"bugurl": "https://b"}}}}
		}, "31", false, "lorax command line arguments differ"},
	}
	// Each case's compose is the next one's old compose.
	respin := 1
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf := base()
			if tc.conf != nil {
				tc.conf(conf)
			}
			before := runs()
			c := mk(respin, conf, tc.logos)
			respin++
			log := run(c)
			if !strings.Contains(log, tc.reason) {
				t.Errorf("log lacks %q:\n%s", tc.reason, log)
			}
			if ran := runs() > before; ran == tc.reused {
				t.Errorf("lorax ran: %v, want reuse %v", ran, tc.reused)
			}
			if got := last.Result.Reused("Server", "x86_64"); got != tc.reused {
				t.Errorf("result says buildinstall reused: %v", got)
			}
			// Either way the tree and netinst ISO are there.
			tree := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os")
			if _, err := os.Stat(filepath.Join(tree, "images", "efiboot.img")); err != nil {
				t.Error(err)
			}
			if cfg, _ := os.ReadFile(filepath.Join(tree, "isolinux", "isolinux.cfg")); !strings.Contains(string(cfg), `LABEL=DEMO-1.0\x20Server.x86_64`) {
				t.Errorf("isolinux.cfg not tweaked:\n%s", cfg)
			}
			if _, err := os.Stat(filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-netinst.iso")); err != nil {
				t.Error(err)
			}
			if _, err := os.Stat(filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "buildinstall.metadata")); err != nil {
				t.Error("no metadata for the next compose:", err)
			}
		})
	}
}
