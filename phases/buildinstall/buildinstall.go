// Package buildinstall is the buildinstall phase: lorax, run per variant
// and arch through runroot with exactly Pungi's command line, builds the
// installer boot media; the result is copied into the variant's os tree
// with the boot configuration (isolinux, grub, yaboot — also the grub.cfg
// inside images/efiboot.img) rewritten for the volume ID and the optional
// kickstart (inst.ks), and images/boot.iso is linked into iso/ as the
// netinst/boot image of the manifest.
package buildinstall

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

// Phase is the buildinstall phase. Its Result tells the phases that use
// boot media (createiso, extra_isos, the tree metadata) which trees got
// them; the run hands them the same *bootmedia.Result.
type Phase struct {
	Result *bootmedia.Result
}

// New makes the buildinstall phase of a run with an empty result.
func New() *Phase { return &Phase{Result: &bootmedia.Result{}} }

// Name implements compose.Phase.
func (*Phase) Name() string { return "buildinstall" }

// Skip implements compose.Phase: a product without buildinstall_method is
// not bootable.
func (*Phase) Skip(c *compose.Compose) bool {
	m, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	return m == ""
}

// Validate implements compose.Validator.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	m, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	if m != "" && m != "lorax" {
		f.Errorf("buildinstall_method", "Unsupported buildinstall method: %s (only lorax is supported)", m)
	}
}

// LogDir is logs/<arch>/buildinstall-<Variant>-logs (created).
func LogDir(c *compose.Compose, v *compose.Variant, arch string) string {
	d := filepath.Join(c.Paths.Log.Topdir(arch), "buildinstall-"+v.UID+"-logs")
	os.MkdirAll(d, 0o755)
	return d
}

// Task is one lorax run.
type Task struct {
	Variant *compose.Variant
	Arch    string
	Command string // the shell command run by runroot
	Output  string // work/<arch>/buildinstall/<Variant>
	// With buildinstall_topdir, lorax runs outside the compose (a Koji
	// builder cannot write into it): RunDir is
	// <buildinstall_topdir>/buildinstall-<compose dir>/<arch>/<Variant>,
	// with lorax's output in results/ and its logs in logs/, copied into
	// Output and the compose's log directory afterwards. Otherwise RunDir
	// is Output.
	RunDir string
	// Plugin holds the pungi-buildinstall task's arguments when
	// lorax_use_koji_plugin is set (nil otherwise): Koji's plugin then runs
	// lorax, writing results/ and logs/ under RunDir.
	Plugin []runroot.PluginArg
	// Args are the lorax arguments as the plugin's dict, whichever way
	// lorax runs: what buildinstall.metadata records for reuse.
	Args []runroot.PluginArg
}

// RunDir is Pungi's buildinstall_dir(allow_topdir_override=True) for a
// variant.arch: under buildinstall_topdir when that is set.
func RunDir(c *compose.Compose, v *compose.Variant, arch string) string {
	top, _ := compose.StringOpt(c.Conf, "buildinstall_topdir")
	if top == "" {
		return filepath.Join(c.Paths.Work.BuildinstallDir(arch, nil), v.UID)
	}
	return filepath.Join(top, "buildinstall-"+filepath.Base(c.Topdir), arch, v.UID)
}

// Plan builds the lorax command of every variant.arch.
func Plan(ctx context.Context, c *compose.Compose) ([]*Task, error) {
	discType := createiso.DiscType(c, "dvd")
	var tasks []*Task
	for _, arch := range c.Arches() {
		outTop := c.Paths.Work.BuildinstallDir(arch, nil)
		if err := os.MkdirAll(outTop, 0o755); err != nil {
			return nil, err
		}
		// Every package set repository of the arch, as Pungi's get_repos.
		var pkgsetRepos []string
		for _, name := range c.Paths.Work.PkgsetRepoNames(arch) {
			pkgsetRepos = append(pkgsetRepos, c.Paths.Work.PkgsetRepo(arch, name))
		}
		buildarch := arch
		if va := multilib.ValidArches(arch); len(va) > 0 {
			buildarch = va[0]
		}
		for _, v := range c.GetVariants([]string{"variant"}, arch) {
			if v.IsEmpty {
				continue
			}
			if skip := c.Conf.ForVariantArch("buildinstall_skip", v.UID, arch); len(skip) == 1 && skip[0] == true {
				c.Log.Infof("Skipping buildinstall for %s.%s due to config option", v.UID, arch)
				continue
			}
			volid, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
			if err != nil {
				return nil, err
			}
			o := mergeLoraxOptions(c, v, arch)
			out := filepath.Join(outTop, v.UID)
			runDir := RunDir(c, v, arch)
			loraxOut, logDir := out, LogDir(c, v, arch)
			// Paths lorax sees from elsewhere are translated
			// (translate_paths), as Pungi does when the run directory is
			// not the compose's.
			inputPath := func(p string) string { return p }
			if runDir != out {
				// Not created here: a non-empty run directory means
				// "already built" to runTask.
				loraxOut, logDir = filepath.Join(runDir, "results"), filepath.Join(runDir, "logs")
				inputPath = func(p string) string { return compose.TranslatePath(c.Conf, p) }
			}
			var confFile string
			if o.ConfigurationFile != "" {
				scm, err := compose.ParseSCM(o.ConfigurationFile)
				if err != nil {
					return nil, fmt.Errorf("lorax_options configuration_file: %w", err)
				}
				got, err := c.Fetch(ctx, scm, logDir)
				if err != nil {
					return nil, fmt.Errorf("lorax_options configuration_file: %w", err)
				}
				if len(got) > 0 && got[0] != "lorax.conf" {
					if err := os.Rename(filepath.Join(logDir, got[0]), filepath.Join(logDir, "lorax.conf")); err != nil {
						return nil, err
					}
				}
				confFile = filepath.Join(logDir, "lorax.conf")
			}
			var sources []string
			for _, r := range pkgsetRepos {
				sources = append(sources, inputPath(r))
			}
			sources = append(sources, compose.AsStrings(c.Conf.ForVariantArch("lorax_extra_sources", v.UID, arch))...)
			if _, ok := c.Conf.Get("comps_file"); ok {
				sources = append(sources, inputPath(filepath.Join(c.Paths.Work.Topdir(arch), "comps_repo_"+v.UID)))
			}
			name, _ := compose.StringOpt(c.Conf, "release_name")
			if name == "" {
				name = c.Info.Release.Name
			}
			args := LoraxArgs{Product: name, Version: o.Version, Release: o.Version, Sources: sources, OutputDir: loraxOut,
				Variant: v.UID, BugURL: o.BugURL, NoMacBoot: o.NoMacBoot, NoUpgrade: o.NoUpgrade, IsFinal: c.Supported,
				BuildArch: buildarch, VolID: volid, InstallPkgs: v.BuildInstallPackages, AddTemplate: o.AddTemplate,
				AddArchTemplate: o.AddArchTemplate, AddTemplateVar: o.AddTemplateVar, AddArchTemplateVar: o.AddArchTemplVar,
				RootfsSize: o.RootfsSize, LogDir: logDir, DracutArgs: o.DracutArgs, SkipBranding: o.SkipBranding,
				SquashfsOnly: o.SquashfsOnly, ConfigurationFile: confFile, RootfsType: o.RootfsType}
			cmd := "rm -rf " + runroot.ShellQuote(runDir) + " && " + runroot.ShellJoin(LoraxCmd(args))
			t := &Task{Variant: v, Arch: arch, Command: cmd, Output: out, RunDir: runDir, Args: PluginArgs(args, runDir)}
			if c.Conf.Bool("lorax_use_koji_plugin") {
				t.Command = ""
				t.Plugin = PluginArgs(args, runDir)
			}
			tasks = append(tasks, t)
		}
	}
	return tasks, nil
}

// Run implements compose.Phase.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	if err := compose.ValidateConfig(c, p); err != nil {
		return err
	}
	ks, err := kickstart(ctx, c)
	if err != nil {
		return err
	}
	tasks, err := Plan(ctx, c)
	if err != nil {
		return err
	}
	if p.Result == nil {
		p.Result = &bootmedia.Result{}
	}
	method, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	p.Result.Start(method)
	rr := runroot.New(c, "buildinstall")
	ct := make([]compose.Task, len(tasks))
	for i, t := range tasks {
		ct[i] = compose.Task{Name: t.Variant.UID + "." + t.Arch, Run: func(ctx context.Context) error {
			return c.Failable(t.Variant, t.Arch, "buildinstall", "", func() error {
				reused, err := runTask(ctx, c, rr, t, ks)
				if err == nil {
					p.Result.Finish(t.Variant.UID, t.Arch, reused)
				}
				return err
			})
		}}
	}
	return c.RunTasks(ctx, "buildinstall", ct, 0)
}

// kickstart fetches buildinstall_kickstart to work/global/ks.cfg ("" when unset).
func kickstart(ctx context.Context, c *compose.Compose) (string, error) {
	raw, ok := c.Conf.Get("buildinstall_kickstart")
	if !ok || raw == nil {
		return "", nil
	}
	dst := filepath.Join(c.Paths.Work.Topdir(""), "ks.cfg")
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	scm, err := compose.ParseSCM(raw)
	if err != nil {
		return "", fmt.Errorf("buildinstall_kickstart: %w", err)
	}
	tmp, err := c.Paths.Work.MkdirTemp("", nil, "buildinstall_kickstart_")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	got, err := c.Fetch(ctx, scm, tmp)
	if err != nil {
		return "", fmt.Errorf("buildinstall_kickstart: %w", err)
	}
	if len(got) == 0 {
		return "", errors.New("buildinstall_kickstart: nothing fetched")
	}
	return dst, copyFile(filepath.Join(tmp, got[0]), dst)
}

// runTask runs (or reuses) lorax for one variant.arch and copies its output
// into the tree; reused tells whether an old compose's output was taken.
func runTask(ctx context.Context, c *compose.Compose, rr *runroot.Runner, t *Task, ks string) (bool, error) {
	reused := false
	msg := fmt.Sprintf("Running buildinstall for arch %s, variant %s", t.Arch, t.Variant.UID)
	nonEmpty := func(d string) bool { ents, err := os.ReadDir(d); return err == nil && len(ents) > 0 }
	runDir := t.RunDir
	if runDir == "" {
		runDir = t.Output
	}
	elsewhere := runDir != t.Output
	if nonEmpty(t.Output) || nonEmpty(runDir) {
		c.Log.Warningf("[SKIP ] Buildinstall for arch %s, variant %s", t.Arch, t.Variant.UID)
	} else if tryReuse(ctx, c, t) {
		reused = true
		c.Log.Infof("[BEGIN] %s (reusing old results)", msg)
	} else {
		c.Log.Infof("[BEGIN] %s", msg)
		packages := append([]string{"lorax"}, compose.AsStrings(c.Conf.ForVariantArch("buildinstall_packages", t.Variant.UID, t.Arch))...)
		logFile := c.Paths.Log.LogFile(t.Arch, "buildinstall-"+t.Variant.UID)
		loraxLogs := LogDir(c, t.Variant, t.Arch)
		if elsewhere {
			loraxLogs = filepath.Join(runDir, "logs")
		}
		var err error
		if t.Plugin != nil {
			err = runPlugin(ctx, c, rr, t, packages, logFile)
		} else {
			_, err = rr.Run(ctx, runroot.Request{Command: t.Command, LogFile: logFile, Arch: t.Arch, Packages: packages,
				Mounts: []string{c.Topdir}, ChownPaths: []string{runDir, loraxLogs}})
		}
		if elsewhere && t.Plugin == nil {
			// lorax's logs come back whether it succeeded or not.
			if cerr := copyTree(loraxLogs, LogDir(c, t.Variant, t.Arch)); cerr != nil && err == nil {
				err = fmt.Errorf("copying lorax logs from %s: %w", loraxLogs, cerr)
			}
		}
		if err != nil {
			logDepsolveError(c, t)
			return false, fmt.Errorf("lorax for %s.%s: %w", t.Variant.UID, t.Arch, err)
		}
		if elsewhere && t.Plugin == nil {
			if err := copyTree(filepath.Join(runDir, "results"), t.Output); err != nil {
				return false, fmt.Errorf("copying lorax results from %s: %w", runDir, err)
			}
		}
		if err := writeMetadata(ctx, c, t, nil); err != nil {
			c.Log.Warningf("buildinstall.metadata for %s.%s not written (no reuse by the next compose): %v", t.Variant.UID, t.Arch, err)
		}
	}
	if err := CopyFiles(c, t.Variant, t.Arch, t.Output, ks); err != nil {
		return false, err
	}
	c.Log.Infof("[DONE ] %s", msg)
	return reused, nil
}

func logDepsolveError(c *compose.Compose, t *Task) {
	b, err := os.ReadFile(filepath.Join(LogDir(c, t.Variant, t.Arch), "pylorax.log"))
	if err != nil {
		return
	}
	matched := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Dependency check failed") {
			matched = true
		}
		if matched {
			c.Log.Errorf("%s", line)
		}
	}
}
