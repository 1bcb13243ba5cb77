package compose

import (
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"reflect"
	"sort"
	"strings"
)

// Config is what the compose needs from a loaded Pungi configuration.
// phases/config's *Config satisfies it; MapConfig is a plain implementation
// for tests and tools.
type Config interface {
	// Get returns an option's value (with defaults filled in when the
	// loader knows them) and whether it is set.
	Get(key string) (any, bool)
	// ForVariantArch returns every value of a [(variant regex, {arch:
	// value})] option that applies to the variant UID and arch, as Pungi's
	// get_arch_variant_data; "*" does not match "src".
	ForVariantArch(key, variantUID, arch string) []any
}

// MapConfig is a Config over a decoded option map.
type MapConfig map[string]any

// Get implements Config.
func (m MapConfig) Get(key string) (any, bool) { v, ok := m[key]; return v, ok }

// ForVariantArch implements Config with Pungi's get_arch_variant_data rules.
func (m MapConfig) ForVariantArch(key, variantUID, arch string) []any {
	return ForVariantArchOf(m[key], variantUID, arch)
}

// ForVariantArchOf applies get_arch_variant_data to a raw option value: a
// list of (regex, {arch: value}) pairs. List values are flattened, as
// Pungi's "extend".
func ForVariantArchOf(raw any, variantUID, arch string) []any {
	var out []any
	for _, item := range AsList(raw) {
		pair := AsList(item)
		if len(pair) != 2 {
			continue
		}
		pat, _ := pair[0].(string)
		// Python's re.match, as Pungi: Go's regexp reads some patterns
		// differently and refuses look-arounds.
		if variantUID != "" && !config.MatchStart(pat, variantUID) {
			continue
		}
		byArch, _ := pair[1].(map[string]any)
		for _, a := range sortedKeys(byArch) {
			if a != arch && !(a == "*" && arch != "src") {
				continue
			}
			if l, ok := listOf(byArch[a]); ok {
				out = append(out, l...)
			} else {
				out = append(out, byArch[a])
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// StringOpt returns a string option and whether it is set to a string.
func StringOpt(c Config, key string) (string, bool) {
	v, ok := c.Get(key)
	if !ok || v == nil {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case fmt.Stringer:
		return t.String(), true
	}
	return fmt.Sprint(v), true
}

// BoolOpt returns a boolean option, def when unset.
func BoolOpt(c Config, key string, def bool) bool {
	v, ok := c.Get(key)
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true") || t == "1"
	case int64:
		return t != 0
	case int:
		return t != 0
	}
	return def
}

// IntOpt returns an integer option, def when unset.
func IntOpt(c Config, key string, def int64) int64 {
	v, ok := c.Get(key)
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case int64:
		return t
	case int:
		return int64(t)
	case float64:
		return int64(t)
	}
	return def
}

// StringsOpt returns a list-of-strings option (a single string counts as a
// one-element list).
func StringsOpt(c Config, key string) []string {
	v, ok := c.Get(key)
	if !ok || v == nil {
		return nil
	}
	return AsStrings(v)
}

// AsStrings turns a config value (string or list) into strings.
func AsStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	}
	if l, ok := listOf(v); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			if s, ok := e.(string); ok {
				out = append(out, s)
			} else if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	return nil
}

// AsList returns the elements of a list or tuple config value (any slice
// type, so named tuple types work too); nil for anything else.
func AsList(v any) []any {
	l, _ := listOf(v)
	return l
}

func listOf(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}
