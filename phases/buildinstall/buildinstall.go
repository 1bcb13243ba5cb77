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
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/buildinstall/fatimg"
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
func (*Phase) Validate(c *compose.Compose) error {
	m, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	if m != "" && m != "lorax" {
		return fmt.Errorf("Unsupported buildinstall method: %s (only lorax is supported)", m)
	}
	return nil
}

// LoraxOptions are the merged lorax_options entries for a variant.arch.
type LoraxOptions struct {
	NoUpgrade, NoMacBoot            bool
	BugURL                          string
	RootfsSize                      any
	AddTemplate, AddArchTemplate    []string
	AddTemplateVar, AddArchTemplVar []string
	DracutArgs                      []string
	SkipBranding, SquashfsOnly      bool
	ConfigurationFile               string
	RootfsType                      string
	Version                         string
}

func mergeLoraxOptions(c *compose.Compose, v *compose.Variant, arch string) LoraxOptions {
	o := LoraxOptions{NoUpgrade: true, NoMacBoot: true}
	o.Version, _ = compose.StringOpt(c.Conf, "treeinfo_version")
	if o.Version == "" {
		o.Version = c.Info.Release.Version
	}
	for _, raw := range c.Conf.ForVariantArch("lorax_options", v.UID, arch) {
		d, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		b := func(k string, def bool) bool {
			if x, ok := d[k].(bool); ok {
				return x
			}
			return def
		}
		if !b("noupgrade", true) {
			o.NoUpgrade = false
		}
		if s, _ := d["bugurl"].(string); s != "" {
			o.BugURL = s
		}
		if !b("nomacboot", true) {
			o.NoMacBoot = false
		}
		if x, ok := d["rootfs_size"]; ok {
			o.RootfsSize = x
		}
		o.AddTemplate = append(o.AddTemplate, compose.AsStrings(d["add_template"])...)
		o.AddArchTemplate = append(o.AddArchTemplate, compose.AsStrings(d["add_arch_template"])...)
		o.AddTemplateVar = append(o.AddTemplateVar, compose.AsStrings(d["add_template_var"])...)
		o.AddArchTemplVar = append(o.AddArchTemplVar, compose.AsStrings(d["add_arch_template_var"])...)
		o.DracutArgs = append(o.DracutArgs, compose.AsStrings(d["dracut_args"])...)
		o.SkipBranding = b("skip_branding", false)
		o.ConfigurationFile, _ = d["configuration_file"].(string)
		o.SquashfsOnly = b("squashfs_only", false)
		o.RootfsType, _ = d["rootfs_type"].(string)
		if s, ok := d["version"].(string); ok {
			o.Version = s
		}
	}
	return o
}

// LoraxArgs are the inputs of Pungi's LoraxWrapper.get_lorax_cmd.
type LoraxArgs struct {
	Product, Version, Release string
	Sources                   []string
	OutputDir                 string
	Variant                   string
	BugURL                    string
	NoMacBoot, NoUpgrade      bool
	IsFinal                   bool
	BuildArch                 string
	VolID                     string
	InstallPkgs               []string
	AddTemplate               []string
	AddArchTemplate           []string
	AddTemplateVar            []string
	AddArchTemplateVar        []string
	RootfsSize                any
	LogDir                    string
	DracutArgs                []string
	SkipBranding              bool
	SquashfsOnly              bool
	ConfigurationFile         string
	RootfsType                string
}

// LoraxCmd is lorax's command line, option for option as Pungi writes it.
func LoraxCmd(a LoraxArgs) []string {
	cmd := []string{"lorax", "--product=" + a.Product, "--version=" + a.Version, "--release=" + a.Release}
	for _, s := range a.Sources {
		if !strings.Contains(s, "://") {
			abs, _ := filepath.Abs(s)
			s = "file://" + abs
		}
		cmd = append(cmd, "--source="+s)
	}
	if a.Variant != "" {
		cmd = append(cmd, "--variant="+a.Variant)
	}
	if a.BugURL != "" {
		cmd = append(cmd, "--bugurl="+a.BugURL)
	}
	if a.NoMacBoot {
		cmd = append(cmd, "--nomacboot")
	}
	if a.NoUpgrade {
		cmd = append(cmd, "--noupgrade")
	}
	if a.IsFinal {
		cmd = append(cmd, "--isfinal")
	}
	if a.BuildArch != "" {
		cmd = append(cmd, "--buildarch="+a.BuildArch)
	}
	if a.VolID != "" {
		cmd = append(cmd, "--volid="+a.VolID)
	}
	add := func(flag string, vals []string) {
		for _, v := range vals {
			cmd = append(cmd, flag+"="+v)
		}
	}
	add("--installpkgs", a.InstallPkgs)
	add("--add-template", a.AddTemplate)
	add("--add-arch-template", a.AddArchTemplate)
	add("--add-template-var", a.AddTemplateVar)
	add("--add-arch-template-var", a.AddArchTemplateVar)
	if a.LogDir != "" {
		cmd = append(cmd, "--logfile="+filepath.Join(a.LogDir, "lorax.log"))
	}
	if a.RootfsSize != nil {
		cmd = append(cmd, fmt.Sprintf("--rootfs-size=%v", a.RootfsSize))
	}
	add("--dracut-arg", a.DracutArgs)
	if a.SkipBranding {
		cmd = append(cmd, "--skip-branding")
	}
	if a.SquashfsOnly {
		cmd = append(cmd, "--squashfs-only")
	}
	if a.ConfigurationFile != "" {
		cmd = append(cmd, "--config", a.ConfigurationFile)
	}
	abs, _ := filepath.Abs(a.OutputDir)
	cmd = append(cmd, abs)
	if a.RootfsType != "" {
		cmd = append(cmd, "--rootfs-type="+a.RootfsType)
	}
	return cmd
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
		archRepo := c.Paths.Work.ArchRepo(arch)
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
			volid, err := images.VolumeID(c, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
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
				inputPath = c.TranslatePath
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
			sources := append([]string{inputPath(archRepo)}, compose.AsStrings(c.Conf.ForVariantArch("lorax_extra_sources", v.UID, arch))...)
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
	if err := p.Validate(c); err != nil {
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
	tmp, err := c.MkdirTemp("", nil, "buildinstall_kickstart_")
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

// BootConfigs are the configuration files that name the volume.
var BootConfigs = []string{
	"isolinux/isolinux.cfg",
	"etc/yaboot.conf",
	"ppc/ppc64/yaboot.conf",
	"EFI/BOOT/BOOTX64.conf",
	"EFI/BOOT/grub.cfg",
}

// BootImages are images whose copies of the configs are rewritten too.
var BootImages = []string{"images/efiboot.img"}

var (
	cdlabelRe = regexp.MustCompile(`:CDLABEL=[^ \n]*`)
	labelRe   = regexp.MustCompile(`:LABEL=[^ \n]*`)
	searchRe  = regexp.MustCompile(`(search .* -l) '[^'\n]*'`)
)

// TweakConfig rewrites one boot configuration as Pungi's tweak_configs:
// every :LABEL= / :CDLABEL= gets the escaped volume ID (spaces as \x20,
// doubled backslashes for yaboot) followed by inst.ks when a kickstart is
// used, and grub's "search … -l '…'" gets the plain volume ID.
func TweakConfig(data, config, volid string, withKS bool) string {
	esc := strings.ReplaceAll(volid, " ", `\x20`)
	if strings.Contains(config, "yaboot") {
		esc = strings.ReplaceAll(esc, `\`, `\\`)
	}
	ks := ""
	if withKS {
		ks = " inst.ks=hd:LABEL=" + esc + ":/ks.cfg"
	}
	data = cdlabelRe.ReplaceAllLiteralString(data, ":CDLABEL="+esc+ks)
	data = labelRe.ReplaceAllLiteralString(data, ":LABEL="+esc+ks)
	data = searchRe.ReplaceAllStringFunc(data, func(m string) string {
		sub := searchRe.FindStringSubmatch(m)
		return sub[1] + " '" + volid + "'"
	})
	return data
}

// TweakConfigs rewrites the boot configs found under dir and returns
// those that changed (relative paths).
func TweakConfigs(dir, volid string, withKS bool) ([]string, map[string][]byte, error) {
	var changed []string
	content := map[string][]byte{}
	for _, cfg := range BootConfigs {
		p := filepath.Join(dir, cfg)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		nd := TweakConfig(string(b), cfg, volid, withKS)
		// A new file breaks any hardlink to lorax's output.
		if err := atomicfile.WriteFile(p, []byte(nd), 0o644); err != nil {
			return nil, nil, err
		}
		if nd != string(b) {
			changed = append(changed, cfg)
			content[cfg] = []byte(nd)
		}
	}
	return changed, content, nil
}

// CopyFiles is Pungi's tweak_buildinstall + link_boot_iso: lorax's output
// is copied into the variant's os tree through a temporary directory in
// which the boot configs (and their copies in efiboot.img) are rewritten;
// the kickstart goes to the tree root; boot.iso is linked into iso/.
func CopyFiles(c *compose.Compose, v *compose.Variant, arch, src, ks string) error {
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return fmt.Errorf("buildinstall output %s does not exist: lorax produced nothing for %s.%s", src, v.UID, arch)
	}
	volid, err := images.VolumeID(c, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: createiso.DiscType(c, "dvd")})
	if err != nil {
		return err
	}
	tmp, err := c.MkdirTemp(arch, v, "tweak_buildinstall_")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(src, tmp); err != nil {
		return err
	}
	changed, content, err := TweakConfigs(tmp, volid, ks != "")
	if err != nil {
		return err
	}
	dst := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	if ks != "" && len(changed) > 0 {
		if err := copyFile(ks, filepath.Join(dst, "ks.cfg")); err != nil {
			return err
		}
	}
	if len(changed) > 0 {
		for _, img := range BootImages {
			p := filepath.Join(tmp, img)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			done, err := fatimg.ReplaceFiles(p, content)
			if err != nil {
				return fmt.Errorf("rewriting boot configuration in %s: %w", img, err)
			}
			for _, f := range done {
				c.Log.Infof("Boot config %s changed in %s", f, img)
			}
		}
	}
	if err := copyTree(tmp, dst); err != nil {
		return err
	}
	return LinkBootISO(c, v, arch)
}

// LinkBootISO links the tree's images/boot.iso into iso/ under the "boot"
// disc type name and records it in the manifest.
func LinkBootISO(c *compose.Compose, v *compose.Variant, arch string) error {
	if arch == "src" {
		return nil
	}
	tree := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	boot := filepath.Join(tree, "images", "boot.iso")
	if _, err := os.Stat(boot); err != nil {
		return nil
	}
	name, err := images.ImageName(c, arch, v, createiso.DiscType(c, "boot"), 0, ".iso")
	if err != nil {
		return err
	}
	dir, err := createiso.ISODir(c, arch, v)
	if err != nil || dir == "" {
		return err
	}
	msg := fmt.Sprintf("Linking boot.iso (arch: %s, variant: %s)", arch, v.UID)
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err == nil {
		c.Log.Warningf("[SKIP ] %s", msg)
		return nil
	}
	c.Log.Infof("[BEGIN] %s", msg)
	if err := os.Link(boot, target); err != nil {
		if err := copyFile(boot, target); err != nil {
			return err
		}
	}
	if err := writeManifest(target); err != nil {
		return err
	}
	im, err := images.NewImage(c, target)
	if err != nil {
		return err
	}
	im.Arch, im.Type, im.Format, im.DiscNumber, im.DiscCount, im.Bootable = arch, "boot", "iso", 1, 1, true
	im.Subvariant, im.Deliverable, im.CanFail = v.UID, "buildinstall", c.CanFail(v, arch, "buildinstall")
	if md5, err := createiso.ImplantedMD5(target); err == nil {
		im.ImplantMD5 = md5
	} else {
		c.Log.Criticalf("Implanted MD5 in %s is not valid: %v", target, err)
	}
	if vid, err := createiso.ReadVolumeID(target); err == nil {
		im.VolumeID = vid
	}
	images.Of(c).Add(v.UID, arch, im)
	c.Log.Infof("[DONE ] %s", msg)
	return nil
}

// writeManifest lists the ISO's files (isoinfo -R -f, sorted, without
// TRANS.TBL) into ISO.manifest.
func writeManifest(iso string) error {
	out, err := runCmd("isoinfo", "-R", "-f", "-i", iso)
	if err != nil {
		return err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasSuffix(l, "/TRANS.TBL") {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return atomicfile.WriteFile(iso+".manifest", []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// copyTree copies src's content into dst, replacing files, keeping
// symlinks, modes and making everything world-readable (Pungi's chmod a+rX).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(t, info.Mode().Perm()|0o755)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(t)
			return os.Symlink(link, t)
		}
		return copyFileMode(p, t, info.Mode().Perm()|0o444)
	})
}

func copyFile(src, dst string) error { return copyFileMode(src, dst, 0o644) }

func copyFileMode(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteWith(dst, mode, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

func runCmd(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return string(out), nil
}
