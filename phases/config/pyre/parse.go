// Package pyre reads and matches Python regular expressions as Python's re
// module does, for the variant regexes of Pungi configs (Pungi matches
// variant UIDs with re.match). Go's regexp refuses look-ahead and
// look-behind, back-references, conditional and atomic groups and
// possessive quantifiers, accepts things Python refuses (flags in the
// middle, "^*") and reads some syntax differently ("{,3}", "[[:alpha:]]",
// "$" before a final newline).
//
// The engine backtracks over the parsed pattern (subjects are variant UIDs,
// a few dozen characters) with a step budget, so a pathological pattern
// answers "no match" instead of running away. Syntax errors are worded as
// Python's re module words them, with the position in characters.
package pyre

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Flags are the inline flags of a pattern or group.
type flags uint8

const (
	flagI flags = 1 << iota // IGNORECASE
	flagM                   // MULTILINE
	flagS                   // DOTALL
	flagX                   // VERBOSE
	flagA                   // ASCII
)

var flagLetters = map[rune]flags{'i': flagI, 'm': flagM, 's': flagS, 'x': flagX, 'a': flagA, 'u': 0}

type node interface{}

type (
	literal struct {
		r    rune
		fold bool
	}
	anyChar struct{ dotall bool }
	class   struct {
		items []classItem
		neg   bool
		fold  bool
	}
	classItem struct {
		lo, hi rune
		named  byte // 'd', 'w', 's' (lower case) or their negations 'D', 'W', 'S'; 0 for a range
		ascii  bool
	}
	assertion struct {
		kind  byte // '^', '$', 'A', 'Z', 'b', 'B'
		multi bool
		ascii bool
	}
	concat []node
	alt    []node
	group  struct {
		index int
		body  node
	}
	repeat struct {
		body       node
		min, max   int // max < 0: unbounded
		lazy, poss bool
	}
	look struct {
		body        node
		behind, neg bool
		width       int
	}
	backref struct {
		index int
		fold  bool
	}
	cond struct {
		index   int
		yes, no node
	}
	atomic struct{ body node }
)

// Regexp is a compiled pattern.
type Regexp struct {
	prog   node
	groups int
}

// Error is a syntax error in a pattern, as Python's re.error describes it.
type Error struct {
	Msg string
	Pos int
}

func (e *Error) Error() string {
	if e.Pos < 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s at position %d", e.Msg, e.Pos)
}

type parser struct {
	src    []rune
	pos    int
	flags  flags
	groups int
	names  map[string]int
	open   map[int]bool
	refs   []pendingRef
	// atStart: nothing but comments and global flags read yet, in the
	// first top-level branch; global flags are allowed only there.
	atStart bool
	// behindGroups is the group count when the innermost look-behind
	// started (-1 outside look-behinds): references from inside one must
	// name groups closed before it.
	behindGroups int
	depth        int // open groups
}

// maxGroupDepth bounds group nesting. Python's sre parser recurses per
// group and fails with RecursionError some hundreds deep; a fixed limit
// keeps this parser's and the matcher's stacks bounded.
const maxGroupDepth = 100

type pendingRef struct {
	index, pos int
}

// Compile parses a Python regular expression.
func Compile(pattern string) (*Regexp, error) {
	p := &parser{src: []rune(pattern), names: map[string]int{}, open: map[int]bool{}, atStart: true, behindGroups: -1}
	n, err := p.alternation()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		// only a ")" stops the top-level alternation early
		return nil, &Error{"unbalanced parenthesis", p.pos}
	}
	for _, r := range p.refs {
		if r.index > p.groups {
			return nil, &Error{fmt.Sprintf("invalid group reference %d", r.index), r.pos}
		}
	}
	return &Regexp{prog: n, groups: p.groups}, nil
}

func (p *parser) skipVerbose() {
	if p.flags&flagX == 0 {
		return
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '#' {
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
			continue
		}
		if !strings.ContainsRune(" \t\n\r\f\v", c) {
			return
		}
		p.pos++
	}
}

func (p *parser) alternation() (node, error) {
	var branches []node
	for {
		seq, err := p.sequence()
		if err != nil {
			return nil, err
		}
		branches = append(branches, seq)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			p.atStart = false
			continue
		}
		break
	}
	if len(branches) == 1 {
		return branches[0], nil
	}
	return alt(branches), nil
}

func (p *parser) sequence() (node, error) {
	var seq concat
	for {
		p.skipVerbose()
		if p.pos >= len(p.src) || p.src[p.pos] == '|' || p.src[p.pos] == ')' {
			return seq, nil
		}
		atomPos := p.pos
		c := p.src[p.pos]
		if c == '*' || c == '+' || c == '?' || (c == '{' && p.countedRepeat()) {
			if len(seq) == 0 {
				return nil, &Error{"nothing to repeat", atomPos}
			}
			// only after a comment or flags: the quantifier applies to
			// the item before them
			last, err := p.quantifiers(seq[len(seq)-1], true)
			if err != nil {
				return nil, err
			}
			seq[len(seq)-1] = last
			continue
		}
		atom, err := p.atom()
		if err != nil {
			return nil, err
		}
		if atom == nil {
			continue // a comment or global flags
		}
		p.atStart = false
		if atom, err = p.quantifiers(atom, false); err != nil {
			return nil, err
		}
		seq = append(seq, atom)
	}
}

// quantifiers applies the repetition operators following an atom.
func (p *parser) quantifiers(atom node, afterComment bool) (node, error) {
	_, repeated := atom.(repeat)
	repeated = repeated && afterComment
	for {
		p.skipVerbose()
		if p.pos >= len(p.src) {
			return atom, nil
		}
		at := p.pos
		min, max := 0, 0
		switch c := p.src[p.pos]; {
		case c == '*':
			min, max = 0, -1
			p.pos++
		case c == '+':
			min, max = 1, -1
			p.pos++
		case c == '?':
			min, max = 0, 1
			p.pos++
		case c == '{' && p.countedRepeat():
			var err error
			if min, max, err = p.counted(); err != nil {
				return nil, err
			}
		default:
			return atom, nil
		}
		if repeated {
			return nil, &Error{"multiple repeat", at}
		}
		if _, isAssert := atom.(assertion); isAssert {
			return nil, &Error{"nothing to repeat", at}
		}
		r := repeat{body: atom, min: min, max: max}
		if p.pos < len(p.src) && p.src[p.pos] == '?' {
			r.lazy = true
			p.pos++
		} else if p.pos < len(p.src) && p.src[p.pos] == '+' {
			r.poss = true
			p.pos++
		}
		atom = r
		repeated = true
	}
}

// countedRepeat reports whether "{" at the current position starts
// {m}, {m,}, {,n} or {m,n}; otherwise Python reads the brace literally.
func (p *parser) countedRepeat() bool {
	i := p.pos + 1
	digits := 0
	for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
		i++
		digits++
	}
	if i < len(p.src) && p.src[i] == ',' {
		i++
		for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
			i++
		}
	} else if digits == 0 {
		return false
	}
	return i < len(p.src) && p.src[i] == '}'
}

func (p *parser) counted() (int, int, error) {
	start := p.pos
	p.pos++
	body := string(p.src[p.pos:])
	end := strings.IndexRune(body, '}')
	spec := body[:end]
	p.pos += len([]rune(spec)) + 1
	lo, hi, comma := strings.Cut(spec, ",")
	min, max := 0, -1
	if lo != "" {
		v, err := strconv.Atoi(lo)
		if err != nil || v > 1<<30 {
			return 0, 0, &Error{"the repetition number is too large", start + 1}
		}
		min = v
	}
	if !comma {
		max = min
	} else if hi != "" {
		v, err := strconv.Atoi(hi)
		if err != nil || v > 1<<30 {
			return 0, 0, &Error{"the repetition number is too large", start + 1}
		}
		max = v
		if max < min {
			return 0, 0, &Error{"min repeat greater than max repeat", start + 1}
		}
	}
	return min, max, nil
}

func (p *parser) atom() (node, error) {
	c := p.src[p.pos]
	start := p.pos
	p.pos++
	fold := p.flags&flagI != 0
	switch c {
	case '.':
		return anyChar{dotall: p.flags&flagS != 0}, nil
	case '^':
		return assertion{kind: '^', multi: p.flags&flagM != 0}, nil
	case '$':
		return assertion{kind: '$', multi: p.flags&flagM != 0}, nil
	case '[':
		return p.class(start)
	case '(':
		return p.group(start)
	case '\\':
		return p.escape(start)
	}
	return literal{r: c, fold: fold}, nil
}

func (p *parser) group(start int) (node, error) {
	if p.depth >= maxGroupDepth {
		return nil, &Error{fmt.Sprintf("groups nested deeper than the limit of %d", maxGroupDepth), start}
	}
	p.depth++
	defer func() { p.depth-- }()
	wasStart := p.atStart
	p.atStart = false
	if p.pos < len(p.src) && p.src[p.pos] == '?' {
		p.pos++
		if p.pos >= len(p.src) {
			return nil, &Error{"unexpected end of pattern", p.pos}
		}
		c := p.src[p.pos]
		p.pos++
		switch c {
		case ':':
			return p.body(start, func(n node) node { return concat{n} })
		case '>':
			return p.body(start, func(n node) node { return atomic{n} })
		case '#':
			for p.pos < len(p.src) && p.src[p.pos] != ')' {
				p.pos++
			}
			if p.pos >= len(p.src) {
				return nil, &Error{"missing ), unterminated comment", start}
			}
			p.pos++
			p.atStart = wasStart
			return nil, nil
		case '=', '!':
			return p.lookaround(start, false, c == '!')
		case '<':
			if p.pos < len(p.src) && (p.src[p.pos] == '=' || p.src[p.pos] == '!') {
				neg := p.src[p.pos] == '!'
				p.pos++
				return p.lookaround(start, true, neg)
			}
			return p.named(start) // Python 3.12 does not take (?<name>); see named
		case 'P':
			if p.pos < len(p.src) && p.src[p.pos] == '<' {
				p.pos++
				return p.named(start)
			}
			if p.pos < len(p.src) && p.src[p.pos] == '=' {
				p.pos++
				name, err := p.groupName(')')
				if err != nil {
					return nil, err
				}
				idx, ok := p.names[name]
				if !ok {
					return nil, &Error{fmt.Sprintf("unknown group name '%s'", name), start + 4}
				}
				if p.open[idx] {
					return nil, &Error{"cannot refer to an open group", start + 4}
				}
				if err := p.behindRef(idx); err != nil {
					return nil, err
				}
				return backref{index: idx, fold: p.flags&flagI != 0}, nil
			}
			if p.pos >= len(p.src) {
				return nil, &Error{"unexpected end of pattern", p.pos}
			}
			return nil, &Error{"unknown extension ?P" + string(p.src[p.pos]), start + 1}
		case '(':
			return p.conditional(start)
		}
		p.pos--
		return p.scopedFlags(start, wasStart)
	}
	p.groups++
	idx := p.groups
	p.open[idx] = true
	n, err := p.body(start, func(n node) node { return group{index: idx, body: n} })
	delete(p.open, idx)
	return n, err
}

func (p *parser) named(start int) (node, error) {
	if start+2 < len(p.src) && p.src[start+2] == '<' {
		// "(?<name>" without P: Python 3.11+ does not accept it; "(?<" at
		// the very end is, as in Python, the end of the pattern.
		if p.pos >= len(p.src) {
			return nil, &Error{"unexpected end of pattern", p.pos}
		}
		return nil, &Error{"unknown extension ?<" + string(p.src[p.pos]), start + 1}
	}
	name, err := p.groupName('>')
	if err != nil {
		return nil, err
	}
	p.groups++
	idx := p.groups
	if old, dup := p.names[name]; dup {
		return nil, &Error{fmt.Sprintf("redefinition of group name '%s' as group %d; was group %d", name, idx, old), start + 4}
	}
	p.names[name] = idx
	p.open[idx] = true
	n, err := p.body(start, func(n node) node { return group{index: idx, body: n} })
	delete(p.open, idx)
	return n, err
}

func (p *parser) groupName(end rune) (string, error) {
	at := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != end {
		p.pos++
	}
	if p.pos >= len(p.src) {
		return "", &Error{"missing " + string(end) + ", unterminated name", at}
	}
	name := string(p.src[at:p.pos])
	p.pos++
	if name == "" {
		return "", &Error{"missing group name", at}
	}
	if !isIdentifier(name) {
		return "", &Error{fmt.Sprintf("bad character in group name '%s'", name), at}
	}
	return name, nil
}

func isIdentifier(name string) bool {
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return name != ""
}

func (p *parser) lookaround(start int, behind, neg bool) (node, error) {
	saved := p.behindGroups
	if behind {
		p.behindGroups = p.groups
	}
	n, err := p.body(start, func(n node) node { return look{body: n, behind: behind, neg: neg} })
	p.behindGroups = saved
	if err != nil || !behind {
		return n, err
	}
	l := n.(look)
	w, fixed := width(l.body)
	if !fixed {
		return nil, &Error{"look-behind requires fixed-width pattern", -1}
	}
	l.width = w
	return l, nil
}

// width is the number of characters every match of n has, if fixed.
func width(n node) (int, bool) {
	switch n := n.(type) {
	case literal, anyChar, class:
		return 1, true
	case assertion, look:
		return 0, true
	case concat:
		total := 0
		for _, x := range n {
			w, ok := width(x)
			if !ok {
				return 0, false
			}
			total += w
		}
		return total, true
	case alt:
		first := -1
		for _, x := range n {
			w, ok := width(x)
			if !ok || first >= 0 && w != first {
				return 0, false
			}
			first = w
		}
		return first, true
	case group:
		return width(n.body)
	case atomic:
		return width(n.body)
	case repeat:
		w, ok := width(n.body)
		if !ok || n.min != n.max {
			return 0, false
		}
		return w * n.min, true
	case cond:
		a, ok1 := width(n.yes)
		b, ok2 := width(n.no)
		return a, ok1 && ok2 && a == b
	}
	return 0, false // back-references
}

func (p *parser) conditional(start int) (node, error) {
	at := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != ')' {
		p.pos++
	}
	if p.pos >= len(p.src) {
		return nil, &Error{"missing ), unterminated name", at}
	}
	ref := string(p.src[at:p.pos])
	p.pos++
	idx, err := strconv.Atoi(ref)
	if err != nil || strings.Trim(ref, "0123456789") != "" {
		if !isIdentifier(ref) {
			return nil, &Error{fmt.Sprintf("bad character in group name '%s'", ref), at}
		}
		var ok bool
		if idx, ok = p.names[ref]; !ok {
			return nil, &Error{fmt.Sprintf("unknown group name '%s'", ref), at}
		}
	} else if idx == 0 {
		return nil, &Error{"bad group number", at}
	} else {
		p.refs = append(p.refs, pendingRef{idx, at})
	}
	if p.behindGroups >= 0 && (idx > p.groups || p.open[idx]) {
		return nil, &Error{"cannot refer to an open group", p.pos}
	}
	if err := p.behindRef(idx); err != nil {
		return nil, err
	}
	yes, err := p.sequence()
	if err != nil {
		return nil, err
	}
	var no node = concat(nil)
	if p.pos < len(p.src) && p.src[p.pos] == '|' {
		p.pos++
		if no, err = p.sequence(); err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			return nil, &Error{"conditional backref with more than two branches", p.pos}
		}
	}
	if p.pos >= len(p.src) {
		return nil, &Error{"missing ), unterminated subpattern", start}
	}
	p.pos++
	return cond{index: idx, yes: yes, no: no}, nil
}

// scopedFlags reads "(?flags)" (only allowed at the start: handled by
// leadingFlags) and "(?flags-flags:...)".
func (p *parser) scopedFlags(start int, wasStart bool) (node, error) {
	var on, off flags
	minus := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '-' && !minus {
			minus = true
			p.pos++
			if p.pos < len(p.src) {
				if _, ok := flagLetters[p.src[p.pos]]; !ok {
					return nil, &Error{"missing flag", p.pos}
				}
			}
			continue
		}
		f, ok := flagLetters[c]
		if !ok {
			break
		}
		if minus {
			off |= f
		} else {
			on |= f
		}
		p.pos++
	}
	if p.pos >= len(p.src) {
		return nil, &Error{"missing -, : or )", p.pos}
	}
	switch p.src[p.pos] {
	case ')':
		if minus {
			return nil, &Error{"missing :", p.pos}
		}
		if p.pos == start+2 {
			return nil, &Error{"unknown extension ?)", start + 1}
		}
		if !wasStart {
			return nil, &Error{"global flags not at the start of the expression", start}
		}
		p.pos++
		p.flags |= on
		p.atStart = true
		return nil, nil
	case ':':
		p.pos++
		saved := p.flags
		p.flags = (p.flags | on) &^ off
		n, err := p.body(start, func(n node) node { return concat{n} })
		p.flags = saved
		return n, err
	}
	if p.pos == start+2 {
		ext := string(p.src[p.pos])
		if ext == `\` && p.pos+1 < len(p.src) {
			ext += string(p.src[p.pos+1])
		}
		return nil, &Error{"unknown extension ?" + ext, start + 1}
	}
	return nil, &Error{"unknown flag", p.pos}
}

// body reads a group's alternation up to its ")".
func (p *parser) body(start int, wrap func(node) node) (node, error) {
	n, err := p.alternation()
	if err != nil {
		return nil, err
	}
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return nil, &Error{"missing ), unterminated subpattern", start}
	}
	p.pos++
	return wrap(n), nil
}

// escape reads a backslash sequence outside a character class.
func (p *parser) escape(start int) (node, error) {
	if p.pos >= len(p.src) {
		return nil, &Error{"bad escape (end of pattern)", start}
	}
	c := p.src[p.pos]
	p.pos++
	ascii := p.flags&flagA != 0
	fold := p.flags&flagI != 0
	switch c {
	case 'A', 'Z', 'b', 'B':
		return assertion{kind: byte(c), ascii: ascii}, nil
	case 'd', 'D', 'w', 'W', 's', 'S':
		return class{items: []classItem{{named: byte(c), ascii: ascii}}, fold: fold}, nil
	}
	if c >= '1' && c <= '9' {
		digits := string(c)
		if p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			// three octal digits are a character, two digits a group
			if c <= '3' && p.pos+1 < len(p.src) && isOctal(p.src[p.pos]) && isOctal(p.src[p.pos+1]) && isOctal(c) {
				v, _ := strconv.ParseInt(string(p.src[p.pos-1:p.pos+2]), 8, 32)
				p.pos += 2
				return literal{r: rune(v), fold: fold}, nil
			}
			digits += string(p.src[p.pos])
			p.pos++
		}
		idx, _ := strconv.Atoi(digits)
		if p.open[idx] {
			return nil, &Error{"cannot refer to an open group", start}
		}
		if idx > p.groups {
			return nil, &Error{fmt.Sprintf("invalid group reference %d", idx), start + 1}
		}
		if err := p.behindRef(idx); err != nil {
			return nil, err
		}
		return backref{index: idx, fold: fold}, nil
	}
	r, err := p.charEscape(c, start, false)
	if err != nil {
		return nil, err
	}
	return literal{r: r, fold: fold}, nil
}

// behindRef refuses, inside a look-behind, a reference to a group that
// the same look-behind defines.
func (p *parser) behindRef(idx int) error {
	if p.behindGroups >= 0 && idx > p.behindGroups {
		return &Error{"cannot refer to group defined in the same lookbehind subpattern", p.pos}
	}
	return nil
}

func isOctal(r rune) bool { return r >= '0' && r <= '7' }

// charEscape decodes an escape that stands for one character.
func (p *parser) charEscape(c rune, start int, inClass bool) (rune, error) {
	switch c {
	case 'a':
		return '\a', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'v':
		return '\v', nil
	case 'b':
		if inClass {
			return '\b', nil
		}
	case '0':
		v := 0
		for n := 0; n < 2 && p.pos < len(p.src) && isOctal(p.src[p.pos]); n++ {
			v = v*8 + int(p.src[p.pos]-'0')
			p.pos++
		}
		return rune(v), nil
	case 'x', 'u', 'U':
		n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[c]
		if p.pos+n > len(p.src) {
			return 0, &Error{fmt.Sprintf("incomplete escape \\%c%s", c, string(p.src[p.pos:])), start}
		}
		hex := string(p.src[p.pos : p.pos+n])
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || strings.ContainsAny(hex, "+-_") {
			return 0, &Error{fmt.Sprintf("incomplete escape \\%c%s", c, hex), start}
		}
		if v > unicode.MaxRune {
			return 0, &Error{fmt.Sprintf("bad escape \\%c%s", c, hex), start}
		}
		p.pos += n
		return rune(v), nil
	case 'N':
		return 0, &Error{"\\N{...} escapes are not supported by pungo", start}
	}
	if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
		return 0, &Error{fmt.Sprintf("bad escape \\%c", c), start}
	}
	return c, nil
}

// class reads "[...]"; start is the position of "[".
func (p *parser) class(start int) (node, error) {
	cl := class{fold: p.flags&flagI != 0}
	ascii := p.flags&flagA != 0
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		cl.neg = true
		p.pos++
	}
	first := true
	for {
		if p.pos >= len(p.src) {
			return nil, &Error{"unterminated character set", start}
		}
		c := p.src[p.pos]
		if c == ']' && !first {
			p.pos++
			return cl, nil
		}
		first = false
		itemStart := p.pos
		lo, named, err := p.classAtom()
		if err != nil {
			return nil, err
		}
		if named != 0 {
			cl.items = append(cl.items, classItem{named: named, ascii: ascii})
		}
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			hi, named2, err := p.classAtom()
			if err != nil {
				return nil, err
			}
			if named != 0 || named2 != 0 {
				return nil, &Error{fmt.Sprintf("bad character range %s", string(p.src[itemStart:p.pos])), itemStart}
			}
			if hi < lo {
				return nil, &Error{fmt.Sprintf("bad character range %s", string(p.src[itemStart:p.pos])), itemStart}
			}
			cl.items = append(cl.items, classItem{lo: lo, hi: hi})
			continue
		}
		if named == 0 {
			cl.items = append(cl.items, classItem{lo: lo, hi: lo})
		}
	}
}

// classAtom reads one character of a class, or a class escape (named).
func (p *parser) classAtom() (rune, byte, error) {
	c := p.src[p.pos]
	at := p.pos
	p.pos++
	if c != '\\' {
		return c, 0, nil
	}
	if p.pos >= len(p.src) {
		return 0, 0, &Error{"bad escape (end of pattern)", at}
	}
	e := p.src[p.pos]
	p.pos++
	switch e {
	case 'd', 'D', 'w', 'W', 's', 'S':
		return 0, byte(e), nil
	}
	if isOctal(e) && e != '0' {
		v := int(e - '0')
		for n := 0; n < 2 && p.pos < len(p.src) && isOctal(p.src[p.pos]); n++ {
			v = v*8 + int(p.src[p.pos]-'0')
			p.pos++
		}
		if v > 0o377 {
			return 0, 0, &Error{fmt.Sprintf("octal escape value %s outside of range 0-0o377", string(p.src[at:p.pos])), at}
		}
		return rune(v), 0, nil
	}
	if e == '8' || e == '9' {
		return 0, 0, &Error{fmt.Sprintf("bad escape \\%c", e), at}
	}
	r, err := p.charEscape(e, at, true)
	return r, 0, err
}
