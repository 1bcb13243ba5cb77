package comps

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/glob"
)

// VariantGroup is a <group> of a variants.xml variant: a group id (or an
// fnmatch pattern when Glob) with optional overrides of the group's
// default and uservisible flags.
type VariantGroup struct {
	Name        string
	Glob        bool
	Default     *bool
	UserVisible *bool
}

// VariantEnvironment is an <environment> of a variants.xml variant.
type VariantEnvironment struct {
	Name         string
	DisplayOrder *int
}

// VariantFilter describes one variant.arch for FilterForVariant.
type VariantFilter struct {
	Arch        string
	VariantUID  string
	VariantType string // variant|addon|optional|layered-product
	// Groups and Environments as listed in variants.xml.
	Groups       []VariantGroup
	Environments []VariantEnvironment
	// Modular is true when the variant has a <modules> element (Pungi's
	// "variant.modules is not None"): its comps are filtered to the listed
	// groups even when it lists none.
	Modular bool
	// LookasideGroups are group ids environments may name without this
	// document defining them: the parent variant's groups and those of
	// variant_as_lookaside variants.
	LookasideGroups []string
	// FilterEnvironments is the comps_filter_environments option (Pungi's
	// default is true).
	FilterEnvironments bool
}

// EnvironmentInfo is what the init phase learns about a kept environment
// (live media and image phases use it).
type EnvironmentInfo struct {
	Name         string
	DisplayOrder *int
	Groups       []string
}

// VariantResult reports what FilterForVariant did besides the document.
type VariantResult struct {
	// UnmatchedGroups are the variant's group names (or patterns) that match
	// no group of the filtered comps, sorted. Pungi logs each as "Variant
	// UID.ARCH requires comps group NAME which does not match anything in
	// input comps file".
	UnmatchedGroups []string
	// Environments are the environments kept, with their effective display
	// order and group list, when environments were filtered.
	Environments []EnvironmentInfo
	// Diagnostics are the references to never-defined groups the cleanup
	// removed.
	Diagnostics []Diagnostic
}

// UnmatchedMessages renders UnmatchedGroups as Pungi's warnings.
func (r *VariantResult) UnmatchedMessages(variantUID, arch string) []string {
	out := make([]string, len(r.UnmatchedGroups))
	for i, g := range r.UnmatchedGroups {
		out[i] = fmt.Sprintf("Variant %s.%s requires comps group %s which does not match anything in input comps file", variantUID, arch, g)
	}
	return out
}

// FilterForVariant produces the comps of one variant and arch from the
// global comps exactly as Pungi's init phase (write_variant_comps) does,
// without modifying global:
//
//  1. comps_filter --arch=ARCH --variant=UID --keep-empty-group=conflicts
//     --keep-empty-group=conflicts-<uid lowercased> --lookaside-group=… ;
//  2. when the variant lists groups, or is modular, or is not of type
//     "variant": keep only groups matching one of the variant's groups
//     (first match wins; its default/uservisible, when set, override the
//     group's), reporting the variant's groups that matched nothing;
//  3. when FilterEnvironments and the variant lists groups or
//     environments: keep only the listed environments, with the variant's
//     display_order overriding the comps one;
//  4. Normalize (Pungi rewrites the file through libcomps, sorted).
func FilterForVariant(global *Comps, f VariantFilter) (*Comps, *VariantResult) {
	c := global.Clone()
	res := &VariantResult{}
	res.Diagnostics = c.Filter(FilterOptions{
		Arch:            f.Arch,
		Variant:         f.VariantUID,
		KeepEmptyGroups: []string{"conflicts", "conflicts-" + strings.ToLower(f.VariantUID)},
		LookasideGroups: f.LookasideGroups,
	})
	if len(f.Groups) > 0 || f.Modular || f.VariantType != "variant" {
		res.UnmatchedGroups = c.FilterGroups(f.Groups)
	}
	containsAll := len(f.Groups) == 0 && len(f.Environments) == 0
	if f.FilterEnvironments && !containsAll {
		res.Environments = c.FilterEnvironmentList(f.Environments)
	}
	c.Normalize()
	return c, res
}

func (g VariantGroup) matches(id string) bool {
	if g.Glob {
		return glob.Python(g.Name, id)
	}
	return id == g.Name
}

// FilterGroups keeps the groups matching one of want (CompsWrapper.
// filter_groups): the first matching entry's Default and UserVisible, when
// set, replace the group's. It returns the entries that match no remaining
// group, sorted and de-duplicated.
func (c *Comps) FilterGroups(want []VariantGroup) []string {
	kept := c.Groups[:0]
	for _, g := range c.Groups {
		for _, w := range want {
			if w.matches(g.ID) {
				if w.Default != nil {
					g.Default = *w.Default
				}
				if w.UserVisible != nil {
					g.UserVisible = *w.UserVisible
				}
				kept = append(kept, g)
				break
			}
		}
	}
	c.Groups = kept
	seen := map[string]bool{}
	var unmatched []string
	for _, w := range want {
		found := false
		for _, g := range c.Groups {
			if w.matches(g.ID) {
				found = true
				break
			}
		}
		if !found && !seen[w.Name] {
			seen[w.Name] = true
			unmatched = append(unmatched, w.Name)
		}
	}
	sort.Strings(unmatched)
	return unmatched
}

// FilterEnvironmentList keeps the environments named in want
// (CompsWrapper.filter_environments), applying their display_order when
// set. It returns, in want's order, each kept environment's effective
// display order and group ids (Pungi writes these back into the variant).
func (c *Comps) FilterEnvironmentList(want []VariantEnvironment) []EnvironmentInfo {
	var info []EnvironmentInfo
	kept := c.Environments[:0]
	for _, e := range c.Environments {
		for _, w := range want {
			if e.ID == w.Name {
				if w.DisplayOrder != nil {
					e.DisplayOrder = cloneInt(w.DisplayOrder)
				}
				kept = append(kept, e)
				break
			}
		}
	}
	c.Environments = kept
	for _, w := range want {
		for _, e := range c.Environments {
			if e.ID == w.Name {
				groups := make([]string, len(e.Groups))
				for i, r := range e.Groups {
					groups[i] = r.Name
				}
				info = append(info, EnvironmentInfo{Name: e.ID, DisplayOrder: cloneInt(e.DisplayOrder), Groups: groups})
				break
			}
		}
	}
	return info
}
