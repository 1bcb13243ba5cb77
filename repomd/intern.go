package repomd

import (
	"hash/maphash"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"unsafe"
)

// This file holds the per-load memory pools. A 70,000-package primary has a
// few million strings but far fewer distinct ones, and tens of millions of
// small slices if each package grew its own; pooling them keeps loading
// fast and the heap small.

// strPool interns strings into a depStore's string table and packs their
// bytes into large chunks. Its table is open-addressed with 32 bits of
// each string's hash beside its number: a lookup usually touches one slot
// and the string's bytes, where a Go map touches its control word, slot
// and bytes, and the lookups are a third of the time a primary load takes.
// A slot is 8 bytes and holds no pointer; the table is at most three
// quarters full (the 32-bit hash in each slot keeps probes cheap).
type strPool struct {
	seed  maphash.Seed
	slots []poolSlot // power of two
	used  int
	chunk []byte
	store *depStore
}

type poolSlot struct {
	hash uint32 // low 32 bits of the string's hash
	id   uint32 // string number + 1; 0: empty
}

// newStrPool starts with a small table that doubles as strings arrive: a
// small repository (or a filelists parse, which only copies) should not pay
// for a table sized for 70,000 packages, and a large one rehashes only a
// few thousand slots on its way up.
func newStrPool() *strPool {
	return &strPool{seed: maphash.MakeSeed(), slots: make([]poolSlot, 1<<8), store: newDepStore()}
}

// intern returns a string equal to b, shared with every earlier equal one.
func (p *strPool) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return *p.store.strs.at(p.internID(b))
}

// internID returns the number of a string equal to b in the store,
// shared with every earlier equal one; "" is 0.
func (p *strPool) internID(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	h := uint32(maphash.Bytes(p.seed, b))
	mask := uint32(len(p.slots) - 1)
	strs := &p.store.strs
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &p.slots[i]
		if sl.id == 0 {
			id := strs.add(p.copy(b))
			sl.hash, sl.id = h, id+1
			p.used++
			if 4*p.used > 3*len(p.slots) {
				p.grow()
			}
			return id
		}
		if sl.hash == h && *strs.at(sl.id - 1) == string(b) {
			return sl.id - 1
		}
	}
}

func (p *strPool) grow() {
	old := p.slots
	p.slots = make([]poolSlot, 2*len(old))
	mask := uint32(len(p.slots) - 1)
	for _, sl := range old {
		if sl.id == 0 {
			continue
		}
		i := sl.hash & mask
		for p.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		p.slots[i] = sl
	}
}

// copy returns a string equal to b without interning it, for text that
// rarely repeats (summaries, descriptions, checksums).
func (p *strPool) copy(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 4096 {
		return string(b)
	}
	if cap(p.chunk)-len(p.chunk) < len(b) {
		// Chunks double from 4 KiB up to 256 KiB, so small inputs
		// allocate little (len(b) <= 4096 always fits).
		p.chunk = make([]byte, 0, min(256<<10, max(2*cap(p.chunk), 4096)))
	}
	start := len(p.chunk)
	p.chunk = append(p.chunk, b...)
	return unsafe.String(&p.chunk[start], len(b))
}

// slab hands out sub-slices of large shared arrays, so the many short
// per-package lists cost no allocation of their own. A list is built in
// place: begin, add its items, then end returns it. Arrays double from 256
// items up to size, so a small input allocates in proportion to itself.
type slab[T any] struct {
	buf  []T
	size int // largest array allocated (unless one list needs more)
	mark int // start of the list being built
}

func (s *slab[T]) begin() { s.mark = len(s.buf) }

// add appends a zero item to the list being built and returns it.
func (s *slab[T]) add() *T {
	if len(s.buf) == cap(s.buf) {
		// Move the unfinished list to a fresh array; finished lists keep
		// the old one.
		n := min(s.size, max(2*cap(s.buf), 256))
		if part := len(s.buf) - s.mark; n < 2*part+16 {
			n = 2*part + 16
		}
		nb := make([]T, 0, n)
		nb = append(nb, s.buf[s.mark:]...)
		s.buf, s.mark = nb, 0
	}
	var zero T
	s.buf = append(s.buf, zero)
	return &s.buf[len(s.buf)-1]
}

// end returns the list built since begin, its capacity clipped so that
// appending to it never writes into a neighbour; nil when empty.
func (s *slab[T]) end() []T {
	if len(s.buf) == s.mark {
		return nil
	}
	r := s.buf[s.mark:len(s.buf):len(s.buf)]
	s.mark = len(s.buf)
	return r
}

// relaxGC holds the collector off while metadata loads. A load builds a
// large, long-lived, pointer-rich heap in a fraction of a second; with the
// default GOGC the collector would mark that growing heap six or seven
// times over and slow every pointer store with write barriers, about a
// fifth of the load's CPU time. Instead it is paused, with a memory limit
// (the current use plus loadHeadroom, or the caller's limit if lower) as a
// safety net: reaching it runs the collector anyway. Nested and concurrent
// loads share one pause; the caller's settings come back when the last one
// ends.
func relaxGC() (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcDepth == 0 {
		gcSavedPercent = debug.SetGCPercent(-1)
		gcSavedLimit = debug.SetMemoryLimit(-1)
		sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		metrics.Read(sample)
		limit := int64(math.MaxInt64)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			limit = int64(sample[0].Value.Uint64()) + loadHeadroom
		}
		if gcSavedLimit < limit {
			limit = gcSavedLimit
		}
		debug.SetMemoryLimit(limit)
	}
	gcDepth++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		gcDepth--
		if gcDepth == 0 {
			debug.SetMemoryLimit(gcSavedLimit)
			debug.SetGCPercent(gcSavedPercent)
		}
	}
}

// loadHeadroom is how much a load may grow the heap before the collector
// runs after all: a 70,000-package primary needs about 200 MB.
const loadHeadroom = 1 << 30

var (
	gcMu           sync.Mutex
	gcDepth        int
	gcSavedPercent int
	gcSavedLimit   int64
)
