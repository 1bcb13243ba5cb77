// Package pkgset owns the pkgset phase: it loads the package set a compose
// is made from — from rpm-md repositories (pkgset_source = "repos",
// pkgset_repos per arch) or from Koji tags (pkgset_source = "koji") — and
// splits it per tree arch the way Pungi does (every arch valid for the
// tree, multilib arches included, plus noarch and src).
//
// The result is a *Set returned by (*Phase).Set; the phases that read it
// (gather, extra_files) are handed the same *Phase when the run is wired.
package pkgset

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/modulemd"
)

// Package is one package of the set.
type Package struct {
	*repomd.Package
	// Path is the local path (or URL) of the .rpm file.
	Path string
	// Sigkey is the lowercase short key ID of the signature the package
	// was taken with; "" for an unsigned package (null in rpms.json).
	Sigkey string
	// Origin names where the package came from (repository path or Koji
	// tag) for messages.
	Origin string
}

// Set is the package set, split per tree arch.
type Set struct {
	// ByArch holds, for each tree arch, the packages that arch may use
	// (binary arches valid for it, noarch and src), in input order.
	ByArch map[string][]*Package
	// Inputs describes what the set was built from (repository revisions,
	// Koji event), for reuse decisions.
	Inputs []string
	// Event is the Koji event the set was taken at (0 for repos).
	Event int64
	// LoadFiles completes the file lists of the binary packages of a
	// tree arch's part of the set (filelists.xml), for file dependencies
	// outside primary's subset and the multilib runtime test; safe for
	// concurrent use. Nil when the lists are complete already.
	LoadFiles func(arch string) error
	// Modules holds, per tree arch, the module streams of the inputs by
	// NSVC (modules.go); their packages are not in ByArch.
	Modules map[string]map[string]*ModuleStream
	// ModuleMeta holds, per tree arch, the defaults, obsoletes and
	// translations the inputs carry, merged, with module_defaults_dir,
	// module_defaults_override_dir and module_obsoletes_dir over them
	// (modmeta.go).
	ModuleMeta map[string]*modulemd.Index
	// VariantModules, when not nil, holds the streams the source chose for
	// each variant (UID → tree arch → NSVCs): the Koji source chooses
	// module builds per variant by Pungi's rules (kojimodules.go).
	// Without it a variant's <modules> entries select among Modules.
	VariantModules map[string]map[string][]string
}

// Arch returns the packages usable by a tree arch.
func (s *Set) Arch(arch string) []*Package { return s.ByArch[arch] }

// ArchesFor are the package arches a tree arch takes from the set: its
// valid binary arches (native and multilib), noarch and src.
func ArchesFor(treeArch string) map[string]bool {
	m := map[string]bool{"src": true, "nosrc": true, "noarch": true}
	for _, a := range multilib.ValidArches(treeArch) {
		m[a] = true
	}
	return m
}

// split distributes pkgs over the tree arches, keeping out the noarch
// packages x excludes from an arch (x may be nil).
func split(pkgs []*Package, treeArches []string, x *exclusion) map[string][]*Package {
	out := map[string][]*Package{}
	for _, ta := range treeArches {
		ok := ArchesFor(ta)
		var match map[string]bool
		if x != nil {
			match = x.matchArches(ta)
		}
		list := make([]*Package, 0, len(pkgs))
		for _, p := range pkgs {
			if ok[p.Arch] && !x.excluded(p, ta, match) {
				list = append(list, p)
			}
		}
		out[ta] = list
	}
	return out
}

// keepLatest drops, among packages of the same name and arch, all but the
// highest EVR (first seen wins a tie), as dnf would offer them.
func keepLatest(pkgs []*Package) []*Package {
	best := map[[2]string]int{}
	for i, p := range pkgs {
		k := [2]string{p.Name, p.Arch}
		j, ok := best[k]
		if !ok || repomd.CompareEVR(p.EVR, pkgs[j].EVR) > 0 {
			best[k] = i
		}
	}
	idx := make([]int, 0, len(best))
	for _, i := range best {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]*Package, len(idx))
	for n, i := range idx {
		out[n] = pkgs[i]
	}
	return out
}

// Phase is the pkgset phase.
type Phase struct {
	set *Set
}

// Loaded is a pkgset phase that has already loaded set: for callers that
// build the package set themselves (pungo gather, tests) and hand it to
// the phases that read it.
func Loaded(set *Set) *Phase { return &Phase{set: set} }

// Name implements compose.Phase.
func (*Phase) Name() string { return "pkgset" }

// Skip implements compose.Phase.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Set returns the loaded package set (nil before Run).
func (p *Phase) Set() *Set { return p.set }

// kojiSourceOnly are the options only the Koji package set source reads
// (besides those Pungi's schema already makes conflict with repos).
var kojiSourceOnly = []string{"pkgset_koji_builds", "pkgset_koji_scratch_tasks", "pkgset_koji_module_tag",
	"pkgset_koji_module_builds", "pkgset_koji_inherit_modules", "pkgset_scratch_modules", "mbs_api_url"}

// Validate checks the source options.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	src, _ := compose.StringOpt(c.Conf, "pkgset_source")
	validateModuleSpecs(c, f, src)
	if o, ok := compose.StringOpt(c.Conf, "module_defaults_override_dir"); ok && o != "" {
		if _, ok := c.Conf.Get("module_defaults_dir"); !ok {
			// Pungi reads the overrides only with module_defaults_dir,
			// so they would have no effect.
			f.Errorf("module_defaults_override_dir", "module_defaults_override_dir is set but module_defaults_dir is not")
		}
	}
	switch src {
	case "repos":
		if _, ok := c.Conf.Get("pkgset_repos"); !ok {
			f.Errorf("pkgset_source", "pkgset_source is repos but pkgset_repos is not set")
		}
		if _, err := allowedRoots(c); err != nil {
			f.Errorf("pkgset_repos_allowed_roots", "%v", err)
		}
		// Pungi's schema makes only pkgset_koji_tag and
		// pkgset_koji_inherit conflict with repos; these are read by the
		// Koji source alone, so with repos they would be ignored unsaid.
		for _, k := range kojiSourceOnly {
			if v, ok := c.Conf.Get(k); ok && config.Truthy(v) {
				f.Warnf(k, "Config option %s has no effect: only pkgset_source = \"koji\" reads it, and pkgset_source is repos.", k)
			}
		}
	case "koji":
		// Module builds alone make a package set too (their content tags).
		for _, k := range []string{"pkgset_koji_tag", "pkgset_koji_builds", "pkgset_koji_module_tag", "pkgset_koji_module_builds"} {
			if v, ok := c.Conf.Get(k); ok && config.Truthy(v) {
				return
			}
		}
		for _, v := range c.GetVariants(nil, "") {
			if len(v.Modules) > 0 || len(v.ModularKojiTags) > 0 {
				return
			}
		}
		f.Errorf("pkgset_source", "pkgset_source is koji but none of pkgset_koji_tag, pkgset_koji_builds, pkgset_koji_module_tag, pkgset_koji_module_builds or a variant's <modules> is set")
	case "":
		f.Errorf("pkgset_source", "pkgset_source is not set (repos or koji)")
	default:
		f.Errorf("pkgset_source", "pkgset_source %q is neither repos nor koji", src)
	}
}

// validateModuleSpecs reports, at config validate, a variant's <module>
// entry that no package set source can read (the compose would stop on it
// in the pkgset or gather phase; Pungi stops in its pkgset phase): one that
// is not NAME:STREAM[:VERSION[:CONTEXT]] or "*". The Koji source also reads
// Pungi's old NAME-STREAM[-VERSION] form (an entry without ':'), with
// Pungi's warning at compose time.
func validateModuleSpecs(c *compose.Compose, f *compose.Findings, src string) {
	for _, v := range c.GetVariants(nil, "") {
		for _, raw := range v.Modules {
			if src == "koji" && !strings.Contains(raw, ":") {
				continue
			}
			if _, err := ParseModuleSpec(raw); err != nil {
				f.Errorf("variants_file", "variant %s: %v", v.UID, err)
			}
		}
	}
}

// Run loads the package set.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	set, err := Load(ctx, c)
	if err != nil {
		return err
	}
	p.set = set
	for _, arch := range c.Arches() {
		c.Log.Infof("Package set for %s: %d packages", arch, len(set.ByArch[arch]))
	}
	if needArchRepos(c) {
		return writeArchRepos(ctx, c, set)
	}
	c.Log.Infof("No phase that reads the package set repositories runs: work/<arch>/repo not written")
	return nil
}

// archRepoUsers are the phases that read work/<arch>/repo.
var archRepoUsers = []string{"buildinstall", "ostree_installer", "ostree"}

func needArchRepos(c *compose.Compose) bool {
	for _, n := range archRepoUsers {
		if !c.PhaseSkipped(n) {
			return true
		}
	}
	return false
}

// writeArchRepos writes the package set repositories of each arch,
// work/<arch>/repo/<name> (archRepos), whose locations point at the
// package files (xml:base file://<common directory>), as Pungi's pkgset
// phase does.
func writeArchRepos(ctx context.Context, c *compose.Compose, set *Set) error {
	var tasks []compose.Task
	for _, arch := range c.Arches() {
		tasks = append(tasks, compose.Task{Name: arch + " repo", Run: func(ctx context.Context) error {
			repos, err := archRepos(c, set, arch)
			if err != nil {
				return err
			}
			for _, r := range repos {
				if err := writeArchRepo(c, arch, r.name, r.pkgs); err != nil {
					return err
				}
				if err := addArchRepoModules(c, arch, r.name, r.mods); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	return c.RunTasks(ctx, "pkgset", tasks, 0)
}

func writeArchRepo(c *compose.Compose, arch, name string, pkgs []*Package) error {
	var paths []string
	for _, p := range pkgs {
		if !strings.Contains(p.Path, "://") {
			paths = append(paths, p.Path)
		}
	}
	prefix := commonDir(paths)
	list := c.Paths.Work.PkgsetPackageList(arch, name)
	var b strings.Builder
	for _, p := range paths {
		rel, err := filepath.Rel(prefix, p)
		if err != nil {
			return err
		}
		b.WriteString(filepath.ToSlash(rel) + "\n")
	}
	if err := atomicfile.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		return err
	}
	out := c.Paths.Work.PkgsetRepo(arch, name)
	// createrepo_checksum, as Pungi's _create_arch_repo (the modules
	// record added afterwards is sha256, modifyrepo_c's default, as there).
	res, err := createrepo.Run(prefix, createrepo.Options{OutputDir: out, PkgList: list, BaseURL: "file://" + prefix,
		ChecksumType: c.Conf.String("createrepo_checksum"), Workers: c.Conf.Int("createrepo_num_workers")})
	if err != nil {
		return fmt.Errorf("package set repository for %s: %w", arch, err)
	}
	c.Log.Infof("Package set repository %s: %d packages", out, res.Packages)
	return nil
}

// commonDir is the deepest directory holding every path.
func commonDir(paths []string) string {
	if len(paths) == 0 {
		return "/"
	}
	dir := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		for dir != "/" && !strings.HasPrefix(p, dir+"/") {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

// Load builds the package set from the configured source.
func Load(ctx context.Context, c *compose.Compose) (*Set, error) {
	src, _ := compose.StringOpt(c.Conf, "pkgset_source")
	var set *Set
	var err error
	switch src {
	case "repos":
		set, err = loadRepos(ctx, c)
	case "koji":
		set, err = loadKoji(ctx, c)
	default:
		return nil, fmt.Errorf("pkgset_source %q is neither repos nor koji", src)
	}
	if err != nil {
		return nil, err
	}
	return set, set.mergeConfiguredModuleMeta(c)
}

// Loaded returns the package set p loaded, or an error saying the pkgset
// phase did not run (p is nil when the run has no pkgset phase).
func (p *Phase) Loaded(c *compose.Compose) (*Set, error) {
	if p == nil || p.set == nil {
		msg := "no package set: the pkgset phase did not run"
		if len(c.JustPhases) > 0 {
			msg += " (--just-phase must name pkgset too)"
		}
		return nil, errors.New(msg)
	}
	return p.set, nil
}
