// Package gather owns the gather phase: for every variant and arch it
// collects the inputs Pungi would (comps groups, json mapping,
// additional_packages, filter_packages (but no system-release choice, as
// real Pungi makes none), inheritance from parent variants), resolves them with pungo's depsolver
// (gather_method deps, or hybrid with Pungi's module rules: hybrid.go) or takes them as they
// are (nodeps), applies the variant rules (addons and layered products
// exclude their parent's sources from fulltree, lose what the parent has
// and hand fulltree-excluded packages to the parent; optional variants
// lose what their parent and its addons have), then links the packages
// into the compose tree (link_type, hashed_directories) and writes
// metadata/rpms.json.
//
// Plan computes everything without writing into a compose tree; the
// pungo gather preview uses it.
package gather

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd"
)

// Types of packages in a variant.arch, as Pungi names them.
const (
	TypeRPM   = "rpm"
	TypeSRPM  = "srpm"
	TypeDebug = "debuginfo"
)

// Types lists the package types in Pungi's order.
var Types = []string{TypeRPM, TypeSRPM, TypeDebug}

// Entry is one package of a variant.arch result.
type Entry struct {
	Pkg *repomd.Package
	// Path is where the .rpm file is (pkgset or lookaside repository).
	Path   string
	Sigkey string
	// Flags are Pungi's flag names: input, lookaside, fulltree,
	// fulltree-exclude, multilib, prepopulate, conditional, self-hosting…
	Flags []string
	// Why says how the package entered ("input", "binary-dep <dep> of
	// <nevra>", …) for pungo gather --why.
	Why string
}

// HasFlag reports whether the entry carries a flag.
func (e *Entry) HasFlag(f string) bool {
	for _, x := range e.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// PkgMap is the result of one variant.arch: packages by type.
type PkgMap map[string][]*Entry

func newPkgMap() PkgMap { return PkgMap{TypeRPM: nil, TypeSRPM: nil, TypeDebug: nil} }

// Result is the gather result of the whole compose.
type Result struct {
	// ByArch maps tree arch → variant UID → packages.
	ByArch map[string]map[string]PkgMap
	// Inputs maps "UID.arch" → the inputs of each source, for previews.
	Inputs map[string][]*Inputs
	// Depsolve maps "UID.arch.source" → what the deps method handed the
	// depsolver.
	Depsolve map[string]*DepsolveInputs
	// Depsolved maps "UID.arch.source" → the depsolver's result, before
	// the variant rules trimmed it.
	Depsolved map[string]*depsolve.Result
}

// Get returns the packages of a variant.arch (nil when not gathered).
func (r *Result) Get(arch, uid string) PkgMap { return r.ByArch[arch][uid] }

type gatherer struct {
	c   *compose.Compose
	set *pkgset.Set
	// ctx is Plan's: lookaside repositories opened while gathering
	// download under it, so the compose's first SIGTERM stops them.
	ctx context.Context

	mu        sync.Mutex
	mapping   map[string]map[string]map[string][]string
	lookaside map[string]*onceValue[*depsolve.Repo] // by location
	byPkg     map[string]map[*repomd.Package]*pkgset.Package
	// pools are the shared pools, by arch, lookaside repositories and
	// module view (deps.go).
	pools     map[string]*onceValue[*depsolve.Pool]
	lookPath  map[*repomd.Package]string
	dsInputs  map[string]*DepsolveInputs
	dsResults map[string]*depsolve.Result
	result    *Result
	// comps holds the variants' filtered comps: the init phase's, and
	// those read from work/<arch>/comps/ once.
	comps *initphase.VariantComps
	// modStreams caches the module streams of each arch + variant (modules.go).
	modStreams map[string][]*pkgset.ModuleStream
	// hybridMods caches the hybrid method's module platform and module
	// dependencies of each arch + variant (hybrid.go).
	hybridMods map[string]*hybridModules
	// final is plan's (nil for Plan).
	final func(arch string, v *compose.Variant, pm PkgMap)
}

// Plan runs Pungi's gather_wrapper over the package set: every variant and
// arch gathered, then trimmed. Nothing is written. known holds the
// variants' filtered comps the init phase made (nil: read them from
// work/<arch>/comps/).
func Plan(ctx context.Context, c *compose.Compose, set *pkgset.Set, known *initphase.VariantComps) (*Result, error) {
	return plan(ctx, c, set, known, nil)
}

// plan is Plan; final, when not nil, is handed each variant.arch whose
// package list no later step changes, as soon as it is gathered.
func plan(ctx context.Context, c *compose.Compose, set *pkgset.Set, known *initphase.VariantComps, final func(arch string, v *compose.Variant, pm PkgMap)) (*Result, error) {
	if known == nil {
		known = &initphase.VariantComps{}
	}
	g := &gatherer{c: c, set: set, ctx: ctx, comps: known, final: final, lookaside: map[string]*onceValue[*depsolve.Repo]{},
		byPkg: map[string]map[*repomd.Package]*pkgset.Package{}, pools: map[string]*onceValue[*depsolve.Pool]{},
		lookPath: map[*repomd.Package]string{},
		dsInputs: map[string]*DepsolveInputs{}, dsResults: map[string]*depsolve.Result{},
		modStreams: map[string][]*pkgset.ModuleStream{}, hybridMods: map[string]*hybridModules{},
		result: &Result{ByArch: map[string]map[string]PkgMap{}, Inputs: map[string][]*Inputs{}}}
	for _, arch := range c.Arches() {
		g.result.ByArch[arch] = map[string]PkgMap{}
		m := map[*repomd.Package]*pkgset.Package{}
		for _, p := range set.Arch(arch) {
			m[p.Package] = p
		}
		for _, ms := range set.Modules[arch] {
			for _, p := range ms.Packages {
				m[p.Package] = p
			}
		}
		g.byPkg[arch] = m
	}
	order, err := orderedVariants(c)
	if err != nil {
		return nil, err
	}
	g.noteSystemRelease()
	if err := g.gatherType(ctx, order, "variant", false); err != nil {
		return nil, err
	}
	if err := g.gatherType(ctx, order, "addon", true); err != nil {
		return nil, err
	}
	if err := g.gatherType(ctx, order, "layered-product", true); err != nil {
		return nil, err
	}
	if err := g.gatherType(ctx, order, "optional", false); err != nil {
		return nil, err
	}
	if err := g.checkModuleDeps(); err != nil {
		return nil, err
	}
	addonPkgs := g.trimType("addon", nil, true)
	lpPkgs := g.trimType("layered-product", addonPkgs, true)
	for t, names := range lpPkgs {
		if addonPkgs[t] == nil {
			addonPkgs[t] = map[string]bool{}
		}
		for n := range names {
			addonPkgs[t][n] = true
		}
	}
	g.trimType("optional", addonPkgs, false)
	g.result.Depsolve = g.dsInputs
	g.result.Depsolved = g.dsResults
	return g.result, nil
}

// orderedVariants is Pungi's get_ordered_variant_uids: variants not named
// in variant_as_lookaside first (sorted), then the others so that a
// variant comes after the variants it uses as lookaside.
func orderedVariants(c *compose.Compose) ([]*compose.Variant, error) {
	all := c.GetVariants(nil, "")
	deps := map[string][]string{}
	named := map[string]bool{}
	raw, _ := c.Conf.Get("variant_as_lookaside")
	for _, item := range compose.AsList(raw) {
		pair := compose.AsStrings(item)
		if len(pair) != 2 {
			return nil, fmt.Errorf("variant_as_lookaside: %v is not a (variant, lookaside variant) pair", item)
		}
		if c.Variant(pair[0]) == nil || c.Variant(pair[1]) == nil {
			return nil, fmt.Errorf("variant_as_lookaside: unknown variant in %v", pair)
		}
		deps[pair[0]] = append(deps[pair[0]], pair[1])
		named[pair[0]], named[pair[1]] = true, true
	}
	var out []*compose.Variant
	for _, v := range all {
		if !named[v.UID] {
			out = append(out, v)
		}
	}
	state := map[string]int{}
	var visit func(uid string, path []string) error
	visit = func(uid string, path []string) error {
		switch state[uid] {
		case 1:
			return fmt.Errorf("There is a bad configuration in 'variant_as_lookaside': cycle %s", strings.Join(append(path, uid), " -> "))
		case 2:
			return nil
		}
		state[uid] = 1
		ds := append([]string(nil), deps[uid]...)
		sort.Strings(ds)
		for _, d := range ds {
			if err := visit(d, append(path, uid)); err != nil {
				return err
			}
		}
		state[uid] = 2
		out = append(out, c.Variant(uid))
		return nil
	}
	var names []string
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gatherType gathers all variants of one type, every variant and arch in
// parallel, except that a variant used as lookaside by another
// (variant_as_lookaside) is done before it.
func (g *gatherer) gatherType(ctx context.Context, order []*compose.Variant, typ string, excludeFulltree bool) error {
	for _, wave := range lookasideWaves(order, typ, g.variantLookaside) {
		var tasks []compose.Task
		for _, v := range wave {
			for _, arch := range v.Arches {
				if !slices.Contains(g.c.Arches(), arch) {
					continue
				}
				tasks = append(tasks, compose.Task{Name: v.UID + "." + arch, Run: func(ctx context.Context) error {
					var excl []string
					if excludeFulltree {
						for n := range g.parentPkgs(arch, v)[TypeSRPM] {
							excl = append(excl, n[0])
						}
						sort.Strings(excl)
					}
					t0 := time.Now()
					pm, inputs, err := g.gatherVariant(ctx, arch, v, excl)
					g.c.Log.Debugf("gather: %s.%s took %.3fs", v.UID, arch, time.Since(t0).Seconds())
					if err != nil {
						return err
					}
					g.mu.Lock()
					g.result.ByArch[arch][v.UID] = pm
					g.result.Inputs[v.UID+"."+arch] = inputs
					g.mu.Unlock()
					if g.final != nil && finalOnceGathered(v) {
						g.final(arch, v, pm)
					}
					return nil
				}})
			}
		}
		if err := g.c.RunTasks(ctx, "gather", tasks, 0); err != nil {
			return err
		}
	}
	return nil
}

// finalOnceGathered reports whether a variant's package lists are final as
// soon as it is gathered: the trimming changes addons, layered products
// and optional variants, and moves packages from addons and layered
// products into their parent; a top-level variant without such children
// keeps its lists.
func finalOnceGathered(v *compose.Variant) bool {
	if v.Type != "variant" {
		return false
	}
	for _, ch := range v.Variants {
		if ch.Type == "addon" || ch.Type == "layered-product" {
			return false
		}
	}
	return true
}

// lookasideWaves splits the variants of one type, in order, into waves
// that can be gathered together: a variant goes into the wave after the
// last one holding a variant of this type it uses as lookaside (variants
// of other types are gathered in other gatherType calls).
func lookasideWaves(order []*compose.Variant, typ string, lookaside func(*compose.Variant) []string) [][]*compose.Variant {
	wave := map[string]int{}
	var waves [][]*compose.Variant
	for _, v := range order {
		if v.Type != typ {
			continue
		}
		w := 0
		for _, uid := range lookaside(v) {
			if d, ok := wave[uid]; ok && d+1 > w {
				w = d + 1
			}
		}
		wave[v.UID] = w
		for len(waves) <= w {
			waves = append(waves, nil)
		}
		waves[w] = append(waves[w], v)
	}
	return waves
}

// parentPkgs returns the (name, arch) pairs of the parent's packages by type.
func (g *gatherer) parentPkgs(arch string, v *compose.Variant) map[string]map[[2]string]bool {
	out := map[string]map[[2]string]bool{TypeRPM: {}, TypeSRPM: {}, TypeDebug: {}}
	if v.Parent == nil {
		return out
	}
	g.mu.Lock()
	pm := g.result.ByArch[arch][v.Parent.UID]
	g.mu.Unlock()
	for t, list := range pm {
		for _, e := range list {
			out[t][[2]string{e.Pkg.Name, e.Pkg.Arch}] = true
		}
	}
	return out
}

// gatherVariant is Pungi's gather_packages for one variant.arch.
func (g *gatherer) gatherVariant(ctx context.Context, arch string, v *compose.Variant, fulltreeExcludes []string) (PkgMap, []*Inputs, error) {
	result := newPkgMap()
	if v.IsEmpty {
		g.c.Log.Infof("[SKIP ] Gathering packages (arch: %s, variant: %s)", arch, v.UID)
		return result, nil, nil
	}
	g.c.Log.Infof("[BEGIN] Gathering packages (arch: %s, variant: %s)", arch, v.UID)
	pre, err := g.prepopulate(arch, v)
	if err != nil {
		return nil, nil, err
	}
	var all []*Inputs
	have := map[*repomd.Package]bool{}
	for _, src := range sources(g.c) {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		in, err := g.variantInputs(src, arch, v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", v.UID, arch, err)
		}
		if len(in.Packages) == 0 && len(in.Groups) == 0 {
			continue
		}
		all = append(all, in)
		method, err := gatherMethod(g.c, v, src)
		if err != nil {
			return nil, nil, err
		}
		var prep []string
		if src == "comps" {
			prep = pre
		}
		var pm PkgMap
		switch {
		case method == "hybrid":
			pm, err = g.hybrid(arch, v, in, fulltreeExcludes, prep)
		case method == "deps":
			pm, err = g.deps(arch, v, in, fulltreeExcludes, prep, false)
		case method == "nodeps" && src == "module":
			pm, err = g.moduleNodeps(arch, v)
		case method == "nodeps":
			pm, err = g.nodeps(arch, v, in)
		default:
			err = fmt.Errorf("gather_method %q for %s is not deps, hybrid or nodeps", method, v.UID)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, t := range Types {
			// Sources can give the same package (a module's artifact is
			// also a dependency of a comps package): once is enough.
			for _, e := range pm[t] {
				if !have[e.Pkg] {
					have[e.Pkg] = true
					result[t] = append(result[t], e)
				}
			}
		}
	}
	g.c.Log.Infof("[DONE ] Gathering packages (arch: %s, variant: %s)", arch, v.UID)
	return result, all, nil
}

// gatherMethod resolves gather_method for a variant and source: a string,
// a {source: method} mapping, or a {variant regex: string or mapping}
// mapping whose last match wins.
func gatherMethod(c *compose.Compose, v *compose.Variant, source string) (string, error) {
	raw, ok := c.Conf.Get("gather_method")
	if !ok || raw == nil {
		return "deps", nil
	}
	if s, ok := raw.(string); ok {
		return s, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return "", fmt.Errorf("gather_method: want a string or a dict, got %T", raw)
	}
	isSources := true
	for k := range m {
		if k != "comps" && k != "json" && k != "module" {
			isSources = false
		}
	}
	var chosen any = m
	if !isSources {
		chosen = nil
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			if matchStart(k, v.UID) {
				chosen = m[k]
			}
		}
		if chosen == nil {
			return "", fmt.Errorf("Variant %s has no configured gather_method", v.UID)
		}
	}
	if s, ok := chosen.(string); ok {
		return s, nil
	}
	sm, _ := chosen.(map[string]any)
	s, ok := sm[source].(string)
	if !ok {
		return "", fmt.Errorf("Variant %s has no configured gather_method for source %s", v.UID, source)
	}
	return s, nil
}

// expandGroups returns the packages of the groups (mandatory, default and
// optional: Pungi asks for "@group --optional"), the conditional entries
// and the langpacks, from the comps of the variant and, as pungi-gather
// sees their comps repositories too, of the variants it inherits from.
func (g *gatherer) expandGroups(arch string, v *compose.Variant, groups map[string]bool) (pkgs []string, cond []depsolve.Conditional, langpacks []depsolve.Langpack, err error) {
	var docs []*comps.Comps
	related := []*compose.Variant{v}
	switch v.Type {
	case "optional":
		related = append(related, v.Parent.GetVariants(arch, []string{"self", "variant", "addon", "layered-product"}, false)...)
	case "addon", "layered-product":
		related = append(related, v.Parent)
	}
	for _, rv := range related {
		cs, err := g.variantComps(arch, rv)
		if err != nil {
			return nil, nil, nil, err
		}
		if cs != nil {
			docs = append(docs, cs)
		}
	}
	// A group that no document defines adds nothing.
	in := depsolve.ExpandGroups(docs, sortedKeys(groups))
	pkgs = in.Packages
	sort.Strings(pkgs)
	return pkgs, in.Conditional, depsolve.CompsLangpacks(docs), nil
}

func sortedKeys(m map[string]bool) []string {
	out := slices.Sorted(maps.Keys(m))
	return out
}

// matchStart is Python's re.match of a config pattern, as Pungi.
func matchStart(pattern, s string) bool { return config.MatchStart(pattern, s) }
