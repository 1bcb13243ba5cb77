package repomd

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"iter"
	"unsafe"
)

// This file holds the compact form of a package's dependency lists. A
// 70,000-package primary has about two million dependency entries; as
// Dep values (a name, an operator and three version strings: 72 bytes
// with its flag) they were half of a loaded repository's memory. Stored
// here an entry is a 12-byte record of numbers into a string table and
// an EVR table shared by every list of one load, and the record arrays
// hold no pointers, so the collector never scans them. A Dep value is
// built only when a caller asks for one (At, All, Slice).

// DepList is one dependency list of a package (its provides, requires,
// …) in compact form. The zero value is the empty list. A DepList is
// immutable: build a new one (MakeDepList, DepListBuilder) to change a
// package's list.
type DepList struct {
	t *depStore
	// The records: n of them from first, inside a slab shared with other
	// lists. A pointer and a count rather than a slice, to keep the
	// eight lists of every package 8 bytes smaller each.
	first *depRec
	n     uint32
}

// listOf makes a list of the records in recs (none: the empty list).
func listOf(t *depStore, recs []depRec) DepList {
	if len(recs) == 0 {
		return DepList{}
	}
	return DepList{t: t, first: &recs[0], n: uint32(len(recs))}
}

// recs returns the list's records.
func (l DepList) recs() []depRec {
	if l.n == 0 {
		return nil
	}
	return unsafe.Slice(l.first, l.n)
}

// depRec is one dependency entry: the name and the EVR by their numbers
// in the list's store, and the operator with the pre bit.
type depRec struct {
	name  uint32 // index into depStore.strs
	evr   uint32 // index into depStore.evrs; 0 is the empty EVR (no version)
	flags uint8  // DepFlag in the low bits, depPre
}

const (
	depFlagMask = 0x7
	depPre      = 0x8
)

// depStore is the table the records of one load (one parse worker, or one
// builder) refer to: strings by number (0 is "") and EVRs by number (0 is
// the empty EVR). Both grow in fixed-size chunks, so a number stays valid
// and nothing is copied as the tables grow.
type depStore struct {
	strs chunks[string]
	evrs chunks[EVR]
	// packed, when set, holds the strings instead of strs: a table decoded
	// from a cache image (NewDepArena), 4 bytes per string where a string
	// header takes 16.
	packed *packedStrings
	// packedEVRs, when set, holds the EVRs instead of evrs: EVR i is the
	// packed strings numbered packedEVRs[3i:3i+3] (epoch, version,
	// release), 12 bytes where an EVR value takes 48.
	packedEVRs []uint32
}

// evr returns EVR i.
func (t *depStore) evr(i uint32) EVR {
	if t.packedEVRs != nil {
		e := t.packedEVRs[3*i : 3*i+3 : 3*i+3]
		return EVR{Epoch: t.packed.at(e[0]), Version: t.packed.at(e[1]), Release: t.packed.at(e[2])}
	}
	return *t.evrs.at(i)
}

// str returns string i.
func (t *depStore) str(i uint32) string {
	if t.packed != nil {
		return t.packed.at(i)
	}
	return *t.strs.at(i)
}

// packedStrings is a read-only string table: string i is
// blob[offs[i]:offs[i+1]].
type packedStrings struct {
	blob []byte
	offs []uint32
}

func (p *packedStrings) at(i uint32) string {
	o, e := p.offs[i], p.offs[i+1]
	if o == e {
		return ""
	}
	return unsafe.String(&p.blob[o], e-o)
}

func newDepStore() *depStore {
	t := &depStore{}
	t.strs.add("")
	t.evrs.add(EVR{})
	return t
}

// chunkBits sets the chunk size of the store tables: 4,096 entries, so a
// small repository's tables stay small and a large one's are not copied
// as they grow.
const chunkBits = 12

// chunks is an append-only table addressed by number.
type chunks[T any] struct{ c [][]T }

func (c *chunks[T]) at(i uint32) *T { return &c.c[i>>chunkBits][i&(1<<chunkBits-1)] }

// add appends v and returns its number.
func (c *chunks[T]) add(v T) uint32 {
	n := len(c.c)
	if n == 0 || len(c.c[n-1]) == 1<<chunkBits {
		// The first chunk grows from a few entries; later ones are full
		// size from the start.
		size := 1 << chunkBits
		if n == 0 {
			size = 16
		}
		c.c = append(c.c, make([]T, 0, size))
		n++
	}
	last := &c.c[n-1]
	*last = append(*last, v)
	return uint32((n-1)<<chunkBits + len(*last) - 1)
}

// Len is the number of entries.
func (l DepList) Len() int { return int(l.n) }

// At returns entry i as a Dep value.
func (l DepList) At(i int) Dep {
	r := &l.recs()[i]
	d := Dep{Name: l.t.str(r.name), Flags: DepFlag(r.flags & depFlagMask), Pre: r.flags&depPre != 0}
	if r.evr != 0 {
		d.EVR = l.t.evr(r.evr)
	}
	return d
}

// Name returns entry i's name (a rich dependency's whole expression)
// without building the rest of the entry.
func (l DepList) Name(i int) string { return l.t.str(l.recs()[i].name) }

// All iterates over the entries in order: for i, d := range l.All().
func (l DepList) All() iter.Seq2[int, Dep] {
	return func(yield func(int, Dep) bool) {
		for i := range int(l.n) {
			if !yield(i, l.At(i)) {
				return
			}
		}
	}
}

// Slice returns the entries as a new []Dep (nil when empty).
func (l DepList) Slice() []Dep {
	if l.n == 0 {
		return nil
	}
	out := make([]Dep, l.n)
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// Equal reports whether two lists hold the same entries in the same order.
func (l DepList) Equal(o DepList) bool {
	if l.n != o.n {
		return false
	}
	for i := range int(l.n) {
		if l.At(i) != o.At(i) {
			return false
		}
	}
	return true
}

// String formats the list as fmt formats a []Dep: "[a b >= 1.0]".
func (l DepList) String() string { return fmt.Sprint(l.Slice()) }

// Append returns a new list of l's entries followed by ds (l is
// unchanged). It copies the whole list: for building a list entry by
// entry, collect a []Dep and call MakeDepList once.
func (l DepList) Append(ds ...Dep) DepList {
	return MakeDepList(append(l.Slice(), ds...))
}

// GobEncode writes the list as a []Dep, so packages stored with
// encoding/gob (the package set's header cache) keep their dependencies.
func (l DepList) GobEncode() ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(l.Slice()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// GobDecode reads what GobEncode wrote.
func (l *DepList) GobDecode(data []byte) error {
	var ds []Dep
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&ds); err != nil {
		return err
	}
	*l = MakeDepList(ds)
	return nil
}

// MakeDepList returns ds in compact form (ds itself is not kept).
func MakeDepList(ds []Dep) DepList {
	var b DepListBuilder
	return b.List(ds)
}

// DepListBuilder builds several lists (a package's provides, requires, …,
// or every package of a cached repository) into one shared store and
// record array, so a package read from an rpm header costs one store
// rather than one per list. The zero value is ready to use.
type DepListBuilder struct {
	t    *depStore
	recs []depRec // free records; lists are cut from its front
}

// List returns ds in compact form in the builder's store.
func (b *DepListBuilder) List(ds []Dep) DepList {
	if len(ds) == 0 {
		return DepList{}
	}
	if b.t == nil {
		b.t = newDepStore()
	}
	if len(b.recs) < len(ds) {
		// Arrays double from the first list's size up to 16Ki records.
		b.recs = make([]depRec, max(len(ds), min(2*cap(b.recs), 1<<14)))
	}
	recs := b.recs[:len(ds):len(ds)]
	b.recs = b.recs[len(ds):]
	for i, d := range ds {
		r := &recs[i]
		if d.Name != "" {
			r.name = b.t.strs.add(d.Name)
		}
		if d.EVR != (EVR{}) {
			r.evr = b.t.evrs.add(d.EVR)
		}
		r.flags = uint8(d.Flags) & depFlagMask
		if d.Pre {
			r.flags |= depPre
		}
	}
	return listOf(b.t, recs)
}

// DepIdent is an entry's identity inside its load's tables: entries of
// lists built in the same store (one cache image, one parse worker, one
// builder) with equal DepIdents have the same name, operator and EVR, so
// a caller can memoize an answer per dependency by a few numbers
// instead of hashing strings. Equal dependencies from different stores
// have different DepIdents. The pre/post bit does not count.
type DepIdent struct {
	store     *depStore
	name, evr uint32
	flags     uint8
}

// Ident returns entry i's identity.
func (l DepList) Ident(i int) DepIdent {
	r := &l.recs()[i]
	return DepIdent{store: l.t, name: r.name, evr: r.evr, flags: r.flags & depFlagMask}
}

// NameNumber returns the number of the entry's name in its store: entries
// of one store with equal numbers have equal names.
func (id DepIdent) NameNumber() uint32 { return id.name }

// Unversioned reports whether the entry has no operator and no EVR (most
// requirements): such entries are identified by their NameNumber alone.
func (id DepIdent) Unversioned() bool { return id.evr == 0 && id.flags == 0 }

// SameStore reports whether id and o were built into the same tables.
func (id DepIdent) SameStore(o DepIdent) bool { return id.store == o.store }
