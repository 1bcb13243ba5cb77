package pkgset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/modulemd"
)

// configuredModuleMeta reads module_defaults_dir (a directory or an SCM
// dict, fetched into work/global/module_defaults as Pungi's init phase
// does), module_defaults_override_dir (merged over it with override) and
// module_obsoletes_dir (fetched into work/global/module_obsoletes). It
// refuses a defaults directory that gives one module two default streams,
// as Pungi's init phase validates it. Nil when none is configured.
func configuredModuleMeta(c *compose.Compose) (*modulemd.Index, error) {
	dir, err := fetchModuleDir(c, "module_defaults_dir", "module_defaults")
	if err != nil || dir == "" {
		if err == nil {
			if o, ok := compose.StringOpt(c.Conf, "module_defaults_override_dir"); ok && o != "" {
				return nil, fmt.Errorf("module_defaults_override_dir is set but module_defaults_dir is not")
			}
		}
		return obsoletesOnly(c, err)
	}
	conflicts, err := modulemd.ConflictingDefaults(dir)
	if err != nil {
		return nil, fmt.Errorf("module_defaults_dir: %w", err)
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("module_defaults_dir: there are duplicated module defaults: %v", conflicts)
	}
	override := ""
	if o, ok := compose.StringOpt(c.Conf, "module_defaults_override_dir"); ok && o != "" {
		override = compose.ResolvePath(c.ConfigPath, o)
	}
	idx, err := modulemd.ReadDefaultsDir(dir, override)
	if err != nil {
		return nil, fmt.Errorf("module_defaults_dir: %w", err)
	}
	obs, err := obsoletesOnly(c, nil)
	if err != nil {
		return nil, err
	}
	if obs != nil {
		for _, o := range obs.Obsoletes {
			idx.AddObsoletes(o)
		}
	}
	return idx, nil
}

func obsoletesOnly(c *compose.Compose, err error) (*modulemd.Index, error) {
	if err != nil {
		return nil, err
	}
	dir, err := fetchModuleDir(c, "module_obsoletes_dir", "module_obsoletes")
	if err != nil || dir == "" {
		return nil, err
	}
	idx, err := modulemd.ReadDir(dir, false)
	if err != nil {
		return nil, fmt.Errorf("module_obsoletes_dir: %w", err)
	}
	return idx, nil
}

// fetchModuleDir brings an option's directory (path or SCM dict) into
// work/global/<name> and returns that directory ("" when unset).
func fetchModuleDir(c *compose.Compose, key, name string) (string, error) {
	raw, ok := c.Conf.Get(key)
	if !ok || raw == nil || raw == "" {
		return "", nil
	}
	dest := filepath.Join(c.Paths.Work.Topdir(""), name)
	if s, ok := raw.(string); ok {
		src := compose.ResolvePath(c.ConfigPath, s)
		if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("%s: %s is not a directory", key, src)
		}
		return src, nil
	}
	s, err := compose.ParseSCM(raw)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	if _, err := c.Fetch(context.Background(), s, dest); err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return dest, nil
}

// mergeConfiguredModuleMeta merges the configured module directories into
// the set's ModuleMeta of every arch, when the set has module streams
// (Pungi reads the directories in its init phase for a modular compose).
func (s *Set) mergeConfiguredModuleMeta(c *compose.Compose) error {
	if len(s.Modules) == 0 {
		return nil
	}
	cfg, err := configuredModuleMeta(c)
	if err != nil {
		return err
	}
	if s.ModuleMeta == nil {
		s.ModuleMeta = map[string]*modulemd.Index{}
	}
	for arch := range s.Modules {
		meta, err := mergeModuleMeta(s.ModuleMeta[arch], cfg)
		if err != nil {
			return err
		}
		s.ModuleMeta[arch] = meta
	}
	return nil
}

// mergeModuleMeta merges what the inputs carry (priority 0) with the
// configured directories (priority 1: the compose's configuration wins
// over the repositories' defaults).
func mergeModuleMeta(inputs, configured *modulemd.Index) (*modulemd.Index, error) {
	m := modulemd.NewMerger()
	if inputs != nil {
		m.Associate(inputs, 0)
	}
	if configured != nil {
		m.Associate(configured, 1)
	}
	return m.Resolve(false)
}
