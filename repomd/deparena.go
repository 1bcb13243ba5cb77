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

// NewDepArena returns an arena whose lists refer by number to the strings
// of a packed table, string i being blob[offs[i]:offs[i+1]], and to EVRs
// given by the numbers of their epoch, version and release strings, EVR
// i being evrs[3i:3i+3] (number 0 means none: string 0 must be "" and EVR
// 0 the empty one), and hold n entries in all. It keeps all three slices;
// they must not change afterwards. It returns nil when offs does not
// describe strings of blob (offsets that decrease or pass its end), string
// 0 is not "", or evrs is not a whole number of EVRs of known strings.
func NewDepArena(blob []byte, offs []uint32, evrs []uint32, n int) *DepArena {
	if len(offs) < 2 || offs[0] != 0 || offs[1] != 0 || len(evrs) < 3 || len(evrs)%3 != 0 || evrs[0]|evrs[1]|evrs[2] != 0 {
		return nil
	}
	for i := 1; i < len(offs); i++ {
		if offs[i] < offs[i-1] {
			return nil
		}
	}
	if int64(offs[len(offs)-1]) > int64(len(blob)) {
		return nil
	}
	nstr := uint32(len(offs) - 1)
	for _, id := range evrs {
		if id >= nstr {
			return nil
		}
	}
	t := &depStore{packed: &packedStrings{blob: blob, offs: offs}, packedEVRs: evrs}
	return &DepArena{t: t, recs: make([]depRec, 0, n), nstr: nstr, nevr: uint32(len(evrs) / 3)}
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
func (t DepTable) String(n uint32) string { return t.t.str(n) }

// EVR returns EVR n of the table.
func (t DepTable) EVR(n uint32) EVR { return t.t.evr(n) }
