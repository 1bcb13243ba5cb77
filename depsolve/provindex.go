package depsolve

import (
	"hash/maphash"

	"github.com/pungo/pungo/repomd"
)

// provIndex is the whatprovides index: a chained hash table from capability
// name to the provide entries carrying it. It holds no pointers (entries
// name a package and the position of the provide in it), so building it
// for a million provides neither churns Go maps nor burdens the garbage
// collector.
type provIndex struct {
	seed  maphash.Seed
	mask  uint64
	heads []int32 // per bucket: entry index + 1, 0 when empty
	ents  []provEnt
}

type provEnt struct {
	hash uint32
	next int32 // entry index + 1 of the next entry in the bucket, 0 at the end
	pkg  PkgID
	dep  int32 // index into the package's Provides; -1: its implicit "name = EVR"
}

func (x *provIndex) init(entries int) {
	x.seed = maphash.MakeSeed()
	// About one bucket per entry: chains stay short (the upper hash bits
	// in each entry spare most string comparisons) and the head array is
	// half what a load factor of one half would take.
	size := 1024
	for size < entries {
		size <<= 1
	}
	x.mask = uint64(size - 1)
	x.heads = make([]int32, size)
	x.ents = make([]provEnt, 0, entries)
}

func (x *provIndex) add(name string, pkg PkgID, dep int32) {
	h := maphash.String(x.seed, name)
	b := h & x.mask
	x.ents = append(x.ents, provEnt{hash: uint32(h >> 32), next: x.heads[b], pkg: pkg, dep: dep})
	x.heads[b] = int32(len(x.ents))
}

// provideOf returns the provide an entry stands for; self is scratch space
// for the implicit self-provide.
func (p *Pool) provideOf(e *provEnt, self *repomd.Dep) *repomd.Dep {
	pkg := p.pkgs[e.pkg]
	if e.dep < 0 {
		*self = repomd.Dep{Name: pkg.Name, Flags: repomd.DepEQ, EVR: pkg.EVR}
		return self
	}
	*self = pkg.Provides.At(int(e.dep))
	return self
}

// eachProvide calls fn for every provide named name, in descending package
// order (the order the buckets keep), until fn returns false.
func (p *Pool) eachProvide(name string, fn func(pkg PkgID, d *repomd.Dep) bool) {
	p.provOnce.Do(p.indexAllProvides)
	x := &p.prov
	h := maphash.String(x.seed, name)
	top := uint32(h >> 32)
	var self repomd.Dep
	for i := x.heads[h&x.mask]; i != 0; {
		e := &x.ents[i-1]
		i = e.next
		if e.hash != top {
			continue
		}
		if e.dep >= 0 && p.pkgs[e.pkg].Provides.Name(int(e.dep)) != name || e.dep < 0 && p.pkgs[e.pkg].Name != name {
			continue
		}
		d := p.provideOf(e, &self)
		if !fn(e.pkg, d) {
			return
		}
	}
}

// EachProvide calls fn for every provide entry named name (the implicit
// "name = EVR" of a binary package included), package by package in
// descending id order, until fn returns false. Source packages provide
// nothing. The query engine uses it to match requirements against the
// provides of chosen packages through the pool's one index.
func (p *Pool) EachProvide(name string, fn func(pkg PkgID, d *repomd.Dep) bool) {
	p.eachProvide(name, fn)
}
