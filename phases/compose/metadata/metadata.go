// Package metadata owns the compose metadata written between phases, as
// Pungi's pungi.metadata: the .treeinfo of every tree, .discinfo and
// media.repo (after the package trees, before ISOs), and
// metadata/composeinfo.json (before the test phase). It registers these as
// the compose's internal steps.
//
// The tree step is handed the buildinstall phase's result: where
// buildinstall succeeded, the boot images lorax listed in
// work/<arch>/buildinstall/<Variant>/.treeinfo (work/<arch>/buildinstall/.treeinfo
// for other methods) are merged into the variant's .treeinfo — platforms,
// [images-*], [stage2] and their [checksums] — as Pungi's write_tree_info.
package metadata

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/checksum"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/productmd"
)

// TreeStep writes .treeinfo, .discinfo and media.repo of every tree. Boot
// is the buildinstall phase's result (nil: the run has none).
type TreeStep struct {
	Boot *bootmedia.Result
}

// NewTreeStep makes the tree metadata step of a run whose buildinstall
// phase fills boot.
func NewTreeStep(boot *bootmedia.Result) *TreeStep { return &TreeStep{Boot: boot} }

// Name implements compose.Phase.
func (*TreeStep) Name() string { return compose.StepTreeMetadata }

// Skip implements compose.Phase.
func (*TreeStep) Skip(*compose.Compose) bool { return false }

// Run implements compose.Phase.
func (s *TreeStep) Run(ctx context.Context, c *compose.Compose) error {
	now := time.Now().Unix()
	for _, v := range c.GetVariants(nil, "") {
		for _, arch := range append(append([]string{}, v.Arches...), "src") {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := WriteTreeInfo(c, arch, v, now, s.Boot); err != nil {
				return fmt.Errorf("treeinfo %s.%s: %w", v.UID, arch, err)
			}
		}
	}
	for _, v := range c.GetVariants(nil, "") {
		if v.Type == "addon" || v.IsEmpty {
			continue
		}
		for _, arch := range append(append([]string{}, v.Arches...), "src") {
			ts, err := WriteDiscInfo(c, arch, v)
			if err != nil {
				return err
			}
			if err := WriteMediaRepo(c, arch, v, ts); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileChecksum is "TYPE:HEX" of path, sha256 for a type other than sha1
// or sha512.
func fileChecksum(path, typ string) (string, error) {
	if typ != "sha1" && typ != "sha512" {
		typ = "sha256"
	}
	sums, err := checksum.File(context.Background(), path, []string{typ})
	if err != nil {
		return "", err
	}
	return typ + ":" + sums[typ], nil
}

func rel(base, target string) string {
	r, err := filepath.Rel(base, target)
	if err != nil {
		return target
	}
	return filepath.ToSlash(r)
}

// WriteTreeInfo is Pungi's write_tree_info for one variant.arch; boot is
// the buildinstall phase's result (nil: none ran).
func WriteTreeInfo(c *compose.Compose, arch string, v *compose.Variant, timestamp int64, boot *bootmedia.Result) error {
	if v.Type == "addon" || v.IsEmpty {
		return nil
	}
	osTree := c.Paths.Compose.OSTree(arch, v)
	ci := c.Info
	ti := &productmd.TreeInfo{Arch: arch, Timestamp: timestamp, Checksums: map[string]string{}}
	if arch == "src" {
		ti.Arch = "src"
	}
	if v.Type == "layered-product" && v.Release != nil {
		ti.Release = productmd.Release{Name: v.Release.Name, Short: v.Release.Short, Version: v.Release.Version, IsLayered: true}
		bv := ci.Release.Version
		if i := strings.LastIndex(bv, "."); i >= 0 {
			bv = bv[:i]
		}
		ti.BaseProduct = &productmd.Release{Name: ci.Release.Name, Short: ci.Release.Short, Version: bv}
	} else {
		ver := ci.Release.Version
		if tv, ok := compose.StringOpt(c.Conf, "treeinfo_version"); ok && tv != "" {
			ver = tv
		}
		ti.Release = productmd.Release{Name: ci.Release.Name, Short: ci.Release.Short, Version: ver, IsLayered: ci.Release.IsLayered}
		ti.BaseProduct = ci.BaseProduct
	}
	// productmd refuses a dash in a variant ID; Pungi removes them
	// (Foo-Tools → FooTools) and keeps the UID.
	main := &productmd.TreeVariant{ID: strings.ReplaceAll(v.ID, "-", ""), UID: v.UID, Name: v.Name, Type: v.Type, Paths: map[string]string{}}
	if v.Type == "layered-product" {
		main.ID, main.UID, main.Name, main.Type = v.Parent.ID, v.Parent.UID, v.Parent.Name, "variant"
	}
	main.Paths["packages"] = rel(osTree, c.Paths.Compose.Packages(arch, v))
	main.Paths["repository"] = rel(osTree, c.Paths.Compose.Repository(arch, v))
	ti.Variants = []*productmd.TreeVariant{main}
	sum := compose.CreaterepoChecksum(c.Conf)
	// addSum adds the checksum of a file in the tree. A repomd.xml that is
	// not there is left out (Pungi checks isfile); a boot image lorax's
	// .treeinfo lists must be there (productmd's checksums.add reads it
	// and Pungi fails without it), or the tree would name an image it
	// lacks.
	addSum := func(relPath string, required bool) error {
		p := filepath.Join(osTree, filepath.FromSlash(relPath))
		if _, err := os.Stat(p); err != nil {
			if required {
				return fmt.Errorf("%s: buildinstall's .treeinfo lists %s, which the tree lacks", p, relPath)
			}
			return nil
		}
		s, err := fileChecksum(p, sum)
		if err != nil {
			return err
		}
		ti.Checksums[filepath.ToSlash(filepath.Clean(relPath))] = s
		return nil
	}
	if err := addSum(main.Paths["repository"]+"/repodata/repomd.xml", false); err != nil {
		return err
	}
	// Pungi's get_variants takes arch "src" as every variant's, so a source
	// tree lists its addons too.
	for _, a := range v.GetVariants(arch, []string{"addon"}, false) {
		av := &productmd.TreeVariant{ID: a.ID, UID: a.UID, Name: a.Name, Type: a.Type, Parent: main.UID, Paths: map[string]string{
			"packages":   rel(osTree, c.Paths.Compose.Packages(arch, a)),
			"repository": rel(osTree, c.Paths.Compose.Repository(arch, a)),
		}}
		main.Addons = append(main.Addons, av)
		if err := addSum(av.Paths["repository"]+"/repodata/repomd.xml", false); err != nil {
			return err
		}
	}
	if v.Type == "variant" && arch != "src" {
		if err := mergeBuildinstall(c, arch, v, boot, ti, addSum); err != nil {
			return err
		}
	}
	path := filepath.Join(osTree, ".treeinfo")
	c.Log.Infof("Writing treeinfo: %s", path)
	return atomicfile.WriteWith(path, 0o644, ti.Write)
}

// mergeBuildinstall copies lorax's boot images into the tree's .treeinfo
// where buildinstall succeeded (or did not run, as Pungi's succeeded()
// answers): the stage2 images, every platform's images with a path, and
// their checksums computed on the files in the tree.
func mergeBuildinstall(c *compose.Compose, arch string, v *compose.Variant, boot *bootmedia.Result, ti *productmd.TreeInfo, addSum func(string, bool) error) error {
	if !boot.Succeeded(v.UID, arch) {
		return nil
	}
	method, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	p := bootmedia.TreeinfoPath(c.Paths.Work.BuildinstallDir(arch, nil), method, v.UID)
	bi, err := productmd.ReadTreeInfoFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, img := range []struct {
		dst *string
		src string
	}{{&ti.MainImage, bi.MainImage}, {&ti.InstImage, bi.InstImage}} {
		if img.src == "" {
			continue
		}
		*img.dst = img.src
		if err := addSum(img.src, true); err != nil {
			return err
		}
	}
	for plat, imgs := range bi.Images {
		if ti.Images == nil {
			ti.Images = map[string]map[string]string{}
		}
		ti.Images[plat] = map[string]string{}
		if !slices.Contains(ti.Platforms, plat) {
			ti.Platforms = append(ti.Platforms, plat)
		}
		for img, path := range imgs {
			if path == "" {
				// An image without a path cannot be listed.
				continue
			}
			ti.Images[plat][img] = path
			if err := addSum(path, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// description is Pungi's get_description, the text of .discinfo and
// media.repo: release_discinfo_description when set (with %(variant_name)s
// and %(arch)s filled in), for a layered-product variant "<its release>
// for <release> <major version>", otherwise "<release> <version>" plus
// " for <base product> <version>" for layered releases.
func description(c *compose.Compose, v *compose.Variant, arch string) string {
	if d, ok := compose.StringOpt(c.Conf, "release_discinfo_description"); ok {
		return strings.NewReplacer("%(variant_name)s", v.Name, "%(arch)s", arch, "%%", "%").Replace(d)
	}
	if v.Type == "layered-product" && v.Release != nil {
		major, _, _ := strings.Cut(c.Info.Release.Version, ".")
		return v.Release.Name + " " + v.Release.Version + " for " + c.Info.Release.Name + " " + major
	}
	d := c.Info.Release.Name + " " + c.Info.Release.Version
	if c.Info.Release.IsLayered && c.Info.BaseProduct != nil {
		d += " for " + c.Info.BaseProduct.Name + " " + c.Info.BaseProduct.Version
	}
	return d
}

// WriteDiscInfo writes the tree's .discinfo and returns its timestamp.
func WriteDiscInfo(c *compose.Compose, arch string, v *compose.Variant) (float64, error) {
	ts := float64(time.Now().UnixNano()) / 1e9
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var n int64
		if _, err := fmt.Sscan(s, &n); err == nil {
			ts = float64(n)
		}
	}
	path := filepath.Join(c.Paths.Compose.OSTree(arch, v), ".discinfo")
	return ts, atomicfile.WriteFile(path, []byte(productmd.DiscInfo(ts, description(c, v, arch), arch, nil)), 0o644)
}

// WriteMediaRepo writes the tree's media.repo.
func WriteMediaRepo(c *compose.Compose, arch string, v *compose.Variant, ts float64) error {
	path := filepath.Join(c.Paths.Compose.OSTree(arch, v), "media.repo")
	return atomicfile.WriteFile(path, []byte(productmd.MediaRepo(description(c, v, arch), fmt.Sprintf("%f", ts))), 0o644)
}

// ComposeStep writes metadata/composeinfo.json.
type ComposeStep struct{}

// Name implements compose.Phase.
func (*ComposeStep) Name() string { return compose.StepComposeMetadata }

// Skip implements compose.Phase.
func (*ComposeStep) Skip(*compose.Compose) bool { return false }

// Run implements compose.Phase.
func (*ComposeStep) Run(ctx context.Context, c *compose.Compose) error {
	ci := ComposeInfo(c, true)
	path := c.Paths.Compose.Metadata("composeinfo.json")
	c.Log.Infof("Writing composeinfo: %s", path)
	return productmd.WriteJSON(path, ci)
}

// ComposeInfo is Pungi's compose_to_composeinfo; with onlyExisting, paths
// of directories that do not exist are left out (write_compose_info).
func ComposeInfo(c *compose.Compose, onlyExisting bool) *productmd.ComposeInfo {
	ci := *c.Info
	ci.Compose.Final = c.Supported
	top := filepath.Join(c.Topdir, "compose")
	treeArches := compose.StringsOpt(c.Conf, "tree_arches")
	var dump func(v *compose.Variant) *productmd.Variant
	dump = func(v *compose.Variant) *productmd.Variant {
		if len(treeArches) > 0 && !intersects(v.Arches, treeArches) {
			return nil
		}
		pv := &productmd.Variant{ID: strings.ReplaceAll(v.ID, "-", ""), UID: v.UID, Name: v.Name, Type: v.Type,
			Arches: append([]string(nil), v.Arches...), Paths: map[string]map[string]string{}}
		if v.Type == "layered-product" && v.Release != nil {
			pv.Release = &productmd.Release{Name: v.Release.Name, Short: v.Release.Short, Version: v.Release.Version, Type: ci.Release.Type, IsLayered: true}
		}
		set := func(kind, arch, relPath string, mustExist bool) {
			if relPath == "" {
				return
			}
			if (onlyExisting || mustExist) && !isDir(filepath.Join(top, relPath)) {
				return
			}
			if pv.Paths[kind] == nil {
				pv.Paths[kind] = map[string]string{}
			}
			pv.Paths[kind][arch] = filepath.ToSlash(relPath)
		}
		cp := c.Paths.Compose
		optISOs := c.Conf.Bool("create_optional_isos")
		for _, arch := range v.Arches {
			set("os_tree", arch, cp.RelOSTree(arch, v), false)
			set("repository", arch, cp.RelRepository(arch, v), false)
			set("packages", arch, cp.RelPackages(arch, v), false)
			set("isos", arch, cp.RelISODir(arch, v, optISOs), true)
			if img := cp.ImageDir(arch, v); img != "" {
				set("images", arch, rel(top, img), true)
			}
			set("jigdos", arch, cp.RelJigdoDir(arch, v, optISOs), true)
			set("source_tree", arch, cp.RelOSTree("src", v), false)
			set("source_repository", arch, cp.RelRepository("src", v), false)
			set("source_packages", arch, cp.RelPackages("src", v), false)
			set("source_isos", arch, cp.RelISODir("src", v, optISOs), true)
			set("source_jigdos", arch, cp.RelJigdoDir("src", v, optISOs), true)
			set("debug_tree", arch, cp.RelDebugTree(arch, v), false)
			set("debug_repository", arch, cp.RelDebugRepository(arch, v), false)
			set("debug_packages", arch, cp.RelDebugPackages(arch, v), false)
		}
		for _, child := range v.Variants {
			if cv := dump(child); cv != nil {
				pv.Variants = append(pv.Variants, cv)
			}
		}
		return pv
	}
	ci.Variants = nil
	for _, v := range c.Variants {
		if pv := dump(v); pv != nil {
			ci.Variants = append(ci.Variants, pv)
		}
	}
	return &ci
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
