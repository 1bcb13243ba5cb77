package depsolve

import "strings"

// isGlob reports whether s contains fnmatch metacharacters; a plain name is
// looked up in the name index instead of matched against every name.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// fnmatch matches name against a shell glob as fnmatch(3) without flags
// does (hawkey's name__glob): '*' any run, '?' one byte, '[…]' a class with
// '!' or '^' negation and ranges; a '[' without its ']' is literal.
func fnmatch(pat, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, -1
	for nx < len(name) || px < len(pat) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			case '[':
				if nx < len(name) {
					if ok, next, valid := matchClass(pat, px, name[nx]); valid {
						if ok {
							px, nx = next, nx+1
							continue
						}
						break
					}
				}
				if nx < len(name) && name[nx] == '[' {
					px++
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		if starP >= 0 && starN < len(name) {
			starN++
			px, nx = starP+1, starN
			continue
		}
		return false
	}
	return true
}

// matchClass matches c against the class starting at pat[i] == '['.
// valid is false when the class is not closed.
func matchClass(pat string, i int, c byte) (matched bool, next int, valid bool) {
	j := i + 1
	neg := false
	if j < len(pat) && (pat[j] == '!' || pat[j] == '^') {
		neg = true
		j++
	}
	first := true
	for j < len(pat) {
		if pat[j] == ']' && !first {
			return matched != neg, j + 1, true
		}
		first = false
		lo := pat[j]
		if j+2 < len(pat) && pat[j+1] == '-' && pat[j+2] != ']' {
			if lo <= c && c <= pat[j+2] {
				matched = true
			}
			j += 3
			continue
		}
		if lo == c {
			matched = true
		}
		j++
	}
	return false, 0, false
}
