package config

// The phase names and the skip/just-phase rules, for `config validate`
// and the compose alike. The phases' own checks are their Validate
// methods, which phases/pipeline runs for `config validate`.

import (
	"fmt"
	"slices"
	"strings"
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

// SkipPhaseErrors applies CheckSkipPhases to the config's skip_phases,
// each error positioned at skip_phases.
func SkipPhaseErrors(c *Config) []Diagnostic {
	var errs []Diagnostic
	for _, e := range CheckSkipPhases(c.Strings("skip_phases"), nil) {
		errs = append(errs, c.diag("skip_phases", e))
	}
	return errs
}
