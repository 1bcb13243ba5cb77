// Package query is pungo's repoquery engine: it answers the questions dnf
// repoquery answers (package specs, --arch, --whatprovides,
// --whatrequires, --latest-limit) over a depsolve.Pool, through the pool's
// one whatprovides and file-provides index, as libsolv answers them for
// dnf. It also renders dnf's --queryformat tags. `pungo repoquery` only
// parses flags and prints what this package selects.
package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

// Options are the selection options of dnf repoquery.
type Options struct {
	// Specs select packages by name, name.arch, name-[epoch:]version
	// [-release[.arch]] with dnf globs, ignoring case; a spec that names no
	// package and starts with "/" or "*/" selects the packages holding such
	// files.
	Specs []string
	// Arches keeps only packages of these architectures (none: all).
	Arches []string
	// WhatProvides and WhatRequires are capabilities ("foo", "foo >= 1.2",
	// a path; a versionless name with * ? [ is a glob).
	WhatProvides, WhatRequires []string
	// ExactDeps makes WhatRequires match the capabilities only, without
	// resolving them as package specs.
	ExactDeps bool
	// LatestLimit keeps the N newest versions of each name.arch (N < 0: all
	// but the N newest; 0: all).
	LatestLimit int
	// LoadFiles reads the complete file lists before selecting (for a
	// format that prints files).
	LoadFiles bool
}

// Query is a compiled set of Options.
type Query struct {
	o             Options
	caps, reqCaps []repomd.Dep
	arches        map[string]bool
}

// SplitCommas splits option values at commas, as dnf does for its --what*
// and --arch options.
func SplitCommas(values []string) []string {
	var out []string
	for _, v := range values {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// Compile parses the capabilities of o (Arches, WhatProvides and
// WhatRequires are comma-split as dnf splits them).
func Compile(o Options) (*Query, error) {
	q := &Query{o: o, arches: map[string]bool{}}
	var err error
	if q.caps, err = parseCaps("--whatprovides", o.WhatProvides); err != nil {
		return nil, err
	}
	if q.reqCaps, err = parseCaps("--whatrequires", o.WhatRequires); err != nil {
		return nil, err
	}
	for _, a := range SplitCommas(o.Arches) {
		q.arches[a] = true
	}
	return q, nil
}

// parseCaps parses the comma-split capabilities of option opt.
func parseCaps(opt string, values []string) ([]repomd.Dep, error) {
	var out []repomd.Dep
	for _, c := range SplitCommas(values) {
		d, err := repomd.ParseDep(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", opt, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// run holds one evaluation over a pool.
type run struct {
	*Query
	pool *depsolve.Pool
}

// needFiles completes every package's file list (once; the pool remembers).
func (r *run) needFiles() error { return r.pool.LoadFiles() }

// Run answers the query in dnf repoquery's order (package specs and
// --arch, then --whatprovides, --whatrequires, and the latest versions)
// and returns the selected packages sorted by name, EVR and arch.
func (q *Query) Run(pool *depsolve.Pool) ([]depsolve.PkgID, error) {
	r := &run{q, pool}
	if q.o.LoadFiles {
		if err := r.needFiles(); err != nil {
			return nil, err
		}
	}
	sel := make([]depsolve.PkgID, 0, pool.Len())
	for id := depsolve.PkgID(0); int(id) < pool.Len(); id++ {
		if len(q.arches) > 0 && !q.arches[pool.Pkg(id).Arch] {
			continue
		}
		sel = append(sel, id)
	}
	var err error
	if len(q.o.Specs) > 0 {
		if sel, err = r.selectSpecs(sel); err != nil {
			return nil, err
		}
	}
	if len(q.caps) > 0 {
		if sel, err = r.selectWhatProvides(sel); err != nil {
			return nil, err
		}
	}
	if len(q.reqCaps) > 0 {
		if sel, err = r.selectWhatRequires(sel); err != nil {
			return nil, err
		}
	}
	if q.o.LatestLimit != 0 {
		sel = latestPerNameArch(pool, sel, q.o.LatestLimit)
	}
	sort.SliceStable(sel, func(i, j int) bool { return lessPkg(pool.Pkg(sel[i]), pool.Pkg(sel[j])) })
	return sel, pool.Err()
}

// Resolve answers dnf repoquery's --resolve: the binary packages that
// provide any of deps (the pool's whatprovides, so file dependencies and
// rich dependencies resolve as in a depsolve), of the query's --arch
// architectures, the newest of each name.arch (dnf's query.latest()),
// sorted as Run sorts. Packages module filtering hid are left out: dnf
// resolves in a query of its own, which keeps module filtering even under
// --disable-modular-filtering (CentOS Stream 9's nodejs requires resolve
// to the non-modular nodejs-libs 16, not to nodejs:22's).
func (q *Query) Resolve(pool *depsolve.Pool, deps []repomd.Dep) ([]depsolve.PkgID, error) {
	seen := map[depsolve.PkgID]bool{}
	var out []depsolve.PkgID
	for i := range deps {
		for _, id := range pool.WhatProvides(&deps[i]) {
			if seen[id] || pool.Hidden(id) || len(q.arches) > 0 && !q.arches[pool.Pkg(id).Arch] {
				continue
			}
			seen[id] = true
			out = append(out, id)
		}
	}
	if err := pool.Err(); err != nil {
		return nil, err
	}
	out = latestPerNameArch(pool, out, 1)
	sort.SliceStable(out, func(i, j int) bool { return lessPkg(pool.Pkg(out[i]), pool.Pkg(out[j])) })
	return out, nil
}

// selectSpecs keeps the packages a spec names. As dnf's subject query: a
// spec matches name, name.arch, name-[epoch:]version[-release[.arch]] with
// globs and without regard to case; a spec that matches no package that
// way and looks like a path ("/…" or "*/…") matches the packages holding
// such a file.
func (r *run) selectSpecs(sel []depsolve.PkgID) ([]depsolve.PkgID, error) {
	keep := make([]bool, len(sel))
	for _, spec := range r.o.Specs {
		low := strings.ToLower(spec)
		found := false
		for i, id := range sel {
			if MatchesSpec(r.pool.Pkg(id), low, true) {
				keep[i], found = true, true
			}
		}
		if found || !(strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "*/")) {
			continue
		}
		if err := r.needFiles(); err != nil {
			return nil, err
		}
		for i, id := range sel {
			if hasFile(r.pool.Pkg(id), spec) {
				keep[i] = true
			}
		}
	}
	out := sel[:0:0]
	for i, id := range sel {
		if keep[i] {
			out = append(out, id)
		}
	}
	return out, nil
}

// selectWhatProvides is dnf's --whatprovides: the packages providing a
// capability (the pool's whatprovides, which leaves source packages out;
// a versionless glob matches provide names and file paths), or, when none
// does, the packages holding a file the capabilities name (globs allowed).
func (r *run) selectWhatProvides(sel []depsolve.PkgID) ([]depsolve.PkgID, error) {
	providers := map[depsolve.PkgID]bool{}
	var globs []repomd.Dep
	for i := range r.caps {
		c := &r.caps[i]
		if isGlobCap(*c) {
			if c.IsFileDep() {
				if err := r.needFiles(); err != nil {
					return nil, err
				}
			}
			globs = append(globs, *c)
			continue
		}
		for _, id := range r.pool.WhatProvides(c) {
			providers[id] = true
		}
	}
	if err := r.pool.Err(); err != nil {
		return nil, err
	}
	out := sel[:0:0]
	for _, id := range sel {
		p := r.pool.Pkg(id)
		if p.IsSource() {
			continue
		}
		if providers[id] || providesGlob(p, globs) {
			out = append(out, id)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if err := r.needFiles(); err != nil {
		return nil, err
	}
	for _, id := range sel {
		p := r.pool.Pkg(id)
		for _, c := range r.caps {
			if c.Flags == repomd.DepAny && hasFile(p, c.Name) {
				out = append(out, id)
				break
			}
		}
	}
	return out, nil
}

// isGlobCap reports whether a capability is a dnf glob: versionless, with
// * ? or [ in its name.
func isGlobCap(c repomd.Dep) bool { return c.Flags == repomd.DepAny && glob.IsGlob(c.Name) }

// providesGlob reports whether p has a provide whose name matches one of
// the glob capabilities, or, for a path glob, a matching file.
func providesGlob(p *repomd.Package, globs []repomd.Dep) bool {
	for _, c := range globs {
		for i := range p.Provides.Len() {
			if glob.DNF(c.Name, p.Provides.Name(i)) {
				return true
			}
		}
		if c.IsFileDep() && hasFile(p, c.Name) {
			return true
		}
	}
	return false
}

// selectWhatRequires is dnf's --whatrequires: the packages with a
// requirement that matches a capability (a name glob matching requirement
// names), plus, without ExactDeps, those requiring anything (a provide or
// a file) of the packages the arguments name as package specs, looked up
// in the pool's whatprovides and file indexes. Like libsolv, it never
// lists source packages, nor a package for requiring its own provides.
func (r *run) selectWhatRequires(sel []depsolve.PkgID) ([]depsolve.PkgID, error) {
	var names []string
	if !r.o.ExactDeps {
		for _, c := range r.reqCaps {
			if c.Flags == repomd.DepAny {
				names = append(names, c.Name)
			}
		}
	}
	var named map[depsolve.PkgID]bool
	for _, id := range sel {
		for _, n := range names {
			if MatchesSpec(r.pool.Pkg(id), n, false) {
				if named == nil {
					named = map[depsolve.PkgID]bool{}
				}
				named[id] = true
				break
			}
		}
	}
	out := sel[:0:0]
	for _, id := range sel {
		p := r.pool.Pkg(id)
		if p.IsSource() {
			continue
		}
		if requiresCaps(p, r.reqCaps) || (named != nil && r.requiresNamed(id, named)) {
			out = append(out, id)
		}
	}
	return out, r.pool.Err()
}

// requiresNamed reports whether package id requires something another
// package of named provides (a provide, or a file it holds).
func (r *run) requiresNamed(id depsolve.PkgID, named map[depsolve.PkgID]bool) bool {
	for _, req := range r.pool.Pkg(id).Requires.All() {
		for _, name := range depNames(req) {
			found := false
			r.pool.EachProvide(name, func(owner depsolve.PkgID, d *repomd.Dep) bool {
				if owner != id && named[owner] && repomd.DepMatches(req, *d) {
					found = true
				}
				return !found
			})
			if found {
				return true
			}
			if strings.HasPrefix(name, "/") {
				for _, owner := range r.pool.FileProviders(name) {
					if owner != id && named[owner] && repomd.DepMatches(req, repomd.Dep{Name: name}) {
						return true
					}
				}
			}
		}
	}
	return false
}

// depNames lists the capability names an entry mentions: its own, or the
// leaves of a rich dependency.
func depNames(d repomd.Dep) []string {
	if !d.IsRich() {
		return []string{d.Name}
	}
	r, err := repomd.ParseRich(d.Name)
	if err != nil {
		return nil
	}
	var names []string
	var walk func(*repomd.Rich)
	walk = func(r *repomd.Rich) {
		if r.Op == repomd.RichLeaf {
			names = append(names, r.Dep.Name)
			return
		}
		for _, a := range r.Args {
			walk(a)
		}
	}
	walk(r)
	return names
}

// requiresCaps reports whether a requirement of p matches one of caps; a
// versionless capability with * ? or [ is a glob over requirement names.
func requiresCaps(p *repomd.Package, caps []repomd.Dep) bool {
	for _, r := range p.Requires.All() {
		for _, c := range caps {
			if !isGlobCap(c) {
				if repomd.DepMatches(r, c) {
					return true
				}
				continue
			}
			for _, name := range depNames(r) {
				if glob.DNF(c.Name, name) && repomd.DepMatches(r, repomd.Dep{Name: name}) {
					return true
				}
			}
		}
	}
	return false
}

// hasFile reports whether p holds a file matching pattern (a dnf glob).
// The relative paths of source packages' files are rooted, as libsolv does.
func hasFile(p *repomd.Package, pattern string) bool {
	for _, f := range p.Files {
		name := f.Path
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		if name == pattern || glob.DNF(pattern, name) {
			return true
		}
	}
	return false
}

// DNFNEVRA is dnf repoquery's default line: the epoch is always shown.
func DNFNEVRA(p *repomd.Package) string {
	return p.Name + "-" + orZero(p.Epoch) + ":" + p.Version + "-" + p.Release + "." + p.Arch
}

func lessPkg(a, b *repomd.Package) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if c := repomd.CompareEVR(a.EVR, b.EVR); c != 0 {
		return c < 0
	}
	return a.Arch < b.Arch
}

// latestPerNameArch keeps, of each name.arch, the packages with the n
// newest EVRs, or with n < 0 all but those, as dnf's --latest-limit.
func latestPerNameArch(pool *depsolve.Pool, ids []depsolve.PkgID, n int) []depsolve.PkgID {
	groups := map[string][]repomd.EVR{}
	for _, id := range ids {
		p := pool.Pkg(id)
		k := p.Name + "." + p.Arch
		groups[k] = append(groups[k], p.EVR)
	}
	for k, evrs := range groups {
		sort.Slice(evrs, func(i, j int) bool { return repomd.CompareEVR(evrs[i], evrs[j]) > 0 })
		uniq := evrs[:0]
		for i, e := range evrs {
			if i == 0 || repomd.CompareEVR(e, uniq[len(uniq)-1]) != 0 {
				uniq = append(uniq, e)
			}
		}
		groups[k] = uniq
	}
	out := ids[:0:0]
	for _, id := range ids {
		p := pool.Pkg(id)
		evrs := groups[p.Name+"."+p.Arch]
		rank := 0
		for rank < len(evrs) && repomd.CompareEVR(evrs[rank], p.EVR) != 0 {
			rank++
		}
		if (n > 0 && rank < n) || (n < 0 && rank >= -n) {
			out = append(out, id)
		}
	}
	return out
}

// MatchesSpec applies one dnf package spec: name, name.arch, name-version,
// name-version-release, name-version-release.arch, each with or without
// "epoch:" before the version, with dnf globs. With fold, spec must be
// lower case and the package is matched without regard to case.
func MatchesSpec(p *repomd.Package, spec string, fold bool) bool {
	e := orZero(p.Epoch)
	forms := [...]string{
		p.Name,
		p.Name + "." + p.Arch,
		p.Name + "-" + p.Version,
		p.Name + "-" + p.Version + "-" + p.Release,
		p.Name + "-" + p.Version + "-" + p.Release + "." + p.Arch,
		p.Name + "-" + e + ":" + p.Version,
		p.Name + "-" + e + ":" + p.Version + "-" + p.Release,
		p.Name + "-" + e + ":" + p.Version + "-" + p.Release + "." + p.Arch,
	}
	for _, f := range forms {
		if fold {
			f = strings.ToLower(f)
		}
		if f == spec || glob.DNF(spec, f) {
			return true
		}
	}
	return false
}

func orZero(e string) string {
	if e == "" {
		return "0"
	}
	return e
}
