package compose

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/pungo/pungo/phases/config"
)

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
	ks := slices.Sorted(maps.Keys(m))
	return ks
}

// StringOpt returns a string option and whether it is set to a string.
func StringOpt(c *config.Config, key string) (string, bool) {
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

// IntOpt returns an integer option, def when unset. Options the schema
// knows have their defaults there: read them with Conf.Int, and keep IntOpt
// for values the schema has no default for.
func IntOpt(c *config.Config, key string, def int64) int64 {
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
func StringsOpt(c *config.Config, key string) []string {
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

// CreaterepoChecksum is the createrepo_checksum option as createrepo_c
// takes it: "sha256" when unset or empty, "sha" spelled "sha1".
func CreaterepoChecksum(conf *config.Config) string {
	s, ok := StringOpt(conf, "createrepo_checksum")
	if !ok || s == "" {
		return "sha256"
	}
	if s == "sha" {
		return "sha1"
	}
	return s
}
