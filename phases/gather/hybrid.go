package gather

import (
	"maps"
	"slices"
	"strings"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd/modulemd"
)

// The hybrid method. Pungi runs fus, a libsolv-based solver that knows
// modules, once per variant.arch with the comps source's inputs plus
// module(NAME:STREAM) for each of the variant's streams
// (methods/method_hybrid.py, wrappers/fus.py); pungo runs its depsolver per
// source with the same rules:
//
//   - platform: get_platform collects the platform streams the modules of
//     the variant's lookaside repositories and the streams of every
//     variant on the arch require at run time; two different ones are an
//     error ("There are conflicting requests for platform"). fus installs
//     that platform module so the streams' dependencies resolve; pungo
//     checks the rule and logs the platform (hybridPlatform).
//   - what the solver sees: the package set plus the variant's own
//     streams' packages (Pungi hands fus the variant's package sets: the
//     main tag and its modules' content tags), never another stream's.
//   - modular inputs: every artifact of an enabled stream is in the
//     result (add_module_and_pkgs_to_pile), its multilib and debuginfo
//     packages included as listed (multilib ones only on an arch some
//     variant has multilib methods for: is_arch_multilib decides whether
//     the package set repositories fus reads hold the multilib arches);
//     their dependencies resolve with the
//     variant's streams active and bare RPMs named like their artifacts
//     masked (mask_bare_rpms): view viewStreams.
//   - non-modular inputs: resolved with only default streams active
//     (disable_module of every non-default module), so a non-default
//     stream's packages never satisfy them and shadow nothing: view
//     viewDefaults. A default stream's artifact masks the bare package of
//     the same name.
//   - module dependencies: fus installs each module(NAME:STREAM) input
//     with the streams its dependencies need (blocks ORed, one stream per
//     module, the platform installed) among the streams of the
//     repositories it reads, the variant's own and the lookaside ones,
//     and resolves the artifacts of every stream of each such transaction
//     with those streams active: a non-default lookaside stream a
//     variant's stream requires is active in view viewHybrid
//     (hybridModules.required). A stream no transaction installs keeps
//     its artifacts without their dependencies, and the compose log warns
//     (fus only logs "Can't resolve all solvables"). Pungi never adds a
//     required module to the variant's module metadata; neither does
//     pungo (a stream the variant does not list is never in its
//     repositories here, so its artifacts are not gathered either).
//   - lookaside: fus loads the modules record of every lookaside
//     repository (Pungi writes the streams and defaults of a variant used
//     as lookaside into its lookaside repository): their default streams
//     are active, their other streams' packages hidden (lookasideModules,
//     lookasideRepoModules).
//   - modular packages get no multilib, debuginfo or langpacks from the
//     gather rules, are not removed by filter_packages and are not matched
//     by input globs with "*" (depsolve.Options.HybridModules).
//
//   - no greedy choice, fulltree or selfhosting: fus makes one install
//     transaction per package, whatever greedy_method, gather_fulltree,
//     gather_selfhosting or the variant type (optional, addon) say.
//
// Where pungo differs: pungo runs Pungi's gather algorithm over the view
// (one best provider per requirement, as libsolv picks one); the
// json source is gathered too (Pungi's hybrid reads only comps); the
// artifacts of all the variant's streams resolve in one view with all of
// them (and the streams they require) active, where fus resolves each
// transaction with only its own streams active; the repoclosure phase checks a hybrid variant's tree as dnf sees it (Pungi
// copies fus's problems into the repoclosure log instead).

// hybrid runs the hybrid method for one source of a variant.arch.
func (g *gatherer) hybrid(arch string, v *compose.Variant, in *Inputs, fulltreeExcludes, prepopulate []string) (PkgMap, error) {
	hm, err := g.hybridModules(arch, v)
	if err != nil {
		return nil, err
	}
	var broken []*pkgset.ModuleStream
	if in.Source == "module" && len(hm.broken) > 0 {
		// fus cannot install a stream whose module requirements nothing
		// meets: its artifacts are in the result without their
		// dependencies. They leave the depsolver's inputs and are added
		// as they are below.
		streams, err := g.streams(arch, v)
		if err != nil {
			return nil, err
		}
		keep := map[Spec]bool{}
		for _, ms := range streams {
			if _, bad := hm.broken[ms.NSVC()]; bad {
				broken = append(broken, ms)
				continue
			}
			for s := range streamSpecs(ms) {
				keep[s] = true
			}
		}
		cp := *in
		cp.Packages = map[Spec]bool{}
		for s := range in.Packages {
			if keep[s] {
				cp.Packages[s] = true
			}
		}
		in = &cp
	}
	multi := archMultilib(g.c, arch)
	if in.Source == "module" && !multi {
		// Pungi hands fus the per-arch package set repositories, which
		// hold the multilib arches only when some variant has multilib
		// methods for the arch (is_arch_multilib): a stream's multilib
		// artifacts are not there to be included.
		cp := *in
		cp.Packages = map[Spec]bool{}
		for s := range in.Packages {
			if !multilib.IsMultilibArch(arch, s.Arch) {
				cp.Packages[s] = true
			}
		}
		in = &cp
	}
	var pm PkgMap
	if in.Source != "module" || len(in.Packages) > 0 || len(in.Groups) > 0 || len(prepopulate) > 0 {
		if pm, err = g.deps(arch, v, in, fulltreeExcludes, prepopulate, true); err != nil {
			return nil, err
		}
	} else {
		pm = newPkgMap()
	}
	if in.Source != "module" {
		return pm, nil
	}
	if len(broken) > 0 {
		nd := streamPackages(broken, "; its module dependencies are unmet")
		if !multi {
			for _, t := range Types {
				nd[t] = slices.DeleteFunc(nd[t], func(e *Entry) bool { return multilib.IsMultilibArch(arch, e.Pkg.Arch) })
			}
		}
		pm = mergePkgMaps(pm, nd)
	}
	debug, err := g.moduleDebug(arch, v)
	if err != nil {
		return nil, err
	}
	if !multi {
		debug = slices.DeleteFunc(debug, func(e *Entry) bool { return multilib.IsMultilibArch(arch, e.Pkg.Arch) })
	}
	have := map[string]bool{}
	for _, e := range pm[TypeDebug] {
		have[e.Pkg.NEVRA()] = true
	}
	for _, e := range debug {
		if !have[e.Pkg.NEVRA()] {
			pm[TypeDebug] = append(pm[TypeDebug], e)
		}
	}
	return pm, nil
}

// archMultilib is Pungi's is_arch_multilib: some variant has multilib
// methods for the arch.
func archMultilib(c *compose.Compose, arch string) bool {
	raw, _ := c.Conf.Get("multilib")
	for _, item := range compose.AsList(raw) {
		pair := compose.AsList(item)
		if len(pair) != 2 {
			continue
		}
		m, _ := pair[1].(map[string]any)
		for a, methods := range m {
			if (a == arch || a == "*" && arch != "src") && len(compose.AsStrings(methods)) > 0 {
				return true
			}
		}
	}
	return false
}

// hybridModules is what module metadata gives a variant.arch's hybrid
// gather: the platform (get_platform) and, from the module dependencies of
// its streams (depsolve.HybridModuleDeps among its streams, those of the
// variants it uses as lookaside and of the lookaside repositories, and the
// platform), the streams their transactions add to the active ones and
// the streams no transaction installs.
type hybridModules struct {
	platform string
	required []string          // NAME:STREAM
	broken   map[string]string // NSVC → unmet requirement
}

// hybridModules returns (and caches) a variant.arch's hybridModules,
// logging the platform and warning for broken streams once.
func (g *gatherer) hybridModules(arch string, v *compose.Variant) (*hybridModules, error) {
	key := arch + "\x00" + v.UID
	g.mu.Lock()
	hm, ok := g.hybridMods[key]
	g.mu.Unlock()
	if ok {
		return hm, nil
	}
	hm = &hybridModules{}
	streams, err := g.streams(arch, v)
	if err != nil {
		return nil, err
	}
	if len(streams) > 0 {
		platform, lookasideStreams, err := g.hybridPlatform(arch, v)
		if err != nil {
			return nil, err
		}
		hm.platform = platform
		if platform != "" {
			g.c.Log.Infof("Hybrid gather of %s.%s: module platform %s", v.UID, arch, platform)
		}
		var roots, avail []*modulemd.Stream
		for _, ms := range streams {
			roots = append(roots, ms.MD)
		}
		avail = append(slices.Clone(roots), lookasideStreams...)
		for _, uid := range g.variantLookaside(v) {
			if lv := g.c.Variant(uid); lv != nil {
				ls, err := g.streams(arch, lv)
				if err != nil {
					return nil, err
				}
				for _, ms := range ls {
					avail = append(avail, ms.MD)
				}
			}
		}
		hm.required, hm.broken = depsolve.HybridModuleDeps(roots, avail, platform)
		for _, nsvc := range slices.Sorted(maps.Keys(hm.broken)) {
			g.c.Log.Warningf("%s.%s: %s", v.UID, arch, depsolve.BrokenModuleWarning(nsvc, hm.broken[nsvc]))
		}
		if len(hm.required) > 0 {
			g.c.Log.Infof("Hybrid gather of %s.%s: module dependencies add %s", v.UID, arch, strings.Join(hm.required, ", "))
		}
	}
	g.mu.Lock()
	g.hybridMods[key] = hm
	g.mu.Unlock()
	return hm, nil
}
