package gather

import (
	"slices"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
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
// json source is gathered too (Pungi's hybrid reads only comps); modules
// a stream requires are not added unless the variant lists them; the
// repoclosure phase checks a hybrid variant's tree as dnf sees it (Pungi
// copies fus's problems into the repoclosure log instead).

// hybrid runs the hybrid method for one source of a variant.arch.
func (g *gatherer) hybrid(arch string, v *compose.Variant, in *Inputs, fulltreeExcludes, prepopulate []string) (PkgMap, error) {
	streams, err := g.streams(arch, v)
	if err != nil {
		return nil, err
	}
	if len(streams) > 0 {
		key := arch + "\x00" + v.UID
		g.mu.Lock()
		_, done := g.platforms[key]
		g.mu.Unlock()
		if !done {
			platform, err := g.hybridPlatform(arch, v)
			if err != nil {
				return nil, err
			}
			g.mu.Lock()
			g.platforms[key] = platform
			g.mu.Unlock()
			if platform != "" {
				g.c.Log.Infof("Hybrid gather of %s.%s: module platform %s", v.UID, arch, platform)
			}
		}
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
	pm, err := g.deps(arch, v, in, fulltreeExcludes, prepopulate, true)
	if err != nil || in.Source != "module" {
		return pm, err
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
