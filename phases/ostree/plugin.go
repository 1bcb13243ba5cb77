package ostree

import (
	"context"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/phases/buildinstall"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/runroot"
)

// installerPlugin runs the ostree installer's lorax through Koji's
// pungi-buildinstall plugin task (ostree_installer_use_koji_plugin) with
// the arguments Pungi's OstreeInstallerThread passes, then moves the
// task's results/ into the output directory and its logs/ into the
// installer's log directory (the logs also when the task failed).
func installerPlugin(ctx context.Context, c *compose.Compose, rr *runroot.Runner, it Item, a buildinstall.LoraxArgs, packages []string, logdir string) error {
	output := a.OutputDir
	args := []runroot.PluginArg{
		{Key: "product", Value: a.Product},
		{Key: "version", Value: a.Version},
		{Key: "release", Value: a.Release},
		{Key: "sources", Value: a.Sources},
		{Key: "variant", Value: a.Variant},
		{Key: "nomacboot", Value: true},
		{Key: "volid", Value: a.VolID},
		{Key: "buildarch", Value: a.BuildArch},
		{Key: "installpkgs", Value: a.InstallPkgs},
		{Key: "add-template", Value: a.AddTemplate},
		{Key: "add-arch-template", Value: a.AddArchTemplate},
		{Key: "add-template-var", Value: a.AddTemplateVar},
		{Key: "add-arch-template-var", Value: a.AddArchTemplateVar},
		{Key: "rootfs-size", Value: a.RootfsSize},
		{Key: "isfinal", Value: a.IsFinal},
		{Key: "outputdir", Value: output},
	}
	_, err := rr.RunPlugin(ctx, runroot.PluginRequest{Task: "pungi-buildinstall", Arch: it.Arch, Args: args,
		Packages: packages, Mounts: []string{c.Topdir}, ChownUID: true, LogFile: filepath.Join(logdir, "runroot.log")})
	if logs := filepath.Join(output, "logs"); exists(logs) {
		if merr := moveAll(logs, logdir); merr != nil && err == nil {
			err = merr
		}
	}
	if err != nil {
		return err
	}
	return moveAll(filepath.Join(output, "results"), output)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// moveAll moves src's entries into dst and removes src (Pungi's move_all).
func moveAll(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range ents {
		to := filepath.Join(dst, e.Name())
		if err := os.RemoveAll(to); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(src, e.Name()), to); err != nil {
			return err
		}
	}
	return os.Remove(src)
}
