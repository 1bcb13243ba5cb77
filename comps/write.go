package comps

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/pungo/pungo/internal/atomicfile"
)

// Write emits c as a comps document: XML declaration, the comps DOCTYPE,
// two-space indentation, elements in model order. Everything the reader
// keeps is written back, so Parse(Write(c)) equals c apart from lines.
func (c *Comps) Write(w io.Writer) error {
	var raws rawQueue
	doc := etree.NewDocument()
	// Canonical escaping writes \r, and tabs and newlines in attributes, as
	// character references (so they survive a round trip) and leaves quotes
	// in text alone, as libxml2 does.
	doc.WriteSettings.CanonicalText = true
	doc.WriteSettings.CanonicalAttrVal = true
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.CreateDirective(`DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd"`)
	root := doc.CreateElement("comps")
	for _, g := range c.Groups {
		writeGroup(root, g, &raws)
	}
	for _, cat := range c.Categories {
		e := root.CreateElement("category")
		for _, a := range cat.Attrs {
			e.CreateAttr(a.Key, a.Value)
		}
		writeCommon(e, cat.ID, cat.Name, cat.NameByLang, cat.Description, cat.DescriptionByLang, cat.HasDescription)
		if cat.DisplayOrder != nil {
			e.CreateElement("display_order").SetText(strconv.Itoa(*cat.DisplayOrder))
		}
		writeGroupList(e, "grouplist", cat.Groups)
		raws.add(e, 2, cat.Other)
	}
	for _, env := range c.Environments {
		e := root.CreateElement("environment")
		setFilterAttrs(e, env.Arch, env.Variant, env.blank)
		writeCommon(e, env.ID, env.Name, env.NameByLang, env.Description, env.DescriptionByLang, env.HasDescription)
		if env.DisplayOrder != nil {
			e.CreateElement("display_order").SetText(strconv.Itoa(*env.DisplayOrder))
		}
		writeGroupList(e, "grouplist", env.Groups)
		if len(env.Options) > 0 || env.HasOptionList {
			writeGroupList(e, "optionlist", env.Options)
		}
		raws.add(e, 2, env.Other)
	}
	if len(c.Langpacks) > 0 {
		e := root.CreateElement("langpacks")
		for _, lp := range c.Langpacks {
			m := e.CreateElement("match")
			m.CreateAttr("name", lp.Name)
			m.CreateAttr("install", lp.Install)
		}
	}
	if len(c.Blacklist) > 0 {
		e := root.CreateElement("blacklist")
		for _, b := range c.Blacklist {
			m := e.CreateElement("package")
			m.CreateAttr("name", b.Name)
			setAttr(m, "arch", b.Arch)
		}
	}
	if len(c.Whiteout) > 0 {
		e := root.CreateElement("whiteout")
		for _, d := range c.Whiteout {
			m := e.CreateElement("ignoredep")
			m.CreateAttr("package", d.Package)
			m.CreateAttr("requires", d.Requires)
		}
	}
	raws.add(root, 1, c.Other)
	doc.Indent(2)
	raws.insert()
	bw := bufio.NewWriter(w)
	if _, err := doc.WriteTo(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes c to path atomically (temporary file, then rename).
func (c *Comps) WriteFile(path string) error {
	return atomicfile.WriteWith(path, 0o644, c.Write)
}

// Bytes returns the document Write produces.
func (c *Comps) Bytes() []byte {
	var b bytes.Buffer
	_ = c.Write(&b)
	return b.Bytes()
}

func writeGroup(root *etree.Element, g *Group, raws *rawQueue) {
	e := root.CreateElement("group")
	setFilterAttrs(e, g.Arch, g.Variant, g.blank)
	writeCommon(e, g.ID, g.Name, g.NameByLang, g.Description, g.DescriptionByLang, g.HasDescription)
	e.CreateElement("default").SetText(strconv.FormatBool(g.Default))
	e.CreateElement("uservisible").SetText(strconv.FormatBool(g.UserVisible))
	if g.BiarchOnly {
		e.CreateElement("biarchonly").SetText("true")
	}
	if g.DisplayOrder != nil {
		e.CreateElement("display_order").SetText(strconv.Itoa(*g.DisplayOrder))
	}
	if g.LangOnly != "" {
		e.CreateElement("langonly").SetText(g.LangOnly)
	}
	pl := e.CreateElement("packagelist")
	for _, p := range g.Packages {
		r := pl.CreateElement("packagereq")
		// Attributes in name order, as Pungi writes them.
		if p.Arch != "" || p.blank.arch {
			r.CreateAttr("arch", p.Arch)
		}
		if p.BaseArchOnly {
			r.CreateAttr("basearchonly", "true")
		}
		setAttr(r, "requires", p.Requires)
		setAttr(r, "type", p.Type)
		if p.Variant != "" || p.blank.variant {
			r.CreateAttr("variant", p.Variant)
		}
		r.SetText(p.Name)
	}
	raws.add(e, 2, g.Other)
}

func writeCommon(e *etree.Element, id, name string, names []Translation, desc string, descs []Translation, hasDesc bool) {
	e.CreateElement("id").SetText(id)
	e.CreateElement("name").SetText(name)
	for _, t := range names {
		n := e.CreateElement("name")
		n.CreateAttr("xml:lang", t.Lang)
		n.SetText(t.Text)
	}
	if hasDesc || desc != "" || len(descs) > 0 {
		e.CreateElement("description").SetText(desc)
	}
	for _, t := range descs {
		n := e.CreateElement("description")
		n.CreateAttr("xml:lang", t.Lang)
		n.SetText(t.Text)
	}
}

func writeGroupList(e *etree.Element, tag string, refs []GroupRef) {
	l := e.CreateElement(tag)
	for _, r := range refs {
		g := l.CreateElement("groupid")
		setAttr(g, "arch", r.Arch)
		if r.Default {
			g.CreateAttr("default", "true")
		}
		g.SetText(r.Name)
	}
}

// rawQueue holds the verbatim elements to insert after indentation, so
// that Indent does not reflow their (possibly mixed) content.
type rawQueue []rawPending

type rawPending struct {
	parent *etree.Element
	depth  int // indentation depth of the parent's children
	raws   []Raw
}

func (q *rawQueue) add(parent *etree.Element, depth int, raws []Raw) {
	if len(raws) > 0 {
		*q = append(*q, rawPending{parent, depth, raws})
	}
}

func (q rawQueue) insert() {
	for _, p := range q {
		ind := "\n" + strings.Repeat("  ", p.depth)
		closing := "\n" + strings.Repeat("  ", p.depth-1)
		n := len(p.parent.Child)
		if n > 0 {
			if cd, ok := p.parent.Child[n-1].(*etree.CharData); ok && cd.IsWhitespace() {
				p.parent.RemoveChildAt(n - 1)
			}
		}
		for _, r := range p.raws {
			d := etree.NewDocument()
			if err := d.ReadFromString(r.XML); err != nil || d.Root() == nil {
				continue // Raw only ever holds what the reader serialized
			}
			p.parent.AddChild(etree.NewText(ind))
			p.parent.AddChild(d.Root().Copy())
		}
		p.parent.AddChild(etree.NewText(closing))
	}
}

func setFilterAttrs(e *etree.Element, arch, variant string, blank blankAttrs) {
	if arch != "" || blank.arch {
		e.CreateAttr("arch", arch)
	}
	if variant != "" || blank.variant {
		e.CreateAttr("variant", variant)
	}
}

func setAttr(e *etree.Element, key, value string) {
	if value != "" {
		e.CreateAttr(key, value)
	}
}
