package gather

import (
	"github.com/pungo/pungo/phases/compose"
)

// trimType is Pungi's _trim_variants for one variant type: each variant
// loses what its parent has and the packages named in remove (by type),
// and, when moveToParent, hands packages flagged fulltree-exclude but not
// input to its parent. It returns the names kept in these variants.
func (g *gatherer) trimType(typ string, remove map[string]map[string]bool, moveToParent bool) map[string]map[string]bool {
	included := map[string]map[string]bool{}
	for _, arch := range g.c.Arches() {
		for _, v := range g.c.GetVariants([]string{typ}, arch) {
			pm := g.result.ByArch[arch][v.UID]
			if pm == nil || v.Parent == nil {
				continue
			}
			kept, moved := trimPackages(g.c, arch, v, pm, g.parentPkgs(arch, v), remove)
			for t, names := range kept {
				if included[t] == nil {
					included[t] = map[string]bool{}
				}
				for n := range names {
					included[t][n] = true
				}
			}
			if !moveToParent {
				continue
			}
			parent := g.result.ByArch[arch][v.Parent.UID]
			for _, t := range Types {
				for _, e := range moved[t] {
					g.c.Log.Debugf("Moving package to parent (arch: %s, variant: %s, pkg_type: %s): %s", arch, v.UID, t, e.Pkg.FileName())
					if !hasEntry(parent[t], e) {
						parent[t] = append(parent[t], e)
					}
				}
			}
		}
	}
	return included
}

func hasEntry(list []*Entry, e *Entry) bool {
	for _, x := range list {
		if x.Path == e.Path && x.Pkg.NEVRA() == e.Pkg.NEVRA() {
			return true
		}
	}
	return false
}

// trimPackages is Pungi's trim_packages for one variant.arch; pm is
// modified in place. A package named in remove leaves the variant (a
// layered product keeps such sources and debuginfo); a package the parent
// has leaves; a package flagged fulltree-exclude and not input moves to
// the parent; everything else stays.
func trimPackages(c *compose.Compose, arch string, v *compose.Variant, pm PkgMap, parent map[string]map[[2]string]bool, remove map[string]map[string]bool) (kept map[string]map[string]bool, moved PkgMap) {
	kept = map[string]map[string]bool{TypeRPM: {}, TypeSRPM: {}, TypeDebug: {}}
	moved = newPkgMap()
	c.Log.Infof("[BEGIN] Trimming package list (arch: %s, variant: %s)", arch, v.UID)
	for _, t := range Types {
		var out []*Entry
		removed := 0
		for _, e := range pm[t] {
			key := [2]string{e.Pkg.Name, e.Pkg.Arch}
			switch {
			case remove[t][e.Pkg.Name]:
				if v.Type == "layered-product" && (t == TypeSRPM || t == TypeDebug) {
					out = append(out, e)
					continue
				}
				c.Log.Warningf("Removed addon package (arch: %s, variant: %s): %s: %s", arch, v.UID, t, e.Path)
				removed++
			case !parent[t][key]:
				if e.HasFlag("fulltree-exclude") && !e.HasFlag("input") {
					moved[t] = append(moved[t], e)
				} else {
					out = append(out, e)
					kept[t][e.Pkg.Name] = true
				}
			default:
				removed++
			}
		}
		pm[t] = out
		c.Log.Infof("Removed packages (arch: %s, variant: %s): %s: %d", arch, v.UID, t, removed)
		c.Log.Infof("Moved to parent (arch: %s, variant: %s): %s: %d", arch, v.UID, t, len(moved[t]))
	}
	c.Log.Infof("[DONE ] Trimming package list (arch: %s, variant: %s)", arch, v.UID)
	return kept, moved
}
