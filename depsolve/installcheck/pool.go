package installcheck

import (
	"slices"
	"strings"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/repomd"
)

// pool holds the candidate packages of one check (ids: positions among
// the candidates, available first, then install). The packages live in a
// depsolve.Pool, the one package pool of pungo (the gather's own, or one
// made of the candidates), and whatprovides, file provides and names are
// answered by its index (every binary package
// also provides "name = evr" of itself, as libsolv adds when it reads
// rpm-md). This pool adds what a check needs on top: which arches are
// installable on the target, their preference classes, the installonly
// packages, and caches of dependency providers.
type pool struct {
	dp         *depsolve.Pool
	local      []int32 // by depsolve id: candidate id, -1 for none
	pkgs       []*repomd.Package
	compatible []bool // arch installable on the target
	archClass  []int  // 0 best, 1 next…, -1 for noarch (libsolv's arch score classes)
	multi      []bool // may be installed in several versions (installonly)

	named     map[string][]int32     // compatible packages by name
	what      map[repomd.Dep][]int32 // versioned dependencies
	whatPlain map[string][]int32     // unversioned ones, by name (most sonames)
	deps      []*pkgDeps             // by package id, filled on first use
}

// pkgDeps holds the providers of each plain dependency of one package
// (nil for a rich one), so repeated walks and repeated checks skip the
// whatprovides lookups.
type pkgDeps struct {
	requires, recommends, suggests, conflicts [][]int32
}

func (p *pool) depsOf(id int32) *pkgDeps {
	if d := p.deps[id]; d != nil {
		return d
	}
	pk := p.pkgs[id]
	list := func(deps repomd.DepList) [][]int32 {
		if deps.Len() == 0 {
			return nil
		}
		out := make([][]int32, deps.Len())
		for i, d := range deps.All() {
			if !d.IsRich() {
				out[i] = p.whatProvides(d)
			}
		}
		return out
	}
	d := &pkgDeps{
		requires:   list(pk.Requires),
		recommends: list(pk.Recommends),
		suggests:   list(pk.Suggests),
		conflicts:  list(pk.Conflicts),
	}
	p.deps[id] = d
	return d
}

// candidatesPool puts the candidates of a check given as plain package
// lists (available, then install, each package once, source packages left
// out) into a depsolve.Pool, the one package pool of pungo, and returns it
// with their ids there.
func candidatesPool(install, available []*repomd.Package) (*depsolve.Pool, []depsolve.PkgID, error) {
	n := len(available) + len(install)
	pkgs := make([]*repomd.Package, 0, n)
	seen := make(map[*repomd.Package]bool, n)
	for _, list := range [][]*repomd.Package{available, install} {
		for _, pk := range list {
			if pk != nil && !seen[pk] && !pk.IsSource() {
				seen[pk] = true
				pkgs = append(pkgs, pk)
			}
		}
	}
	dp, err := depsolve.NewPool([]*depsolve.Repo{{ID: "installcheck", Packages: pkgs}})
	if err != nil {
		return nil, nil, err
	}
	ids := make([]depsolve.PkgID, dp.Len())
	for i := range ids {
		ids[i] = depsolve.PkgID(i)
	}
	return dp, ids, nil
}

// newPoolOf takes the candidates (available, then install; each once,
// source packages left out) from a depsolve pool, whose index then
// answers for them: the packages a gather chose are checked in the pool
// they were chosen from, plain package lists in a pool made of them
// (candidatesPool).
func newPoolOf(dp *depsolve.Pool, install, available []depsolve.PkgID, arch string, multiversion []string) *pool {
	n := len(available) + len(install)
	pkgs := make([]*repomd.Package, 0, n)
	local := make([]int32, dp.Len())
	for i := range local {
		local[i] = -1
	}
	for _, list := range [][]depsolve.PkgID{available, install} {
		for _, id := range list {
			if pk := dp.Pkg(id); local[id] < 0 && !pk.IsSource() {
				local[id] = int32(len(pkgs))
				pkgs = append(pkgs, pk)
			}
		}
	}

	// Each arch of the target is its own class, best first, as libsolv's
	// ':'-separated arch policies give; noarch is apart.
	class := map[string]int{}
	for i, a := range multilib.ValidArches(arch) {
		class[a] = i
	}
	class["noarch"] = -1
	p := &pool{
		dp:         dp,
		local:      local,
		pkgs:       pkgs,
		compatible: make([]bool, len(pkgs)),
		archClass:  make([]int, len(pkgs)),
		multi:      make([]bool, len(pkgs)),
		deps:       make([]*pkgDeps, len(pkgs)),
		named:      map[string][]int32{},
		what:       map[repomd.Dep][]int32{},
		whatPlain:  map[string][]int32{},
	}
	for i, pk := range pkgs {
		p.archClass[i], p.compatible[i] = class[pk.Arch]
	}
	for _, capability := range multiversion {
		for _, id := range p.whatProvides(repomd.Dep{Name: capability}) {
			p.multi[id] = true
		}
	}
	return p
}

// compatibleIDs converts depsolve pool ids to the ids of the compatible
// candidates, ascending: packages that are no candidates, or of an arch
// the target cannot install, never provide anything (libsolv's
// whatprovides skips such arches).
func (p *pool) compatibleIDs(ids []depsolve.PkgID) []int32 {
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		if l := p.local[id]; l >= 0 && p.compatible[l] {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// byName returns the compatible packages called name, ascending ids.
func (p *pool) byName(name string) []int32 {
	ids, ok := p.named[name]
	if !ok {
		ids = p.compatibleIDs(p.dp.PackagesNamed(name))
		p.named[name] = ids
	}
	return ids
}

// whatProvides returns the ids of the compatible packages providing a
// plain (non-rich) dependency, ascending.
func (p *pool) whatProvides(d repomd.Dep) []int32 {
	d.Pre = false
	plain := d.Flags == repomd.DepAny
	if plain {
		if ids, ok := p.whatPlain[d.Name]; ok {
			return ids
		}
	} else if ids, ok := p.what[d]; ok {
		return ids
	}
	ids := p.compatibleIDs(p.dp.WhatProvides(&d))
	if plain {
		p.whatPlain[d.Name] = ids
	} else {
		p.what[d] = ids
	}
	return ids
}

// rich parses a rich dependency (nil when it does not parse), once per
// distinct string: the depsolve pool caches it.
func (p *pool) rich(s string) *repomd.Rich { return p.dp.Rich(s) }

// colorMatch is libsolv's pool_colormatch with its arch colors: noarch
// goes with everything, otherwise 64-bit arches (s390x or a name containing
// "64") and 32-bit ones are separate colors. dnf turns this on
// (POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS), so glibc.i686 and glibc.x86_64
// can be installed together while two builds of one name.arch cannot.
func colorMatch(a, b string) bool {
	if a == b {
		return true
	}
	return archColor(a)&archColor(b) != 0
}

func archColor(arch string) uint8 {
	switch {
	case arch == "noarch":
		return 3
	case arch == "s390x" || strings.Contains(arch, "64"):
		return 2
	}
	return 1
}
