package sat

import "testing"

// FuzzSolve decodes bytes into a small CNF with assumptions (each byte a
// literal over at most 10 variables, 0xff ending a clause) and checks the
// answer, the model and the failed assumptions against brute force.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{0, 2, 0xff, 1, 3, 0xff, 4, 0xff}, []byte{1})
	f.Add([]byte{0, 0xff, 1, 0xff}, []byte{})
	f.Fuzz(func(t *testing.T, cnf, assume []byte) {
		const n = 10
		s := New()
		for i := 0; i < n; i++ {
			s.NewVar()
		}
		var clauses [][]Lit
		var cur []Lit
		for _, b := range cnf {
			if b == 0xff {
				clauses = append(clauses, cur)
				s.AddClause(cur...)
				cur = nil
				continue
			}
			cur = append(cur, Lit(b%(2*n)))
		}
		var assumptions []Lit
		for _, b := range assume {
			assumptions = append(assumptions, Lit(b%(2*n)))
		}
		want := bruteForce(n, clauses, assumptions)
		got := s.Solve(assumptions...)
		if got != want {
			t.Fatalf("Solve = %v, brute force %v", got, want)
		}
		if got && !satisfies(s, clauses, assumptions) {
			t.Fatal("bad model")
		}
		if !got && bruteForce(n, clauses, s.Failed()) {
			t.Fatalf("failed assumptions %v are satisfiable", s.Failed())
		}
	})
}
