package installcheck

import (
	"github.com/pungo/pungo/depsolve/installcheck/sat"
	"github.com/pungo/pungo/repomd"
)

// ruleKind names what a rule encodes, in libsolv's vocabulary; it decides
// the sentence a problem prints.
type ruleKind uint8

const (
	ruleRequires  ruleKind = iota // pkg requires dep: ¬pkg ∨ providers
	ruleConflicts                 // pkg conflicts with dep provided by other
	ruleObsoletes                 // pkg obsoletes dep provided by other
	ruleSameName                  // pkg and other are two builds of one name (and color)
	ruleArch                      // pkg's arch cannot be installed here
	ruleBadDep                    // pkg has a dependency that cannot be parsed
	ruleInfArch                   // pkg's arch is worse than another build's of its name
)

// rule is one constraint of the encoding: one or more clauses (rich
// dependencies need several) that stand or fall together.
type rule struct {
	kind  ruleKind
	pkg   int32
	other int32       // conflicting/obsoleted/same-name package, -1 if none
	dep   *repomd.Dep // nil for same-name, arch and infarch rules
	first int32       // clauses are clause(first) … clause(last-1)
	last  int32
}

// encoding is the CNF of an installability question: package variables are
// 0..len(vars)-1 in closure order, then Tseitin variables of rich
// dependencies; trueVar is a variable fixed to true for constants.
type encoding struct {
	pool    *pool
	varOf   []int32 // pool id -> variable, -1 outside the closure
	pkgOf   []int32 // variable -> pool id, for package variables
	nvars   int
	trueVar int
	rules   []rule
	lits    []sat.Lit // clause literals, back to back
	ends    []int32   // end of each clause in lits
	buf     []sat.Lit
	jobs    []int32 // pool ids to install, in order
}

func (e *encoding) lit(id int32) sat.Lit { return sat.Pos(int(e.varOf[id])) }

func (e *encoding) newVar() int {
	e.nvars++
	return e.nvars - 1
}

// encode builds the CNF for installing jobs. Like libsolv it first
// collects the packages the jobs can reach (its "addedmap": providers of
// requirements, the positive literals of rich dependencies, recommended and
// suggested packages, lock-step multilib partners, and packages that
// supplement or enhance something reached); the inferior-arch policy is
// computed over that set. The encoded closure then adds every package a
// rule mentions, so each variable carries its own rules. A package outside
// the closure can stay uninstalled in any solution, so the answer is that
// of the whole pool while the instance stays small.
func encode(p *pool, jobs []int32, infarch bool) *encoding {
	e := &encoding{pool: p, varOf: make([]int32, len(p.pkgs)), jobs: jobs}
	for i := range e.varOf {
		e.varOf[i] = -1
	}
	added := e.addedSet(jobs)
	var inf []infarchRule
	if infarch {
		inf = e.infarchRules(added, jobs)
	}

	queue := make([]int32, 0, len(added))
	visit := func(id int32) {
		if e.varOf[id] < 0 {
			e.varOf[id] = int32(len(e.pkgOf))
			e.pkgOf = append(e.pkgOf, id)
			queue = append(queue, id)
		}
	}
	for _, id := range added {
		visit(id)
	}
	for _, r := range inf {
		for _, q := range r.partners {
			visit(q)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if !p.compatible[id] {
			continue // only ever a job, ruled out by an arch rule
		}
		pk := p.pkgs[id]
		provs := p.depsOf(id).requires
		for i, d := range pk.Requires.All() {
			if !d.IsRich() {
				for _, q := range provs[i] {
					visit(q)
				}
				continue
			}
			e.leafProviders(d, visit)
		}
		for _, d := range pk.Conflicts.All() {
			if d.IsRich() {
				e.leafProviders(d, visit)
			}
		}
	}
	e.nvars = len(e.pkgOf)
	e.trueVar = e.newVar()

	for _, id := range e.pkgOf {
		if !p.compatible[id] {
			e.add(rule{kind: ruleArch, pkg: id, other: -1}, []sat.Lit{e.lit(id).Not()})
			continue
		}
		e.requires(id)
		e.conflicts(id)
		e.obsoletes(id)
	}
	e.sameName()
	for _, r := range inf {
		c := []sat.Lit{e.lit(r.pkg).Not()}
		for _, q := range r.partners {
			c = append(c, e.lit(q))
		}
		e.add(rule{kind: ruleInfArch, pkg: r.pkg, other: -1}, c)
	}
	return e
}

// leafProviders calls visit for every provider of d, or of each leaf of d
// when it is rich.
func (e *encoding) leafProviders(d repomd.Dep, visit func(int32)) {
	if !d.IsRich() {
		for _, q := range e.pool.whatProvides(d) {
			visit(q)
		}
		return
	}
	r := e.pool.rich(d.Name)
	if r == nil {
		return
	}
	walkLeaves(r, false, func(leaf *repomd.Rich, _ bool) {
		provs, _ := e.provSet(leaf)
		for _, q := range provs {
			visit(q)
		}
	})
}

// walkLeaves calls fn for each leaf (or "with"/"without" node, which
// stands for one provider set) of r with its polarity after libsolv's
// normalization: the condition of "if" and "unless" is negated, and in the
// "else" forms it occurs both ways.
func walkLeaves(r *repomd.Rich, neg bool, fn func(leaf *repomd.Rich, neg bool)) {
	switch r.Op {
	case repomd.RichLeaf, repomd.RichWith, repomd.RichWithout:
		fn(r, neg)
		return
	case repomd.RichIf, repomd.RichUnless, repomd.RichIfElse, repomd.RichUnlessElse:
		for i, a := range r.Args {
			switch {
			case i == 1 && (r.Op == repomd.RichIf || r.Op == repomd.RichUnless):
				walkLeaves(a, !neg, fn)
			case i == 1:
				walkLeaves(a, !neg, fn)
				walkLeaves(a, neg, fn)
			default:
				walkLeaves(a, neg, fn)
			}
		}
		return
	}
	for _, a := range r.Args {
		walkLeaves(a, neg, fn)
	}
}

// addedSet is libsolv's addedmap for the jobs, in discovery order.
func (e *encoding) addedSet(jobs []int32) []int32 {
	p := e.pool
	in := make([]bool, len(p.pkgs))
	var order, queue []int32
	push := func(id int32) {
		if !in[id] {
			in[id] = true
			order = append(order, id)
			queue = append(queue, id)
		}
	}
	// positive pushes the providers of the leaves of d that occur with the
	// wanted polarity (libsolv adds the positive literals of its rules).
	literals := func(d repomd.Dep, provs []int32, wantNeg bool) {
		if !d.IsRich() {
			if !wantNeg {
				for _, q := range provs {
					push(q)
				}
			}
			return
		}
		r := p.rich(d.Name)
		if r == nil {
			return
		}
		walkLeaves(r, false, func(leaf *repomd.Rich, neg bool) {
			if neg == wantNeg {
				provs, _ := e.provSet(leaf)
				for _, q := range provs {
					push(q)
				}
			}
		})
	}
	drain := func() {
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			pk := p.pkgs[id]
			deps := p.depsOf(id)
			for i, d := range pk.Requires.All() {
				literals(d, deps.requires[i], false)
			}
			for i, d := range pk.Recommends.All() {
				literals(d, deps.recommends[i], false)
			}
			for i, d := range pk.Suggests.All() {
				literals(d, deps.suggests[i], false)
			}
			if !p.compatible[id] {
				continue
			}
			for _, d := range pk.Conflicts.All() {
				if d.IsRich() {
					literals(d, nil, true)
				}
			}
			// Lock-step: the same build in a better arch (dnf's colors).
			if c := p.archClass[id]; c > 0 {
				for _, q := range p.byName(pk.Name) {
					if cq := p.archClass[q]; cq >= 0 && cq < c && p.pkgs[q].EVR == pk.EVR {
						push(q)
					}
				}
			}
		}
	}
	for _, id := range jobs {
		push(id)
	}
	drain()
	// Packages that supplement or enhance something reached join too,
	// until nothing changes (libsolv's solver_addpkgrulesforweak).
	for changed := true; changed; {
		changed = false
		for id, pk := range p.pkgs {
			if in[id] || !p.compatible[id] || (pk.Supplements.Len() == 0 && pk.Enhances.Len() == 0) {
				continue
			}
			if e.anyPossible(pk.Supplements, in) || e.anyPossible(pk.Enhances, in) {
				push(int32(id))
				drain()
				changed = true
			}
		}
	}
	return order
}

// anyPossible is libsolv's dep_possible over a list: could one of deps be
// satisfied by packages already reached?
func (e *encoding) anyPossible(deps repomd.DepList, in []bool) bool {
	for _, d := range deps.All() {
		if !d.IsRich() {
			for _, q := range e.pool.whatProvides(d) {
				if in[q] {
					return true
				}
			}
			continue
		}
		if r := e.pool.rich(d.Name); r != nil && e.possible(r, in) {
			return true
		}
	}
	return false
}

func (e *encoding) possible(r *repomd.Rich, in []bool) bool {
	switch r.Op {
	case repomd.RichLeaf, repomd.RichWith, repomd.RichWithout:
		provs, _ := e.provSet(r)
		for _, q := range provs {
			if in[q] {
				return true
			}
		}
		return false
	case repomd.RichAnd:
		for _, a := range r.Args {
			if !e.possible(a, in) {
				return false
			}
		}
		return true
	case repomd.RichOr:
		for _, a := range r.Args {
			if e.possible(a, in) {
				return true
			}
		}
		return false
	case repomd.RichIfElse, repomd.RichUnlessElse:
		return e.possible(r.Args[0], in) || e.possible(r.Args[2], in)
	}
	return e.possible(r.Args[0], in) // if, unless: what is required
}

// infarchRule forbids pkg, a build in a worse arch class than the best one
// reached for its name, unless one of its lock-step partners (the same
// build in the best class or noarch) is installed.
type infarchRule struct {
	pkg      int32
	partners []int32
}

// infarchRules is libsolv's solver_addinfarchrules for an empty system. A
// job for a package that is itself of an inferior arch switches off the
// rules of its whole name (libsolv disables them for such a job only: a
// job for the x86_64 build keeps the i686 builds of the name forbidden).
func (e *encoding) infarchRules(added []int32, jobs []int32) []infarchRule {
	p := e.pool
	byName := map[string][]int32{}
	var names []string
	for _, id := range added {
		n := p.pkgs[id].Name
		if _, ok := byName[n]; !ok {
			names = append(names, n)
		}
		byName[n] = append(byName[n], id)
	}
	var out []infarchRule
	bad := map[int32]bool{}
	for _, n := range names {
		best := -1
		for _, id := range byName[n] {
			if c := p.archClass[id]; p.compatible[id] && c >= 0 && (best < 0 || c < best) {
				best = c
			}
		}
		if best < 0 {
			continue
		}
		for _, id := range byName[n] {
			c := p.archClass[id]
			if !p.compatible[id] || c < 0 || c == best {
				continue
			}
			r := infarchRule{pkg: id}
			for _, q := range p.byName(n) {
				cq := p.archClass[q]
				if q != id && p.pkgs[q].EVR == p.pkgs[id].EVR && p.pkgs[q].Arch != p.pkgs[id].Arch && (cq == -1 || cq == best) {
					r.partners = append(r.partners, q)
				}
			}
			out = append(out, r)
			bad[id] = true
		}
	}
	off := map[string]bool{}
	for _, id := range jobs {
		if bad[id] {
			off[p.pkgs[id].Name] = true
		}
	}
	kept := out[:0]
	for _, r := range out {
		if !off[p.pkgs[r.pkg].Name] {
			kept = append(kept, r)
		}
	}
	return kept
}

func (e *encoding) add(r rule, clauses ...[]sat.Lit) {
	r.first = int32(len(e.ends))
	for _, c := range clauses {
		e.lits = append(e.lits, c...)
		e.ends = append(e.ends, int32(len(e.lits)))
	}
	r.last = int32(len(e.ends))
	e.rules = append(e.rules, r)
}

// add2 adds a rule of one two-literal clause without allocating.
func (e *encoding) add2(r rule, a, b sat.Lit) {
	r.first = int32(len(e.ends))
	e.lits = append(e.lits, a, b)
	e.ends = append(e.ends, int32(len(e.lits)))
	r.last = r.first + 1
	e.rules = append(e.rules, r)
}

// clause returns clause i of the encoding.
func (e *encoding) clause(i int32) []sat.Lit {
	start := int32(0)
	if i > 0 {
		start = e.ends[i-1]
	}
	return e.lits[start:e.ends[i]]
}

func (e *encoding) requires(id int32) {
	pk := e.pool.pkgs[id]
	not := e.lit(id).Not()
	for i := range pk.Requires.Len() {
		dep := pk.Requires.At(i)
		d := &dep
		if dupDep(pk.Requires, i, d) {
			continue
		}
		if d.IsRich() {
			e.richRule(ruleRequires, id, d, true)
			continue
		}
		provs := e.pool.depsOf(id).requires[i]
		c := append(e.buf[:0], not)
		self := false
		for _, q := range provs {
			if q == id {
				self = true
				break
			}
			c = append(c, e.lit(q))
		}
		e.buf = c
		if self {
			continue // the package satisfies its own requirement
		}
		e.add(rule{kind: ruleRequires, pkg: id, other: -1, dep: d}, c)
	}
}

func (e *encoding) conflicts(id int32) {
	pk := e.pool.pkgs[id]
	not := e.lit(id).Not()
	for i := range pk.Conflicts.Len() {
		dep := pk.Conflicts.At(i)
		d := &dep
		if dupDep(pk.Conflicts, i, d) {
			continue
		}
		if d.IsRich() {
			e.richRule(ruleConflicts, id, d, false)
			continue
		}
		for _, q := range e.pool.depsOf(id).conflicts[i] {
			if q == id || e.varOf[q] < 0 {
				continue // libsolv ignores a package's conflict with itself
			}
			e.add2(rule{kind: ruleConflicts, pkg: id, other: q, dep: d}, not, e.lit(q).Not())
		}
	}
}

// obsoletes match package names and versions only (libsolv's default, as
// rpm), whatever the arch. Multiversion packages keep their explicit
// obsoletes (libsolv's and dnf's keepexplicitobsoletes).
func (e *encoding) obsoletes(id int32) {
	p := e.pool
	pk := p.pkgs[id]
	not := e.lit(id).Not()
	for i := range pk.Obsoletes.Len() {
		dep := pk.Obsoletes.At(i)
		d := &dep
		if dupDep(pk.Obsoletes, i, d) || d.IsRich() {
			continue
		}
		for _, q := range p.byName(d.Name) {
			if q == id || e.varOf[q] < 0 {
				continue
			}
			self := repomd.Dep{Name: p.pkgs[q].Name, Flags: repomd.DepEQ, EVR: p.pkgs[q].EVR}
			if !repomd.RangesOverlap(self, *d) {
				continue
			}
			e.add2(rule{kind: ruleObsoletes, pkg: id, other: q, dep: d}, not, e.lit(q).Not())
		}
	}
}

// sameName forbids two builds of one name in one color (libsolv's implicit
// obsoletes with dnf's colors) unless both are multiversion; two builds of
// the very same NEVRA always exclude each other.
func (e *encoding) sameName() {
	p := e.pool
	seen := map[string]bool{}
	for _, id := range e.pkgOf {
		name := p.pkgs[id].Name
		if seen[name] || !p.compatible[id] {
			continue
		}
		seen[name] = true
		var group []int32
		for _, q := range p.byName(name) {
			if e.varOf[q] >= 0 {
				group = append(group, q)
			}
		}
		for i, a := range group {
			for _, b := range group[i+1:] {
				pa, pb := p.pkgs[a], p.pkgs[b]
				if !colorMatch(pa.Arch, pb.Arch) {
					continue
				}
				same := pa.Arch == pb.Arch && repomd.CompareEVR(pa.EVR, pb.EVR) == 0
				if p.multi[a] && p.multi[b] && !same {
					continue
				}
				// libsolv names the later package first.
				e.add2(rule{kind: ruleSameName, pkg: b, other: a}, e.lit(a).Not(), e.lit(b).Not())
			}
		}
	}
}

func dupDep(l repomd.DepList, i int, d *repomd.Dep) bool {
	for j := range i {
		if l.Name(j) != d.Name {
			continue
		}
		if x := l.At(j); x.Name == d.Name && x.Flags == d.Flags && x.EVR == d.EVR {
			return true
		}
	}
	return false
}
