package createiso

import (
	"context"
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// testRPMs builds six 700 kB packages (uncompressed random payload) and
// their source packages, once per machine (rpmtest.Build).
func testRPMs(t *testing.T) []string {
	var specs []rpmtest.Spec
	for _, n := range []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"} {
		specs = append(specs, rpmtest.Spec{Name: n + ".spec", Text: fmt.Sprintf(`Name: %s
Version: 1
Release: 1
Summary: payload %s
License: MIT
BuildArch: noarch
%%define _binary_payload w0.ufdio
%%define _source_payload w0.ufdio
%%description
payload
%%install
mkdir -p %%{buildroot}/usr/share/%s
head -c 700000 /dev/urandom > %%{buildroot}/usr/share/%s/blob
%%files
/usr/share/%s
`, n, n, n, n, n)})
	}
	return rpmtest.Build(t, "pungo-createiso-rpms", specs...)
}

// makeTree fills compose/Server/<arch>/os (or source/tree) with packages,
// repodata, .treeinfo and .discinfo; boot adds the boot files buildinstall
// leaves (isolinux.bin from syslinux, an EFI image, a boot.iso).
func makeTree(t *testing.T, c *compose.Compose, arch string, boot bool) string {
	v := c.Variant("Server")
	tree := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	pkgDir := filepath.Join(tree, "Packages")
	for _, f := range testRPMs(t) {
		isSrc := strings.HasSuffix(f, ".src.rpm")
		if isSrc != (arch == "src") {
			continue
		}
		base := filepath.Base(f)
		dst := filepath.Join(pkgDir, base[:1], base)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Link(f, dst); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("createrepo_c", "--quiet", tree).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v %s", err, out)
	}
	ti := &productmd.TreeInfo{Release: productmd.Release{Name: "Demo", Short: "Demo", Version: "1.0"}, Arch: arch, Timestamp: 1700000000,
		Variants:  []*productmd.TreeVariant{{ID: "Server", UID: "Server", Name: "Server", Type: "variant", Paths: map[string]string{"packages": "Packages", "repository": "."}}},
		Checksums: map[string]string{"repodata/repomd.xml": "sha256:00"}}
	if boot {
		ti.Checksums["images/boot.iso"] = "sha256:11"
		ti.Images = map[string]map[string]string{arch: {"boot.iso": "images/boot.iso", "efiboot.img": "images/efiboot.img"}}
		os.MkdirAll(filepath.Join(tree, "isolinux"), 0o755)
		os.MkdirAll(filepath.Join(tree, "images"), 0o755)
		data, err := os.ReadFile("/usr/lib/ISOLINUX/isolinux.bin")
		if err != nil {
			t.Skip("syslinux isolinux.bin missing")
		}
		os.WriteFile(filepath.Join(tree, "isolinux", "isolinux.bin"), data, 0o644)
		os.WriteFile(filepath.Join(tree, "isolinux", "isolinux.cfg"), []byte("default linux\n"), 0o644)
		os.WriteFile(filepath.Join(tree, "images", "efiboot.img"), make([]byte, 1440*1024), 0o644)
		os.WriteFile(filepath.Join(tree, "images", "boot.iso"), []byte("not on the DVD"), 0o644)
	}
	if err := atomicfile.WriteWith(filepath.Join(tree, ".treeinfo"), 0o644, ti.Write); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tree, ".discinfo"), []byte("1700000000.0\nDemo 1.0\n"+arch+"\nALL\n"), 0o644)
	os.WriteFile(filepath.Join(tree, "media.repo"), []byte("[InstallMedia]\nname=Demo\n"), 0o644)
	return tree
}

func needISOTools(t *testing.T) {
	toolcheck.Need(t, "genisoimage", "xorriso", "implantisomd5", "checkisomd5", "isohybrid", "isoinfo", "createrepo_c")
}

func run(t *testing.T, name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestBootableDVD(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{"buildinstall_method": "lorax"}, "")
	tree := makeTree(t, c, "x86_64", true)
	before, _ := os.ReadFile(filepath.Join(tree, "isolinux", "isolinux.bin"))
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	iso := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-dvd1.iso")
	st, err := os.Stat(iso)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 2<<20 {
		t.Fatalf("ISO only %d bytes; checkisomd5 needs more than 2 MB", st.Size())
	}
	run(t, "checkisomd5", iso)
	report := run(t, "xorriso", "-indev", iso, "-report_el_torito", "plain")
	for _, want := range []string{"El Torito cat path : /isolinux/boot.cat", "/isolinux/isolinux.bin", "/images/efiboot.img", "UEFI"} {
		if !strings.Contains(report, want) {
			t.Errorf("El Torito report lacks %q:\n%s", want, report)
		}
	}
	after, _ := os.ReadFile(filepath.Join(tree, "isolinux", "isolinux.bin"))
	if !reflect.DeepEqual(before, after) {
		t.Error("mkisofs patched the compose tree's isolinux.bin instead of a copy")
	}
	manifest, err := os.ReadFile(iso + ".manifest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), "/Packages/a/alpha-1-1.noarch.rpm\n") || strings.Contains(string(manifest), "TRANS.TBL") || strings.Contains(string(manifest), "boot.iso") {
		t.Errorf("manifest:\n%s", manifest)
	}
	entries := images.Of(c).All()
	if len(entries) != 1 {
		t.Fatalf("manifest entries %+v", entries)
	}
	im := entries[0].Image
	if im.VolumeID != "DEMO-1.0 Server.x86_64" || !im.Bootable || len(im.ImplantMD5) != 32 || im.DiscCount != 1 || im.Type != "dvd" || im.Format != "iso" || im.Size != st.Size() {
		t.Errorf("image %+v", im)
	}
	if err := images.CheckSanity(iso, im); err != nil {
		t.Errorf("test-phase check: %v", err)
	}
	// The ISO's .treeinfo has a media section and no boot.iso.
	tiPath := filepath.Join(t.TempDir(), "ti")
	run(t, "xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/.treeinfo", tiPath)
	ti, _ := os.ReadFile(tiPath)
	if !strings.Contains(string(ti), "[media]\ndiscnum = 1\ntotaldiscs = 1\n") || strings.Contains(string(ti), "boot.iso") {
		t.Errorf("ISO .treeinfo:\n%s", ti)
	}
}

// The medium's .treeinfo is the tree's re-dumped as productmd does:
// sorted sections (so [media] sits between [images-*] and [release]), the
// [general] compatibility section with its "; WARNING" lines, no boot.iso.
func TestMediaTreeinfo(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte(`[checksums]
images/boot.iso = sha256:1
images/pxeboot/vmlinuz = sha256:3
repodata/repomd.xml = sha256:2

[general]
; WARNING.0 = This section provides compatibility with pre-productmd treeinfos.
; WARNING.1 = Read productmd documentation for details about new format.
arch = x86_64
family = Demo
name = Demo 1.0
packagedir = Packages
platforms = x86_64
repository = .
timestamp = 1700000000
variant = Server
variants = Server
version = 1.0

[header]
type = productmd.treeinfo
version = 1.2

[images-x86_64]
boot.iso = images/boot.iso
kernel = images/pxeboot/vmlinuz

[release]
name = Demo
short = Demo
version = 1.0

[tree]
arch = x86_64
build_timestamp = 1700000000
platforms = x86_64
variants = Server

[variant-Server]
id = Server
name = Server
packages = Packages
repository = .
type = variant
uid = Server

`), 0o644)
	dst := filepath.Join(dir, "dst")
	if err := TweakTreeinfo(src, dst, 2, 3, "sha256:ff"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dst)
	want := `[checksums]
images/pxeboot/vmlinuz = sha256:3
repodata/repomd.xml = sha256:ff

[general]
; WARNING.0 = This section provides compatibility with pre-productmd treeinfos.
; WARNING.1 = Read productmd documentation for details about new format.
arch = x86_64
family = Demo
name = Demo 1.0
packagedir = Packages
platforms = x86_64
repository = .
timestamp = 1700000000
variant = Server
variants = Server
version = 1.0

[header]
type = productmd.treeinfo
version = 1.2

[images-x86_64]
kernel = images/pxeboot/vmlinuz

[media]
discnum = 2
totaldiscs = 3

[release]
name = Demo
short = Demo
version = 1.0

[tree]
arch = x86_64
build_timestamp = 1700000000
platforms = x86_64
variants = Server

[variant-Server]
id = Server
name = Server
packages = Packages
repository = .
type = variant
uid = Server

`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func listISO(t *testing.T, iso string) []string {
	out := run(t, "isoinfo", "-R", "-f", "-i", iso)
	var pk []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, ".rpm") {
			pk = append(pk, filepath.Base(l))
		}
	}
	return pk
}

func TestSplitDiscs(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{"iso_size": "2500k", "split_iso_reserve": "100k"}, "")
	tree := makeTree(t, c, "x86_64", false)
	discs, err := SplitTree(c, "x86_64", c.Variant("Server"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(discs) < 2 {
		t.Fatalf("expected a split, got %d disc(s)", len(discs))
	}
	for _, d := range discs {
		if d.Size > 2400*1024 {
			t.Errorf("disc of %d bytes exceeds the media", d.Size)
		}
		sticky := 0
		for _, f := range d.Files {
			if filepath.Base(f) == "media.repo" {
				sticky++
			}
		}
		if sticky != 1 {
			t.Errorf("media.repo not on every disc: %v", d.Files)
		}
	}
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var all []string
	for n := 1; n <= len(discs); n++ {
		iso := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", fmt.Sprintf("%s-Server-x86_64-dvd%d.iso", c.ID(), n))
		pk := listISO(t, iso)
		if len(pk) == 0 {
			t.Errorf("disc %d has no packages", n)
		}
		all = append(all, pk...)
		// Each disc's repodata lists exactly its own packages.
		ex := t.TempDir()
		run(t, "xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/repodata", filepath.Join(ex, "repodata"))
		toolcheck.Need(t, "dnf")
		out, err := exec.Command("dnf", "-q", "--releasever", "1", "--setopt=reposdir=/dev/null", "--setopt=cachedir="+filepath.Join(ex, "cache"),
			"--repofrompath", "d,file://"+ex, "--repo", "d", "repoquery", "--qf", "%{name}-%{version}-%{release}.%{arch}.rpm").Output()
		if err != nil {
			t.Fatalf("dnf repoquery: %v", err)
		}
		got := strings.Fields(string(out))
		sort.Strings(got)
		sort.Strings(pk)
		if !reflect.DeepEqual(got, pk) {
			t.Errorf("disc %d repodata %v, packages %v", n, got, pk)
		}
	}
	sort.Strings(all)
	var want []string
	filepath.Walk(filepath.Join(tree, "Packages"), func(p string, i os.FileInfo, err error) error {
		if err == nil && !i.IsDir() {
			want = append(want, filepath.Base(p))
		}
		return nil
	})
	sort.Strings(want)
	if !reflect.DeepEqual(all, want) {
		t.Errorf("packages over all discs %v, want each of %v once", all, want)
	}
	for _, e := range images.Of(c).All() {
		if e.Image.DiscCount != len(discs) {
			t.Errorf("%s disc count %d", e.Image.Path, e.Image.DiscCount)
		}
	}
}

func TestSourceISOSymlinkAndSkip(t *testing.T) {
	needISOTools(t)
	linkTo := t.TempDir()
	c := imgtest.NewCompose(t, map[string]any{
		"symlink_isos_to": linkTo,
		"createiso_skip":  []any{[]any{"^Server$", map[string]any{"x86_64": true}}},
	}, "")
	makeTree(t, c, "src", false)
	makeTree(t, c, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	entries := images.Of(c).All()
	if len(entries) != 1 || entries[0].Arch != "x86_64" || entries[0].Image.Arch != "src" {
		t.Fatalf("entries %+v (only the source ISO, listed under x86_64)", entries)
	}
	dir := filepath.Join(c.Topdir, "compose", "Server", "source", "iso")
	target, err := os.Readlink(dir)
	if err != nil || target != filepath.Join(linkTo, c.ID(), "compose", "Server", "source", "iso") {
		t.Fatalf("iso dir link %q %v", target, err)
	}
	if _, err := os.Stat(filepath.Join(target, c.ID()+"-Server-source-dvd1.iso")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-dvd1.iso")); err == nil {
		t.Error("createiso_skip ignored")
	}
}

func TestJigdoWithFake(t *testing.T) {
	needISOTools(t)
	fakes := filepath.Join(toolcheck.ProjectRoot(), "testdata", "fakes")
	t.Setenv("PATH", fakes+":"+os.Getenv("PATH"))
	t.Setenv("FAKE_JIGDO_LOG", filepath.Join(t.TempDir(), "jigdo.log"))
	c := imgtest.NewCompose(t, map[string]any{"create_jigdo": true}, "")
	tree := makeTree(t, c, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	name := c.ID() + "-Server-x86_64-dvd1.iso"
	jdir := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "jigdo")
	for _, suf := range []string{".jigdo", ".template"} {
		if _, err := os.Stat(filepath.Join(jdir, name+suf)); err != nil {
			t.Errorf("jigdo output: %v", err)
		}
	}
	log, _ := os.ReadFile(os.Getenv("FAKE_JIGDO_LOG"))
	if !strings.Contains(string(log), "make-template --force --image="+filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", name)) || !strings.Contains(string(log), tree+"//") {
		t.Errorf("jigdo-file call: %s", log)
	}
}

func TestVolumeIDTooLong(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{"release_short": "AnExtremelyLongProductShortName"}, "")
	_, err := Plan(context.Background(), c, nil)
	if err == nil || !strings.Contains(err.Error(), "could not create a volume ID of at most 32 characters") {
		t.Fatalf("plan: %v", err)
	}
}

func TestBootableNeedsBuildinstall(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{"buildinstall_method": "lorax"}, "")
	makeTree(t, c, "x86_64", true)
	boot := &bootmedia.Result{}
	boot.Start("lorax")
	boot.Finish("Server", "ppc64le", false)
	jobs, err := Plan(context.Background(), c, boot)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Arch == "x86_64" {
			t.Fatalf("bootable ISO planned although buildinstall did not succeed: %+v", j)
		}
	}
	// A buildinstall phase that did not run counts as successful (Pungi's
	// debugging runs use whatever boot files the tree has).
	jobs, err = Plan(context.Background(), c, &bootmedia.Result{})
	if err != nil || len(jobs) == 0 || !jobs[0].Bootable {
		t.Fatalf("skipped buildinstall: bootable ISO not planned: %v %+v", err, jobs)
	}
}

func TestFailableISO(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{
		"failable_deliverables": []any{[]any{"^Server$", map[string]any{"*": []any{"iso"}}}},
		"iso_level":             int64(9), // genisoimage rejects it: the ISO fails
	}, "")
	makeTree(t, c, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatalf("failable ISO stopped the phase: %v", err)
	}
	if c.FailedDeliverables() != 1 || images.Of(c).Len() != 0 {
		t.Fatalf("failed %d, images %d", c.FailedDeliverables(), images.Of(c).Len())
	}
}

func TestBootOptionsPerArch(t *testing.T) {
	cases := map[string]string{
		"x86_64":  "-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table -eltorito-alt-boot -e images/efiboot.img -no-emul-boot",
		"i686":    "-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table",
		"aarch64": "-eltorito-alt-boot -e images/efiboot.img -no-emul-boot",
		"ppc64le": "-part -hfs -r -l -sysid PPC -no-desktop -allow-multidot -chrp-boot -map T/mapping -hfs-bless /ppc/mac",
		"s390x":   "-eltorito-boot images/cdboot.img -no-emul-boot",
	}
	for arch, want := range cases {
		got, err := BootOptions(arch, "T", true)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %v %v", arch, got, err)
		}
	}
	if got, _ := BootOptions("ppc64le", "T", false); strings.Join(got, " ") != "-r -l -sysid PPC -chrp-boot" {
		t.Errorf("ppc64le without hfs: %v", got)
	}
	if _, err := BootOptions("mips", "", true); err == nil {
		t.Error("unknown arch accepted")
	}
	cmd, _ := MkisofsCmd(MkisofsOpts{ISO: "x.iso", VolID: "V", Exclude: []string{"./lost+found"}, InputCharset: "utf-8", GraftPoints: "gp", UseXorrisofs: true})
	if strings.Join(cmd, " ") != "/usr/bin/xorrisofs -untranslated-filenames -volid V -J -joliet-long -rational-rock -input-charset utf-8 -x ./lost+found -o x.iso -graft-points -path-list gp" {
		t.Errorf("xorrisofs cmd %v", cmd)
	}
}

func TestMissingBootImage(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{"buildinstall_method": "lorax"}, "")
	tree := makeTree(t, c, "x86_64", true)
	os.Remove(filepath.Join(tree, "images", "efiboot.img"))
	_, err := Plan(context.Background(), c, nil)
	if err == nil || !strings.Contains(err.Error(), "Server.x86_64: bootable ISO needs the boot image images/efiboot.img from buildinstall") {
		t.Fatalf("plan: %v", err)
	}
}

func TestExtraISO(t *testing.T) {
	needISOTools(t)
	extra := filepath.Join(t.TempDir(), "GPL")
	os.WriteFile(extra, []byte("license\n"), 0o644)
	c := imgtest.NewCompose(t, map[string]any{"extra_isos": map[string]any{"^Server$": []any{map[string]any{
		"include_variants": []any{"Server-optional"}, "filename": "extra-{filename}", "volid": []any{"{volid} X"},
		"skip_src": true, "max_size": int64(1000), "extra_files": []any{map[string]any{"scm": "file", "file": extra, "target": "docs"}},
	}}}}, "")
	makeTree(t, c, "x86_64", false)
	optTree := filepath.Join(c.Topdir, "compose", "Server-optional", "x86_64", "os")
	os.MkdirAll(filepath.Join(optTree, "Packages", "o"), 0o755)
	os.WriteFile(filepath.Join(optTree, "Packages", "o", "opt-1-1.noarch.rpm"), []byte("rpm"), 0o644)
	os.MkdirAll(filepath.Join(optTree, "repodata"), 0o755)
	os.WriteFile(filepath.Join(optTree, "repodata", "repomd.xml"), []byte("<repomd/>"), 0o644)
	if err := (&ExtraISOs{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	iso := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", "extra-"+c.ID()+"-Server-x86_64-dvd1.iso")
	listing := run(t, "isoinfo", "-R", "-f", "-i", iso)
	for _, want := range []string{"/Server/Packages/a/alpha-1-1.noarch.rpm", "/Server/repodata/repomd.xml", "/Server-optional/Packages/o/opt-1-1.noarch.rpm",
		"/Server-optional/repodata/repomd.xml", "/docs/GPL", "/media.repo", "/.discinfo", "/.treeinfo"} {
		if !strings.Contains(listing, want+"\n") {
			t.Errorf("extra ISO lacks %s:\n%s", want, listing)
		}
	}
	if vid, _ := ReadVolumeID(iso); vid != "DEMO-1.0 Server.x86_64 X" {
		t.Errorf("volume ID %q", vid)
	}
	e := images.Of(c).All()
	if len(e) != 1 || !e[0].Image.Unified || !reflect.DeepEqual(e[0].Image.AdditionalVariants, []string{"Server-optional"}) || e[0].Image.MaxSize != 1000 {
		t.Fatalf("manifest %+v", e)
	}
	// max_size is not strict: the test phase only warns.
	if err := images.CheckImages(c); err != nil {
		t.Errorf("check: %v", err)
	}
}

func TestBreakHardlinks(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "tree", "a.rpm")
	os.MkdirAll(filepath.Dir(a), 0o755)
	os.WriteFile(a, []byte("same"), 0o644)
	os.Link(a, filepath.Join(dir, "tree", "a-link.rpm"))
	b := filepath.Join(dir, "tree", "b.rpm")
	os.WriteFile(b, []byte("other"), 0o644)
	graft := Tree{"Packages/a.rpm": a, "Packages/a2.rpm": filepath.Join(dir, "tree", "a-link.rpm"), "Packages/b.rpm": b}
	staging := filepath.Join(dir, "staging")
	if err := BreakHardlinks(graft, staging); err != nil {
		t.Fatal(err)
	}
	if graft["Packages/b.rpm"] != b {
		t.Error("a file with one link was copied")
	}
	s1, s2 := graft["Packages/a.rpm"], graft["Packages/a2.rpm"]
	if !strings.HasPrefix(s1, staging) || !strings.HasPrefix(s2, staging) {
		t.Fatalf("linked files not staged: %v", graft)
	}
	st1, _ := os.Stat(s1)
	st2, _ := os.Stat(s2)
	sa, _ := os.Stat(a)
	if !os.SameFile(st1, st2) || os.SameFile(st1, sa) {
		t.Error("staged copies should be linked to each other, not to the tree")
	}
}

func TestXorrisofsDVD(t *testing.T) {
	needISOTools(t)
	c := imgtest.NewCompose(t, map[string]any{"createiso_use_xorrisofs": true, "iso_level": int64(3)}, "")
	makeTree(t, c, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	iso := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-dvd1.iso")
	run(t, "checkisomd5", iso)
	script, _ := os.ReadFile(filepath.Join(c.Topdir, "work", "x86_64", "tmp-Server", "createiso-"+filepath.Base(iso)+".sh"))
	if !strings.Contains(string(script), "/usr/bin/xorrisofs -iso-level 3 -untranslated-filenames -volid 'DEMO-1.0 Server.x86_64' -J -joliet-long -rational-rock -input-charset utf-8 -x ./lost+found -o ") {
		t.Errorf("script:\n%s", script)
	}
	manifest, _ := os.ReadFile(iso + ".manifest")
	if !strings.Contains(string(manifest), "/Packages/a/alpha-1-1.noarch.rpm\n") || strings.Contains(string(manifest), "'") {
		t.Errorf("xorriso manifest:\n%s", manifest)
	}
}

// Pungi's per-arch boot arguments produce images genisoimage accepts and
// xorriso reports the expected boot records for.
func TestBootArgsWithGenisoimage(t *testing.T) {
	toolcheck.Need(t, "genisoimage", "xorriso")
	cases := []struct {
		arch, file, want string
	}{
		{"aarch64", "images/efiboot.img", "UEFI"},
		{"s390x", "images/cdboot.img", "BIOS"},
		{"ppc64le", "ppc/bootinfo.txt", ""},
	}
	for _, tc := range cases {
		t.Run(tc.arch, func(t *testing.T) {
			tree := t.TempDir()
			os.MkdirAll(filepath.Join(tree, filepath.Dir(tc.file)), 0o755)
			os.WriteFile(filepath.Join(tree, tc.file), make([]byte, 1440*1024), 0o644)
			gp := filepath.Join(t.TempDir(), "gp")
			g, _ := ScanTree(tree)
			if err := WriteGraftPoints(gp, g, nil); err != nil {
				t.Fatal(err)
			}
			boot, err := BootOptions(tc.arch, "", false)
			if err != nil {
				t.Fatal(err)
			}
			charset := "utf-8"
			if tc.arch == "ppc64le" {
				charset = ""
			}
			iso := filepath.Join(t.TempDir(), "x.iso")
			cmd, _ := MkisofsCmd(MkisofsOpts{ISO: iso, VolID: "T", BootArgs: boot, InputCharset: charset, GraftPoints: gp})
			run(t, cmd[0], cmd[1:]...)
			rep := run(t, "xorriso", "-indev", iso, "-report_el_torito", "plain")
			if tc.want != "" && !strings.Contains(rep, "El Torito boot img :   1  "+tc.want) {
				t.Errorf("boot records:\n%s", rep)
			}
		})
	}
}

func TestReuseFromOldCompose(t *testing.T) {
	needISOTools(t)
	parent := t.TempDir()
	mk := func(respin int) *compose.Compose {
		conf := imgtest.BaseConf()
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
		if err := c.DumpConfig(map[string]any(conf)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := mk(0)
	makeTree(t, old, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	old.WriteStatus(compose.StatusFinished)
	oldISO := filepath.Join(old.Topdir, "compose", "Server", "x86_64", "iso", old.ID()+"-Server-x86_64-dvd1.iso")

	cur := mk(1)
	makeTree(t, cur, "x86_64", false)
	if err := (&Phase{}).Run(context.Background(), cur); err != nil {
		t.Fatal(err)
	}
	newISO := filepath.Join(cur.Topdir, "compose", "Server", "x86_64", "iso", cur.ID()+"-Server-x86_64-dvd1.iso")
	a, _ := os.Stat(oldISO)
	b, err := os.Stat(newISO)
	if err != nil || !os.SameFile(a, b) {
		t.Fatalf("ISO not reused (hardlinked) from the old compose: %v", err)
	}
	if images.Of(cur).Len() != 1 {
		t.Error("reused ISO not in the manifest")
	}

	// Another package list: no reuse.
	next := mk(2)
	tree := makeTree(t, next, "x86_64", false)
	os.Remove(filepath.Join(tree, "Packages", "a", "alpha-1-1.noarch.rpm"))
	if err := (&Phase{}).Run(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	c3 := filepath.Join(next.Topdir, "compose", "Server", "x86_64", "iso", next.ID()+"-Server-x86_64-dvd1.iso")
	if st, err := os.Stat(c3); err != nil || os.SameFile(st, b) {
		t.Fatalf("ISO with other packages reused: %v", err)
	}
	log, _ := os.ReadFile(next.Paths.Log.LogFile("", "pungi"))
	if !strings.Contains(string(log), "packages differ") {
		t.Errorf("no reason logged:\n%s", log)
	}
}

func TestCheckHostISOTools(t *testing.T) {
	skipAll := []any{[]any{".*", map[string]any{"*": true, "src": true}}} // "*" never matches src
	tests := []struct {
		name    string
		conf    map[string]any
		path    string // PATH while validating: "" keeps the real one
		wantErr string
	}{
		{"tools missing", map[string]any{}, "empty", "checkisomd5 is not installed"},
		{"every ISO skipped", map[string]any{"createiso_skip": skipAll}, "empty", ""},
		{"ISOs made by koji runroot", map[string]any{"runroot_method": "koji", "runroot_tag": "t", "runroot_channel": "c"}, "empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := imgtest.NewCompose(t, tc.conf, "")
			if tc.path == "empty" {
				t.Setenv("PATH", t.TempDir())
			}
			err := (&Phase{}).CheckHost(c)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestExtraISOReuse(t *testing.T) {
	needISOTools(t)
	parent := t.TempDir()
	mk := func(respin int, volid string) *compose.Compose {
		conf := imgtest.BaseConf()
		conf["extra_isos"] = map[string]any{"^Server$": []any{map[string]any{
			"filename": "extra-{filename}", "volid": []any{volid}, "skip_src": true}}}
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
		if err := c.DumpConfig(map[string]any(conf)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	isoOf := func(c *compose.Compose) string {
		return filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", "extra-"+c.ID()+"-Server-x86_64-dvd1.iso")
	}
	runExtra := func(c *compose.Compose, drop string) (os.FileInfo, string) {
		tree := makeTree(t, c, "x86_64", false)
		if drop != "" {
			os.Remove(filepath.Join(tree, "Packages", drop))
		}
		if err := (&ExtraISOs{}).Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		c.WriteStatus(compose.StatusFinished)
		st, err := os.Stat(isoOf(c))
		if err != nil {
			t.Fatal(err)
		}
		if images.Of(c).Len() != 1 {
			t.Error("extra ISO not in the manifest")
		}
		log, _ := os.ReadFile(c.Paths.Log.LogFile("", "pungi"))
		return st, string(log)
	}
	first, _ := runExtra(mk(0, "{volid} X"), "")
	tests := []struct {
		name, volid, drop string
		reused            bool
		log               string
	}{
		{"same entry and packages", "{volid} X", "", true, "Reusing ISO extra-"},
		{"other packages", "{volid} X", "a/alpha-1-1.noarch.rpm", false, "packages differ"},
		{"other entry", "{volid} Y", "", false, "option extra_isos differs"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, log := runExtra(mk(i+1, tc.volid), tc.drop)
			if os.SameFile(st, first) != tc.reused {
				t.Errorf("reused %v, want %v", !tc.reused, tc.reused)
			}
			if !strings.Contains(log, tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, log)
			}
		})
	}
}
