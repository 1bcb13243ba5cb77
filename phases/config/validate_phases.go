package config

// The checks pungi-config-validate makes for phases: phase names, the
// skip/just-phase rules, and the offline parts of the phases' validate().

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/repomd/createrepo"
)

// CheckPhaseNames returns a message for every name that is not a phase
// Pungi knows (PhaseNames, or one of RemovedPhases), as pungi-koji's
// --skip-phase/--just-phase choices refuse them.
func CheckPhaseNames(names []string) []string {
	var errs []string
	for _, n := range names {
		if !slices.Contains(PhaseNames, n) && !slices.Contains(RemovedPhases, n) {
			errs = append(errs, fmt.Sprintf("unknown phase %q (known: %s)", n, strings.Join(PhaseNames, ", ")))
		}
	}
	return errs
}

// CheckSkipPhases is Pungi's check_skip_phases: a phase another needs
// (pkgset by gather, gather by createrepo) cannot be skipped while that one
// runs, and --just-phase of the needing phase must name the needed one too.
// skip is --skip-phase plus skip_phases.
func CheckSkipPhases(skip, just []string) []string {
	var errs []string
	for _, pair := range [][2]string{{"pkgset", "gather"}, {"gather", "createrepo"}} {
		k, v := pair[0], pair[1]
		if slices.Contains(skip, k) && !slices.Contains(skip, v) || slices.Contains(just, v) && !slices.Contains(just, k) {
			errs = append(errs, fmt.Sprintf("%s phase is skipped but it's needed by %s phase", k, v))
		}
	}
	return errs
}

// phaseChecks are the validate() methods of Pungi's phases that work
// offline, run for phases that are not skipped.
func phaseChecks(c *Config, opts ValidateOptions) (errs, warns []Diagnostic) {
	skip := c.Strings("skip_phases")
	skipped := func(phase string) bool {
		for _, s := range skip {
			if s == phase {
				return true
			}
		}
		return false
	}
	for _, e := range CheckSkipPhases(skip, nil) {
		errs = append(errs, c.diag("skip_phases", e))
	}
	phaseErr := func(phase, option, msg string) {
		errs = append(errs, c.diag(option, strings.ToUpper(phase)+": "+msg))
	}

	// createrepo: deltas need an old compose to compare with.
	if !skipped("createrepo") && !opts.OldComposes {
		if v, _ := c.Get("createrepo_deltas"); Truthy(v) {
			phaseErr("createrepo", "createrepo_deltas", "Can not generate deltas without old compose")
		}
	}
	// createrepo: createrepo_extra_args are createrepo_c flags that pungo's
	// writer applies; one it does not implement is refused, not dropped.
	if !skipped("createrepo") {
		if err := createrepo.CheckArgs(c.Strings("createrepo_extra_args")); err != nil {
			phaseErr("createrepo", "createrepo_extra_args", err.Error())
		}
	}
	// image_checksum is never skipped.
	if c.Bool("media_checksum_one_file") && len(c.Strings("media_checksums")) != 1 {
		phaseErr("image_checksum", "media_checksum_one_file",
			`Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`)
	}
	if opts.Variants == nil {
		return errs, warns
	}
	byUID := map[string]VariantInfo{}
	for _, v := range opts.Variants {
		byUID[v.UID] = v
	}
	// gather: variant_as_lookaside must name existing variants whose arches
	// cover the requiring variant's.
	if !skipped("gather") {
		v, _ := c.Get("variant_as_lookaside")
		pairs, _ := AsList(v)
		for _, pv := range pairs {
			pair, _ := AsList(pv)
			if len(pair) != 2 {
				continue
			}
			requiring, _ := pair[0].(string)
			required, _ := pair[1].(string)
			rv, okA := byUID[requiring]
			dv, okB := byUID[required]
			if okA && !okB {
				phaseErr("gather", "variant_as_lookaside", fmt.Sprintf("variant_as_lookaside: variant %s doesn't exist but is required by %s", pyRepr(required), pyRepr(requiring)))
			}
			if okA && okB && !subset(rv.Arches, dv.Arches) {
				phaseErr("gather", "variant_as_lookaside", fmt.Sprintf("variant_as_lookaside: architectures of variant '%s' aren't subset of architectures of variant '%s'", requiring, required))
			}
		}
	}
	// ostree_installer: its output would overwrite buildinstall's.
	buildinstallRuns := !skipped("buildinstall") && Truthy(c.String("buildinstall_method"))
	if v, _ := c.Get("ostree_installer"); Truthy(v) && !skipped("ostree_installer") &&
		!c.Bool("ostree_installer_overwrite") && buildinstallRuns {
		for _, variant := range opts.Variants {
			for _, arch := range variant.Arches {
				if len(c.ForVariantArch("ostree_installer", variant.UID, arch)) > 0 && !variant.IsEmpty {
					phaseErr("ostree_installer", "ostree_installer", fmt.Sprintf("Can not generate ostree installer for %s.%s: it has buildinstall running already and the files would clash.", variant.UID, arch))
				}
			}
		}
	}
	// extra_isos: arches not in the variant only warn.
	if v, _ := c.Get("extra_isos"); Truthy(v) && !skipped("extra_isos") {
		for _, variant := range opts.Variants {
			if variant.Type != "" && variant.Type != "variant" {
				continue
			}
			for _, conf := range c.ForVariant("extra_isos", variant.UID) {
				m, _ := conf.(map[string]any)
				var extra []string
				for _, a := range toStrings(m["arches"]) {
					if !slices.Contains(variant.Arches, a) {
						extra = append(extra, a)
					}
				}
				if len(extra) > 0 {
					sort.Strings(extra)
					warns = append(warns, c.diag("extra_isos", fmt.Sprintf("Extra iso config for %s mentions non-existing arches: %s", variant.UID, strings.Join(extra, ", "))))
				}
			}
		}
	}
	return errs, warns
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
