package buildinstall

// lorax's command line as Pungi builds it: the merged lorax_options of a
// variant.arch and the arguments of LoraxWrapper.get_lorax_cmd.

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/phases/compose"
)

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
