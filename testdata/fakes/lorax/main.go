// Command lorax is a fake of lorax for pungo's tests (Debian has no
// lorax). It accepts exactly the options pungo's buildinstall and
// ostree_installer phases pass, checks each (values present, sources are
// URLs, the volume ID fits ISO 9660, the output directory is new, the log
// directory exists) and writes what lorax writes: a bootable
// images/boot.iso (made with xorrisofs around syslinux's isolinux.bin),
// isolinux/isolinux.cfg and EFI/BOOT/grub.cfg naming the volume ID,
// images/efiboot.img (a FAT image holding the same grub.cfg),
// images/install.img, images/pxeboot/{vmlinuz,initrd.img}, .treeinfo and
// .discinfo. Every call is appended to $FAKE_LORAX_LOG; FAKE_LORAX_FAIL
// makes it fail like a lorax dependency problem.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/phases/buildinstall/fatimg"
)

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "fake lorax: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	args := os.Args[1:]
	if log := os.Getenv("FAKE_LORAX_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, strings.Join(args, " "))
			f.Close()
		}
	}
	single := map[string]string{}
	multi := map[string][]string{}
	flags := map[string]bool{}
	var positional []string
	valued := map[string]bool{"--product": true, "--version": true, "--release": true, "--variant": true, "--bugurl": true,
		"--buildarch": true, "--volid": true, "--logfile": true, "--rootfs-size": true, "--rootfs-type": true}
	repeat := map[string]bool{"--source": true, "--installpkgs": true, "--add-template": true, "--add-arch-template": true,
		"--add-template-var": true, "--add-arch-template-var": true, "--dracut-arg": true}
	boolean := map[string]bool{"--nomacboot": true, "--noupgrade": true, "--isfinal": true, "--skip-branding": true, "--squashfs-only": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--config" {
			if i+1 >= len(args) {
				die("--config needs a file")
			}
			if _, err := os.Stat(args[i+1]); err != nil {
				die("--config %s: %v", args[i+1], err)
			}
			single["--config"] = args[i+1]
			i++
			continue
		}
		if !strings.HasPrefix(a, "--") {
			positional = append(positional, a)
			continue
		}
		k, v, hasV := strings.Cut(a, "=")
		switch {
		case boolean[k]:
			if hasV {
				die("%s takes no value", k)
			}
			flags[k] = true
		case valued[k]:
			if !hasV || v == "" {
				die("%s needs a value (--opt=value)", k)
			}
			if _, dup := single[k]; dup {
				die("%s given twice", k)
			}
			single[k] = v
		case repeat[k]:
			if !hasV || v == "" {
				die("%s needs a value", k)
			}
			multi[k] = append(multi[k], v)
		default:
			die("unknown option %s", a)
		}
	}
	for _, k := range []string{"--product", "--version", "--release"} {
		if single[k] == "" {
			die("missing %s", k)
		}
	}
	if len(multi["--source"]) == 0 {
		die("no --source")
	}
	for _, s := range multi["--source"] {
		if !strings.Contains(s, "://") {
			die("--source %s is not a URL", s)
		}
		if strings.HasPrefix(s, "file://") {
			// dnf expands $basearch in lorax's sources.
			local := strings.ReplaceAll(strings.TrimPrefix(s, "file://"), "$basearch", single["--buildarch"])
			if st, err := os.Stat(local); err != nil || !st.IsDir() {
				die("--source %s: not a directory", s)
			}
		}
	}
	for _, tv := range append(multi["--add-template-var"], multi["--add-arch-template-var"]...) {
		if !strings.Contains(tv, "=") {
			die("template variable %q is not NAME=VALUE", tv)
		}
	}
	volid := single["--volid"]
	if len(volid) > 32 {
		die("volume ID %q is longer than 32 characters", volid)
	}
	if volid == "" {
		volid = "Anaconda"
	}
	if l := single["--logfile"]; l != "" {
		// lorax creates its log directory (Pungi relies on it with
		// buildinstall_topdir, whose run directory it removes first).
		if !filepath.IsAbs(l) {
			die("--logfile %s is not absolute", l)
		}
		if err := os.MkdirAll(filepath.Dir(l), 0o755); err != nil {
			die("--logfile %s: %v", l, err)
		}
	}
	if len(positional) != 1 {
		die("want exactly one output directory, got %v", positional)
	}
	out := positional[0]
	if !filepath.IsAbs(out) {
		die("output directory %s is not absolute", out)
	}
	if _, err := os.Stat(out); err == nil {
		die("output directory %s already exists", out)
	}
	if os.Getenv("FAKE_LORAX_FAIL") != "" {
		fmt.Fprintln(os.Stderr, "Dependency check failed: nothing provides anaconda-core")
		os.Exit(1)
	}
	arch := single["--buildarch"]
	if arch == "" {
		arch = "x86_64"
	}
	if err := build(out, arch, volid, single, flags); err != nil {
		die("%v", err)
	}
	if l := single["--logfile"]; l != "" {
		os.WriteFile(l, []byte("fake lorax finished\n"), 0o644)
		// lorax lists what it installed into the image: one empty file
		// per package name under pkglists/ (Pungi's reuse reads them).
		for _, p := range multi["--installpkgs"] {
			if err := write(filepath.Join(filepath.Dir(l), "pkglists", p), nil); err != nil {
				die("%v", err)
			}
		}
	}
}

func write(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func build(out, arch, volid string, single map[string]string, flags map[string]bool) error {
	esc := strings.ReplaceAll(volid, " ", `\x20`)
	isolinux := fmt.Sprintf("default vesamenu.c32\ntimeout 600\nlabel linux\n  menu label ^Install %s %s\n  kernel vmlinuz\n  append initrd=initrd.img inst.stage2=hd:LABEL=%s quiet\nlabel check\n  kernel vmlinuz\n  append initrd=initrd.img inst.stage2=hd:LABEL=%s rd.live.check quiet\n",
		single["--product"], single["--version"], esc, esc)
	grub := fmt.Sprintf("set default=\"1\"\nsearch --no-floppy --set=root -l '%s'\nmenuentry 'Install %s' --class fedora {\n\tlinux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=%s quiet\n\tinitrd /images/pxeboot/initrd.img\n}\n",
		volid, single["--product"], esc)
	files := map[string][]byte{
		"isolinux/isolinux.cfg":     []byte(isolinux),
		"isolinux/vmlinuz":          []byte("kernel\n"),
		"isolinux/initrd.img":       []byte("initrd\n"),
		"EFI/BOOT/grub.cfg":         []byte(grub),
		"EFI/BOOT/BOOTX64.EFI":      []byte("shim\n"),
		"images/pxeboot/vmlinuz":    []byte("kernel\n"),
		"images/pxeboot/initrd.img": []byte("initrd\n"),
		"images/install.img":        []byte("squashfs\n"),
		".discinfo":                 []byte(fmt.Sprintf("1700000000.000000\n%s\n%s\n", single["--version"], arch)),
	}
	// The tree's arch is the base arch of --buildarch (Pungi passes the
	// first of the arch's valid arches: athlon for i386).
	base := arch
	switch arch {
	case "athlon", "i686", "i586", "i486":
		base = "i386"
	}
	images := "boot.iso = images/boot.iso\nefiboot.img = images/efiboot.img\ninitrd = images/pxeboot/initrd.img\nkernel = images/pxeboot/vmlinuz\n"
	if base == "s390x" {
		// lorax's s390x tree: a CD boot image for El Torito without
		// emulation, the kernel and initrd under images/, generic.ins.
		images = "cdboot.img = images/cdboot.img\ngeneric.ins = generic.ins\ninitrd = images/initrd.img\nkernel = images/kernel.img\n"
		files["images/cdboot.img"] = []byte("cdboot\n")
		files["images/kernel.img"] = []byte("kernel\n")
		files["images/initrd.img"] = []byte("initrd\n")
		files["generic.ins"] = []byte("images/kernel.img 0x00000000\nimages/initrd.img 0x02000000\n")
	}
	platforms, xen := base, ""
	if base == "x86_64" {
		// lorax's x86_64 tree boots Xen guests from the same kernel and
		// initrd: a second platform.
		platforms, xen = "x86_64,xen", "[images-xen]\ninitrd = images/pxeboot/initrd.img\nkernel = images/pxeboot/vmlinuz\n\n"
	}
	files[".treeinfo"] = []byte(fmt.Sprintf("[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[release]\nname = %s\nversion = %s\n\n[tree]\narch = %s\nplatforms = %s\n\n[images-%s]\n%s\n%s[stage2]\nmainimage = images/install.img\n",
		single["--product"], single["--version"], base, platforms, base, images, xen))
	for name, data := range files {
		if err := write(filepath.Join(out, name), data); err != nil {
			return err
		}
	}
	if base == "x86_64" || base == "i386" {
		bin, err := os.ReadFile("/usr/lib/ISOLINUX/isolinux.bin")
		if err != nil {
			return fmt.Errorf("syslinux's isolinux.bin: %w", err)
		}
		if err := write(filepath.Join(out, "isolinux", "isolinux.bin"), bin); err != nil {
			return err
		}
	}
	efi := &fatimg.FS{Label: "ANACONDA", Files: map[string][]byte{
		"EFI/BOOT/grub.cfg":    []byte(grub),
		"EFI/BOOT/BOOTX64.EFI": []byte("shim\n"),
	}, Dirs: map[string]bool{"EFI": true, "EFI/BOOT": true}}
	if err := os.MkdirAll(filepath.Join(out, "images"), 0o755); err != nil {
		return err
	}
	if err := fatimg.WriteFile(filepath.Join(out, "images", "efiboot.img"), efi, 1440*1024); err != nil {
		return err
	}
	// boot.iso from the same tree, bootable like lorax's.
	args := []string{"-o", filepath.Join(out, "images", "boot.iso"), "-V", volid, "-J", "-joliet-long", "-rational-rock"}
	if _, err := os.Stat(filepath.Join(out, "isolinux", "isolinux.bin")); err == nil {
		args = append(args, "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table")
	}
	args = append(args, "-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot", "-m", "boot.iso", out)
	if o, err := exec.Command("xorrisofs", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("xorrisofs: %v: %s", err, o)
	}
	// lorax implants the MD5 so the media check works.
	if o, err := exec.Command("implantisomd5", filepath.Join(out, "images", "boot.iso")).CombinedOutput(); err != nil {
		return fmt.Errorf("implantisomd5: %v: %s", err, o)
	}
	return nil
}
