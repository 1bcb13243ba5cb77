package createiso

// Splitting a tree over discs and preparing each disc: which files go on
// which disc (split_iso), a split disc's own repodata, the disc's
// .treeinfo, .discinfo and graft points, and private copies of hardlinked
// files (createiso_break_hardlinks).

import (
	"context"
	"fmt"
	"github.com/pungo/pungo/repomd/createrepo"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
)

// SplitTree is Pungi's split_iso: the os tree (without its repodata and
// boot.iso) distributed over discs of iso_size - split_iso_reserve, extra
// files and media.repo on every disc. A bootable tree is never split (a
// warning says when it is too big).
func SplitTree(c *compose.Compose, arch string, v *compose.Variant, noSplit bool) ([]Disc, error) {
	size, _, err := splitSize(c)
	if err != nil {
		return nil, err
	}
	media := size
	if noSplit {
		media = 0
	}
	sp := NewSplitter(media)
	tree := osTree(c, arch, v)
	extra := map[string]bool{"media.repo": true}
	extraDir := filepath.Join(c.Paths.Work.Topdir(arch), v.UID, "extra-files")
	filepath.WalkDir(extraDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(extraDir, p)
			extra[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	ignore := map[string]bool{}
	if b := BootISOPath(filepath.Join(tree, ".treeinfo"), arch); b != "" {
		ignore[b] = true
	}
	repodata := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository(arch, v), "repodata")
	pkgDir := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelPackages(arch, v))
	type entry struct {
		path   string
		size   int64
		sticky bool
	}
	var others, pkgs []entry
	err = filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == repodata {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(tree, p)
		rel = filepath.ToSlash(rel)
		if ignore[rel] {
			c.Log.Infof("split_iso: Skipping %s", rel)
			return nil
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		e := entry{p, st.Size(), extra[rel]}
		if strings.HasPrefix(filepath.Dir(p)+"/", pkgDir+"/") {
			pkgs = append(pkgs, e)
		} else {
			others = append(others, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range append(others, pkgs...) {
		if err := sp.Add(e.path, e.size, e.sticky); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", v.UID, arch, err)
		}
	}
	discs := sp.Split()
	if noSplit && len(discs) > 0 && discs[0].Size > size {
		c.Log.Warningf("ISO for %s.%s does not fit on single media! It is %d bytes too big. (Total size: %d B)", v.UID, arch, discs[0].Size-size, discs[0].Size)
	}
	return discs, nil
}

// WriteRepo writes repodata for a split disc: the packages (paths relative
// to treeDir) into outDir/repodata. Pungi runs createrepo_c in update mode
// against the tree's repodata; pungo's own writer does the same, reusing
// the tree's metadata for every package instead of rereading headers.
func WriteRepo(ctx context.Context, c *compose.Compose, treeDir, outDir string, pkgs []string, checksum string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	list := outDir + "-file-list"
	if err := atomicfile.WriteFile(list, []byte(strings.Join(pkgs, "\n")), 0o644); err != nil {
		return err
	}
	_, err := createrepo.Run(treeDir, createrepo.Options{
		OutputDir:     outDir,
		PkgList:       list,
		Update:        true,
		UpdateMDPaths: []string{treeDir},
		SkipStat:      true,
		Database:      true,
		ChecksumType:  checksum,
		Workers:       c.Conf.Int("createrepo_num_workers"),
		Context:       ctx,
	})
	if err != nil {
		return fmt.Errorf("repodata for split ISO %s: %w", outDir, err)
	}
	return nil
}

func copyFile(src, dst string) error { return atomicfile.Copy(src, dst, 0o644) }

// PrepareISO is Pungi's prepare_iso: the disc's .treeinfo (media section,
// no boot.iso) and .discinfo, private copies of the boot loader files
// mkisofs patches, repodata of its own for a split disc, and the graft
// points file. It returns the graft points file.
func PrepareISO(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant, discNum, discCount int, disc Disc) (string, error) {
	tree := osTree(c, arch, v)
	name, err := images.ImageName(c.Conf, c.Info, arch, v, "dvd", discNum, ".iso")
	if err != nil {
		return "", err
	}
	isoDir := c.Paths.Work.ISODir(arch, name)
	for _, f := range []string{"isolinux/isolinux.bin", "images/boot.img"} {
		if _, err := os.Stat(filepath.Join(tree, f)); err == nil {
			if err := copyFile(filepath.Join(tree, f), filepath.Join(isoDir, f)); err != nil {
				return "", err
			}
		}
	}
	repomdSum := ""
	if discCount > 1 {
		checksum, _ := compose.StringOpt(c.Conf, "createrepo_checksum")
		if checksum == "" {
			checksum = "sha256"
		}
		pkgDir := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelPackages(arch, v))
		var list []string
		for _, f := range disc.Files {
			if strings.HasSuffix(f, ".rpm") && strings.HasPrefix(f, pkgDir+"/") {
				rel, _ := filepath.Rel(tree, f)
				list = append(list, filepath.ToSlash(rel))
			}
		}
		if len(list) > 0 {
			if err := WriteRepo(ctx, c, tree, isoDir, list, checksum); err != nil {
				return "", err
			}
			sum, err := fileChecksum(filepath.Join(isoDir, "repodata", "repomd.xml"), checksum)
			if err != nil {
				return "", err
			}
			repomdSum = checksum + ":" + sum
		}
	}
	if _, err := os.Stat(filepath.Join(tree, ".treeinfo")); err == nil {
		if err := TweakTreeinfo(filepath.Join(tree, ".treeinfo"), filepath.Join(isoDir, ".treeinfo"), discNum, discCount, repomdSum); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Join(tree, ".treeinfo"), err)
		}
	} else {
		c.Log.Warningf("%s.%s: no .treeinfo in %s; the ISO gets none", v.UID, arch, tree)
	}
	if _, err := os.Stat(filepath.Join(tree, ".discinfo")); err == nil {
		if err := TweakDiscinfo(filepath.Join(tree, ".discinfo"), filepath.Join(isoDir, ".discinfo"), discNum); err != nil {
			return "", err
		}
	}
	treeFiles, err := ScanTree(tree)
	if err != nil {
		return "", err
	}
	if discCount > 1 {
		treeFiles = TreeFromList(tree, disc.Files)
	}
	own, err := ScanTree(isoDir)
	if err != nil {
		return "", err
	}
	graft := GraftPoints(filepath.Join(c.Topdir, "compose"), []Tree{treeFiles, own})
	if c.Conf.Bool("createiso_break_hardlinks") {
		c.Log.Debugf("Breaking hardlinks for ISO %s for %s.%s", name, v.UID, arch)
		if err := BreakHardlinks(graft, StagingDir(c, arch, v, name)); err != nil {
			return "", err
		}
	}
	gp := isoDir + "-graft-points"
	return gp, WriteGraftPoints(gp, graft, []string{"*/lost+found", "*/boot.iso"})
}

// StagingDir is work/<arch>/<Variant>/iso-staging-dir/<filename>, where
// createiso_break_hardlinks puts private copies.
func StagingDir(c *compose.Compose, arch string, v *compose.Variant, filename string) string {
	return filepath.Join(c.Paths.Work.Topdir(arch), v.UID, "iso-staging-dir", filename)
}

// BreakHardlinks copies every graft point file that has more than one
// link into staging and points the graft there, then hardlinks copies with
// identical content to each other (Pungi's break_hardlinks followed by
// "hardlink -c"), so the ISO tools see no links into the compose tree.
func BreakHardlinks(graft Tree, staging string) error {
	keys := slices.Sorted(maps.Keys(graft))
	byHash := map[string]string{}
	for _, k := range keys {
		src := graft[k]
		st, err := os.Stat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if nlink(st) <= 1 {
			continue
		}
		dst := filepath.Join(staging, strings.TrimPrefix(src, "/"))
		sum, err := fileChecksum(src, "sha256")
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%s:%d", sum, st.Size())
		if first, ok := byHash[key]; ok {
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			os.Remove(dst)
			if err := os.Link(first, dst); err != nil {
				return err
			}
		} else {
			if err := copyFile(src, dst); err != nil {
				return err
			}
			byHash[key] = dst
		}
		graft[k] = dst
	}
	return nil
}
