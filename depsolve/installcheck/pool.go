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
// reads rpm-md) plus a file index built on first use of a path dependency.
type pool struct {
	pkgs       []*repomd.Package
	compatible []bool // arch installable on the target
	archClass  []int  // 0 best, 1 next…, -1 for noarch (libsolv's arch score classes)
	multi      []bool // may be installed in several versions (installonly)

	provides map[string][]provide
	files    map[string][]int32 // built lazily
	byName   map[string][]int32

	what map[repomd.Dep][]int32
	rich map[string]*repomd.Rich
}

type provide struct {
	pkg int32
	dep repomd.Dep
}

func newPool(install, available []*repomd.Package, arch string, multiversion []string) *pool {
	// Each arch of the target is its own class, best first, as libsolv's
	// ':'-separated arch policies give; noarch is apart.
	class := map[string]int{}
	for i, a := range multilib.ValidArches(arch) {
		class[a] = i
	}
	class["noarch"] = -1
	p := &pool{
		provides: map[string][]provide{},
		byName:   map[string][]int32{},
		what:     map[repomd.Dep][]int32{},
		rich:     map[string]*repomd.Rich{},
	}
	seen := map[*repomd.Package]bool{}
	add := func(pk *repomd.Package) {
		if pk == nil || seen[pk] || pk.IsSource() {
			return
		}
		seen[pk] = true
		id := int32(len(p.pkgs))
		p.pkgs = append(p.pkgs, pk)
		c, compat := class[pk.Arch]
		p.compatible = append(p.compatible, compat)
		p.archClass = append(p.archClass, c)
		p.multi = append(p.multi, false)
		if !compat {
			return // never a provider, as libsolv's whatprovides skips such arches
		}
		p.byName[pk.Name] = append(p.byName[pk.Name], id)
		p.provides[pk.Name] = append(p.provides[pk.Name], provide{id, repomd.Dep{Name: pk.Name, Flags: repomd.DepEQ, EVR: pk.EVR}})
		for _, d := range pk.Provides {
			p.provides[d.Name] = append(p.provides[d.Name], provide{id, d})
		}
	}
	for _, pk := range available {
		add(pk)
	}
	for _, pk := range install {
		add(pk)
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
	if ids, ok := p.what[d]; ok {
		return ids
	}
	var ids []int32
	for _, pr := range p.provides[d.Name] {
		if repomd.RangesOverlap(pr.dep, d) {
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
	p.what[d] = ids
	return ids
}

func (p *pool) indexFiles() {
	p.files = map[string][]int32{}
	for id, pk := range p.pkgs {
		if !p.compatible[id] {
			continue
		}
		for _, f := range pk.Files {
			p.files[f.Path] = append(p.files[f.Path], int32(id))
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
