package depsolve

import (
	"fmt"
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
//   - the hybrid gather view (EnableModules), as Pungi's fus solver runs it:
//     exactly the given streams are active, default streams are not.
//
// In both, the artifacts of active streams are visible, the artifacts of
// every other stream are hidden, and a non-modular package is hidden when
// an active stream has a binary artifact of the same name (modular packages
// shadow non-modular ones, as libdnf's module filtering does). dnf also
// requires an active stream's module dependencies to resolve (platform
// from the installroot's os-release); pungo assumes they do.

// ModuleIndex reads and merges the modules metadata of every repository
// of the pool that has some (nil when none has).
func (p *Pool) ModuleIndex() (*modulemd.Index, error) {
	m := modulemd.NewMerger()
	any := false
	for _, r := range p.Repos {
		if r.Source == nil {
			continue
		}
		if _, ok := r.Source.Record("modules"); !ok {
			continue
		}
		rc, err := r.Source.OpenRecord("modules")
		if err != nil {
			return nil, err
		}
		x, err := modulemd.Read(rc, r.Source.Location+" (modules)")
		rc.Close()
		if err != nil {
			return nil, err
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

// EnableModules applies the hybrid gather view: the given "name:stream"
// streams (from the repositories' modules metadata) are the only active
// ones. An unknown stream is an error.
func (p *Pool) EnableModules(streams []string) (int, error) {
	x, err := p.ModuleIndex()
	if err != nil {
		return 0, err
	}
	if x == nil {
		x = modulemd.NewIndex()
	}
	return p.ApplyModules(x, streams, false)
}

// ApplyModules hides what the module metadata x hides when the streams in
// enable ("name:stream") are active, plus, with defaults, each default
// stream of a module none of whose streams is in enable. Earlier module
// filtering of the pool is replaced. It returns the number of hidden
// packages.
func (p *Pool) ApplyModules(x *modulemd.Index, enable []string, defaults bool) (int, error) {
	active := map[string]bool{} // "name:stream"
	enabledModule := map[string]bool{}
	known := map[string]bool{}
	for _, s := range x.Streams {
		known[s.NS()] = true
	}
	for _, ns := range enable {
		name, _, ok := strings.Cut(ns, ":")
		if !ok || !known[ns] {
			return 0, fmt.Errorf("module stream %q is not in the repositories' modules metadata", ns)
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
	return n, nil
}

// HiddenWhy says why module filtering hid a package ("artifact of
// N:S:V:C, a stream that is not active" or "shadowed by module N:S:V:C,
// ..."); "" when it is visible.
func (p *Pool) HiddenWhy(id PkgID) string { return p.hiddenBy[id] }

// HiddenPackages returns every package module filtering hid, ascending
// ids.
func (p *Pool) HiddenPackages() []PkgID {
	out := make([]PkgID, 0, len(p.hiddenBy))
	for id := range p.hiddenBy {
		out = append(out, id)
	}
	slices.Sort(out)
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
