package sat

import (
	"math/rand"
	"testing"
)

// bruteForce reports whether clauses over n variables have a model in which
// all the fixed literals hold.
func bruteForce(n int, clauses [][]Lit, fixed []Lit) bool {
	for m := 0; m < 1<<n; m++ {
		val := func(l Lit) bool { return (m>>l.Var())&1 == 1 != l.IsNeg() }
		ok := true
		for _, l := range fixed {
			if !val(l) {
				ok = false
				break
			}
		}
		for _, c := range clauses {
			if !ok {
				break
			}
			sat := false
			for _, l := range c {
				if val(l) {
					sat = true
					break
				}
			}
			ok = sat
		}
		if ok {
			return true
		}
	}
	return false
}

func satisfies(s *Solver, clauses [][]Lit, fixed []Lit) bool {
	val := func(l Lit) bool { return s.Value(l.Var()) != l.IsNeg() }
	for _, l := range fixed {
		if !val(l) {
			return false
		}
	}
	for _, c := range clauses {
		sat := false
		for _, l := range c {
			if val(l) {
				sat = true
			}
		}
		if !sat {
			return false
		}
	}
	return true
}

func randomLit(r *rand.Rand, n int) Lit {
	if r.Intn(2) == 0 {
		return Pos(r.Intn(n))
	}
	return Neg(r.Intn(n))
}

// TestRandomAgainstBruteForce compares the solver with exhaustive search on
// thousands of small random instances around the 3-SAT threshold, with and
// without assumptions, reusing each solver for several calls so learnt
// clauses carry over.
func TestRandomAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var nSat, nUnsat int
	for iter := 0; iter < 3000; iter++ {
		n := 1 + r.Intn(12)
		m := r.Intn(n*5 + 1)
		var clauses [][]Lit
		s := New()
		for i := 0; i < n; i++ {
			s.NewVar()
		}
		for i := 0; i < m; i++ {
			k := 1 + r.Intn(4)
			c := make([]Lit, k)
			for j := range c {
				c[j] = randomLit(r, n)
			}
			clauses = append(clauses, c)
			s.AddClause(c...)
		}
		for call := 0; call < 3; call++ {
			var assumps []Lit
			for a := r.Intn(4); a > 0; a-- {
				assumps = append(assumps, randomLit(r, n))
			}
			want := bruteForce(n, clauses, assumps)
			got := s.Solve(assumps...)
			if got != want {
				t.Fatalf("iter %d: Solve = %v, brute force %v\nclauses %v\nassumptions %v", iter, got, want, clauses, assumps)
			}
			if got {
				nSat++
				if !satisfies(s, clauses, assumps) {
					t.Fatalf("iter %d: model does not satisfy the instance", iter)
				}
				continue
			}
			nUnsat++
			failed := s.Failed()
			for _, f := range failed {
				if !containsLit(assumps, f) {
					t.Fatalf("iter %d: failed literal %v is not an assumption %v", iter, f, assumps)
				}
			}
			if bruteForce(n, clauses, failed) {
				t.Fatalf("iter %d: failed assumptions %v are satisfiable with the clauses", iter, failed)
			}
		}
	}
	if nSat < 500 || nUnsat < 500 {
		t.Errorf("unbalanced instances: %d sat, %d unsat", nSat, nUnsat)
	}
}

func containsLit(ls []Lit, l Lit) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// pigeonhole returns the clauses of n+1 pigeons in n holes (unsatisfiable,
// and hard for resolution, so it exercises learning, restarts and
// reduction).
func pigeonhole(s *Solver, n int) {
	v := func(p, h int) int { return p*n + h }
	for i := 0; i < (n+1)*n; i++ {
		s.NewVar()
	}
	for p := 0; p <= n; p++ {
		c := make([]Lit, n)
		for h := 0; h < n; h++ {
			c[h] = Pos(v(p, h))
		}
		s.AddClause(c...)
	}
	for h := 0; h < n; h++ {
		for p := 0; p <= n; p++ {
			for q := p + 1; q <= n; q++ {
				s.AddClause(Neg(v(p, h)), Neg(v(q, h)))
			}
		}
	}
}

func TestPigeonhole(t *testing.T) {
	for n := 1; n <= 7; n++ {
		s := New()
		pigeonhole(s, n)
		if s.Solve() {
			t.Fatalf("pigeonhole %d: satisfiable", n)
		}
		if len(s.Failed()) != 0 {
			t.Errorf("pigeonhole %d: failed assumptions %v without assumptions", n, s.Failed())
		}
		if s.Solve() {
			t.Fatalf("pigeonhole %d: satisfiable on the second call", n)
		}
	}
}

func TestAssumptionCore(t *testing.T) {
	// a -> b, b -> c, d free; assuming a and ¬c fails on exactly those two.
	s := New()
	a, b, c, d := s.NewVar(), s.NewVar(), s.NewVar(), s.NewVar()
	s.AddClause(Neg(a), Pos(b))
	s.AddClause(Neg(b), Pos(c))
	if s.Solve(Pos(d), Pos(a), Neg(c)) {
		t.Fatal("satisfiable")
	}
	failed := s.Failed()
	if len(failed) != 2 || !containsLit(failed, Pos(a)) || !containsLit(failed, Neg(c)) {
		t.Errorf("Failed() = %v, want [a ¬c]", failed)
	}
	if !s.Solve(Pos(d), Pos(a)) || !s.Value(c) || !s.Value(d) {
		t.Error("a and d should be satisfiable with c true")
	}
	if !s.AddClause(Neg(d)) || s.Solve(Pos(d)) {
		t.Error("d assumed after ¬d added")
	}
	if f := s.Failed(); len(f) != 1 || f[0] != Pos(d) {
		t.Errorf("Failed() = %v, want [d]", f)
	}
	if s.AddClause(Pos(a)) && s.AddClause(Neg(c)) {
		t.Error("adding a and ¬c should make the clauses unsatisfiable")
	}
	if s.Solve() {
		t.Error("unsatisfiable clauses solved")
	}
}

func TestLuby(t *testing.T) {
	want := []float64{1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8}
	for i, w := range want {
		if got := luby(i); got != w {
			t.Errorf("luby(%d) = %v, want %v", i, got, w)
		}
	}
}

// TestLargerRandom runs 3-SAT instances near the phase transition, big
// enough to restart and reduce the learnt database: every model is checked,
// and each answer must not change when the clauses come in another order.
func TestLargerRandom(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	var reductions int64
	for iter := 0; iter < 40; iter++ {
		n := 60 + r.Intn(60)
		m := n * 426 / 100
		clauses := make([][]Lit, m)
		for i := range clauses {
			clauses[i] = []Lit{randomLit(r, n), randomLit(r, n), randomLit(r, n)}
		}
		var answers []bool
		for order := 0; order < 2; order++ {
			s := New()
			for i := 0; i < n; i++ {
				s.NewVar()
			}
			perm := r.Perm(m)
			for _, i := range perm {
				s.AddClause(clauses[i]...)
			}
			got := s.Solve()
			if got && !satisfies(s, clauses, nil) {
				t.Fatalf("iter %d: bad model", iter)
			}
			answers = append(answers, got)
			reductions += s.Reductions
		}
		if answers[0] != answers[1] {
			t.Fatalf("iter %d: answers differ by clause order: %v", iter, answers)
		}
	}
	s := New()
	pigeonhole(s, 8)
	if s.Solve() {
		t.Fatal("pigeonhole 8 satisfiable")
	}
	if reductions+s.Reductions == 0 {
		t.Error("no learnt-clause reduction happened: the test does not exercise reduceDB")
	}
	t.Logf("pigeonhole 8: %d conflicts, %d restarts, %d reductions", s.Conflicts, s.Restarts, s.Reductions)
}
