package depsolve

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/repomd"
)

// ClosureOptions select what Repoclosure checks, as dnf repoclosure's
// options do.
type ClosureOptions struct {
	// Arches restricts the checked packages to these exact arches (dnf's
	// repeatable --arch; "noarch" is not implied). Empty checks every arch.
	Arches []string
	// PoolArch decides which packages can be providers (dnf's --forcearch,
	// the first --arch as Pungi passes it): its compatible arches and
	// noarch. Defaults to Arches[0], else x86_64.
	PoolArch string
	// Check lists the repository ids whose packages are checked (dnf's
	// --check). Empty checks every repository.
	Check []string
	// Best lets only the latest version of each name.arch (across all
	// repositories) satisfy requirements, as dnf does with best=True. By
	// default every version can (dnf's configured default, best=False).
	Best bool
}

// Unresolved is one package with requirements nothing available provides.
type Unresolved struct {
	ID   PkgID
	Pkg  *repomd.Package
	Repo *Repo
	Deps []string // requirement strings, sorted
}

// Repoclosure reports, as dnf repoclosure does, every checked package
// whose requirements (requires, pre and post; not rpmlib() or solvable:
// ones) have no provider among the available packages: binary packages of
// an arch the pool arch can install (with Best, only the latest of each
// name.arch). Source packages are checked too when their arch is
// selected (their requirements are build requirements). The result is
// sorted by name, EVR, arch and repository.
func Repoclosure(pool *Pool, opts ClosureOptions) ([]Unresolved, error) {
	for _, a := range append([]string{opts.PoolArch}, opts.Arches...) {
		if a != "" && !multilib.IsPackageArch(a) {
			return nil, fmt.Errorf("unknown arch %q (e.g. x86_64, i686, aarch64, noarch, src)", a)
		}
	}
	poolArch := opts.PoolArch
	if poolArch == "" && len(opts.Arches) > 0 {
		poolArch = opts.Arches[0]
	}
	if poolArch == "" {
		poolArch = "x86_64"
	}
	compat := map[string]bool{}
	for _, a := range multilib.ValidArches(baseArch(poolArch)) {
		compat[a] = true
	}
	n := pool.Len()
	provider := make([]bool, n)
	for i, p := range pool.pkgs {
		provider[i] = !p.IsSource() && compat[p.Arch] && !pool.Hidden(PkgID(i))
	}
	if opts.Best {
		keepLatestPerArch(pool, provider)
	}
	checkArch := map[string]bool{}
	for _, a := range opts.Arches {
		checkArch[a] = true
	}
	checkRepo := map[string]bool{}
	for _, r := range opts.Check {
		checkRepo[r] = true
	}

	// The answer per requirement, by its identity in the tables it was
	// loaded into (a few numbers, where hashing the strings cost a fifth
	// of the run): closureSkip for rpmlib() and solvable: ones, else
	// whether some provider marked in provider satisfies it.
	var memo closureMemo
	var out []Unresolved
	for i, p := range pool.pkgs {
		id := PkgID(i)
		if pool.Hidden(id) {
			continue
		}
		if len(checkArch) > 0 && !checkArch[p.Arch] {
			continue
		}
		if len(checkRepo) > 0 && !checkRepo[pool.RepoOf(id).ID] {
			continue
		}
		var bad []string
		for k := range p.Requires.Len() {
			known := memo.entry(p.Requires.Ident(k))
			if *known == closureUnknown {
				*known = closureUnresolved
				if name := p.Requires.Name(k); strings.HasPrefix(name, "rpmlib(") || strings.HasPrefix(name, "solvable:") {
					*known = closureSkip
				} else if dep := p.Requires.At(k); pool.anyProvider(&dep, provider) {
					*known = closureResolved
				}
			}
			if *known == closureUnresolved {
				dep := p.Requires.At(k)
				bad = append(bad, dep.String())
			}
		}
		if len(bad) == 0 {
			continue
		}
		sort.Strings(bad)
		bad = dedupStrings(bad)
		out = append(out, Unresolved{ID: id, Pkg: p, Repo: pool.RepoOf(id), Deps: bad})
	}
	if err := pool.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a].Pkg, out[b].Pkg
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		if c := repomd.CompareEVR(x.EVR, y.EVR); c != 0 {
			return c < 0
		}
		if x.Arch != y.Arch {
			return x.Arch < y.Arch
		}
		return out[a].Repo.ID < out[b].Repo.ID
	})
	return out, nil
}

// What Repoclosure knows of one requirement.
const (
	closureUnknown int8 = iota // not asked yet
	closureUnresolved
	closureResolved
	closureSkip // rpmlib() and solvable: requirements are not checked
)

// closureMemo holds Repoclosure's answers by requirement identity:
// unversioned ones by name number (a repository's requirements are mostly
// unversioned, and a slice index costs less than a hash), the others in a
// map.
type closureMemo struct {
	dense     byNameNumber[int8]
	versioned map[repomd.DepIdent]int // index into vvals
	vvals     []int8
}

// entry returns the answer slot for id; the pointer is valid until the
// next call.
func (m *closureMemo) entry(id repomd.DepIdent) *int8 {
	if id.Unversioned() {
		if v := m.dense.at(id); v != nil {
			return v
		}
	}
	i, seen := m.versioned[id]
	if !seen {
		if m.versioned == nil {
			m.versioned = make(map[repomd.DepIdent]int, 1<<12)
		}
		i = len(m.vvals)
		m.versioned[id] = i
		m.vvals = append(m.vvals, closureUnknown)
	}
	return &m.vvals[i]
}

// byNameNumber keeps a value per dependency name: a slice per store the
// dependencies were loaded into, indexed by the name's number there, so
// a hot loop over dependency lists needs neither a hash nor the name's
// bytes. Equal names from different stores have separate values. A
// cache image or a parse worker is one store, but a list made on its own
// (MakeDepList: packages read from rpm headers) has its own; past
// maxNameStores stores at returns nil and the caller does without.
type byNameNumber[T any] struct {
	stores []repomd.DepIdent // any identity from each store
	vals   [][]T
	last   int // index of the store of the previous call
}

const maxNameStores = 64

// at returns the value for id's name, or nil (too many stores); the
// pointer is valid until the next call.
func (b *byNameNumber[T]) at(id repomd.DepIdent) *T {
	s := b.last
	if s >= len(b.stores) || !b.stores[s].SameStore(id) {
		s = -1
		for i := range b.stores {
			if b.stores[i].SameStore(id) {
				s = i
				break
			}
		}
		if s < 0 {
			if len(b.stores) == maxNameStores {
				return nil
			}
			s = len(b.stores)
			b.stores = append(b.stores, id)
			b.vals = append(b.vals, nil)
		}
		b.last = s
	}
	v, n := b.vals[s], int(id.NameNumber())
	if n >= len(v) {
		v = append(v, make([]T, n+1-len(v)+len(v)/2)...)
		b.vals[s] = v
	}
	return &v[n]
}

// anyProvider reports whether some package marked in ok provides d.
func (p *Pool) anyProvider(d *repomd.Dep, ok []bool) bool {
	if d.IsRich() || (len(d.Name) > 0 && d.Name[0] == '/') {
		for _, i := range p.WhatProvides(d) {
			if ok[i] {
				return true
			}
		}
		return false
	}
	found := false
	p.eachProvide(d.Name, func(pkg PkgID, prov *repomd.Dep) bool {
		if ok[pkg] && (d.Flags == repomd.DepAny || prov.Flags == repomd.DepAny ||
			repomd.EVROverlap(prov.Flags, prov.EVR, d.Flags, d.EVR)) {
			found = true
			return false
		}
		return true
	})
	return found
}

// keepLatestPerArch clears every marked package that is not of the highest
// EVR of its name and arch among the marked ones (hawkey's
// latest_per_arch: equal EVRs from several repositories all stay).
func keepLatestPerArch(pool *Pool, mark []bool) {
	type na struct {
		name NameID
		arch string
	}
	top := map[na]PkgID{}
	for i, p := range pool.pkgs {
		if !mark[i] {
			continue
		}
		k := na{pool.pkgName[i], p.Arch}
		if j, ok := top[k]; !ok || repomd.CompareEVR(p.EVR, pool.pkgs[j].EVR) > 0 {
			top[k] = PkgID(i)
		}
	}
	for i, p := range pool.pkgs {
		if !mark[i] {
			continue
		}
		j := top[na{pool.pkgName[i], p.Arch}]
		if repomd.CompareEVR(p.EVR, pool.pkgs[j].EVR) != 0 {
			mark[i] = false
		}
	}
}

func dedupStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
