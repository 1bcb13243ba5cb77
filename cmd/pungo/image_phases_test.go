package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// imageDemo copies testdata/demo and adds a config that makes the demo
// bootable (buildinstall with the fake lorax) with sha256 checksums.
func imageDemo(t *testing.T, extra string) (conf, target string) {
	toolcheck.Need(t, "xorrisofs", "genisoimage", "isohybrid", "implantisomd5", "checkisomd5", "isoinfo")
	src := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("cp", "-r", src, dir).CombinedOutput(); err != nil {
		t.Fatalf("copy demo: %v %s", err, out)
	}
	conf = filepath.Join(dir, "images.conf")
	// createiso_skip = []: the plain demo may skip DVDs (hosts without ISO
	// tools); this one is about them.
	body := "from demo import *\nbuildinstall_method = \"lorax\"\ndisc_types = {\"boot\": \"netinst\"}\nmedia_checksums = [\"sha256\"]\ncreateiso_skip = []\n" + extra
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf, t.TempDir()
}

func composeDir(t *testing.T, target string) string {
	m, _ := filepath.Glob(filepath.Join(target, "Demo-1.0-*"))
	if len(m) != 1 {
		t.Fatalf("compose directories %v", m)
	}
	return m[0]
}

func TestDemoComposeWithImages(t *testing.T) {
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	conf, target := imageDemo(t, "")
	if rc := runCompose([]string{"--config", conf, "--target-dir", target, "--nightly", "--quiet", "--no-latest-link"}); rc != 0 {
		t.Fatalf("compose exit %d", rc)
	}
	dir := composeDir(t, target)
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); strings.TrimSpace(string(st)) != "FINISHED" {
		t.Fatalf("STATUS %s", st)
	}
	id := filepath.Base(dir)
	iso := filepath.Join(dir, "compose", "Server", "x86_64", "iso")
	for _, f := range []string{id + "-Server-x86_64-dvd1.iso", id + "-Server-x86_64-netinst.iso", "SHA256SUM"} {
		if _, err := os.Stat(filepath.Join(iso, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if out, err := exec.Command("checkisomd5", filepath.Join(iso, id+"-Server-x86_64-dvd1.iso")).CombinedOutput(); err != nil {
		t.Errorf("checkisomd5 DVD: %v %s", err, out)
	}
	rep, _ := exec.Command("xorriso", "-indev", filepath.Join(iso, id+"-Server-x86_64-dvd1.iso"), "-report_el_torito", "plain").CombinedOutput()
	if !strings.Contains(string(rep), "/isolinux/isolinux.bin") {
		t.Errorf("DVD is not bootable:\n%s", rep)
	}
	var doc struct {
		Payload struct {
			Images map[string]map[string][]map[string]any `json:"images"`
		} `json:"payload"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "compose", "metadata", "images.json"))
	if err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("images.json: %v", err)
	}
	types := map[string]bool{}
	for _, im := range doc.Payload.Images["Server"]["x86_64"] {
		types[im["type"].(string)+"/"+im["arch"].(string)] = true
		if cs, _ := im["checksums"].(map[string]any); cs["sha256"] == nil || im["implant_md5"] == nil {
			t.Errorf("image without checksum or implanted MD5: %v", im)
		}
	}
	for _, want := range []string{"dvd/x86_64", "boot/x86_64", "dvd/src"} {
		if !types[want] {
			t.Errorf("images.json lacks %s: %v", want, types)
		}
	}
}

func TestDemoComposeFailableBuildinstall(t *testing.T) {
	bin := imgtest.FakeBin(t, "lorax")
	wrap := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in *--variant=Workstation*) echo 'Dependency check failed: nothing provides anaconda' >&2; exit 1;; esac\nexec " + filepath.Join(bin, "lorax") + " \"$@\"\n"
	os.WriteFile(filepath.Join(wrap, "lorax"), []byte(script), 0o755)
	imgtest.WithPath(t, wrap)
	conf, target := imageDemo(t, "failable_deliverables = [(\"^Workstation$\", {\"*\": [\"buildinstall\"]})]\n")
	if rc := runCompose([]string{"--config", conf, "--target-dir", target, "--nightly", "--quiet", "--no-latest-link"}); rc != 0 {
		t.Fatalf("compose exit %d", rc)
	}
	dir := composeDir(t, target)
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); strings.TrimSpace(string(st)) != "FINISHED_INCOMPLETE" {
		t.Fatalf("STATUS %s", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "compose", "Workstation", "x86_64", "iso", filepath.Base(dir)+"-Workstation-x86_64-dvd1.iso")); err == nil {
		t.Error("bootable DVD made although buildinstall failed")
	}
	if _, err := os.Stat(filepath.Join(dir, "compose", "Server", "x86_64", "iso", filepath.Base(dir)+"-Server-x86_64-dvd1.iso")); err != nil {
		t.Error("Server DVD missing")
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "global", "pungi.global.log"))
	if !strings.Contains(string(log), "Dependency check failed: nothing provides anaconda") {
		t.Error("lorax failure not logged")
	}
}
