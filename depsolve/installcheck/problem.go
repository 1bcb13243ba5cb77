package installcheck

import (
	"github.com/pungo/pungo/repomd"
)

// describe renders one minimal core: a sentence per rule, in libsolv's
// words, the main one first. The main rule is the one libsolv's
// findproblemrule would name: an assertion (nothing provides, an arch that
// cannot be installed), else a requirement of a package to install, else
// any requirement, else a conflict, obsolete or same-name rule, else an
// inferior-arch rule; among equals the package first in the pool (libsolv
// meets them in id order).
func (e *encoding) describe(jobs []int32, rules []int) Problem {
	isJob := map[int32]bool{}
	for _, id := range jobs {
		isJob[id] = true
	}
	class := func(r rule) int {
		switch r.kind {
		case ruleArch, ruleBadDep:
			return 5
		case ruleRequires:
			switch {
			case !e.hasProviders(*r.dep):
				return 5
			case isJob[r.pkg]:
				return 4
			}
			return 3
		case ruleConflicts, ruleObsoletes, ruleSameName:
			return 2
		}
		return 1
	}
	main := -1
	bestClass, bestPkg := -1, int32(0)
	for i, ri := range rules {
		r := e.rules[ri]
		if c := class(r); c > bestClass || (c == bestClass && r.pkg < bestPkg) {
			main, bestClass, bestPkg = i, c, r.pkg
		}
	}
	var prob Problem
	seen := map[int32]bool{}
	addPkg := func(id int32) {
		if id >= 0 && !seen[id] {
			seen[id] = true
			prob.Packages = append(prob.Packages, e.pool.pkgs[id])
		}
	}
	if main >= 0 {
		prob.Sentences = append(prob.Sentences, e.sentence(e.rules[rules[main]]))
	}
	for i, ri := range rules {
		if i != main {
			prob.Sentences = append(prob.Sentences, e.sentence(e.rules[ri]))
		}
	}
	for _, id := range jobs {
		addPkg(id)
	}
	for _, ri := range rules {
		addPkg(e.rules[ri].pkg)
		addPkg(e.rules[ri].other)
	}
	if len(prob.Sentences) == 0 {
		// Only jobs in the core: the jobs themselves clash through a rule
		// with no clause left, which cannot happen; say what we know.
		prob.Sentences = append(prob.Sentences, "conflicting requests")
	}
	return prob
}

// sentence words a rule as libsolv's solver_problemruleinfo2str does.
func (e *encoding) sentence(r rule) string {
	p := e.pool
	name := func(id int32) string { return solvableString(p.pkgs[id]) }
	switch r.kind {
	case ruleRequires:
		if !e.hasProviders(*r.dep) {
			return "nothing provides " + r.dep.String() + " needed by " + name(r.pkg)
		}
		return "package " + name(r.pkg) + " requires " + r.dep.String() + ", but none of the providers can be installed"
	case ruleConflicts:
		if r.other < 0 {
			return "package " + name(r.pkg) + " conflicts with " + r.dep.String()
		}
		if r.other == r.pkg {
			return "package " + name(r.pkg) + " conflicts with " + r.dep.String() + " provided by itself"
		}
		return "package " + name(r.pkg) + " conflicts with " + r.dep.String() + " provided by " + name(r.other)
	case ruleObsoletes:
		return "package " + name(r.pkg) + " obsoletes " + r.dep.String() + " provided by " + name(r.other)
	case ruleSameName:
		return "cannot install both " + name(r.pkg) + " and " + name(r.other)
	case ruleArch:
		return "package " + name(r.pkg) + " does not have a compatible architecture"
	case ruleInfArch:
		return name(r.pkg) + " has inferior architecture"
	case ruleBadDep:
		return "package " + name(r.pkg) + " has an unreadable dependency " + r.dep.String()
	}
	return "unknown rule"
}

// hasProviders reports whether any compatible package can satisfy d. A
// rich d counts as provided unless it is false whatever gets installed
// once the leaves nothing provides are taken as false (libsolv then also
// says "nothing provides").
func (e *encoding) hasProviders(d repomd.Dep) bool {
	if !d.IsRich() {
		return len(e.pool.whatProvides(d)) > 0
	}
	r := e.pool.rich(d.Name)
	if r == nil {
		return false
	}
	x, ok := e.toExpr(r)
	return ok && maybeTrue(x) != tvFalse
}

type truth uint8

const (
	tvFalse truth = iota
	tvUnknown
	tvTrue
)

// maybeTrue evaluates x in Kleene's three-valued logic with leaves that
// have providers unknown and leaves without providers false.
func maybeTrue(x *bexpr) truth {
	switch x.op {
	case bLeaf:
		if len(x.provs) == 0 {
			return tvFalse
		}
		return tvUnknown
	case bNot:
		return tvTrue - maybeTrue(x.args[0])
	case bAnd:
		v := tvTrue
		for _, a := range x.args {
			v = min(v, maybeTrue(a))
		}
		return v
	}
	v := tvFalse
	for _, a := range x.args {
		v = max(v, maybeTrue(a))
	}
	return v
}

// solvableString is libsolv's "name-[epoch:]version-release.arch".
func solvableString(p *repomd.Package) string { return p.NEVRA() }
