// Package variants reads Pungi's variants.xml: the variant tree of a
// compose (variants, addons, optional and layered products, nested through
// <variants> and <ref>), checked against the rules of Pungi's
// share/variants.dtd with line numbers, and built with the semantics of
// pungi.wrappers.variants: UIDs "Parent-child", a child's arches
// intersected with its parent's, has_optional creating an "optional"
// child, tree_arches and tree_variants filtering while the tree is built.
//
// The DTD itself is kept as testdata/variants/variants.dtd for reference;
// the rules are checked in Go (dtd.go).
package variants

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pungo/pungo/comps"
)

// Variants is a parsed variants file.
type Variants struct {
	File string
	// Variants are the top-level variants (type "variant") in document
	// order, after filtering.
	Variants []*Variant
	// Notes are Pungi's informational messages about excluded variants
	// ("Excluding variant X: all its arches are filtered.").
	Notes []string

	root   *node
	arches []string // tree_arches used to build this tree
	uids   []string // tree_variants used to build this tree
}

// Variant is one variant of the tree.
type Variant struct {
	UID, ID, Name string
	Type          string // variant|addon|optional|layered-product
	Arches        []string
	// Groups, Environments, BuildInstallPackages and Modules are sorted by
	// name, as Pungi sorts them.
	Groups               []Group
	Environments         []Environment
	BuildInstallPackages []string
	// Modules are the module names; nil when the variant has no <modules>
	// element (Pungi's None: not a modular variant), empty but non-nil for
	// an empty <modules/>.
	Modules []string
	// ModuleSpecs are the modules with their glob flag, in Modules' order.
	ModuleSpecs []Module
	// ModularKojiTags are the <kojitag> names of <modules>, sorted.
	ModularKojiTags []string
	Parent          *Variant
	// Variants are the children in the order Pungi adds them: nested
	// <variant>s, then the optional variant has_optional creates, then
	// <ref>s.
	Variants    []*Variant
	IsEmpty     bool
	HasOptional bool
	Release     *Release // layered products only
	Line        int      // of the <variant> element (0 for a has_optional child)
}

// Group is a <group> of a variant.
type Group struct {
	Name        string
	Glob        bool
	Default     *bool
	UserVisible *bool
}

// Environment is an <environment> of a variant.
type Environment struct {
	Name         string
	DisplayOrder *int
}

// Module is a <module> of a variant.
type Module struct {
	Name string
	Glob bool
}

// Release is the <release> of a layered product.
type Release struct {
	Name, Short, Version string
}

// Problem is one thing wrong in a variants file.
type Problem struct {
	Line int
	Msg  string
}

// Error lists what is wrong with a variants file, one "file:line: message"
// per line, the first maxListedProblems of them.
type Error struct {
	File     string
	Problems []Problem
}

// maxListedProblems bounds the lines of an Error: a large broken file can
// have a problem per element, and nobody reads 100,000 lines.
const maxListedProblems = 100

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == maxListedProblems {
			fmt.Fprintf(&b, "%s: %d more problems not listed", e.File, len(e.Problems)-i)
			break
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: %s", e.File, p.Line, p.Msg)
		} else {
			fmt.Fprintf(&b, "%s: %s", e.File, p.Msg)
		}
	}
	return b.String()
}

// ParseFile reads a variants file without arch or variant filtering.
func ParseFile(path string) (*Variants, error) {
	return ParseFileFiltered(path, nil, nil)
}

// ParseFileFiltered reads a variants file keeping only the given tree
// arches and variant UIDs (Pungi's tree_arches and tree_variants; nil or
// empty keeps all).
func ParseFileFiltered(path string, arches, uids []string) (*Variants, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path, arches, uids)
}

// Parse reads a variants document; name is used in messages.
func Parse(data []byte, name string, arches, uids []string) (*Variants, error) {
	root, err := readTree(data, name)
	if err != nil {
		return nil, err
	}
	if probs := validate(root); len(probs) > 0 {
		return nil, &Error{File: name, Problems: probs}
	}
	vs := &Variants{File: name, root: root}
	return vs.build(arches, uids)
}

// Filter rebuilds the tree keeping only the given tree arches and variant
// UIDs, exactly as if they had been given to ParseFileFiltered (Pungi
// filters while building, so a child's arches are filtered before they are
// intersected with its parent's).
func (vs *Variants) Filter(arches, uids []string) (*Variants, error) {
	n := &Variants{File: vs.File, root: vs.root}
	return n.build(arches, uids)
}

// All returns every variant depth-first, parents before their children.
func (vs *Variants) All() []*Variant {
	var out []*Variant
	var walk func([]*Variant)
	walk = func(list []*Variant) {
		for _, v := range list {
			out = append(out, v)
			walk(v.Variants)
		}
	}
	walk(vs.Variants)
	return out
}

// Lookup returns the variant with the UID, or nil.
func (vs *Variants) Lookup(uid string) *Variant {
	for _, v := range vs.All() {
		if v.UID == uid {
			return v
		}
	}
	return nil
}

// Arches returns the sorted union of all variants' arches.
func (vs *Variants) Arches() []string {
	set := map[string]bool{}
	for _, v := range vs.All() {
		for _, a := range v.Arches {
			set[a] = true
		}
	}
	out := slices.Sorted(maps.Keys(set))
	return out
}

// HasArch reports whether the variant is built for arch ("src" belongs to
// every variant, as in Pungi).
func (v *Variant) HasArch(arch string) bool {
	return arch == "src" || slices.Contains(v.Arches, arch)
}

// GetVariants is Pungi's Variant.get_variants: the children of the given
// types ("self" includes v itself; none means all types) built for arch
// ("" means any), recursively when asked.
func (v *Variant) GetVariants(arch string, types []string, recursive bool) []*Variant {
	var out []*Variant
	if arch != "" && !v.HasArch(arch) {
		return out
	}
	if slices.Contains(types, "self") {
		out = append(out, v)
	}
	var childTypes []string
	for _, t := range types {
		if t != "self" {
			childTypes = append(childTypes, t)
		}
	}
	for _, c := range v.Variants {
		if len(types) > 0 && !slices.Contains(types, c.Type) {
			continue
		}
		if arch != "" && !c.HasArch(arch) {
			continue
		}
		out = append(out, c)
		if recursive {
			out = append(out, c.GetVariants("", childTypes, true)...)
		}
	}
	return out
}

// Modular reports whether the variant has a <modules> element.
func (v *Variant) Modular() bool { return v.Modules != nil }

// CompsGroups converts the variant's groups for comps.FilterForVariant.
func (v *Variant) CompsGroups() []comps.VariantGroup {
	out := make([]comps.VariantGroup, len(v.Groups))
	for i, g := range v.Groups {
		out[i] = comps.VariantGroup{Name: g.Name, Glob: g.Glob, Default: g.Default, UserVisible: g.UserVisible}
	}
	return out
}

// CompsEnvironments converts the variant's environments for
// comps.FilterForVariant.
func (v *Variant) CompsEnvironments() []comps.VariantEnvironment {
	out := make([]comps.VariantEnvironment, len(v.Environments))
	for i, e := range v.Environments {
		out[i] = comps.VariantEnvironment{Name: e.Name, DisplayOrder: e.DisplayOrder}
	}
	return out
}

// LookasideGroups are the group names Pungi's init phase passes as
// --lookaside-group: the parent's groups and those of the variants this
// one uses as lookaside (variant_as_lookaside), sorted and unique.
func (v *Variant) LookasideGroups(lookasideVariants ...*Variant) []string {
	set := map[string]bool{}
	if v.Parent != nil {
		for _, g := range v.Parent.Groups {
			set[g.Name] = true
		}
	}
	for _, lv := range lookasideVariants {
		for _, g := range lv.Groups {
			set[g.Name] = true
		}
	}
	out := slices.Sorted(maps.Keys(set))
	return out
}

// CompsFilter describes this variant for comps.FilterForVariant on arch;
// filterEnvironments is the comps_filter_environments option.
func (v *Variant) CompsFilter(arch string, filterEnvironments bool, lookasideVariants ...*Variant) comps.VariantFilter {
	return comps.VariantFilter{
		Arch:               arch,
		VariantUID:         v.UID,
		VariantType:        v.Type,
		Groups:             v.CompsGroups(),
		Environments:       v.CompsEnvironments(),
		Modular:            v.Modular(),
		LookasideGroups:    v.LookasideGroups(lookasideVariants...),
		FilterEnvironments: filterEnvironments,
	}
}

// maxVariants bounds the variants one file builds, counting each use of
// a referenced addon or layered product: real files have tens, and refs
// inside referenced variants could otherwise multiply the tree without
// end.
const maxVariants = 10_000

// builder turns the validated tree into variants (VariantsXmlParser).
type builder struct {
	vs     *Variants
	addons map[string]*node
	arches []string
	uids   []string
	probs  []Problem
	// building are the referenced variants being built, to refuse a
	// <ref> to a variant that contains it (Pungi recurses until Python's
	// recursion limit).
	building map[*node]bool
	built    int
}

func (vs *Variants) build(arches, uids []string) (*Variants, error) {
	vs.arches, vs.uids = arches, uids
	b := &builder{vs: vs, addons: map[string]*node{}, arches: arches, uids: uids, building: map[*node]bool{}}
	// Top-level addons and layered products only exist to be referenced.
	for _, n := range vs.root.childrenNamed("variant") {
		if t, _ := n.attr("type"); t == "addon" || t == "layered-product" {
			id, _ := n.attr("id")
			b.addons[id] = n
		}
	}
	seen := map[string]int{}
	for _, n := range vs.root.childrenNamed("variant") {
		if t, _ := n.attr("type"); t != "variant" {
			continue
		}
		v := b.variant(n, nil)
		if v == nil || b.excluded(v) {
			continue
		}
		if first, dup := seen[v.ID]; dup {
			b.fail(n.line, "variant %s defined again (first at line %d)", v.ID, first)
			continue
		}
		seen[v.ID] = n.line
		vs.Variants = append(vs.Variants, v)
	}
	if len(b.probs) > 0 {
		return nil, &Error{File: vs.File, Problems: b.probs}
	}
	return vs, nil
}

func (b *builder) fail(line int, format string, args ...any) {
	if b.built > maxVariants {
		return
	}
	b.probs = append(b.probs, Problem{line, fmt.Sprintf(format, args...)})
}

func (b *builder) excluded(v *Variant) bool {
	if len(b.uids) > 0 && !slices.Contains(b.uids, v.UID) {
		b.vs.Notes = append(b.vs.Notes, fmt.Sprintf("Excluding variant %s: filtered by configuration.", v.UID))
		return true
	}
	return false
}

func isTrue(n *node, key string) (val bool, set bool) {
	s, ok := n.attr(key)
	return s == "true", ok
}

// variant is parse_variant_node: nil when all its arches are filtered
// out, or when the file builds more than maxVariants.
func (b *builder) variant(n *node, parent *Variant) *Variant {
	if b.built++; b.built > maxVariants {
		if b.built == maxVariants+1 {
			// The one problem reported: what else is wrong with a tree
			// this size is beside the point.
			b.probs = []Problem{{n.line, fmt.Sprintf("more variants than the limit of %d (counting each use of a referenced variant)", maxVariants)}}
		}
		return nil
	}
	v := &Variant{Parent: parent, Line: n.line}
	v.ID, _ = n.attr("id")
	v.Name, _ = n.attr("name")
	v.Type, _ = n.attr("type")
	v.UID = v.ID
	if parent != nil {
		v.UID = parent.UID + "-" + v.ID
	}
	v.HasOptional, _ = isTrue(n, "has_optional")
	// Pungi takes bool() of the attribute string, so any value, even
	// is_empty="false", makes the variant empty; pungo does the same and
	// says so.
	if s, ok := n.attr("is_empty"); ok && s != "" {
		v.IsEmpty = true
		if s != "true" {
			b.vs.Notes = append(b.vs.Notes, fmt.Sprintf("Variant %s: is_empty=%q makes it empty, as in Pungi (any value does); "+
				"leave the attribute out for a variant with content.", v.ID, s))
		}
	}
	for _, as := range n.childrenNamed("arches") {
		for _, a := range as.childrenNamed("arch") {
			v.Arches = append(v.Arches, a.content())
		}
	}
	if len(b.arches) > 0 {
		kept := v.Arches[:0]
		for _, a := range v.Arches {
			if slices.Contains(b.arches, a) {
				kept = append(kept, a)
			}
		}
		v.Arches = kept
	}
	if len(v.Arches) == 0 {
		b.vs.Notes = append(b.vs.Notes, fmt.Sprintf("Excluding variant %s: all its arches are filtered.", v.ID))
		return nil
	}
	v.Arches = sortedUnique(v.Arches)
	for _, gs := range n.childrenNamed("groups") {
		for _, g := range gs.childrenNamed("group") {
			grp := Group{Name: g.content()}
			grp.Glob, _ = isTrue(g, "glob")
			if d, ok := isTrue(g, "default"); ok {
				grp.Default = &d
			}
			if u, ok := isTrue(g, "uservisible"); ok {
				grp.UserVisible = &u
			}
			v.Groups = append(v.Groups, grp)
		}
	}
	sort.SliceStable(v.Groups, func(i, j int) bool { return v.Groups[i].Name < v.Groups[j].Name })
	for _, ms := range n.childrenNamed("modules") {
		if v.Modules == nil {
			v.Modules = []string{}
		}
		for _, m := range ms.childrenNamed("module") {
			glob, _ := isTrue(m, "glob")
			v.ModuleSpecs = append(v.ModuleSpecs, Module{Name: m.content(), Glob: glob})
		}
		for _, k := range ms.childrenNamed("kojitag") {
			v.ModularKojiTags = append(v.ModularKojiTags, k.content())
		}
	}
	sort.SliceStable(v.ModuleSpecs, func(i, j int) bool { return v.ModuleSpecs[i].Name < v.ModuleSpecs[j].Name })
	for _, m := range v.ModuleSpecs {
		v.Modules = append(v.Modules, m.Name)
	}
	sort.Strings(v.ModularKojiTags)
	for _, es := range n.childrenNamed("environments") {
		for _, e := range es.childrenNamed("environment") {
			env := Environment{Name: e.content()}
			if s, ok := e.attr("display_order"); ok {
				d, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil {
					b.fail(e.line, "environment %s: display_order must be an integer, not %q", env.Name, s)
				} else {
					env.DisplayOrder = &d
				}
			}
			v.Environments = append(v.Environments, env)
		}
	}
	sort.SliceStable(v.Environments, func(i, j int) bool { return v.Environments[i].Name < v.Environments[j].Name })
	for _, ps := range n.childrenNamed("buildinstallpackages") {
		for _, p := range ps.childrenNamed("package") {
			v.BuildInstallPackages = append(v.BuildInstallPackages, p.content())
		}
	}
	sort.Strings(v.BuildInstallPackages)
	if v.Type == "layered-product" {
		rel := n.childrenNamed("release")
		if len(rel) == 0 {
			b.fail(n.line, "layered product %s has no <release> element", v.UID)
		} else {
			r := &Release{}
			var missing []string
			for _, f := range []struct {
				key string
				dst *string
			}{{"name", &r.Name}, {"version", &r.Version}, {"short", &r.Short}} {
				val, ok := rel[0].attr(f.key)
				if !ok {
					missing = append(missing, f.key)
				}
				*f.dst = val
			}
			if len(missing) > 0 {
				b.fail(rel[0].line, "layered product %s: <release> lacks the %s attribute(s)", v.UID, strings.Join(missing, ", "))
			}
			v.Release = r
		}
	}
	containsOptional := false
	for _, vsn := range n.childrenNamed("variants") {
		for _, cn := range vsn.childrenNamed("variant") {
			child := b.variant(cn, v)
			if b.addChild(child, v, cn.line) && child.Type == "optional" {
				containsOptional = true
			}
		}
	}
	if v.HasOptional && !containsOptional {
		opt := &Variant{ID: "optional", Name: "optional", Type: "optional", UID: v.UID + "-optional",
			Arches: append([]string(nil), v.Arches...), Parent: v}
		b.addChild(opt, v, n.line)
	}
	for _, vsn := range n.childrenNamed("variants") {
		for _, rn := range vsn.childrenNamed("ref") {
			id, _ := rn.attr("id")
			target, ok := b.addons[id]
			if !ok {
				b.fail(rn.line, "variant %s references non-existing variant %s (only top-level addons and layered products can be referenced)", v.UID, id)
				continue
			}
			if b.building[target] {
				b.fail(rn.line, "variant %s references %s, which contains it (a cycle of <ref>s)", v.UID, id)
				continue
			}
			b.building[target] = true
			child := b.variant(target, v)
			delete(b.building, target)
			b.addChild(child, v, rn.line)
		}
	}
	return v
}

// addChild is add_child + Variant.add_variant; it reports whether child
// was added.
func (b *builder) addChild(child, parent *Variant, line int) bool {
	if child == nil || b.excluded(child) {
		return false
	}
	for _, c := range parent.Variants {
		if c.ID == child.ID {
			return false // Pungi keeps the first child with an id
		}
	}
	if parent.Type != "variant" {
		b.fail(line, "%s: only a variant can contain other variants, not a %s (child %s)", parent.UID, parent.Type, child.ID)
		return false
	}
	if child.ID == parent.ID {
		b.fail(line, "child variant id must be different from its parent's: %s", child.ID)
		return false
	}
	var arches []string
	for _, a := range child.Arches {
		if slices.Contains(parent.Arches, a) {
			arches = append(arches, a)
		}
	}
	if len(parent.Arches) > 0 && len(arches) == 0 {
		b.fail(line, "%s: arch list [%s] does not intersect with parent arch list [%s]",
			child.UID, strings.Join(child.Arches, " "), strings.Join(parent.Arches, " "))
		return false
	}
	child.Arches = arches
	child.Parent = parent
	parent.Variants = append(parent.Variants, child)
	return true
}

func sortedUnique(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	k := 0
	for i, s := range out {
		if i == 0 || s != out[k-1] {
			out[k] = s
			k++
		}
	}
	return out[:k]
}
