package config

// Checking a config value against the option schema as jsonschema does for
// Pungi (types, enums, arrays, objects, anyOf/oneOf), with Pungi's
// messages, Python reprs of values, and "Did you mean" suggestions.

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pungo/pungo/phases/config/kobo"
)

// schemaError is one failed schema check, shaped like jsonschema's errors.
type schemaError struct {
	path    []string
	msg     string
	context []string // for anyOf/oneOf: why each alternative failed
}

func (e schemaError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Failed validation in %s: %s", strings.Join(e.path, "."), e.msg)
	for _, c := range e.context {
		b.WriteString("\n    Possible reason: ")
		b.WriteString(c)
	}
	return b.String()
}

type schemaWarning struct {
	path []string
	msg  string
}

// walker checks one value against a schema node, collecting errors and
// warnings, and returns the value with defaults filled in.
type walker struct {
	errs  []schemaError
	warns []schemaWarning
	order keyOrder // dict key order, kept for the maps the walker rebuilds
}

func (w *walker) fail(path []string, format string, args ...any) {
	w.errs = append(w.errs, schemaError{path: append([]string(nil), path...), msg: fmt.Sprintf(format, args...)})
}

func (w *walker) warn(path []string, format string, args ...any) {
	w.warns = append(w.warns, schemaWarning{append([]string(nil), path...), fmt.Sprintf(format, args...)})
}

func (w *walker) check(n *Node, val any, path []string) any {
	if n.Deprecated != "" {
		w.warn(path, "Config option %s was removed and has no effect; %s.", strings.Join(path, "."), n.Deprecated)
		return val
	}
	if len(n.Types) > 0 && !w.checkType(n, val, path) {
		// jsonschema keeps checking the other keywords; only enum can still
		// say something about a value of the wrong type.
		if n.Enum != nil && !inEnum(n.Enum, val) {
			w.fail(path, "%s is not one of %s", w.repr(val), pyRepr(n.Enum))
		}
		return val
	}
	if n.Enum != nil && !inEnum(n.Enum, val) {
		w.fail(path, "%s is not one of %s", w.repr(val), pyRepr(n.Enum))
	}
	switch x := val.(type) {
	case []any:
		val = w.checkArray(n, x, x, path)
	case Tuple:
		out := w.checkArray(n, x, val, path)
		if l, ok := out.([]any); ok {
			val = Tuple(l)
		}
	case map[string]any:
		val = w.checkObject(n, x, path)
	}
	if n.AnyOf != nil {
		val = w.checkAlternatives(n.AnyOf, val, path, false)
	}
	if n.OneOf != nil {
		val = w.checkAlternatives(n.OneOf, val, path, true)
	}
	return val
}

func (w *walker) checkType(n *Node, val any, path []string) bool {
	for _, t := range n.Types {
		ok := false
		switch t {
		case "string", "url":
			_, ok = val.(string)
		case "regex":
			s, isStr := val.(string)
			if isStr {
				if msg, bad := regexProblem(s); bad {
					w.fail(path, "incorrect regular expression: %s", msg)
				}
				return true
			}
		case "number":
			switch val.(type) {
			case int64, kobo.BigInt, float64:
				ok = true
			}
		case "integer":
			switch val.(type) {
			case int64, kobo.BigInt:
				ok = true
			}
		case "boolean":
			_, ok = val.(bool)
		case "null":
			ok = val == nil
		case "array":
			switch val.(type) {
			case []any, Tuple:
				ok = true
			}
		case "object":
			_, ok = val.(map[string]any)
		}
		if ok {
			return true
		}
	}
	names := make([]string, len(n.Types))
	for i, t := range n.Types {
		if t == "regex" {
			t = "string"
		}
		names[i] = pyRepr(t)
	}
	w.fail(path, "%s is not of type %s", w.repr(val), strings.Join(names, ", "))
	return false
}

// regexProblem says what is wrong with a variant regex, as Python's re
// module words it.
func regexProblem(pattern string) (string, bool) {
	if _, err := compileStart(pattern); err != nil {
		return err.Error(), true
	}
	return "", false
}

// inEnum compares like jsonschema 4's enum: as Python's == except that
// booleans only equal booleans.
func inEnum(enum []any, v any) bool {
	_, vBool := v.(bool)
	for _, e := range enum {
		if _, eBool := e.(bool); eBool != vBool {
			continue
		}
		if valuesEqual(e, v) {
			return true
		}
	}
	return false
}

func (w *walker) checkArray(n *Node, items []any, orig any, path []string) any {
	out := make([]any, len(items))
	copy(out, items)
	if n.TupleItems != nil {
		for i, it := range items {
			if i < len(n.TupleItems) {
				out[i] = w.check(n.TupleItems[i], it, appendPath(path, fmt.Sprint(i)))
			}
		}
		if n.NoExtraItems && len(items) > len(n.TupleItems) {
			extra := items[len(n.TupleItems):]
			verb := "was"
			if len(extra) > 1 {
				verb = "were"
			}
			reprs := make([]string, len(extra))
			for i, e := range extra {
				reprs[i] = w.repr(e)
			}
			w.fail(path, "Additional items are not allowed (%s %s unexpected)", strings.Join(reprs, ", "), verb)
		}
	} else if n.Items != nil {
		for i, it := range items {
			out[i] = w.check(n.Items, it, appendPath(path, fmt.Sprint(i)))
		}
	}
	switch {
	case n.MinItems == 1 && len(items) == 0:
		w.fail(path, "%s should be non-empty", w.repr(orig))
	case n.MinItems > 0 && len(items) < n.MinItems:
		w.fail(path, "%s is too short", w.repr(orig))
	}
	if n.MaxItems > 0 && len(items) > n.MaxItems {
		w.fail(path, "%s is too long", w.repr(orig))
	}
	return out
}

func (w *walker) checkObject(n *Node, m map[string]any, path []string) any {
	if n.Props == nil && n.Patterns == nil && !n.NoExtraProps && n.Required == nil {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	origOrder := w.order.keys(m)
	defer func() {
		keys := make([]string, 0, len(out))
		seen := map[string]bool{}
		for _, k := range origOrder {
			if _, ok := out[k]; ok {
				keys = append(keys, k)
				seen[k] = true
			}
		}
		for _, k := range sortedKeys(out) {
			if !seen[k] {
				keys = append(keys, k)
			}
		}
		w.order.remember(out, keys)
	}()
	// Pungi's hooks: deprecated aliases and appended options fold into the
	// new property before validation.
	for _, pr := range n.Props {
		if a := pr.Node.Alias; a != "" {
			if v, ok := out[a]; ok {
				w.warn(path, "Config option '%s' is deprecated and now an alias to '%s', please use '%s' instead.", a, pr.Name, pr.Name)
				if _, has := out[pr.Name]; has {
					w.fail(path, "Config option '%s' is an alias of '%s', only one can be used.", a, pr.Name)
				} else {
					out[pr.Name] = v
				}
				delete(out, a)
			}
		}
		for _, a := range pr.Node.Append {
			v, ok := out[a]
			if !ok {
				continue
			}
			w.warn(path, "Config option '%s' is deprecated, its value will be appended to option '%s'.", a, pr.Name)
			if cur, has := out[pr.Name]; has {
				w.warn(path, "Value from config option '%s' is now appended to option '%s'.", a, pr.Name)
				out[pr.Name] = append(forceList(cur), forceList(v)...)
			} else {
				w.warn(path, "Config option '%s' is not found, but '%s' is specified, value from '%s' is now added as '%s'.", pr.Name, a, a, pr.Name)
				out[pr.Name] = v
			}
			delete(out, a)
		}
	}
	for _, pr := range n.Props {
		if _, ok := out[pr.Name]; !ok && pr.Node.HasDefault {
			out[pr.Name] = cloneValue(pr.Node.Default)
		}
	}
	keys := w.order.keys(out)
	for _, pr := range n.Props {
		if v, ok := out[pr.Name]; ok {
			out[pr.Name] = w.check(pr.Node, gitBranch(pr.Node, v), appendPath(path, pr.Name))
		}
	}
	var extras []string
	for _, k := range keys {
		matched := false
		for _, pr := range n.Props {
			if pr.Name == k {
				matched = true
			}
		}
		for _, pat := range n.Patterns {
			if re, err := regexp.Compile(pat.Name); err == nil && re.MatchString(k) {
				matched = true
				if n.variantKeys {
					if msg, bad := regexProblem(k); bad {
						w.fail(appendPath(path, k), "incorrect regular expression: %s", msg)
					}
				}
				out[k] = w.check(pat.Node, out[k], appendPath(path, k))
			}
		}
		if !matched {
			extras = append(extras, k)
		}
	}
	if n.NoExtraProps && len(extras) > 0 {
		reprs := make([]string, len(extras))
		for i, e := range extras {
			reprs[i] = w.repr(e)
		}
		if len(n.Patterns) > 0 {
			verb := "does"
			if len(extras) > 1 {
				verb = "do"
			}
			pats := make([]string, len(n.Patterns))
			for i, pat := range n.Patterns {
				pats[i] = pyRepr(pat.Name)
			}
			w.fail(path, "%s %s not match any of the regexes: %s", strings.Join(reprs, ", "), verb, strings.Join(pats, ", "))
		} else {
			verb := "was"
			if len(extras) > 1 {
				verb = "were"
			}
			w.fail(path, "Additional properties are not allowed (%s %s unexpected)", strings.Join(reprs, ", "), verb)
		}
	}
	for _, req := range n.Required {
		if _, ok := out[req]; !ok {
			w.fail(path, "%s is a required property", pyRepr(req))
		}
	}
	return out
}

// checkAlternatives implements anyOf (first alternative without errors
// wins, its warnings kept) and oneOf (exactly one must match).
func (w *walker) checkAlternatives(alts []*Node, val any, path []string, one bool) any {
	var context []string
	matched := 0
	var result any
	var resultWarns []schemaWarning
	for _, alt := range alts {
		sub := &walker{order: w.order}
		out := sub.check(alt, val, path)
		if len(sub.errs) == 0 {
			matched++
			if matched == 1 {
				result, resultWarns = out, sub.warns
			}
			if !one {
				break
			}
			continue
		}
		for _, e := range sub.errs {
			context = append(context, e.msg)
		}
	}
	switch {
	case matched == 0:
		w.errs = append(w.errs, schemaError{path: append([]string(nil), path...),
			msg: fmt.Sprintf("%s is not valid under any of the given schemas", w.repr(val)), context: context})
		return val
	case one && matched > 1:
		w.fail(path, "%s is valid under more than one of the given schemas", w.repr(val))
	}
	w.warns = append(w.warns, resultWarns...)
	return result
}

func appendPath(path []string, elem string) []string {
	return append(append([]string(nil), path...), elem)
}

func forceList(v any) []any {
	switch x := v.(type) {
	case []any:
		return append([]any(nil), x...)
	case Tuple:
		return append([]any(nil), x...)
	}
	return []any{v}
}

// valuesEqual is Python's == on config values.
func valuesEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		return ok && listEqual(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && listEqual(x, y)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !valuesEqual(v, w) {
				return false
			}
		}
		return true
	}
	switch b.(type) {
	case []any, Tuple, map[string]any:
		return false
	}
	return kobo.ScalarEqual(a, b)
}

func listEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !valuesEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// pyRepr renders a config value as Python's repr() does (dict keys sorted).
func pyRepr(v any) string { return kobo.Repr(toKobo(v)) }

// PyRepr is Python's repr() of a config value, as Pungi's messages quote
// values.
func PyRepr(v any) string { return pyRepr(v) }

// repr is pyRepr with dicts in the order the config wrote them, as Pungi's
// messages show them.
func (w *walker) repr(v any) string { return kobo.Repr(w.order.toKobo(v)) }

func (o keyOrder) toKobo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		d := &kobo.Dict{}
		for _, k := range o.keys(x) {
			d.Set(k, o.toKobo(x[k]))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = o.toKobo(e)
		}
		return out
	case Tuple:
		out := make(kobo.Tuple, len(x))
		for i, e := range x {
			out[i] = o.toKobo(e)
		}
		return out
	}
	return toKobo(v)
}

// PyStr renders a config value as Python's str() does.
func PyStr(v any) string { return kobo.Str(toKobo(v)) }

func toKobo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		d := &kobo.Dict{}
		for _, k := range sortedKeys(x) {
			d.Set(k, toKobo(x[k]))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toKobo(e)
		}
		return out
	case Tuple:
		out := make(kobo.Tuple, len(x))
		for i, e := range x {
			out[i] = toKobo(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	}
	return v
}

// maxSuggestions bounds the unknown option names matched against the
// schema for "Did you mean".
const maxSuggestions = 20

// suggest finds the known option closest to name, if the edit distance is
// below half of name's length (Pungi's rule).
func suggest(name string) string {
	n := utf8.RuneCountInString(name)
	best, bestDist := "", n+1
	for _, o := range optionList {
		// The distance is at least the difference in length.
		if diff := utf8.RuneCountInString(o.Name) - n; diff >= n/2 || -diff >= n/2 {
			continue
		}
		d := levenshtein(name, o.Name)
		if d < bestDist && d < n/2 {
			best, bestDist = o.Name, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
