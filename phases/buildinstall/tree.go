package buildinstall

// lorax's output in the variant's tree: boot configurations rewritten for
// the volume ID and kickstart (inside efiboot.img too), and boot.iso
// linked into iso/ and recorded in the image manifest.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/buildinstall/fatimg"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
)

// BootConfigs are the configuration files that name the volume.
var BootConfigs = []string{
	"isolinux/isolinux.cfg",
	"etc/yaboot.conf",
	"ppc/ppc64/yaboot.conf",
	"EFI/BOOT/BOOTX64.conf",
	"EFI/BOOT/grub.cfg",
}

// BootImages are images whose copies of the configs are rewritten too.
var BootImages = []string{"images/efiboot.img"}

var (
	cdlabelRe = regexp.MustCompile(`:CDLABEL=[^ \n]*`)
	labelRe   = regexp.MustCompile(`:LABEL=[^ \n]*`)
	searchRe  = regexp.MustCompile(`(search .* -l) '[^'\n]*'`)
)

// TweakConfig rewrites one boot configuration as Pungi's tweak_configs:
// every :LABEL= / :CDLABEL= gets the escaped volume ID (spaces as \x20,
// doubled backslashes for yaboot) followed by inst.ks when a kickstart is
// used, and grub's "search … -l '…'" gets the plain volume ID.
func TweakConfig(data, config, volid string, withKS bool) string {
	esc := strings.ReplaceAll(volid, " ", `\x20`)
	if strings.Contains(config, "yaboot") {
		esc = strings.ReplaceAll(esc, `\`, `\\`)
	}
	ks := ""
	if withKS {
		ks = " inst.ks=hd:LABEL=" + esc + ":/ks.cfg"
	}
	data = cdlabelRe.ReplaceAllLiteralString(data, ":CDLABEL="+esc+ks)
	data = labelRe.ReplaceAllLiteralString(data, ":LABEL="+esc+ks)
	data = searchRe.ReplaceAllStringFunc(data, func(m string) string {
		sub := searchRe.FindStringSubmatch(m)
		return sub[1] + " '" + volid + "'"
	})
	return data
}

// TweakConfigs rewrites the boot configs found under dir and returns
// those that changed (relative paths).
func TweakConfigs(dir, volid string, withKS bool) ([]string, map[string][]byte, error) {
	var changed []string
	content := map[string][]byte{}
	for _, cfg := range BootConfigs {
		p := filepath.Join(dir, cfg)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		nd := TweakConfig(string(b), cfg, volid, withKS)
		// A new file breaks any hardlink to lorax's output.
		if err := atomicfile.WriteFile(p, []byte(nd), 0o644); err != nil {
			return nil, nil, err
		}
		if nd != string(b) {
			changed = append(changed, cfg)
			content[cfg] = []byte(nd)
		}
	}
	return changed, content, nil
}

// CopyFiles is Pungi's tweak_buildinstall + link_boot_iso: lorax's output
// is copied into the variant's os tree through a temporary directory in
// which the boot configs (and their copies in efiboot.img) are rewritten;
// the kickstart goes to the tree root; boot.iso is linked into iso/.
func CopyFiles(c *compose.Compose, v *compose.Variant, arch, src, ks string) error {
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return fmt.Errorf("buildinstall output %s does not exist: lorax produced nothing for %s.%s", src, v.UID, arch)
	}
	volid, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: createiso.DiscType(c, "dvd")})
	if err != nil {
		return err
	}
	tmp, err := c.Paths.Work.MkdirTemp(arch, v, "tweak_buildinstall_")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(src, tmp); err != nil {
		return err
	}
	changed, content, err := TweakConfigs(tmp, volid, ks != "")
	if err != nil {
		return err
	}
	dst := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	if ks != "" && len(changed) > 0 {
		if err := copyFile(ks, filepath.Join(dst, "ks.cfg")); err != nil {
			return err
		}
	}
	if len(changed) > 0 {
		for _, img := range BootImages {
			p := filepath.Join(tmp, img)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			done, err := fatimg.ReplaceFiles(p, content)
			if err != nil {
				return fmt.Errorf("rewriting boot configuration in %s: %w", img, err)
			}
			for _, f := range done {
				c.Log.Infof("Boot config %s changed in %s", f, img)
			}
		}
	}
	if err := copyTree(tmp, dst); err != nil {
		return err
	}
	return LinkBootISO(c, v, arch)
}

// LinkBootISO links the tree's images/boot.iso into iso/ under the "boot"
// disc type name and records it in the manifest.
func LinkBootISO(c *compose.Compose, v *compose.Variant, arch string) error {
	if arch == "src" {
		return nil
	}
	tree := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	boot := filepath.Join(tree, "images", "boot.iso")
	if _, err := os.Stat(boot); err != nil {
		return nil
	}
	name, err := images.ImageName(c.Conf, c.Info, arch, v, createiso.DiscType(c, "boot"), 0, ".iso")
	if err != nil {
		return err
	}
	dir, err := createiso.ISODir(c, arch, v)
	if err != nil || dir == "" {
		return err
	}
	msg := fmt.Sprintf("Linking boot.iso (arch: %s, variant: %s)", arch, v.UID)
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err == nil {
		c.Log.Warningf("[SKIP ] %s", msg)
		return nil
	}
	c.Log.Infof("[BEGIN] %s", msg)
	if err := os.Link(boot, target); err != nil {
		if err := copyFile(boot, target); err != nil {
			return err
		}
	}
	if err := writeManifest(target); err != nil {
		return err
	}
	im, err := images.NewImage(c, target)
	if err != nil {
		return err
	}
	im.Arch, im.Type, im.Format, im.DiscNumber, im.DiscCount, im.Bootable = arch, "boot", "iso", 1, 1, true
	im.Subvariant, im.Deliverable, im.CanFail = v.UID, "buildinstall", c.CanFail(v, arch, "buildinstall")
	if md5, err := createiso.ImplantedMD5(target); err == nil {
		im.ImplantMD5 = md5
	} else {
		c.Log.Criticalf("Implanted MD5 in %s is not valid: %v", target, err)
	}
	if vid, err := createiso.ReadVolumeID(target); err == nil {
		im.VolumeID = vid
	}
	images.Of(c).Add(v.UID, arch, im)
	c.Log.Infof("[DONE ] %s", msg)
	return nil
}

// writeManifest lists the ISO's files (isoinfo -R -f, sorted, without
// TRANS.TBL) into ISO.manifest.
func writeManifest(iso string) error {
	out, err := runCmd("isoinfo", "-R", "-f", "-i", iso)
	if err != nil {
		return err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasSuffix(l, "/TRANS.TBL") {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return atomicfile.WriteFile(iso+".manifest", []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// copyTree copies src's content into dst, replacing files, keeping
// symlinks, modes and making everything world-readable (Pungi's chmod a+rX).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(t, info.Mode().Perm()|0o755)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(t)
			return os.Symlink(link, t)
		}
		return atomicfile.Copy(p, t, info.Mode().Perm()|0o444)
	})
}

func copyFile(src, dst string) error { return atomicfile.Copy(src, dst, 0o644) }

func runCmd(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return string(out), nil
}
