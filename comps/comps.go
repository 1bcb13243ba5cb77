// Package comps owns the comps (group) XML format of rpm-md repositories:
// reading it with line numbers for every element, writing it back stably and
// completely, validating it, and filtering it with the exact semantics of
// Pungi's comps_filter and of the per-variant filtering of Pungi's init phase.
//
// The model keeps document order. Write emits the model as it is; Normalize
// applies the ordering Pungi's CompsWrapper uses when it writes a variant's
// comps (groups and environments by id, package requirements by type then
// name, group lists sorted).
package comps

import "fmt"

// Package requirement types, in the order Pungi writes them.
const (
	TypeMandatory   = "mandatory"
	TypeDefault     = "default"
	TypeOptional    = "optional"
	TypeConditional = "conditional"
)

// Comps is one comps document.
type Comps struct {
	// File names the source in messages ("" for an in-memory document).
	File         string
	Groups       []*Group
	Categories   []*Category
	Environments []*Environment
	Langpacks    []Langpack
	Blacklist    []BlacklistEntry
	Whiteout     []IgnoreDep
	// Other holds top-level elements this package does not model, as raw
	// XML, so that a round trip loses nothing.
	Other []Raw
	// Warnings are the problems Parse tolerated (unknown elements inside a
	// packagelist, surrounding whitespace in names, missing types…);
	// Validate reports them with the rest.
	Warnings []Diagnostic
}

// Translation is a translated name or description (xml:lang attribute).
type Translation struct {
	Lang, Text string
}

// Group is a <group>.
type Group struct {
	ID                string
	Name              string
	NameByLang        []Translation
	Description       string
	DescriptionByLang []Translation
	HasDescription    bool // <description> present (even empty)
	Default           bool // libcomps default: false
	UserVisible       bool // libcomps default: true
	BiarchOnly        bool
	LangOnly          string
	DisplayOrder      *int
	Packages          []PackageReq
	Arch, Variant     string // comps_filter attributes on <group>
	blank             blankAttrs
	Other             []Raw
	Line              int
}

// PackageReq is a <packagereq> of a group's packagelist.
type PackageReq struct {
	Name string
	// Type is mandatory|default|optional|conditional as written, "" when
	// the attribute is absent (libcomps, and so dnf and Pungi, then take it
	// as mandatory: use EffectiveType).
	Type         string
	Requires     string // conditional: the package whose presence pulls this one
	Arch         string // comps_filter attribute: comma/space separated arches
	Variant      string // comps_filter attribute: comma/space separated variant UIDs
	BaseArchOnly bool
	blank        blankAttrs
	Line         int
}

// EffectiveType is the type libcomps gives the requirement: Type, or
// mandatory when the attribute is absent.
func (p PackageReq) EffectiveType() string {
	if p.Type == "" {
		return TypeMandatory
	}
	return p.Type
}

// GroupRef is a <groupid> in a category's or environment's list.
type GroupRef struct {
	Name    string
	Default bool // optionlist only: default="true"
	Arch    string
	Line    int
}

// Category is a <category>.
type Category struct {
	ID                string
	Name              string
	NameByLang        []Translation
	Description       string
	DescriptionByLang []Translation
	HasDescription    bool
	DisplayOrder      *int
	Groups            []GroupRef
	// Attrs are the <category> element's attributes in document order.
	// comps_filter filters no category by attribute and keeps them all (an
	// arch attribute is neither applied nor removed); the variant comps,
	// written as libcomps sees them, have none.
	Attrs []Attr
	Other []Raw
	Line  int
}

// Attr is an XML attribute kept verbatim.
type Attr struct{ Key, Value string }

// Environment is an <environment>.
type Environment struct {
	ID                string
	Name              string
	NameByLang        []Translation
	Description       string
	DescriptionByLang []Translation
	HasDescription    bool
	DisplayOrder      *int
	Groups            []GroupRef // <grouplist>
	Options           []GroupRef // <optionlist>
	// HasOptionList records an <optionlist> element, kept (as comps_filter
	// keeps it) even when it has or is left no groups.
	HasOptionList bool
	Arch, Variant string // comps_filter attributes on <environment>
	blank         blankAttrs
	Other         []Raw
	Line          int
}

// Langpack is a <langpacks><match name= install=/>.
type Langpack struct {
	Name, Install string
	Line          int
}

// BlacklistEntry is a <blacklist><package name= arch=/>.
type BlacklistEntry struct {
	Name, Arch string
	Line       int
}

// IgnoreDep is a <whiteout><ignoredep package= requires=/>.
type IgnoreDep struct {
	Package, Requires string
	Line              int
}

// blankAttrs records an arch or variant attribute present with an empty
// value: comps_filter drops such an element (its list of values matches
// nothing), while an absent attribute keeps it.
type blankAttrs struct{ arch, variant bool }

// Raw is an element kept verbatim (serialized XML).
type Raw struct {
	XML  string
	Line int
}

// Diagnostic is a problem found in a comps document, located by line.
type Diagnostic struct {
	File string
	Line int
	Msg  string
}

func (d Diagnostic) String() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Msg)
	}
	return fmt.Sprintf("%s: %s", d.File, d.Msg)
}

// Group returns the group with the given id, or nil.
func (c *Comps) Group(id string) *Group {
	for _, g := range c.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// Category returns the category with the given id, or nil.
func (c *Comps) Category(id string) *Category {
	for _, x := range c.Categories {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Environment returns the environment with the given id, or nil.
func (c *Comps) Environment(id string) *Environment {
	for _, e := range c.Environments {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// PackageNames returns the names of the group's package requirements.
func (g *Group) PackageNames() []string {
	out := make([]string, len(g.Packages))
	for i, p := range g.Packages {
		out[i] = p.Name
	}
	return out
}

// Clone returns a deep copy of c.
func (c *Comps) Clone() *Comps {
	n := &Comps{File: c.File}
	n.Groups = make([]*Group, len(c.Groups))
	for i, g := range c.Groups {
		x := *g
		unshare(&x.NameByLang, &x.DescriptionByLang, &x.Other, &x.DisplayOrder)
		x.Packages = append([]PackageReq(nil), g.Packages...)
		n.Groups[i] = &x
	}
	n.Categories = make([]*Category, len(c.Categories))
	for i, cat := range c.Categories {
		x := *cat
		unshare(&x.NameByLang, &x.DescriptionByLang, &x.Other, &x.DisplayOrder)
		x.Groups = append([]GroupRef(nil), cat.Groups...)
		n.Categories[i] = &x
	}
	n.Environments = make([]*Environment, len(c.Environments))
	for i, e := range c.Environments {
		x := *e
		unshare(&x.NameByLang, &x.DescriptionByLang, &x.Other, &x.DisplayOrder)
		x.Groups = append([]GroupRef(nil), e.Groups...)
		x.Options = append([]GroupRef(nil), e.Options...)
		n.Environments[i] = &x
	}
	n.Langpacks = append([]Langpack(nil), c.Langpacks...)
	n.Blacklist = append([]BlacklistEntry(nil), c.Blacklist...)
	n.Whiteout = append([]IgnoreDep(nil), c.Whiteout...)
	n.Other = append([]Raw(nil), c.Other...)
	return n
}

// unshare gives a shallow copy of a group, category or environment its
// own translations, extra elements and display order, the parts all three
// carry, so that editing the copy leaves the original alone.
func unshare(names, descs *[]Translation, other *[]Raw, order **int) {
	*names = append([]Translation(nil), *names...)
	*descs = append([]Translation(nil), *descs...)
	*other = append([]Raw(nil), *other...)
	*order = cloneInt(*order)
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
