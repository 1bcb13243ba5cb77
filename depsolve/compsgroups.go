package depsolve

import "github.com/pungo/pungo/comps"

// GroupInputs is what comps groups ask of a gather: the names of their
// packages (mandatory, default, optional and any other non-conditional
// type: Pungi asks for "@group --optional"), their conditional entries,
// and the group ids no comps document defines.
type GroupInputs struct {
	Packages    []string      // distinct, in the order first met
	Conditional []Conditional // distinct, in the order first met
	Missing     []string      // group ids found in no document, in the order given
}

// ExpandGroups expands groups over docs as pungi-gather sees them (every
// document's definition of a group counts, as dnf merges the comps of its
// repositories): groups in the order given, each through docs in order.
// The compose's gather phase and `pungo depsolve` both expand through it.
func ExpandGroups(docs []*comps.Comps, groups []string) GroupInputs {
	var in GroupInputs
	seen := map[string]bool{}
	seenCond := map[Conditional]bool{}
	for _, id := range groups {
		found := false
		for _, d := range docs {
			g := d.Group(id)
			if g == nil {
				continue
			}
			found = true
			for _, pr := range g.Packages {
				if pr.Type == comps.TypeConditional {
					c := Conditional{Name: pr.Requires, Install: pr.Name}
					if !seenCond[c] {
						seenCond[c] = true
						in.Conditional = append(in.Conditional, c)
					}
					continue
				}
				if !seen[pr.Name] {
					seen[pr.Name] = true
					in.Packages = append(in.Packages, pr.Name)
				}
			}
		}
		if !found {
			in.Missing = append(in.Missing, id)
		}
	}
	return in
}

// CompsLangpacks returns the langpack entries of docs, each distinct
// (name, install) pair once, in document order, as the gather phase hands
// them to pungi-gather.
func CompsLangpacks(docs []*comps.Comps) []Langpack {
	var out []Langpack
	seen := map[Langpack]bool{}
	for _, d := range docs {
		for _, lp := range d.Langpacks {
			x := Langpack{Name: lp.Name, Install: lp.Install}
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}
