package depsolve

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/repomd"
)

// Greedy methods of Options.Greedy.
const (
	GreedyNone  = "none"  // one best provider per requirement
	GreedyAll   = "all"   // every provider (latest per name.arch)
	GreedyBuild = "build" // every provider built from the best one's source
)

// Options are Pungi's GatherOptions. The zero value is Pungi's default
// except Arch, which is required.
type Options struct {
	Arch             string   // tree arch: x86_64, i386 (or i686), aarch64, ppc64le, s390x, ppc64
	Greedy           string   // GreedyNone (also ""), GreedyAll or GreedyBuild
	Fulltree         bool     // add every binary built from the same source
	FulltreeExcludes []string // source names fulltree leaves alone
	Selfhosting      bool     // resolve the build requirements of source packages
	NoDeps           bool     // no dependency, conditional or build-dependency resolution
	ExcludeSource    bool     // no source packages (and no build-dependency resolution)
	ExcludeDebug     bool     // no debuginfo/debugsource packages

	MultilibMethods   []string // python-multilib methods: none, all, runtime, devel, kernel, yaboot
	MultilibBlacklist []string // name globs: multilib packages removed from every repository
	MultilibWhitelist []string // name globs: multilib counterparts added whatever the methods say

	Prepopulate []string      // "name.arch" entries added at the start
	Conditional []Conditional // comps conditional packages of the selected groups
	Langpacks   []Langpack    // the comps langpacks table (empty: no langpacks)

	// HybridModules applies the rules of Pungi's hybrid method to modular
	// packages (those of an active stream, Pool.ModuleOf): exclude
	// patterns and the multilib blacklist never remove them (fus's
	// apply_excludes spares modular packages), an input pattern with "*"
	// never matches them (_expand_wildcard), and no multilib counterpart,
	// debuginfo or langpack is added for them (add_multilib, add_debuginfo
	// and add_langpacks skip packages fus flags modular: a module's
	// multilib and debuginfo packages are its own artifacts).
	HybridModules bool
}

// Conditional is a comps packagereq of type "conditional": Install is added
// when a package named Name (the packagereq's requires) is in the result.
type Conditional struct{ Name, Install string }

// Langpack is a comps langpack entry: for a package named Name, packages
// matching Install (with "%s" as a wildcard) are added.
type Langpack struct{ Name, Install string }

// dependency is one resolved requirement of a package.
type dependency struct {
	pkg PkgID
	req repomd.Dep
}

// reqKey identifies a requirement the way Pungi's memo does (str(reldep)):
// the pre/post attribute does not count and epoch 0 is no epoch.
type reqKey struct {
	name  string
	flags repomd.DepFlag
	evr   repomd.EVR
}

func keyOf(d *repomd.Dep) reqKey {
	k := reqKey{name: d.Name, flags: d.Flags, evr: d.EVR}
	if k.evr.Epoch == "0" {
		k.evr.Epoch = ""
	}
	return k
}

// reqMemo maps requirements to a value (Pungi's memo of resolutions;
// repoclosure's "has a provider"). It is an open-addressed table over the
// requirement name's hash, with that hash kept beside each slot: a lookup
// usually touches one slot and one entry, where a Go map keyed by the whole
// requirement hashes four strings. It is looked up for every requirement of
// every gathered or checked package, the hottest path of both.
type reqMemo[V any] struct {
	seed  maphash.Seed
	slots []memoSlot // power of two
	// The entries, memoChunk to a chunk: a chunk is never copied as the
	// memo grows, so growing leaves no garbage behind (a doubling slice of
	// 100-byte entries did, 2-3 MB of a CentOS Stream 9 gather's peak).
	ents [][]memoEntry[V]
	n    int
}

const memoChunkBits = 10

// ent returns entry i.
func (m *reqMemo[V]) ent(i int) *memoEntry[V] {
	return &m.ents[i>>memoChunkBits][i&(1<<memoChunkBits-1)]
}

type memoSlot struct {
	hash uint32
	ent  int32 // entry index + 1; 0: empty
}

type memoEntry[V any] struct {
	key reqKey
	val V
}

// resolution is a requirement's memoized best providers.
type resolution struct {
	pkgs []PkgID
	// unresolvable has bit 1<<queue set once the requirement had no
	// candidate in that queue (0: binary, 1: debug). Pungi does not
	// memoize a failure, but asking the same queue again gives the same
	// empty answer: the queues never change during a run.
	unresolvable uint8
}

func newReqMemo[V any]() *reqMemo[V] {
	return &reqMemo[V]{seed: maphash.MakeSeed(), slots: make([]memoSlot, 1<<12)}
}

// is reports whether d is the requirement k stands for, without building
// d's key (the copy costs more than the comparison on this path).
func (k *reqKey) is(d *repomd.Dep) bool {
	if k.name != d.Name || k.flags != d.Flags || k.evr.Version != d.Version || k.evr.Release != d.Release {
		return false
	}
	e := d.Epoch
	if e == "0" {
		e = ""
	}
	return k.evr.Epoch == e
}

// entry returns the value for requirement d, creating a zero one.
func (m *reqMemo[V]) entry(d *repomd.Dep) *V {
	h := maphash.String(m.seed, d.Name)
	h32 := uint32(h >> 32)
	mask := uint64(len(m.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &m.slots[i]
		if sl.ent == 0 {
			if m.n&(1<<memoChunkBits-1) == 0 {
				m.ents = append(m.ents, make([]memoEntry[V], 1<<memoChunkBits))
			}
			e := m.ent(m.n)
			e.key = keyOf(d)
			m.n++
			sl.hash, sl.ent = h32, int32(m.n)
			if 2*m.n > len(m.slots) {
				m.grow()
			}
			return &e.val
		}
		if sl.hash == h32 {
			if e := m.ent(int(sl.ent - 1)); e.key.is(d) {
				return &e.val
			}
		}
	}
}

func (m *reqMemo[V]) grow() {
	slots := make([]memoSlot, 2*len(m.slots))
	mask := uint64(len(slots) - 1)
	for _, sl := range m.slots {
		if sl.ent == 0 {
			continue
		}
		h := maphash.String(m.seed, m.ent(int(sl.ent-1)).key.name)
		i := h & mask
		for slots[i].ent != 0 {
			i = (i + 1) & mask
		}
		slots[i] = sl
	}
	m.slots = slots
}

const (
	destBinary = iota
	destDebug
	destSource
)

// gatherer is the state of one Gather run: Pungi's Gather object, with
// its sets as bool slices indexed by PkgID and its finished_* dicts as
// per-package memos.
type gatherer struct {
	pool    *Pool
	opts    Options
	arch    arches
	cls     []uint8
	checker *multilib.Checker

	lookasideAny bool
	// lookasideNEVRA indexes the lookaside packages by exact NEVRA, built
	// on first use by fromLookaside.
	lookasideNEVRA map[nevraKey]bool
	ftExcl         map[string]bool

	in     [3][]bool  // result membership by destination
	list   [3][]PkgID // result members in the order added
	flags  []Flags    // by package
	reason []Reason   // first reason, by package
	added  []bool     // reason recorded

	memo      *reqMemo[resolution] // finished_get_package_deps_reqs
	depBuf    []dependency         // packageDeps' reused result
	finBin    []bool               // finished_add_binary_package_deps
	finDebug  []bool               // finished_add_debug_package_deps
	finSrc    []bool               // finished_add_source_package_deps
	finCond   lazyLists            // finished_add_conditional_packages
	finSrcPkg []PkgID              // finished_add_source_packages; -2: not looked up yet, -1: none
	srpmCache map[string]PkgID     // sourcerpm_cache
	finDbgPkg []bool               // finished_add_debug_packages
	finFT     lazyLists            // finished_add_fulltree_packages
	finLP     lazyLists            // finished_add_langpack_packages
	finML     []bool               // finished_add_multilib_packages

	// Pungi's QueryCaches, each built on first use over the packages it
	// can ever return.
	multiByNVR map[nvr][]PkgID    // multilib-arch binaries (not noarch)
	debugBySrc map[string][]PkgID // debug packages by sourcerpm
	binBySrc   map[string][]PkgID // binaries by sourcerpm (fulltree)

	snap      [3]sortedSnapshot
	nevraSnap sortedSnapshot

	filesLoaded bool
	broken      map[BrokenDep]bool
	warnings    []string
}

// Gather runs Pungi's gather (pungi.gather_dnf.Gather.gather) over pool:
// patterns are the input package patterns ("-pattern" excludes). See the
// package documentation for the algorithm.
func Gather(pool *Pool, patterns []string, opts Options) (*Result, error) {
	g, err := newGatherer(pool, opts)
	if err != nil {
		return nil, err
	}
	if err := g.run(patterns); err != nil {
		return nil, err
	}
	if err := pool.Err(); err != nil {
		return nil, err
	}
	return g.result(), nil
}

func newGatherer(pool *Pool, opts Options) (*gatherer, error) {
	switch opts.Greedy {
	case "":
		opts.Greedy = GreedyNone
	case GreedyNone, GreedyAll, GreedyBuild:
	default:
		return nil, fmt.Errorf("unknown greedy method %q (want none, all or build)", opts.Greedy)
	}
	if opts.Arch == "" {
		return nil, fmt.Errorf("no arch given")
	}
	if !multilib.IsTreeArch(opts.Arch) {
		return nil, fmt.Errorf("unknown arch %q (e.g. x86_64, i686, aarch64, ppc64le, s390x)", opts.Arch)
	}
	checker, err := multilib.New(opts.MultilibMethods, opts.MultilibBlacklist, opts.MultilibWhitelist)
	if err != nil {
		return nil, err
	}
	n := pool.Len()
	g := &gatherer{
		pool:      pool,
		opts:      opts,
		arch:      newArches(opts.Arch),
		cls:       make([]uint8, n),
		checker:   checker,
		ftExcl:    map[string]bool{},
		flags:     make([]Flags, n),
		reason:    make([]Reason, n),
		added:     make([]bool, n),
		memo:      newReqMemo[resolution](),
		finBin:    make([]bool, n),
		finDebug:  make([]bool, n),
		finSrc:    make([]bool, n),
		finCond:   newLazyLists(n),
		finSrcPkg: make([]PkgID, n),
		srpmCache: map[string]PkgID{},
		finDbgPkg: make([]bool, n),
		finFT:     newLazyLists(n),
		finLP:     newLazyLists(n),
		finML:     make([]bool, n),
		broken:    map[BrokenDep]bool{},
	}
	if len(g.arch.rank) == 0 {
		return nil, fmt.Errorf("unknown arch %q", opts.Arch)
	}
	for i := range g.in {
		g.in[i] = make([]bool, n)
	}
	for i := range g.finSrcPkg {
		g.finSrcPkg[i] = -2
	}
	for _, s := range opts.FulltreeExcludes {
		g.ftExcl[s] = true
	}
	for _, r := range pool.Repos {
		if r.Lookaside {
			g.lookasideAny = true
		}
	}
	for id, p := range pool.pkgs {
		if !pool.Hidden(PkgID(id)) {
			g.cls[id] = g.arch.classify(p)
		}
	}
	return g, nil
}

// Queue predicates: Pungi's q_* queries.
func (g *gatherer) qBinary(i PkgID) bool {
	return g.cls[i]&(cArchOK|cDebug|cExcluded) == cArchOK
}
func (g *gatherer) qNativeBin(i PkgID) bool { return g.qBinary(i) && g.cls[i]&cNative != 0 }
func (g *gatherer) qMultiBin(i PkgID) bool  { return g.qBinary(i) && g.cls[i]&cMulti != 0 }

// qDebugAll is q_debug_packages, which Pungi never filters by excludes.
func (g *gatherer) qDebugAll(i PkgID) bool { return g.cls[i]&(cArchOK|cDebug) == cArchOK|cDebug }
func (g *gatherer) qNativeDebug(i PkgID) bool {
	return g.cls[i]&(cArchOK|cDebug|cNative|cExcluded) == cArchOK|cDebug|cNative
}
func (g *gatherer) qMultiDebug(i PkgID) bool {
	return g.cls[i]&(cArchOK|cDebug|cMulti|cExcluded) == cArchOK|cDebug|cMulti
}
func (g *gatherer) qSource(i PkgID) bool { return g.cls[i]&(cSource|cExcluded) == cSource }

func (g *gatherer) isNoarch(i PkgID) bool { return g.cls[i]&cNoarch != 0 }

// isNative is Pungi's is_native_package.
func (g *gatherer) isNative(i PkgID) bool {
	return g.cls[i]&cSource == 0 && g.cls[i]&cArchOK != 0 && g.cls[i]&cNative != 0
}

func (g *gatherer) lookaside(i PkgID) bool { return g.pool.IsLookaside(i) }

// modular reports whether the hybrid rules (Options.HybridModules) apply
// to a package.
func (g *gatherer) modular(i PkgID) bool {
	return g.opts.HybridModules && g.pool.ModuleOf(i) != ""
}

// nevraKey is a package's exact name, epoch ("0" written as ""), version,
// release and arch.
type nevraKey struct{ name, epoch, version, release, arch string }

func (g *gatherer) nevraOf(i PkgID) nevraKey {
	p := g.pool.pkgs[i]
	e := p.EVR.Epoch
	if e == "0" {
		e = ""
	}
	return nevraKey{p.Name, e, p.EVR.Version, p.EVR.Release, p.Arch}
}

// fromLookaside is Pungi's is_from_lookaside: a package is a lookaside
// one when a lookaside repository holds a package of exactly its NEVRA
// (dnf compares packages by name, EVR and arch), whichever repository it
// was picked from.
func (g *gatherer) fromLookaside(i PkgID) bool {
	if !g.lookasideAny {
		return false
	}
	if g.lookaside(i) {
		return true
	}
	if g.lookasideNEVRA == nil {
		g.lookasideNEVRA = map[nevraKey]bool{}
		for j := range g.pool.pkgs {
			if g.lookaside(PkgID(j)) {
				g.lookasideNEVRA[g.nevraOf(PkgID(j))] = true
			}
		}
	}
	return g.lookasideNEVRA[g.nevraOf(i)]
}

func filter(ids []PkgID, pred func(PkgID) bool) []PkgID {
	var out []PkgID
	for _, i := range ids {
		if pred(i) {
			out = append(out, i)
		}
	}
	return out
}

// byGlob returns the packages whose name matches pattern (a dnf glob) and that satisfy
// pred, ascending ids.
func (g *gatherer) byGlob(pattern string, pred func(PkgID) bool) []PkgID {
	if !glob.IsGlob(pattern) {
		return filter(g.pool.PackagesNamed(pattern), pred)
	}
	var out []PkgID
	for _, nid := range g.pool.pkgNames {
		if glob.DNF(pattern, g.pool.names[nid]) {
			out = append(out, filter(g.pool.packagesOf(nid), pred)...)
		}
	}
	sortIDs(out)
	return out
}

func sortIDs(ids []PkgID) { slices.Sort(ids) }

// add puts i into a result set; it returns false when i was there already.
// withFlags applies _add_packages' flags (lookaside, fulltree_exclude),
// which Pungi sets on every binary and debug package it adds that way.
func (g *gatherer) add(i PkgID, dest int, withFlags bool, r Reason) bool {
	if g.in[dest][i] {
		return false
	}
	g.in[dest][i] = true
	g.list[dest] = append(g.list[dest], i)
	if !g.added[i] {
		g.added[i] = true
		g.reason[i] = r
	}
	if withFlags {
		if g.fromLookaside(i) {
			g.flags[i] |= FlagLookaside
		}
		if len(g.ftExcl) > 0 && g.ftExcl[sourceName(g.pool.pkgs[i].SourceRPM)] {
			g.flags[i] |= FlagFulltreeExclude
		}
	}
	return true
}

// sortedSnapshot caches a result set in some order: the set only grows, so
// each call sorts the members added since the last one and merges them in.
type sortedSnapshot struct {
	ids []PkgID
	n   int // members of the list covered
}

func (s *sortedSnapshot) update(list []PkgID, less func(a, b PkgID) int) []PkgID {
	if s.n == len(list) {
		return s.ids
	}
	tail := append([]PkgID(nil), list[s.n:]...)
	slices.SortFunc(tail, less)
	merged := make([]PkgID, 0, len(s.ids)+len(tail))
	i, j := 0, 0
	for i < len(s.ids) && j < len(tail) {
		if less(tail[j], s.ids[i]) < 0 {
			merged = append(merged, tail[j])
			j++
		} else {
			merged = append(merged, s.ids[i])
			i++
		}
	}
	merged = append(merged, s.ids[i:]...)
	merged = append(merged, tail[j:]...)
	s.ids, s.n = merged, len(list)
	return merged
}

func byID(a, b PkgID) int { return int(a) - int(b) }

// snapshot returns the members of a result set in ascending ids: Pungi
// walks a copy of its set, in hash order; repository order is the
// deterministic stand-in. The slice is shared: do not modify it.
func (g *gatherer) snapshot(dest int) []PkgID {
	return g.snap[dest].update(g.list[dest], byID)
}

// sortedBinary is Python's sorted() over hawkey packages, which compare by
// name, then EVR, then arch (ids break ties between identical NEVRAs).
func (g *gatherer) sortedBinary() []PkgID {
	pk, nid, rank := g.pool.pkgs, g.pool.pkgName, g.pool.nameRanks()
	return g.nevraSnap.update(g.list[destBinary], func(a, b PkgID) int {
		if ra, rb := rank[nid[a]], rank[nid[b]]; ra != rb {
			return int(ra) - int(rb)
		}
		x, y := pk[a], pk[b]
		if c := repomd.CompareEVR(x.EVR, y.EVR); c != 0 {
			return c
		}
		if x.Arch != y.Arch {
			if x.Arch < y.Arch {
				return -1
			}
			return 1
		}
		return int(a) - int(b)
	})
}

// lazyLists is a per-package memo of package lists (Pungi's finished_*
// dicts): set reports whether an entry exists, even an empty one.
type lazyLists struct {
	set  []bool
	list [][]PkgID
}

func newLazyLists(n int) lazyLists { return lazyLists{set: make([]bool, n), list: make([][]PkgID, n)} }

func (l *lazyLists) get(i PkgID) ([]PkgID, bool) { return l.list[i], l.set[i] }
func (l *lazyLists) put(i PkgID, v []PkgID)      { l.set[i], l.list[i] = true, v }

func (g *gatherer) run(patterns []string) error {
	bin, dbg := g.addInitial(patterns)
	for _, i := range bin {
		g.add(i, destBinary, true, Reason{Step: StepInput, By: -1})
	}
	for _, i := range dbg {
		g.add(i, destDebug, true, Reason{Step: StepInput, By: -1})
	}
	pre, err := g.addPrepopulate()
	if err != nil {
		return err
	}
	for _, i := range pre {
		g.add(i, destBinary, true, Reason{Step: StepPrepopulate, By: -1})
	}
	steps := []func() bool{
		g.addConditional,
		g.addBinaryDeps,
		g.addSourceDeps,
		g.addSourcePackages,
		g.addDebugPackages,
		g.addDebugDeps,
		g.addFulltree,
		g.addLangpacks,
		g.addMultilib,
	}
	for {
		progressed := false
		for _, step := range steps {
			if step() {
				progressed = true
				break
			}
		}
		if g.pool.err != nil {
			return g.pool.err
		}
		if !progressed {
			return nil
		}
	}
}

func (g *gatherer) result() *Result {
	r := &Result{pool: g.pool, Warnings: g.warnings}
	items := func(dest int) []Item {
		out := make([]Item, 0, len(g.list[dest]))
		for _, i := range g.list[dest] {
			out = append(out, Item{ID: i, Pkg: g.pool.pkgs[i], Repo: g.pool.RepoOf(i), Flags: g.flags[i], Reason: g.reason[i]})
		}
		sortItems(out)
		return out
	}
	r.RPM = items(destBinary)
	r.SRPM = items(destSource)
	r.Debuginfo = items(destDebug)
	// Ordered by String(), built once per entry rather than per comparison.
	type keyed struct {
		key string
		b   BrokenDep
	}
	broken := make([]keyed, 0, len(g.broken))
	for b := range g.broken {
		broken = append(broken, keyed{b.String(), b})
	}
	slices.SortFunc(broken, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	for _, k := range broken {
		r.Broken = append(r.Broken, k.b)
	}
	return r
}

// noMatchPrefix and noMatchSuffix frame Pungi's warning for an input that
// matches no package ("Could not find a match for %s in any configured repo").
const (
	noMatchPrefix = "Could not find a match for "
	noMatchSuffix = " in any configured repo"
)

func (g *gatherer) warnf(format string, args ...any) {
	g.warnings = append(g.warnings, fmt.Sprintf(format, args...))
}

// addInitial is add_initial_packages: excludes first, then every include
// pattern, one best package per matching name.
func (g *gatherer) addInitial(patterns []string) (bin, dbg []PkgID) {
	var excludes, includes []string
	for _, p := range patterns {
		if strings.HasPrefix(p, "-") {
			excludes = append(excludes, p[1:])
		} else {
			includes = append(includes, p)
		}
	}
	g.applyExcludes(excludes)

	inBin := map[PkgID]bool{}
	inDbg := map[PkgID]bool{}
	for _, pattern := range includes {
		var pkgs []PkgID
		debug := false
		switch {
		case pattern == "system-release" && g.opts.Greedy == GreedyAll:
			pkgs = filter(g.pool.WhatProvides(&repomd.Dep{Name: "system-release"}), g.qBinary)
		case isDebugInput(pattern):
			debug = true
			if strings.HasSuffix(pattern, ".+") {
				pkgs = g.byGlob(pattern[:len(pattern)-2], g.qMultiDebug)
			} else {
				pkgs = g.byGlob(pattern, g.qDebugAll)
			}
		case strings.HasSuffix(pattern, ".+"):
			pkgs = g.byGlob(pattern[:len(pattern)-2], g.qMultiBin)
		default:
			name, arch := pattern, ""
			if i := strings.IndexByte(pattern, '.'); i >= 0 && patternArches[pattern[i+1:]] {
				name, arch = pattern[:i], pattern[i+1:]
			}
			pred := g.qBinary
			if arch != "" {
				pred = func(i PkgID) bool { return g.qBinary(i) && g.pool.pkgs[i].Arch == arch }
			}
			if g.opts.HybridModules && strings.Contains(name, "*") {
				archPred := pred
				pred = func(i PkgID) bool { return archPred(i) && !g.modular(i) }
			}
			pkgs = g.byGlob(name, pred)
		}
		if len(pkgs) == 0 {
			g.warnf(noMatchPrefix+"%s"+noMatchSuffix, pattern)
		}
		for _, group := range g.groupByName(pkgs) {
			for _, i := range g.best(group, false, debug) {
				if debug {
					inDbg[i] = true
				} else {
					inBin[i] = true
				}
			}
		}
	}
	for i := range inBin {
		g.flags[i] |= FlagInput
		bin = append(bin, i)
	}
	for i := range inDbg {
		g.flags[i] |= FlagInput
		dbg = append(dbg, i)
	}
	sortIDs(bin)
	sortIDs(dbg)
	return bin, dbg
}

// groupByName splits ids by package name, in order of first appearance.
func (g *gatherer) groupByName(ids []PkgID) [][]PkgID {
	idx := map[NameID]int{}
	var out [][]PkgID
	for _, i := range ids {
		n := g.pool.pkgName[i]
		k, ok := idx[n]
		if !ok {
			k = len(out)
			idx[n] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}

// applyExcludes is _apply_excludes: exclude patterns hit main repositories
// only, the multilib blacklist hits every repository. All exclusions are
// computed against the unfiltered queues and applied together.
func (g *gatherer) applyExcludes(excludes []string) {
	notLookaside := func(pred func(PkgID) bool) func(PkgID) bool {
		return func(i PkgID) bool { return pred(i) && !g.lookaside(i) }
	}
	var out []PkgID
	for _, pattern := range excludes {
		switch {
		case strings.HasSuffix(pattern, ".+"):
			out = append(out, g.byGlob(pattern[:len(pattern)-2], func(i PkgID) bool {
				return g.qMultiBin(i) && !g.isNoarch(i) && !g.lookaside(i)
			})...)
		case strings.HasSuffix(pattern, ".src"):
			out = append(out, g.byGlob(pattern[:len(pattern)-4], notLookaside(g.qSource))...)
		case isDebugName(pattern):
			out = append(out, g.byGlob(pattern, notLookaside(g.qDebugAll))...)
		default:
			out = append(out, g.byGlob(pattern, notLookaside(g.qBinary))...)
		}
	}
	for _, pattern := range g.opts.MultilibBlacklist {
		out = append(out, g.byGlob(pattern, func(i PkgID) bool { return g.qMultiBin(i) && !g.isNoarch(i) })...)
	}
	for _, i := range out {
		if !g.modular(i) {
			g.cls[i] |= cExcluded
		}
	}
}

// addPrepopulate is add_prepopulate_packages.
func (g *gatherer) addPrepopulate() ([]PkgID, error) {
	set := map[PkgID]bool{}
	for _, na := range g.opts.Prepopulate {
		dot := strings.LastIndexByte(na, '.')
		if dot < 0 {
			return nil, fmt.Errorf("prepopulate entry %q is not NAME.ARCH", na)
		}
		name, arch := na[:dot], na[dot+1:]
		cands := dedupNEVRA(g.pool, filter(g.pool.PackagesNamed(name), func(i PkgID) bool {
			return g.qBinary(i) && g.pool.pkgs[i].Arch == arch
		}))
		b := g.best(cands, false, false)
		if len(b) == 0 {
			g.warnf("Prepopulate: Doesn't match: %s", na)
		}
		for _, i := range b {
			set[i] = true
		}
	}
	var out []PkgID
	for i := range set {
		g.flags[i] |= FlagPrepopulate
		out = append(out, i)
	}
	sortIDs(out)
	return out, nil
}

// dedupNEVRA keeps the first package of each NEVRA, as Pungi's QueryCache
// does (hawkey packages compare equal by name, EVR and arch).
func dedupNEVRA(pool *Pool, ids []PkgID) []PkgID {
	if len(ids) < 2 {
		return ids
	}
	out := ids[:0:0]
outer:
	for _, i := range ids {
		p := pool.pkgs[i]
		for _, j := range out {
			q := pool.pkgs[j]
			if p.Name == q.Name && p.Arch == q.Arch && repomd.CompareEVR(p.EVR, q.EVR) == 0 {
				continue outer
			}
		}
		out = append(out, i)
	}
	return out
}

// sourceByNVR returns the source packages with this name, version and
// release (Pungi's source_pkgs_cache).
func (g *gatherer) sourceByNVR(k nvr) []PkgID {
	// The pool's by-name index answers this without a per-run map over
	// every package.
	var out []PkgID
	for _, id := range g.pool.PackagesNamed(k.name) {
		if p := g.pool.pkgs[id]; p.Version == k.version && p.Release == k.release && g.qSource(id) {
			out = append(out, id)
		}
	}
	return dedupNEVRA(g.pool, out)
}

// multilibByNVR returns the multilib-arch (not noarch) binaries with this
// name, version and release (Pungi's q_multilib_binary_packages_cache).
func (g *gatherer) multilibByNVR(k nvr) []PkgID {
	if g.multiByNVR == nil {
		g.multiByNVR = make(map[nvr][]PkgID, len(g.pool.pkgs)/8)
		for id, p := range g.pool.pkgs {
			if i := PkgID(id); g.qMultiBin(i) && !g.isNoarch(i) {
				key := nvr{p.Name, p.Version, p.Release}
				g.multiByNVR[key] = append(g.multiByNVR[key], i)
			}
		}
	}
	return dedupNEVRA(g.pool, g.multiByNVR[k])
}

// debugBySourceRPM returns the debug packages built from srpm that satisfy
// pred (Pungi's native/multilib debug caches).
func (g *gatherer) debugBySourceRPM(srpm string, pred func(PkgID) bool) []PkgID {
	if g.debugBySrc == nil {
		g.debugBySrc = make(map[string][]PkgID, len(g.pool.pkgs)/8)
		for id, p := range g.pool.pkgs {
			if g.qDebugAll(PkgID(id)) && p.SourceRPM != "" {
				g.debugBySrc[p.SourceRPM] = append(g.debugBySrc[p.SourceRPM], PkgID(id))
			}
		}
	}
	return dedupNEVRA(g.pool, filter(g.debugBySrc[srpm], pred))
}

// binaryBySourceRPM returns the binaries built from srpm that satisfy pred
// (Pungi's *_pkgs_by_sourcerpm_cache).
func (g *gatherer) binaryBySourceRPM(srpm string, pred func(PkgID) bool) []PkgID {
	if g.binBySrc == nil {
		g.binBySrc = make(map[string][]PkgID, len(g.pool.pkgs)/2)
		for id, p := range g.pool.pkgs {
			if g.qBinary(PkgID(id)) && p.SourceRPM != "" {
				g.binBySrc[p.SourceRPM] = append(g.binBySrc[p.SourceRPM], PkgID(id))
			}
		}
	}
	return dedupNEVRA(g.pool, filter(g.binBySrc[srpm], pred))
}
