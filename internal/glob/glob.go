// Package glob owns the shell-pattern matchers pungo needs, one
// implementation per semantics, because the tools pungo reproduces do not
// agree on what a glob means:
//
//   - Python: Python's fnmatch.fnmatchcase (what Pungi and python-multilib
//     call): '*' and '?' match any character, '/' included; "[seq]" and
//     "[!seq]" are classes with ranges; '^' and '\' are ordinary characters;
//     an unclosed '[' is a literal.
//   - DNF: fnmatch(3) without flags (what hawkey, libsolv and so dnf and
//     pungi-gather use for name globs and repoquery specs): like Python's
//     but "[^seq]" negates too, '\' escapes the next character, and
//     "[:alpha:]"-style classes work inside brackets.
//   - GLib: GLib's g_pattern_match_simple (createrepo_c's --excludes): only
//     '*' and '?' are special.
//
// Matching is by character (UTF-8), iterative with single-star
// backtracking: no allocation and O(len(pattern)·len(name)) at worst.
package glob

import (
	"strings"
	"unicode/utf8"
)

// IsGlob reports whether s contains a metacharacter of the Python or DNF
// semantics; callers look a plain string up instead of matching it.
func IsGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// Python reports whether name matches pattern as Python's
// fnmatch.fnmatchcase does (see the package doc).
func Python(pattern, name string) bool { return match(pyDialect, pattern, name) }

// DNF reports whether name matches pattern as fnmatch(3) with no flags
// does, which is how dnf (hawkey, libsolv) matches globs (see the package
// doc). Callers wanting dnf's case-insensitive matching fold both sides.
func DNF(pattern, name string) bool { return match(cDialect, pattern, name) }

// GLib reports whether name matches pattern as GLib's
// g_pattern_match_simple does: '*' any run of characters ('/' included),
// '?' any one character, nothing else special.
func GLib(pattern, name string) bool { return match(glibDialect, pattern, name) }

// dialect holds what separates the semantics.
type dialect struct {
	brackets     bool // "[…]" is a class (GLib: a literal '[')
	caretNegates bool // "[^…]" negates as "[!…]" does
	escapes      bool // '\' quotes the next character
	classes      bool // "[:alpha:]" and friends inside brackets
}

var (
	pyDialect   = dialect{brackets: true}
	cDialect    = dialect{brackets: true, caretNegates: true, escapes: true, classes: true}
	glibDialect = dialect{}
)

func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func runeAt(s string, i int) (rune, int) {
	if s[i] < utf8.RuneSelf {
		return rune(s[i]), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func match(d dialect, pat, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, 0
	for nx < len(name) {
		if px < len(pat) {
			r, rn := runeAt(name, nx)
			switch c := pat[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				px++
				nx += rn
				continue
			case '[':
				if !d.brackets {
					if r == '[' {
						px, nx = px+1, nx+rn
						continue
					}
					break
				}
				if ok, next, valid := matchClass(d, pat, px, r); valid {
					if ok {
						px, nx = next, nx+rn
						continue
					}
				} else if r == '[' {
					px++
					nx += rn
					continue
				}
			case '\\':
				if d.escapes && px+1 < len(pat) {
					pr, pn := runeAt(pat, px+1)
					if pr == r {
						px, nx = px+1+pn, nx+rn
						continue
					}
					break
				}
				fallthrough
			default:
				pr, pn := runeAt(pat, px)
				if pr == r {
					px, nx = px+pn, nx+rn
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starN += runeLen(name, starN)
		px, nx = starP+1, starN
	}
	for px < len(pat) && pat[px] == '*' {
		px++
	}
	return px == len(pat)
}

// matchClass matches r against the bracket expression at pat[i] == '['.
// It returns whether r matched, the index after the closing ']', and
// whether the expression is closed at all (an unclosed '[' is a literal
// in both dialects).
func matchClass(d dialect, pat string, i int, r rune) (matched bool, next int, valid bool) {
	j := i + 1
	negate := false
	if j < len(pat) && (pat[j] == '!' || d.caretNegates && pat[j] == '^') {
		negate = true
		j++
	}
	first := true
	for j < len(pat) {
		c := pat[j]
		if c == ']' && !first {
			return matched != negate, j + 1, true
		}
		first = false
		if d.classes && c == '[' && j+1 < len(pat) && pat[j+1] == ':' {
			if end := strings.Index(pat[j+2:], ":]"); end >= 0 {
				if inNamedClass(pat[j+2:j+2+end], r) {
					matched = true
				}
				j += 2 + end + 2
				continue
			}
		}
		if d.escapes && c == '\\' && j+1 < len(pat) {
			j++
		}
		lo, n := runeAt(pat, j)
		j += n
		if j+1 < len(pat) && pat[j] == '-' && pat[j+1] != ']' {
			k := j + 1
			if d.escapes && pat[k] == '\\' && k+1 < len(pat) {
				k++
			}
			hi, hn := runeAt(pat, k)
			if lo <= r && r <= hi {
				matched = true
			}
			j = k + hn
			continue
		}
		if lo == r {
			matched = true
		}
	}
	return false, 0, false
}

// inNamedClass is the POSIX character classes of the C locale.
func inNamedClass(class string, r rune) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	c := byte(r)
	isUpper, isLower, isDigit := 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9'
	switch class {
	case "alpha":
		return isUpper || isLower
	case "digit":
		return isDigit
	case "alnum":
		return isUpper || isLower || isDigit
	case "upper":
		return isUpper
	case "lower":
		return isLower
	case "space":
		return c == ' ' || '\t' <= c && c <= '\r'
	case "blank":
		return c == ' ' || c == '\t'
	case "punct":
		return c > ' ' && c < 0x7f && !(isUpper || isLower || isDigit)
	case "print":
		return c >= ' ' && c < 0x7f
	case "graph":
		return c > ' ' && c < 0x7f
	case "cntrl":
		return c < ' ' || c == 0x7f
	case "xdigit":
		return isDigit || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	return false
}
