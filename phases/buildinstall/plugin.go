package buildinstall

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/runroot"
)

// PluginArgs are the pungi-buildinstall task's arguments for a lorax run,
// in the order of Pungi's argument dict (lorax_use_koji_plugin): the
// plugin builds lorax's command line itself from them and writes into
// outputDir/results and outputDir/logs.
func PluginArgs(a LoraxArgs, outputDir string) []runroot.PluginArg {
	return []runroot.PluginArg{
		{Key: "product", Value: a.Product},
		{Key: "version", Value: a.Version},
		{Key: "release", Value: a.Release},
		{Key: "sources", Value: a.Sources},
		{Key: "variant", Value: a.Variant},
		{Key: "installpkgs", Value: a.InstallPkgs},
		{Key: "isfinal", Value: a.IsFinal},
		{Key: "buildarch", Value: a.BuildArch},
		{Key: "volid", Value: a.VolID},
		{Key: "nomacboot", Value: a.NoMacBoot},
		{Key: "bugurl", Value: a.BugURL},
		{Key: "add-template", Value: a.AddTemplate},
		{Key: "add-arch-template", Value: a.AddArchTemplate},
		{Key: "add-template-var", Value: a.AddTemplateVar},
		{Key: "add-arch-template-var", Value: a.AddArchTemplateVar},
		{Key: "noupgrade", Value: a.NoUpgrade},
		{Key: "rootfs-size", Value: a.RootfsSize},
		{Key: "dracut-args", Value: a.DracutArgs},
		{Key: "skip_branding", Value: a.SkipBranding},
		{Key: "outputdir", Value: outputDir},
		{Key: "squashfs_only", Value: a.SquashfsOnly},
		{Key: "configuration_file", Value: a.ConfigurationFile},
	}
}

// runPlugin runs lorax through Koji's pungi-buildinstall plugin task and
// brings its output home: results/ into the buildinstall directory and
// logs/ (whether the task succeeded or not) into the compose's lorax log
// directory — moved when the plugin wrote inside the compose, copied from
// buildinstall_topdir otherwise, as Pungi does.
func runPlugin(ctx context.Context, c *compose.Compose, rr *runroot.Runner, t *Task, packages []string, logFile string) error {
	runDir := t.RunDir
	if runDir == "" {
		runDir = t.Output
	}
	_, err := rr.RunPlugin(ctx, runroot.PluginRequest{Task: "pungi-buildinstall", Arch: t.Arch, Args: t.Plugin,
		Packages: packages, Mounts: []string{c.Topdir}, ChownUID: true, LogFile: logFile})
	move := runDir == t.Output
	logs := filepath.Join(runDir, "logs")
	if _, serr := os.Stat(logs); serr == nil {
		if herr := harvest(logs, LogDir(c, t.Variant, t.Arch), move); herr != nil && err == nil {
			err = fmt.Errorf("bringing back lorax logs from %s: %w", logs, herr)
		}
	}
	if err != nil {
		return err
	}
	results := filepath.Join(runDir, "results")
	if _, serr := os.Stat(results); serr != nil {
		return fmt.Errorf("koji pungi-buildinstall left no results in %s", results)
	}
	if err := harvest(results, t.Output, move); err != nil {
		return fmt.Errorf("bringing back lorax results from %s: %w", results, err)
	}
	return nil
}

// harvest copies src's content into dst, or moves it (and removes src)
// when move is set, as Pungi's copy_all / move_all.
func harvest(src, dst string, move bool) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	if !move {
		return copyTree(src, dst)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
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
