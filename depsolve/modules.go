package depsolve

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pungo/pungo/repomd/modulemd"
)

// Module visibility. A pool shows every package unless module metadata is
// applied to it, which is what Pungi's gather sees: its DnfWrapper adds
// every repository with module_hotfixes=True, so pungi-gather (and pungo
// depsolve by default) get all packages. Two other views are built here
// from the repositories' modules.yaml (read with repomd/modulemd and merged
// as dnf merges them):
//
//   - dnf's view without module state (HideInactiveModules), which dnf
//     repoclosure and a fresh installroot have: the default streams are
//     active;
//   - a chosen set of active streams (ApplyModules), with which the
//     hybrid method's views are made (GatherHybrid, and the gather phase's
//     hybrid.go): Pungi's fus solver resolves a stream's artifacts with
//     the enabled streams active and non-modular packages with only
//     default streams active.
//
// In every view, the artifacts of active streams are visible, the artifacts of
// every other stream are hidden, and a non-modular package is hidden when
// an active stream has a binary artifact of the same name (modular packages
// shadow non-modular ones, as libdnf's module filtering does). dnf also
// requires an active stream's module dependencies to resolve (platform
// from the installroot's os-release); pungo assumes they do.

// ModuleIndex reads and merges the modules metadata of every repository
// of the pool that has some (nil when none has).
func (p *Pool) ModuleIndex() (*modulemd.Index, error) {
	return p.moduleIndex(func(*Repo) bool { return true })
}

// moduleIndex merges the modules metadata of the repositories keep
// selects (nil when none has some).
func (p *Pool) moduleIndex(keep func(*Repo) bool) (*modulemd.Index, error) {
	m := modulemd.NewMerger()
	any := false
	for _, r := range p.Repos {
		if r.Source == nil || !keep(r) {
			continue
		}
		x, err := modulemd.ReadRepo(r.Source)
		if err != nil {
			return nil, err
		}
		if x == nil {
			continue
		}
		m.Associate(x, 0)
		any = true
	}
	if !any {
		return nil, nil
	}
	return m.Resolve(false)
}

// HideInactiveModules applies dnf's view without module state: default
// streams are active. It returns the number of hidden packages;
// repositories without modules metadata change nothing.
func (p *Pool) HideInactiveModules() (int, error) {
	x, err := p.ModuleIndex()
	if err != nil || x == nil {
		return 0, err
	}
	return p.ApplyModules(x, nil, true)
}

// ApplyModules hides what the module metadata x hides when the streams in
// enable ("name:stream") are active, plus, with defaults, each default
// stream of a module none of whose streams is in enable. Earlier module
// filtering of the pool is replaced. It returns the number of hidden
// packages.
func (p *Pool) ApplyModules(x *modulemd.Index, enable []string, defaults bool) (int, error) {
	active, err := ActiveStreams(x, enable, defaults)
	if err != nil {
		return 0, err
	}
	return p.applyActive(x, active), nil
}

// ApplyActiveModules hides what the module metadata of the pool's
// repositories hides with exactly the streams active ("name:stream"): the
// artifacts of every other stream, and the non-modular packages named like
// an active stream's binary artifacts. An active stream the metadata lacks
// is an error. This replays a view ActiveModules printed.
func (p *Pool) ApplyActiveModules(active []string) (int, error) {
	x, err := p.ModuleIndex()
	if err != nil {
		return 0, err
	}
	if x == nil {
		x = modulemd.NewIndex()
	}
	if _, err := ActiveStreams(x, active, false); err != nil {
		return 0, err
	}
	return p.applyActive(x, slices.Clone(active)), nil
}

// ActiveModules returns the NAME:STREAMs active in the module view applied
// to the pool, sorted, and whether one is applied.
func (p *Pool) ActiveModules() ([]string, bool) { return p.active, p.hidden != nil }

// ActiveStreams returns the "name:stream"s active when the streams in
// enable are, plus, with defaults, each default stream of a module none
// of whose streams is in enable; sorted. An enabled stream x lacks is an
// error.
func ActiveStreams(x *modulemd.Index, enable []string, defaults bool) ([]string, error) {
	active := map[string]bool{} // "name:stream"
	enabledModule := map[string]bool{}
	known := map[string]bool{}
	for _, s := range x.Streams {
		known[s.NS()] = true
	}
	for _, ns := range enable {
		name, _, ok := strings.Cut(ns, ":")
		if !ok || !known[ns] {
			return nil, fmt.Errorf("module stream %q is not in the repositories' modules metadata", ns)
		}
		active[ns] = true
		enabledModule[name] = true
	}
	if defaults {
		for m, d := range x.Defaults {
			if s := d.DefaultStream(); s != "" && !enabledModule[m] {
				active[m+":"+s] = true
			}
		}
	}
	out := slices.Sorted(maps.Keys(active))
	return out, nil
}

// applyActive applies x with the streams active (sorted "name:stream"s).
func (p *Pool) applyActive(x *modulemd.Index, list []string) int {
	active := map[string]bool{}
	for _, ns := range list {
		active[ns] = true
	}
	p.active = list
	on := map[string]string{}     // artifact key → NSVC of an active stream
	off := map[string]string{}    // artifact key of an inactive stream → its NSVC
	shadow := map[string]string{} // binary artifact name of an active stream → its NSVC
	for _, s := range x.Streams {
		act := active[s.NS()]
		for _, a := range s.RPMArtifacts() {
			n, ok := modulemd.ParseArtifact(a)
			if !ok {
				continue
			}
			key := modulemd.ArtifactKey(n.Name, n.Epoch, n.Version, n.Release, n.Arch)
			if !act {
				if off[key] == "" {
					off[key] = s.NSVC()
				}
				continue
			}
			on[key] = s.NSVC()
			if n.Arch != "src" && n.Arch != "nosrc" {
				shadow[n.Name] = s.NSVC()
			}
		}
	}
	p.hidden = make([]bool, len(p.pkgs))
	p.moduleOf = map[PkgID]string{}
	p.hiddenBy = map[PkgID]string{}
	n := 0
	for i, pkg := range p.pkgs {
		key := modulemd.ArtifactKey(pkg.Name, pkg.Epoch, pkg.Version, pkg.Release, pkg.Arch)
		if nsvc, ok := on[key]; ok {
			p.moduleOf[PkgID(i)] = nsvc
			continue
		}
		switch {
		case off[key] != "":
			p.hiddenBy[PkgID(i)] = "artifact of " + off[key] + ", a stream that is not active"
		case shadow[pkg.Name] != "":
			p.hiddenBy[PkgID(i)] = "shadowed by module " + shadow[pkg.Name] + ", an active stream with a package of that name"
		default:
			continue
		}
		p.hidden[i] = true
		n++
	}
	return n
}

// HiddenWhy says why module filtering hid a package ("artifact of
// N:S:V:C, a stream that is not active" or "shadowed by module N:S:V:C,
// ..."); "" when it is visible.
func (p *Pool) HiddenWhy(id PkgID) string { return p.hiddenBy[id] }

// HiddenPackages returns every package module filtering hid, ascending
// ids.
func (p *Pool) HiddenPackages() []PkgID {
	out := slices.Sorted(maps.Keys(p.hiddenBy))
	return out
}

// HiddenNamed returns the packages whose name or NEVRA is name that module
// filtering hid, ascending ids.
func (p *Pool) HiddenNamed(name string) []PkgID {
	var out []PkgID
	for id := range p.hiddenBy {
		if pkg := p.pkgs[id]; pkg.Name == name || pkg.NEVRA() == name {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Hidden reports whether module filtering hid a package.
func (p *Pool) Hidden(id PkgID) bool { return p.hidden != nil && p.hidden[id] }

// ModuleOf is the NSVC of the active stream whose artifact the package
// is, "" for a package no applied module metadata claims.
func (p *Pool) ModuleOf(id PkgID) string { return p.moduleOf[id] }

// GatherHybrid runs Gather as Pungi's hybrid method solves with the
// streams ("name:stream") enabled, as fus does for module(name:stream)
// inputs:
//
//   - every binary artifact of the latest version of each enabled stream
//     (all its contexts) is an input, resolved with the enabled streams,
//     the streams their module dependencies pull in (ResolveModuleDeps,
//     among the repositories' streams and the platform the enabled and
//     lookaside streams require) and the default streams of the other
//     modules active; a stream whose module dependencies nothing meets
//     has its artifacts included without their dependencies, with a
//     warning;
//   - the patterns are resolved with only default streams active: a
//     module with an enabled stream counts only when that stream is its
//     default (fus disables every non-default module while it installs a
//     non-modular package);
//   - opts.HybridModules is set.
//
// The two results are merged (an artifact's entry wins). The pool is left
// in the first view, so ModuleOf names the stream of every modular result
// package and HiddenWhy explains what that view hides.
func GatherHybrid(p *Pool, x *modulemd.Index, streams, patterns []string, opts Options) (*Result, error) {
	if x == nil {
		x = modulemd.NewIndex()
	}
	opts.HybridModules = true
	enabled := map[string]bool{}       // name:stream
	enabledModule := map[string]bool{} // name
	for _, ns := range streams {
		enabled[ns] = true
		name, _, _ := strings.Cut(ns, ":")
		enabledModule[name] = true
	}
	roots := latestStreams(x, enabled)
	lk, err := p.moduleIndex(func(r *Repo) bool { return r.Lookaside })
	if err != nil {
		return nil, err
	}
	platformFrom := slices.Clone(roots)
	if lk != nil {
		platformFrom = append(platformFrom, lk.Streams...)
	}
	platform, err := ModulePlatform(platformFrom)
	if err != nil {
		return nil, err
	}
	required, broken := HybridModuleDeps(roots, x.Streams, platform)
	var excludes []string
	for _, pat := range patterns {
		if strings.HasPrefix(pat, "-") {
			excludes = append(excludes, pat)
		}
	}
	var good, bad []*modulemd.Stream
	for _, s := range roots {
		if _, ok := broken[s.NSVC()]; ok {
			bad = append(bad, s)
		} else {
			good = append(good, s)
		}
	}
	artifactSpec := map[string]bool{} // name and name.arch of every artifact
	artifacts := artifactPatterns(good, opts, artifactSpec)
	badArtifacts := artifactPatterns(bad, opts, artifactSpec)
	// The patterns' view first, then the artifacts' view, which stays.
	known := map[string]bool{}
	for _, s := range x.Streams {
		known[s.NS()] = true
	}
	var defaultsOnly []string
	for m, d := range x.Defaults {
		s := d.DefaultStream()
		if known[m+":"+s] && (!enabledModule[m] || enabled[m+":"+s]) {
			defaultsOnly = append(defaultsOnly, m+":"+s)
		}
	}
	var resB *Result
	if len(patterns) > len(excludes) {
		if _, err := p.ApplyModules(x, defaultsOnly, false); err != nil {
			return nil, err
		}
		r, err := Gather(p, patterns, opts)
		if err != nil {
			return nil, err
		}
		// An input naming an enabled stream's artifact matches nothing in
		// the default-streams view when its module is enabled at another
		// stream, but the artifacts' view below gathers it: no "Could not
		// find a match" for a package the result holds.
		r.Warnings = slices.DeleteFunc(r.Warnings, func(w string) bool {
			pat, ok := strings.CutPrefix(w, noMatchPrefix)
			pat, ok2 := strings.CutSuffix(pat, noMatchSuffix)
			return ok && ok2 && artifactSpec[pat]
		})
		resB = r
	}
	if _, err := p.ApplyModules(x, append(slices.Clone(streams), required...), true); err != nil {
		return nil, err
	}
	resA, err := Gather(p, append(artifacts, excludes...), opts)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		nd := opts
		nd.NoDeps = true
		resC, err := Gather(p, append(badArtifacts, excludes...), nd)
		if err != nil {
			return nil, err
		}
		resA = mergeResults(resA, resC)
		for _, s := range bad {
			resA.Warnings = append(resA.Warnings, BrokenModuleWarning(s.NSVC(), broken[s.NSVC()]))
		}
	}
	if resB == nil {
		return resA, nil
	}
	return mergeResults(resA, resB), nil
}

// latestStreams are the streams of x whose NAME:STREAM is enabled, at
// the latest version of each (all its contexts).
func latestStreams(x *modulemd.Index, enabled map[string]bool) []*modulemd.Stream {
	latest := map[string]uint64{}
	for _, s := range x.Streams {
		if enabled[s.NS()] && s.Version > latest[s.NS()] {
			latest[s.NS()] = s.Version
		}
	}
	var out []*modulemd.Stream
	for _, s := range x.Streams {
		if enabled[s.NS()] && s.Version == latest[s.NS()] {
			out = append(out, s)
		}
	}
	return out
}

// artifactPatterns are the input patterns of the binary artifacts of
// streams (debug ones by name, unless opts exclude debuginfo); spec
// records every artifact's name and name.arch.
func artifactPatterns(streams []*modulemd.Stream, opts Options, spec map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range streams {
		for _, a := range s.RPMArtifacts() {
			n, ok := modulemd.ParseArtifact(a)
			if !ok || n.Arch == "src" || n.Arch == "nosrc" {
				continue
			}
			pat := n.Name + "." + n.Arch
			if isDebugName(n.Name) {
				if opts.ExcludeDebug {
					continue
				}
				pat = n.Name // debug inputs are matched by name
			} else if n.Arch == "noarch" {
				pat = n.Name // the depsolver takes no ".noarch" pattern
			}
			if !seen[pat] {
				seen[pat] = true
				out = append(out, pat)
			}
			spec[n.Name] = true
			spec[n.Name+"."+n.Arch] = true
		}
	}
	return out
}

// HybridModuleDeps resolves the module dependencies of the enabled
// streams roots among avail and platform (ResolveModuleDeps): required
// are the NAME:STREAMs their transactions add to the active streams
// (sorted), broken maps the NSVC of each root no transaction installs to
// the requirement nothing meets.
func HybridModuleDeps(roots, avail []*modulemd.Stream, platform string) (required []string, broken map[string]string) {
	rootNS := map[string]bool{}
	for _, s := range roots {
		rootNS[s.NS()] = true
	}
	byNSVC := map[string]*modulemd.Stream{}
	for _, s := range avail {
		byNSVC[s.NSVC()] = s
	}
	add := map[string]bool{}
	for _, s := range roots {
		d := ResolveModuleDeps(s, avail, platform)
		if d.Unmet != "" {
			if broken == nil {
				broken = map[string]string{}
			}
			broken[s.NSVC()] = d.Unmet
			continue
		}
		for _, nsvc := range d.Streams {
			if t := byNSVC[nsvc]; t != nil && !rootNS[t.NS()] {
				add[t.NS()] = true
			}
		}
	}
	for ns := range add {
		required = append(required, ns)
	}
	slices.Sort(required)
	return required, broken
}

// BrokenModuleWarning is the warning for an enabled stream whose module
// dependencies nothing meets.
func BrokenModuleWarning(nsvc, unmet string) string {
	return fmt.Sprintf("module %s requires %s, which no stream of the repositories or the platform provides: its artifacts are included without their dependencies (as fus does), and dnf cannot enable it from these repositories", nsvc, unmet)
}

// mergeResults is a's packages plus those of b that a lacks, the broken
// dependencies and warnings of both.
func mergeResults(a, b *Result) *Result {
	out := &Result{pool: a.pool, Warnings: append(slices.Clone(a.Warnings), b.Warnings...)}
	merge := func(x, y []Item) []Item {
		have := map[PkgID]bool{}
		items := slices.Clone(x)
		for _, it := range x {
			have[it.ID] = true
		}
		for _, it := range y {
			if !have[it.ID] {
				items = append(items, it)
			}
		}
		sortItems(items)
		return items
	}
	out.RPM = merge(a.RPM, b.RPM)
	out.SRPM = merge(a.SRPM, b.SRPM)
	out.Debuginfo = merge(a.Debuginfo, b.Debuginfo)
	broken := map[BrokenDep]bool{}
	for _, d := range append(slices.Clone(a.Broken), b.Broken...) {
		if !broken[d] {
			broken[d] = true
			out.Broken = append(out.Broken, d)
		}
	}
	slices.SortFunc(out.Broken, func(x, y BrokenDep) int { return strings.Compare(x.String(), y.String()) })
	return out
}
