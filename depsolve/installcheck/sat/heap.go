package sat

import "sort"

// varHeap is a binary max-heap of variables ordered by activity, with each
// variable's position kept so a bump can sift it up in place.
type varHeap struct {
	activity *[]float64
	heap     []int
	index    []int // position in heap, -1 when absent
}

func (h *varHeap) less(a, b int) bool { return (*h.activity)[a] > (*h.activity)[b] }

func (h *varHeap) empty() bool { return len(h.heap) == 0 }

func (h *varHeap) contains(v int) bool { return v < len(h.index) && h.index[v] >= 0 }

func (h *varHeap) insert(v int) {
	for len(h.index) <= v {
		h.index = append(h.index, -1)
	}
	h.index[v] = len(h.heap)
	h.heap = append(h.heap, v)
	h.up(h.index[v])
}

func (h *varHeap) up(i int) {
	v := h.heap[i]
	for i > 0 {
		parent := (i - 1) >> 1
		if !h.less(v, h.heap[parent]) {
			break
		}
		h.heap[i] = h.heap[parent]
		h.index[h.heap[i]] = i
		i = parent
	}
	h.heap[i] = v
	h.index[v] = i
}

func (h *varHeap) down(i int) {
	v := h.heap[i]
	n := len(h.heap)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if child+1 < n && h.less(h.heap[child+1], h.heap[child]) {
			child++
		}
		if !h.less(h.heap[child], v) {
			break
		}
		h.heap[i] = h.heap[child]
		h.index[h.heap[i]] = i
		i = child
	}
	h.heap[i] = v
	h.index[v] = i
}

func (h *varHeap) removeMax() int {
	v := h.heap[0]
	last := h.heap[len(h.heap)-1]
	h.heap = h.heap[:len(h.heap)-1]
	h.index[v] = -1
	if len(h.heap) > 0 {
		h.heap[0] = last
		h.index[last] = 0
		h.down(0)
	}
	return v
}

// sortByActivity orders learnt clause indexes from least to most active.
func sortByActivity(idx []int32, clauses []clause) {
	sort.Slice(idx, func(a, b int) bool { return clauses[idx[a]].activity < clauses[idx[b]].activity })
}
