package installcheck

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// genParams shapes a random repository.
type genParams struct {
	names, caps, files int     // distinct package names, virtual capabilities, file paths
	maxVersions        int     // builds per name.arch
	multilibShare      float64 // share of names also built for i686
	foreignShare       float64 // share of packages of an arch x86_64 cannot run
	requires           int     // mean requirements per package
	conflicts          float64 // chance of a conflict per package
	obsoletes          float64 // chance of an obsolete per package
	rich               float64 // chance a requirement or conflict is rich
}

var ops = []string{"=", "<", "<=", ">", ">="}

// genRepo returns random packages; locations are unique.
func genRepo(r *rand.Rand, g genParams) []*repomd.Package {
	name := func(i int) string { return fmt.Sprintf("n%d", i) }
	capName := func(i int) string { return fmt.Sprintf("cap%d", i) }
	path := func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("/usr/bin/f%d", i)
		}
		return fmt.Sprintf("/usr/share/f%d", i)
	}
	ver := func() string { return fmt.Sprintf("%d", 1+r.Intn(g.maxVersions)) }
	target := func() string {
		switch x := r.Intn(10); {
		case x < 5:
			return name(r.Intn(g.names))
		case x < 8 && g.caps > 0:
			return capName(r.Intn(g.caps))
		case g.files > 0:
			return path(r.Intn(g.files))
		}
		return name(r.Intn(g.names))
	}
	plain := func() string {
		t := target()
		if !strings.HasPrefix(t, "/") && r.Intn(3) == 0 {
			return t + " " + ops[r.Intn(len(ops))] + " " + ver()
		}
		return t
	}
	var richExpr func(depth int) string
	richExpr = func(depth int) string {
		if depth == 0 || r.Intn(3) == 0 {
			return plain()
		}
		a, b := richExpr(depth-1), richExpr(depth-1)
		switch r.Intn(8) {
		case 0:
			return "(" + a + " and " + b + ")"
		case 1:
			return "(" + a + " or " + b + ")"
		case 2:
			return "(" + a + " if " + b + ")"
		case 3:
			return "(" + a + " if " + b + " else " + richExpr(depth-1) + ")"
		case 4:
			return "(" + a + " unless " + b + ")"
		case 5:
			return "(" + a + " unless " + b + " else " + richExpr(depth-1) + ")"
		case 6:
			return "(" + name(r.Intn(g.names)) + " with " + capName(r.Intn(max(g.caps, 1))) + ")"
		}
		return "(" + name(r.Intn(g.names)) + " without " + capName(r.Intn(max(g.caps, 1))) + ")"
	}
	dep := func() repomd.Dep {
		s := plain()
		if r.Float64() < g.rich {
			s = richExpr(2)
			if s[0] != '(' {
				s = "(" + s + " or " + plain() + ")"
			}
		}
		d, err := repomd.ParseDep(s)
		if err != nil {
			panic(s + ": " + err.Error())
		}
		return d
	}
	var pkgs []*repomd.Package
	for n := 0; n < g.names; n++ {
		arches := []string{"x86_64"}
		switch x := r.Float64(); {
		case x < 0.3:
			arches = []string{"noarch"}
		case x < 0.3+g.multilibShare:
			arches = []string{"x86_64", "i686"}
		}
		if r.Float64() < g.foreignShare {
			arches = append(arches, "aarch64")
		}
		nv := 1 + r.Intn(g.maxVersions)
		for v := 1; v <= nv; v++ {
			for _, arch := range arches {
				p := &repomd.Package{Name: name(n), Arch: arch, EVR: repomd.EVR{Version: fmt.Sprint(v), Release: "1"}}
				p.Location = fmt.Sprintf("%s-%d-1.%s.rpm", p.Name, v, arch)
				p.Provides = p.Provides.Append(repomd.Dep{Name: p.Name, Flags: repomd.DepEQ, EVR: p.EVR})
				for c := r.Intn(3); c > 0 && g.caps > 0; c-- {
					d := repomd.Dep{Name: capName(r.Intn(g.caps))}
					if r.Intn(2) == 0 {
						d.Flags, d.EVR = repomd.DepEQ, repomd.EVR{Version: ver()}
					}
					p.Provides = p.Provides.Append(d)
				}
				for f := r.Intn(3); f > 0 && g.files > 0; f-- {
					p.Files = append(p.Files, repomd.File{Path: path(r.Intn(g.files))})
				}
				p.FilesComplete = true
				for k := r.Intn(2*g.requires + 1); k > 0; k-- {
					p.Requires = p.Requires.Append(dep())
				}
				if r.Float64() < g.conflicts {
					p.Conflicts = p.Conflicts.Append(dep())
				}
				if r.Float64() < g.obsoletes {
					o := repomd.Dep{Name: name(r.Intn(g.names))}
					if r.Intn(2) == 0 {
						o.Flags, o.EVR = repomd.DepLT, repomd.EVR{Version: ver()}
					}
					p.Obsoletes = p.Obsoletes.Append(o)
				}
				pkgs = append(pkgs, p)
			}
		}
	}
	r.Shuffle(len(pkgs), func(i, j int) { pkgs[i], pkgs[j] = pkgs[j], pkgs[i] })
	return pkgs
}

// bruteInstallable decides installability by trying every subset of pkgs
// against a direct reading of the rules (no CNF), for tiny instances.
func bruteInstallable(pkgs, install []*repomd.Package, multi map[*repomd.Package]bool) bool {
	compatible := map[string]bool{"x86_64": true, "athlon": true, "i686": true, "i586": true, "i486": true, "i386": true, "noarch": true}
	jobs := map[*repomd.Package]bool{}
	for _, p := range install {
		jobs[p] = true
	}
	n := len(pkgs)
	set := make([]*repomd.Package, 0, n)
	for m := 0; m < 1<<n; m++ {
		set = set[:0]
		ok := true
		for i, p := range pkgs {
			in := m>>i&1 == 1
			if jobs[p] && !in {
				ok = false
				break
			}
			if in {
				set = append(set, p)
			}
		}
		if ok && validSet(set, pkgs, compatible, multi) {
			return true
		}
	}
	return false
}

func provides(q *repomd.Package, d repomd.Dep) bool {
	if repomd.RangesOverlap(repomd.Dep{Name: q.Name, Flags: repomd.DepEQ, EVR: q.EVR}, d) {
		return true
	}
	for _, pr := range q.Provides.All() {
		if repomd.RangesOverlap(pr, d) {
			return true
		}
	}
	if strings.HasPrefix(d.Name, "/") {
		for _, f := range q.Files {
			if f.Path == d.Name {
				return true
			}
		}
	}
	return false
}

// matches is a rich leaf/with/without node on one package.
func matches(q *repomd.Package, r *repomd.Rich) bool {
	switch r.Op {
	case repomd.RichLeaf:
		return provides(q, r.Dep)
	case repomd.RichWith:
		for _, a := range r.Args {
			if !matches(q, a) {
				return false
			}
		}
		return true
	case repomd.RichWithout:
		return matches(q, r.Args[0]) && !matches(q, r.Args[1])
	}
	return false
}

// holds evaluates a rich dependency on an installed set (skip excluded).
func holds(r *repomd.Rich, set []*repomd.Package, skip *repomd.Package) bool {
	switch r.Op {
	case repomd.RichLeaf, repomd.RichWith, repomd.RichWithout:
		for _, q := range set {
			if q != skip && matches(q, r) {
				return true
			}
		}
		return false
	case repomd.RichAnd:
		for _, a := range r.Args {
			if !holds(a, set, skip) {
				return false
			}
		}
		return true
	case repomd.RichOr:
		for _, a := range r.Args {
			if holds(a, set, skip) {
				return true
			}
		}
		return false
	}
	a, b := holds(r.Args[0], set, skip), holds(r.Args[1], set, skip)
	switch r.Op {
	case repomd.RichIf:
		return a || !b
	case repomd.RichIfElse:
		if b {
			return a
		}
		return holds(r.Args[2], set, skip)
	case repomd.RichUnless:
		return a && !b
	case repomd.RichUnlessElse:
		if !b {
			return a
		}
		return holds(r.Args[2], set, skip)
	}
	panic("unknown rich op")
}

// Kinds of satisfied paths through a rich conflict (a path picks one
// branch of each "or" and one provider of each positive leaf; its literals
// are the packages it needs installed or absent).
const (
	kOther uint8 = 1 << iota // a path needing some package other than the owner
	kOnlyP                   // a path needing only the owner installed
	kEmpty                   // a path needing nothing
)

// conflictKinds evaluates rich conflict r of owner p on set (which holds
// p), over pool providers, negated when neg. The conflict fires when a path
// of kind kOther or kEmpty holds: libsolv ignores only the term "p alone".
func conflictKinds(r *repomd.Rich, neg bool, p *repomd.Package, set, pool []*repomd.Package) uint8 {
	inSet := func(q *repomd.Package) bool {
		for _, x := range set {
			if x == q {
				return true
			}
		}
		return false
	}
	switch r.Op {
	case repomd.RichLeaf, repomd.RichWith, repomd.RichWithout:
		var k uint8
		if !neg {
			for _, q := range set {
				if matches(q, r) {
					if q == p {
						k |= kOnlyP
					} else {
						k |= kOther
					}
				}
			}
			return k
		}
		any := false
		for _, q := range pool {
			if matches(q, r) {
				if inSet(q) {
					return 0
				}
				any = true
			}
		}
		if any {
			return kOther
		}
		return kEmpty
	}
	not := func(x *repomd.Rich) *repomd.Rich {
		return &repomd.Rich{Op: repomd.RichUnless, Args: []*repomd.Rich{nil, x}}
	}
	_ = not
	// Rewrite the conditional forms into and/or/not and evaluate.
	type node struct {
		and  bool
		args []func(neg bool) uint8
	}
	sub := func(x *repomd.Rich, flip bool) func(bool) uint8 {
		return func(n bool) uint8 { return conflictKinds(x, n != flip, p, set, pool) }
	}
	var nd node
	a := r.Args
	switch r.Op {
	case repomd.RichAnd, repomd.RichOr:
		nd.and = r.Op == repomd.RichAnd
		for _, x := range a {
			nd.args = append(nd.args, sub(x, false))
		}
	case repomd.RichIf: // A or not B
		nd = node{false, []func(bool) uint8{sub(a[0], false), sub(a[1], true)}}
	case repomd.RichUnless: // A and not B
		nd = node{true, []func(bool) uint8{sub(a[0], false), sub(a[1], true)}}
	case repomd.RichIfElse: // (A or not B) and (C or B)
		left := func(n bool) uint8 { return combine(n, n, sub(a[0], false), sub(a[1], true)) }
		right := func(n bool) uint8 { return combine(n, n, sub(a[2], false), sub(a[1], false)) }
		nd = node{true, []func(bool) uint8{left, right}}
	case repomd.RichUnlessElse: // (A and not B) or (C and B)
		left := func(n bool) uint8 { return combine(!n, n, sub(a[0], false), sub(a[1], true)) }
		right := func(n bool) uint8 { return combine(!n, n, sub(a[2], false), sub(a[1], false)) }
		nd = node{false, []func(bool) uint8{left, right}}
	}
	// Under negation an "and" becomes an "or" of negated operands.
	return combine(nd.and != neg, neg, nd.args...)
}

// combine joins operand kinds by "and" (every operand holds, kinds merge)
// or "or" (any operand), evaluating operands negated when neg.
func combine(and, neg bool, args ...func(bool) uint8) uint8 {
	if !and {
		var k uint8
		for _, f := range args {
			k |= f(neg)
		}
		return k
	}
	k := kEmpty
	for _, f := range args {
		x := f(neg)
		var next uint8
		for _, k1 := range []uint8{kOther, kOnlyP, kEmpty} {
			for _, k2 := range []uint8{kOther, kOnlyP, kEmpty} {
				if k&k1 == 0 || x&k2 == 0 {
					continue
				}
				switch {
				case k1 == kOther || k2 == kOther:
					next |= kOther
				case k1 == kOnlyP || k2 == kOnlyP:
					next |= kOnlyP
				default:
					next |= kEmpty
				}
			}
		}
		k = next
	}
	return k
}

func validSet(set, pool []*repomd.Package, compatible map[string]bool, multi map[*repomd.Package]bool) bool {
	var compat []*repomd.Package
	for _, q := range pool {
		if compatible[q.Arch] {
			compat = append(compat, q)
		}
	}
	for i, p := range set {
		if !compatible[p.Arch] {
			return false
		}
		for _, d := range p.Requires.All() {
			if d.IsRich() {
				r, err := repomd.ParseRich(d.Name)
				if err != nil || !holds(r, set, nil) {
					return false
				}
				continue
			}
			found := false
			for _, q := range set {
				if provides(q, d) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		for _, d := range p.Conflicts.All() {
			if d.IsRich() {
				r, err := repomd.ParseRich(d.Name)
				if err == nil && conflictKinds(r, false, p, set, compat)&(kOther|kEmpty) != 0 {
					return false
				}
				continue
			}
			for _, q := range set {
				if q != p && provides(q, d) {
					return false
				}
			}
		}
		for _, o := range p.Obsoletes.All() {
			for _, q := range set {
				if q != p && q.Name == o.Name && repomd.RangesOverlap(repomd.Dep{Name: q.Name, Flags: repomd.DepEQ, EVR: q.EVR}, o) {
					return false
				}
			}
		}
		for _, q := range set[i+1:] {
			if q.Name != p.Name || !colorMatch(p.Arch, q.Arch) {
				continue
			}
			same := p.Arch == q.Arch && repomd.CompareEVR(p.EVR, q.EVR) == 0
			if !(multi[p] && multi[q]) || same {
				return false
			}
		}
	}
	return true
}

var tinyParams = genParams{names: 5, caps: 3, files: 2, maxVersions: 2, multilibShare: 0.3, foreignShare: 0.1,
	requires: 1, conflicts: 0.3, obsoletes: 0.2, rich: 0.3}

// tinyCase is a random repository of at most 12 packages and a job.
func tinyCase(r *rand.Rand) (pkgs, install []*repomd.Package) {
	for {
		pkgs = genRepo(r, tinyParams)
		if len(pkgs) <= 12 {
			break
		}
	}
	for k := 1 + r.Intn(3); k > 0; k-- {
		install = append(install, pkgs[r.Intn(len(pkgs))])
	}
	return pkgs, install
}

// TestRandomAgainstBruteForce compares Check with exhaustive search over
// package subsets on many tiny random repositories, and verifies every
// solution it returns.
func TestRandomAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	var yes, no int
	for iter := 0; iter < 1500; iter++ {
		pkgs, install := tinyCase(r)
		res, err := CheckWith(install, pkgs, "x86_64", Options{NoInfArch: true})
		if err != nil {
			t.Fatal(err)
		}
		want := bruteInstallable(pkgs, install, nil)
		if res.Installable != want {
			t.Fatalf("iter %d: Installable = %v, brute force %v; problems %q\n%s", iter, res.Installable, want, allSentences(res), dump(pkgs, install))
		}
		if res.Installable {
			yes++
			if !validSet(res.Solution, pkgs, map[string]bool{"x86_64": true, "i686": true, "noarch": true}, nil) {
				t.Fatalf("iter %d: returned solution is not valid\n%s", iter, dump(pkgs, install))
			}
		} else {
			no++
			if len(res.Problems) == 0 {
				t.Fatalf("iter %d: not installable without a problem", iter)
			}
		}
	}
	if yes < 200 || no < 200 {
		t.Errorf("unbalanced: %d installable, %d not", yes, no)
	}
}

// TestRandomAgreesWithLibsolv asks libsolv the same tiny random questions
// (the whole batch in one python3 run).
func TestRandomAgreesWithLibsolv(t *testing.T) {
	py := toolcheck.NeedPython3Solv(t)
	r := rand.New(rand.NewSource(4242))
	var batches []oracleBatch
	var installs [][]*repomd.Package
	var opts []Options
	for iter := 0; iter < randomLibsolvCases; iter++ {
		pkgs, install := tinyCase(r)
		c := oracleCase{Arch: "x86_64", Multiversion: []string{}}
		if r.Intn(5) == 0 {
			c.Arch = "aarch64"
		}
		if r.Intn(3) == 0 {
			c.Multiversion = []string{"n1", "cap0"}
		}
		for _, p := range install {
			c.Install = append(c.Install, "0:"+p.Location)
		}
		batches = append(batches, oracleBatch{pkgs: pkgs, cases: []oracleCase{c}})
		installs = append(installs, install)
		opts = append(opts, Options{Multiversion: c.Multiversion})
	}
	answers := askLibsolv(t, py, batches)
	for i, b := range batches {
		res, err := CheckWith(installs[i], b.pkgs, b.cases[0].Arch, opts[i])
		if err != nil {
			t.Fatal(err)
		}
		if res.Installable != answers[i][0].Installable {
			t.Errorf("case %d (%s, multiversion %v): Installable = %v, libsolv %v %q; ours %q\n%s", i, b.cases[0].Arch, b.cases[0].Multiversion,
				res.Installable, answers[i][0].Installable, answers[i][0].Problems, allSentences(res), dump(b.pkgs, installs[i]))
		}
	}
}

// randomLibsolvCases keeps the test quick; raise it to hunt for
// disagreements (3000 cases agree).
var randomLibsolvCases = 400

func dump(pkgs, install []*repomd.Package) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "  %s", p.NEVRA())
		for _, d := range p.Requires.All() {
			fmt.Fprintf(&b, " R:%s", d)
		}
		for _, d := range p.Conflicts.All() {
			fmt.Fprintf(&b, " C:%s", d)
		}
		for _, d := range p.Obsoletes.All() {
			fmt.Fprintf(&b, " O:%s", d)
		}
		for _, d := range p.Provides.Slice()[1:] {
			fmt.Fprintf(&b, " P:%s", d)
		}
		for _, f := range p.Files {
			fmt.Fprintf(&b, " F:%s", f.Path)
		}
		b.WriteString("\n")
	}
	b.WriteString("  install:")
	for _, p := range install {
		b.WriteString(" " + p.NEVRA())
	}
	return b.String()
}
