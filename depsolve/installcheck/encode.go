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
)

// rule is one constraint of the encoding: one or more clauses (rich
// dependencies need several) that stand or fall together.
type rule struct {
	kind  ruleKind
	pkg   int32
	other int32 // conflicting/obsoleted/same-name package, -1 if none
	dep   repomd.Dep
	first int32 // clauses are cls[first:last]
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
	cls     [][]sat.Lit
	jobs    []int32 // pool ids to install, in order
}

func (e *encoding) lit(id int32) sat.Lit { return sat.Pos(int(e.varOf[id])) }

func (e *encoding) newVar() int {
	e.nvars++
	return e.nvars - 1
}

// encode builds the closure of packages reachable from the jobs through
// requirements (and through every leaf of a rich dependency), then the
// rules over that closure. A package outside the closure can be left
// uninstalled in any solution, so the answer is the same as over the whole
// pool while the instance stays small.
func encode(p *pool, jobs []int32) *encoding {
	e := &encoding{pool: p, varOf: make([]int32, len(p.pkgs)), jobs: jobs}
	for i := range e.varOf {
		e.varOf[i] = -1
	}
	queue := make([]int32, 0, len(jobs))
	visit := func(id int32) {
		if e.varOf[id] < 0 {
			e.varOf[id] = int32(len(e.pkgOf))
			e.pkgOf = append(e.pkgOf, id)
			queue = append(queue, id)
		}
	}
	for _, id := range jobs {
		visit(id)
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if !p.compatible[id] {
			continue // only ever a job, ruled out by an arch rule
		}
		pk := p.pkgs[id]
		for _, d := range pk.Requires {
			e.leafProviders(d, visit)
		}
		for _, d := range pk.Conflicts {
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
	r, err := e.pool.parseRich(d.Name)
	if err != nil {
		return
	}
	var walk func(r *repomd.Rich)
	walk = func(r *repomd.Rich) {
		if r.Op == repomd.RichLeaf {
			for _, q := range e.pool.whatProvides(r.Dep) {
				visit(q)
			}
			return
		}
		for _, a := range r.Args {
			walk(a)
		}
	}
	walk(r)
}

func (e *encoding) add(r rule, clauses ...[]sat.Lit) {
	r.first = int32(len(e.cls))
	e.cls = append(e.cls, clauses...)
	r.last = int32(len(e.cls))
	e.rules = append(e.rules, r)
}

func (e *encoding) requires(id int32) {
	pk := e.pool.pkgs[id]
	not := e.lit(id).Not()
	for i, d := range pk.Requires {
		if dupDep(pk.Requires[:i], d) {
			continue
		}
		if d.IsRich() {
			e.richRule(ruleRequires, id, d, true)
			continue
		}
		provs := e.pool.whatProvides(d)
		c := make([]sat.Lit, 0, len(provs)+1)
		c = append(c, not)
		self := false
		for _, q := range provs {
			if q == id {
				self = true
				break
			}
			c = append(c, e.lit(q))
		}
		if self {
			continue // the package satisfies its own requirement
		}
		e.add(rule{kind: ruleRequires, pkg: id, other: -1, dep: d}, c)
	}
}

func (e *encoding) conflicts(id int32) {
	pk := e.pool.pkgs[id]
	not := e.lit(id).Not()
	for i, d := range pk.Conflicts {
		if dupDep(pk.Conflicts[:i], d) {
			continue
		}
		if d.IsRich() {
			e.richRule(ruleConflicts, id, d, false)
			continue
		}
		for _, q := range e.pool.whatProvides(d) {
			if q == id || e.varOf[q] < 0 {
				continue // libsolv ignores a package's conflict with itself
			}
			e.add(rule{kind: ruleConflicts, pkg: id, other: q, dep: d}, []sat.Lit{not, e.lit(q).Not()})
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
	for i, d := range pk.Obsoletes {
		if dupDep(pk.Obsoletes[:i], d) || d.IsRich() {
			continue
		}
		for _, q := range p.byName[d.Name] {
			if q == id || e.varOf[q] < 0 {
				continue
			}
			self := repomd.Dep{Name: p.pkgs[q].Name, Flags: repomd.DepEQ, EVR: p.pkgs[q].EVR}
			if !repomd.RangesOverlap(self, d) {
				continue
			}
			e.add(rule{kind: ruleObsoletes, pkg: id, other: q, dep: d}, []sat.Lit{not, e.lit(q).Not()})
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
		for _, q := range p.byName[name] {
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
				e.add(rule{kind: ruleSameName, pkg: b, other: a}, []sat.Lit{e.lit(a).Not(), e.lit(b).Not()})
			}
		}
	}
}

func dupDep(prev []repomd.Dep, d repomd.Dep) bool {
	for _, x := range prev {
		if x.Name == d.Name && x.Flags == d.Flags && x.EVR == d.EVR {
			return true
		}
	}
	return false
}
