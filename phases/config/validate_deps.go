package config

// Pungi's CONFIG_DEPS: options that require or conflict with others.

import (
	"fmt"

	"github.com/pungo/pungo/phases/config/kobo"
)

// dependency is one row of Pungi's CONFIG_DEPS: when the trigger's value
// satisfies when, each option in deps must be set (requires) or must not
// be set to a non-default value (conflicts).
type dependency struct {
	option    string
	when      func(v any) bool
	deps      []string
	conflicts bool
}

// Truthy is Python's truth value of a config value (Pungi tests options
// with plain `if conf.get(...)`): false for None, False, zero, and empty
// strings, lists, tuples and dicts.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case int:
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

func falsy(v any) bool { return !Truthy(v) }

func equals(s string) func(any) bool {
	return func(v any) bool { x, ok := v.(string); return ok && x == s }
}

var dependencies = []dependency{
	{"buildinstall_method", falsy, []string{"lorax_options", "buildinstall_kickstart"}, true},
	{"base_product_name", falsy, []string{"base_product_short", "base_product_version"}, true},
	{"base_product_name", Truthy, []string{"base_product_short", "base_product_version"}, false},
	{"base_product_short", falsy, []string{"base_product_name", "base_product_version"}, true},
	{"base_product_short", Truthy, []string{"base_product_name", "base_product_version"}, false},
	{"base_product_version", falsy, []string{"base_product_name", "base_product_short"}, true},
	{"base_product_version", Truthy, []string{"base_product_name", "base_product_short"}, false},
	{"cts_url", Truthy, []string{"translate_paths"}, false},
	{"product_id", falsy, []string{"product_id_allow_missing"}, true},
	{"pkgset_scratch_modules", Truthy, []string{"mbs_api_url"}, false},
	{"pkgset_source", equals("koji"), []string{"pkgset_repos"}, true},
	{"pkgset_source", equals("koji"), []string{"pkgset_repos_allowed_roots"}, true}, // pungo's own option
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
