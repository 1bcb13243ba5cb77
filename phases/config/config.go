package config

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/config/kobo"
	"github.com/pungo/pungo/phases/config/pyre"
)

// Tuple is a parenthesised sequence from a kobo config.
type Tuple = kobo.Tuple

// Pos is a position in a config file.
type Pos = kobo.Pos

// Config is a loaded configuration.
type Config struct {
	// Path is the file given to Load.
	Path string
	// Files lists every file read (imports included).
	Files []string

	names    []string // assignment order
	values   map[string]any
	pos      map[string]Pos
	defaults map[string]any           // set by WithDefaults
	order    keyOrder                 // insertion order of every dict value
	trees    map[string]*kobo.PosNode // where the parts of each value were written
}

// New makes a config from plain values (for tests and callers building a
// config in code).
func New(values map[string]any) *Config {
	c := &Config{values: map[string]any{}, pos: map[string]Pos{}, order: keyOrder{}}
	keys := slices.Sorted(maps.Keys(values))
	for _, k := range keys {
		c.Set(k, values[k])
	}
	return c
}

// NewWithDefaults makes a config from plain values with the defaults of
// Pungi's schema filled in, as a loaded config gets them for a compose:
// what tests and callers building a config in code should use.
func NewWithDefaults(values map[string]any) *Config { return New(values).WithDefaults() }

// LoadOptions says how to load a config.
type LoadOptions struct {
	// Overrides are KEY=VALUE definitions (pungi-config-validate's and
	// pungi-config-dump's -e): KEY must look like a Python name starting
	// with a lower-case letter or "_", and VALUE is taken as a string, as
	// written (Pungi's extract_defines). They are defined before the file
	// is read, so the file can use them, and the file's own assignments
	// win (Pungi's load_config).
	Overrides []string
	// Defaults are more variables defined before the file is read
	// (pungi-config-validate's .pungi-config-validate.json); Pungi merges
	// them into the -e definitions, so they win over those.
	Defaults map[string]any
	// JSON reads the file as JSON whatever its name (a compose's
	// logs/global/config-dump.global.log).
	JSON bool
}

// defineRE is the check of Pungi's validate_definition; \w as Python 3
// reads it in a str pattern, and "$" also before a final newline.
var defineRE = regexp.MustCompile(`^[a-z_][\p{L}\p{N}_]*=.*\n?$`)

// Load reads a config file (JSON when the name ends in .json, kobo format
// otherwise) with -e style definitions. Defined variables that are not
// Pungi options are dropped after reading, as Pungi does with template
// variables.
func Load(path string, overrides []string) (*Config, error) {
	return LoadWith(path, LoadOptions{Overrides: overrides})
}

// LoadWith is Load with all options.
func LoadWith(path string, opts LoadOptions) (*Config, error) {
	defines := kobo.NewVars()
	for _, o := range opts.Overrides {
		if !defineRE.MatchString(o) {
			return nil, fmt.Errorf("-e: definition should be in var=value format: %s", kobo.Repr(o))
		}
		key, val, _ := strings.Cut(o, "=")
		defines.Set(key, kobo.Var{Value: val, Pos: Pos{File: "-e " + o}})
	}
	for _, k := range sortedKeys(opts.Defaults) {
		defines.Set(k, kobo.Var{Value: fromPlain(opts.Defaults[k]), Pos: Pos{File: "defaults"}})
	}

	vars := kobo.NewVars()
	for _, n := range defines.Names {
		vars.Set(n, defines.Values[n])
	}
	if opts.JSON || strings.HasSuffix(path, ".json") {
		jv, err := loadJSON(path)
		if err != nil {
			return nil, err
		}
		vars.Files = jv.Files
		for _, n := range jv.Names {
			vars.Set(n, jv.Values[n])
		}
	} else if err := kobo.ParseFileInto(vars, path); err != nil {
		return nil, err
	}

	c := &Config{Path: path, Files: vars.Files, values: map[string]any{}, pos: map[string]Pos{},
		order: keyOrder{}, trees: map[string]*kobo.PosNode{}}
	for _, n := range vars.Names {
		if _, defined := defines.Values[n]; defined {
			if _, known := LookupOption(n); !known {
				continue
			}
		}
		v := vars.Values[n]
		c.names = append(c.names, n)
		c.values[n] = c.order.plain(v.Value)
		c.pos[n] = v.Pos
		if v.Tree != nil {
			c.trees[n] = v.Tree
		}
	}
	return c, nil
}

// fromPlain turns a config value back into a kobo value.
func fromPlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		d := &kobo.Dict{}
		for _, k := range sortedKeys(x) {
			d.Set(k, fromPlain(x[k]))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromPlain(e)
		}
		return out
	case int:
		return int64(x)
	}
	return v
}

// LoadRaw returns the variables of a config file exactly as parsed, without
// overrides, defaults or validation.
func LoadRaw(path string) (map[string]any, error) {
	c, err := Load(path, nil)
	if err != nil {
		return nil, err
	}
	return c.Values(), nil
}

// Plain converts a kobo value to the config value model: dicts become
// map[string]any, everything else keeps its type.
func Plain(v any) any { return keyOrder(nil).plain(v) }

// keyOrder remembers the insertion order of dict values, which Pungi's
// lookups follow (the arch keys of a variant/arch mapping, the regex keys of
// live_media or gather_method), keyed by the map's identity.
type keyOrder map[uintptr][]string

func mapID(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

func (o keyOrder) plain(v any) any {
	switch x := v.(type) {
	case *kobo.Dict:
		m := make(map[string]any, x.Len())
		keys := make([]string, 0, x.Len())
		for i, k := range x.Keys {
			ks := KeyString(k)
			if _, dup := m[ks]; !dup {
				keys = append(keys, ks)
			}
			m[ks] = o.plain(x.Values[i])
		}
		o.remember(m, keys)
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = o.plain(e)
		}
		return out
	case kobo.Tuple:
		out := make(Tuple, len(x))
		for i, e := range x {
			out[i] = o.plain(e)
		}
		return out
	}
	return v
}

func (o keyOrder) remember(m map[string]any, keys []string) {
	if o != nil && len(m) > 1 {
		o[mapID(m)] = keys
	}
}

// keys returns m's keys in insertion order when known, else sorted. A
// remembered order is used only if it still names exactly m's keys.
func (o keyOrder) keys(m map[string]any) []string {
	if ord, ok := o[mapID(m)]; ok && len(ord) == len(m) {
		good := true
		for _, k := range ord {
			if _, in := m[k]; !in {
				good = false
				break
			}
		}
		if good {
			return ord
		}
	}
	return sortedKeys(m)
}

// DictKeys returns the keys of a dict value of this config in the order the
// config file wrote them (sorted for dicts it did not come from), the order
// in which Pungi visits them.
func (c *Config) DictKeys(m map[string]any) []string { return c.order.keys(m) }

// KeyString renders a dict key as Python's json module does.
func KeyString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return kobo.FloatRepr(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	case kobo.Tuple:
		// JSON has no tuple keys: the key is kept under a name no lookup
		// matches and the JSON writer refuses, as Python's json does.
		return tupleKeyPrefix + kobo.Repr(x)
	}
	return fmt.Sprint(k)
}

// tupleKeyPrefix marks a tuple dict key in plain values (see KeyString).
const tupleKeyPrefix = "\x00tuple:"

// Keys returns the options set in the config, sorted.
func (c *Config) Keys() []string {
	keys := slices.Sorted(maps.Keys(c.values))
	return keys
}

// Values returns the options set in the config (no defaults).
func (c *Config) Values() map[string]any {
	m := make(map[string]any, len(c.values))
	for k, v := range c.values {
		m[k] = v
	}
	return m
}

// Set assigns an option (position unknown).
func (c *Config) Set(key string, v any) {
	if _, ok := c.values[key]; !ok {
		c.names = append(c.names, key)
	}
	c.values[key] = v
}

// Delete removes an option the config sets (its default, if any, stays).
func (c *Config) Delete(key string) {
	if _, ok := c.values[key]; !ok {
		return
	}
	delete(c.values, key)
	c.names = slices.DeleteFunc(c.names, func(n string) bool { return n == key })
}

// Pos returns where an option was assigned, if it came from a file.
func (c *Config) Pos(key string) (Pos, bool) {
	p, ok := c.pos[key]
	return p, ok
}

// PosOf returns where a part of an option's value was written: path is the
// option name followed by list indexes and dict keys (as in validation
// messages). It falls back to the deepest part it knows, then to the
// option's assignment.
func (c *Config) PosOf(path []string) (Pos, bool) {
	if len(path) == 0 {
		return Pos{}, false
	}
	p, ok := c.pos[path[0]]
	if !ok {
		return p, false
	}
	node := c.trees[path[0]]
	for _, elem := range path[1:] {
		node = node.Child(elem, KeyString)
		if node == nil {
			break
		}
		p = node.Pos
	}
	return p, true
}

// IsSet reports whether the config itself sets key (defaults do not count).
func (c *Config) IsSet(key string) bool {
	_, ok := c.values[key]
	return ok
}

// Get returns an option's value: the one set, else the default when
// WithDefaults was applied.
func (c *Config) Get(key string) (any, bool) {
	if v, ok := c.values[key]; ok {
		return v, true
	}
	if v, ok := c.defaults[key]; ok {
		return v, true
	}
	return nil, false
}

// WithDefaults returns a copy of c in which Get also answers with the
// defaults of Pungi's schema for options the config does not set; nested
// defaults (such as extra_isos' skip_src) are filled into the values too, as
// Pungi's validator does.
func (c *Config) WithDefaults() *Config {
	return Check(c, ValidateOptions{}).Config
}

// Merged returns every option value with defaults filled in.
func (c *Config) Merged() map[string]any {
	m := map[string]any{}
	for k, v := range c.defaults {
		m[k] = v
	}
	for k, v := range c.values {
		m[k] = v
	}
	return m
}

// String returns a string option, "" when unset or not a string.
func (c *Config) String(key string) string {
	v, _ := c.Get(key)
	s, _ := v.(string)
	return s
}

// Bool returns a bool option, false when unset or not a bool.
func (c *Config) Bool(key string) bool {
	v, _ := c.Get(key)
	b, _ := v.(bool)
	return b
}

// Int returns a number option as int (floats truncated), 0 when unset.
func (c *Config) Int(key string) int {
	v, _ := c.Get(key)
	switch x := v.(type) {
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

// Strings returns a list-of-strings option. A single string counts as a
// one-item list, as Pungi's "list or single" options allow; non-string
// items are skipped.
func (c *Config) Strings(key string) []string {
	v, _ := c.Get(key)
	return toStrings(v)
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		return stringsOf(x)
	case Tuple:
		return stringsOf(x)
	}
	return nil
}

func stringsOf(items []any) []string {
	out := make([]string, 0, len(items))
	for _, e := range items {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// AsList returns the items of a list or tuple value.
func AsList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case Tuple:
		return x, true
	}
	return nil, false
}

var (
	regexCache   = map[string]*pyre.Regexp{}
	regexCacheMu sync.Mutex
)

// MatchStart reports whether the Python regular expression pattern matches
// at the start of s (Python's re.match). Invalid patterns match nothing.
// Phases matching variant UIDs against config regexes should use it rather
// than Go's regexp, which refuses look-around and back-references and reads
// some Python syntax differently ("{,3}", "[[:alpha:]]", "$").
func MatchStart(pattern, s string) bool {
	re, err := compileStart(pattern)
	if err != nil {
		return false
	}
	return re.MatchStart(s)
}

func compileStart(pattern string) (*pyre.Regexp, error) {
	regexCacheMu.Lock()
	defer regexCacheMu.Unlock()
	if re, ok := regexCache[pattern]; ok {
		return re, nil
	}
	re, err := pyre.Compile(pattern)
	if err != nil {
		return nil, err
	}
	regexCache[pattern] = re
	return re, nil
}

// ForVariantArch returns the values a [(variant_regex, {arch: value})]
// option holds for one variant and arch, like Pungi's
// get_arch_variant_data: every matching entry in order, list values
// flattened, "*" matching every arch except "src". An empty variantUID
// matches every entry.
func (c *Config) ForVariantArch(key, variantUID, arch string) []any {
	v, _ := c.Get(key)
	entries, _ := AsList(v)
	var out []any
	for _, e := range entries {
		pair, ok := AsList(e)
		if !ok || len(pair) != 2 {
			continue
		}
		pattern, _ := pair[0].(string)
		if variantUID != "" && !MatchStart(pattern, variantUID) {
			continue
		}
		arches, ok := pair[1].(map[string]any)
		if !ok {
			continue
		}
		for _, a := range c.order.keys(arches) {
			if a != "*" && a != arch || a == "*" && arch == "src" {
				continue
			}
			out = appendFlat(out, arches[a])
		}
	}
	return out
}

// ForVariant returns the values a [(variant_regex, value)] option (or a
// {variant_regex: value} dict) holds for one variant, lists flattened, like
// Pungi's get_variant_data.
func (c *Config) ForVariant(key, variantUID string) []any {
	v, _ := c.Get(key)
	var out []any
	switch x := v.(type) {
	case map[string]any:
		for _, pattern := range c.order.keys(x) {
			if MatchStart(pattern, variantUID) {
				out = appendFlat(out, x[pattern])
			}
		}
	default:
		entries, _ := AsList(v)
		for _, e := range entries {
			pair, ok := AsList(e)
			if !ok || len(pair) != 2 {
				continue
			}
			pattern, _ := pair[0].(string)
			if MatchStart(pattern, variantUID) {
				out = appendFlat(out, pair[1])
			}
		}
	}
	return out
}

func appendFlat(out []any, v any) []any {
	if l, ok := v.([]any); ok {
		return append(out, l...)
	}
	return append(out, v)
}

func sortedKeys(m map[string]any) []string {
	keys := slices.Sorted(maps.Keys(m))
	return keys
}
