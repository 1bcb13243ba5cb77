package depsolve

import (
	"fmt"
	"strings"

	"github.com/pungo/pungo/repomd"
)

// parseRich parses a rich dependency with repomd.ParseRich, falling back to
// parseRichChain for what that parser rejects but rpm accepts: chains of
// more than three operands of one operator, "(a or b or c or d)", which
// real repositories carry (Java's "(java-headless or java-17-headless or
// …)"). The fallback yields the same tree shape repomd.ParseRich does.
func parseRich(s string) (*repomd.Rich, error) {
	r, err := repomd.ParseRich(s)
	if err == nil {
		return r, nil
	}
	if r2, err2 := parseRichChain(s); err2 == nil {
		return r2, nil
	}
	return nil, err
}

var richOps = map[string]repomd.RichOp{
	"and": repomd.RichAnd, "or": repomd.RichOr, "if": repomd.RichIf, "unless": repomd.RichUnless,
	"with": repomd.RichWith, "without": repomd.RichWithout,
}

// parseRichChain parses "( term OP term [OP term]… )" where each term is a
// plain dependency ("name", "name OP evr") or a parenthesized rich
// dependency, with rpm's rules: one operator per level, "else" only after
// the second operand of "if"/"unless".
func parseRichChain(s string) (*repomd.Rich, error) {
	p := &chainParser{s: s}
	r, err := p.group()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("rich dependency %q: trailing text", s)
	}
	return r, nil
}

type chainParser struct {
	s string
	i int
}

func (p *chainParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// word reads up to a space or an unbalanced ')'.
func (p *chainParser) word() string {
	start, depth := p.i, 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ' ' || (c == ')' && depth == 0) {
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

func (p *chainParser) group() (*repomd.Rich, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("rich dependency %q: expected '(' at offset %d", p.s, p.i)
	}
	p.i++
	node := &repomd.Rich{}
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		node.Args = append(node.Args, t)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ')' {
			p.i++
			if len(node.Args) == 1 {
				return node.Args[0], nil
			}
			return node, nil
		}
		at := p.i
		w := p.word()
		switch op, ok := richOps[w]; {
		case w == "else" && (node.Op == repomd.RichIf || node.Op == repomd.RichUnless) && len(node.Args) == 2:
			node.Op++ // if → if-else, unless → unless-else
		case !ok:
			return nil, fmt.Errorf("rich dependency %q: unknown operator %q at offset %d", p.s, w, at)
		case len(node.Args) == 1:
			node.Op = op
		case op != node.Op || (op != repomd.RichAnd && op != repomd.RichOr && op != repomd.RichWith):
			return nil, fmt.Errorf("rich dependency %q: operator %q at offset %d needs parentheses", p.s, w, at)
		}
	}
}

func (p *chainParser) term() (*repomd.Rich, error) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		return p.group()
	}
	name := p.word()
	if name == "" {
		return nil, fmt.Errorf("rich dependency %q: missing operand at offset %d", p.s, p.i)
	}
	d := repomd.Dep{Name: name}
	save := p.i
	p.space()
	if op, ok := repomd.ParseDepFlag(p.peekWord()); ok && op != repomd.DepAny {
		p.word()
		p.space()
		evr := p.word()
		if evr == "" {
			return nil, fmt.Errorf("rich dependency %q: missing version after %q", p.s, name)
		}
		d.Flags, d.EVR = op, repomd.ParseEVR(evr)
	} else {
		p.i = save
	}
	return &repomd.Rich{Op: repomd.RichLeaf, Dep: d}, nil
}

func (p *chainParser) peekWord() string {
	save := p.i
	w := p.word()
	p.i = save
	if strings.ContainsAny(w, "()") {
		return ""
	}
	return w
}
