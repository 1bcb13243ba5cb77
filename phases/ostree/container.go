package ostree

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/buildinstall"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

// ContainerPhase is the ostree_container phase.
type ContainerPhase struct{}

// Name implements compose.Phase.
func (*ContainerPhase) Name() string { return "ostree_container" }

// Skip implements compose.Phase.
func (*ContainerPhase) Skip(c *compose.Compose) bool { return !configured(c, "ostree_container") }

// Validate implements compose.Validator.
func (*ContainerPhase) Validate(c *compose.Compose, f *compose.Findings) {
	items, err := Items(c, "ostree_container")
	if err == nil {
		err = requireKeys("ostree_container", items, "treefile", "config_url")
	}
	if err != nil {
		f.Errorf("ostree_container", "%v", err)
	}
}

// Run implements compose.Phase.
func (*ContainerPhase) Run(ctx context.Context, c *compose.Compose) error {
	items, err := Items(c, "ostree_container")
	if err != nil {
		return err
	}
	if err := requireKeys("ostree_container", items, "treefile", "config_url"); err != nil {
		return err
	}
	rr := runroot.New(c, "ostree_container")
	return runItems(ctx, c, "ostree_container", "ostree-container", items, func(ctx context.Context, it Item) error {
		return MakeContainer(ctx, c, rr, it)
	})
}

// MakeContainer builds an OCI archive with rpm-ostree compose image into
// compose/<Variant>/<arch>/images/ and records it in the manifest.
func MakeContainer(ctx context.Context, c *compose.Compose, rr *runroot.Runner, it Item) error {
	conf := it.Conf
	workdir := c.Paths.Work.Topdir(fmt.Sprintf("ostree-container-%d", it.Num))
	logdir := filepath.Join(c.Paths.Log.Topdir(it.Arch), it.Variant.UID, fmt.Sprintf("ostree-container-%d", it.Num))
	if err := os.MkdirAll(logdir, 0o755); err != nil {
		return err
	}
	repodir := filepath.Join(workdir, "config_repo")
	url, branch := conf.str("config_url", ""), conf.str("config_branch", "main")
	if err := CloneConfig(ctx, c, url, branch, repodir); err != nil {
		return fmt.Errorf("ostree_container %s.%s: %w", it.Variant.UID, it.Arch, err)
	}
	treefile := filepath.Join(repodir, conf.str("treefile", ""))
	if _, err := os.Stat(treefile); err != nil {
		return fmt.Errorf("ostree_container %s.%s: treefile %s does not exist in %s (branch %s)", it.Variant.UID, it.Arch, conf.str("treefile", ""), url, branch)
	}
	repos, err := RepoDicts(c, append(compose.AsList(conf["repo"]), PkgsetRepos(c)...))
	if err != nil {
		return err
	}
	if err := writeExtraConfig(filepath.Join(workdir, "extra_config.json"), conf, repos, "treefile", "config_url", "config_branch", "failable", "version"); err != nil {
		return err
	}
	plugin := c.Conf.Bool("ostree_container_use_koji_plugin")
	// Koji's pungi-ostree task tweaks the treefile itself from the extra
	// config, as pungi-make-ostree container does.
	if !plugin {
		if err := TweakTreefile(treefile, repos, conf.boolean("keep_original_sources", false), nil); err != nil {
			return err
		}
	}
	target := c.Paths.Compose.ImageDir(it.Arch, it.Variant)
	if target == "" {
		return fmt.Errorf("ostree_container: variant %s (%s) has no images directory", it.Variant.UID, it.Variant.Type)
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	version, err := images.VersionGenerator(c.Info, conf.str("version", ""))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-%s", c.Info.Release.Short, it.Variant.UID, version)
	archive := filepath.Join(target, name+".ociarchive")
	cmd := []string{"rpm-ostree", "compose", "image", "--initialize", "--touch-if-changed=" + filepath.Join(logdir, name+".stamp"), treefile, archive}
	packages := append([]string{"ostree", "rpm-ostree", "selinux-policy-targeted"}, conf.strings("runroot_packages")...)
	if plugin {
		// Pungi's argument dict for pungi-make-ostree container: the task
		// writes ociarchive-path/ociarchive-name.ociarchive and the stamp
		// into log-dir.
		args := []runroot.PluginArg{{Key: "log-dir", Value: logdir}, {Key: "treefile", Value: treefile},
			{Key: "version", Value: version}, {Key: "extra-config", Value: filepath.Join(workdir, "extra_config.json")},
			{Key: "ociarchive-path", Value: target}, {Key: "ociarchive-name", Value: name}}
		packages = append([]string{"pungi"}, packages...)
		_, err = rr.RunPlugin(ctx, runroot.PluginRequest{Task: "pungi-ostree", Arch: it.Arch, Args: args, Packages: packages,
			Mounts: []string{c.Topdir}, LogFile: filepath.Join(logdir, "runroot.log")})
	} else {
		_, err = rr.Run(ctx, runroot.Request{Command: "umask 0002 && " + runroot.ShellJoin(cmd), LogFile: filepath.Join(logdir, "runroot.log"),
			Arch: it.Arch, Packages: packages, Mounts: []string{c.Topdir}, NewChroot: true})
	}
	if err != nil {
		return fmt.Errorf("ostree_container %s.%s: %w", it.Variant.UID, it.Arch, err)
	}
	im, err := images.NewImage(c, archive)
	if err != nil {
		return fmt.Errorf("ostree_container %s.%s: rpm-ostree wrote no %s: %w", it.Variant.UID, it.Arch, archive, err)
	}
	im.Arch, im.Type, im.Format, im.DiscNumber, im.DiscCount = it.Arch, "ociarchive", "ociarchive", 1, 1
	im.Subvariant, im.Deliverable, im.CanFail = it.Variant.UID, "ostree-container", CanArchFail(conf, it.Arch)
	images.Of(c).Add(it.Variant.UID, it.Arch, im)
	return nil
}

// InstallerPhase is the ostree_installer phase.
type InstallerPhase struct{}

// Name implements compose.Phase.
func (*InstallerPhase) Name() string { return "ostree_installer" }

// Skip implements compose.Phase.
func (*InstallerPhase) Skip(c *compose.Compose) bool { return !configured(c, "ostree_installer") }

// Validate refuses an installer where buildinstall already writes the same
// files, unless ostree_installer_overwrite.
func (*InstallerPhase) Validate(c *compose.Compose, f *compose.Findings) {
	items, err := Items(c, "ostree_installer")
	if err != nil {
		f.Errorf("ostree_installer", "%v", err)
		return
	}
	bi, _ := compose.StringOpt(c.Conf, "buildinstall_method")
	if c.Conf.Bool("ostree_installer_overwrite") || bi == "" || c.SkippedByOptions("buildinstall") {
		return
	}
	for _, it := range items {
		if !it.Variant.IsEmpty {
			f.Errorf("ostree_installer", "Can not generate ostree installer for %s.%s: it has buildinstall running already and the files would clash.", it.Variant.UID, it.Arch)
		}
	}
}

// Run implements compose.Phase.
func (p *InstallerPhase) Run(ctx context.Context, c *compose.Compose) error {
	if err := compose.ValidateConfig(c, p); err != nil {
		return err
	}
	items, err := Items(c, "ostree_installer")
	if err != nil {
		return err
	}
	if err := requireKeys("ostree_installer", items, "repo"); err != nil {
		return err
	}
	rr := runroot.New(c, "ostree_installer")
	return runItems(ctx, c, "ostree_installer", "ostree-installer", items, func(ctx context.Context, it Item) error {
		return MakeInstaller(ctx, c, rr, it)
	})
}

// MakeInstaller runs lorax for the ostree installer, copies its output
// into the os tree and links boot.iso into iso/ as the "ostree" disc type.
func MakeInstaller(ctx context.Context, c *compose.Compose, rr *runroot.Runner, it Item) error {
	conf := it.Conf
	v, arch := it.Variant, it.Arch
	logdir := filepath.Join(c.Paths.Log.Topdir(arch), v.UID, fmt.Sprintf("ostree_installer-%d", it.Num))
	if err := os.MkdirAll(logdir, 0o755); err != nil {
		return err
	}
	var urls []string
	for _, r := range append(compose.AsList(conf["repo"]), PkgsetRepos(c)...) {
		switch x := r.(type) {
		case string:
			if !strings.Contains(x, "://") && !strings.HasPrefix(x, "/") {
				c.Log.Warningf("Variant-type source repository is deprecated and will be ignored during 'OSTreeInstaller' phase: %s", x)
				continue
			}
			urls = append(urls, resolveRepo(c, x))
		case map[string]any:
			u, _ := x["baseurl"].(string)
			if u == "" {
				return fmt.Errorf("Baseurl is required in repo dict %v", x)
			}
			urls = append(urls, resolveRepo(c, u))
		}
	}
	if _, ok := c.Conf.Get("comps_file"); ok {
		urls = append(urls, compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "work", "$basearch", "comps_repo_"+v.UID)))
	}
	for i := range urls {
		urls[i] = strings.ReplaceAll(urls[i], "$arch", arch)
	}
	output := filepath.Join(c.Paths.Work.Topdir(arch), v.UID, "ostree_installer")
	templateDir := ""
	if url := conf.str("template_repo", ""); url != "" {
		templateDir = filepath.Join(c.Paths.Work.Topdir(arch), v.UID, "lorax_templates")
		if err := CloneConfig(ctx, c, url, conf.str("template_branch", "master"), templateDir); err != nil {
			return fmt.Errorf("ostree_installer template_repo: %w", err)
		}
	}
	templates := func(key string) ([]string, error) {
		var out []string
		for _, t := range conf.strings(key) {
			if !strings.HasPrefix(t, "/") {
				if templateDir == "" {
					return nil, fmt.Errorf("Relative path to template without setting template_repo.")
				}
				t = filepath.Join(templateDir, t)
			}
			if _, err := os.Stat(t); err != nil {
				return nil, fmt.Errorf("ostree_installer %s: template %s does not exist", key, t)
			}
			out = append(out, t)
		}
		return out, nil
	}
	addT, err := templates("add_template")
	if err != nil {
		return err
	}
	addAT, err := templates("add_arch_template")
	if err != nil {
		return err
	}
	discType := createiso.DiscType(c, "ostree")
	volid, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: arch, Variant: v, DiscType: discType})
	if err != nil {
		return err
	}
	release := ""
	if r, ok := conf["release"]; ok {
		s, _ := r.(string)
		if release, err = images.VersionGenerator(c.Info, s); err != nil {
			return err
		}
		if release == "" {
			release = compose.ImageRelease(c.Info)
		}
	}
	name, _ := compose.StringOpt(c.Conf, "release_name")
	if name == "" {
		name = c.Info.Release.Name
	}
	buildarch := arch
	if va := multilib.ValidArches(arch); len(va) > 0 {
		buildarch = va[0]
	}
	args := buildinstall.LoraxArgs{Product: name, Version: c.Info.Release.Version, Release: release, Sources: urls,
		OutputDir: output, Variant: v.UID, NoMacBoot: true, VolID: volid, BuildArch: buildarch,
		InstallPkgs: conf.strings("installpkgs"), AddTemplate: addT, AddArchTemplate: addAT,
		AddTemplateVar: conf.strings("add_template_var"), AddArchTemplateVar: conf.strings("add_arch_template_var"),
		RootfsSize: conf["rootfs_size"], IsFinal: c.Supported, LogDir: logdir, SkipBranding: conf.boolean("skip_branding", false)}
	cmd := "rm -rf " + runroot.ShellQuote(output) + " && " + runroot.ShellJoin(buildinstall.LoraxCmd(args))
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	packages := append([]string{"pungi", "lorax", "ostree"}, conf.strings("extra_runroot_pkgs")...)
	if c.Conf.Bool("ostree_installer_use_koji_plugin") {
		if err := installerPlugin(ctx, c, rr, it, args, packages, logdir); err != nil {
			return fmt.Errorf("ostree_installer %s.%s: %w", v.UID, arch, err)
		}
	} else if _, err := rr.Run(ctx, runroot.Request{Command: cmd, LogFile: filepath.Join(logdir, "runroot.log"), Arch: arch,
		Packages: packages, Mounts: []string{c.Topdir}, ChownPaths: []string{output}}); err != nil {
		return fmt.Errorf("ostree_installer %s.%s: %w", v.UID, arch, err)
	}
	fname, err := images.ImageName(c.Conf, c.Info, arch, v, discType, 1, ".iso")
	if err != nil {
		return err
	}
	isoDir, err := createiso.ISODir(c, arch, v)
	if err != nil || isoDir == "" {
		return fmt.Errorf("ostree_installer: no iso directory for %s.%s: %v", v.UID, arch, err)
	}
	boot := filepath.Join(output, "images", "boot.iso")
	if _, err := os.Stat(boot); err != nil {
		return fmt.Errorf("ostree_installer %s.%s: lorax produced no images/boot.iso", v.UID, arch)
	}
	osTree := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree(arch, v))
	if err := copyAll(output, osTree); err != nil {
		return err
	}
	isoPath := filepath.Join(isoDir, fname)
	if err := os.Link(boot, isoPath); err != nil {
		if err := copyFileTo(boot, isoPath); err != nil {
			return err
		}
	}
	im, err := images.NewImage(c, isoPath)
	if err != nil {
		return err
	}
	im.Arch, im.Type, im.Format, im.DiscNumber, im.DiscCount, im.Bootable = arch, "dvd-ostree", "iso", 1, 1, true
	im.Subvariant, im.Deliverable, im.CanFail = v.UID, "ostree-installer", CanArchFail(conf, arch)
	if md5, err := createiso.ImplantedMD5(isoPath); err == nil {
		im.ImplantMD5 = md5
	}
	if vid, err := createiso.ReadVolumeID(isoPath); err == nil {
		im.VolumeID = vid
	}
	images.Of(c).Add(v.UID, arch, im)
	return nil
}

func copyAll(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		return fmt.Errorf("Source directory %s is empty.", src)
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(t, 0o755)
		}
		return copyFileTo(p, t)
	})
}

func copyFileTo(src, dst string) error { return atomicfile.Copy(src, dst, 0o644) }
