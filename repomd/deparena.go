package repomd

// This file lets a record cache (repomd/repocache) rebuild dependency
// lists from the numbers it stored, over string and EVR tables it decoded,
// without interning anything again: the decoded tables become the lists'
// store as they are, and every list's records share one array.

// DepArena builds DepLists over given string and EVR tables. The zero
// value is not usable; see NewDepArena.
type DepArena struct {
	t          *depStore
	recs       []depRec
	mark       int // start of the list being built
	nstr, nevr uint32
}

// NewDepArena returns an arena whose lists refer to strs and evrs by
// number (strs[0] must be "" and evrs[0] the empty EVR: number 0 means
// none) and hold n entries in all. It keeps both slices; they must not
// change afterwards.
func NewDepArena(strs []string, evrs []EVR, n int) *DepArena {
	t := &depStore{}
	t.strs.c = chunked(strs)
	t.evrs.c = chunked(evrs)
	return &DepArena{t: t, recs: make([]depRec, 0, n), nstr: uint32(len(strs)), nevr: uint32(len(evrs))}
}

// chunked splits s into the store's chunk size without copying; each
// chunk's capacity is clipped, so a later add never writes into s.
func chunked[T any](s []T) [][]T {
	out := make([][]T, 0, len(s)>>chunkBits+1)
	for i := 0; i < len(s); i += 1 << chunkBits {
		end := min(i+1<<chunkBits, len(s))
		out = append(out, s[i:end:end])
	}
	return out
}

// Add appends an entry to the list being built: its name and EVR by
// number (evr 0: no version), its operator and pre bit. It reports false,
// adding nothing, when a number is out of range, the operator unknown or
// the arena full.
func (a *DepArena) Add(name, evr uint32, flags DepFlag, pre bool) bool {
	if name >= a.nstr || evr >= a.nevr || flags > DepGE || len(a.recs) == cap(a.recs) {
		return false
	}
	f := uint8(flags)
	if pre {
		f |= depPre
	}
	a.recs = append(a.recs, depRec{name: name, evr: evr, flags: f})
	return true
}

// List returns the entries added since the previous List as one list.
func (a *DepArena) List() DepList {
	if len(a.recs) == a.mark {
		return DepList{}
	}
	l := listOf(a.t, a.recs[a.mark:len(a.recs):len(a.recs)])
	a.mark = len(a.recs)
	return l
}

// Full reports whether the arena holds the n entries it was made for.
func (a *DepArena) Full() bool { return len(a.recs) == cap(a.recs) }

// DepTable identifies the string and EVR tables the numbers of a DepList
// refer to; the lists of one load share a few.
type DepTable struct{ t *depStore }

// Raw returns entry i by its numbers: the tables they refer to, its
// name's and its EVR's numbers there (EVR 0: no version), its operator
// and pre bit. A cache stores lists this way and looks each distinct
// number up once (repomd/repocache).
func (l DepList) Raw(i int) (t DepTable, name, evr uint32, flags DepFlag, pre bool) {
	r := &l.recs()[i]
	return DepTable{l.t}, r.name, r.evr, DepFlag(r.flags & depFlagMask), r.flags&depPre != 0
}

// String returns string n of the table.
func (t DepTable) String(n uint32) string { return *t.t.strs.at(n) }

// EVR returns EVR n of the table.
func (t DepTable) EVR(n uint32) EVR { return *t.t.evrs.at(n) }
