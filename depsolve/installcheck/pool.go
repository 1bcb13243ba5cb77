package installcheck

import (
	"sort"
	"strings"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/repomd"
)

// pool indexes the candidate packages of one check: ids are positions in
// pkgs, whatprovides answers come from a provide-name index (every binary
// package also provides "name = evr" of itself, as libsolv adds when it
// reads rpm-md) plus an index of the packaged files that some dependency
// names, built on first use of a path dependency (libsolv's
// addfileprovides).
type pool struct {
	pkgs       []*repomd.Package
	compatible []bool // arch installable on the target
	archClass  []int  // 0 best, 1 next…, -1 for noarch (libsolv's arch score classes)
	multi      []bool // may be installed in several versions (installonly)

	provides map[string][]provide
	files    map[string][]int32 // built lazily
	byName   map[string][]int32

	what      map[repomd.Dep][]int32 // versioned dependencies
	whatPlain map[string][]int32     // unversioned ones, by name (most sonames)
	rich      map[string]*repomd.Rich
	deps      []*pkgDeps // by package id, filled on first use
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
	list := func(deps []repomd.Dep) [][]int32 {
		if len(deps) == 0 {
			return nil
		}
		out := make([][]int32, len(deps))
		for i, d := range deps {
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

// provide is one provide entry: package id and index into its Provides,
// or selfProvide for the implicit "name = evr".
type provide struct {
	pkg int32
	idx int32
}

const selfProvide = -1

func (p *pool) provideDep(pr provide) repomd.Dep {
	pk := p.pkgs[pr.pkg]
	if pr.idx == selfProvide {
		return repomd.Dep{Name: pk.Name, Flags: repomd.DepEQ, EVR: pk.EVR}
	}
	return pk.Provides[pr.idx]
}

// hasSelfProvide reports whether pk lists "name = evr" itself, as
// rpm-built packages do, so the implicit one is not indexed twice.
func hasSelfProvide(pk *repomd.Package) bool {
	for _, d := range pk.Provides {
		if d.Name == pk.Name && d.Flags == repomd.DepEQ && d.EVR == pk.EVR {
			return true
		}
	}
	return false
}

func newPool(install, available []*repomd.Package, arch string, multiversion []string) *pool {
	// Each arch of the target is its own class, best first, as libsolv's
	// ':'-separated arch policies give; noarch is apart.
	class := map[string]int{}
	for i, a := range multilib.ValidArches(arch) {
		class[a] = i
	}
	class["noarch"] = -1
	n := len(available) + len(install)
	p := &pool{
		pkgs:       make([]*repomd.Package, 0, n),
		compatible: make([]bool, 0, n),
		archClass:  make([]int, 0, n),
		byName:     make(map[string][]int32, n),
		what:       map[repomd.Dep][]int32{},
		whatPlain:  map[string][]int32{},
		rich:       map[string]*repomd.Rich{},
	}
	seen := make(map[*repomd.Package]bool, n)
	add := func(pk *repomd.Package) {
		if pk == nil || seen[pk] || pk.IsSource() {
			return
		}
		seen[pk] = true
		c, compat := class[pk.Arch]
		p.pkgs = append(p.pkgs, pk)
		p.compatible = append(p.compatible, compat)
		p.archClass = append(p.archClass, c)
	}
	for _, pk := range available {
		add(pk)
	}
	for _, pk := range install {
		add(pk)
	}
	p.multi = make([]bool, len(p.pkgs))
	p.deps = make([]*pkgDeps, len(p.pkgs))

	// Two passes over the provides, counting then filling one flat array,
	// so the index costs a few large allocations instead of many small
	// growing ones.
	count := make(map[string]int32, 2*len(p.pkgs))
	total := 0
	self := make([]bool, len(p.pkgs))
	for id, pk := range p.pkgs {
		if !p.compatible[id] {
			continue // never a provider, as libsolv's whatprovides skips such arches
		}
		p.byName[pk.Name] = append(p.byName[pk.Name], int32(id))
		if !hasSelfProvide(pk) {
			self[id] = true
			count[pk.Name]++
			total++
		}
		for _, d := range pk.Provides {
			count[d.Name]++
		}
		total += len(pk.Provides)
	}
	flat := make([]provide, total)
	p.provides = make(map[string][]provide, len(count))
	off := 0
	for name, c := range count {
		p.provides[name] = flat[off : off : off+int(c)]
		off += int(c)
	}
	for id, pk := range p.pkgs {
		if !p.compatible[id] {
			continue
		}
		if self[id] {
			p.provides[pk.Name] = append(p.provides[pk.Name], provide{int32(id), selfProvide})
		}
		for i, d := range pk.Provides {
			p.provides[d.Name] = append(p.provides[d.Name], provide{int32(id), int32(i)})
		}
	}
	for _, capability := range multiversion {
		for _, id := range p.whatProvides(repomd.Dep{Name: capability}) {
			p.multi[id] = true
		}
	}
	return p
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
	var ids []int32
	for _, pr := range p.provides[d.Name] {
		if repomd.RangesOverlap(p.provideDep(pr), d) {
			ids = append(ids, pr.pkg)
		}
	}
	if strings.HasPrefix(d.Name, "/") {
		if p.files == nil {
			p.indexFiles()
		}
		ids = append(ids, p.files[d.Name]...)
	}
	ids = sortedUnique(ids)
	if plain {
		p.whatPlain[d.Name] = ids
	} else {
		p.what[d] = ids
	}
	return ids
}

// indexFiles indexes the packaged files that some dependency of a
// compatible package names (requires, conflicts, weak deps, rich leaves):
// only those can ever be asked for.
func (p *pool) indexFiles() {
	wanted := map[string]bool{}
	note := func(deps []repomd.Dep) {
		for _, d := range deps {
			switch {
			case strings.HasPrefix(d.Name, "/"):
				wanted[d.Name] = true
			case d.IsRich() && strings.Contains(d.Name, "/"):
				if r, err := p.parseRich(d.Name); err == nil {
					walkLeaves(r, false, func(leaf *repomd.Rich, _ bool) {
						var all func(*repomd.Rich)
						all = func(x *repomd.Rich) {
							if x.Op == repomd.RichLeaf {
								if strings.HasPrefix(x.Dep.Name, "/") {
									wanted[x.Dep.Name] = true
								}
								return
							}
							for _, a := range x.Args {
								all(a)
							}
						}
						all(leaf)
					})
				}
			}
		}
	}
	for id, pk := range p.pkgs {
		if !p.compatible[id] {
			continue
		}
		note(pk.Requires)
		note(pk.Conflicts)
		note(pk.Recommends)
		note(pk.Suggests)
		note(pk.Supplements)
		note(pk.Enhances)
	}
	p.files = make(map[string][]int32, len(wanted))
	for id, pk := range p.pkgs {
		if !p.compatible[id] {
			continue
		}
		for _, f := range pk.Files {
			if wanted[f.Path] {
				p.files[f.Path] = append(p.files[f.Path], int32(id))
			}
		}
	}
}

// parseRich parses a rich dependency once per distinct string.
func (p *pool) parseRich(s string) (*repomd.Rich, error) {
	if r, ok := p.rich[s]; ok {
		return r, nil
	}
	r, err := repomd.ParseRich(s)
	if err != nil {
		return nil, err
	}
	p.rich[s] = r
	return r, nil
}

func sortedUnique(ids []int32) []int32 {
	if len(ids) < 2 {
		return ids
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	j := 1
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[j-1] {
			ids[j] = ids[i]
			j++
		}
	}
	return ids[:j]
}

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
