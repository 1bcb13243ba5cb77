package main

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// A bootable compose (the demo with buildinstall_method = "lorax", the fake
// lorax on PATH, DVDs on): the tree's .treeinfo carries lorax's boot images
// as Pungi's write_tree_info merges them — platforms, [images-x86_64],
// [stage2] mainimage, and [checksums] for each image that match the files
// in the tree — and the DVD's copy keeps them, without boot.iso, with
// [media], re-dumped by the same productmd writer.
func TestDemoComposeBootableTreeinfo(t *testing.T) {
	toolcheck.Need(t, "xorriso", "xorrisofs", "isoinfo", "checkisomd5", "genisoimage", "implantisomd5")
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	t.Setenv("FAKE_LORAX_LOG", filepath.Join(t.TempDir(), "lorax.log"))
	target := t.TempDir()
	cfg := demoConfig(t, "buildinstall_method = \"lorax\"\ncreateiso_skip = []", nil)
	if code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link"); code != 0 {
		t.Fatalf("compose exit %d:\n%s", code, out)
	}
	dir := onlyCompose(t, target)
	read := func(path string) *productmd.TreeInfo {
		t.Helper()
		ti, err := productmd.ReadTreeInfoFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return ti
	}
	// lorax's x86_64 tree: the x86_64 images and the Xen platform booting
	// the same kernel and initrd.
	wantImages := map[string]map[string]string{
		"x86_64": {"boot.iso": "images/boot.iso", "efiboot.img": "images/efiboot.img",
			"initrd": "images/pxeboot/initrd.img", "kernel": "images/pxeboot/vmlinuz"},
		"xen": {"initrd": "images/pxeboot/initrd.img", "kernel": "images/pxeboot/vmlinuz"},
	}
	// checksumsMatch checks that every [checksums] entry of ti matches
	// the file under root, and that each of want has an entry.
	checksumsMatch := func(where, root string, ti *productmd.TreeInfo, want []string) {
		t.Helper()
		for _, p := range want {
			if _, ok := ti.Checksums[p]; !ok {
				t.Errorf("%s: no checksum for %s", where, p)
			}
		}
		for p, sum := range ti.Checksums {
			data, err := os.ReadFile(filepath.Join(root, p))
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			h := sha256.Sum256(data)
			if sum != "sha256:"+hex.EncodeToString(h[:]) {
				t.Errorf("%s: checksum of %s is %s, the file's is %x", where, p, sum, h)
			}
		}
	}
	for _, variant := range []string{"Server", "Workstation"} {
		tree := filepath.Join(dir, "compose", variant, "x86_64", "os")
		raw, _ := os.ReadFile(filepath.Join(tree, ".treeinfo"))
		ti := read(filepath.Join(tree, ".treeinfo"))
		if !reflect.DeepEqual(ti.Images, wantImages) {
			t.Errorf("%s: images %v, want %v\n%s", variant, ti.Images, wantImages, raw)
		}
		if ti.MainImage != "images/install.img" {
			t.Errorf("%s: [stage2] mainimage = %q\n%s", variant, ti.MainImage, raw)
		}
		// productmd writes the platforms sorted, in [tree] and [general].
		if strings.Count(string(raw), "\nplatforms = x86_64,xen\n") != 2 || !strings.HasPrefix(string(raw), "[addon-") && variant == "Server" {
			t.Errorf("%s: platforms or section order wrong:\n%s", variant, raw)
		}
		// Every image and the repodata have a checksum that matches the file.
		want := []string{"repodata/repomd.xml", "images/install.img"}
		for _, p := range wantImages["x86_64"] {
			want = append(want, p)
		}
		checksumsMatch(variant, tree, ti, want)
		// The DVD's .treeinfo: the same images but boot.iso, and [media];
		// its checksums match the files on the DVD.
		iso := filepath.Join(dir, "compose", variant, "x86_64", "iso", filepath.Base(dir)+"-"+variant+"-x86_64-dvd1.iso")
		onDVD := filepath.Join(t.TempDir(), "dvd")
		if out, err := exec.Command("xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/", onDVD).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", iso, err, out)
		}
		ext := filepath.Join(onDVD, ".treeinfo")
		onISO, _ := os.ReadFile(ext)
		di := read(ext)
		wantDVD := map[string]map[string]string{"x86_64": maps.Clone(wantImages["x86_64"]), "xen": wantImages["xen"]}
		delete(wantDVD["x86_64"], "boot.iso")
		if !reflect.DeepEqual(di.Images, wantDVD) || di.MainImage != ti.MainImage {
			t.Errorf("%s DVD: images %v, stage2 %q", variant, di.Images, di.MainImage)
		}
		if _, ok := di.Checksums["images/boot.iso"]; ok || len(di.Checksums) != len(ti.Checksums)-1 {
			t.Errorf("%s DVD: checksums %v, want the tree's %v without boot.iso", variant, di.Checksums, ti.Checksums)
		}
		checksumsMatch(variant+" DVD", onDVD, di, nil)
		if di.DiscNum != 1 || di.Discs != 1 || !strings.Contains(string(onISO), "; WARNING.0 = This section provides compatibility with pre-productmd treeinfos.\n") ||
			!strings.Contains(string(onISO), "\n[media]\ndiscnum = 1\ntotaldiscs = 1\n\n[release]\n") {
			t.Errorf("%s DVD .treeinfo not as productmd dumps it:\n%s", variant, onISO)
		}
	}
	// Trees buildinstall does not make (the optional variant, sources) get
	// no boot entries.
	for _, p := range []string{"compose/Server-optional/x86_64/os/.treeinfo", "compose/Server/source/tree/.treeinfo"} {
		if ti := read(filepath.Join(dir, p)); ti.Images != nil || ti.MainImage != "" {
			t.Errorf("%s: boot entries %v %q", p, ti.Images, ti.MainImage)
		}
	}
}

// TestDummyProductBootable composes Pungi's test product with
// buildinstall_method = "lorax" (the fake lorax): every variant.arch lorax
// ran for gets its boot entries under the tree's arch, whatever buildarch
// Pungi passes (athlon for i386), with the images of that arch (s390x:
// cdboot.img, kernel.img), checksums matching the files, and a DVD that
// boots the way Pungi's createiso makes it for that arch; the layered
// product and the optional trees get none.
func TestDummyProductBootable(t *testing.T) {
	toolcheck.Need(t, "xorriso", "xorrisofs", "genisoimage", "implantisomd5", "isohybrid")
	conf := dummyProductData(t)
	orig, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	lorax := filepath.Join(filepath.Dir(conf), "dummy-lorax.conf")
	if err := os.WriteFile(lorax, append(orig, "\nbuildinstall_method = \"lorax\"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	t.Setenv("FAKE_LORAX_LOG", filepath.Join(t.TempDir(), "lorax.log"))
	target := t.TempDir()
	if code, out := runPungo(t, t.TempDir(), "--target-dir="+target, "--config="+lorax, "--test", "--quiet", "--no-latest-link"); code != 0 {
		t.Fatalf("compose exit %d:\n%s", code, out)
	}
	dir := onlyCompose(t, target)
	id := filepath.Base(dir)
	kernel := map[string]string{"i386": "images/pxeboot/vmlinuz", "x86_64": "images/pxeboot/vmlinuz", "s390x": "images/kernel.img"}
	boots := map[string][]string{"i386": {"/isolinux/isolinux.bin"}, "x86_64": {"/isolinux/isolinux.bin", "/images/efiboot.img"}, "s390x": {"/images/cdboot.img"}}
	for _, va := range []struct{ uid, arch string }{
		{"Client", "i386"}, {"Client", "x86_64"}, {"Everything", "i386"}, {"Server", "s390x"}, {"Server", "x86_64"}, {"Foo-Tools", "x86_64"},
	} {
		tree := filepath.Join(dir, "compose", va.uid, va.arch, "os")
		ti, err := productmd.ReadTreeInfoFile(filepath.Join(tree, ".treeinfo"))
		if err != nil {
			t.Fatalf("%s.%s: %v", va.uid, va.arch, err)
		}
		wantPlatforms := 1
		if va.arch == "x86_64" {
			wantPlatforms = 2 // x86_64 and xen, as lorax writes them
		}
		if len(ti.Images) != wantPlatforms || len(ti.Platforms) != wantPlatforms || ti.Images[va.arch]["kernel"] != kernel[va.arch] || ti.MainImage != "images/install.img" {
			t.Errorf("%s.%s: images %v, stage2 %q; want [images-%s] with kernel %s", va.uid, va.arch, ti.Images, ti.MainImage, va.arch, kernel[va.arch])
		}
		for _, p := range append([]string{ti.MainImage}, slices.Collect(maps.Values(ti.Images[va.arch]))...) {
			data, err := os.ReadFile(filepath.Join(tree, p))
			h := sha256.Sum256(data)
			if err != nil || ti.Checksums[p] != "sha256:"+hex.EncodeToString(h[:]) {
				t.Errorf("%s.%s: %s: checksum %q, file %x (%v)", va.uid, va.arch, p, ti.Checksums[p], h, err)
			}
		}
		iso := filepath.Join(dir, "compose", va.uid, va.arch, "iso", id+"-"+va.uid+"-"+va.arch+"-dvd1.iso")
		out, err := exec.Command("xorriso", "-indev", iso, "-report_el_torito", "plain").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", iso, err, out)
		}
		for _, img := range boots[va.arch] {
			if !strings.Contains(string(out), "El Torito img path :   ") || !strings.Contains(string(out), " "+img+"\n") {
				t.Errorf("%s.%s DVD does not boot from %s:\n%s", va.uid, va.arch, img, out)
			}
		}
	}
	for _, p := range []string{"Server-Gluster/x86_64/os", "Server-optional/s390x/os", "Client-optional/i386/os"} {
		ti, err := productmd.ReadTreeInfoFile(filepath.Join(dir, "compose", p, ".treeinfo"))
		if err != nil {
			t.Fatal(err)
		}
		if ti.Images != nil || ti.MainImage != "" {
			t.Errorf("%s: boot entries %v %q", p, ti.Images, ti.MainImage)
		}
	}
}
