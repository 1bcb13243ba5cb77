package installcheck

import (
	"fmt"
	"io"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/depsolve/installcheck/sat"
	"github.com/pungo/pungo/repomd"
)

// DefaultMultiversion is dnf's default installonlypkgs: providers of these
// capabilities may be installed in several versions side by side.
var DefaultMultiversion = []string{
	"kernel", "kernel-PAE", "installonlypkg(kernel)", "installonlypkg(kernel-module)",
	"installonlypkg(vm)", "multiversion(kernel)",
}

// Options tune a check.
type Options struct {
	// Multiversion lists capabilities whose providers may be installed in
	// several versions (rpm's installonly packages). Empty means none.
	Multiversion []string
	// MaxProblems bounds the problems explained (0: 100). Each costs a
	// solve of the whole instance (a few ms at 10,000 packages); when one
	// broken package takes thousands of others down, the first hundred
	// name the causes.
	MaxProblems int
	// NoInfArch turns off libsolv's inferior-arch policy, under which a
	// dependency may not pull in the i686 build of a name that also has an
	// x86_64 build, unless that i686 build's x86_64 twin (same version) is
	// installed too or one of the packages to install is an i686 build of
	// that name.
	NoInfArch bool
}

// Result is the answer of a check.
type Result struct {
	Installable bool
	// Problems has one libsolv-style sentence per problem: its main rule.
	Problems []string
	// Details has, per problem, every rule of its minimal core as a
	// sentence (the main one first) and the packages involved.
	Details []Problem
	// Solution, when installable, is one set of packages that satisfies
	// everything, in the order of the available packages.
	Solution []*repomd.Package
}

// Problem is one independent reason the install cannot happen.
type Problem struct {
	Sentences []string
	Packages  []*repomd.Package
}

// Check reports whether all of install can be installed together for the
// target arch (a tree arch or rpm arch: x86_64, aarch64, ppc64le, s390x,
// i686, armhfp…), with other packages taken from available, under dnf's
// default installonly packages.
func Check(install, available []*repomd.Package, arch string) (*Result, error) {
	return CheckWith(install, available, arch, Options{Multiversion: DefaultMultiversion})
}

// CheckWith is Check with explicit options. The candidates go into a
// depsolve.Pool of their own and are checked there as CheckPool checks
// packages of an existing pool: one code path, one whatprovides index.
func CheckWith(install, available []*repomd.Package, arch string, opts Options) (*Result, error) {
	if arch == "" {
		return nil, fmt.Errorf("installcheck: no target arch given")
	}
	dp, ids, err := candidatesPool(install, available)
	if err != nil {
		return nil, err
	}
	c := &Checker{pool: newPoolOf(dp, nil, ids, arch, opts.Multiversion), arch: arch, opts: opts}
	return c.Check(install)
}

// CheckPool is CheckWith over packages of an existing depsolve pool (as
// `pungo depsolve --check-install` checks a gather result in the pool it
// was gathered from): install must install together with other packages
// taken from available; the pool's index answers whatprovides.
func CheckPool(dp *depsolve.Pool, install, available []depsolve.PkgID, arch string, opts Options) (*Result, error) {
	if arch == "" {
		return nil, fmt.Errorf("installcheck: no target arch given")
	}
	c := &Checker{pool: newPoolOf(dp, install, available, arch, opts.Multiversion), arch: arch, opts: opts}
	pkgs := make([]*repomd.Package, len(install))
	for i, id := range install {
		pkgs[i] = dp.Pkg(id)
	}
	return c.Check(pkgs)
}

// Checker answers several install questions over one set of available
// packages, indexing them once. It is not safe for concurrent use.
type Checker struct {
	pool      *pool
	available []*repomd.Package
	arch      string
	opts      Options
	index     map[*repomd.Package]int32
}

// NewChecker indexes available for checks on the target arch.
func NewChecker(available []*repomd.Package, arch string, opts Options) (*Checker, error) {
	if arch == "" {
		return nil, fmt.Errorf("installcheck: no target arch given")
	}
	dp, ids, err := candidatesPool(nil, available)
	if err != nil {
		return nil, err
	}
	return &Checker{pool: newPoolOf(dp, nil, ids, arch, opts.Multiversion), available: available, arch: arch, opts: opts}, nil
}

// Check reports whether all of install can be installed together. Install
// packages that are not among the available ones are taken in too (the
// index is then rebuilt for this call).
func (c *Checker) Check(install []*repomd.Package) (*Result, error) {
	p := c.pool
	if c.index == nil {
		c.index = make(map[*repomd.Package]int32, len(p.pkgs))
		for i, pk := range p.pkgs {
			c.index[pk] = int32(i)
		}
	}
	for _, pk := range install {
		if pk == nil {
			return nil, fmt.Errorf("installcheck: nil package to install")
		}
		if _, ok := c.index[pk]; !ok && !pk.IsSource() {
			return CheckWith(install, c.available, c.arch, c.opts)
		}
	}
	var jobs []int32
	seen := map[int32]bool{}
	for _, pk := range install {
		if id, ok := c.index[pk]; ok && !seen[id] {
			seen[id] = true
			jobs = append(jobs, id)
		}
	}
	e := encode(p, jobs, !c.opts.NoInfArch)

	s := e.solver(false)
	assumptions := make([]sat.Lit, len(jobs))
	for i, id := range jobs {
		assumptions[i] = e.lit(id)
	}
	if s.Solve(assumptions...) {
		res := &Result{Installable: true}
		for id := range p.pkgs {
			if v := e.varOf[id]; v >= 0 && s.Value(int(v)) {
				res.Solution = append(res.Solution, p.pkgs[id])
			}
		}
		return res, nil
	}
	max := c.opts.MaxProblems
	if max <= 0 {
		max = 100
	}
	res := &Result{}
	for _, prob := range e.problems(max) {
		res.Details = append(res.Details, prob)
		res.Problems = append(res.Problems, prob.Sentences[0])
	}
	return res, nil
}

// solver loads the encoding; with selectors, every clause of rule i also
// carries ¬sel(i) so the rule can be switched on by assuming sel(i).
func (e *encoding) solver(selectors bool) *sat.Solver {
	s := sat.New()
	n := e.nvars
	if selectors {
		n += len(e.rules)
	}
	s.AddVars(n)
	s.AddClause(sat.Pos(e.trueVar))
	for i, r := range e.rules {
		for ci := r.first; ci < r.last; ci++ {
			c := e.clause(ci)
			if selectors {
				c = append(c[:len(c):len(c)], e.selector(i).Not())
			}
			s.AddClause(c...)
		}
	}
	return s
}

func (e *encoding) selector(rule int) sat.Lit { return sat.Pos(e.nvars + rule) }

// problems extracts up to max independent problems. Each round finds a
// core over the remaining install jobs with one solve of the whole
// encoding (every rule switched on by its selector), shrinks it to a
// minimal one on a small solver holding only the core's rules, and drops
// the core's jobs for the next round.
func (e *encoding) problems(max int) []Problem {
	s := e.solver(true)
	active := append([]int32(nil), e.jobs...)
	var out []Problem
	for len(out) < max && len(active) > 0 {
		assumptions := make([]sat.Lit, 0, len(active)+len(e.rules))
		for _, id := range active {
			assumptions = append(assumptions, e.lit(id))
		}
		for i := range e.rules {
			assumptions = append(assumptions, e.selector(i))
		}
		if s.Solve(assumptions...) {
			break
		}
		jobs, rules := e.minimalCore(s.Failed())
		if len(jobs) == 0 {
			break // cannot happen: without jobs, installing nothing works
		}
		out = append(out, e.describe(jobs, rules))
		active = removeIDs(active, jobs)
	}
	return out
}

// minimalCore shrinks a core (job literals and rule selectors) by deletion
// on a solver loaded with the core's rules only, and returns its jobs and
// rules.
func (e *encoding) minimalCore(core []sat.Lit) (jobs []int32, rules []int) {
	// Renumber the variables the core's rules mention.
	sub := sat.New()
	vars := map[int]int{}
	mapLit := func(l sat.Lit) sat.Lit {
		v, ok := vars[l.Var()]
		if !ok {
			v = sub.NewVar()
			vars[l.Var()] = v
		}
		if l.IsNeg() {
			return sat.Neg(v)
		}
		return sat.Pos(v)
	}
	mapLit(sat.Pos(e.trueVar))
	sub.AddClause(mapLit(sat.Pos(e.trueVar)))
	var assumptions []sat.Lit
	back := map[sat.Lit]sat.Lit{}
	for _, l := range core {
		m := mapLit(l)
		assumptions = append(assumptions, m)
		back[m] = l
		if l.Var() < e.nvars {
			continue
		}
		r := e.rules[l.Var()-e.nvars]
		for ci := r.first; ci < r.last; ci++ {
			c := e.clause(ci)
			mc := make([]sat.Lit, 0, len(c)+1)
			for _, x := range c {
				mc = append(mc, mapLit(x))
			}
			mc = append(mc, m.Not())
			sub.AddClause(mc...)
		}
	}
	for _, l := range minimize(sub, assumptions) {
		orig := back[l]
		if orig.Var() >= e.nvars {
			rules = append(rules, orig.Var()-e.nvars)
		} else {
			jobs = append(jobs, e.pkgOf[orig.Var()])
		}
	}
	return jobs, rules
}

// minimize shrinks an unsatisfiable set of assumptions by deletion: each
// element is dropped when the rest stays unsatisfiable, and the rest is
// then replaced by the solver's (possibly smaller) failed set.
func minimize(s *sat.Solver, core []sat.Lit) []sat.Lit {
	core = append([]sat.Lit(nil), core...)
	for i := 0; i < len(core); {
		trial := make([]sat.Lit, 0, len(core)-1)
		trial = append(trial, core[:i]...)
		trial = append(trial, core[i+1:]...)
		if s.Solve(trial...) {
			i++
			continue
		}
		// Keep the order of core for determinism, restricted to the
		// smaller failed set.
		failed := map[sat.Lit]bool{}
		for _, l := range s.Failed() {
			failed[l] = true
		}
		next := trial[:0]
		kept := 0
		for j, l := range trial {
			if failed[l] {
				next = append(next, l)
				if j < i {
					kept++
				}
			}
		}
		core = next
		i = kept
	}
	return core
}

func removeIDs(list, drop []int32) []int32 {
	out := list[:0]
	for _, x := range list {
		keep := true
		for _, d := range drop {
			if x == d {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, x)
		}
	}
	return out
}

// WriteText prints the result as dnf does: nothing when installable,
// otherwise "Problem N: main sentence" followed by "  - other rule" lines.
func (r *Result) WriteText(w io.Writer) error {
	for i, p := range r.Details {
		label := "Problem"
		if len(r.Details) > 1 {
			label = fmt.Sprintf("Problem %d", i+1)
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", label, p.Sentences[0]); err != nil {
			return err
		}
		for _, s := range p.Sentences[1:] {
			if _, err := fmt.Fprintf(w, "  - %s\n", s); err != nil {
				return err
			}
		}
	}
	return nil
}
