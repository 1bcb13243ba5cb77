package createiso

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/runroot"
)

// BootOptions are mkisofs's boot arguments per arch, as Pungi's
// get_boot_options: El Torito with isolinux plus an EFI image on x86_64,
// the EFI image alone on aarch64, CHRP/HFS for ppc, cdboot.img on s390x.
// createfrom locates lorax's ppc mapping file.
func BootOptions(arch, createfrom string, hfsCompat bool) ([]string, error) {
	switch arch {
	case "arm", "armhfp":
		return nil, nil
	case "aarch64":
		return []string{"-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot"}, nil
	case "i386", "i686", "x86_64":
		out := []string{"-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table"}
		if arch == "x86_64" {
			out = append(out, "-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot")
		}
		return out, nil
	case "ia64":
		return []string{"-b", "images/boot.img", "-no-emul-boot"}, nil
	case "ppc", "ppc64", "ppc64le":
		if arch == "ppc64le" && !hfsCompat {
			return []string{"-r", "-l", "-sysid", "PPC", "-chrp-boot"}, nil
		}
		return []string{"-part", "-hfs", "-r", "-l", "-sysid", "PPC", "-no-desktop", "-allow-multidot", "-chrp-boot",
			"-map", filepath.Join(createfrom, "mapping"), "-hfs-bless", "/ppc/mac"}, nil
	case "sparc":
		return []string{"-G", "/boot/isofs.b", "-B", "...", "-s", "/boot/silo.conf", "-sparc-label", `"sparc"`}, nil
	case "s390", "s390x":
		return []string{"-eltorito-boot", "images/cdboot.img", "-no-emul-boot"}, nil
	}
	return nil, fmt.Errorf("Unknown arch: %s", arch)
}

// truncateVolID is the last resort of mkisofs's -volid in Pungi: drop
// dashes, then spaces, then shorten "Supplementary".
func truncateVolID(v string) (string, error) {
	if len(v) > 32 {
		v = strings.ReplaceAll(v, "-", "")
	}
	if len(v) > 32 {
		v = strings.ReplaceAll(v, " ", "")
	}
	if len(v) > 32 {
		v = strings.ReplaceAll(v, "Supplementary", "Supp")
	}
	if len(v) > 32 {
		return "", fmt.Errorf("Volume ID must be less than 32 character: %s", v)
	}
	return v, nil
}

// MkisofsOpts are get_mkisofs_cmd's inputs.
type MkisofsOpts struct {
	ISO          string
	VolID        string
	Exclude      []string
	BootArgs     []string
	InputCharset string // "" for none (ppc)
	GraftPoints  string
	UseXorrisofs bool
	ISOLevel     int
}

// MkisofsCmd is the genisoimage/xorrisofs command line Pungi runs.
func MkisofsCmd(o MkisofsOpts) ([]string, error) {
	cmd := []string{"/usr/bin/genisoimage"}
	if o.UseXorrisofs {
		cmd[0] = "/usr/bin/xorrisofs"
	}
	if o.ISOLevel > 0 {
		cmd = append(cmd, "-iso-level", fmt.Sprint(o.ISOLevel))
	}
	cmd = append(cmd, "-untranslated-filenames")
	if o.VolID != "" {
		v, err := truncateVolID(o.VolID)
		if err != nil {
			return nil, err
		}
		cmd = append(cmd, "-volid", v)
	}
	cmd = append(cmd, "-J", "-joliet-long", "-rational-rock")
	if !o.UseXorrisofs {
		cmd = append(cmd, "-translation-table")
	}
	if o.InputCharset != "" {
		cmd = append(cmd, "-input-charset", o.InputCharset)
	}
	for _, x := range o.Exclude {
		cmd = append(cmd, "-x", x)
	}
	cmd = append(cmd, o.BootArgs...)
	cmd = append(cmd, "-o", o.ISO, "-graft-points", "-path-list", o.GraftPoints)
	return cmd, nil
}

// ScriptOpts are Pungi's CreateIsoOpts.
type ScriptOpts struct {
	BuildinstallMethod string // "" for a non-bootable ISO
	BootISO            string
	Arch               string
	OutputDir          string
	JigdoDir           string
	ISOName            string
	VolID              string
	GraftPoints        string
	Supported          bool
	OSTree             string
	HFSCompat          bool
	UseXorrisofs       bool
	ISOLevel           int
	ScriptDir          string
}

// findTemplate locates lorax's templates the way Pungi's script does (for
// the ppc mapping file).
const findTemplate = `if ! TEMPLATE="$($(head -n1 $(which lorax) | cut -c3-) -c 'import pylorax; print(pylorax.find_templates())')"; then TEMPLATE=/usr/share/lorax; fi`

func shellLine(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "$TEMPLATE") {
			q[i] = "$TEMPLATE" + runroot.ShellQuote(strings.TrimPrefix(a, "$TEMPLATE"))
			continue
		}
		q[i] = runroot.ShellQuote(a)
	}
	return strings.Join(q, " ")
}

// XorrisoCommands is the xorriso dialog that turns boot.iso into the DVD:
// replay its boot setup and map every graft point onto it.
func XorrisoCommands(o ScriptOpts, graft Tree, order []string) string {
	// Unlike Pungi's, arguments are quoted: xorriso's dialog splits words
	// at blanks, and the default volume IDs contain a space.
	q := runroot.ShellQuote
	var b strings.Builder
	fmt.Fprintf(&b, "-indev %s\n", q(o.BootISO))
	fmt.Fprintf(&b, "-outdev %s\n", q(filepath.Join(o.OutputDir, o.ISOName)))
	b.WriteString("-boot_image any replay\n")
	fmt.Fprintf(&b, "-volid %s\n", q(o.VolID))
	b.WriteString("-joliet on\n")
	for _, k := range order {
		fmt.Fprintf(&b, "-map %s %s\n", q(graft[k]), q(k))
	}
	if o.Arch == "ppc64le" {
		b.WriteString("-as mkisofs -U --\n")
	}
	b.WriteString("-end\n")
	return b.String()
}

// Script is the bash script Pungi's createiso runs (through runroot): make
// the image, isohybrid a bootable x86 one, implant the MD5, write the
// manifest, and make jigdo files when asked. xorrisoCmds is the content of
// the dialog file used when xorriso rebuilds boot.iso ("" otherwise).
func Script(o ScriptOpts) (script, xorrisoCmds string, err error) {
	if (o.JigdoDir != "") != (o.OSTree != "") {
		return "", "", fmt.Errorf("jigdo_dir must be used together with os_tree")
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\nset -ex\n")
	fmt.Fprintf(&b, "cd %s\n", runroot.ShellQuote(o.OutputDir))
	if o.UseXorrisofs && o.BuildinstallMethod != "" {
		graft, err := ReadGraftPoints(o.GraftPoints)
		if err != nil {
			return "", "", err
		}
		order, err := graftOrder(o.GraftPoints)
		if err != nil {
			return "", "", err
		}
		xorrisoCmds = XorrisoCommands(o, graft, order)
		cmdFile := filepath.Join(o.ScriptDir, "xorriso-"+o.ISOName+".txt")
		fmt.Fprintf(&b, "xorriso -dialog on <%s\n", runroot.ShellQuote(cmdFile))
	} else {
		var boot []string
		if o.BuildinstallMethod == "lorax" {
			if strings.HasPrefix(o.Arch, "ppc") {
				b.WriteString(findTemplate + "\n")
			}
			if boot, err = BootOptions(o.Arch, "$TEMPLATE/config_files/ppc", o.HFSCompat); err != nil {
				return "", "", err
			}
		}
		charset := "utf-8"
		if o.Arch == "ppc" || o.Arch == "ppc64" || o.Arch == "ppc64le" {
			charset = ""
		}
		cmd, err := MkisofsCmd(MkisofsOpts{ISO: o.ISOName, VolID: o.VolID, Exclude: []string{"./lost+found"}, BootArgs: boot,
			InputCharset: charset, GraftPoints: o.GraftPoints, UseXorrisofs: o.UseXorrisofs, ISOLevel: o.ISOLevel})
		if err != nil {
			return "", "", err
		}
		b.WriteString(shellLine(cmd) + "\n")
		if o.BuildinstallMethod != "" && (o.Arch == "x86_64" || o.Arch == "i386") {
			hyb := []string{"/usr/bin/isohybrid"}
			if o.Arch == "x86_64" {
				hyb = append(hyb, "--uefi")
			}
			b.WriteString(shellLine(append(hyb, o.ISOName)) + "\n")
		}
	}
	impl := []string{"/usr/bin/implantisomd5"}
	if o.Supported {
		impl = append(impl, "--supported-iso")
	}
	b.WriteString(shellLine(append(impl, o.ISOName)) + "\n")
	q := runroot.ShellQuote
	if o.UseXorrisofs {
		fmt.Fprintf(&b, "xorriso -dev %s --find |\n    tail -n+2 |\n    tr -d \"'\" |\n    cut -c2- |\n    sort >> %s\n", q(o.ISOName), q(o.ISOName+".manifest"))
	} else {
		fmt.Fprintf(&b, "isoinfo -R -f -i %s | grep -v '/TRANS.TBL$' | sort >> %s\n", q(o.ISOName), q(o.ISOName+".manifest"))
	}
	if o.JigdoDir != "" {
		b.WriteString(shellLine(JigdoCmd(filepath.Join(o.OutputDir, o.ISOName), o.OSTree, o.JigdoDir)) + "\n")
	}
	return b.String(), xorrisoCmds, nil
}

// JigdoCmd is Pungi's jigdo-file make-template call for an ISO made from
// osTree ("//" marks where relative paths start, see jigdo-file(1)).
func JigdoCmd(image, osTree, outDir string) []string {
	base := filepath.Base(image)
	return []string{"jigdo-file", "make-template", "--force",
		"--image=" + image,
		"--jigdo=" + filepath.Join(outDir, base) + ".jigdo",
		"--template=" + filepath.Join(outDir, base) + ".template",
		"--no-servers-section", "--report=noprogress",
		strings.TrimRight(osTree, "/") + "//"}
}

// graftOrder returns the graft file's ISO paths in file order.
func graftOrder(path string) ([]string, error) {
	t, err := ReadGraftPoints(path)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	// ReadGraftPoints lost the order; WriteGraftPoints' order is recomputed.
	sortGraft(keys)
	return keys, nil
}

func sortGraft(keys []string) {
	sort.Slice(keys, func(i, j int) bool { return graftLess(keys[i], keys[j]) })
}

func graftLess(a, b string) bool {
	ra, rb := graftRank(a), graftRank(b)
	if ra != rb {
		return ra < rb
	}
	return a < b
}
