// Package createrepo owns the createrepo phase: one repository per
// variant, arch and type (rpm, debuginfo, and srpm once per variant) over
// the packages the gather phase linked, written by pungo's own writer
// (repomd/createrepo) with createrepo_checksum, createrepo_database and
// createrepo_use_xz, the variant's comps as group file for binary
// repositories, and a productid record when product_id is configured.
// Repodata is assembled beside the old one and swapped in by rename, so a
// killed compose never leaves half-written repodata.
//
// With --old-composes, a repository whose package list matches the old
// compose's is built in update mode from the old repodata, and the log
// says so. Where createrepo_deltas enables them, binary repositories also
// get delta RPMs (drpms/ and a prestodelta record) against the packages of
// the same repository in the newest old compose, as Pungi asks
// createrepo_c for them.
package createrepo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/gather"
	"github.com/pungo/pungo/phases/productmd"
	cr "github.com/pungo/pungo/repomd/createrepo"
)

// Phase is the createrepo phase.
type Phase struct{}

// Name implements compose.Phase.
func (*Phase) Name() string { return "createrepo" }

// Skip implements compose.Phase.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Validate checks the createrepo options: the checksum, the
// createrepo_c flags of createrepo_extra_args (pungo's writer applies
// them; one it does not implement is refused, not dropped), and, as
// Pungi's validate, that deltas have an old compose to be made from.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	if s, ok := compose.StringOpt(c.Conf, "createrepo_checksum"); ok {
		switch s {
		case "sha", "sha1", "sha256", "sha512":
		default:
			f.Errorf("createrepo_checksum", "createrepo_checksum %q is not one of sha1, sha256, sha512", s)
		}
	}
	if err := cr.CheckArgs(extraArgs(c)); err != nil {
		f.Errorf("createrepo_extra_args", "%v", err)
	}
	if wantDeltas(c) && len(c.OldComposes) == 0 {
		f.Errorf("createrepo_deltas", "Can not generate deltas without old compose")
	}
}

// CheckHost checks that makedeltarpm (deltarpm), which pungo makes deltas
// with, is installed when deltas are wanted.
func (*Phase) CheckHost(c *compose.Compose) error {
	if !wantDeltas(c) {
		return nil
	}
	if _, err := exec.LookPath("makedeltarpm"); err != nil {
		return fmt.Errorf("createrepo_deltas needs makedeltarpm (package deltarpm), not found in PATH")
	}
	return nil
}

// yumDatabase is Pungi's should_create_yum_database: createrepo_database
// when set, otherwise sqlite databases only for the yum gather backend
// (Pungi's default backend is dnf, so by default none).
func yumDatabase(c *compose.Compose) bool {
	if v, ok := c.Conf.Get("createrepo_database"); ok && v != nil {
		return c.Conf.Bool("createrepo_database")
	}
	backend, _ := compose.StringOpt(c.Conf, "gather_backend")
	return backend == "yum"
}

// wantDeltas reports whether createrepo_deltas asks for deltas anywhere.
func wantDeltas(c *compose.Compose) bool {
	raw, ok := c.Conf.Get("createrepo_deltas")
	return ok && config.Truthy(raw)
}

// hasDeltas is Pungi's _has_deltas: createrepo_deltas as a boolean for
// every variant and arch, or as a variant/arch mapping of booleans.
func hasDeltas(c *compose.Compose, v *compose.Variant, arch string) bool {
	raw, ok := c.Conf.Get("createrepo_deltas")
	if !ok || raw == nil {
		return false
	}
	if b, isBool := raw.(bool); isBool {
		return b
	}
	for _, val := range compose.ForVariantArchOf(raw, v.UID, arch) {
		if config.Truthy(val) {
			return true
		}
	}
	return false
}

// oldPackageDirs is Pungi's _get_old_package_dirs: the Packages directory
// below the same repository of the newest suitable old compose, or with
// hashed_directories its letter buckets; nil when there is none (deltas
// are then still asked for and the prestodelta record is empty, as with
// Pungi).
func oldPackageDirs(c *compose.Compose, repoDir string) []string {
	rel, err := filepath.Rel(c.Topdir, repoDir)
	if err != nil {
		return nil
	}
	olds := compose.OldComposeDirs(c)
	if len(olds) == 0 {
		c.Log.Infof("No suitable old compose found in: %v", c.OldComposes)
		return nil
	}
	oldRepo := filepath.Join(olds[0], rel)
	if _, err := os.Stat(oldRepo); err != nil {
		c.Log.Infof("No suitable old compose found in: %v", c.OldComposes)
		return nil
	}
	pkgs := filepath.Join(oldRepo, "Packages")
	if !c.Conf.Bool("hashed_directories") {
		return []string{pkgs}
	}
	ents, err := os.ReadDir(pkgs)
	if err != nil {
		return nil // no Packages directory: no deltas
	}
	var buckets []string
	for _, e := range ents {
		if st, err := os.Stat(filepath.Join(pkgs, e.Name())); err == nil && st.IsDir() {
			buckets = append(buckets, filepath.Join(pkgs, e.Name()))
		}
	}
	sort.Strings(buckets)
	return buckets
}

func nonEmpty(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return v != nil
}

// Run builds every repository.
func (*Phase) Run(ctx context.Context, c *compose.Compose) error {
	manifest, err := loadManifest(c)
	if err != nil {
		return err
	}
	var tasks []compose.Task
	mods := newModulesMetadata()
	for _, v := range c.GetVariants(nil, "") {
		if v.IsEmpty {
			continue
		}
		for _, arch := range v.Arches {
			for _, t := range []string{gather.TypeRPM, gather.TypeDebug} {
				tasks = append(tasks, compose.Task{Name: fmt.Sprintf("%s.%s.%s", v.UID, arch, t), Run: func(ctx context.Context) error {
					if err := VariantRepo(ctx, c, manifest, arch, v, t); err != nil || t != gather.TypeRPM {
						return err
					}
					return mods.addModules(ctx, c, arch, v, c.Paths.Compose.Repository(arch, v))
				}})
			}
		}
		tasks = append(tasks, compose.Task{Name: v.UID + ".src", Run: func(ctx context.Context) error {
			return VariantRepo(ctx, c, manifest, "", v, gather.TypeSRPM)
		}})
	}
	workers := c.Conf.Int("createrepo_num_threads")
	if err := c.RunTasks(ctx, "createrepo", tasks, workers); err != nil {
		return err
	}
	return mods.write(c) // modules.json, in every compose (modules.go)
}

// loadManifest reads metadata/rpms.json, which says which packages belong
// to which repository (addon packages live inside the parent's tree).
func loadManifest(c *compose.Compose) (*productmd.Rpms, error) {
	path := c.Paths.Compose.Metadata("rpms.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("createrepo needs the gather phase's %s: %w", path, err)
	}
	return productmd.ReadRpms(data, path)
}

var categoryOf = map[string]string{gather.TypeRPM: "binary", gather.TypeSRPM: "source", gather.TypeDebug: "debug"}

// VariantRepo writes the repository of one variant, arch ("" for the
// variant's source repository) and type.
func VariantRepo(ctx context.Context, c *compose.Compose, manifest *productmd.Rpms, arch string, v *compose.Variant, typ string) error {
	var repoDir, listArch string
	switch typ {
	case gather.TypeRPM:
		repoDir, listArch = c.Paths.Compose.Repository(arch, v), arch
	case gather.TypeDebug:
		repoDir, listArch = c.Paths.Compose.DebugRepository(arch, v), arch
	case gather.TypeSRPM:
		repoDir, listArch = c.Paths.Compose.Repository("src", v), "src"
	}
	var rels []string
	top := filepath.Join(c.Topdir, "compose")
	for rpmArch, srpms := range manifest.Variants()[v.UID] {
		if arch != "" && rpmArch != arch {
			continue
		}
		for _, pkgs := range srpms {
			for _, e := range pkgs {
				if e.Category != categoryOf[typ] {
					continue
				}
				rel, err := filepath.Rel(repoDir, filepath.Join(top, filepath.FromSlash(e.Path)))
				if err != nil || strings.HasPrefix(rel, "..") {
					return fmt.Errorf("%s is outside repository %s", e.Path, repoDir)
				}
				rels = append(rels, filepath.ToSlash(rel))
			}
		}
	}
	sort.Strings(rels)
	rels = dedup(rels)
	listFile := c.Paths.Work.RepoPackageList(listArch, v, typ)
	if err := atomicfile.WriteWith(listFile, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for _, r := range rels {
			fmt.Fprintln(bw, r)
		}
		return bw.Flush()
	}); err != nil {
		return err
	}
	var oldDirs []string
	deltas := typ == gather.TypeRPM && hasDeltas(c, v, arch) // Pungi makes delta RPMs for binary repositories only
	if deltas {
		oldDirs = oldPackageDirs(c, repoDir)
		c.Log.Infof("Making delta RPMs for %s.%s from %v", v.UID, arch, oldDirs)
	}
	updateFrom := oldRepodata(c, repoDir)
	if updateFrom != "" {
		c.Log.Infof("Reusing repodata of %s for %s.%s %s (createrepo update mode)", updateFrom, v.UID, listArch, typ)
	}
	args := createrepoArgs(c, v, arch, typ, repoDir, listFile, updateFrom, deltas, oldDirs)
	c.Log.Infof("createrepo %s.%s %s: createrepo_c %s", v.UID, listArch, typ, strings.Join(args, " "))
	cmd, err := cr.ParseArgs(args, nil)
	if err != nil {
		return fmt.Errorf("createrepo %s: %w", repoDir, err)
	}
	for _, w := range cmd.Warnings {
		c.Log.Warningf("createrepo %s: %s", repoDir, w)
	}
	opts := cmd.Options
	opts.Context = ctx
	if err := ctx.Err(); err != nil {
		return err
	}
	res, err := cr.Run(cmd.Dir, opts)
	if err != nil {
		return fmt.Errorf("createrepo %s: %w", repoDir, err)
	}
	c.Log.Infof("Created repository %s (%s.%s %s): %d packages, %d reused", repoDir, v.UID, listArch, typ, res.Packages, res.Reused)
	if typ == gather.TypeRPM {
		if err := addProductID(c, arch, v, repoDir); err != nil {
			return err
		}
	}
	return nil
}

// createrepoArgs is the createrepo_c command line (without the program
// name) Pungi's create_variant_repo builds through get_createrepo_cmd,
// createrepo_extra_args last, which pungo's writer then parses exactly as
// `pungo createrepo` does. Two differences, both about reuse only: the
// metadata to update from is the same repository of the newest old
// compose (Pungi names the package set's repository), and without
// --skip-stat an updated package is reused only when size and mtime still
// match.
func createrepoArgs(c *compose.Compose, v *compose.Variant, arch, typ, repoDir, listFile, updateFrom string, deltas bool, oldDirs []string) []string {
	args := []string{repoDir, "--outputdir=" + repoDir, "--pkglist=" + listFile}
	if typ == gather.TypeRPM {
		if _, ok := c.Conf.Get("comps_file"); ok {
			args = append(args, "--groupfile="+c.Paths.Work.Comps(arch, v))
		}
	}
	args = append(args, "--update")
	if updateFrom != "" {
		args = append(args, "--update-md-path="+updateFrom)
	}
	if yumDatabase(c) {
		args = append(args, "--database")
	} else {
		args = append(args, "--no-database")
	}
	args = append(args, "--checksum="+checksum(c), "--unique-md-filenames")
	if deltas {
		args = append(args, "--deltas")
		for _, d := range oldDirs {
			args = append(args, "--oldpackagedirs="+d)
		}
		if n := int64(c.Conf.Int("createrepo_num_deltas")); n > 0 {
			args = append(args, fmt.Sprintf("--num-deltas=%d", n))
		}
	}
	if n := int64(c.Conf.Int("createrepo_num_workers")); n > 0 {
		args = append(args, fmt.Sprintf("--workers=%d", n))
	}
	if c.Conf.Bool("createrepo_use_xz") {
		args = append(args, "--xz")
	}
	return append(args, extraArgs(c)...)
}

// extraArgs is createrepo_extra_args: a string or a list of strings, as
// kobo's force_list takes it.
func extraArgs(c *compose.Compose) []string {
	raw, ok := c.Conf.Get("createrepo_extra_args")
	if !ok || raw == nil {
		return nil
	}
	switch x := raw.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, a := range x {
			out = append(out, fmt.Sprint(a))
		}
		return out
	}
	return nil
}

func checksum(c *compose.Compose) string { return compose.CreaterepoChecksum(c.Conf) }

func dedup(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// oldRepodata finds the same repository in the newest old compose (by
// path below the compose directory) whose STATUS is FINISHED or
// FINISHED_INCOMPLETE; "" when there is none.
func oldRepodata(c *compose.Compose, repoDir string) string {
	rel, err := filepath.Rel(c.Topdir, repoDir)
	if err != nil {
		return ""
	}
	for _, old := range compose.OldComposeDirs(c) {
		cand := filepath.Join(old, rel)
		if _, err := os.Stat(filepath.Join(cand, "repodata", "repomd.xml")); err == nil {
			return cand
		}
	}
	return ""
}

// addProductID adds the variant's product certificate as a productid
// record (product_id: scm_dict of a directory holding
// [prefix]<Variant>-<arch>-*.pem files), as Pungi's modifyrepo call
// does; every variant needs one unless product_id_allow_missing.
func addProductID(c *compose.Compose, arch string, v *compose.Variant, repoDir string) error {
	raw, ok := c.Conf.Get("product_id")
	if !ok || raw == nil {
		return nil
	}
	scm, err := compose.ParseSCM(raw)
	if err != nil {
		return fmt.Errorf("product_id: %w", err)
	}
	tmp, err := c.Paths.Work.MkdirTemp(arch, v, "product_id_")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := c.Fetch(context.Background(), scm, tmp); err != nil {
		return fmt.Errorf("product_id: %w", err)
	}
	pattern := fmt.Sprintf("%s-%s-*.pem", v.UID, arch)
	if c.Conf.Bool("product_id_allow_name_prefix") {
		pattern = "*" + pattern
	}
	matches, _ := filepath.Glob(filepath.Join(tmp, pattern))
	if len(matches) == 0 {
		if c.Conf.Bool("product_id_allow_missing") {
			c.Log.Warningf("No product certificate found (arch: %s, variant: %s)", arch, v.UID)
			return nil
		}
		return fmt.Errorf("No product certificate found (arch: %s, variant: %s)", arch, v.UID)
	}
	if len(matches) > 1 {
		return fmt.Errorf("Multiple product certificates found (arch: %s, variant: %s): %s", arch, v.UID, strings.Join(matches, ", "))
	}
	dst := c.Paths.Work.ProductID(arch, v)
	data, err := os.ReadFile(matches[0])
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	// Pungi runs modifyrepo_c CERT REPODATA --compress --compress-type=gz:
	// the type comes from the file name (productid), the checksum is
	// modifyrepo_c's default sha256 whatever createrepo_checksum says.
	// Then it copies the certificate to repodata/productid ("to make CDN
	// happy").
	repodata := filepath.Join(repoDir, "repodata")
	if _, err := cr.AddMetadata(dst, repodata, cr.ModifyOptions{Compress: true, CompressType: "gz", ChecksumType: "sha256"}); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(repodata, "productid"), data, 0o644)
}
