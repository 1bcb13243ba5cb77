package depsolve

import (
	"sort"
	"strings"

	"github.com/pungo/pungo/depsolve/internal/idset"
)

// The passes of Pungi's fixed-point loop, in its order. Each returns
// whether it added anything; the loop then restarts from the first.

// packageDeps is _get_package_deps: the best providers of every requirement
// (requires, pre and post; weak dependencies never count) of a package
// outside the lookaside repositories, memoized per requirement string for
// the whole run and shared by binary, source and debug packages. An
// unresolvable requirement is recorded and skipped. The result lives in a
// buffer the next call reuses.
func (g *gatherer) packageDeps(pkg PkgID, debug bool) []dependency {
	if g.lookaside(pkg) {
		return nil
	}
	queue, miss := g.qBinary, uint8(1)
	if debug {
		queue, miss = g.qDebugAll, 2
	}
	p := g.pool.pkgs[pkg]
	out := g.depBuf[:0]
	defer func() { g.depBuf = out[:0] }()
	for k := range p.Requires.Len() {
		dep := p.Requires.At(k)
		req := &dep
		e := g.memo.entry(req)
		if len(e.pkgs) == 0 && e.unresolvable&miss == 0 {
			if cands := filter(g.pool.WhatProvides(req), queue); len(cands) > 0 {
				e.pkgs = g.best(cands, true, debug)
			} else {
				e.unresolvable |= miss
			}
		}
		m := e.pkgs
		if len(m) == 0 {
			g.broken[BrokenDep{Package: p.Name + "." + p.Arch, Req: req.String()}] = true
			continue
		}
		for _, i := range m {
			out = append(out, dependency{i, dep})
		}
	}
	return out
}

// addConditional adds comps conditional packages whose trigger is in the
// result, flagging the trigger.
func (g *gatherer) addConditional() bool {
	if g.opts.NoDeps || len(g.opts.Conditional) == 0 {
		return false
	}
	added := false
	for _, pkg := range g.snapshot(destBinary) {
		deps, ok := g.finCond.get(pkg)
		if !ok {
			name := g.pool.pkgs[pkg].Name
			for _, c := range g.opts.Conditional {
				if c.Name != name {
					continue
				}
				deps = idset.Union(deps, g.best(filter(g.pool.PackagesNamed(c.Install), g.qBinary), false, false))
			}
			g.finCond.put(pkg, deps)
		}
		for _, i := range deps {
			if !g.in[destBinary][i] {
				g.add(i, destBinary, true, Reason{Step: StepCondDep, By: pkg})
				g.flags[pkg] |= FlagConditional
				added = true
			}
		}
	}
	return added
}

func (g *gatherer) addBinaryDeps() bool {
	if g.opts.NoDeps {
		return false
	}
	added := false
	for _, pkg := range g.snapshot(destBinary) {
		if g.finBin[pkg] {
			continue
		}
		for _, d := range g.packageDeps(pkg, false) {
			if g.add(d.pkg, destBinary, true, Reason{Step: StepBinaryDep, By: pkg, Dep: d.req.String()}) {
				added = true
			}
		}
		g.finBin[pkg] = true
	}
	return added
}

// addSourceDeps resolves the build requirements of result source packages
// (selfhosting), flagging a source package whose requirements added
// something.
func (g *gatherer) addSourceDeps() bool {
	if g.opts.NoDeps || !g.opts.Selfhosting || g.opts.ExcludeSource {
		return false
	}
	added := false
	for _, src := range g.snapshot(destSource) {
		if g.finSrc[src] {
			continue
		}
		deps := g.packageDeps(src, false)
		g.finSrc[src] = true
		for _, d := range deps {
			if g.add(d.pkg, destBinary, true, Reason{Step: StepSourceDep, By: src, Dep: d.req.String()}) {
				added = true
				g.flags[src] |= FlagSelfHosting
			}
		}
	}
	return added
}

// addSourcePackages adds the source package of every binary: the one named
// by its sourcerpm, from the binary's repository when there is a choice.
func (g *gatherer) addSourcePackages() bool {
	if g.opts.ExcludeSource {
		return false
	}
	added := false
	for _, pkg := range g.snapshot(destBinary) {
		src := g.finSrcPkg[pkg]
		if src == -2 {
			src = -1
			if srpm := g.pool.pkgs[pkg].SourceRPM; srpm != "" {
				if c, ok := g.srpmCache[srpm]; ok {
					src = c
				} else if cands := g.sourceByNVR(parseSourceNVR(srpm)); len(cands) > 0 {
					src = cands[0]
					for _, c := range cands {
						if g.pool.repoOf[c] == g.pool.repoOf[pkg] {
							src = c
							break
						}
					}
					g.srpmCache[srpm] = src
				}
			}
			g.finSrcPkg[pkg] = src
		}
		if src < 0 {
			continue
		}
		if g.lookaside(src) || g.lookaside(pkg) {
			g.flags[src] |= FlagLookaside
		}
		if g.add(src, destSource, false, Reason{Step: StepSource, By: pkg}) {
			added = true
		}
	}
	return added
}

// addDebugPackages adds, for every binary, "<name>-debuginfo" and the
// *-debugsource packages of the same source and arch.
func (g *gatherer) addDebugPackages() bool {
	if g.opts.ExcludeDebug {
		return false
	}
	added := false
	for _, pkg := range g.snapshot(destBinary) {
		if g.finDbgPkg[pkg] || g.modular(pkg) {
			continue
		}
		p := g.pool.pkgs[pkg]
		if p.SourceRPM == "" {
			continue
		}
		pred := g.qMultiDebug
		if g.isNative(pkg) {
			pred = g.qNativeDebug
		}
		cands := g.debugBySourceRPM(p.SourceRPM, pred)
		if len(cands) == 0 {
			continue
		}
		debugInfo := p.Name + "-debuginfo"
		for _, i := range cands {
			d := g.pool.pkgs[i]
			if d.Arch != p.Arch {
				continue
			}
			if !strings.Contains(d.Name, "-debugsource") && d.Name != debugInfo {
				continue
			}
			// As every package Pungi adds, debuginfo and debugsource are
			// lookaside when their NEVRA is in a lookaside repository.
			if g.fromLookaside(i) {
				g.flags[i] |= FlagLookaside
			}
			if g.add(i, destDebug, false, Reason{Step: StepDebug, By: pkg}) {
				added = true
			}
		}
		g.finDbgPkg[pkg] = true
	}
	return added
}

// addDebugDeps resolves requirements of debug packages among debug
// packages, skipping those a result binary satisfies.
func (g *gatherer) addDebugDeps() bool {
	if g.opts.NoDeps || g.opts.ExcludeDebug {
		return false
	}
	added := false
	for _, pkg := range g.snapshot(destDebug) {
		if g.finDebug[pkg] {
			continue
		}
		for _, d := range g.packageDeps(pkg, true) {
			if g.in[destBinary][d.pkg] {
				continue
			}
			if g.add(d.pkg, destDebug, true, Reason{Step: StepDebugDep, By: pkg, Dep: d.req.String()}) {
				added = true
			}
		}
		g.finDebug[pkg] = true
	}
	return added
}

// addFulltree adds every binary built from the same source as a result
// package: native or multilib ones following what is already in the result
// (both with greedy all), and always the noarch ones. Packages it adds are
// not expanded again.
func (g *gatherer) addFulltree() bool {
	if !g.opts.Fulltree {
		return false
	}
	added := false
	for _, pkg := range g.sortedBinary() {
		p := g.pool.pkgs[pkg]
		if len(g.ftExcl) > 0 && g.ftExcl[sourceName(p.SourceRPM)] {
			continue
		}
		ft, ok := g.finFT.get(pkg)
		if !ok {
			nat := g.binaryBySourceRPM(p.SourceRPM, func(i PkgID) bool { return g.qNativeBin(i) && !g.isNoarch(i) })
			mul := g.binaryBySourceRPM(p.SourceRPM, func(i PkgID) bool { return g.qMultiBin(i) && !g.isNoarch(i) })
			noa := g.binaryBySourceRPM(p.SourceRPM, func(i PkgID) bool { return g.qNativeBin(i) && g.isNoarch(i) })
			pullNative := true
			switch {
			case len(nat) == 0:
				pullNative = false
			case g.anyIn(nat):
			case g.anyIn(mul):
				pullNative = false
			}
			all := g.opts.Greedy == GreedyAll
			if pullNative || all {
				ft = append(ft, nat...)
			}
			if !pullNative || all {
				ft = append(ft, mul...)
			}
			ft = append(ft, noa...)
		}
		for _, i := range ft {
			if g.add(i, destBinary, true, Reason{Step: StepFulltree, By: pkg}) {
				g.flags[i] |= FlagFulltree
				added = true
			}
			g.finFT.put(i, nil)
		}
		g.finFT.put(pkg, ft)
	}
	return added
}

func (g *gatherer) anyIn(ids []PkgID) bool {
	for _, i := range ids {
		if g.in[destBinary][i] {
			return true
		}
	}
	return false
}

// addLangpacks adds, for every result package with comps langpack entries,
// the best package of each name matching the entries' patterns (never
// -devel, -static or man-pages-overrides), flagged langpack.
func (g *gatherer) addLangpacks() bool {
	if len(g.opts.Langpacks) == 0 {
		return false
	}
	added := false
	for _, pkg := range g.sortedBinary() {
		if g.modular(pkg) {
			continue
		}
		lp, ok := g.finLP.get(pkg)
		if !ok {
			name := g.pool.pkgs[pkg].Name
			var patterns []string
			for _, l := range g.opts.Langpacks {
				if l.Name == name {
					patterns = append(patterns, strings.ReplaceAll(l.Install, "%s", "*"))
				}
			}
			if len(patterns) == 0 {
				g.finLP.put(pkg, nil)
				continue
			}
			for _, pat := range patterns {
				lp = idset.Union(lp, g.byGlob(pat, func(i PkgID) bool {
					n := g.pool.pkgs[i].Name
					return g.qBinary(i) && !strings.HasSuffix(n, "-devel") && !strings.HasSuffix(n, "-static") &&
						n != "man-pages-overrides"
				}))
			}
		}
		groups := g.groupByName(lp)
		sort.Slice(groups, func(a, b int) bool {
			return g.pool.pkgs[groups[a][0]].Name < g.pool.pkgs[groups[b][0]].Name
		})
		var chosen []PkgID
		for _, group := range groups {
			b := g.best(group, false, false)
			if len(b) == 0 {
				continue
			}
			i := b[0]
			chosen = append(chosen, i)
			g.flags[i] |= FlagLangpack
			if g.add(i, destBinary, true, Reason{Step: StepLangpack, By: pkg}) {
				added = true
			}
		}
		sortIDs(chosen)
		g.finLP.put(pkg, chosen)
	}
	return added
}

// addMultilib adds the multilib counterpart (same name, version and
// release, best multilib arch) of every native package that the multilib
// methods, whitelist and blacklist select.
func (g *gatherer) addMultilib() bool {
	added := false
	for _, pkg := range g.sortedBinary() {
		if g.finML[pkg] {
			continue
		}
		p := g.pool.pkgs[pkg]
		if p.Arch == "noarch" || p.IsSource() || g.arch.multi[p.Arch] || g.modular(pkg) {
			g.finML[pkg] = true
			continue
		}
		cands := g.multilibByNVR(nvr{p.Name, p.Version, p.Release})
		for _, i := range g.best(cands, false, false) {
			if !g.filesLoaded && g.needsFiles() {
				g.filesLoaded = true
				g.pool.loadFilesFiltered() // keeps every path multilib.RuntimePath accepts
			}
			// The runtime test reads the file lists, which a Gather sharing
			// the pool may complete (filtered to whole) meanwhile.
			g.pool.lazy.Lock()
			d := g.checker.Decide(g.pool.pkgs[i])
			g.pool.lazy.Unlock()
			if !d.Multilib {
				continue
			}
			method := d.Method
			if method == "" {
				method = d.Rule
			}
			g.flags[i] |= FlagMultilib
			g.add(i, destBinary, true, Reason{Step: StepMultilib, By: pkg, Method: method})
			added = true // Pungi counts the package even when it was there already
			g.finML[pkg] = true
		}
	}
	return added
}

// needsFiles reports whether a configured multilib method looks at file
// lists (runtime, and devel which falls back to runtime).
func (g *gatherer) needsFiles() bool {
	for _, m := range g.opts.MultilibMethods {
		if m == "runtime" || m == "devel" {
			return true
		}
	}
	return false
}
