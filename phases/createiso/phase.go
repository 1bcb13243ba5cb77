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
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
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

// Validate checks the media size options.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	if _, opt, err := splitSize(c); err != nil {
		f.Errorf(opt, "%v", err)
	}
}

// CheckHost checks, when ISOs are made on this host, that the ISO tools
// are installed: one line before the compose starts beats a failed
// runroot command after gather.
func (*Phase) CheckHost(c *compose.Compose) error {
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

// splitSize is the room for files on one disc: iso_size less
// split_iso_reserve. An error comes with the option it is about, for
// config validate to point at: the bad value, or for a reserve that leaves
// no room the option the config sets (iso_size when it sets both).
func splitSize(c *compose.Compose) (int64, string, error) {
	var size, reserve any = int64(4700000000), int64(10 * 1024 * 1024)
	if v, ok := c.Conf.Get("iso_size"); ok && v != nil {
		size = v
	}
	if v, ok := c.Conf.Get("split_iso_reserve"); ok && v != nil {
		reserve = v
	}
	s, err := MediaSize(size)
	if err != nil {
		return 0, "iso_size", fmt.Errorf("iso_size: %w", err)
	}
	r, err := MediaSize(reserve)
	if err != nil {
		return 0, "split_iso_reserve", fmt.Errorf("split_iso_reserve: %w", err)
	}
	if s <= r {
		opt := "split_iso_reserve"
		if c.Conf.IsSet("iso_size") {
			opt = "iso_size"
		}
		return 0, opt, fmt.Errorf("iso_size (%d) must be larger than split_iso_reserve (%d)", s, r)
	}
	return s - r, "", nil
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
			volid, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
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
				name, err := images.ImageName(c.Conf, c.Info, arch, v, discType, num, ".iso")
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

// Run implements compose.Phase.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	jobs, err := Plan(ctx, c, p.Boot)
	if err != nil {
		return err
	}
	return RunJobs(ctx, c, "createiso", jobs)
}
