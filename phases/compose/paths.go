package compose

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/phases/config"
)

// Paths lays out a compose directory exactly as Pungi's pungi.paths does.
// Methods return absolute paths and create the directories they name
// (Pungi's create_dir=True); Rel* variants return paths relative to the
// compose/ directory for metadata.
type Paths struct {
	Topdir  string
	Compose ComposePaths
	Work    WorkPaths
	Log     LogPaths
}

// NewPaths returns the layout under topdir.
func NewPaths(topdir string) *Paths {
	p := &Paths{Topdir: topdir}
	p.Compose = ComposePaths{p}
	p.Work = WorkPaths{p}
	p.Log = LogPaths{p}
	return p
}

func mkdir(path string) string {
	// Errors surface when the caller writes into the directory; keeping
	// the helpers single-valued keeps call sites readable.
	_ = os.MkdirAll(path, 0o755)
	return path
}

// ComposePaths are the paths under compose/.
type ComposePaths struct{ p *Paths }

// Topdir is compose/ (variant nil) or compose/<Variant>/<arch>; an addon
// lives in its parent's directory.
func (cp ComposePaths) Topdir(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.rel(arch, v)))
}

func (cp ComposePaths) rel(arch string, v *Variant) string {
	if v == nil {
		return ""
	}
	for v.Type == "addon" && v.Parent != nil {
		v = v.Parent
	}
	if arch == "src" {
		arch = "source"
	}
	return filepath.Join(v.UID, arch)
}

// RelOSTree is OSTree relative to compose/.
func (cp ComposePaths) RelOSTree(arch string, v *Variant) string {
	if arch == "src" || arch == "source" {
		return filepath.Join(cp.rel(arch, v), "tree")
	}
	return filepath.Join(cp.rel(arch, v), "os")
}

// OSTree is compose/<Variant>/<arch>/os, or …/source/tree for src.
func (cp ComposePaths) OSTree(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelOSTree(arch, v)))
}

// RelPackages is Packages relative to compose/.
func (cp ComposePaths) RelPackages(arch string, v *Variant) string {
	if v.Type == "addon" {
		return filepath.Join(cp.RelOSTree(arch, v), "addons", v.ID)
	}
	return filepath.Join(cp.RelOSTree(arch, v), "Packages")
}

// Packages is the package directory: …/os/Packages, or …/os/addons/<id>
// for an addon.
func (cp ComposePaths) Packages(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelPackages(arch, v)))
}

// RelRepository is Repository relative to compose/.
func (cp ComposePaths) RelRepository(arch string, v *Variant) string {
	if v.Type == "addon" {
		return cp.RelPackages(arch, v)
	}
	return cp.RelOSTree(arch, v)
}

// Repository is where repodata/ goes: the os tree, or the addon's package
// directory.
func (cp ComposePaths) Repository(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelRepository(arch, v)))
}

// RelDebugTree is compose/<Variant>/<arch>/debug/tree relative to compose/.
func (cp ComposePaths) RelDebugTree(arch string, v *Variant) string {
	return filepath.Join(cp.rel(arch, v), "debug", "tree")
}

// DebugTree is compose/<Variant>/<arch>/debug/tree.
func (cp ComposePaths) DebugTree(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelDebugTree(arch, v)))
}

// RelDebugPackages is DebugPackages relative to compose/.
func (cp ComposePaths) RelDebugPackages(arch string, v *Variant) string {
	if v.Type == "addon" {
		return filepath.Join(cp.RelDebugTree(arch, v), "addons", v.ID)
	}
	return filepath.Join(cp.RelDebugTree(arch, v), "Packages")
}

// DebugPackages is …/debug/tree/Packages (…/debug/tree/addons/<id>).
func (cp ComposePaths) DebugPackages(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelDebugPackages(arch, v)))
}

// RelDebugRepository is DebugRepository relative to compose/.
func (cp ComposePaths) RelDebugRepository(arch string, v *Variant) string {
	if v.Type == "addon" {
		return cp.RelDebugPackages(arch, v)
	}
	return cp.RelDebugTree(arch, v)
}

// DebugRepository is …/debug/tree (…/debug/tree/addons/<id>).
func (cp ComposePaths) DebugRepository(arch string, v *Variant) string {
	return mkdir(filepath.Join(cp.p.Topdir, "compose", cp.RelDebugRepository(arch, v)))
}

// RelISODir is ISODir relative to compose/ ("" when the variant gets no
// ISOs: addons, and optional variants unless create_optional_isos).
func (cp ComposePaths) RelISODir(arch string, v *Variant, createOptionalISOs bool) string {
	if v.Type == "addon" || (v.Type == "optional" && !createOptionalISOs) {
		return ""
	}
	return filepath.Join(cp.rel(arch, v), "iso")
}

// ISODir is compose/<Variant>/<arch>/iso, "" when the variant has none.
func (cp ComposePaths) ISODir(arch string, v *Variant, createOptionalISOs bool) string {
	rel := cp.RelISODir(arch, v, createOptionalISOs)
	if rel == "" {
		return ""
	}
	return mkdir(filepath.Join(cp.p.Topdir, "compose", rel))
}

// RelJigdoDir is …/jigdo relative to compose/ ("" as for ISODir).
func (cp ComposePaths) RelJigdoDir(arch string, v *Variant, createOptionalISOs bool) string {
	if v.Type == "addon" || (v.Type == "optional" && !createOptionalISOs) {
		return ""
	}
	return filepath.Join(cp.rel(arch, v), "jigdo")
}

// ImageDir is compose/<Variant>/<arch>/images, "" for anything but a
// top-level variant. It is not created.
func (cp ComposePaths) ImageDir(arch string, v *Variant) string {
	if v.Type != "variant" {
		return ""
	}
	return filepath.Join(cp.p.Topdir, "compose", cp.rel(arch, v), "images")
}

// Metadata is compose/metadata[/file].
func (cp ComposePaths) Metadata(file string) string {
	dir := mkdir(filepath.Join(cp.p.Topdir, "compose", "metadata"))
	if file == "" {
		return dir
	}
	return filepath.Join(dir, file)
}

// WorkPaths are the paths under work/.
type WorkPaths struct{ p *Paths }

// Topdir is work/<arch>, work/global for arch "".
func (wp WorkPaths) Topdir(arch string) string {
	if arch == "" {
		arch = "global"
	}
	return mkdir(filepath.Join(wp.p.Topdir, "work", arch))
}

// VariantsFile is work/global/variants.xml.
func (wp WorkPaths) VariantsFile() string { return filepath.Join(wp.Topdir(""), "variants.xml") }

// ComposeInfoBase is work/global/composeinfo-base.json.
func (wp WorkPaths) ComposeInfoBase() string {
	return filepath.Join(wp.Topdir(""), "composeinfo-base.json")
}

// Comps is work/<arch>/comps/comps-<arch>.xml, or comps-<Variant>.<arch>.xml.
func (wp WorkPaths) Comps(arch string, v *Variant) string {
	if arch == "" {
		arch = "global"
	}
	name := "comps-" + arch + ".xml"
	if v != nil {
		name = "comps-" + v.UID + "." + arch + ".xml"
	}
	return filepath.Join(mkdir(filepath.Join(wp.Topdir(arch), "comps")), name)
}

// CompsRepo is work/<arch>/comps_repo_<Variant>: an empty repository
// whose group metadata is the variant's comps (lorax and dnf read groups
// from it).
func (wp WorkPaths) CompsRepo(arch string, v *Variant) string {
	return mkdir(filepath.Join(wp.Topdir(arch), "comps_repo_"+v.UID))
}

// ArchRepo is work/<arch>/repo, the directory of an arch's package set
// repositories (PkgsetRepo).
func (wp WorkPaths) ArchRepo(arch string) string {
	return mkdir(filepath.Join(wp.Topdir(arch), "repo"))
}

// PkgsetRepo is work/<arch>/repo/<name>: package set name of an arch as a
// repository, as Pungi's pkgset_repo ("repos" for pkgset_source repos, a
// Koji tag's name for each tag of a Koji compose).
func (wp WorkPaths) PkgsetRepo(arch, name string) string {
	return mkdir(filepath.Join(wp.Topdir(arch), "repo", name))
}

// PkgsetRepoNames are the names of the package set repositories the pkgset
// phase wrote for an arch (work/<arch>/repo/<name>/repodata), sorted;
// every arch's when arch is "" (for paths with $basearch).
func (wp WorkPaths) PkgsetRepoNames(arch string) []string {
	var arches []string
	if arch != "" {
		arches = []string{arch}
	} else if ents, err := os.ReadDir(filepath.Join(wp.p.Topdir, "work")); err == nil {
		for _, e := range ents {
			arches = append(arches, e.Name())
		}
	}
	seen := map[string]bool{}
	for _, a := range arches {
		ents, err := os.ReadDir(filepath.Join(wp.p.Topdir, "work", a, "repo"))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if _, err := os.Stat(filepath.Join(wp.p.Topdir, "work", a, "repo", e.Name(), "repodata")); err == nil {
				seen[e.Name()] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// PkgsetPackageList is work/<arch>/package_list/<arch>.<name>.conf: the
// packages of package set name's repository for an arch.
func (wp WorkPaths) PkgsetPackageList(arch, name string) string {
	return filepath.Join(mkdir(filepath.Join(wp.Topdir(arch), "package_list")), arch+"."+name+".conf")
}

// PackageList is work/<arch>/package_list/[<Variant>.]<arch>[.<type>].conf.
func (wp WorkPaths) PackageList(arch string, v *Variant, pkgType string) string {
	name := arch
	if v != nil {
		name = v.UID + "." + arch
	}
	if pkgType != "" {
		name += "." + pkgType
	}
	return filepath.Join(mkdir(filepath.Join(wp.Topdir(arch), "package_list")), name+".conf")
}

// RepoPackageList is work/<arch>/repo_package_list/<Variant>.<arch>[.<type>].conf.
func (wp WorkPaths) RepoPackageList(arch string, v *Variant, pkgType string) string {
	name := v.UID + "." + arch
	if pkgType != "" {
		name += "." + pkgType
	}
	return filepath.Join(mkdir(filepath.Join(wp.Topdir(arch), "repo_package_list")), name+".conf")
}

// ExtraFilesDir is work/<arch>/<Variant>/extra-files.
func (wp WorkPaths) ExtraFilesDir(arch string, v *Variant) string {
	return mkdir(filepath.Join(wp.Topdir(arch), v.UID, "extra-files"))
}

// BuildinstallDir is work/<arch>/buildinstall[/<Variant>].
func (wp WorkPaths) BuildinstallDir(arch string, v *Variant) string {
	if v == nil {
		return filepath.Join(wp.Topdir(arch), "buildinstall")
	}
	return filepath.Join(wp.Topdir(arch), "buildinstall", v.UID)
}

// ProductID is work/<arch>/product_id/<Variant>.<arch>.pem/productid.
func (wp WorkPaths) ProductID(arch string, v *Variant) string {
	return filepath.Join(mkdir(filepath.Join(wp.Topdir(arch), "product_id", v.UID+"."+arch+".pem")), "productid")
}

// ISODir is work/<arch>/iso/<filename>, the staging area of one ISO.
func (wp WorkPaths) ISODir(arch, filename string) string {
	return mkdir(filepath.Join(wp.Topdir(arch), "iso", filename))
}

// TmpDir is work/<arch>/tmp[-<Variant>]: every temporary file of the
// compose goes here, never to the system temporary directory.
func (wp WorkPaths) TmpDir(arch string, v *Variant) string {
	name := "tmp"
	if v != nil {
		name += "-" + v.UID
	}
	return mkdir(filepath.Join(wp.Topdir(arch), name))
}

// MkdirTemp creates a temporary directory under work/<arch>/tmp[-<Variant>]
// (arch "" for global), never outside the compose.
func (wp WorkPaths) MkdirTemp(arch string, v *Variant, prefix string) (string, error) {
	return os.MkdirTemp(wp.TmpDir(arch, v), prefix)
}

// ImageBuildDir is work/image-build/<Variant>.
func (wp WorkPaths) ImageBuildDir(v *Variant) string {
	return mkdir(filepath.Join(wp.Topdir("image-build"), v.UID))
}

// LogPaths are the paths under logs/.
type LogPaths struct{ p *Paths }

// Topdir is logs/<arch>, logs/global for arch "".
func (lp LogPaths) Topdir(arch string) string {
	if arch == "" {
		arch = "global"
	}
	return mkdir(filepath.Join(lp.p.Topdir, "logs", arch))
}

// LogFile is logs/<arch>/<name>.<arch>.log (a trailing .log in name is
// dropped, as Pungi does).
func (lp LogPaths) LogFile(arch, name string) string {
	if arch == "" {
		arch = "global"
	}
	name = strings.TrimSuffix(name, ".log")
	return filepath.Join(lp.Topdir(arch), fmt.Sprintf("%s.%s.log", name, arch))
}

// KojiTasksDir is logs/global/koji-tasks: one empty file per Koji task
// the compose started, so a terminated compose can cancel them.
func (lp LogPaths) KojiTasksDir() string { return filepath.Join(lp.Topdir(""), "koji-tasks") }

// TranslatePath applies the config's translate_paths ([(prefix,
// replacement)], the first matching prefix wins) to path, cleaned.
func TranslatePath(conf *config.Config, path string) string {
	v, _ := conf.Get("translate_paths")
	norm := filepath.Clean(path)
	for _, item := range AsList(v) {
		pair := AsStrings(item)
		if len(pair) != 2 {
			continue
		}
		// As Pungi's translate_path_raw: the cleaned prefix has no
		// trailing slash, so the replacement loses its own.
		prefix := filepath.Clean(pair[0])
		if strings.HasPrefix(norm, prefix) {
			return strings.Replace(norm, prefix, strings.TrimRight(pair[1], "/"), 1)
		}
	}
	return norm
}

// ResolvePath makes a path from the config absolute against the directory
// of the main config file configPath ("" for one built in memory: the
// working directory); URLs are returned as they are.
func ResolvePath(configPath, p string) string {
	if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	dir := ConfigDir(configPath)
	abs, err := filepath.Abs(filepath.Join(dir, p))
	if err != nil {
		return filepath.Join(dir, p)
	}
	return abs
}

// ConfigDir is the directory of the main config file configPath ("." for
// ""); relative paths in the config are relative to it.
func ConfigDir(configPath string) string {
	if configPath == "" {
		return "."
	}
	return filepath.Dir(configPath)
}
