package repomd

import "strings"

// This file answers "does this package provide X" and "does this
// dependency entry mention X" the way libsolv's whatprovides and
// whatmatchesdep do, for queries (repoquery) and tests.

// IsFileDep reports whether a dependency names a file path.
func (d Dep) IsFileDep() bool { return strings.HasPrefix(d.Name, "/") }

// Satisfies reports whether p satisfies the capability c: a provide whose
// range overlaps c's, or, for a path without a version, a file p contains
// (only the primary subset of files until LoadFilelists).
func (p *Package) Satisfies(c Dep) bool {
	for i := range p.Provides.Len() {
		if p.Provides.Name(i) == c.Name && RangesOverlap(p.Provides.At(i), c) {
			return true
		}
	}
	if c.IsFileDep() && c.Flags == DepAny {
		for i := range p.Files {
			if p.Files[i].Path == c.Name {
				return true
			}
		}
	}
	return false
}

// DepMatches reports whether the dependency entry d (a require, conflict,
// obsolete or weak dependency, plain or rich) mentions a capability that
// overlaps c, with libsolv's pool_match_dep rules for rich entries: any
// operand of and/or/with, the first of without, and the first and the
// else-branch (not the condition) of if/unless.
func DepMatches(d Dep, c Dep) bool {
	if !d.IsRich() {
		return RangesOverlap(c, d)
	}
	r, err := ParseRich(d.Name)
	if err != nil {
		return false
	}
	return r.mentions(c)
}

func (r *Rich) mentions(c Dep) bool {
	switch r.Op {
	case RichLeaf:
		return RangesOverlap(c, r.Dep)
	case RichAnd, RichOr, RichWith:
		for _, a := range r.Args {
			if a.mentions(c) {
				return true
			}
		}
		return false
	case RichWithout, RichIf, RichUnless:
		return r.Args[0].mentions(c)
	case RichIfElse, RichUnlessElse:
		return r.Args[0].mentions(c) || r.Args[2].mentions(c)
	}
	return false
}
