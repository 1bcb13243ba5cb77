package gather

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd"
)

// DepsolveInputs are the exact arguments the deps method hands to
// depsolve.Gather for one variant.arch and source; pungo gather --json
// prints them so the result can be replayed with pungo depsolve.
type DepsolveInputs struct {
	Patterns  []string
	Options   depsolve.Options
	Lookaside []string // lookaside repository locations, in order
	// LookasideVariants are the variants used as lookaside
	// (variant_as_lookaside): their gathered packages, which no
	// repository holds, so a run with some cannot be replayed.
	LookasideVariants []string
	// ModulesApplied says the run saw a module view, Modules the
	// NAME:STREAMs active in it (DepsolveArgs, modules_replay.go).
	ModulesApplied bool
	Modules        []string
}

// depsolveInputs builds the patterns and options of a variant.arch.
func (g *gatherer) depsolveInputs(arch string, v *compose.Variant, in *Inputs, fulltreeExcludes, prepopulate []string) (*DepsolveInputs, []string, error) {
	groupPkgs, cond, langpacks, err := g.expandGroups(arch, v, in.Groups)
	if err != nil {
		return nil, nil, err
	}
	if len(in.Groups) == 0 && len(in.Packages) == 0 && len(prepopulate) == 0 {
		return nil, nil, fmt.Errorf("No packages included in %s.%s (no comps groups, no input packages, no prepopulate)", v.UID, arch)
	}
	set := map[string]bool{}
	for _, p := range in.SortedPackages() {
		set[p] = true
	}
	for _, p := range groupPkgs {
		set[p] = true
	}
	patterns := sortedKeys(set)
	for _, f := range in.SortedFilter() {
		patterns = append(patterns, "-"+f)
	}
	fulltree := g.c.Conf.Bool("gather_fulltree")
	selfhosting := g.c.Conf.Bool("gather_selfhosting")
	switch v.Type {
	case "optional":
		fulltree, selfhosting = true, true
	case "addon", "layered-product":
		fulltree, selfhosting = true, false
	}
	greedy, _ := compose.StringOpt(g.c.Conf, "greedy_method")
	opts := depsolve.Options{
		Arch:              arch,
		Greedy:            greedy,
		Fulltree:          fulltree,
		FulltreeExcludes:  fulltreeExcludes,
		Selfhosting:       selfhosting,
		MultilibMethods:   compose.AsStrings(g.c.Conf.ForVariantArch("multilib", v.UID, arch)),
		MultilibBlacklist: archData(g.c, "multilib_blacklist", arch),
		MultilibWhitelist: archData(g.c, "multilib_whitelist", arch),
		Prepopulate:       prepopulate,
		Conditional:       cond,
		Langpacks:         langpacks,
	}
	var lookaside []string
	for _, l := range compose.AsStrings(g.c.Conf.ForVariantArch("gather_lookaside_repos", v.UID, arch)) {
		lookaside = append(lookaside, compose.ResolvePath(g.c.ConfigPath, l))
	}
	return &DepsolveInputs{Patterns: patterns, Options: opts, Lookaside: lookaside}, groupPkgs, nil
}

// PkgsetRepoID is the depsolve repository id of a tree arch's package set.
func PkgsetRepoID(arch string) string { return "pkgset-" + arch }

// archData is Pungi's get_arch_data: the values of an {arch: [values]}
// option for arch ("*" counts, except for src), sorted and unique.
func archData(c *compose.Compose, key, arch string) []string {
	raw, _ := c.Conf.Get(key)
	m, _ := raw.(map[string]any)
	set := map[string]bool{}
	for a, vals := range m {
		if a != "*" && a != arch || a == "*" && arch == "src" {
			continue
		}
		for _, s := range compose.AsStrings(vals) {
			set[s] = true
		}
	}
	return sortedKeys(set)
}

// variantLookaside returns the variants a variant uses as lookaside
// (variant_as_lookaside).
func (g *gatherer) variantLookaside(v *compose.Variant) []string {
	raw, _ := g.c.Conf.Get("variant_as_lookaside")
	var out []string
	for _, item := range compose.AsList(raw) {
		pair := compose.AsStrings(item)
		if len(pair) == 2 && pair[0] == v.UID {
			out = append(out, pair[1])
		}
	}
	return out
}

// pool returns the depsolve pool of a tree arch with the given lookaside
// repositories: the package set first, then the lookasides in order.
// Variants with the same view share one pool (built once, by the first
// variant asking; the others wait for it) and gather over it in parallel:
// a Pool is safe for concurrent Gather runs.
func (g *gatherer) pool(arch string, v *compose.Variant, lookaside []string, view string) (*depsolve.Pool, error) {
	lvs := g.variantLookaside(v)
	mkey, err := g.streamKey(arch, v, view)
	if err != nil {
		return nil, err
	}
	build := func() (*depsolve.Pool, error) { return g.buildPool(arch, v, lvs, lookaside, view) }
	if len(lvs) > 0 {
		// The variants used as lookaside differ per variant: a pool of
		// its own.
		return build()
	}
	key := arch + "\x00" + strings.Join(lookaside, "\x00") + mkey
	return onceIn(&g.mu, g.pools, key).get(build)
}

// buildPool builds a pool that pool hands out.
func (g *gatherer) buildPool(arch string, v *compose.Variant, lvs, lookaside []string, view string) (*depsolve.Pool, error) {
	// A modular variant also sees its own streams' packages, as the view
	// says (modules.go).
	mrepo, midx, enable, err := g.moduleRepo(arch, v)
	if err != nil {
		return nil, err
	}
	if view != viewStreams {
		if midx, err = g.lookasideModules(arch, lvs, midx); err != nil {
			return nil, err
		}
	}
	if view == viewHybrid {
		// The streams the module dependencies of the variant's streams
		// pull in are active while their artifacts resolve (hybrid.go).
		hm, err := g.hybridModules(arch, v)
		if err != nil {
			return nil, err
		}
		enable = append(slices.Clip(enable), hm.required...)
	}
	pkgs := make([]*repomd.Package, 0, len(g.set.Arch(arch)))
	for _, p := range g.set.Arch(arch) {
		pkgs = append(pkgs, p.Package)
	}
	// Lookaside repositories come first, as pungi-gather (and pungo
	// depsolve) load them, so that ties between equal packages break the
	// same way.
	var repos []*depsolve.Repo
	for i, loc := range lookaside {
		r, err := onceIn(&g.mu, g.lookaside, loc).get(func() (*depsolve.Repo, error) {
			rr, err := repomd.OpenContext(g.ctx, loc)
			if err != nil {
				return nil, fmt.Errorf("gather_lookaside_repos: %w", err)
			}
			g.lookasidePaths(rr)
			return depsolve.RepoFrom(loc, rr, true), nil
		})
		if err != nil {
			return nil, err
		}
		cp := *r
		cp.ID = fmt.Sprintf("lookaside-repo-%d", i)
		repos = append(repos, &cp)
	}
	for _, uid := range lvs {
		g.mu.Lock()
		pm := g.result.ByArch[arch][uid]
		g.mu.Unlock()
		var lp []*repomd.Package
		for _, t := range []string{TypeRPM, TypeSRPM} {
			for _, e := range pm[t] {
				lp = append(lp, e.Pkg)
			}
		}
		repos = append(repos, &depsolve.Repo{ID: "variant-" + uid, Lookaside: true, Packages: lp})
	}
	load := g.loadFiles(arch)
	if load != nil && g.needsFiles(arch) {
		if err := load(); err != nil {
			return nil, err
		}
	}
	repos = append(repos, &depsolve.Repo{ID: PkgsetRepoID(arch), Packages: pkgs, LoadFiles: load})
	if mrepo != nil {
		repos = append(repos, mrepo)
	}
	p, err := depsolve.NewPool(repos)
	if err != nil {
		return nil, err
	}
	if view != viewStreams {
		if midx, err = lookasideRepoModules(repos, midx); err != nil {
			return nil, err
		}
	}
	if midx != nil {
		if err := applyView(p, midx, enable, view); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// onceValue holds a value made by the first goroutine that asks for it; the
// others wait for it.
type onceValue[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (o *onceValue[T]) get(make func() (T, error)) (T, error) {
	o.once.Do(func() { o.v, o.err = make() })
	return o.v, o.err
}

// onceIn returns the entry of key in m, adding it under mu.
func onceIn[T any](mu *sync.Mutex, m map[string]*onceValue[T], key string) *onceValue[T] {
	mu.Lock()
	defer mu.Unlock()
	o := m[key]
	if o == nil {
		o = &onceValue[T]{}
		m[key] = o
	}
	return o
}

// loadFiles loads complete file lists of the package set's repositories
// of a tree arch when the depsolver needs a file dependency the primary
// subset lacks.
func (g *gatherer) loadFiles(arch string) func() error {
	if g.set.LoadFiles == nil {
		return nil
	}
	return func() error { return g.set.LoadFiles(arch) }
}

// needsFiles reports whether a variant's multilib methods on arch look at
// file lists (runtime, and devel, which falls back to runtime): then the
// arch's file lists are read before its first pool is built, and every
// variant of the arch sees complete lists whichever gathers first.
func (g *gatherer) needsFiles(arch string) bool {
	for _, v := range g.c.GetVariants(nil, arch) {
		for _, m := range compose.AsStrings(g.c.Conf.ForVariantArch("multilib", v.UID, arch)) {
			if m == "runtime" || m == "devel" {
				return true
			}
		}
	}
	return false
}

// lookasidePaths records the package paths of a lookaside repository,
// for --why output and nodeps.
func (g *gatherer) lookasidePaths(r *repomd.Repo) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range r.Packages {
		// A location outside the repository is never linked: nodeps
		// and --why see no file for it.
		if path, err := r.CheckedPackagePath(p); err == nil {
			g.lookPath[p] = path
		}
	}
}

// deps is the deps method: depsolve.Gather over the pool.
func (g *gatherer) deps(arch string, v *compose.Variant, in *Inputs, fulltreeExcludes, prepopulate []string, hybrid bool) (PkgMap, error) {
	di, groupPkgs, err := g.depsolveInputs(arch, v, in, fulltreeExcludes, prepopulate)
	if err != nil {
		return nil, err
	}
	view := viewStreams
	if hybrid {
		// fus makes one install transaction per package: no greedy
		// choice, no fulltree, no selfhosting, whatever gather_fulltree,
		// gather_selfhosting, greedy_method or the variant type say.
		di.Options.Greedy, di.Options.Fulltree, di.Options.Selfhosting = depsolve.GreedyNone, false, false
		di.Options.HybridModules = true
		view = viewHybrid
		if in.Source != "module" {
			view = viewDefaults
		}
	}
	pool, err := g.pool(arch, v, di.Lookaside, view)
	if err != nil {
		return nil, err
	}
	di.LookasideVariants = g.variantLookaside(v)
	di.Modules, di.ModulesApplied = pool.ActiveModules()
	g.mu.Lock()
	g.dsInputs[v.UID+"."+arch+"."+in.Source] = di
	g.mu.Unlock()
	res, err := depsolve.Gather(pool, di.Patterns, di.Options)
	if err != nil {
		return nil, fmt.Errorf("gathering %s.%s: %w", v.UID, arch, err)
	}
	g.mu.Lock()
	g.dsResults[v.UID+"."+arch+"."+in.Source] = res
	g.mu.Unlock()
	if err := g.writeGatherLog(arch, v, in.Source, di, res); err != nil {
		return nil, err
	}
	// Packages named in comps that do not exist at all.
	var missing []string
	for _, name := range groupPkgs {
		if !strings.ContainsAny(name, "*?[") && len(pool.PackagesNamed(name)) == 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("Packages mentioned in comps do not exist for %s.%s: %s", v.UID, arch, strings.Join(missing, ", "))
		g.c.Log.Warningf("%s", msg)
		if g.c.Conf.Bool("require_all_comps_packages") {
			return nil, fmt.Errorf("%s", msg)
		}
	}
	for _, s := range in.SortedPackages() {
		sp := splitNameArch(s)
		if !strings.ContainsAny(sp.Name, "*?[") && len(pool.PackagesNamed(sp.Name)) == 0 {
			g.c.Log.Warningf("Input package %s of %s.%s is not in the package set or lookaside repositories", s, v.UID, arch)
		}
	}
	for _, w := range res.Warnings {
		g.c.Log.Warningf("%s.%s: %s", v.UID, arch, w)
	}
	if len(res.Broken) > 0 {
		g.c.Log.Errorf("Unresolved dependencies for %s.%s", v.UID, arch)
		var lines []string
		for _, b := range res.Broken {
			g.c.Log.Errorf("%s", b.String())
			lines = append(lines, b.String())
		}
		if g.c.Conf.Bool("check_deps") {
			return nil, fmt.Errorf("Unresolved dependencies for %s.%s (check_deps is on): %s", v.UID, arch, strings.Join(lines, "; "))
		}
	}
	pm := newPkgMap()
	add := func(t string, items []depsolve.Item) {
		for _, it := range items {
			pm[t] = append(pm[t], g.entry(arch, it, res))
		}
	}
	add(TypeRPM, res.RPM)
	add(TypeSRPM, res.SRPM)
	add(TypeDebug, res.Debuginfo)
	return pm, nil
}

func (g *gatherer) entry(arch string, it depsolve.Item, res *depsolve.Result) *Entry {
	e := &Entry{Pkg: it.Pkg}
	for _, f := range it.Flags.Names() {
		e.Flags = append(e.Flags, strings.ReplaceAll(f, "_", "-"))
	}
	if sp := g.byPkg[arch][it.Pkg]; sp != nil {
		e.Path, e.Sigkey = sp.Path, sp.Sigkey
	} else {
		g.mu.Lock()
		e.Path = g.lookPath[it.Pkg]
		g.mu.Unlock()
	}
	e.Why = it.Reason.StepName()
	if nsvc := res.Pool().ModuleOf(it.ID); nsvc != "" {
		e.Why += " (artifact of " + nsvc + ")"
	}
	if it.Reason.Dep != "" {
		e.Why += " " + it.Reason.Dep
	}
	if it.Reason.By >= 0 && it.Reason.Step != depsolve.StepInput && it.Reason.Step != depsolve.StepPrepopulate {
		if by := res.Pool().Pkg(it.Reason.By); by != nil {
			e.Why += " of " + by.NEVRA()
		}
	}
	return e
}

// nodeps is the nodeps method: the inputs and the packages of the groups
// as they are, their source packages and their debuginfo.
func (g *gatherer) nodeps(arch string, v *compose.Variant, in *Inputs) (PkgMap, error) {
	groupPkgs, _, _, err := g.expandGroups(arch, v, in.Groups)
	if err != nil {
		return nil, err
	}
	wanted := map[Spec]bool{}
	for s := range in.Packages {
		wanted[s] = true
	}
	for _, n := range groupPkgs {
		wanted[Spec{Name: n}] = true
	}
	specs := make([]Spec, 0, len(wanted))
	for s := range wanted {
		specs = append(specs, s)
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].String() < specs[j].String() })
	filtered := func(p *repomd.Package) bool {
		for f := range in.Filter {
			if glob.DNF(f.Name, p.Name) && (f.Arch == "" || f.Arch == p.Arch) {
				return true
			}
		}
		return false
	}
	pm := newPkgMap()
	srpms := map[string][]string{} // source rpm file → arches of included binaries
	for _, p := range g.set.Arch(arch) {
		if p.IsSource() || isDebug(p.Package) || filtered(p.Package) {
			continue
		}
		for _, s := range specs {
			if !glob.DNF(s.Name, p.Name) || (s.Arch != "" && p.Arch != s.Arch && p.Arch != "noarch") {
				continue
			}
			pm[TypeRPM] = append(pm[TypeRPM], &Entry{Pkg: p.Package, Path: p.Path, Sigkey: p.Sigkey, Flags: []string{"input"}, Why: "input " + s.String()})
			srpms[p.SourceRPM] = append(srpms[p.SourceRPM], p.Arch)
			break
		}
	}
	for _, p := range g.set.Arch(arch) {
		if p.IsSource() {
			if _, ok := srpms[p.FileName()]; ok {
				pm[TypeSRPM] = append(pm[TypeSRPM], &Entry{Pkg: p.Package, Path: p.Path, Sigkey: p.Sigkey, Flags: []string{"input"}, Why: "srpm"})
			}
		}
	}
	for _, p := range g.set.Arch(arch) {
		if p.IsSource() || !isDebug(p.Package) {
			continue
		}
		arches, ok := srpms[p.SourceRPM]
		if !ok || (!slices.Contains(arches, p.Arch) && p.Arch != "noarch") {
			continue
		}
		pm[TypeDebug] = append(pm[TypeDebug], &Entry{Pkg: p.Package, Path: p.Path, Sigkey: p.Sigkey, Flags: []string{"input"}, Why: "debuginfo"})
	}
	return pm, nil
}

// isDebug reports whether a package is a debuginfo or debugsource package.
func isDebug(p *repomd.Package) bool {
	return strings.Contains(p.Name, "-debuginfo") || strings.HasSuffix(p.Name, "-debugsource")
}

// writeGatherLog writes work/<arch>/pungi/<Variant>.<arch>.<source>.log:
// the depsolver's inputs and its result in pungi-gather's line format
// ("RPM(flags): path"), the reason each package was added, and the
// unresolved dependencies.
func (g *gatherer) writeGatherLog(arch string, v *compose.Variant, source string, di *DepsolveInputs, res *depsolve.Result) error {
	dir := filepath.Join(g.c.Paths.Work.Topdir(arch), "pungi")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# gather of %s.%s (source %s)\n", v.UID, arch, source)
	fmt.Fprintf(&b, "# options: %+v\n", di.Options)
	for _, l := range di.Lookaside {
		fmt.Fprintf(&b, "# lookaside: %s\n", l)
	}
	b.WriteString("%packages\n")
	for _, p := range di.Patterns {
		b.WriteString(p + "\n")
	}
	b.WriteString("%end\n")
	for _, sec := range []struct {
		tag   string
		items []depsolve.Item
	}{{"RPM", res.RPM}, {"SRPM", res.SRPM}, {"DEBUGINFO", res.Debuginfo}} {
		for _, it := range sec.items {
			path := g.byPkg[arch][it.Pkg]
			loc := it.Pkg.FileName()
			if path != nil {
				loc = path.Path
			}
			// One line per package of the set: plain appends, not Fprintf.
			b.WriteString(sec.tag)
			b.WriteByte('(')
			b.WriteString(it.Flags.String())
			b.WriteString("): ")
			b.WriteString(loc)
			b.WriteString("  # ")
			b.WriteString(it.Reason.StepName())
			if nsvc := res.Pool().ModuleOf(it.ID); nsvc != "" {
				b.WriteString(" (artifact of ")
				b.WriteString(nsvc)
				b.WriteByte(')')
			}
			b.WriteByte('\n')
		}
	}
	// What the variant's module view kept out of the solver's sight.
	pool := res.Pool()
	for _, id := range pool.HiddenPackages() {
		fmt.Fprintf(&b, "EXCLUDED: %s  # %s\n", pool.Pkg(id).NEVRA(), pool.HiddenWhy(id))
	}
	for _, br := range res.Broken {
		fmt.Fprintf(&b, "BROKEN: %s\n", br.String())
	}
	name := fmt.Sprintf("%s.%s.%s.log", v.UID, arch, source)
	return atomicfile.WriteWith(filepath.Join(dir, name), 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}
