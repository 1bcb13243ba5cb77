// Package sat is a small CDCL SAT solver for the installability check:
// two watched literals with blockers, first-UIP clause learning with
// recursive minimization, non-chronological backjumping, VSIDS variable
// activity on a binary heap with phase saving, Luby restarts, reduction of
// the learnt-clause database by activity, and solving under assumptions
// with the failing subset of assumptions reported on UNSAT (the handle the
// caller uses to extract unsat cores).
//
// It follows the MiniSat design; a Solver is not safe for concurrent use.
package sat

// Lit is a literal: variable v is 2v (positive) or 2v+1 (negated).
type Lit int32

// Pos and Neg make the literals of variable v.
func Pos(v int) Lit { return Lit(v << 1) }
func Neg(v int) Lit { return Lit(v<<1 | 1) }

// Not is the complement of l.
func (l Lit) Not() Lit { return l ^ 1 }

// Var is l's variable.
func (l Lit) Var() int { return int(l >> 1) }

// IsNeg reports whether l is a negated variable.
func (l Lit) IsNeg() bool { return l&1 == 1 }

// lbool values: a variable is unassigned, true or false.
const (
	lUndef int8 = 0
	lTrue  int8 = 1
	lFalse int8 = -1
)

// clause is one stored clause. The first two literals are the watched ones.
type clause struct {
	lits     []Lit
	activity float32
	learnt   bool
	deleted  bool
}

// watcher points from a literal to a clause watching its complement; the
// blocker is another literal of the clause whose truth lets propagation
// skip the clause without touching it.
type watcher struct {
	c       int32
	blocker Lit
}

// noReason marks decisions and level-0 facts without a stored clause.
const noReason = -1

// Solver holds the clause database and the search state.
type Solver struct {
	clauses []clause // original and learnt clauses, indexed by int32
	free    []int32  // slots of deleted learnt clauses, reused
	learnts int      // live learnt clauses
	watches [][]watcher

	assigns  []int8 // by variable
	level    []int32
	reason   []int32
	polarity []bool // saved phase: true means last assigned false
	trail    []Lit
	trailLim []int
	qhead    int

	activity []float64
	varInc   float64
	claInc   float32
	heap     varHeap

	seen      []uint8
	stack     []Lit
	toClear   []int
	learnt    []Lit
	ok        bool // false once the clauses are unsatisfiable at level 0
	conflict  []Lit
	assumps   []Lit
	maxLearnt float64
	model     []bool
	mark      []uint8 // per variable, for AddClause's duplicate check
	scratch   []Lit
	arena     []Lit

	// Statistics, for benchmarks and reports.
	Conflicts, Decisions, Propagations, Restarts, Reductions int64
}

// New returns an empty solver.
func New() *Solver {
	s := &Solver{varInc: 1, claInc: 1, ok: true}
	s.heap.activity = &s.activity
	return s
}

// NumVars is the number of variables created.
func (s *Solver) NumVars() int { return len(s.assigns) }

// NewVar adds a variable and returns its index.
func (s *Solver) NewVar() int {
	v := len(s.assigns)
	s.assigns = append(s.assigns, lUndef)
	s.level = append(s.level, 0)
	s.reason = append(s.reason, noReason)
	s.polarity = append(s.polarity, true)
	s.activity = append(s.activity, 0)
	s.seen = append(s.seen, 0)
	s.mark = append(s.mark, 0)
	s.watches = append(s.watches, nil, nil)
	s.heap.insert(v)
	return v
}

// AddVars adds n variables at once.
func (s *Solver) AddVars(n int) {
	grow := func(k int) int { return len(s.assigns) + k }
	total := grow(n)
	if cap(s.assigns) < total {
		s.assigns = append(make([]int8, 0, total), s.assigns...)
		s.level = append(make([]int32, 0, total), s.level...)
		s.reason = append(make([]int32, 0, total), s.reason...)
		s.polarity = append(make([]bool, 0, total), s.polarity...)
		s.activity = append(make([]float64, 0, total), s.activity...)
		s.seen = append(make([]uint8, 0, total), s.seen...)
		s.mark = append(make([]uint8, 0, total), s.mark...)
		s.watches = append(make([][]watcher, 0, 2*total), s.watches...)
	}
	for i := 0; i < n; i++ {
		s.NewVar()
	}
}

func (s *Solver) value(l Lit) int8 {
	v := s.assigns[l>>1]
	if l&1 == 1 {
		return -v
	}
	return v
}

// Value reports the truth of variable v in the model found by the last
// successful Solve.
func (s *Solver) Value(v int) bool { return v < len(s.model) && s.model[v] }

func (s *Solver) decisionLevel() int { return len(s.trailLim) }

// AddClause adds a clause at level 0. It returns false when the clause set
// has become unsatisfiable (an empty clause, or a unit that contradicts).
// Duplicate literals are dropped and tautologies ignored.
func (s *Solver) AddClause(lits ...Lit) bool {
	if !s.ok {
		return false
	}
	if s.decisionLevel() > 0 {
		s.cancelUntil(0)
	}
	// Simplify against level-0 facts into the scratch buffer, dropping
	// duplicates and spotting tautologies with per-variable marks.
	out := s.scratch[:0]
	taut := false
	for _, l := range lits {
		switch s.value(l) {
		case lTrue:
			taut = true
		case lFalse:
			continue
		}
		m := uint8(1) << (l & 1)
		v := l.Var()
		if s.mark[v]&m != 0 {
			continue
		}
		if s.mark[v] != 0 {
			taut = true
		}
		s.mark[v] |= m
		out = append(out, l)
	}
	for _, l := range out {
		s.mark[l.Var()] = 0
	}
	s.scratch = out
	if taut {
		return true
	}
	switch len(out) {
	case 0:
		s.ok = false
		return false
	case 1:
		s.enqueue(out[0], noReason)
		if s.propagate() != noReason {
			s.ok = false
		}
		return s.ok
	}
	s.attach(s.store(s.alloc(out), false))
	return true
}

// alloc copies lits into the clause arena: clauses are carved out of large
// chunks instead of being allocated one by one.
func (s *Solver) alloc(lits []Lit) []Lit {
	n := len(lits)
	if cap(s.arena)-len(s.arena) < n {
		size := 1 << 14
		if n > size {
			size = n
		}
		s.arena = make([]Lit, 0, size)
	}
	start := len(s.arena)
	s.arena = append(s.arena, lits...)
	return s.arena[start : start+n : start+n]
}

func (s *Solver) store(lits []Lit, learnt bool) int32 {
	c := clause{lits: lits, learnt: learnt}
	if n := len(s.free); n > 0 {
		ci := s.free[n-1]
		s.free = s.free[:n-1]
		s.clauses[ci] = c
		return ci
	}
	s.clauses = append(s.clauses, c)
	return int32(len(s.clauses) - 1)
}

func (s *Solver) attach(ci int32) {
	c := s.clauses[ci].lits
	s.watches[c[0].Not()] = append(s.watches[c[0].Not()], watcher{ci, c[1]})
	s.watches[c[1].Not()] = append(s.watches[c[1].Not()], watcher{ci, c[0]})
}

func (s *Solver) enqueue(l Lit, from int32) {
	v := l.Var()
	if l.IsNeg() {
		s.assigns[v] = lFalse
	} else {
		s.assigns[v] = lTrue
	}
	s.level[v] = int32(s.decisionLevel())
	s.reason[v] = from
	s.trail = append(s.trail, l)
}

// propagate runs unit propagation to a fixed point and returns the index of
// a conflicting clause, or noReason.
func (s *Solver) propagate() int32 {
	confl := int32(noReason)
	for s.qhead < len(s.trail) {
		p := s.trail[s.qhead] // p became true: visit clauses watching ¬p
		s.qhead++
		s.Propagations++
		ws := s.watches[p]
		falseLit := p.Not()
		i, j := 0, 0
		for i < len(ws) {
			w := ws[i]
			if s.value(w.blocker) == lTrue {
				ws[j] = w
				i++
				j++
				continue
			}
			c := s.clauses[w.c].lits
			if c[0] == falseLit {
				c[0], c[1] = c[1], falseLit
			}
			i++
			first := c[0]
			if first != w.blocker && s.value(first) == lTrue {
				ws[j] = watcher{w.c, first}
				j++
				continue
			}
			// Look for a new literal to watch.
			found := false
			for k := 2; k < len(c); k++ {
				if s.value(c[k]) != lFalse {
					c[1], c[k] = c[k], falseLit
					s.watches[c[1].Not()] = append(s.watches[c[1].Not()], watcher{w.c, first})
					found = true
					break
				}
			}
			if found {
				continue
			}
			ws[j] = watcher{w.c, first}
			j++
			if s.value(first) == lFalse {
				confl = w.c
				s.qhead = len(s.trail)
				for i < len(ws) {
					ws[j] = ws[i]
					i++
					j++
				}
			} else {
				s.enqueue(first, w.c)
			}
		}
		s.watches[p] = ws[:j]
		if confl != noReason {
			return confl
		}
	}
	return confl
}

func (s *Solver) cancelUntil(lvl int) {
	if s.decisionLevel() <= lvl {
		return
	}
	for i := len(s.trail) - 1; i >= s.trailLim[lvl]; i-- {
		v := s.trail[i].Var()
		s.assigns[v] = lUndef
		s.reason[v] = noReason
		s.polarity[v] = s.trail[i].IsNeg()
		if !s.heap.contains(v) {
			s.heap.insert(v)
		}
	}
	s.trail = s.trail[:s.trailLim[lvl]]
	s.trailLim = s.trailLim[:lvl]
	s.qhead = len(s.trail)
}

// analyze derives a first-UIP clause from the conflict into s.learnt
// (asserting literal first) and returns the level to backjump to.
func (s *Solver) analyze(confl int32) int {
	s.learnt = append(s.learnt[:0], 0) // slot for the asserting literal
	pathC := 0
	p := Lit(-1)
	idx := len(s.trail) - 1
	for {
		c := &s.clauses[confl]
		if c.learnt {
			s.bumpClause(c)
		}
		start := 0
		if p != -1 {
			start = 1 // c.lits[0] is p itself
		}
		for _, q := range c.lits[start:] {
			v := q.Var()
			if s.seen[v] == 0 && s.level[v] > 0 {
				s.bumpVar(v)
				s.seen[v] = 1
				if int(s.level[v]) >= s.decisionLevel() {
					pathC++
				} else {
					s.learnt = append(s.learnt, q)
				}
			}
		}
		for s.seen[s.trail[idx].Var()] == 0 {
			idx--
		}
		p = s.trail[idx]
		idx--
		confl = s.reason[p.Var()]
		s.seen[p.Var()] = 0
		pathC--
		if pathC <= 0 {
			break
		}
	}
	s.learnt[0] = p.Not()

	// Recursive minimization: drop literals implied by the others.
	s.toClear = s.toClear[:0]
	for _, l := range s.learnt {
		s.toClear = append(s.toClear, l.Var())
	}
	var abstract uint32
	for _, l := range s.learnt[1:] {
		abstract |= s.abstractLevel(l.Var())
	}
	j := 1
	for i := 1; i < len(s.learnt); i++ {
		l := s.learnt[i]
		if s.reason[l.Var()] == noReason || !s.redundant(l, abstract) {
			s.learnt[j] = l
			j++
		}
	}
	s.learnt = s.learnt[:j]
	for _, v := range s.toClear {
		s.seen[v] = 0
	}

	// Backjump level: the highest level among the other literals, which
	// moves to position 1 so it is watched.
	if len(s.learnt) == 1 {
		return 0
	}
	maxI := 1
	for i := 2; i < len(s.learnt); i++ {
		if s.level[s.learnt[i].Var()] > s.level[s.learnt[maxI].Var()] {
			maxI = i
		}
	}
	s.learnt[1], s.learnt[maxI] = s.learnt[maxI], s.learnt[1]
	return int(s.level[s.learnt[1].Var()])
}

func (s *Solver) abstractLevel(v int) uint32 { return 1 << (uint(s.level[v]) & 31) }

// redundant reports whether l is implied by literals already in the learnt
// clause (marked seen), following reasons depth-first.
func (s *Solver) redundant(l Lit, abstract uint32) bool {
	s.stack = append(s.stack[:0], l)
	top := len(s.toClear)
	for len(s.stack) > 0 {
		q := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		c := s.clauses[s.reason[q.Var()]].lits
		for _, r := range c[1:] {
			v := r.Var()
			if s.seen[v] != 0 || s.level[v] == 0 {
				continue
			}
			if s.reason[v] != noReason && s.abstractLevel(v)&abstract != 0 {
				s.seen[v] = 1
				s.stack = append(s.stack, r)
				s.toClear = append(s.toClear, v)
				continue
			}
			for _, u := range s.toClear[top:] {
				s.seen[u] = 0
			}
			s.toClear = s.toClear[:top]
			return false
		}
	}
	return true
}

// analyzeFinal computes the assumptions responsible for p being false
// (p is an assumption found false) into s.conflict.
func (s *Solver) analyzeFinal(p Lit) {
	s.conflict = append(s.conflict[:0], p)
	if s.decisionLevel() == 0 {
		return
	}
	s.seen[p.Var()] = 1
	for i := len(s.trail) - 1; i >= s.trailLim[0]; i-- {
		v := s.trail[i].Var()
		if s.seen[v] == 0 {
			continue
		}
		if s.reason[v] == noReason {
			if s.level[v] > 0 {
				s.conflict = append(s.conflict, s.trail[i].Not())
			}
		} else {
			for _, q := range s.clauses[s.reason[v]].lits[1:] {
				if s.level[q.Var()] > 0 {
					s.seen[q.Var()] = 1
				}
			}
		}
		s.seen[v] = 0
	}
	s.seen[p.Var()] = 0
}

func (s *Solver) bumpVar(v int) {
	s.activity[v] += s.varInc
	if s.activity[v] > 1e100 {
		for i := range s.activity {
			s.activity[i] *= 1e-100
		}
		s.varInc *= 1e-100
	}
	if s.heap.contains(v) {
		s.heap.up(s.heap.index[v])
	}
}

func (s *Solver) bumpClause(c *clause) {
	c.activity += s.claInc
	if c.activity > 1e20 {
		for i := range s.clauses {
			if s.clauses[i].learnt {
				s.clauses[i].activity *= 1e-20
			}
		}
		s.claInc *= 1e-20
	}
}

func (s *Solver) decay() {
	s.varInc /= 0.95
	s.claInc /= 0.999
}

// pickBranch returns the unassigned variable of highest activity as a
// literal in its saved phase, or -1 when all variables are assigned.
func (s *Solver) pickBranch() Lit {
	for !s.heap.empty() {
		v := s.heap.removeMax()
		if s.assigns[v] == lUndef {
			if s.polarity[v] {
				return Neg(v)
			}
			return Pos(v)
		}
	}
	return -1
}

// reduceDB deletes the less active half of the learnt clauses that are not
// reasons for current assignments; binary learnts are kept.
func (s *Solver) reduceDB() {
	var cand []int32
	for i := range s.clauses {
		c := &s.clauses[i]
		if c.learnt && !c.deleted && len(c.lits) > 2 && !s.locked(int32(i)) {
			cand = append(cand, int32(i))
		}
	}
	s.Reductions++
	sortByActivity(cand, s.clauses)
	drop := len(cand) / 2
	for _, ci := range cand[:drop] {
		s.clauses[ci].deleted = true
		s.clauses[ci].lits = nil
		s.free = append(s.free, ci)
		s.learnts--
	}
	for l := range s.watches {
		ws := s.watches[l]
		j := 0
		for _, w := range ws {
			if !s.clauses[w.c].deleted {
				ws[j] = w
				j++
			}
		}
		s.watches[l] = ws[:j]
	}
	// A freed slot may be reused, so clear the mark once no watcher refers
	// to it any more.
	for _, ci := range cand[:drop] {
		s.clauses[ci].deleted = false
	}
}

func (s *Solver) locked(ci int32) bool {
	c := s.clauses[ci].lits
	v := c[0].Var()
	return s.reason[v] == ci && s.value(c[0]) == lTrue
}

// luby is the Luby restart sequence (1 1 2 1 1 2 4 …) at index x.
func luby(x int) float64 {
	size, seq := 1, 0
	for size < x+1 {
		seq++
		size = 2*size + 1
	}
	for size-1 != x {
		size = (size - 1) >> 1
		seq--
		x = x % size
	}
	r := 1.0
	for ; seq > 0; seq-- {
		r *= 2
	}
	return r
}

// search runs CDCL until a model, a proof of unsatisfiability under the
// assumptions, or nConflicts conflicts (then it returns lUndef to restart).
func (s *Solver) search(nConflicts int) int8 {
	conflicts := 0
	for {
		confl := s.propagate()
		if confl != noReason {
			s.Conflicts++
			conflicts++
			if s.decisionLevel() == 0 {
				return lFalse
			}
			bt := s.analyze(confl)
			s.cancelUntil(bt)
			if len(s.learnt) == 1 {
				s.enqueue(s.learnt[0], noReason)
			} else {
				lits := append([]Lit(nil), s.learnt...)
				ci := s.store(lits, true)
				s.learnts++
				s.attach(ci)
				s.bumpClause(&s.clauses[ci])
				s.enqueue(lits[0], ci)
			}
			s.decay()
			continue
		}
		if conflicts >= nConflicts {
			s.cancelUntil(0)
			return lUndef
		}
		if float64(s.learnts-len(s.trail)) >= s.maxLearnt {
			s.reduceDB()
		}
		next := Lit(-1)
		for s.decisionLevel() < len(s.assumps) {
			p := s.assumps[s.decisionLevel()]
			switch s.value(p) {
			case lTrue:
				s.trailLim = append(s.trailLim, len(s.trail)) // dummy level
				continue
			case lFalse:
				s.analyzeFinal(p.Not())
				return lFalse
			}
			next = p
			break
		}
		if next == -1 {
			s.Decisions++
			next = s.pickBranch()
			if next == -1 {
				return lTrue
			}
		}
		s.trailLim = append(s.trailLim, len(s.trail))
		s.enqueue(next, noReason)
	}
}

// Solve looks for a model satisfying the clauses and the assumptions. On
// false, Failed lists the assumptions that together are unsatisfiable (all
// empty when the clauses alone are).
func (s *Solver) Solve(assumptions ...Lit) bool {
	s.conflict = s.conflict[:0]
	if !s.ok {
		return false
	}
	s.assumps = append(s.assumps[:0], assumptions...)
	s.maxLearnt = float64(len(s.clauses))/3 + 100
	status := lUndef
	for r := 0; status == lUndef; r++ {
		status = s.search(int(luby(r) * 100))
		if status == lUndef {
			s.Restarts++
			s.maxLearnt *= 1.1
		}
	}
	if status == lFalse && len(s.conflict) == 0 {
		s.ok = false // unsatisfiable without assumptions
	}
	if status == lTrue {
		s.model = s.model[:0]
		for _, a := range s.assigns {
			s.model = append(s.model, a == lTrue)
		}
	}
	s.cancelUntil(0)
	return status == lTrue
}

// Failed returns the assumptions of the last unsuccessful Solve that
// together with the clauses are unsatisfiable (a subset of those passed).
func (s *Solver) Failed() []Lit {
	out := make([]Lit, len(s.conflict))
	for i, l := range s.conflict {
		out[i] = l.Not()
	}
	return out
}
