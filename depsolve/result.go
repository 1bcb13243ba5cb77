package depsolve

import (
	"slices"
	"strings"

	"github.com/pungo/pungo/repomd"
)

// Flags are Pungi's PkgFlag values set on result packages.
type Flags uint16

const (
	FlagLookaside       Flags = 1 << iota // from a lookaside repo (or the source/debug package of one)
	FlagInput                             // matched an input pattern
	FlagGreedyBuild                       // defined by Pungi, never set
	FlagPrepopulate                       // added from Options.Prepopulate
	FlagConditional                       // triggered a comps conditional addition
	FlagSelfHosting                       // a source package whose build requirements added a package
	FlagFulltree                          // added by fulltree
	FlagMultilib                          // added as multilib
	FlagLangpack                          // selected as a langpack
	FlagFulltreeExclude                   // its source name is in Options.FulltreeExcludes
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagConditional, "conditional"},
	{FlagFulltree, "fulltree"},
	{FlagFulltreeExclude, "fulltree_exclude"},
	{FlagGreedyBuild, "greedy_build"},
	{FlagInput, "input"},
	{FlagLangpack, "langpack"},
	{FlagLookaside, "lookaside"},
	{FlagMultilib, "multilib"},
	{FlagPrepopulate, "prepopulate"},
	{FlagSelfHosting, "self_hosting"},
}

// Names returns the flag names as Pungi spells them, sorted.
func (f Flags) Names() []string {
	out := []string{}
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// String joins the names with commas ("" for none), as pungi-gather
// prints them.
func (f Flags) String() string { return strings.Join(f.Names(), ",") }

// Step names why a package was added.
type Step string

const (
	StepInput       Step = "input"       // matched an input pattern
	StepPrepopulate Step = "prepopulate" // listed in Options.Prepopulate
	StepBinaryDep   Step = "binary-dep"  // requirement of a binary package
	StepSourceDep   Step = "source-dep"  // build requirement of a source package (selfhosting)
	StepDebugDep    Step = "debug-dep"   // requirement of a debug package
	StepCondDep     Step = "cond-dep"    // comps conditional package
	StepFulltree    Step = "fulltree"    // built from the same source as a result package
	StepLangpack    Step = "langpack"    // comps langpack of a result package
	StepMultilib    Step = "multilib"    // multilib counterpart; Reason.Method names the method
	StepSource      Step = "srpm"        // the source package of a binary
	StepDebug       Step = "debuginfo"   // a debuginfo/debugsource package of a binary
)

// Reason records how a package entered the result: the step, the package
// that pulled it (By, -1 for inputs and prepopulate) and the dependency.
type Reason struct {
	Step   Step
	By     PkgID
	Dep    string // the requirement, for *-dep steps
	Method string // the multilib method (or "whitelist") for StepMultilib
}

// String renders the step as "multilib:devel" or "binary-dep".
func (r Reason) StepName() string {
	if r.Step == StepMultilib {
		return string(r.Step) + ":" + r.Method
	}
	return string(r.Step)
}

// Item is one package of a Result.
type Item struct {
	ID     PkgID
	Pkg    *repomd.Package
	Repo   *Repo
	Flags  Flags
	Reason Reason
}

// BrokenDep is a requirement Gather could not resolve (Pungi warns and goes
// on): Package is "name.arch" of the requiring package.
type BrokenDep struct {
	Package string
	Req     string
}

// String renders "name.arch: requirement" as the conformance data does.
func (b BrokenDep) String() string { return b.Package + ": " + b.Req }

// Result is the outcome of Gather: binary, source and debug packages each
// sorted by file name then repository id, and the unresolved requirements,
// sorted and deduplicated.
type Result struct {
	RPM       []Item
	SRPM      []Item
	Debuginfo []Item
	Broken    []BrokenDep
	// Warnings are Pungi's other log messages that matter to a user
	// (patterns or prepopulate entries matching nothing).
	Warnings []string

	pool   *Pool
	byID   map[PkgID]*Item
	byName map[string][]*Item
}

func (r *Result) index() {
	if r.byID != nil {
		return
	}
	r.byID = make(map[PkgID]*Item)
	r.byName = make(map[string][]*Item)
	for _, list := range [][]Item{r.RPM, r.SRPM, r.Debuginfo} {
		for i := range list {
			it := &list[i]
			r.byID[it.ID] = it
			r.byName[it.Pkg.Name] = append(r.byName[it.Pkg.Name], it)
			r.byName[it.Pkg.NEVRA()] = append(r.byName[it.Pkg.NEVRA()], it)
		}
	}
}

// Pool returns the pool the result was gathered from.
func (r *Result) Pool() *Pool { return r.pool }

// Item returns the result entry of a package id, nil when absent.
func (r *Result) Item(id PkgID) *Item {
	r.index()
	return r.byID[id]
}

// Why returns, for every result package whose name or NEVRA is name, the
// chain of packages that pulled it in, starting with the package itself and
// ending with an input (or prepopulate, fulltree or multilib origin).
func (r *Result) Why(name string) [][]*Item {
	r.index()
	var out [][]*Item
	for _, it := range r.byName[name] {
		chain := []*Item{it}
		seen := map[PkgID]bool{it.ID: true}
		for cur := it; cur.Reason.By >= 0; {
			next := r.byID[cur.Reason.By]
			if next == nil || seen[next.ID] {
				break
			}
			seen[next.ID] = true
			chain = append(chain, next)
			cur = next
		}
		out = append(out, chain)
	}
	return out
}

// sortItems orders items by file name, then repository id (stable).
func sortItems(items []Item) {
	type keyed struct {
		file, repo string
		i          int
	}
	k := make([]keyed, len(items))
	for i := range items {
		k[i] = keyed{items[i].Pkg.FileName(), items[i].Repo.ID, i}
	}
	slices.SortFunc(k, func(a, b keyed) int {
		if c := strings.Compare(a.file, b.file); c != 0 {
			return c
		}
		if c := strings.Compare(a.repo, b.repo); c != 0 {
			return c
		}
		return a.i - b.i
	})
	sorted := make([]Item, len(items))
	for i := range k {
		sorted[i] = items[k[i].i]
	}
	copy(items, sorted)
}
