package multilib

// fnmatch reports whether name matches the shell pattern pat with Python's
// fnmatch semantics (and fnmatch(3) without FNM_PATHNAME): '*' and '?' also
// match '/', "[seq]" and "[!seq]" are classes with ranges, and an
// unterminated '[' is a literal. python-multilib's directory rules such as
// "/usr/lib*/gtk-2.0/*/engines" depend on '*' crossing slashes, which
// path.Match does not do.
func fnmatch(pat, name string) bool {
	// Iterative matcher with single-star backtracking: O(len(pat)*len(name))
	// worst case and no allocation.
	p, n := 0, 0
	starP, starN := -1, 0
	for n < len(name) {
		if p < len(pat) {
			switch c := pat[p]; c {
			case '*':
				starP, starN = p, n
				p++
				continue
			case '?':
				p++
				n++
				continue
			case '[':
				if ok, next, valid := matchClass(pat, p, name[n]); valid {
					if ok {
						p = next
						n++
						continue
					}
				} else if name[n] == '[' {
					p++
					n++
					continue
				}
			default:
				if c == name[n] {
					p++
					n++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starN++
		p, n = starP+1, starN
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// matchClass matches c against the bracket expression starting at pat[i]
// ('['). It returns whether c matched, the index after the closing ']', and
// whether the expression is terminated at all (Python treats an unterminated
// '[' as a literal character).
func matchClass(pat string, i int, c byte) (matched bool, next int, valid bool) {
	j := i + 1
	negate := false
	if j < len(pat) && pat[j] == '!' {
		negate = true
		j++
	}
	// A ']' right after "[" or "[!" is a member, not the end.
	start := j
	if j < len(pat) && pat[j] == ']' {
		j++
	}
	for j < len(pat) && pat[j] != ']' {
		j++
	}
	if j >= len(pat) {
		return false, 0, false
	}
	set := pat[start:j]
	for k := 0; k < len(set); k++ {
		if k+2 < len(set) && set[k+1] == '-' {
			if set[k] <= c && c <= set[k+2] {
				matched = true
			}
			k += 2
			continue
		}
		if set[k] == c {
			matched = true
		}
	}
	return matched != negate, j + 1, true
}

// matchAny reports whether name matches one of the globs.
func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if fnmatch(g, name) {
			return true
		}
	}
	return false
}
