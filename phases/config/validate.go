package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pungo/pungo/phases/config/kobo"
	"github.com/pungo/pungo/repomd/createrepo"
)

// Diagnostic is one validation finding.
type Diagnostic struct {
	Pos    Pos    // where the option was assigned; zero when unknown
	Option string // the top-level option concerned, if any
	Msg    string
}

func (d Diagnostic) String() string {
	if d.Pos.File == "" {
		return d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// VariantInfo is what the phase checks need to know about a variant.
type VariantInfo struct {
	UID     string
	Type    string // variant, addon, optional, layered-product
	Arches  []string
	IsEmpty bool
}

// ValidateOptions carries what pungi-config-validate learns outside the
// config: the variants (from variants_file) and whether old composes will be
// given.
type ValidateOptions struct {
	Variants    []VariantInfo // nil: checks that need variants are skipped
	OldComposes bool
	// SchemaOnly stops after the schema and dependency checks, as
	// pungi-config-dump does.
	SchemaOnly bool
}

// Result is the outcome of Check.
type Result struct {
	Errors   []Diagnostic
	Warnings []Diagnostic
	// Config has defaults filled in (also inside nested objects) and
	// deprecated aliases resolved, as Pungi's validator leaves it.
	Config *Config
}

// Validate checks c like Pungi's checks.validate: the option schema and
// the option dependencies and conflicts. The phase checks (which need the
// variants and the command line) are Check's.
func Validate(c *Config) (errs []Diagnostic, warns []Diagnostic) {
	r := Check(c, ValidateOptions{SchemaOnly: true})
	return r.Errors, r.Warnings
}

// Check validates c and returns the findings and the normalized config.
func Check(c *Config, opts ValidateOptions) *Result {
	r := &Result{}
	filled := c.clone()
	filled.defaults = map[string]any{}

	// Top-level: unknown options, deprecated ones, then each option's
	// schema.
	suggested := 0
	for _, name := range c.Keys() {
		o, ok := LookupOption(name)
		if !ok {
			msg := fmt.Sprintf("Unrecognized config option: %s.", name)
			// A suggestion costs a pass over the schema: only the first
			// maxSuggestions unknown names get one, so validation stays
			// linear in the config's size.
			if suggested++; suggested > maxSuggestions {
				r.Warnings = append(r.Warnings, c.diag(name, msg))
				continue
			}
			if s := suggest(name); s != "" {
				msg = fmt.Sprintf("Unrecognized config option: %s. Did you mean %s?", name, s)
			}
			r.Warnings = append(r.Warnings, c.diag(name, msg))
			continue
		}
		v := &walker{order: filled.order}
		out := v.check(o.Node, gitBranch(o.Node, c.values[name]), []string{name})
		filled.values[name] = out
		for _, e := range v.errs {
			r.Errors = append(r.Errors, c.diagAt(e.path, e.String()))
		}
		for _, w := range v.warns {
			r.Warnings = append(r.Warnings, c.diagAt(w.path, w.msg))
		}
	}
	for _, name := range requiredOptions {
		if !c.IsSet(name) {
			r.Errors = append(r.Errors, Diagnostic{Pos: Pos{File: c.Path}, Option: name,
				Msg: fmt.Sprintf("Failed validation in : %s is a required property", pyRepr(name))})
		}
	}
	for _, o := range optionList {
		if _, set := filled.values[o.Name]; !set && o.HasDefault {
			filled.defaults[o.Name] = o.defaultValue()
		}
	}
	r.Errors = append(r.Errors, dependencyErrors(filled)...)
	if len(r.Errors) == 0 {
		// pungo's own: options it accepts without implementing, runroot.
		e, w := unimplementedDiagnostics(filled)
		r.Errors = append(r.Errors, e...)
		r.Warnings = append(append(r.Warnings, w...), runrootDiagnostics(filled)...)
	}
	if len(r.Errors) == 0 && !opts.SchemaOnly {
		e, w := phaseChecks(filled, opts)
		r.Errors = append(r.Errors, e...)
		r.Warnings = append(r.Warnings, w...)
	}
	r.Config = filled
	return r
}

// gitBranch is what Pungi's validation does, offline, to a git scm dict
// in a str_or_scm_dict property (pungo never resolves references over the
// network): a dict with a repo and no branch (missing, null or empty) gets
// branch "HEAD". The dict is copied, not changed in place.
func gitBranch(n *Node, v any) any {
	m, ok := v.(map[string]any)
	if !n.scmRef || !ok || m["scm"] != "git" {
		return v
	}
	if _, ok := m["repo"]; !ok {
		return v
	}
	if b, _ := m["branch"].(string); b != "" {
		return v
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out["branch"] = "HEAD"
	return out
}

func (c *Config) clone() *Config {
	n := &Config{Path: c.Path, Files: c.Files, names: append([]string(nil), c.names...),
		values: map[string]any{}, pos: map[string]Pos{}, order: keyOrder{}, trees: c.trees}
	for id, keys := range c.order {
		n.order[id] = keys
	}
	for k, v := range c.values {
		n.values[k] = v
	}
	for k, p := range c.pos {
		n.pos[k] = p
	}
	if c.defaults != nil {
		n.defaults = map[string]any{}
		for k, v := range c.defaults {
			n.defaults[k] = v
		}
	}
	return n
}

// diagAt makes a diagnostic at the position of the part of an option's
// value that path names.
func (c *Config) diagAt(path []string, msg string) Diagnostic {
	p, ok := c.PosOf(path)
	if !ok {
		p = Pos{File: c.Path}
	}
	return Diagnostic{Pos: p, Option: path[0], Msg: msg}
}

// diag makes a diagnostic at an option's position (the config file when
// the option has none).
func (c *Config) diag(option, msg string) Diagnostic {
	p, ok := c.pos[option]
	if !ok {
		p = Pos{File: c.Path}
	}
	return Diagnostic{Pos: p, Option: option, Msg: msg}
}

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

// dependency is one row of Pungi's CONFIG_DEPS: when the trigger's value
// satisfies when, each option in deps must be set (requires) or must not
// be set to a non-default value (conflicts).
type dependency struct {
	option    string
	when      func(v any) bool
	deps      []string
	conflicts bool
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case Tuple:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func falsy(v any) bool { return !truthy(v) }

func equals(s string) func(any) bool {
	return func(v any) bool { x, ok := v.(string); return ok && x == s }
}

var dependencies = []dependency{
	{"buildinstall_method", falsy, []string{"lorax_options", "buildinstall_kickstart"}, true},
	{"base_product_name", falsy, []string{"base_product_short", "base_product_version"}, true},
	{"base_product_name", truthy, []string{"base_product_short", "base_product_version"}, false},
	{"base_product_short", falsy, []string{"base_product_name", "base_product_version"}, true},
	{"base_product_short", truthy, []string{"base_product_name", "base_product_version"}, false},
	{"base_product_version", falsy, []string{"base_product_name", "base_product_short"}, true},
	{"base_product_version", truthy, []string{"base_product_name", "base_product_short"}, false},
	{"cts_url", truthy, []string{"translate_paths"}, false},
	{"product_id", falsy, []string{"product_id_allow_missing"}, true},
	{"pkgset_scratch_modules", truthy, []string{"mbs_api_url"}, false},
	{"pkgset_source", equals("koji"), []string{"pkgset_repos"}, true},
	{"pkgset_source", equals("repos"), []string{"pkgset_koji_tag", "pkgset_koji_inherit"}, true},
	{"pkgset_source", equals("repos"), []string{"pkgset_repos"}, false},
}

// dependencyErrors applies Pungi's requires/conflicts rules to a config
// whose defaults are filled in. A conflict counts only when the other
// option is set to something other than its default; a requirement is met
// only by an option the config sets itself (Pungi would also accept a
// default, which makes cts_url's need for translate_paths unreachable).
func dependencyErrors(c *Config) []Diagnostic {
	var out []Diagnostic
	for _, d := range dependencies {
		v, _ := c.Get(d.option)
		if !d.when(v) {
			continue
		}
		for _, dep := range d.deps {
			if d.conflicts {
				dv, set := c.values[dep]
				if !set {
					continue
				}
				// Pungi compares with the schema default, None when there
				// is none, so an option set to None never conflicts.
				var def any
				if o, ok := LookupOption(dep); ok && o.HasDefault {
					def = o.Default
				}
				if valuesEqual(def, dv) {
					continue
				}
				at := d.option
				if !c.IsSet(at) {
					at = dep
				}
				out = append(out, c.diag(at, fmt.Sprintf("Config option %s=%s conflicts with option %s.", d.option, kobo.Str(c.order.toKobo(v)), dep)))
			} else if !c.IsSet(dep) {
				out = append(out, c.diag(d.option, fmt.Sprintf("Config option %s=%s requires %s which is not set.", d.option, kobo.Str(c.order.toKobo(v)), dep)))
			}
		}
	}
	return out
}

// CheckPhaseNames returns a message for every name that is not a phase
// Pungi knows (PhaseNames, or one of RemovedPhases), as pungi-koji's
// --skip-phase/--just-phase choices refuse them.
func CheckPhaseNames(names []string) []string {
	var errs []string
	for _, n := range names {
		if !slices.Contains(PhaseNames, n) && !slices.Contains(RemovedPhases, n) {
			errs = append(errs, fmt.Sprintf("unknown phase %q (known: %s)", n, strings.Join(PhaseNames, ", ")))
		}
	}
	return errs
}

// CheckSkipPhases is Pungi's check_skip_phases: a phase another needs
// (pkgset by gather, gather by createrepo) cannot be skipped while that one
// runs, and --just-phase of the needing phase must name the needed one too.
// skip is --skip-phase plus skip_phases.
func CheckSkipPhases(skip, just []string) []string {
	var errs []string
	for _, pair := range [][2]string{{"pkgset", "gather"}, {"gather", "createrepo"}} {
		k, v := pair[0], pair[1]
		if slices.Contains(skip, k) && !slices.Contains(skip, v) || slices.Contains(just, v) && !slices.Contains(just, k) {
			errs = append(errs, fmt.Sprintf("%s phase is skipped but it's needed by %s phase", k, v))
		}
	}
	return errs
}

// phaseChecks are the validate() methods of Pungi's phases that work
// offline, run for phases that are not skipped.
func phaseChecks(c *Config, opts ValidateOptions) (errs, warns []Diagnostic) {
	skip := c.Strings("skip_phases")
	skipped := func(phase string) bool {
		for _, s := range skip {
			if s == phase {
				return true
			}
		}
		return false
	}
	for _, e := range CheckSkipPhases(skip, nil) {
		errs = append(errs, c.diag("skip_phases", e))
	}
	phaseErr := func(phase, option, msg string) {
		errs = append(errs, c.diag(option, strings.ToUpper(phase)+": "+msg))
	}

	// createrepo: deltas need an old compose to compare with.
	if !skipped("createrepo") && !opts.OldComposes {
		if v, _ := c.Get("createrepo_deltas"); truthy(v) {
			phaseErr("createrepo", "createrepo_deltas", "Can not generate deltas without old compose")
		}
	}
	// createrepo: createrepo_extra_args are createrepo_c flags that pungo's
	// writer applies; one it does not implement is refused, not dropped.
	if !skipped("createrepo") {
		if err := createrepo.CheckArgs(c.Strings("createrepo_extra_args")); err != nil {
			phaseErr("createrepo", "createrepo_extra_args", err.Error())
		}
	}
	// image_checksum is never skipped.
	if c.Bool("media_checksum_one_file") && len(c.Strings("media_checksums")) != 1 {
		phaseErr("image_checksum", "media_checksum_one_file",
			`Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`)
	}
	if opts.Variants == nil {
		return errs, warns
	}
	byUID := map[string]VariantInfo{}
	for _, v := range opts.Variants {
		byUID[v.UID] = v
	}
	// gather: variant_as_lookaside must name existing variants whose arches
	// cover the requiring variant's.
	if !skipped("gather") {
		v, _ := c.Get("variant_as_lookaside")
		pairs, _ := AsList(v)
		for _, pv := range pairs {
			pair, _ := AsList(pv)
			if len(pair) != 2 {
				continue
			}
			requiring, _ := pair[0].(string)
			required, _ := pair[1].(string)
			rv, okA := byUID[requiring]
			dv, okB := byUID[required]
			if okA && !okB {
				phaseErr("gather", "variant_as_lookaside", fmt.Sprintf("variant_as_lookaside: variant %s doesn't exist but is required by %s", pyRepr(required), pyRepr(requiring)))
			}
			if okA && okB && !subset(rv.Arches, dv.Arches) {
				phaseErr("gather", "variant_as_lookaside", fmt.Sprintf("variant_as_lookaside: architectures of variant '%s' aren't subset of architectures of variant '%s'", requiring, required))
			}
		}
	}
	// ostree_installer: its output would overwrite buildinstall's.
	buildinstallRuns := !skipped("buildinstall") && truthy(c.String("buildinstall_method"))
	if v, _ := c.Get("ostree_installer"); truthy(v) && !skipped("ostree_installer") &&
		!c.Bool("ostree_installer_overwrite") && buildinstallRuns {
		for _, variant := range opts.Variants {
			for _, arch := range variant.Arches {
				if len(c.ForVariantArch("ostree_installer", variant.UID, arch)) > 0 && !variant.IsEmpty {
					phaseErr("ostree_installer", "ostree_installer", fmt.Sprintf("Can not generate ostree installer for %s.%s: it has buildinstall running already and the files would clash.", variant.UID, arch))
				}
			}
		}
	}
	// extra_isos: arches not in the variant only warn.
	if v, _ := c.Get("extra_isos"); truthy(v) && !skipped("extra_isos") {
		for _, variant := range opts.Variants {
			if variant.Type != "" && variant.Type != "variant" {
				continue
			}
			for _, conf := range c.ForVariant("extra_isos", variant.UID) {
				m, _ := conf.(map[string]any)
				var extra []string
				for _, a := range toStrings(m["arches"]) {
					if !slices.Contains(variant.Arches, a) {
						extra = append(extra, a)
					}
				}
				if len(extra) > 0 {
					sort.Strings(extra)
					warns = append(warns, c.diag("extra_isos", fmt.Sprintf("Extra iso config for %s mentions non-existing arches: %s", variant.UID, strings.Join(extra, ", "))))
				}
			}
		}
	}
	return errs, warns
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
