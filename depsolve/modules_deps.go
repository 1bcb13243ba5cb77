package depsolve

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pungo/pungo/repomd/modulemd"
)

// Module dependencies as Pungi's hybrid method resolves them. fus turns
// every stream into a module solvable that requires, for one of its
// dependency blocks (an OR), every module the block names: module(NAME)
// with module(NAME:STREAM) for one of the listed streams (without the
// "-STREAM" ones; any stream when the list is empty); a stream conflicts
// with the other streams of its module, and the platform Pungi passes
// (--platform, get_platform) is an installed platform module. For each
// module(NAME:STREAM) input fus enumerates every install transaction of
// the stream (gather_alternatives) and, for each, installs the artifacts
// of every stream in it with those streams active; a stream none of whose
// transactions can be made keeps its artifacts in the result without
// their dependencies ("Add module and its packages even if they have
// broken deps"). The streams a transaction can use are those of the
// repositories fus reads: the variant's own package sets (its streams)
// and the lookaside repositories.

// ModuleDeps is the outcome of resolving one stream's module dependencies.
type ModuleDeps struct {
	// Streams are the streams of every transaction that installs the
	// stream (itself included), as NAME:STREAM:VERSION:CONTEXT, sorted;
	// nil when there is none.
	Streams []string
	// Unmet says which run-time module requirement no transaction
	// meets ("" when the stream installs).
	Unmet string
}

// maxModuleTransactions bounds the enumeration; real module graphs have a
// handful of alternatives.
const maxModuleTransactions = 1024

// AnyPlatform, as ResolveModuleDeps' platform, meets every platform
// requirement (the installed system's, whatever it is).
const AnyPlatform = "*"

// ResolveModuleDeps resolves the run-time module dependencies of root
// among avail (the streams the solver can see; root need not be in it)
// and the installed platform stream (none when "", any for AnyPlatform),
// as fus does.
func ResolveModuleDeps(root *modulemd.Stream, avail []*modulemd.Stream, platform string) ModuleDeps {
	byName := map[string][]*modulemd.Stream{}
	for _, s := range avail {
		if s.Name != "platform" {
			byName[s.Name] = append(byName[s.Name], s)
		}
	}
	r := &moduleResolver{byName: byName, platform: platform, union: map[string]bool{}}
	r.solve(map[string]*modulemd.Stream{root.Name: root}, []*modulemd.Stream{root})
	if len(r.union) == 0 {
		return ModuleDeps{Unmet: r.unmet(root)}
	}
	out := ModuleDeps{}
	for k := range r.union {
		out.Streams = append(out.Streams, k)
	}
	slices.Sort(out.Streams)
	return out
}

type moduleResolver struct {
	byName   map[string][]*modulemd.Stream
	platform string
	union    map[string]bool
	found    int
}

// streamMatches reports whether stream satisfies a requirement's stream
// list.
func streamMatches(list []string, stream string) bool {
	if len(list) == 0 {
		return true
	}
	pos := false
	for _, s := range list {
		if neg, ok := strings.CutPrefix(s, "-"); ok {
			if neg == stream {
				return false
			}
			continue
		}
		pos = true
		if s == stream {
			return true
		}
	}
	return !pos
}

// solve extends a partial transaction (chosen: module name → stream;
// todo: streams whose requirements are still to be met) to every
// complete one, recording their streams.
func (r *moduleResolver) solve(chosen map[string]*modulemd.Stream, todo []*modulemd.Stream) {
	if r.found >= maxModuleTransactions {
		return
	}
	if len(todo) == 0 {
		r.found++
		for _, s := range chosen {
			r.union[s.NSVC()] = true
		}
		return
	}
	s, rest := todo[0], todo[1:]
	if len(s.Dependencies) == 0 {
		r.solve(chosen, rest)
		return
	}
	for _, block := range s.Dependencies {
		r.solveBlock(chosen, rest, sortedRequires(block.Requires), block.Requires)
	}
}

// solveBlock meets the requirements names (of one dependency block) in
// turn, then goes on with the other streams to do.
func (r *moduleResolver) solveBlock(chosen map[string]*modulemd.Stream, todo []*modulemd.Stream, names []string, req map[string][]string) {
	if len(names) == 0 {
		r.solve(chosen, todo)
		return
	}
	name, more := names[0], names[1:]
	list := req[name]
	if name == "platform" {
		if r.platform == AnyPlatform || r.platform != "" && streamMatches(list, r.platform) {
			r.solveBlock(chosen, todo, more, req)
		}
		return
	}
	if have := chosen[name]; have != nil {
		if streamMatches(list, have.Stream) {
			r.solveBlock(chosen, todo, more, req)
		}
		return
	}
	for _, cand := range r.byName[name] {
		if !streamMatches(list, cand.Stream) {
			continue
		}
		next := make(map[string]*modulemd.Stream, len(chosen)+1)
		for k, v := range chosen {
			next[k] = v
		}
		next[name] = cand
		r.solveBlock(next, append(slices.Clip(todo), cand), more, req)
	}
}

// unmet names, for a stream no transaction installs, the requirements of
// its first dependency block that nothing visible meets directly.
func (r *moduleResolver) unmet(root *modulemd.Stream) string {
	var parts []string
	for _, block := range root.Dependencies {
		var missing []string
		for _, name := range sortedRequires(block.Requires) {
			list := block.Requires[name]
			ok := false
			if name == "platform" {
				ok = r.platform == AnyPlatform || r.platform != "" && streamMatches(list, r.platform)
			} else {
				for _, cand := range r.byName[name] {
					ok = ok || streamMatches(list, cand.Stream)
				}
			}
			if !ok {
				missing = append(missing, requirementString(name, list))
			}
		}
		if len(missing) == 0 {
			missing = []string{"a consistent choice of the required modules' streams (their own requirements are unmet or conflict)"}
		}
		parts = append(parts, strings.Join(missing, " and "))
	}
	return strings.Join(parts, "; or ")
}

// requirementString is a requirement as modulemd writes it: "NAME:[S1, S2]".
func requirementString(name string, list []string) string {
	return fmt.Sprintf("%s:[%s]", name, strings.Join(list, ", "))
}

func sortedRequires(req map[string][]string) []string {
	names := slices.Sorted(maps.Keys(req))
	return names
}

// RuntimePlatforms are the platform streams a stream requires at run time
// (libmodulemd's get_runtime_streams("platform") over its dependency
// blocks).
func RuntimePlatforms(s *modulemd.Stream) []string {
	var out []string
	for _, d := range s.Dependencies {
		out = append(out, d.Requires["platform"]...)
	}
	return out
}

// ModulePlatform is Pungi's get_platform over the given streams: the one
// platform stream they require at run time, "" when none names one; two
// different ones are an error.
func ModulePlatform(streams []*modulemd.Stream) (string, error) {
	seen := map[string]bool{}
	var list []string
	for _, s := range streams {
		for _, p := range RuntimePlatforms(s) {
			if !seen[p] {
				seen[p] = true
				list = append(list, p)
			}
		}
	}
	switch len(list) {
	case 0:
		return "", nil
	case 1:
		return list[0], nil
	}
	slices.Sort(list)
	return "", fmt.Errorf("There are conflicting requests for platform: %s", strings.Join(list, ", "))
}
