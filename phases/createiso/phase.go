// Package createiso is the createiso phase (and extra_isos): each
// variant's package tree — with the boot files buildinstall left in it —
// becomes one or more ISOs made with genisoimage or xorriso exactly as
// Pungi's createiso script makes them (per-arch boot arguments, isohybrid
// for bootable x86, implantisomd5, the .manifest listing), split at
// iso_size minus split_iso_reserve with every package on exactly one disc,
// optionally with jigdo files, in compose/<Variant>/<arch>/iso/ (or a
// symlink to symlink_isos_to), and recorded in the image manifest.
package createiso

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"github.com/pungo/pungo/repomd/createrepo"
	"hash"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

// Phase is the createiso phase. Boot is the buildinstall phase's result
// (nil when the run has no buildinstall phase): a bootable ISO is made only
// where buildinstall succeeded, and reused only where buildinstall was.
type Phase struct {
	Boot *bootmedia.Result
}

// New makes the createiso phase of a run whose buildinstall phase fills boot.
func New(boot *bootmedia.Result) *Phase { return &Phase{Boot: boot} }

// Name implements compose.Phase.
func (*Phase) Name() string { return "createiso" }

// Skip implements compose.Phase: nothing phase-specific.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Validate checks the media size options and, when ISOs are made on this
// host, that the ISO tools are installed: one line before the compose
// starts beats a failed runroot command after gather.
func (*Phase) Validate(c *compose.Compose) error {
	if _, err := splitSize(c); err != nil {
		return err
	}
	if runroot.Method(c, "createiso") != "local" || !anyISO(c) {
		return nil
	}
	mkisofs := "/usr/bin/genisoimage"
	if c.Conf.Bool("createiso_use_xorrisofs") {
		mkisofs = "/usr/bin/xorrisofs"
	}
	// implantisomd5 writes the checksum, checkisomd5 reads it back for
	// images.json; both come with isomd5sum.
	for _, tool := range []string{mkisofs, "/usr/bin/implantisomd5", "checkisomd5"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed; it is needed to make ISOs on this host (install it, set createiso_skip, or skip the createiso phase)", tool)
		}
	}
	return nil
}

// anyISO reports whether createiso_skip leaves any ISO to make.
func anyISO(c *compose.Compose) bool {
	for _, v := range c.GetVariants([]string{"variant", "layered-product", "optional"}, "") {
		if v.IsEmpty {
			continue
		}
		for _, arch := range append(append([]string{}, v.Arches...), "src") {
			if !isTrueList(variantData(c, "createiso_skip", v, arch)) {
				return true
			}
		}
	}
	return false
}

func splitSize(c *compose.Compose) (int64, error) {
	var size, reserve any = int64(4700000000), int64(10 * 1024 * 1024)
	if v, ok := c.Conf.Get("iso_size"); ok && v != nil {
		size = v
	}
	if v, ok := c.Conf.Get("split_iso_reserve"); ok && v != nil {
		reserve = v
	}
	s, err := MediaSize(size)
	if err != nil {
		return 0, fmt.Errorf("iso_size: %w", err)
	}
	r, err := MediaSize(reserve)
	if err != nil {
		return 0, fmt.Errorf("split_iso_reserve: %w", err)
	}
	if s <= r {
		return 0, fmt.Errorf("iso_size (%d) must be larger than split_iso_reserve (%d)", s, r)
	}
	return s - r, nil
}

// Job is one ISO to make.
type Job struct {
	Variant   *compose.Variant
	Arch      string
	ISOPath   string
	Bootable  bool
	DiscNum   int
	DiscCount int
	Script    string
	Mounts    []string
	// Deliverable is "iso" for createiso, "extra-iso" for extra_isos.
	Deliverable        string
	AdditionalVariants []string
	// Reused jobs were hardlinked from an old compose: only recorded.
	Reused bool
}

func variantData(c *compose.Compose, key string, v *compose.Variant, arch string) []any {
	return c.Conf.ForVariantArch(key, v.UID, arch)
}

func isTrueList(l []any) bool {
	if len(l) != 1 {
		return false
	}
	b, _ := l[0].(bool)
	return b
}

// Bootable is Pungi's _is_bootable: a top-level variant on a binary arch,
// buildinstall configured and not skipped for it.
func Bootable(c *compose.Compose, v *compose.Variant, arch string) bool {
	if arch == "src" || v.Type != "variant" {
		return false
	}
	if isTrueList(variantData(c, "buildinstall_skip", v, arch)) {
		return false
	}
	m, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	return m != ""
}

// ISODir returns (creating) compose/<Variant>/<arch>/iso, or a symlink
// there to symlink_isos_to/<compose id>/compose/<Variant>/<arch>/iso. ""
// means the variant gets no ISOs.
func ISODir(c *compose.Compose, arch string, v *compose.Variant) (string, error) {
	rel := c.Paths.Compose.RelISODir(arch, v, c.Conf.Bool("create_optional_isos"))
	if rel == "" {
		return "", nil
	}
	path := filepath.Join(c.Topdir, "compose", rel)
	to, _ := compose.StringOpt(c.Conf, "symlink_isos_to")
	if to == "" {
		return path, os.MkdirAll(path, 0o755)
	}
	target := filepath.Join(to, c.ID(), "compose", rel)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(target, path); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
		if got, lerr := os.Readlink(path); lerr != nil || filepath.Clean(got) != filepath.Clean(target) {
			return "", fmt.Errorf("Symlink pointing to '%s' expected: %s", target, path)
		}
	}
	return path, nil
}

func hasRPMs(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rpm") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func osTree(c *compose.Compose, arch string, v *compose.Variant) string {
	return filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
}

// DiscType is disc_types' name for a kind of media (e.g. "dvd").
func DiscType(c *compose.Compose, kind string) string {
	if raw, ok := c.Conf.Get("disc_types"); ok {
		if m, ok := raw.(map[string]any); ok {
			if s, ok := m[kind].(string); ok {
				return s
			}
		}
	}
	return kind
}

// Plan works out the ISOs of the compose and prepares their graft points
// and scripts.
func Plan(ctx context.Context, c *compose.Compose, boot *bootmedia.Result) ([]*Job, error) {
	discType := DiscType(c, "dvd")
	var jobs []*Job
	for _, v := range c.GetVariants([]string{"variant", "layered-product", "optional"}, "") {
		if v.IsEmpty {
			continue
		}
		for _, arch := range append(append([]string{}, v.Arches...), "src") {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if isTrueList(variantData(c, "createiso_skip", v, arch)) {
				c.Log.Infof("Skipping createiso for %s.%s due to config option", v.UID, arch)
				continue
			}
			volid, err := images.VolumeID(c, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
			if err != nil {
				return nil, err
			}
			tree := osTree(c, arch, v)
			isoDir, err := ISODir(c, arch, v)
			if err != nil {
				return nil, err
			}
			if isoDir == "" {
				continue
			}
			if !hasRPMs(tree) {
				c.Log.Warningf("No RPMs found for %s.%s, skipping ISO", v.UID, arch)
				continue
			}
			bootable := Bootable(c, v, arch)
			// A skipped buildinstall phase counts as successful, as in Pungi
			// (a debugging run: whatever boot files the tree has are used).
			if bootable && !boot.Succeeded(v.UID, arch) {
				c.Log.Warningf("ISO should be bootable, but buildinstall failed. Skipping for %s.%s", v.UID, arch)
				continue
			}
			discs, err := SplitTree(c, arch, v, bootable)
			if err != nil {
				return nil, err
			}
			for i, disc := range discs {
				num := i + 1
				name, err := images.ImageName(c, arch, v, discType, num, ".iso")
				if err != nil {
					return nil, err
				}
				isoPath := filepath.Join(isoDir, name)
				if _, err := os.Stat(isoPath); err == nil {
					c.Log.Warningf("Skipping mkisofs, image already exists: %s", isoPath)
					continue
				}
				gp, err := PrepareISO(ctx, c, arch, v, num, len(discs), disc)
				if err != nil {
					return nil, err
				}
				opts := ScriptOpts{OutputDir: isoDir, ISOName: name, VolID: volid, GraftPoints: gp, Arch: arch,
					Supported: c.Supported, HFSCompat: c.Conf.Bool("iso_hfs_ppc64le_compatible"),
					UseXorrisofs: c.Conf.Bool("createiso_use_xorrisofs"),
					ISOLevel:     c.Conf.Int("iso_level")}
				if bootable {
					opts.BuildinstallMethod, _ = compose.StringOpt(c.Conf, "buildinstall_method")
					opts.BootISO = filepath.Join(tree, "images", "boot.iso")
					if err := checkBootFiles(tree, opts); err != nil {
						return nil, fmt.Errorf("%s.%s: %w", v.UID, arch, err)
					}
				}
				if c.Conf.Bool("create_jigdo") {
					opts.JigdoDir = filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelJigdoDir(arch, v, c.Conf.Bool("create_optional_isos")))
					opts.OSTree = tree
					if err := os.MkdirAll(opts.JigdoDir, 0o755); err != nil {
						return nil, err
					}
				}
				probe := &Job{Variant: v, Arch: arch, ISOPath: isoPath, Bootable: bootable, DiscNum: num, DiscCount: len(discs)}
				if TryReuse(c, probe, opts, boot) {
					probe.Reused, probe.Deliverable = true, "iso"
					jobs = append(jobs, probe)
					continue
				}
				job, err := writeScript(c, v, arch, opts)
				if err != nil {
					return nil, err
				}
				job.Bootable, job.DiscNum, job.DiscCount, job.Deliverable = bootable, num, len(discs), "iso"
				jobs = append(jobs, job)
			}
		}
	}
	return jobs, nil
}

func writeScript(c *compose.Compose, v *compose.Variant, arch string, opts ScriptOpts) (*Job, error) {
	opts.ScriptDir = c.Paths.Work.TmpDir(arch, v)
	script, xcmds, err := Script(opts)
	if err != nil {
		return nil, err
	}
	if xcmds != "" {
		if err := atomicfile.WriteFile(filepath.Join(opts.ScriptDir, "xorriso-"+opts.ISOName+".txt"), []byte(xcmds), 0o644); err != nil {
			return nil, err
		}
	}
	scriptFile := filepath.Join(opts.ScriptDir, "createiso-"+opts.ISOName+".sh")
	if err := atomicfile.WriteFile(scriptFile, []byte(script), 0o755); err != nil {
		return nil, err
	}
	job := &Job{Variant: v, Arch: arch, ISOPath: filepath.Join(opts.OutputDir, opts.ISOName), Script: scriptFile,
		Mounts: []string{c.Topdir}}
	if real, err := filepath.EvalSymlinks(opts.OutputDir); err == nil && real != opts.OutputDir {
		job.Mounts = append(job.Mounts, real)
	}
	return job, nil
}

// SplitTree is Pungi's split_iso: the os tree (without its repodata and
// boot.iso) distributed over discs of iso_size - split_iso_reserve, extra
// files and media.repo on every disc. A bootable tree is never split (a
// warning says when it is too big).
func SplitTree(c *compose.Compose, arch string, v *compose.Variant, noSplit bool) ([]Disc, error) {
	size, err := splitSize(c)
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
var WriteRepo = func(ctx context.Context, c *compose.Compose, treeDir, outDir string, pkgs []string, checksum string) error {
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

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteWith(dst, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// PrepareISO is Pungi's prepare_iso: the disc's .treeinfo (media section,
// no boot.iso) and .discinfo, private copies of the boot loader files
// mkisofs patches, repodata of its own for a split disc, and the graft
// points file. It returns the graft points file.
func PrepareISO(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant, discNum, discCount int, disc Disc) (string, error) {
	tree := osTree(c, arch, v)
	name, err := images.ImageName(c, arch, v, "dvd", discNum, ".iso")
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

// Run implements compose.Phase.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	jobs, err := Plan(ctx, c, p.Boot)
	if err != nil {
		return err
	}
	return RunJobs(ctx, c, "createiso", jobs)
}

// RunJobs makes the planned ISOs (as failable deliverables) and records
// them in the manifest.
func RunJobs(ctx context.Context, c *compose.Compose, phase string, jobs []*Job) error {
	var targets []string
	for _, j := range jobs {
		targets = append(targets, j.ISOPath)
	}
	c.Notifier.Send(phase+"-targets", map[string]any{"deliverables": targets})
	rr := runroot.New(c, phase)
	tasks := make([]compose.Task, len(jobs))
	for i, j := range jobs {
		tasks[i] = compose.Task{Name: j.Variant.UID + "." + j.Arch + " " + filepath.Base(j.ISOPath), Run: func(ctx context.Context) error {
			return c.Failable(j.Variant, j.Arch, j.Deliverable, "", func() error { return runJob(ctx, c, rr, phase, j) })
		}}
	}
	return c.RunTasks(ctx, phase, tasks, int(compose.IntOpt(c.Conf, "createiso_num_workers", 2)))
}

func runJob(ctx context.Context, c *compose.Compose, rr *runroot.Runner, phase string, j *Job) error {
	name := filepath.Base(j.ISOPath)
	if j.Reused {
		_, err := AddToManifest(c, j)
		return err
	}
	msg := fmt.Sprintf("Creating ISO (arch: %s, variant: %s): %s", j.Arch, j.Variant.UID, name)
	c.Log.Infof("[BEGIN] %s", msg)
	packages := []string{"coreutils", "genisoimage", "isomd5sum"}
	if c.Conf.Bool("createiso_use_xorrisofs") {
		packages[1] = "xorriso"
	}
	if c.Conf.Bool("create_jigdo") {
		packages = append(packages, "jigdo")
	}
	if j.Bootable {
		packages = append(packages, "lorax", "which")
	}
	arch := j.Arch
	if rr.Method == "koji" && !j.Bootable {
		arch = buildArch(ctx, c, arch)
	}
	log := c.Paths.Log.LogFile(j.Arch, phase+"-"+name)
	_, err := rr.Run(ctx, runroot.Request{Command: "bash " + runroot.ShellQuote(j.Script), LogFile: log, Arch: arch,
		Packages: packages, Mounts: j.Mounts})
	if err != nil {
		c.Log.Errorf("CreateISO failed, removing ISO: %s", j.ISOPath)
		os.Remove(j.ISOPath)
		c.Notifier.Send(phase+"-imagefail", map[string]any{"file": j.ISOPath, "arch": j.Arch, "variant": j.Variant.UID})
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := AddToManifest(c, j); err != nil {
		return err
	}
	if err := os.RemoveAll(StagingDir(c, j.Arch, j.Variant, name)); err != nil {
		c.Log.Warningf("Failed to clean up staging dir: %v", err)
	}
	c.Log.Infof("[DONE ] %s", msg)
	c.Notifier.Send(phase+"-imagedone", map[string]any{"file": j.ISOPath, "arch": j.Arch, "variant": j.Variant.UID})
	return nil
}

// buildArch puts non-bootable ISOs made in Koji on x86_64 when the
// runroot tag has it (any arch can make them).
func buildArch(ctx context.Context, c *compose.Compose, arch string) string {
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return arch
	}
	tag, _ := compose.StringOpt(c.Conf, "runroot_tag")
	info, err := kc.GetTag(ctx, tag, nil)
	if err != nil {
		return arch
	}
	arches := strings.Fields(info.Arches)
	sort.Strings(arches)
	for _, a := range arches {
		if a == "x86_64" {
			return a
		}
	}
	if arch == "src" && len(arches) > 0 {
		return arches[0]
	}
	return arch
}

// AddToManifest records a finished ISO: size, mtime, volume ID read from
// the ISO, the implanted MD5; a source ISO is listed under every binary
// arch of its variant.
func AddToManifest(c *compose.Compose, j *Job) (*images.Image, error) {
	im, err := images.NewImage(c, j.ISOPath)
	if err != nil {
		return nil, err
	}
	im.Arch, im.Type, im.Format = j.Arch, "dvd", "iso"
	im.DiscNumber, im.DiscCount, im.Bootable = j.DiscNum, j.DiscCount, j.Bootable
	im.Subvariant = j.Variant.UID
	im.Deliverable = j.Deliverable
	im.CanFail = c.CanFail(j.Variant, j.Arch, j.Deliverable)
	if len(j.AdditionalVariants) > 0 {
		im.Unified, im.AdditionalVariants = true, j.AdditionalVariants
	}
	if md5, err := ImplantedMD5(j.ISOPath); err == nil {
		im.ImplantMD5 = md5
	} else {
		c.Log.Criticalf("Implanted MD5 in %s is not valid: %v", j.ISOPath, err)
	}
	if vid, err := ReadVolumeID(j.ISOPath); err == nil {
		im.VolumeID = vid
	}
	m := images.Of(c)
	if j.Arch == "src" {
		for _, a := range j.Variant.Arches {
			m.Add(j.Variant.UID, a, im)
		}
	} else {
		m.Add(j.Variant.UID, j.Arch, im)
	}
	return im, nil
}

// ImplantedMD5 is the MD5 implantisomd5 stored in the ISO
// (checkisomd5 --md5sumonly).
func ImplantedMD5(iso string) (string, error) {
	out, err := exec.Command("checkisomd5", "--md5sumonly", iso).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("checkisomd5 --md5sumonly %s: %v", iso, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == iso {
			if s := strings.TrimSpace(v); len(s) == 32 {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("checkisomd5 printed no MD5 for %s", iso)
}

// ReadVolumeID reads the volume identifier from the ISO's primary volume
// descriptor.
func ReadVolumeID(iso string) (string, error) {
	f, err := os.Open(iso)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 72)
	if _, err := f.ReadAt(buf, 0x8000); err != nil {
		return "", err
	}
	if string(buf[1:6]) != "CD001" {
		return "", fmt.Errorf("%s has no ISO 9660 primary volume descriptor", iso)
	}
	return strings.TrimRight(string(buf[40:72]), " \x00"), nil
}

func fileChecksum(path, alg string) (string, error) {
	var h hash.Hash
	switch alg {
	case "sha256":
		h = sha256.New()
	case "sha1":
		h = sha1.New()
	case "sha512":
		h = sha512.New()
	case "md5":
		h = md5.New()
	default:
		return "", fmt.Errorf("unsupported checksum %q", alg)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// checkBootFiles makes sure the boot files a bootable ISO is built from
// are in the tree, so a missing one is a clear error instead of a
// genisoimage/xorriso failure deep in a log.
func checkBootFiles(tree string, o ScriptOpts) error {
	var need []string
	if o.UseXorrisofs {
		need = []string{"images/boot.iso"}
	} else {
		args, err := BootOptions(o.Arch, "", o.HFSCompat)
		if err != nil {
			return err
		}
		for i, a := range args {
			if (a == "-b" || a == "-e" || a == "-eltorito-boot") && i+1 < len(args) {
				need = append(need, args[i+1])
			}
		}
	}
	for _, f := range need {
		if _, err := os.Stat(filepath.Join(tree, f)); err != nil {
			return fmt.Errorf("bootable ISO needs the boot image %s from buildinstall, but %s does not exist", f, filepath.Join(tree, f))
		}
	}
	return nil
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
	keys := make([]string, 0, len(graft))
	for k := range graft {
		keys = append(keys, k)
	}
	sort.Strings(keys)
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
