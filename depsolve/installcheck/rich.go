package installcheck

import (
	"fmt"

	"github.com/pungo/pungo/depsolve/installcheck/sat"
	"github.com/pungo/pungo/depsolve/internal/idset"
	"github.com/pungo/pungo/repomd"
)

// A rich dependency becomes a boolean expression over package variables,
// normalized as libsolv does:
//
//	A if B            →  A or not B
//	A if B else C     →  (A or not B) and (C or B)
//	A unless B        →  A and not B
//	A unless B else C →  (A and not B) or (C and B)
//	A with B          →  one package providing both (a provider set)
//	A without B       →  a package providing A but not B
//
// and is then Tseitin-encoded, each auxiliary variable constrained only in
// the direction its polarity needs.
type bop uint8

const (
	bLeaf bop = iota // any of provs installed
	bAnd
	bOr
	bNot
)

type bexpr struct {
	op    bop
	args  []*bexpr
	provs []int32
}

type polarity uint8

const (
	polPos  polarity = 1 // the expression must hold when its literal is true
	polNeg  polarity = 2 // the literal must be true when the expression holds
	polBoth          = polPos | polNeg
)

func (p polarity) flip() polarity {
	switch p {
	case polPos:
		return polNeg
	case polNeg:
		return polPos
	}
	return polBoth
}

// toExpr converts a parsed rich dependency.
func (e *encoding) toExpr(r *repomd.Rich) (*bexpr, bool) {
	not := func(x *bexpr) *bexpr { return &bexpr{op: bNot, args: []*bexpr{x}} }
	or := func(xs ...*bexpr) *bexpr { return &bexpr{op: bOr, args: xs} }
	and := func(xs ...*bexpr) *bexpr { return &bexpr{op: bAnd, args: xs} }
	args := make([]*bexpr, 0, len(r.Args))
	switch r.Op {
	case repomd.RichLeaf, repomd.RichWith, repomd.RichWithout:
		provs, ok := e.provSet(r)
		if !ok {
			return nil, false
		}
		return &bexpr{op: bLeaf, provs: provs}, true
	}
	for _, a := range r.Args {
		x, ok := e.toExpr(a)
		if !ok {
			return nil, false
		}
		args = append(args, x)
	}
	switch {
	case r.Op == repomd.RichAnd && len(args) > 0:
		return and(args...), true
	case r.Op == repomd.RichOr && len(args) > 0:
		return or(args...), true
	case r.Op == repomd.RichIf && len(args) == 2:
		return or(args[0], not(args[1])), true
	case r.Op == repomd.RichIfElse && len(args) == 3:
		return and(or(args[0], not(args[1])), or(args[2], args[1])), true
	case r.Op == repomd.RichUnless && len(args) == 2:
		return and(args[0], not(args[1])), true
	case r.Op == repomd.RichUnlessElse && len(args) == 3:
		return or(and(args[0], not(args[1])), and(args[2], args[1])), true
	}
	return nil, false
}

// provSet is the set of packages a leaf, "with" or "without" node matches.
func (e *encoding) provSet(r *repomd.Rich) ([]int32, bool) {
	switch r.Op {
	case repomd.RichLeaf:
		return e.pool.whatProvides(r.Dep), true
	case repomd.RichWith:
		var set []int32
		for i, a := range r.Args {
			s, ok := e.provSet(a)
			if !ok {
				return nil, false
			}
			if i == 0 {
				set = s
			} else {
				set = idset.Intersect(set, s)
			}
		}
		return set, true
	case repomd.RichWithout:
		if len(r.Args) != 2 {
			return nil, false
		}
		a, ok1 := e.provSet(r.Args[0])
		b, ok2 := e.provSet(r.Args[1])
		return idset.Minus(a, b), ok1 && ok2
	}
	return nil, false
}

// tseitin collects the clauses of one rule while encoding an expression.
type tseitin struct {
	e   *encoding
	cls [][]sat.Lit
}

func (t *tseitin) constant(v bool) sat.Lit {
	if v {
		return sat.Pos(t.e.trueVar)
	}
	return sat.Neg(t.e.trueVar)
}

// lit returns a literal that implies x (polPos), is implied by x (polNeg),
// or both.
func (t *tseitin) lit(x *bexpr, pol polarity) sat.Lit {
	switch x.op {
	case bNot:
		return t.lit(x.args[0], pol.flip()).Not()
	case bLeaf:
		switch len(x.provs) {
		case 0:
			return t.constant(false)
		case 1:
			return t.e.lit(x.provs[0])
		}
		v := sat.Pos(t.e.newVar())
		if pol&polPos != 0 {
			c := []sat.Lit{v.Not()}
			for _, q := range x.provs {
				c = append(c, t.e.lit(q))
			}
			t.cls = append(t.cls, c)
		}
		if pol&polNeg != 0 {
			for _, q := range x.provs {
				t.cls = append(t.cls, []sat.Lit{t.e.lit(q).Not(), v})
			}
		}
		return v
	}
	sub := make([]sat.Lit, len(x.args))
	for i, a := range x.args {
		sub[i] = t.lit(a, pol)
	}
	v := sat.Pos(t.e.newVar())
	and := x.op == bAnd
	// For "and": v → each sub (pos) and all subs → v (neg); "or" is dual.
	if (and && pol&polPos != 0) || (!and && pol&polNeg != 0) {
		for _, s := range sub {
			if and {
				t.cls = append(t.cls, []sat.Lit{v.Not(), s})
			} else {
				t.cls = append(t.cls, []sat.Lit{s.Not(), v})
			}
		}
	}
	if (and && pol&polNeg != 0) || (!and && pol&polPos != 0) {
		c := []sat.Lit{}
		if and {
			c = append(c, v)
			for _, s := range sub {
				c = append(c, s.Not())
			}
		} else {
			c = append(c, v.Not())
			c = append(c, sub...)
		}
		t.cls = append(t.cls, c)
	}
	return v
}

// flatten returns literals whose disjunction implies x, inlining "or" and
// provider sets so a plain alternative stays one clause.
func (t *tseitin) flatten(x *bexpr, out []sat.Lit) []sat.Lit {
	switch x.op {
	case bOr:
		for _, a := range x.args {
			out = t.flatten(a, out)
		}
		return out
	case bLeaf:
		for _, q := range x.provs {
			out = append(out, t.e.lit(q))
		}
		return out
	}
	return append(out, t.lit(x, polPos))
}

// richRule encodes "pkg requires d" (requires=true) or "pkg conflicts
// with d" for a rich d as one rule.
func (e *encoding) richRule(kind ruleKind, id int32, d *repomd.Dep, requires bool) {
	not := e.lit(id).Not()
	r := e.pool.rich(d.Name)
	var x *bexpr
	ok := r != nil
	if ok {
		x, ok = e.toExpr(r)
	}
	if !ok {
		if requires {
			// An unreadable requirement cannot be satisfied.
			e.add(rule{kind: ruleBadDep, pkg: id, other: -1, dep: d}, []sat.Lit{not})
		}
		return
	}
	if requires {
		t := &tseitin{e: e}
		t.cls = append(t.cls, t.flatten(x, []sat.Lit{not}))
		e.add(rule{kind: kind, pkg: id, other: -1, dep: d}, t.cls...)
		return
	}
	// A conflict fires when any term of the expression's disjunctive normal
	// form holds; like libsolv, each term is its own rule (¬pkg or not all
	// of the term), with pkg itself counted as installed: a term needing
	// pkg absent never fires, and a term that is pkg alone is a
	// self-conflict, which is ignored.
	terms, ok := dnf(x, false, maxDNFTerms)
	if !ok {
		// Too big to expand: one Tseitin rule, pkg counted as installed.
		t := &tseitin{e: e}
		t.cls = append(t.cls, []sat.Lit{not, t.lit(x, polNeg).Not()})
		e.add(rule{kind: kind, pkg: id, other: -1, dep: d}, t.cls...)
		return
	}
	seen := map[string]bool{}
	for _, term := range terms {
		c := []sat.Lit{not}
		self, vacuous := false, false
		for _, l := range term {
			switch {
			case l.id == id && l.neg:
				vacuous = true
			case l.id == id:
				self = true
			case l.neg:
				c = append(c, e.lit(l.id))
			default:
				c = append(c, e.lit(l.id).Not())
			}
		}
		if vacuous || (self && len(c) == 1) {
			continue
		}
		key := fmt.Sprint(c)
		if seen[key] {
			continue
		}
		seen[key] = true
		other := int32(-1)
		if len(term) == 1 && !term[0].neg {
			other = term[0].id
		}
		e.add(rule{kind: kind, pkg: id, other: other, dep: d}, c)
	}
}

// maxDNFTerms bounds the expansion of a rich conflict.
const maxDNFTerms = 4096

// dlit is a literal of a DNF term: package id installed, or not (neg).
type dlit struct {
	id  int32
	neg bool
}

// dnf expands x (negated when neg) into terms, each a conjunction of
// package literals; false when it would exceed max terms.
func dnf(x *bexpr, neg bool, max int) ([][]dlit, bool) {
	switch x.op {
	case bNot:
		return dnf(x.args[0], !neg, max)
	case bLeaf:
		if neg {
			// Every provider absent: one term (true when there is none).
			t := make([]dlit, len(x.provs))
			for i, q := range x.provs {
				t[i] = dlit{q, true}
			}
			return [][]dlit{t}, true
		}
		out := make([][]dlit, len(x.provs))
		for i, q := range x.provs {
			out[i] = []dlit{{q, false}}
		}
		return out, true
	}
	// De Morgan: a negated "and" is an "or" of negations, and vice versa.
	conj := (x.op == bAnd) != neg
	if !conj {
		var out [][]dlit
		for _, a := range x.args {
			ts, ok := dnf(a, neg, max)
			if !ok || len(out)+len(ts) > max {
				return nil, false
			}
			out = append(out, ts...)
		}
		return out, true
	}
	out := [][]dlit{{}}
	for _, a := range x.args {
		ts, ok := dnf(a, neg, max)
		if !ok || len(out)*len(ts) > max {
			return nil, false
		}
		var next [][]dlit
		for _, t1 := range out {
			for _, t2 := range ts {
				if m, ok := mergeTerms(t1, t2); ok {
					next = append(next, m)
				}
			}
		}
		out = next
	}
	return out, true
}

// mergeTerms conjoins two terms, dropping duplicates; false when they
// contradict.
func mergeTerms(a, b []dlit) ([]dlit, bool) {
	out := append([]dlit(nil), a...)
	for _, l := range b {
		dup := false
		for _, m := range a {
			if m.id == l.id {
				if m.neg != l.neg {
					return nil, false
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out, true
}
