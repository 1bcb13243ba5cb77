package depsolve

import (
	"github.com/pungo/pungo/depsolve/internal/idset"
	"github.com/pungo/pungo/repomd"
)

// WhatProvides returns the packages that satisfy d, ascending ids, with
// libsolv's whatprovides semantics (what dnf's provides= filter and so
// Pungi's gather see):
//
//   - a versioned requirement matches a versioned provide when the ranges
//     overlap (rpm's rules: repomd.RangesOverlap), and an unversioned provide
//     matches every version;
//   - a path matches packages containing the file and explicit provides of
//     the path;
//   - rich dependencies are expanded the way libsolv answers provider
//     queries for them: "and"/"or" give the union of their arguments,
//     "if"/"unless" the providers of the first argument (plus the "else"
//     branch), "with" the packages providing all arguments, "without" those
//     providing the first but not the second;
//   - source packages provide nothing.
//
// Packages of every arch are returned: callers restrict to their arches.
// The returned slice may be shared; do not modify it.
func (p *Pool) WhatProvides(d *repomd.Dep) []PkgID {
	if d.IsRich() {
		r := p.rich(d.Name)
		if r == nil {
			return nil
		}
		return p.richProviders(r)
	}
	return p.leafProviders(d)
}

// Rich parses a rich dependency of the pool's packages once per distinct
// string (nil when it does not parse, and so has no providers). Safe for
// concurrent use.
func (p *Pool) Rich(s string) *repomd.Rich { return p.rich(s) }

// rich parses (and caches) a rich dependency; an unparsable one has no
// providers.
func (p *Pool) rich(s string) *repomd.Rich {
	p.lazy.Lock()
	defer p.lazy.Unlock()
	if p.richCache == nil {
		p.richCache = make(map[string]*repomd.Rich)
	}
	if r, ok := p.richCache[s]; ok {
		return r
	}
	r, err := repomd.ParseRich(s)
	if err != nil {
		r = nil
	}
	p.richCache[s] = r
	return r
}

func (p *Pool) richProviders(r *repomd.Rich) []PkgID {
	switch r.Op {
	case repomd.RichLeaf:
		return p.leafProviders(&r.Dep)
	case repomd.RichAnd, repomd.RichOr:
		var out []PkgID
		for _, a := range r.Args {
			out = idset.Union(out, p.richProviders(a))
		}
		return out
	case repomd.RichIf, repomd.RichUnless:
		return p.richProviders(r.Args[0])
	case repomd.RichIfElse, repomd.RichUnlessElse:
		return idset.Union(p.richProviders(r.Args[0]), p.richProviders(r.Args[2]))
	case repomd.RichWith:
		out := p.richProviders(r.Args[0])
		for _, a := range r.Args[1:] {
			out = idset.Intersect(out, p.richProviders(a))
		}
		return out
	case repomd.RichWithout:
		return idset.Minus(p.richProviders(r.Args[0]), p.richProviders(r.Args[1]))
	}
	return nil
}

func (p *Pool) leafProviders(d *repomd.Dep) []PkgID {
	var out []PkgID
	p.eachProvide(d.Name, func(pkg PkgID, prov *repomd.Dep) bool {
		if n := len(out); n > 0 && out[n-1] == pkg {
			return true // the bucket lists a package's provides together
		}
		if d.Flags == repomd.DepAny || prov.Flags == repomd.DepAny ||
			repomd.EVROverlap(prov.Flags, prov.EVR, d.Flags, d.EVR) {
			out = append(out, pkg)
		}
		return true
	})
	// Buckets run from the highest id down.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if len(d.Name) > 0 && d.Name[0] == '/' {
		out = idset.Union(out, p.files.providers(d.Name))
	}
	return out
}
