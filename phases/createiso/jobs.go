package createiso

// Making the planned ISOs: one failable task each, run through runroot,
// then recorded in the image manifest.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

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
