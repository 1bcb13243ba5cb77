package createiso

import (
	"fmt"
	"os"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/productmd"
)

// mediaTreeinfo is Pungi's load_and_tweak_treeinfo: the tree's .treeinfo
// as a medium's — [media] gets the disc number and count, and boot.iso
// disappears from every images section and from the checksums.
func mediaTreeinfo(src string, discNum, discCount int) (*productmd.TreeInfo, error) {
	ti, err := productmd.ReadTreeInfoFile(src)
	if err != nil {
		return nil, err
	}
	if discCount == 0 {
		discCount = 1
	}
	ti.DiscNum, ti.Discs = discNum, discCount
	for _, imgs := range ti.Images {
		if p, ok := imgs["boot.iso"]; ok {
			delete(imgs, "boot.iso")
			delete(ti.Checksums, p)
		}
	}
	return ti, nil
}

// TweakTreeinfo writes the medium's .treeinfo (mediaTreeinfo of src) to
// dst; with a new repomd checksum ("" to keep) repodata/repomd.xml is
// updated (a split disc has its own repodata). It is written by productmd's
// rules, like every .treeinfo pungo writes.
func TweakTreeinfo(src, dst string, discNum, discCount int, repomdChecksum string) error {
	ti, err := mediaTreeinfo(src, discNum, discCount)
	if err != nil {
		return err
	}
	if repomdChecksum != "" {
		ti.Checksums["repodata/repomd.xml"] = repomdChecksum
	}
	return atomicfile.WriteWith(dst, 0o644, ti.Write)
}

// BootISOPath is the tree's boot.iso as .treeinfo lists it for arch ("" when none).
func BootISOPath(treeinfo, arch string) string {
	ti, err := productmd.ReadTreeInfoFile(treeinfo)
	if err != nil {
		return ""
	}
	return ti.Images[arch]["boot.iso"]
}

// TweakDiscinfo writes the media's .discinfo with its own disc number.
func TweakDiscinfo(src, dst string, discNum int) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for len(lines) < 4 {
		lines = append(lines, "")
	}
	lines[3] = fmt.Sprint(discNum)
	return atomicfile.WriteFile(dst, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
