package createiso

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/phases/runroot"
)

// ExtraISOs is the extra_isos phase: ISOs of a variant that also carry
// other variants' packages and repodata (each under <UID>/), plus extra
// files, optionally bootable with the variant's buildinstall output. Boot
// is the buildinstall phase's result (nil when the run has none): a
// bootable extra ISO is reused only where buildinstall was.
type ExtraISOs struct {
	Boot *bootmedia.Result
}

// NewExtraISOs makes the extra_isos phase of a run whose buildinstall
// phase fills boot.
func NewExtraISOs(boot *bootmedia.Result) *ExtraISOs { return &ExtraISOs{Boot: boot} }

// Name implements compose.Phase.
func (*ExtraISOs) Name() string { return "extra_isos" }

// Skip implements compose.Phase.
func (*ExtraISOs) Skip(c *compose.Compose) bool {
	v, ok := c.Conf.Get("extra_isos")
	m, isMap := v.(map[string]any)
	return !ok || v == nil || (isMap && len(m) == 0)
}

type extraConf map[string]any

func (e extraConf) strs(k string) []string { return compose.AsStrings(e[k]) }

func extraBlocks(c *compose.Compose, v *compose.Variant) ([]extraConf, error) {
	raw, _ := c.Conf.Get("extra_isos")
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("extra_isos: want a {variant regex: [configs]} dict")
	}
	pats := slices.Sorted(maps.Keys(m))
	var out []extraConf
	for _, p := range pats {
		re, err := regexp.Compile("^(?:" + p + ")")
		if err != nil {
			return nil, fmt.Errorf("extra_isos: bad pattern %q: %v", p, err)
		}
		if !re.MatchString(v.UID) {
			continue
		}
		vals := compose.AsList(m[p])
		if vals == nil {
			vals = []any{m[p]}
		}
		for _, x := range vals {
			b, ok := x.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("extra_isos for %s: a config must be a dict", v.UID)
			}
			out = append(out, extraConf(b))
		}
	}
	return out, nil
}

// Validate warns about arches a variant does not have and checks that
// included variants exist.
func (*ExtraISOs) Validate(c *compose.Compose, f *compose.Findings) {
	for _, v := range c.GetVariants([]string{"variant"}, "") {
		blocks, err := extraBlocks(c, v)
		if err != nil {
			f.Errorf("extra_isos", "%v", err)
			return
		}
		for _, b := range blocks {
			// As Pungi: one warning per block, the extra arches sorted.
			var extra []string
			for _, a := range b.strs("arches") {
				if !v.HasArch(a) && !slices.Contains(extra, a) {
					extra = append(extra, a)
				}
			}
			if len(extra) > 0 {
				slices.Sort(extra)
				f.Warnf("extra_isos", "Extra iso config for %s mentions non-existing arches: %s", v.UID, strings.Join(extra, ", "))
			}
			for _, iv := range b.strs("include_variants") {
				if c.Variant(iv) == nil {
					f.Errorf("extra_isos", "extra_isos for %s: include_variants names unknown variant %s", v.UID, iv)
				}
			}
		}
	}
}

// Run implements compose.Phase.
func (p *ExtraISOs) Run(ctx context.Context, c *compose.Compose) error {
	if err := compose.ValidateConfig(c, p); err != nil {
		return err
	}
	type item struct {
		conf extraConf
		v    *compose.Variant
		arch string
	}
	var items []item
	for _, v := range c.GetVariants([]string{"variant"}, "") {
		blocks, err := extraBlocks(c, v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			var arches []string
			want := b.strs("arches")
			for _, a := range v.Arches {
				if len(want) == 0 || slices.Contains(want, a) {
					arches = append(arches, a)
				}
			}
			if skip, _ := b["skip_src"].(bool); !skip {
				arches = append(arches, "src")
			}
			sort.Strings(arches)
			for _, a := range arches {
				items = append(items, item{b, v, a})
			}
		}
	}
	rr := runroot.New(c, "extra_isos")
	tasks := make([]compose.Task, len(items))
	for i, it := range items {
		tasks[i] = compose.Task{Name: it.v.UID + "." + it.arch, Run: func(ctx context.Context) error {
			canFail := slices.Contains(it.conf.strs("failable_arches"), it.arch)
			work := func() error { return extraISO(ctx, c, rr, p.Boot, it.conf, it.v, it.arch, canFail) }
			if !canFail {
				c.RequireDeliverable(it.v, it.arch, "extra_iso", "")
				return work()
			}
			c.AttemptDeliverable(it.v, it.arch, "extra_iso", "")
			if err := work(); err != nil {
				c.FailDeliverable(it.v, it.arch, "extra_iso", "")
				c.Log.Errorf("[FAIL] Extra iso (variant %s, arch %s) failed, but going on anyway.", it.v.UID, it.arch)
				c.Log.Errorf("%v", err)
			}
			return nil
		}}
	}
	return c.RunTasks(ctx, "extra_isos", tasks, 2)
}

func extraISO(ctx context.Context, c *compose.Compose, rr *runroot.Runner, boot *bootmedia.Result, conf extraConf, v *compose.Variant, arch string, canFail bool) error {
	discType := DiscType(c, "dvd")
	base, err := images.ImageName(c.Conf, c.Info, arch, v, discType, 1, ".iso")
	if err != nil {
		return err
	}
	filename := base
	if f, _ := conf["filename"].(string); f != "" {
		s := images.BaseSubsts(c.Info)
		a := arch
		s["arch"], s["disc_type"], s["disc_num"], s["suffix"], s["filename"], s["variant"] = a, discType, 1, ".iso", base, v.UID
		if filename, err = images.Format(f, s); err != nil {
			return fmt.Errorf("Failed to create image name: %w", err)
		}
	}
	plain, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
	if err != nil {
		return err
	}
	volid := plain
	if formats := conf.strs("volid"); len(formats) > 0 {
		if volid, err = images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType, Formats: formats,
			Extra: images.Substs{"volid": plain}}); err != nil {
			return err
		}
	}
	isoDir, err := ISODir(c, arch, v)
	if err != nil || isoDir == "" {
		return fmt.Errorf("extra_isos: no iso directory for %s.%s: %v", v.UID, arch, err)
	}
	extraDir := filepath.Join(c.Paths.Work.Topdir(arch), v.UID, "extra-iso-extra-files")
	if err := os.MkdirAll(extraDir, 0o755); err != nil {
		return err
	}
	desc := c.Info.Release.Name + " " + c.Info.Release.Version
	if err := atomicfile.WriteFile(filepath.Join(extraDir, "media.repo"), []byte(productmd.MediaRepo(desc, "")), 0o644); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(extraDir, ".discinfo"), []byte(productmd.DiscInfo(float64(time.Now().Unix()), desc, arch, nil)), 0o644); err != nil {
		return err
	}
	for _, raw := range compose.AsList(conf["extra_files"]) {
		scm, err := compose.ParseSCM(raw)
		if err != nil {
			return fmt.Errorf("extra_isos extra_files: %w", err)
		}
		if _, err := c.Fetch(ctx, scm, filepath.Join(extraDir, strings.TrimPrefix(scm.Target, "/"))); err != nil {
			return fmt.Errorf("extra_isos extra_files: %w", err)
		}
	}
	method, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	bootable := arch != "src" && method != ""
	include := conf.strs("include_variants")
	inherit, _ := conf["inherit_extra_files"].(bool)
	gp, err := extraContents(c, v, arch, include, filename, bootable, inherit, extraDir)
	if err != nil {
		return err
	}
	tree := osTree(c, arch, v)
	opts := ScriptOpts{OutputDir: isoDir, ISOName: filename, VolID: volid, GraftPoints: gp, Arch: arch, Supported: c.Supported,
		HFSCompat: c.Conf.Bool("iso_hfs_ppc64le_compatible"), UseXorrisofs: c.Conf.Bool("createiso_use_xorrisofs"),
		ISOLevel: c.Conf.Int("iso_level")}
	if c.Conf.Bool("create_jigdo") {
		opts.JigdoDir = filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelJigdoDir(arch, v, true))
		opts.OSTree = tree
		os.MkdirAll(opts.JigdoDir, 0o755)
	}
	if bootable {
		opts.BuildinstallMethod, opts.BootISO = method, filepath.Join(tree, "images", "boot.iso")
	}
	opts.ScriptDir = c.Paths.Work.TmpDir(arch, v)
	script, xcmds, err := Script(opts)
	if err != nil {
		return err
	}
	if xcmds != "" {
		if err := atomicfile.WriteFile(filepath.Join(opts.ScriptDir, "xorriso-"+filename+".txt"), []byte(xcmds), 0o644); err != nil {
			return err
		}
	}
	scriptFile := filepath.Join(opts.ScriptDir, "extraiso-"+filename+".sh")
	if err := atomicfile.WriteFile(scriptFile, []byte(script), 0o755); err != nil {
		return err
	}
	job := &Job{Variant: v, Arch: arch, ISOPath: filepath.Join(isoDir, filename), Bootable: bootable, DiscNum: 1, DiscCount: 1,
		Script: scriptFile, Mounts: []string{c.Topdir}, Deliverable: "extra_iso", AdditionalVariants: include}
	c.Log.Infof("[BEGIN] Creating ISO (arch: %s, variant: %s): %s", arch, v.UID, filename)
	hash, err := extraConfigHash(conf)
	if err != nil {
		return err
	}
	if !tryReuseExtra(c, job, opts, hash, boot) {
		if _, err := rr.Run(ctx, runroot.Request{Command: "bash " + runroot.ShellQuote(scriptFile),
			LogFile: c.Paths.Log.LogFile(arch, "extraiso-"+filename), Arch: arch,
			Packages: []string{"coreutils", "genisoimage", "isomd5sum"}, Mounts: job.Mounts}); err != nil {
			os.Remove(job.ISOPath)
			return fmt.Errorf("%s: %w", filename, err)
		}
	}
	im, err := AddToManifest(c, job)
	if err != nil {
		return err
	}
	im.CanFail = canFail
	if ms, ok := conf["max_size"].(int64); ok {
		im.MaxSize = ms
	}
	if err := saveExtraReuseMeta(c, job, opts, hash); err != nil {
		c.Log.Warningf("extra_isos reuse metadata: %v", err)
	}
	c.Log.Infof("[DONE ] Creating ISO (arch: %s, variant: %s): %s", arch, v.UID, filename)
	return nil
}

// extraConfigHash identifies an extra_isos entry: its metadata file is
// named by it, so a changed entry finds nothing to reuse.
func extraConfigHash(conf extraConf) (string, error) {
	b, err := json.Marshal(map[string]any(conf)) // keys sorted
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func extraReuseMetaPath(c *compose.Compose, j *Job, hash string) string {
	return filepath.Join(c.Paths.Log.Topdir(j.Arch), fmt.Sprintf("extraiso-reuse-%s-%s-%s.%s.json", j.Variant.UID, j.Arch, hash, j.Arch))
}

func saveExtraReuseMeta(c *compose.Compose, j *Job, o ScriptOpts, hash string) error {
	m := newReuseMeta(j, o)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(extraReuseMetaPath(c, j, hash), data, 0o644)
}

// tryReuseExtra is Pungi's ExtraIsosThread.try_reuse: with
// extraiso_allow_reuse (default on), an unchanged extra_isos entry (same
// hash), the same configuration, volume ID and packages as in the newest
// old compose, the old ISO, manifest, log and jigdo files are hardlinked.
// A bootable one needs buildinstall to have been reused.
func tryReuseExtra(c *compose.Compose, j *Job, o ScriptOpts, hash string, boot *bootmedia.Result) bool {
	if !c.Conf.Bool("extraiso_allow_reuse") {
		return false
	}
	msg := fmt.Sprintf("Cannot reuse ISO for %s.%s", j.Variant.UID, j.Arch)
	old, oldPath := oldCompose(c)
	if old == "" {
		c.Log.Infof("%s - no old compose", msg)
		return false
	}
	if j.Bootable && !boot.Reused(j.Variant.UID, j.Arch) {
		c.Log.Infof("%s - boot configuration changed", msg)
		return false
	}
	if !sameConfig(c, oldPath, msg) {
		return false
	}
	prev, err := loadReuseMeta(oldPath(extraReuseMetaPath(c, j, hash)))
	if err != nil {
		c.Log.Infof("%s - no old metadata found", msg)
		return false
	}
	if !sameISOInput(c, prev, newReuseMeta(j, o), msg) {
		return false
	}
	if err := linkOld(isoFiles(c, oldPath, prev, o, j.ISOPath, "extraiso-")); err != nil {
		c.Log.Errorf("Error while reusing ISO for %s.%s: %v", j.Variant.UID, j.Arch, err)
		return false
	}
	c.Log.Infof("Reusing ISO %s from %s", filepath.Base(j.ISOPath), old)
	return true
}

// extraContents is get_iso_contents: boot files (from buildinstall, with
// the tweaked efiboot.img of the tree), each variant's packages and
// repodata under <UID>/, inherited extra files, then the ISO's own extra
// files and a .treeinfo listing the variants.
func extraContents(c *compose.Compose, v *compose.Variant, arch string, include []string, filename string, bootable, inherit bool, extraDir string) (string, error) {
	isoDir := c.Paths.Work.ISODir(arch, filename)
	top := filepath.Join(c.Topdir, "compose")
	files := Tree{}
	if bootable {
		bi := filepath.Join(c.Paths.Work.BuildinstallDir(arch, nil), v.UID)
		for _, f := range []string{"isolinux/isolinux.bin", "images/boot.img"} {
			if _, err := os.Stat(filepath.Join(bi, f)); err == nil {
				if err := copyFile(filepath.Join(bi, f), filepath.Join(isoDir, f)); err != nil {
					return "", err
				}
			}
		}
		biTree, err := ScanTree(bi)
		if err != nil {
			return "", fmt.Errorf("bootable extra ISO needs buildinstall output: %w", err)
		}
		own, _ := ScanTree(isoDir)
		files = GraftPoints(top, []Tree{biTree, own})
		if _, ok := files["images/efiboot.img"]; ok {
			files["images/efiboot.img"] = filepath.Join(osTree(c, arch, v), "images", "efiboot.img")
		}
	}
	for _, uid := range append([]string{v.UID}, include...) {
		vv := c.Variant(uid)
		if vv == nil {
			return "", fmt.Errorf("extra_isos: unknown variant %s", uid)
		}
		add := func(dir, prefix string) error {
			if _, err := os.Stat(dir); err != nil {
				return nil
			}
			t, err := ScanTree(dir)
			if err != nil {
				return err
			}
			for k, p := range GraftPoints(top, []Tree{t}) {
				files[prefix+"/"+k] = p
			}
			return nil
		}
		// Pungi's paths create the package directory on lookup, so an
		// included variant without this arch is left an empty os/Packages/.
		pkgDir := filepath.Join(top, c.Paths.Compose.RelPackages(arch, vv))
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return "", err
		}
		if err := add(pkgDir, vv.UID+"/Packages"); err != nil {
			return "", err
		}
		if err := add(filepath.Join(top, c.Paths.Compose.RelRepository(arch, vv), "repodata"), vv.UID+"/repodata"); err != nil {
			return "", err
		}
		if inherit {
			if err := add(filepath.Join(c.Paths.Work.Topdir(arch), vv.UID, "extra-files"), vv.UID); err != nil {
				return "", err
			}
		}
	}
	if ti := filepath.Join(osTree(c, arch, v), ".treeinfo"); fileExists(ti) {
		if err := extraTreeinfo(c, include, ti, filepath.Join(extraDir, ".treeinfo")); err != nil {
			return "", err
		}
	}
	ex, err := ScanTree(extraDir)
	if err != nil {
		return "", err
	}
	for k, p := range ex {
		files[k] = p
	}
	gp := isoDir + "-graft-points"
	return gp, WriteGraftPoints(gp, files, []string{"*/lost+found", "*/boot.iso"})
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// extraTreeinfo is Pungi's extra_isos tweak_treeinfo: the tree's
// .treeinfo made media-like, listing the included variants too, every
// top-level variant with its packages under <UID>/.
func extraTreeinfo(c *compose.Compose, include []string, src, dst string) error {
	ti, err := mediaTreeinfo(src, 1, 1)
	if err != nil {
		return err
	}
	for _, uid := range include {
		vv := c.Variant(uid)
		if vv == nil {
			return fmt.Errorf("extra_isos include_variants: no variant %s", uid)
		}
		if ti.Variant(vv.UID) == nil {
			ti.Variants = append(ti.Variants, &productmd.TreeVariant{ID: vv.ID, UID: vv.UID, Name: vv.Name, Type: vv.Type, Paths: map[string]string{}})
		}
	}
	for _, v := range ti.Variants {
		v.Paths["packages"] = v.UID + "/Packages"
		v.Paths["repository"] = v.UID
	}
	return atomicfile.WriteWith(dst, 0o644, ti.Write)
}
