package kobo

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Var is one configuration variable: its value and where it was last
// assigned.
type Var struct {
	Value any
	Pos   Pos
	// Tree holds where each part of the value was written; nil when
	// unknown (JSON configs, -e defaults).
	Tree *PosNode
}

// PosNode is the position of a value and, for lists, tuples and dicts, of
// its items.
type PosNode struct {
	Pos    Pos
	Items  []*PosNode // list and tuple items
	Keys   []any      // dict keys, in order
	Values []*PosNode // dict values, parallel to Keys
}

// Child returns the node of a list item (elem is its index) or of a dict
// value (elem is the key as KeyRender renders it).
func (n *PosNode) Child(elem string, keyRender func(any) string) *PosNode {
	if n == nil {
		return nil
	}
	if n.Items != nil {
		i, err := strconv.Atoi(elem)
		if err == nil && i >= 0 && i < len(n.Items) {
			return n.Items[i]
		}
		return nil
	}
	for i, k := range n.Keys {
		if keyRender(k) == elem {
			return n.Values[i]
		}
	}
	return nil
}

// Vars is the result of reading a config: variables in the order Python's
// dict would keep them (first assignment decides the place).
type Vars struct {
	Names  []string
	Values map[string]Var
	// Files lists every file read, the top file first, then imports in the
	// order they were opened.
	Files []string
	// globals names the variables declared global, which imported files
	// see.
	globals map[string]bool
}

// NewVars returns an empty variable set.
func NewVars() *Vars { return newVars() }

func newVars() *Vars {
	return &Vars{Values: map[string]Var{}, globals: map[string]bool{}}
}

// Set assigns a variable.
func (v *Vars) Set(name string, val Var) {
	if _, ok := v.Values[name]; !ok {
		v.Names = append(v.Names, name)
	}
	v.Values[name] = val
}

// Get returns a variable.
func (v *Vars) Get(name string) (Var, bool) {
	x, ok := v.Values[name]
	return x, ok
}

// ParseFile reads a config file and everything it imports.
func ParseFile(path string) (*Vars, error) {
	vars := newVars()
	if err := parseFileInto(vars, path, nil); err != nil {
		return nil, err
	}
	return vars, nil
}

// ParseFileInto reads a config file into vars, whose variables the file
// can refer to and overwrite (kobo's load_from_dict before load_from_file).
func ParseFileInto(vars *Vars, path string) error {
	return parseFileInto(vars, path, nil)
}

// ParseString reads config text; name is used in positions and as the base
// for relative imports.
func ParseString(name, src string) (*Vars, error) {
	vars := newVars()
	p := &parser{vars: vars, file: name}
	if err := p.run(src); err != nil {
		return nil, err
	}
	return vars, nil
}

func parseFileInto(vars *Vars, path string, stack []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	for i, s := range stack {
		if s == abs {
			cycle := append(append([]string{}, stack[i:]...), abs)
			for j := range cycle {
				cycle[j] = filepath.Base(cycle[j])
			}
			return fmt.Errorf("import cycle: %s", strings.Join(cycle, " -> "))
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such file", path)
		}
		return err
	}
	vars.Files = append(vars.Files, path)
	p := &parser{vars: vars, file: path, stack: append(stack, abs)}
	return p.run(string(data))
}

type parser struct {
	vars  *Vars
	file  string
	stack []string // absolute paths of the files being read, for cycles
	toks  []Token
	i     int
	tok   Token
	node  *PosNode // positions of the value value() read last
}

// run reads statements until the end of src.
func (p *parser) run(src string) (err error) {
	if src == "" {
		return nil
	}
	p.toks = Tokenize(p.file, src)
	for {
		if err := p.next(true); err != nil {
			return err
		}
		if p.is(Name, "from") {
			if err := p.fromImport(); err != nil {
				return err
			}
			continue
		}
		global := false
		if p.is(Name, "global") {
			global = true
			if err := p.next(true); err != nil {
				return err
			}
		}
		if p.tok.Kind == Name && pythonKeywords[p.tok.Text] {
			return p.errorf("cannot assign to a python keyword: %s", p.tok.Text)
		}
		if p.tok.Kind == EndMarker {
			return nil
		}
		if p.tok.Kind != Name {
			return p.syntaxError()
		}
		name, pos := p.tok.Text, p.tok.Pos
		var value any
		var tree *PosNode
		if !global {
			if err := p.next(true); err != nil {
				return err
			}
			if !p.is(Op, "=") {
				return p.syntaxError()
			}
			if value, err = p.value(true, false); err != nil {
				return err
			}
			tree = p.node
		}
		// kobo's dict refuses the name only when storing the value.
		if strings.HasPrefix(name, "_") {
			return &Error{pos, "variable names starting with '_' are not allowed: " + name}
		}
		p.vars.Set(name, Var{Value: value, Pos: pos, Tree: tree})
		if global {
			p.vars.globals[name] = true
		}
	}
}

var pythonKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield") {
		pythonKeywords[k] = true
	}
}

// next moves to the next token that kobo looks at: comments and indentation
// are skipped always, line breaks when skipNewline is set.
func (p *parser) next(skipNewline bool) error {
	for {
		if p.i >= len(p.toks) {
			// Only reachable after ENDMARKER was consumed: kobo would fail
			// with StopIteration here.
			p.tok = Token{Kind: EndMarker, Pos: p.tok.Pos}
			return p.errorf("unexpected end of file")
		}
		p.tok = p.toks[p.i]
		p.i++
		switch p.tok.Kind {
		case errorToken:
			return p.tok.Err
		case Comment, Indent, Dedent:
			continue
		case NL, Newline:
			if skipNewline {
				continue
			}
		}
		return nil
	}
}

func (p *parser) is(k Kind, text string) bool { return p.tok.Kind == k && p.tok.Text == text }

func (p *parser) errorf(format string, args ...any) error {
	return &Error{p.tok.Pos, fmt.Sprintf(format, args...)}
}

func (p *parser) syntaxError() error {
	switch p.tok.Kind {
	case EndMarker:
		return p.errorf("invalid syntax: unexpected end of file")
	case Newline, NL:
		return p.errorf("invalid syntax: unexpected end of line")
	}
	return p.errorf("invalid syntax at %s", describe(p.tok))
}

func describe(t Token) string {
	switch t.Kind {
	case Name:
		return "name " + strconv.Quote(t.Text)
	case Number:
		return "number " + t.Text
	case String:
		return "string " + t.Text
	}
	return strconv.Quote(t.Text)
}

// value reads one value. With getNext it first moves to the next token.
// basicOnly allows only names, numbers and strings (dict keys).
func (p *parser) value(getNext, basicOnly bool) (any, error) {
	if getNext {
		if err := p.next(true); err != nil {
			return nil, err
		}
	}
	start := p.tok.Pos
	v, node, err := p.valueAt(basicOnly)
	if node == nil {
		node = &PosNode{Pos: start}
	}
	p.node = node
	return v, err
}

// valueAt reads the value starting at the current token; it may return the
// value's position tree (containers, references), else value() makes a leaf.
func (p *parser) valueAt(basicOnly bool) (any, *PosNode, error) {
	switch {
	case p.is(Op, "-"):
		if err := p.next(true); err != nil {
			return nil, nil, err
		}
		if p.tok.Kind != Number {
			return nil, nil, p.syntaxError()
		}
		v, err := p.number(true)
		return v, nil, err
	case p.tok.Kind == Name:
		switch p.tok.Text {
		case "True":
			return true, nil, nil
		case "False":
			return false, nil, nil
		case "None":
			return nil, nil, nil
		}
		v, ok := p.vars.Get(p.tok.Text)
		if !ok || strings.HasPrefix(p.tok.Text, "_") {
			return nil, nil, p.errorf("undefined variable %q", p.tok.Text)
		}
		// A reference carries the positions of the referenced value's parts.
		if v.Tree != nil && (v.Tree.Items != nil || v.Tree.Keys != nil) {
			return v.Value, v.Tree, nil
		}
		return v.Value, nil, nil
	case p.tok.Kind == Number:
		v, err := p.number(false)
		return v, nil, err
	case p.tok.Kind == String:
		v, err := p.str()
		return v, nil, err
	case basicOnly:
		return nil, nil, p.syntaxError()
	case p.is(Op, "{"):
		return p.dict()
	case p.is(Op, "["):
		items, node, err := p.sequence("]")
		return items, node, err
	case p.is(Op, "("):
		items, node, err := p.sequence(")")
		if err != nil {
			return nil, nil, err
		}
		return Tuple(items), node, nil
	}
	return nil, nil, p.syntaxError()
}

// unhashable returns the part of a dict key Python cannot hash (a list or
// dict, also inside a tuple), or nil. A tuple key comes from a variable:
// kobo reads only scalars and names as keys.
func unhashable(key any) any {
	switch x := key.(type) {
	case string, int64, BigInt, float64, bool, nil:
		return nil
	case Tuple:
		for _, e := range x {
			if bad := unhashable(e); bad != nil {
				return bad
			}
		}
		return nil
	}
	return key
}

// number converts a NUMBER token as kobo does: float() when the text has a
// point (1.0e999 is inf), int() otherwise, unbounded, so 1e3 and 0x10 are
// errors and 10_000 is not.
func (p *parser) number(negative bool) (any, error) {
	text := p.tok.Text
	clean := strings.ReplaceAll(text, "_", "")
	if strings.Contains(text, ".") {
		if strings.ContainsAny(text, "jJ") {
			return nil, p.errorf("could not convert string to float: '%s'", text)
		}
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			// Python's float() rounds overflow to inf and underflow to
			// zero (1.0e999 is inf); Go gives the same values with ErrRange.
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return nil, p.errorf("could not convert string to float: '%s'", text)
			}
		}
		if negative {
			f = -f
		}
		return f, nil
	}
	for _, c := range clean {
		if c < '0' || c > '9' {
			return nil, p.errorf("invalid literal for int() with base 10: '%s'", text)
		}
	}
	if negative {
		clean = "-" + clean
	}
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		// Python's int() is unbounded.
		b, ok := new(big.Int).SetString(clean, 10)
		if !ok {
			return nil, p.errorf("invalid literal for int() with base 10: '%s'", text)
		}
		return BigInt{b}, nil
	}
	return n, nil
}

// str returns a string token's text without its first and last character —
// kobo's way, which keeps a prefix's quote (r"a" is `"a`) and the inner
// quotes of triple-quoted strings — and applies "fmt" % value when a %
// follows directly on the same logical line.
func (p *parser) str() (any, error) {
	text := p.tok.Text
	s := text[1 : len(text)-1]
	if p.i >= len(p.toks) || p.toks[p.i].Kind != Op || p.toks[p.i].Text != "%" {
		if p.i < len(p.toks) && p.toks[p.i].Kind == errorToken {
			return nil, p.toks[p.i].Err
		}
		return s, nil
	}
	fmtPos := p.tok.Pos
	if err := p.next(true); err != nil { // the %
		return nil, err
	}
	arg, err := p.value(true, false)
	if err != nil {
		return nil, err
	}
	out, ferr := Format(s, arg)
	if ferr != nil {
		return nil, &Error{fmtPos, ferr.Error()}
	}
	return out, nil
}

// sequence reads list or tuple items up to the closing bracket; commas are
// optional and may repeat.
func (p *parser) sequence(end string) ([]any, *PosNode, error) {
	node := &PosNode{Pos: p.tok.Pos, Items: []*PosNode{}}
	items := []any{}
	for {
		if err := p.next(true); err != nil {
			return nil, nil, err
		}
		if err := p.skipCommas(true); err != nil {
			return nil, nil, err
		}
		if p.is(Op, end) {
			return items, node, nil
		}
		v, err := p.value(false, false)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, v)
		node.Items = append(node.Items, p.node)
	}
}

func (p *parser) skipCommas(skipNewline bool) error {
	for p.is(Op, ",") {
		if err := p.next(skipNewline); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) dict() (any, *PosNode, error) {
	node := &PosNode{Pos: p.tok.Pos, Keys: []any{}}
	d := &Dict{}
	for {
		if err := p.next(true); err != nil {
			return nil, nil, err
		}
		if err := p.skipCommas(true); err != nil {
			return nil, nil, err
		}
		if p.is(Op, "}") {
			return d, node, nil
		}
		keyPos := p.tok.Pos
		key, err := p.value(false, true)
		if err != nil {
			return nil, nil, err
		}
		if bad := unhashable(key); bad != nil {
			return nil, nil, &Error{keyPos, fmt.Sprintf("unhashable dict key of type %s", TypeName(bad))}
		}
		for _, k := range d.Keys {
			if sameTypeEqual(k, key) {
				return nil, nil, &Error{keyPos, fmt.Sprintf("duplicate dict key %s", Repr(key))}
			}
		}
		if err := p.next(true); err != nil {
			return nil, nil, err
		}
		if !p.is(Op, ":") {
			return nil, nil, p.syntaxError()
		}
		v, err := p.value(true, false)
		if err != nil {
			return nil, nil, err
		}
		// The item's position is its key's: that is where a reader looks.
		vn := *p.node
		vn.Pos = keyPos
		if i := d.index(key); i >= 0 {
			node.Values[i] = &vn
		} else {
			node.Keys = append(node.Keys, key)
			node.Values = append(node.Values, &vn)
		}
		d.Set(key, v)
	}
}

// fromImport reads "from NAME import *|a, b". The file name is the text of
// every token up to "import" glued together (so NAME may contain - or /),
// plus ".conf", relative to the importing file's directory.
func (p *parser) fromImport() error {
	fromPos := p.tok.Pos
	var name strings.Builder
	for {
		if err := p.next(true); err != nil {
			return err
		}
		if p.is(Name, "import") {
			break
		}
		if p.tok.Kind == EndMarker {
			return p.errorf("invalid syntax: 'from' without 'import'")
		}
		name.WriteString(p.tok.Text)
	}
	file := name.String() + ".conf"
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(p.file), file)
	}
	type imp struct {
		name string
		pos  Pos
	}
	var imports []imp
	if err := p.next(true); err != nil {
		return err
	}
	for p.tok.Kind != NL && p.tok.Kind != Newline {
		if p.tok.Kind != Name && !p.is(Op, "*") {
			return p.syntaxError()
		}
		imports = append(imports, imp{p.tok.Text, p.tok.Pos})
		if err := p.next(false); err != nil {
			return err
		}
		if err := p.skipCommas(false); err != nil {
			return err
		}
	}

	child := newVars()
	for _, n := range p.vars.Names {
		if p.vars.globals[n] {
			child.Set(n, p.vars.Values[n])
			child.globals[n] = true
		}
	}
	if err := parseFileInto(child, file, p.stack); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return err
		}
		return &Error{fromPos, err.Error()}
	}
	p.vars.Files = append(p.vars.Files, child.Files...)
	for g := range child.globals {
		p.vars.globals[g] = true
	}
	star := false
	for _, im := range imports {
		if im.name == "*" {
			star = true
		}
	}
	if star {
		for _, n := range child.Names {
			p.vars.Set(n, child.Values[n])
		}
		return nil
	}
	for _, im := range imports {
		v, ok := child.Get(im.name)
		if !ok {
			return &Error{im.pos, fmt.Sprintf("can't import %s from %s", im.name, file)}
		}
		p.vars.Set(im.name, v)
	}
	return nil
}
