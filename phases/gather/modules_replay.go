package gather

import (
	"fmt"
	"strings"
)

// DepsolveArgs are the pungo depsolve arguments that replay one depsolver
// run of the gather phase (pungo gather --json prints them): the package
// set as repository pkgsetRepo (pungo gather's package set: the
// pkgset_repos repository, or work/<arch>/repo of a compose), the
// lookaside repositories with the ids the gather gives them, every
// option, the module view as the streams active in it (--active-modules,
// with --hybrid for the hybrid method's rules) and the patterns. ok is
// false, with the reason, when the run used what no repository or flag
// carries: variants used as lookaside (their gathered packages), or comps
// conditional packages and langpacks (the variant's filtered comps).
func (di *DepsolveInputs) DepsolveArgs(arch, pkgsetRepo string) (args []string, ok bool, why string) {
	if len(di.LookasideVariants) > 0 {
		return nil, false, "variants used as lookaside (" + strings.Join(di.LookasideVariants, ", ") + ") are no repository"
	}
	o := di.Options
	if len(o.Conditional) > 0 || len(o.Langpacks) > 0 {
		return nil, false, "comps conditional packages and langpacks come from the variant's filtered comps (pungo depsolve --comps FILE --group ID --langpacks)"
	}
	args = []string{"--arch", arch, "--repo", PkgsetRepoID(arch) + "=" + pkgsetRepo}
	for i, l := range di.Lookaside {
		args = append(args, "--lookaside", fmt.Sprintf("lookaside-repo-%d=%s", i, l))
	}
	if o.Greedy != "" {
		args = append(args, "--greedy", o.Greedy)
	}
	flag := func(on bool, name string) {
		if on {
			args = append(args, name)
		}
	}
	flag(o.Fulltree, "--fulltree")
	flag(o.Selfhosting, "--selfhosting")
	flag(o.NoDeps, "--nodeps")
	flag(o.ExcludeSource, "--exclude-source")
	flag(o.ExcludeDebug, "--exclude-debug")
	flag(o.HybridModules, "--hybrid")
	each := func(name string, vals []string) {
		for _, v := range vals {
			args = append(args, name, v)
		}
	}
	each("--fulltree-exclude", o.FulltreeExcludes)
	each("--multilib", o.MultilibMethods)
	each("--multilib-blacklist", o.MultilibBlacklist)
	each("--multilib-whitelist", o.MultilibWhitelist)
	each("--prepopulate", o.Prepopulate)
	if di.ModulesApplied {
		args = append(args, "--active-modules="+strings.Join(di.Modules, ","))
	}
	args = append(append(args, "--"), di.Patterns...)
	return args, true, ""
}
