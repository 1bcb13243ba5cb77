package buildinstall

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/buildinstall/fatimg"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/metadata"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestTweakConfig(t *testing.T) {
	cases := []struct {
		name, config, in, volid string
		ks                      bool
		want                    string
	}{
		{"isolinux label", "isolinux/isolinux.cfg", "append initrd=initrd.img inst.stage2=hd:LABEL=Old quiet\n", "DEMO-1.0 Server.x86_64", false,
			`append initrd=initrd.img inst.stage2=hd:LABEL=DEMO-1.0\x20Server.x86_64 quiet` + "\n"},
		{"with kickstart", "isolinux/isolinux.cfg", "append inst.stage2=hd:LABEL=Old quiet\n", "A B", true,
			`append inst.stage2=hd:LABEL=A\x20B inst.ks=hd:LABEL=A\x20B:/ks.cfg quiet` + "\n"},
		{"pre-f18 CDLABEL", "isolinux/isolinux.cfg", "append root=live:CDLABEL=Old rd\n", "A B", false, `append root=live:CDLABEL=A\x20B rd` + "\n"},
		{"grub search", "EFI/BOOT/grub.cfg", "search --no-floppy --set=root -l 'Old Label'\n", "A B", false, "search --no-floppy --set=root -l 'A B'\n"},
		{"yaboot doubles backslashes", "etc/yaboot.conf", "append=\"root=live:LABEL=Old ro\"\n", "A B", false, `append="root=live:LABEL=A\\x20B ro"` + "\n"},
	}
	for _, tc := range cases {
		if got := TweakConfig(tc.in, tc.config, tc.volid, tc.ks); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestLoraxCmd(t *testing.T) {
	got := LoraxCmd(LoraxArgs{Product: "Demo", Version: "1.0", Release: "1.0", Sources: []string{"/repo", "http://x/y"},
		OutputDir: "/out", Variant: "Server", BugURL: "http://bugs", NoMacBoot: true, NoUpgrade: true, IsFinal: true,
		BuildArch: "x86_64", VolID: "V", InstallPkgs: []string{"a", "b"}, AddTemplate: []string{"t.tmpl"},
		AddArchTemplate: []string{"at.tmpl"}, AddTemplateVar: []string{"x=1"}, AddArchTemplateVar: []string{"y=2"},
		RootfsSize: int64(3), LogDir: "/logs", DracutArgs: []string{"--xz"}, SkipBranding: true, SquashfsOnly: true,
		ConfigurationFile: "/logs/lorax.conf", RootfsType: "erofs"})
	want := "lorax --product=Demo --version=1.0 --release=1.0 --source=file:///repo --source=http://x/y --variant=Server " +
		"--bugurl=http://bugs --nomacboot --noupgrade --isfinal --buildarch=x86_64 --volid=V --installpkgs=a --installpkgs=b " +
		"--add-template=t.tmpl --add-arch-template=at.tmpl --add-template-var=x=1 --add-arch-template-var=y=2 " +
		"--logfile=/logs/lorax.log --rootfs-size=3 --dracut-arg=--xz --skip-branding --squashfs-only --config /logs/lorax.conf /out --rootfs-type=erofs"
	if strings.Join(got, " ") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

func setup(t *testing.T, extra map[string]any) (*compose.Compose, string) {
	toolcheck.Need(t, "xorrisofs", "isoinfo", "checkisomd5")
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	log := filepath.Join(t.TempDir(), "lorax.log")
	t.Setenv("FAKE_LORAX_LOG", log)
	ks := filepath.Join(t.TempDir(), "install.ks")
	os.WriteFile(ks, []byte("text\nreboot\n"), 0o644)
	conf := map[string]any{"buildinstall_method": "lorax", "buildinstall_kickstart": ks,
		"disc_types": map[string]any{"boot": "netinst"},
		"lorax_options": []any{[]any{"^Server$", map[string]any{"x86_64": map[string]any{
			"bugurl": "https://bugs.example.com", "add_template_var": []any{"x=1"}, "rootfs_size": int64(4)}}}}}
	for k, v := range extra {
		conf[k] = v
	}
	c := imgtest.NewCompose(t, conf, "")
	c.Variant("Server").BuildInstallPackages = []string{"fedora-logos"}
	// The pkgset phase's repository (work/<arch>/repo/<name>).
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	return c, log
}

func TestBuildinstallPhase(t *testing.T) {
	c, log := setup(t, nil)
	bi := New()
	if err := bi.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(log)
	out := filepath.Join(c.Topdir, "work", "x86_64", "buildinstall", "Server")
	want := "--product=Demo --version=1.0 --release=1.0 --source=file://" + filepath.Join(c.Topdir, "work", "x86_64", "repo", "repos") +
		" --variant=Server --bugurl=https://bugs.example.com --nomacboot --noupgrade --buildarch=x86_64 --volid=DEMO-1.0 Server.x86_64" +
		" --installpkgs=fedora-logos --add-template-var=x=1 --logfile=" + filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "lorax.log") +
		" --rootfs-size=4 " + out + "\n"
	if string(calls) != want {
		t.Errorf("lorax called with\n%s\nwant\n%s", calls, want)
	}
	tree := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os")
	cfg, _ := os.ReadFile(filepath.Join(tree, "isolinux", "isolinux.cfg"))
	if !strings.Contains(string(cfg), `inst.stage2=hd:LABEL=DEMO-1.0\x20Server.x86_64 inst.ks=hd:LABEL=DEMO-1.0\x20Server.x86_64:/ks.cfg`) {
		t.Errorf("isolinux.cfg not rewritten:\n%s", cfg)
	}
	if b, _ := os.ReadFile(filepath.Join(tree, "ks.cfg")); string(b) != "text\nreboot\n" {
		t.Errorf("ks.cfg %q", b)
	}
	efi, err := fatimg.ReadFile(filepath.Join(tree, "images", "efiboot.img"))
	if err != nil {
		t.Fatal(err)
	}
	if g := string(efi.Files["EFI/BOOT/grub.cfg"]); !strings.Contains(g, "inst.ks=hd:LABEL=DEMO-1.0\\x20Server.x86_64:/ks.cfg") || !strings.Contains(g, "-l 'DEMO-1.0 Server.x86_64'") {
		t.Errorf("grub.cfg in efiboot.img:\n%s", g)
	}
	// lorax's own output stays untouched (the tweaks happen on a copy).
	if b, _ := os.ReadFile(filepath.Join(out, "isolinux", "isolinux.cfg")); strings.Contains(string(b), "inst.ks") {
		t.Error("lorax output modified in place")
	}
	netinst := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-netinst.iso")
	if _, err := os.Stat(netinst); err != nil {
		t.Fatal(err)
	}
	if m, _ := os.ReadFile(netinst + ".manifest"); !strings.Contains(string(m), "/isolinux/isolinux.bin") {
		t.Errorf("boot.iso manifest %q", m)
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Type != "boot" || !e[0].Image.Bootable || e[0].Image.VolumeID != "DEMO-1.0 Server.x86_64" || e[0].Image.Deliverable != "buildinstall" {
		t.Fatalf("manifest %+v", e)
	}
	if !bi.Result.Succeeded("Server", "x86_64") || bi.Result.Reused("Server", "x86_64") || bi.Result.Succeeded("Server", "ppc64le") {
		t.Fatal("success not recorded")
	}
	if err := images.CheckSanity(netinst, e[0].Image); err != nil {
		t.Error(err)
	}

	// The DVD made from this tree with xorriso replays boot.iso's boot setup.
	c.Conf.Set("createiso_use_xorrisofs", true)
	pk := filepath.Join(tree, "Packages", "b", "big-1-1.noarch.rpm")
	os.MkdirAll(filepath.Dir(pk), 0o755)
	blob := make([]byte, 3<<20)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	os.WriteFile(pk, blob, 0o644)
	// The tree's own .treeinfo (lorax's boot images merged) comes first,
	// as in a compose.
	if err := metadata.NewTreeStep(bi.Result).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := createiso.New(bi.Result).Run(context.Background(), c); err != nil {
		logs, _ := filepath.Glob(filepath.Join(c.Topdir, "logs", "x86_64", "createiso-*"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Log(string(b))
		}
		t.Fatal(err)
	}
	dvd := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", c.ID()+"-Server-x86_64-dvd1.iso")
	rep, err := exec.Command("xorriso", "-indev", dvd, "-report_el_torito", "plain").CombinedOutput()
	if err != nil || !strings.Contains(string(rep), "El Torito boot img :   1  BIOS") || !strings.Contains(string(rep), "/images/efiboot.img") {
		t.Errorf("DVD boot catalog: %v\n%s", err, rep)
	}
	if out, err := exec.Command("checkisomd5", dvd).CombinedOutput(); err != nil {
		t.Errorf("checkisomd5: %v %s", err, out)
	}
	vid, _ := createiso.ReadVolumeID(dvd)
	if vid != "DEMO-1.0 Server.x86_64" {
		t.Errorf("DVD volume ID %q", vid)
	}
}

func TestLoraxFailure(t *testing.T) {
	c, _ := setup(t, nil)
	t.Setenv("FAKE_LORAX_FAIL", "1")
	err := New().Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "lorax for Server.x86_64") || !strings.Contains(err.Error(), "Dependency check failed") {
		t.Fatalf("run: %v", err)
	}
	c2, _ := setup(t, map[string]any{"failable_deliverables": []any{[]any{".*", map[string]any{"*": []any{"buildinstall"}}}}})
	bi2 := New()
	if err := bi2.Run(context.Background(), c2); err != nil {
		t.Fatalf("failable buildinstall stopped the compose: %v", err)
	}
	if c2.FailedDeliverables() != 1 || bi2.Result.Succeeded("Server", "x86_64") {
		t.Fatal("failure not recorded")
	}
}

// With buildinstall_topdir lorax writes outside the compose (as on a Koji
// builder): results/ and logs/ under
// <buildinstall_topdir>/buildinstall-<compose>/<arch>/<Variant>, the
// compose's own paths it reads translated, and both copied back.
func TestBuildinstallTopdir(t *testing.T) {
	top := t.TempDir()
	c, log := setup(t, nil)
	c.Conf.Set("buildinstall_topdir", top)
	c.Conf.Set("translate_paths", []any{[]any{c.Topdir, "http://composes.example.com/" + filepath.Base(c.Topdir)}})
	if err := New().Run(context.Background(), c); err != nil {
		calls, _ := os.ReadFile(log)
		t.Fatalf("%v\nlorax: %s", err, calls)
	}
	run := filepath.Join(top, "buildinstall-"+filepath.Base(c.Topdir), "x86_64", "Server")
	calls, _ := os.ReadFile(log)
	for _, want := range []string{" --source=http://composes.example.com/" + filepath.Base(c.Topdir) + "/work/x86_64/repo/repos ",
		" --logfile=" + filepath.Join(run, "logs", "lorax.log") + " ", " " + filepath.Join(run, "results") + "\n"} {
		if !strings.Contains(string(calls), want) {
			t.Errorf("lorax called with\n%s\nwant %q in it", calls, want)
		}
	}
	for _, f := range []string{
		filepath.Join(c.Topdir, "work", "x86_64", "buildinstall", "Server", "images", "boot.iso"),
		filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "lorax.log"),
		filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "images", "efiboot.img"),
	} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not copied back: %v", err)
		}
	}
	// A second run finds the results and does not run lorax again.
	os.Remove(log)
	tasks, err := Plan(context.Background(), c)
	if err != nil || len(tasks) != 1 || tasks[0].RunDir != run {
		t.Fatalf("plan %v %v", tasks, err)
	}
}
