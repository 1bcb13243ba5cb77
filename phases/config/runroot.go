package config

import (
	"fmt"
	"strings"
)

// RunrootPhases are the phases whose commands go through runroot, in the
// order `config validate` names them.
var RunrootPhases = []string{"buildinstall", "createiso", "extra_isos", "ostree", "ostree_installer", "ostree_container"}

// RunrootMethod is Pungi's Runroot.get_runroot_method: with runroot_tag
// set and no runroot_method, "koji" (Pungi's backwards compatibility); a
// {phase: method} runroot_method gives the phase's entry, else
// global_runroot_method, else "local"; a single method applies to every
// phase; nothing set is "local". get reads an option.
func RunrootMethod(get func(string) (any, bool), phase string) string {
	tag, _ := get("runroot_tag")
	method, _ := get("runroot_method")
	if Truthy(tag) && !Truthy(method) {
		return "koji"
	}
	if m, ok := method.(map[string]any); ok {
		if s, ok := m[phase].(string); ok {
			return s
		}
		if g, _ := get("global_runroot_method"); Truthy(g) {
			if s, ok := g.(string); ok {
				return s
			}
		}
		return "local"
	}
	if s, ok := method.(string); ok && s != "" {
		return s
	}
	return "local"
}

// runrootDiagnostics says where runroot cannot work as configured: koji
// needs runroot_tag and koji_profile, openssh needs build hosts. The
// runner refuses such a phase when it runs (it never falls back to the
// compose host); validation names the problem beforehand. A warning, not
// an error, because the phases may not run at all (no buildinstall_method,
// no ISOs).
func runrootDiagnostics(c *Config) (warns []Diagnostic) {
	byMethod := map[string][]string{}
	for _, p := range RunrootPhases {
		m := RunrootMethod(c.Get, p)
		byMethod[m] = append(byMethod[m], p)
	}
	if ps := byMethod["koji"]; len(ps) > 0 {
		for _, need := range []string{"runroot_tag", "koji_profile"} {
			if v, _ := c.Get(need); !Truthy(v) {
				warns = append(warns, c.diag("runroot_method", fmt.Sprintf("runroot in Koji (for %s) needs %s; those phases will fail.", strings.Join(ps, ", "), need)))
			}
		}
	}
	if ps := byMethod["openssh"]; len(ps) > 0 {
		if v, _ := c.Get("runroot_ssh_hostnames"); !Truthy(v) {
			warns = append(warns, c.diag("runroot_method", fmt.Sprintf("runroot over ssh (for %s) needs runroot_ssh_hostnames; those phases will fail.", strings.Join(ps, ", "))))
		}
	}
	return warns
}
