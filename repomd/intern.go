package repomd

import (
	"hash/maphash"
	"unsafe"
)

// This file holds the per-load memory pools. A 70,000-package primary has a
// few million strings but far fewer distinct ones, and tens of millions of
// small slices if each package grew its own; pooling them keeps loading
// fast and the heap small.

// strPool interns strings and packs their bytes into large chunks. Its
// table is open-addressed with the full hash kept beside each string: a
// lookup usually touches one slot and the string's bytes, where a Go map
// touches its control word, slot and bytes, and the lookups are a third of
// the time a primary load takes.
type strPool struct {
	seed  maphash.Seed
	slots []poolSlot // power of two
	used  int
	chunk []byte
}

type poolSlot struct {
	hash uint64 // 0: empty (a real hash of 0 is stored as 1)
	s    string
}

func newStrPool() *strPool {
	return &strPool{seed: maphash.MakeSeed(), slots: make([]poolSlot, 1<<16)}
}

// intern returns a string equal to b, shared with every earlier equal one.
func (p *strPool) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := maphash.Bytes(p.seed, b)
	if h == 0 {
		h = 1
	}
	mask := uint64(len(p.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &p.slots[i]
		if sl.hash == 0 {
			s := p.copy(b)
			sl.hash, sl.s = h, s
			p.used++
			if p.used*2 > len(p.slots) {
				p.grow()
			}
			return s
		}
		if sl.hash == h && sl.s == string(b) {
			return sl.s
		}
	}
}

func (p *strPool) grow() {
	old := p.slots
	p.slots = make([]poolSlot, 2*len(old))
	mask := uint64(len(p.slots) - 1)
	for _, sl := range old {
		if sl.hash == 0 {
			continue
		}
		i := sl.hash & mask
		for p.slots[i].hash != 0 {
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
		p.chunk = make([]byte, 0, 256<<10)
	}
	start := len(p.chunk)
	p.chunk = append(p.chunk, b...)
	return unsafe.String(&p.chunk[start], len(b))
}

// slab hands out sub-slices of large shared arrays, so the many short
// per-package lists cost no allocation of their own.
type slab[T any] struct {
	buf  []T
	size int
}

// take returns a copy of items with its capacity clipped, so appending to
// it never writes into a neighbour.
func (s *slab[T]) take(items []T) []T {
	if len(items) == 0 {
		return nil
	}
	if cap(s.buf)-len(s.buf) < len(items) {
		n := s.size
		if n < len(items) {
			n = len(items)
		}
		s.buf = make([]T, 0, n)
	}
	start := len(s.buf)
	s.buf = append(s.buf, items...)
	return s.buf[start:len(s.buf):len(s.buf)]
}
