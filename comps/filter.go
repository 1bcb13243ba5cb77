package comps

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/pungo/pungo/internal/glob"
)

// FilterOptions are the options of Pungi's comps_filter, one field per flag.
type FilterOptions struct {
	// Arch keeps elements whose arch attribute lists it (comma or space
	// separated) and drops that attribute; elements without the attribute
	// stay unless the matching ArchOnly* flag is set. "" skips the arch
	// filter (comps_filter itself requires --arch).
	Arch string
	// Variant does the same with the variant attribute. As in Pungi, the
	// ArchOnly* flags also drop elements without a variant attribute.
	Variant              string
	ArchOnlyGroups       bool
	ArchOnlyPackages     bool
	ArchOnlyEnvironments bool
	RemoveCategories     bool
	RemoveLangpacks      bool
	RemoveTranslations   bool
	RemoveEnvironments   bool
	// KeepEmptyGroups are fnmatch patterns of group ids kept even when the
	// filtering left them without packages.
	KeepEmptyGroups []string
	// LookasideGroups are group ids that environments may name although
	// this document does not define them (they come from a parent variant).
	LookasideGroups []string
	// NoCleanup keeps empty groups, categories and environments and
	// references to undefined groups.
	NoCleanup bool
}

// Filter applies comps_filter in its order: packages, groups and
// environments by arch and variant; then, unless NoCleanup, the cleanup
// (empty groups, undefined groups in categories, empty categories,
// undefined groups in environments, empty environments); then the Remove*
// options. It returns one diagnostic per reference to a group that the
// input never defined (groups removed by the filter itself are not
// reported: dropping their references is the point of the cleanup).
func (c *Comps) Filter(o FilterOptions) []Diagnostic {
	defined := map[string]bool{}
	for _, g := range c.Groups {
		defined[g.ID] = true
	}
	c.filterPackages(o.Arch, o.Variant, o.ArchOnlyPackages)
	c.filterGroups(o.Arch, o.Variant, o.ArchOnlyGroups)
	c.filterEnvironments(o.Arch, o.Variant, o.ArchOnlyEnvironments)
	var diags []Diagnostic
	if !o.NoCleanup {
		diags = c.cleanup(o.Arch, o.KeepEmptyGroups, o.LookasideGroups, defined)
	}
	if o.RemoveCategories {
		c.Categories = nil
	}
	if o.RemoveLangpacks {
		c.Langpacks = nil
	}
	if o.RemoveTranslations {
		c.removeTranslations()
	}
	if o.RemoveEnvironments {
		c.Environments = nil
	}
	return diags
}

var attrSplit = regexp.MustCompile(`[, ]+`)

// attrMatch decides one element of comps_filter's attribute filter: keep
// says whether the element stays, and a kept element loses the attribute.
// blank marks an attribute present with an empty value, which matches
// nothing.
func attrMatch(value *string, blank *bool, want string, onlyAttr bool) (keep bool) {
	if *value == "" && !*blank {
		return !onlyAttr
	}
	for _, v := range attrSplit.Split(*value, -1) {
		if v != "" && v == want {
			*value = ""
			return true
		}
	}
	return false
}

// kept applies the arch and then the variant filter to one element.
func kept(arch, variant *string, blank *blankAttrs, o filterBy) bool {
	if o.arch != "" && !attrMatch(arch, &blank.arch, o.arch, o.only) {
		return false
	}
	return o.variant == "" || attrMatch(variant, &blank.variant, o.variant, o.only)
}

// filterBy is one _filter_elements_by_attr pass: the wanted arch and
// variant ("" skips it) and whether elements without the attribute go.
type filterBy struct {
	arch, variant string
	only          bool
}

func (c *Comps) filterPackages(arch, variant string, only bool) {
	by := filterBy{arch, variant, only}
	for _, g := range c.Groups {
		g.Packages = keepIf(g.Packages, func(p *PackageReq) bool { return kept(&p.Arch, &p.Variant, &p.blank, by) })
	}
}

func (c *Comps) filterGroups(arch, variant string, only bool) {
	by := filterBy{arch, variant, only}
	c.Groups = keepIf(c.Groups, func(g **Group) bool { return kept(&(*g).Arch, &(*g).Variant, &(*g).blank, by) })
}

func (c *Comps) filterEnvironments(arch, variant string, only bool) {
	by := filterBy{arch, variant, only}
	c.Environments = keepIf(c.Environments, func(e **Environment) bool { return kept(&(*e).Arch, &(*e).Variant, &(*e).blank, by) })
}

// keepIf filters s in place, keeping the elements keep accepts in order.
// keep gets a pointer so that kept can clear blank attributes it consumed.
func keepIf[T any](s []T, keep func(*T) bool) []T {
	out := s[:0]
	for i := range s {
		if keep(&s[i]) {
			out = append(out, s[i])
		}
	}
	return out
}

// cleanup is CompsFilter.cleanup. defined holds the group ids of the
// unfiltered input, to tell undefined references from filtered ones. arch
// ("" for none) filters the <groupid>s of environments' grouplists and
// optionlists that carry an arch attribute, as current Pungi's
// filter_environment_groups does; the attribute stays on those kept.
func (c *Comps) cleanup(arch string, keepEmpty, lookaside []string, defined map[string]bool) []Diagnostic {
	var diags []Diagnostic
	// Empty groups.
	groups := c.Groups[:0]
	for _, g := range c.Groups {
		if len(g.Packages) == 0 && !matchAny(g.ID, keepEmpty) {
			continue
		}
		groups = append(groups, g)
	}
	c.Groups = groups
	have := map[string]bool{}
	for _, g := range c.Groups {
		have[g.ID] = true
	}
	undefined := func(kind, owner string, r GroupRef) {
		if !defined[r.Name] {
			diags = append(diags, Diagnostic{File: c.File, Line: r.Line,
				Msg: fmt.Sprintf("%s %s names group %s, which no group defines; removed", kind, owner, r.Name)})
		}
	}
	// knownRefs keeps the references to groups in have (read when called:
	// environments see the lookaside groups too) and drops the others.
	knownRefs := func(kind, owner string, refs []GroupRef) []GroupRef {
		return keepIf(refs, func(r *GroupRef) bool {
			if !have[r.Name] {
				undefined(kind, owner, *r)
				return false
			}
			return true
		})
	}
	// Undefined groups in categories, then empty categories. Lookaside
	// groups do not count here: Pungi only honours them in environments.
	for _, g := range c.Groups {
		sortTranslations(g.NameByLang)
		sortTranslations(g.DescriptionByLang)
	}
	cats := c.Categories[:0]
	for _, cat := range c.Categories {
		normalizeCommon(&cat.NameByLang, &cat.Description, &cat.DescriptionByLang, &cat.HasDescription)
		cat.Groups = knownRefs("category", cat.ID, cat.Groups)
		if len(cat.Groups) > 0 {
			cats = append(cats, cat)
		}
	}
	c.Categories = cats
	// Undefined groups in environments' grouplists (optionlists are left
	// alone, as Pungi does), then environments with an empty grouplist.
	for _, l := range lookaside {
		have[l] = true
		defined[l] = true
	}
	forArch := func(r *GroupRef) bool {
		if arch == "" || r.Arch == "" {
			return true
		}
		for _, a := range attrSplit.Split(r.Arch, -1) {
			if a == arch {
				return true
			}
		}
		return false
	}
	envs := c.Environments[:0]
	for _, e := range c.Environments {
		e.Groups = keepIf(knownRefs("environment", e.ID, e.Groups), forArch)
		e.Options = keepIf(e.Options, forArch)
		if len(e.Groups) > 0 {
			envs = append(envs, e)
		}
	}
	c.Environments = envs
	return diags
}

func (c *Comps) removeTranslations() {
	for _, g := range c.Groups {
		g.NameByLang, g.DescriptionByLang = nil, nil
	}
	for _, x := range c.Categories {
		x.NameByLang, x.DescriptionByLang = nil, nil
	}
	for _, e := range c.Environments {
		e.NameByLang, e.DescriptionByLang = nil, nil
	}
}

func matchAny(name string, patterns []string) bool {
	for _, p := range patterns {
		if glob.Python(p, name) {
			return true
		}
	}
	return false
}

var typeRank = map[string]int{TypeMandatory: 0, TypeDefault: 1, TypeOptional: 2, TypeConditional: 3}

// Normalize puts c in the order Pungi's CompsWrapper writes a variant's
// comps: translations by language; groups by id (each with a description,
// possibly empty; categories and environments lose an empty one), package
// requirements by type (mandatory, default, optional, conditional, then
// any other; a missing type becomes mandatory, as libcomps reads it) and
// name; categories in document order with their group lists
// reduced to defined groups and sorted, dropping categories left empty;
// environments by id with sorted, de-duplicated group and option lists,
// dropping environments without groups; langpacks by name, one per name.
// Attributes libcomps has no place for (on categories, arch on group
// references) go. Unlike Pungi it keeps what else libcomps would drop
// (optionlist defaults, biarchonly, group display_order, unknown
// elements).
func (c *Comps) Normalize() {
	sort.SliceStable(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID })
	have := map[string]bool{}
	for _, g := range c.Groups {
		have[g.ID] = true
		g.HasDescription = true
		for i := range g.Packages {
			g.Packages[i].Type = g.Packages[i].EffectiveType()
		}
		sort.SliceStable(g.Packages, func(i, j int) bool {
			a, b := g.Packages[i], g.Packages[j]
			ra, oka := typeRank[a.Type]
			rb, okb := typeRank[b.Type]
			if !oka {
				ra = 4
			}
			if !okb {
				rb = 4
			}
			if ra != rb {
				return ra < rb
			}
			return a.Name < b.Name
		})
	}
	for _, g := range c.Groups {
		sortTranslations(g.NameByLang)
		sortTranslations(g.DescriptionByLang)
	}
	cats := c.Categories[:0]
	for _, cat := range c.Categories {
		normalizeCommon(&cat.NameByLang, &cat.Description, &cat.DescriptionByLang, &cat.HasDescription)
		cat.Attrs = nil
		cat.Groups = dropArch(sortRefs(keepIf(cat.Groups, func(r *GroupRef) bool { return have[r.Name] })))
		if len(cat.Groups) > 0 {
			cats = append(cats, cat)
		}
	}
	c.Categories = cats
	sort.SliceStable(c.Environments, func(i, j int) bool { return c.Environments[i].ID < c.Environments[j].ID })
	envs := c.Environments[:0]
	for _, e := range c.Environments {
		normalizeCommon(&e.NameByLang, &e.Description, &e.DescriptionByLang, &e.HasDescription)
		e.Groups = dropArch(sortRefs(e.Groups))
		e.Options = dropArch(sortRefs(e.Options))
		e.HasOptionList = len(e.Options) > 0 // libcomps writes no empty optionlist
		if len(e.Groups) > 0 {
			envs = append(envs, e)
		}
	}
	c.Environments = envs
	byName := map[string]int{}
	lps := c.Langpacks[:0]
	for _, lp := range c.Langpacks {
		if i, ok := byName[lp.Name]; ok {
			lps[i] = lp // a later match wins, as in libcomps' dict
			continue
		}
		byName[lp.Name] = len(lps)
		lps = append(lps, lp)
	}
	sort.SliceStable(lps, func(i, j int) bool { return lps[i].Name < lps[j].Name })
	c.Langpacks = lps
}

func sortTranslations(ts []Translation) {
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Lang < ts[j].Lang })
}

// normalizeCommon applies Pungi's rule for categories and environments:
// translations sorted by language, and no description (nor its
// translations) when the description is empty.
func normalizeCommon(names *[]Translation, desc *string, descs *[]Translation, hasDesc *bool) {
	sortTranslations(*names)
	sortTranslations(*descs)
	if *desc == "" {
		*hasDesc = false
		*descs = nil
	}
}

// dropArch clears the arch attribute of group references: libcomps' model
// has no place for it, so Pungi's variant comps never carry it.
func dropArch(refs []GroupRef) []GroupRef {
	for i := range refs {
		refs[i].Arch = ""
	}
	return refs
}

// sortRefs sorts group references by name and drops repeated names (Pungi
// goes through a set).
func sortRefs(refs []GroupRef) []GroupRef {
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].Name < refs[j].Name })
	out := refs[:0]
	for i, r := range refs {
		if i > 0 && r.Name == refs[i-1].Name {
			continue
		}
		out = append(out, r)
	}
	return out
}
