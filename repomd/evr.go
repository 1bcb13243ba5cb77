package repomd

// This file holds rpm's version ordering. Vercmp follows rpmvercmp() from
// rpm's rpmio/rpmvercmp.c byte for byte, including its treatment of
// non-ASCII bytes as separators, and never allocates: the depsolver calls it
// millions of times.

import "strings"

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// Vercmp compares two version (or release) strings the way rpm does and
// returns -1, 0 or 1. Segments of digits compare numerically (leading zeros
// ignored), segments of letters compare bytewise, a digit segment is newer
// than a letter segment, "~" sorts before everything (even the end of the
// string) and "^" sorts after the end of the string but before anything else.
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		ca, cb := byteAt(a, i), byteAt(b, j)

		if ca == '~' || cb == '~' {
			if ca != '~' {
				return 1
			}
			if cb != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ca == '^' || cb == '^' {
			if i == len(a) {
				return -1
			}
			if j == len(b) {
				return 1
			}
			if ca != '^' {
				return 1
			}
			if cb != '^' {
				return -1
			}
			i++
			j++
			continue
		}
		if i == len(a) || j == len(b) {
			break
		}

		ea, eb := i, j
		isnum := isDigit(a[i])
		if isnum {
			for ea < len(a) && isDigit(a[ea]) {
				ea++
			}
			for eb < len(b) && isDigit(b[eb]) {
				eb++
			}
		} else {
			for ea < len(a) && isAlpha(a[ea]) {
				ea++
			}
			for eb < len(b) && isAlpha(b[eb]) {
				eb++
			}
		}
		// b's segment is of the other kind: digits are newer than letters.
		if eb == j {
			if isnum {
				return 1
			}
			return -1
		}
		sa, sb := a[i:ea], b[j:eb]
		if isnum {
			sa, sb = trimZeros(sa), trimZeros(sb)
			if len(sa) != len(sb) {
				if len(sa) > len(sb) {
					return 1
				}
				return -1
			}
		}
		if sa != sb {
			if sa < sb {
				return -1
			}
			return 1
		}
		i, j = ea, eb
	}
	if i == len(a) && j == len(b) {
		return 0
	}
	if i == len(a) {
		return -1
	}
	return 1
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func trimZeros(s string) string {
	for len(s) > 0 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// compareEpoch orders two epochs numerically; "" means 0. Epochs that are
// not plain numbers fall back to Vercmp, as libsolv does.
func compareEpoch(a, b string) int {
	if a == b {
		return 0
	}
	if !allDigits(a) || !allDigits(b) {
		return Vercmp(a, b)
	}
	a, b = trimZeros(a), trimZeros(b)
	if len(a) != len(b) {
		if len(a) > len(b) {
			return 1
		}
		return -1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// CompareEVR orders two epoch:version-release triples: epoch first (empty
// is 0), then version, then release, each with rpm's rules.
func CompareEVR(a, b EVR) int {
	if c := compareEpoch(a.Epoch, b.Epoch); c != 0 {
		return c
	}
	if c := Vercmp(a.Version, b.Version); c != 0 {
		return c
	}
	return Vercmp(a.Release, b.Release)
}

// ParseEVR splits "[E:]V[-R]" the way rpm's parseEVR does: the epoch is the
// leading run of digits when a ':' follows it (":1.0" has epoch "0"), and
// the release follows the last '-'.
func ParseEVR(s string) EVR {
	var e EVR
	k := 0
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	rest := s
	if k < len(s) && s[k] == ':' {
		e.Epoch = s[:k]
		if e.Epoch == "" {
			e.Epoch = "0"
		}
		rest = s[k+1:]
	}
	if d := lastIndexByte(rest, '-'); d >= 0 {
		e.Version, e.Release = rest[:d], rest[d+1:]
	} else {
		e.Version = rest
	}
	return e
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// String renders the triple as rpm prints it: "E:V-R", with the epoch left
// out when it is empty or "0" and the release left out when empty.
func (e EVR) String() string {
	n := len(e.Version)
	// Epoch 0 and an empty release are left out as rpm prints them,
	// unless the text would then parse back differently (ParseEVR takes
	// a leading "digits:" as the epoch and splits at the last '-'): a
	// dependency's "0--" is version "0-" and an empty release, and ":1:2"
	// is epoch 0 and version "1:2".
	showEpoch := e.Epoch != "" && (e.Epoch != "0" || strings.IndexByte(e.Version, ':') >= 0)
	showRelease := e.Release != "" || strings.IndexByte(e.Version, '-') >= 0
	if showEpoch {
		n += len(e.Epoch) + 1
	}
	if showRelease {
		n += len(e.Release) + 1
	}
	b := make([]byte, 0, n)
	if showEpoch {
		b = append(b, e.Epoch...)
		b = append(b, ':')
	}
	b = append(b, e.Version...)
	if showRelease {
		b = append(b, '-')
		b = append(b, e.Release...)
	}
	return string(b)
}
