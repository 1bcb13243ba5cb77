package depsolve

import (
	"slices"
	"strings"
)

// nameRanks returns, per interned name, its position among all the pool's
// names in byte order: sorting packages by name then compares two integers
// instead of two strings whose bytes are scattered over the heap. Built on
// first use (one sort of the distinct names) and shared by every Gather on
// the pool.
func (p *Pool) nameRanks() []int32 {
	p.rankOnce.Do(func() {
		order := make([]NameID, len(p.names))
		for i := range order {
			order[i] = NameID(i)
		}
		slices.SortFunc(order, func(a, b NameID) int { return strings.Compare(p.names[a], p.names[b]) })
		p.rank = make([]int32, len(p.names))
		for r, id := range order {
			p.rank[id] = int32(r)
		}
	})
	return p.rank
}
