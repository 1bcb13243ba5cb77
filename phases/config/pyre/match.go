package pyre

import "unicode"

// stepBudget bounds the backtracking work of one match; past it the match
// fails. Variant UIDs are short, so only a pathological pattern gets there
// (nested quantifiers such as (\w*)*0 backtrack exponentially, in Python's
// sre too, which has no bound and would hang the compose instead).
const stepBudget = 1 << 18

type matcher struct {
	s     []rune
	caps  []int // start, end per group; -1 when unset
	steps int
}

// MatchStart reports whether the pattern matches at the start of s, as
// Python's re.match does (the match need not reach the end of s).
// A match that runs out of the step budget counts as no match.
func (re *Regexp) MatchStart(s string) bool {
	ok, _ := re.matchStart(s)
	return ok
}

// matchStart is MatchStart that also says whether the step budget ran out
// (and so whether a false is Python's answer or the budget's).
func (re *Regexp) matchStart(s string) (ok, exhausted bool) {
	m := &matcher{s: []rune(s), caps: make([]int, 2*(re.groups+1))}
	for i := range m.caps {
		m.caps[i] = -1
	}
	ok = m.match(re.prog, 0, func(int) bool { return true })
	return ok, m.steps > stepBudget
}

func (m *matcher) match(n node, i int, k func(int) bool) bool {
	m.steps++
	if m.steps > stepBudget {
		return false
	}
	switch n := n.(type) {
	case literal:
		if i < len(m.s) && (m.s[i] == n.r || n.fold && foldEqual(m.s[i], n.r)) {
			return k(i + 1)
		}
		return false
	case anyChar:
		if i < len(m.s) && (n.dotall || m.s[i] != '\n') {
			return k(i + 1)
		}
		return false
	case class:
		if i < len(m.s) && n.matches(m.s[i]) {
			return k(i + 1)
		}
		return false
	case assertion:
		return m.assert(n, i) && k(i)
	case concat:
		return m.seq(n, 0, i, k)
	case alt:
		for _, b := range n {
			if m.match(b, i, k) {
				return true
			}
		}
		return false
	case group:
		return m.match(n.body, i, func(j int) bool {
			os, oe := m.caps[2*n.index], m.caps[2*n.index+1]
			m.caps[2*n.index], m.caps[2*n.index+1] = i, j
			if k(j) {
				return true
			}
			m.caps[2*n.index], m.caps[2*n.index+1] = os, oe
			return false
		})
	case repeat:
		if n.poss {
			return m.match(atomic{repeat{body: n.body, min: n.min, max: n.max}}, i, k)
		}
		return m.rep(n, 0, i, k)
	case atomic:
		end := -1
		saved := append([]int(nil), m.caps...)
		if !m.match(n.body, i, func(j int) bool { end = j; return true }) {
			return false
		}
		if k(end) {
			return true
		}
		copy(m.caps, saved)
		return false
	case look:
		saved := append([]int(nil), m.caps...)
		var ok bool
		if n.behind {
			start := i - n.width
			ok = start >= 0 && m.match(n.body, start, func(j int) bool { return j == i })
		} else {
			ok = m.match(n.body, i, func(int) bool { return true })
		}
		if n.neg {
			copy(m.caps, saved)
			return !ok && k(i)
		}
		if ok && k(i) {
			return true
		}
		copy(m.caps, saved)
		return false
	case backref:
		s, e := m.caps[2*n.index], m.caps[2*n.index+1]
		if s < 0 || e < 0 {
			return false
		}
		j := i
		for x := s; x < e; x++ {
			if j >= len(m.s) || !(m.s[j] == m.s[x] || n.fold && foldEqual(m.s[j], m.s[x])) {
				return false
			}
			j++
		}
		return k(j)
	case cond:
		if m.caps[2*n.index+1] >= 0 {
			return m.match(n.yes, i, k)
		}
		return m.match(n.no, i, k)
	}
	return false
}

func (m *matcher) seq(items concat, at, i int, k func(int) bool) bool {
	if at == len(items) {
		return k(i)
	}
	return m.match(items[at], i, func(j int) bool { return m.seq(items, at+1, j, k) })
}

// rep matches count more iterations of a greedy or lazy repeat. An
// iteration that matched nothing ends the loop once min is reached, as in
// Python, so x*)* style patterns terminate.
func (m *matcher) rep(n repeat, count, i int, k func(int) bool) bool {
	more := func() bool {
		if n.max >= 0 && count >= n.max {
			return false
		}
		return m.match(n.body, i, func(j int) bool {
			if j == i && count >= n.min {
				return false
			}
			return m.rep(n, count+1, j, k)
		})
	}
	if count < n.min {
		return more()
	}
	if n.lazy {
		return k(i) || more()
	}
	return more() || k(i)
}

func (m *matcher) assert(a assertion, i int) bool {
	switch a.kind {
	case '^':
		return i == 0 || a.multi && m.s[i-1] == '\n'
	case '$':
		if i == len(m.s) || i == len(m.s)-1 && m.s[i] == '\n' {
			return true
		}
		return a.multi && m.s[i] == '\n'
	case 'A':
		return i == 0
	case 'Z':
		return i == len(m.s)
	case 'b', 'B':
		if len(m.s) == 0 {
			return false // neither matches in an empty string (_sre)
		}
		before := i > 0 && isWord(m.s[i-1], a.ascii)
		after := i < len(m.s) && isWord(m.s[i], a.ascii)
		return (before != after) == (a.kind == 'b')
	}
	return false
}

func (c class) matches(r rune) bool {
	in := c.contains(r)
	if !in && c.fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if c.contains(f) {
				in = true
				break
			}
		}
	}
	return in != c.neg
}

func (c class) contains(r rune) bool {
	for _, it := range c.items {
		switch it.named {
		case 0:
			if r >= it.lo && r <= it.hi {
				return true
			}
		case 'd', 'D':
			if isDigit(r, it.ascii) == (it.named == 'd') {
				return true
			}
		case 'w', 'W':
			if isWord(r, it.ascii) == (it.named == 'w') {
				return true
			}
		case 's', 'S':
			if isSpace(r, it.ascii) == (it.named == 's') {
				return true
			}
		}
	}
	return false
}

func isDigit(r rune, ascii bool) bool {
	if ascii || r < 128 {
		return r >= '0' && r <= '9'
	}
	return unicode.Is(unicode.Nd, r)
}

// isWord is \w of a str pattern: str.isalnum() or "_".
func isWord(r rune, ascii bool) bool {
	if r < 128 || ascii {
		return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isSpace(r rune, ascii bool) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return true
	}
	if ascii {
		return false
	}
	if r < 128 {
		return r >= 0x1c && r <= 0x1f // str.isspace counts the separators
	}
	return unicode.IsSpace(r)
}

func foldEqual(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
