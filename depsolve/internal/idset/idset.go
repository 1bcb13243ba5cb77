// Package idset owns the set operations on ascending, duplicate-free lists
// of integer ids that both the gatherer's whatprovides queries
// (depsolve) and the installability encoder (depsolve/installcheck) use to
// evaluate rich dependencies. Keeping the sets as sorted slices, as libsolv
// does with its queues, makes each operation one linear merge.
package idset

// Union merges two ascending lists. When one is empty the other is
// returned as is (not copied): callers treat the results as read-only.
func Union[T ~int32](a, b []T) []T {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]T, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// Intersect returns the ids in both ascending lists.
func Intersect[T ~int32](a, b []T) []T {
	var out []T
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// Minus returns the ids of a that are not in b.
func Minus[T ~int32](a, b []T) []T {
	var out []T
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}
