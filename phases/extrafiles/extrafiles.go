// Package extrafiles owns the extra_files phase: files named by
// extra_files (scm_dict entries of kind file, git or rpm; an rpm source
// given by package name is looked up in the package set) are copied into
// each variant's os tree, listed with sizes and checksums
// (media_checksums) in the tree's extra_files.json and in
// metadata/extra_files.json.
package extrafiles

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/checksum"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/productmd"
)

// Phase is the extra_files phase.
type Phase struct {
	// Pkgset is the run's pkgset phase: extra files of kind "rpm" named
	// without a path come from its package set.
	Pkgset *pkgset.Phase
}

// Name implements compose.Phase.
func (*Phase) Name() string { return "extra_files" }

// Skip implements compose.Phase: nothing to do without extra_files.
func (*Phase) Skip(c *compose.Compose) bool {
	v, ok := c.Conf.Get("extra_files")
	return !ok || len(compose.AsList(v)) == 0
}

// Run copies the files and writes the metadata.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	meta := &productmd.ExtraFiles{Compose: c.Info.Compose}
	for _, v := range c.GetVariants(nil, "") {
		if v.IsEmpty {
			continue
		}
		for _, arch := range append(append([]string{}, v.Arches...), "src") {
			cfg := c.Conf.ForVariantArch("extra_files", v.UID, arch)
			if len(cfg) == 0 {
				c.Log.Infof("[SKIP ] No extra files (arch: %s, variant: %s)", arch, v.UID)
				continue
			}
			if err := copyExtraFiles(ctx, c, p.Pkgset, cfg, arch, v, meta); err != nil {
				return fmt.Errorf("extra files of %s.%s: %w", v.UID, arch, err)
			}
		}
	}
	path := c.Paths.Compose.Metadata("extra_files.json")
	c.Log.Infof("Writing global extra files metadata: %s", path)
	return productmd.WriteJSON(path, meta)
}

func copyExtraFiles(ctx context.Context, c *compose.Compose, ps *pkgset.Phase, cfg []any, arch string, v *compose.Variant, meta *productmd.ExtraFiles) error {
	c.Log.Infof("[BEGIN] Getting extra files (arch: %s, variant: %s)", arch, v.UID)
	osTree := c.Paths.Compose.OSTree(arch, v)
	work := c.Paths.Work.ExtraFilesDir(arch, v)
	// Start from an empty staging directory so a rerun does not pick up
	// files of an earlier configuration.
	os.RemoveAll(work)
	work = c.Paths.Work.ExtraFilesDir(arch, v)
	repl := strings.NewReplacer("%(arch)s", arch, "%(variant_id)s", v.ID, "%(variant_id_lower)s", strings.ToLower(v.ID),
		"%(variant_uid)s", v.UID, "%(variant_uid_lower)s", strings.ToLower(v.UID))
	for _, raw := range cfg {
		scm, err := compose.ParseSCM(raw)
		if err != nil {
			return err
		}
		if scm.Kind == "rpm" && !strings.Contains(scm.Repo, "/") {
			p, err := findRPM(c, ps, arch, repl.Replace(scm.Repo))
			if err != nil {
				return err
			}
			scm.Repo = p
		}
		if _, err := c.Fetch(ctx, scm, filepath.Join(work, strings.TrimPrefix(scm.Target, "/"))); err != nil {
			return err
		}
	}
	var files []string
	err := filepath.Walk(work, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(work, p)
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	types := compose.StringsOpt(c.Conf, "media_checksums")
	if len(types) == 0 {
		types = []string{"md5", "sha1", "sha256"}
	}
	top := filepath.Join(c.Topdir, "compose")
	for _, rel := range files {
		dst := filepath.Join(osTree, rel)
		data, err := os.ReadFile(filepath.Join(work, rel))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		sums, err := checksums(dst, types)
		if err != nil {
			return err
		}
		relTop, _ := filepath.Rel(top, dst)
		if err := meta.Add(v.UID, arch, filepath.ToSlash(relTop), int64(len(data)), sums); err != nil {
			return err
		}
	}
	treeRel, _ := filepath.Rel(top, osTree)
	data, err := meta.ForTree(v.UID, arch, filepath.ToSlash(treeRel))
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(osTree, "extra_files.json"), data, 0o644); err != nil {
		return err
	}
	c.Log.Infof("[DONE ] Getting extra files (arch: %s, variant: %s)", arch, v.UID)
	return nil
}

// findRPM finds a package of the package set by "name" or "name.arch".
func findRPM(c *compose.Compose, ps *pkgset.Phase, arch, pattern string) (string, error) {
	set, err := ps.Loaded(c)
	if err != nil {
		return "", err
	}
	name, parch := pattern, ""
	if i := strings.LastIndexByte(pattern, '.'); i > 0 {
		name, parch = pattern[:i], pattern[i+1:]
	}
	for _, p := range set.Arch(arch) {
		if p.IsSource() {
			continue
		}
		if p.Name == pattern || (p.Name == name && p.Arch == parch) {
			return p.Path, nil
		}
	}
	return "", fmt.Errorf("No package matching %s in the package set.", pattern)
}

func checksums(path string, types []string) (map[string]string, error) {
	for _, t := range types {
		if checksum.New(t) == nil {
			return nil, fmt.Errorf("media_checksums: unsupported checksum %q", t)
		}
	}
	return checksum.File(context.Background(), path, types)
}
