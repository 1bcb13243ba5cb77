package repomd

import "unsafe"

// This file holds the per-load memory pools. A 70,000-package primary has a
// few million strings but far fewer distinct ones, and tens of millions of
// small slices if each package grew its own; pooling them keeps loading
// fast and the heap small.

// strPool interns strings and packs their bytes into large chunks.
type strPool struct {
	m     map[string]string
	chunk []byte
}

func newStrPool() *strPool { return &strPool{m: make(map[string]string, 1<<16)} }

// intern returns a string equal to b, shared with every earlier equal one.
func (p *strPool) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := p.m[string(b)]; ok {
		return s
	}
	s := p.copy(b)
	p.m[s] = s
	return s
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
