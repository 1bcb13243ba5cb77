package repomd

import (
	"fmt"
	"strings"
)

// This file parses rich (boolean) dependencies as rpm's rpmrich.c does:
// "(A and B)", "(A or B or C)", "(A if B else C)", "(A unless B)",
// "(A with B)", "(A without B)", nested with parentheses. Names may carry
// balanced parentheses of their own ("libc.so.6()(64bit)").

// RichOp is the operator of a rich dependency node.
type RichOp uint8

const (
	RichLeaf       RichOp = iota // a plain dependency in Dep
	RichAnd                      // all Args
	RichOr                       // any of Args
	RichIf                       // Args[0] if Args[1]
	RichIfElse                   // Args[0] if Args[1] else Args[2]
	RichUnless                   // Args[0] unless Args[1]
	RichUnlessElse               // Args[0] unless Args[1] else Args[2]
	RichWith                     // one package providing all Args
	RichWithout                  // a package providing Args[0] but not Args[1]
)

var richOpWords = map[string]RichOp{"and": RichAnd, "or": RichOr, "if": RichIf, "unless": RichUnless,
	"with": RichWith, "without": RichWithout, "else": RichIfElse}

var richOpNames = [...]string{"", "and", "or", "if", "if", "unless", "unless", "with", "without"}

func (o RichOp) String() string {
	switch o {
	case RichLeaf:
		return "leaf"
	case RichIfElse:
		return "if-else"
	case RichUnlessElse:
		return "unless-else"
	}
	return richOpNames[o]
}

// Rich is one node of a parsed rich dependency.
type Rich struct {
	Op   RichOp
	Dep  Dep // when Op == RichLeaf
	Args []*Rich
}

// String renders the tree back in rpm's syntax.
func (r *Rich) String() string {
	var b strings.Builder
	r.write(&b)
	return b.String()
}

func (r *Rich) write(b *strings.Builder) {
	if r.Op == RichLeaf {
		b.WriteString(r.Dep.String())
		return
	}
	b.WriteByte('(')
	for i, a := range r.Args {
		if i > 0 {
			b.WriteByte(' ')
			if i == 2 && (r.Op == RichIfElse || r.Op == RichUnlessElse) {
				b.WriteString("else")
			} else {
				b.WriteString(richOpNames[r.Op])
			}
			b.WriteByte(' ')
		}
		a.write(b)
	}
	b.WriteByte(')')
}

// ParseRich parses a rich dependency; s must start with '('.
func ParseRich(s string) (*Rich, error) {
	p := richParser{s: s}
	p.skipSpace()
	if p.peek() != '(' {
		return nil, fmt.Errorf("rich dependency %q: must start with '('", s)
	}
	r, err := p.group()
	if err != nil {
		return nil, fmt.Errorf("rich dependency %q: %v", truncateString(s, 80), err)
	}
	p.skipSpace()
	if p.i != len(s) {
		return nil, fmt.Errorf("rich dependency %q: unexpected %q after the closing ')'", s, s[p.i:])
	}
	return r, nil
}

// MaxRichDepth is how deeply rich dependencies may nest. rpm's own
// rpmrich.c recurses without a limit; real packages nest three or four
// levels, and the evaluators walk the tree recursively, so a limit keeps a
// hostile primary.xml from exhausting the stack.
const MaxRichDepth = 64

type richParser struct {
	s     string
	i     int
	depth int
}

func (p *richParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *richParser) skipSpace() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// group parses "( term [op term …] )" with p at '('.
func (p *richParser) group() (*Rich, error) {
	p.depth++
	if p.depth > MaxRichDepth {
		return nil, fmt.Errorf("nested deeper than the limit of %d levels", MaxRichDepth)
	}
	defer func() { p.depth-- }()
	p.i++ // '('
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	node := &Rich{Args: []*Rich{first}}
	for {
		p.skipSpace()
		switch p.peek() {
		case ')':
			p.i++
			if len(node.Args) == 1 {
				return first, nil
			}
			return node, nil
		case 0:
			return nil, fmt.Errorf("missing ')'")
		}
		at := p.i
		word := p.word()
		op, ok := richOpWords[word]
		if !ok {
			return nil, fmt.Errorf("unknown operator %q at offset %d", word, at)
		}
		switch {
		case node.Op == RichLeaf && op != RichIfElse:
			node.Op = op
		case word == "else" && (node.Op == RichIf || node.Op == RichUnless) && len(node.Args) == 2:
			node.Op++ // RichIf → RichIfElse, RichUnless → RichUnlessElse
		case op == node.Op && (op == RichAnd || op == RichOr || op == RichWith):
		default:
			return nil, fmt.Errorf("operator %q at offset %d cannot follow %q without parentheses", word, at, node.Op)
		}
		arg, err := p.term()
		if err != nil {
			return nil, err
		}
		node.Args = append(node.Args, arg)
		// and/or/with chain freely; the others take a fixed number of
		// operands, which the operator checks above already enforce.
		if (node.Op == RichWithout || node.Op == RichIf || node.Op == RichUnless) && len(node.Args) > 2 ||
			len(node.Args) > 3 && node.Op != RichAnd && node.Op != RichOr && node.Op != RichWith {
			return nil, fmt.Errorf("too many operands for %q", node.Op)
		}
	}
}

func (p *richParser) word() string {
	start := p.i
	for p.i < len(p.s) && isAlpha(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		// Report the offending token rather than an empty word.
		p.nonWhite()
	}
	return p.s[start:p.i]
}

// term parses a nested group or a simple "name [OP evr]".
func (p *richParser) term() (*Rich, error) {
	p.skipSpace()
	switch p.peek() {
	case '(':
		return p.group()
	case 0, ')':
		return nil, fmt.Errorf("missing operand at offset %d", p.i)
	}
	name := p.nonWhite()
	d := Dep{Name: name}
	save := p.i
	p.skipSpace()
	opStart := p.i
	for p.i < len(p.s) && (p.s[p.i] == '<' || p.s[p.i] == '>' || p.s[p.i] == '=') {
		p.i++
	}
	if p.i == opStart {
		p.i = save
		return &Rich{Op: RichLeaf, Dep: d}, nil
	}
	op, ok := ParseDepFlag(p.s[opStart:p.i])
	if !ok {
		return nil, fmt.Errorf("bad operator %q in %q", p.s[opStart:p.i], name)
	}
	p.skipSpace()
	evr := p.nonWhite()
	if evr == "" {
		return nil, fmt.Errorf("missing version after %s %s", name, op)
	}
	d.Flags, d.EVR = op, ParseEVR(evr)
	if d.EVR.Version == "" {
		// "-" or "-1" or "1:": nothing to compare against, and it would
		// print as no version at all.
		return nil, fmt.Errorf("missing version after %s %s (got %q)", name, op, evr)
	}
	return &Rich{Op: RichLeaf, Dep: d}, nil
}

// nonWhite reads a name or version: up to white space or an unbalanced ')'.
func (p *richParser) nonWhite() string {
	start, depth := p.i, 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if depth == 0 && (isSpace(c) || c == ')') {
			break
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			depth--
		}
		p.i++
	}
	return p.s[start:p.i]
}

// truncateString shortens s for an error message.
func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
