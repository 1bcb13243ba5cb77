package config

import (
	"fmt"
	"maps"
	"slices"
)

// No option pungo accepts is silently without effect: each one in
// Options() is read by the code that implements it, removed by Pungi
// (Deprecated, warned by the schema walk), or listed in Unimplemented
// below with the reason `config validate` (and the compose) give.
// TestEveryOptionIsReadOrWarned walks the schema and fails for any other.

// Status says what pungo does with an option it accepts but does not
// implement.
type Status int

const (
	// Warn: a value other than the neutral one gets a warning naming the
	// reason; the compose goes on without the option's effect.
	Warn Status = iota
	// Refuse: a value other than the neutral one is a validation error;
	// the compose would come out different from Pungi's.
	Refuse
	// Equivalent: pungo does what the option asks by other means (the
	// reason says how), so nothing is reported.
	Equivalent
)

// OptionStatus is one entry of Unimplemented.
type OptionStatus struct {
	Status Status
	// Neutral is the value that asks for nothing (usually Pungi's
	// default); it is never reported. nil: any set value is reported.
	Neutral any
	Reason  string
	// Owner is the developer implementing the option now; they remove the
	// entry when it works. "" for options nobody is working on.
	Owner string
}

// Unimplemented are the options pungo accepts without implementing them.
// Remove an entry when the option works; the schema walk test then
// requires code that reads it.
var Unimplemented = map[string]OptionStatus{
	// Nobody is working on these.
	"createrepo_enable_cache":       {Equivalent, nil, "the cache only makes createrepo_c faster; pungo's writer computes the same checksums without it", ""},
	"createrepo_c":                  {Refuse, true, "pungo writes repositories as createrepo_c does; the legacy createrepo (createrepo_c = False) is not available", ""},
	"image_build_allow_reuse":       {Warn, false, "image_build results are not reused from old composes; every image is built anew", ""},
	"osbs_allow_reuse":              {Warn, false, "osbs results are not reused from old composes; every container is built anew", ""},
	"gather_profiler":               {Warn, false, "pungo has no gather profiler; `pungo gather --why` explains choices and bench/gather.sh times them", ""},
	"repoclosure_backend":           {Equivalent, nil, "the only backend Pungi allows is dnf, and pungo's repoclosure answers as dnf repoclosure does", ""},
	"paths_module":                  {Refuse, nil, "pungo cannot load a Python module; it lays the compose out as Pungi's default paths", ""},
	"dogpile_cache_backend":         {Warn, nil, "Koji queries are not cached between composes", ""},
	"dogpile_cache_expiration_time": {Warn, nil, "Koji queries are not cached between composes", ""},
	"dogpile_cache_arguments":       {Warn, map[string]any{}, "Koji queries are not cached between composes", ""},
	"buildinstall_use_guestmount":   {Equivalent, nil, "pungo rewrites efiboot.img itself (phases/buildinstall/fatimg), without guestmount or mounting", ""},
	"kiwibuild_bundle_format":       {Warn, nil, "Pungi's kiwibuild phase does not read it (the kiwi bundle format Koji gets is kiwibuild_bundle_name_format or the block's bundle_name_format)", ""},
}

// KeyStatus is a key inside a block option that pungo accepts without
// effect; a block that sets it gets a warning with the reason.
type KeyStatus struct{ Option, Key, Reason string }

// repoEnabled is the reason for a repository dict's "enabled" key.
const repoEnabled = "a repository dict's enabled is not used (Pungi writes no enabled= line either); every listed repository is used"

// UnimplementedKeys are the keys inside block options that pungo accepts
// without effect, each as Pungi (which ignores them too).
var UnimplementedKeys = []KeyStatus{
	{"live_media", "ksversion", "Pungi passes it nowhere: koji spin-livemedia gets no kickstart version"},
	{"image_build", "disc_size", "Pungi writes it into koji's image-build config, whose key is disk_size; koji builds the default size"},
	{"imagebuilder", "failable", "Pungi's imagebuilder phase treats every arch as required (its worker drops the list), so a failed image-builder task fails the compose"},
	{"image_build", "enabled", repoEnabled},
	{"live_media", "enabled", repoEnabled},
	{"osbs", "enabled", repoEnabled},
	{"ostree", "enabled", repoEnabled},
	{"ostree_container", "enabled", repoEnabled},
	{"ostree_installer", "enabled", repoEnabled},
}

// hasKey says whether key is a key of any dict inside v.
func hasKey(v any, key string) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[key]; ok {
			return true
		}
		for _, e := range x {
			if hasKey(e, key) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasKey(e, key) {
				return true
			}
		}
	}
	return false
}

// unimplementedDiagnostics reports the set options of Unimplemented whose
// value is not the neutral one.
func unimplementedDiagnostics(c *Config) (errs, warns []Diagnostic) {
	names := slices.Sorted(maps.Keys(Unimplemented))
	for _, n := range names {
		st := Unimplemented[n]
		if st.Status == Equivalent || !c.IsSet(n) {
			continue
		}
		v, _ := c.Get(n)
		if st.Neutral != nil && valuesEqual(v, st.Neutral) {
			continue
		}
		switch st.Status {
		case Warn:
			warns = append(warns, c.diag(n, fmt.Sprintf("Config option %s has no effect in pungo: %s.", n, st.Reason)))
		case Refuse:
			errs = append(errs, c.diag(n, fmt.Sprintf("Config option %s = %s is not supported by pungo: %s.", n, pyRepr(v), st.Reason)))
		}
	}
	for _, k := range UnimplementedKeys {
		if v, ok := c.Get(k.Option); ok && c.IsSet(k.Option) && hasKey(v, k.Key) {
			warns = append(warns, c.diag(k.Option, fmt.Sprintf("Key %s in %s has no effect in pungo: %s.", k.Key, k.Option, k.Reason)))
		}
	}
	return errs, warns
}
