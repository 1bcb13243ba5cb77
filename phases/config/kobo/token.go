package kobo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind is a token class of Python's tokenizer, reduced to what kobo sees.
type Kind uint8

const (
	EndMarker Kind = iota
	Name
	Number
	String
	Op
	Newline // end of a logical line
	NL      // a line break that does not end a logical line
	Comment
	Indent
	Dedent
	errorToken // the tokenizer stopped here; Token.Err says why
)

var kindNames = [...]string{"ENDMARKER", "NAME", "NUMBER", "STRING", "OP", "NEWLINE", "NL", "COMMENT", "INDENT", "DEDENT", "ERRORTOKEN"}

func (k Kind) String() string { return kindNames[k] }

// Pos is a place in a config file: 1-based line and column, the column
// counted in characters.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Token is one token with its text as written (quotes and prefix included
// for strings).
type Token struct {
	Kind Kind
	Text string
	Pos  Pos
	Err  *Error // for errorToken
}

// Error is a config error at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// maxNesting is the bracket depth CPython's tokenizer accepts; it also bounds
// the reader's recursion.
const maxNesting = 200

// maxIndent is CPython's limit on indentation levels.
const maxIndent = 100

// Tokenize splits src into tokens like Python 3.12's tokenize module. On an
// error the token list ends with an error token at the offending place, so a
// reader sees every token before it, as kobo does with Python's lazy
// tokenizer.
func Tokenize(file, src string) []Token {
	t := &tokenizer{file: file, src: normalizeNewlines(src), line: 1, col: 1}
	t.run()
	return t.toks
}

// normalizeNewlines applies Python's universal newlines: \r\n and \r become
// \n. A byte order mark is kept: kobo reads files as plain UTF-8, so the
// tokenizer rejects it.
func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

type tokenizer struct {
	file      string
	src       string
	off       int
	line, col int
	toks      []Token
	indents   []int // columns of open indentation levels (tabs to 8)
	altIndent []int // the same with tabs counted as 1, for TabError
	brackets  []Token
	failed    bool
}

func (t *tokenizer) pos() Pos { return Pos{t.file, t.line, t.col} }

func (t *tokenizer) emit(k Kind, text string, p Pos) {
	t.toks = append(t.toks, Token{Kind: k, Text: text, Pos: p})
}

func (t *tokenizer) fail(p Pos, format string, args ...any) {
	t.toks = append(t.toks, Token{Kind: errorToken, Pos: p, Err: &Error{p, fmt.Sprintf(format, args...)}})
	t.failed = true
}

// advance moves over n bytes, keeping line and column.
func (t *tokenizer) advance(n int) {
	end := t.off + n
	for t.off < end {
		r, size := utf8.DecodeRuneInString(t.src[t.off:])
		t.off += size
		if r == '\n' {
			t.line++
			t.col = 1
		} else {
			t.col++
		}
	}
}

func (t *tokenizer) peekByte(i int) byte {
	if t.off+i < len(t.src) {
		return t.src[t.off+i]
	}
	return 0
}

func (t *tokenizer) run() {
	if !utf8.ValidString(t.src) {
		bad := 0
		for bad < len(t.src) {
			r, n := utf8.DecodeRuneInString(t.src[bad:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			bad += n
		}
		t.advance(bad)
		t.fail(t.pos(), "invalid UTF-8 in config file")
		return
	}
	t.indents = []int{0}
	t.altIndent = []int{0}
	atLineStart := true
	lineHasCode := false // the current logical line has produced a token
	for !t.failed {
		if atLineStart && len(t.brackets) == 0 {
			atLineStart = false
			if !t.indentation() {
				return
			}
		}
		if t.off >= len(t.src) {
			break
		}
		c := t.src[t.off]
		p := t.pos()
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			t.advance(1)
		case c == '\n':
			if lineHasCode && len(t.brackets) == 0 {
				t.emit(Newline, "\n", p)
				lineHasCode = false
			} else {
				t.emit(NL, "\n", p)
			}
			t.advance(1)
			atLineStart = true
		case c == '#':
			end := strings.IndexByte(t.src[t.off:], '\n')
			if end < 0 {
				end = len(t.src) - t.off
			}
			t.emit(Comment, t.src[t.off:t.off+end], p)
			t.advance(end)
		case c == '\\':
			if t.peekByte(1) == '\n' {
				t.advance(2)
				if t.off >= len(t.src) {
					t.fail(t.pos(), "unexpected EOF while parsing")
				}
				continue
			}
			if t.off+1 >= len(t.src) {
				t.fail(p, "unexpected EOF while parsing")
				continue
			}
			t.fail(p, "unexpected character after line continuation character")
		case c >= '0' && c <= '9' || c == '.' && t.peekByte(1) >= '0' && t.peekByte(1) <= '9':
			t.number()
			lineHasCode = true
		case c == '"' || c == '\'':
			t.str(0)
			lineHasCode = true
		default:
			r, size := utf8.DecodeRuneInString(t.src[t.off:])
			if isIdentStart(r) {
				n := size
				for t.off+n < len(t.src) {
					r2, s2 := utf8.DecodeRuneInString(t.src[t.off+n:])
					if !isIdentContinue(r2) {
						break
					}
					n += s2
				}
				word := t.src[t.off : t.off+n]
				if q := t.peekByte(n); (q == '"' || q == '\'') && isStringPrefix(word) {
					if strings.ContainsAny(word, "fF") {
						t.fail(p, "f-strings are not supported in config files")
						continue
					}
					t.str(n)
					lineHasCode = true
					continue
				}
				t.emit(Name, word, p)
				t.advance(n)
				lineHasCode = true
				continue
			}
			if !t.operator() {
				// CPython's tokenize module passes any other character on
				// as an operator token; kobo then rejects it.
				t.emit(Op, string(r), p)
				t.advance(size)
			}
			lineHasCode = true
		}
	}
	if t.failed {
		return
	}
	if len(t.brackets) > 0 {
		b := t.brackets[len(t.brackets)-1]
		t.fail(b.Pos, "'%s' was never closed", b.Text)
		return
	}
	p := t.pos()
	if lineHasCode {
		t.emit(Newline, "", p)
	}
	// Python puts the end marker at the start of the line after the last
	// one.
	if p.Col > 1 {
		p = Pos{t.file, p.Line + 1, 1}
	}
	for len(t.indents) > 1 {
		t.indents = t.indents[:len(t.indents)-1]
		t.emit(Dedent, "", p)
	}
	t.emit(EndMarker, "", p)
}

// indentation measures the indentation of a new line and emits INDENT or
// DEDENT tokens; blank and comment-only lines do not count. It returns false
// after an error.
func (t *tokenizer) indentation() bool {
	col, alt, n := 0, 0, 0
	for t.off+n < len(t.src) {
		switch t.src[t.off+n] {
		case ' ':
			col++
			alt++
		case '\t':
			col = (col/8 + 1) * 8
			alt++
		case '\f':
			col, alt = 0, 0
		default:
			goto done
		}
		n++
	}
done:
	if t.off+n >= len(t.src) {
		return true
	}
	switch t.src[t.off+n] {
	case '#', '\n':
		return true
	case '\\':
		if t.peekByte(n+1) == '\n' {
			return true
		}
	}
	p := Pos{t.file, t.line, 1}
	top := len(t.indents) - 1
	switch {
	case col == t.indents[top]:
		if alt != t.altIndent[top] {
			t.fail(p, "inconsistent use of tabs and spaces in indentation")
			return false
		}
	case col > t.indents[top]:
		if alt <= t.altIndent[top] {
			t.fail(p, "inconsistent use of tabs and spaces in indentation")
			return false
		}
		if len(t.indents) >= maxIndent {
			t.fail(p, "too many levels of indentation")
			return false
		}
		t.indents = append(t.indents, col)
		t.altIndent = append(t.altIndent, alt)
		t.emit(Indent, t.src[t.off:t.off+n], p)
	default:
		for len(t.indents) > 1 && col < t.indents[len(t.indents)-1] {
			t.indents = t.indents[:len(t.indents)-1]
			t.altIndent = t.altIndent[:len(t.altIndent)-1]
			t.emit(Dedent, "", Pos{t.file, t.line, n + 1})
		}
		top = len(t.indents) - 1
		if col != t.indents[top] {
			t.fail(p, "unindent does not match any outer indentation level")
			return false
		}
		if alt != t.altIndent[top] {
			t.fail(p, "inconsistent use of tabs and spaces in indentation")
			return false
		}
	}
	return true
}

// isIdentStart follows CPython's tokenizer, which takes every non-ASCII
// character as a possible identifier character and leaves the real check
// to the compiler; the tokenize module (and so kobo) never makes it.
func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf
}

func isIdentContinue(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9'
}

// isStringPrefix reports whether word is one of Python 3's string prefixes.
func isStringPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

// str reads a string literal whose quote starts prefixLen bytes ahead.
// Backslash escapes the next character for tokenizing (also in raw strings),
// but the text is kept exactly as written.
func (t *tokenizer) str(prefixLen int) {
	start := t.pos()
	q := t.src[t.off+prefixLen]
	quote := string(q)
	if strings.HasPrefix(t.src[t.off+prefixLen:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	i := t.off + prefixLen + len(quote)
	for {
		if i >= len(t.src) {
			t.advance(len(t.src) - t.off)
			if len(quote) == 3 {
				t.fail(start, "unterminated triple-quoted string literal (detected at line %d)", t.line)
			} else {
				t.fail(start, "unterminated string literal (detected at line %d)", t.line)
			}
			return
		}
		c := t.src[i]
		switch {
		case c == '\\':
			i += 2
			continue
		case c == '\n' && len(quote) == 1:
			line := start.Line + strings.Count(t.src[t.off:i], "\n")
			t.fail(start, "unterminated string literal (detected at line %d)", line)
			return
		case c == q && strings.HasPrefix(t.src[i:], quote):
			i += len(quote)
			text := t.src[t.off:i]
			t.emit(String, text, start)
			t.advance(i - t.off)
			return
		}
		i++
	}
}

// number reads a numeric literal as Python 3.12's tokenize module does:
// decimal (leading zeros allowed), hex, octal and binary integers, floats
// with a point or an exponent, imaginary suffixes, single underscores
// between digits. A letter right after a number starts the next token
// (1if is 1 and if), except the few malformed literals CPython names.
func (t *tokenizer) number() {
	start := t.pos()
	s := t.src[t.off:]
	n := 0
	dec := func(b byte) bool { return b >= '0' && b <= '9' }
	// digits reads one or more digits with single underscores between
	// them; a trailing or doubled underscore is an error.
	digits := func(ok func(byte) bool) (found, bad bool) {
		if n >= len(s) || !ok(s[n]) {
			return false, false
		}
		for n < len(s) {
			switch {
			case ok(s[n]):
				n++
			case s[n] == '_':
				if n+1 < len(s) && ok(s[n+1]) {
					n += 2
				} else {
					n++
					return true, true
				}
			default:
				return true, false
			}
		}
		return true, false
	}
	fail := func(format string, args ...any) {
		t.advance(n)
		t.fail(start, format, args...)
	}
	if s[0] == '0' && len(s) > 1 && strings.IndexByte("xXoObB", s[1]) >= 0 {
		var ok func(byte) bool
		kind := ""
		switch s[1] {
		case 'x', 'X':
			ok, kind = func(b byte) bool { return dec(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' }, "hexadecimal"
		case 'o', 'O':
			ok, kind = func(b byte) bool { return b >= '0' && b <= '7' }, "octal"
		default:
			ok, kind = func(b byte) bool { return b == '0' || b == '1' }, "binary"
		}
		n = 2
		if n < len(s) && s[n] == '_' {
			n++
		}
		found, bad := digits(ok)
		if n < len(s) && dec(s[n]) && kind != "hexadecimal" {
			n++
			fail("invalid digit '%c' in %s literal", s[n-1], kind)
			return
		}
		if !found || bad {
			fail("invalid %s literal", kind)
			return
		}
		t.emit(Number, s[:n], start)
		t.advance(n)
		return
	}
	intPart, bad := digits(dec)
	if bad {
		fail("invalid decimal literal")
		return
	}
	if n < len(s) && s[n] == '.' {
		n++
		found, bad := digits(dec)
		if bad || !found && !intPart {
			fail("invalid decimal literal")
			return
		}
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		sign := m < len(s) && (s[m] == '+' || s[m] == '-')
		if sign {
			m++
		}
		switch {
		case m < len(s) && dec(s[m]):
			n = m
			if _, bad := digits(dec); bad {
				fail("invalid decimal literal")
				return
			}
		case sign:
			n = m
			fail("invalid decimal literal")
			return
		}
		// otherwise the "e" starts a name: 1else is 1 and else
	}
	if n < len(s) && (s[n] == 'j' || s[n] == 'J') {
		n++
	}
	t.emit(Number, s[:n], start)
	t.advance(n)
}

var operators = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
	"%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
}

var closing = map[string]string{")": "(", "]": "[", "}": "{"}

func (t *tokenizer) operator() bool {
	p := t.pos()
	for _, op := range operators {
		if !strings.HasPrefix(t.src[t.off:], op) {
			continue
		}
		switch op {
		case "(", "[", "{":
			if len(t.brackets) >= maxNesting {
				t.fail(p, "too many nested parentheses")
				return true
			}
			t.brackets = append(t.brackets, Token{Kind: Op, Text: op, Pos: p})
		case ")", "]", "}":
			if len(t.brackets) == 0 {
				t.fail(p, "unmatched '%s'", op)
				return true
			}
			open := t.brackets[len(t.brackets)-1]
			if open.Text != closing[op] {
				t.fail(p, "closing parenthesis '%s' does not match opening parenthesis '%s' on line %d", op, open.Text, open.Pos.Line)
				return true
			}
			t.brackets = t.brackets[:len(t.brackets)-1]
		}
		t.emit(Op, op, p)
		t.advance(len(op))
		return true
	}
	return false
}
