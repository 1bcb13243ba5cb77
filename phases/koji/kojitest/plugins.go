package kojitest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pungo/pungo/phases/koji"
)

// The hub plugins' call signatures. A real hub binds the XML-RPC
// arguments to the Python function (an unknown keyword or a missing
// positional argument is a TypeError) and the plugin then checks their
// types (kiwi: kojihub.convert_value; koji-osbuild and image-builder: a
// JSON schema, ParameterError). The test hub does the same, so a client
// that sends Go's text of a map, a misspelt option or a list where a
// string belongs fails here as it would on Koji.

// signature is a plugin method's parameters in order; required ones come
// first.
type signature struct {
	params   []string
	required int
	check    func(a map[string]any) error
}

var pluginSignatures = map[string]signature{
	// koji's kiwi hub plugin (koji ≥1.35 with version and repo_releasever).
	"kiwiBuild": {
		params: []string{"target", "arches", "desc_url", "desc_path", "optional_arches", "profile", "scratch",
			"priority", "make_prep", "repos", "release", "type", "type_attr", "result_bundle_name_format",
			"use_buildroot_repo", "version", "repo_releasever"},
		required: 4,
		check:    checkKiwiBuild,
	},
	// koji-osbuild's hub plugin.
	"osbuildImage": {
		params:   []string{"name", "version", "distro", "image_types", "target", "arches", "opts", "priority"},
		required: 6,
		check:    checkOSBuildImage,
	},
	// koji-image-builder's hub plugin.
	"imageBuilderBuild": {
		params:   []string{"target", "arches", "types", "name", "version", "opts", "priority"},
		required: 5,
		check:    checkImageBuilderBuild,
	},
}

// checkPluginCall binds and checks a plugin method's arguments; nil for a
// method without a known signature.
func checkPluginCall(method string, args []any, kw map[string]any) *koji.Fault {
	sig, ok := pluginSignatures[method]
	if !ok {
		return nil
	}
	if len(args) > len(sig.params) {
		return faultf(koji.ParameterError, "TypeError: %s() takes at most %d arguments (%d given)", method, len(sig.params), len(args))
	}
	bound := map[string]any{}
	for i, a := range args {
		bound[sig.params[i]] = a
	}
	names := slices.Sorted(maps.Keys(kw))
	for _, k := range names {
		i := indexOf(sig.params, k)
		if i < 0 {
			return faultf(koji.ParameterError, "TypeError: %s() got an unexpected keyword argument '%s'", method, k)
		}
		if _, dup := bound[k]; dup {
			return faultf(koji.ParameterError, "TypeError: %s() got multiple values for argument '%s'", method, k)
		}
		bound[k] = kw[k]
	}
	for _, p := range sig.params[:sig.required] {
		if _, ok := bound[p]; !ok {
			return faultf(koji.ParameterError, "TypeError: %s() missing required argument: '%s'", method, p)
		}
	}
	if err := sig.check(bound); err != nil {
		return faultf(koji.ParameterError, "%s: %v", method, err)
	}
	return nil
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// isStr, isStrList and the like accept what Python would: nil is "not
// given" for optional parameters only where the caller says so.
func isStr(v any) bool { _, ok := v.(string); return ok }

func isStrList(v any, min, max int) bool {
	l, ok := v.([]any)
	if !ok || len(l) < min || (max > 0 && len(l) > max) {
		return false
	}
	for _, x := range l {
		if !isStr(x) {
			return false
		}
	}
	return true
}

func checkKiwiBuild(a map[string]any) error {
	// kojihub.convert_value(cast=str) on these when not None.
	for _, k := range []string{"target", "desc_url", "desc_path", "profile", "release", "result_bundle_name_format", "type", "version", "repo_releasever"} {
		if v, ok := a[k]; ok && v != nil && !isStr(v) {
			return fmt.Errorf("%s must be a string, got %T (%v)", k, v, v)
		}
	}
	if !isStrList(a["arches"], 1, 0) {
		return fmt.Errorf("arches must be a non-empty list of strings, got %v", a["arches"])
	}
	for _, k := range []string{"repos", "type_attr", "optional_arches"} {
		if v, ok := a[k]; ok && v != nil && !isStrList(v, 0, 0) {
			return fmt.Errorf("%s must be a list of strings, got %T (%v)", k, v, v)
		}
	}
	for _, k := range []string{"scratch", "make_prep", "use_buildroot_repo"} {
		if v, ok := a[k]; ok && v != nil {
			if _, b := v.(bool); !b {
				return fmt.Errorf("%s must be a boolean, got %v", k, v)
			}
		}
	}
	return nil
}

// checkObject checks a struct's keys against allowed ones, each with its
// own check.
func checkObject(what string, v any, allowed map[string]func(any) error, required ...string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be a struct, got %T (%v)", what, v, v)
	}
	for _, r := range required {
		if _, ok := m[r]; !ok {
			return fmt.Errorf("%s: '%s' is a required property", what, r)
		}
	}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		f, ok := allowed[k]
		if !ok {
			return fmt.Errorf("%s: Additional properties are not allowed ('%s' was unexpected)", what, k)
		}
		if err := f(m[k]); err != nil {
			return fmt.Errorf("%s.%s: %v", what, k, err)
		}
	}
	return nil
}

func wantStr(v any) error {
	if !isStr(v) {
		return fmt.Errorf("%v is not of type 'string'", v)
	}
	return nil
}

func wantBool(v any) error {
	if _, ok := v.(bool); !ok {
		return fmt.Errorf("%v is not of type 'boolean'", v)
	}
	return nil
}

func wantStrList(v any) error {
	if !isStrList(v, 0, 0) {
		return fmt.Errorf("%v is not an array of strings", v)
	}
	return nil
}

func wantStruct(v any) error {
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("%v is not of type 'object'", v)
	}
	return nil
}

func wantOSTree(v any) error {
	return checkObject("ostree", v, map[string]func(any) error{"parent": wantStr, "ref": wantStr, "url": wantStr})
}

func checkOSBuildImage(a map[string]any) error {
	for _, k := range []string{"name", "version", "distro", "target"} {
		if !isStr(a[k]) {
			return fmt.Errorf("%s: %v is not of type 'string'", k, a[k])
		}
	}
	// Pungi sends image_types as the config's one-item list; older
	// plugins took a string.
	if !isStr(a["image_types"]) && !isStrList(a["image_types"], 1, 0) {
		return fmt.Errorf("image_types: %v is not a string or a list of strings", a["image_types"])
	}
	if !isStrList(a["arches"], 1, 0) {
		return fmt.Errorf("arches: %v is not a non-empty array of strings", a["arches"])
	}
	opts, ok := a["opts"]
	if !ok || opts == nil {
		return nil
	}
	repo := func(v any) error {
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%v is not of type 'array'", v)
		}
		for _, r := range l {
			if isStr(r) {
				continue
			}
			// A repo given as text of a map is a string to the schema
			// but no URL: refuse it as osbuild-composer would.
			if err := checkObject("repo", r, map[string]func(any) error{"baseurl": wantStr, "package_sets": wantStrList}, "baseurl"); err != nil {
				return err
			}
		}
		for _, r := range l {
			if s, ok := r.(string); ok && (strings.HasPrefix(s, "map[") || !strings.Contains(s, "/")) {
				return fmt.Errorf("%q is not a repository URL", s)
			}
		}
		return nil
	}
	return checkObject("opts", opts, map[string]func(any) error{
		"customizations": wantStruct, "ostree": wantOSTree, "upload_options": wantStruct,
		"repo": repo, "release": wantStr, "skip_tag": wantBool,
	})
}

func checkImageBuilderBuild(a map[string]any) error {
	for _, k := range []string{"target", "name", "version"} {
		if !isStr(a[k]) {
			return fmt.Errorf("%s: %v is not of type 'string'", k, a[k])
		}
	}
	if !isStrList(a["arches"], 0, 0) {
		return fmt.Errorf("arches: %v is not an array of strings", a["arches"])
	}
	if !isStrList(a["types"], 1, 1) {
		return fmt.Errorf("types: %v is not an array of exactly one string", a["types"])
	}
	opts, ok := a["opts"]
	if !ok || opts == nil {
		return nil
	}
	return checkObject("opts", opts, map[string]func(any) error{
		"scratch": wantBool, "repos": wantStrList, "release": wantStr, "distro": wantStr,
		"skip_tag": wantBool, "ostree": wantOSTree, "blueprint": wantStruct,
		// Pungi sends the seed; the plugin's schema as seen has no seed
		// entry, so this accepts an integer rather than guessing.
		"seed": func(v any) error {
			if _, ok := v.(int64); !ok {
				return fmt.Errorf("%v is not of type 'integer'", v)
			}
			return nil
		},
	})
}
