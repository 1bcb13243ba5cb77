package variants

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The rules of Pungi's share/variants.dtd, checked in Go. Each content
// model is a regular expression over the child element names, each name
// followed by a space; "model" is the DTD text quoted in messages.
type elemDecl struct {
	model   string
	re      *regexp.Regexp // nil for #PCDATA and EMPTY
	pcdata  bool
	empty   bool
	attrs   map[string]attrDecl
	ordered []string // attribute names in declaration order, for messages
}

type attrDecl struct {
	required bool
	enum     []string
}

var boolEnum = []string{"true", "false"}

func decl(model, re string, attrs ...any) *elemDecl {
	d := &elemDecl{model: model, attrs: map[string]attrDecl{}}
	switch re {
	case "#PCDATA":
		d.pcdata = true
	case "EMPTY":
		d.empty = true
	default:
		d.re = regexp.MustCompile(`\A` + re + `\z`)
	}
	for i := 0; i < len(attrs); i += 2 {
		name := attrs[i].(string)
		d.attrs[name] = attrs[i+1].(attrDecl)
		d.ordered = append(d.ordered, name)
	}
	return d
}

var dtd = map[string]*elemDecl{
	"variants": decl("(ref*,variant*)", `(ref )*(variant )*`),
	"variant": decl("(release?,arches,groups?,environments*,variants*,buildinstallpackages?,modules?)?",
		`((release )?arches (groups )?(environments )*(variants )*(buildinstallpackages )?(modules )?)?`,
		"id", attrDecl{required: true},
		"name", attrDecl{required: true},
		"type", attrDecl{required: true, enum: []string{"variant", "addon", "optional", "layered-product"}},
		"has_optional", attrDecl{enum: boolEnum},
		"is_empty", attrDecl{enum: boolEnum}),
	"release": decl("(#PCDATA)", "#PCDATA",
		"name", attrDecl{}, "short", attrDecl{}, "version", attrDecl{}),
	"arches": decl("(arch)+", `(arch )+`),
	"groups": decl("(group)+", `(group )+`),
	"group": decl("(#PCDATA)", "#PCDATA",
		"glob", attrDecl{enum: boolEnum},
		"default", attrDecl{enum: boolEnum},
		"uservisible", attrDecl{enum: boolEnum}),
	"environments":         decl("(environment)+", `(environment )+`),
	"environment":          decl("(#PCDATA)", "#PCDATA", "display_order", attrDecl{}),
	"modules":              decl("(module*,kojitag*)", `(module )*(kojitag )*`),
	"module":               decl("(#PCDATA)", "#PCDATA", "glob", attrDecl{enum: boolEnum}),
	"kojitag":              decl("(#PCDATA)", "#PCDATA"),
	"arch":                 decl("(#PCDATA)", "#PCDATA"),
	"name":                 decl("(#PCDATA)", "#PCDATA"),
	"ref":                  decl("EMPTY", "EMPTY", "id", attrDecl{required: true}),
	"buildinstallpackages": decl("(package)+", `(package )+`),
	"package":              decl("(#PCDATA)", "#PCDATA"),
}

// noWhitespace are the elements whose text Pungi refuses with leading or
// trailing whitespace.
var noWhitespace = map[string]bool{
	"arch": true, "environment": true, "group": true, "kojitag": true,
	"module": true, "name": true, "package": true,
}

// validate checks the tree against the DTD, then (like Pungi, only when
// the DTD is satisfied) the whitespace rule. Problems come in document
// order.
func validate(root *node) []Problem {
	var probs []Problem
	if root.tag != "variants" {
		return []Problem{{Line: root.line, Msg: fmt.Sprintf("root element is <%s>, want <variants>", root.tag)}}
	}
	var walk func(n *node)
	walk = func(n *node) {
		d, ok := dtd[n.tag]
		if !ok {
			probs = append(probs, Problem{n.line, fmt.Sprintf("no declaration for element <%s>", n.tag)})
			return
		}
		for _, a := range n.attrs {
			key := a.Name.Local
			if a.Name.Space != "" {
				key = a.Name.Space + ":" + key
			}
			ad, ok := d.attrs[key]
			if !ok {
				probs = append(probs, Problem{n.line, fmt.Sprintf("no declaration for attribute %s of element <%s>", key, n.tag)})
				continue
			}
			if ad.enum != nil && !slices.Contains(ad.enum, a.Value) {
				probs = append(probs, Problem{n.line, fmt.Sprintf("value %q for attribute %s of <%s> is not among the enumerated set (%s)",
					a.Value, key, n.tag, strings.Join(ad.enum, "|"))})
			}
		}
		for _, name := range d.ordered {
			if _, has := n.attr(name); d.attrs[name].required && !has {
				probs = append(probs, Problem{n.line, fmt.Sprintf("element <%s> does not carry attribute %s", n.tag, name)})
			}
		}
		switch {
		case d.pcdata:
			if len(n.children) > 0 {
				probs = append(probs, Problem{n.children[0].line, fmt.Sprintf("element <%s> may only contain text, not <%s>", n.tag, n.children[0].tag)})
			}
		case d.empty:
			if len(n.children) > 0 || strings.TrimSpace(allText(n)) != "" {
				probs = append(probs, Problem{n.line, fmt.Sprintf("element <%s> was declared EMPTY but has content", n.tag)})
			}
		default:
			var got strings.Builder
			for _, t := range n.texts {
				if strings.TrimSpace(t.data) != "" {
					probs = append(probs, Problem{t.line, fmt.Sprintf("element <%s> may not contain text (%q); expecting %s", n.tag, strings.TrimSpace(t.data), d.model)})
					break
				}
			}
			names := make([]string, len(n.children))
			for i, c := range n.children {
				got.WriteString(c.tag)
				got.WriteByte(' ')
				names[i] = c.tag
			}
			if !d.re.MatchString(got.String()) {
				probs = append(probs, Problem{n.line, fmt.Sprintf("element <%s> content does not follow the DTD, expecting %s, got (%s)",
					n.tag, d.model, strings.Join(names, ","))})
			}
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	if len(probs) > 0 {
		return probs
	}
	var ws func(n *node)
	ws = func(n *node) {
		if noWhitespace[n.tag] {
			if t := n.content(); t != strings.TrimSpace(t) {
				probs = append(probs, Problem{n.line, fmt.Sprintf("tag %s contains leading or trailing whitespace", n.tag)})
			}
		}
		for _, c := range n.children {
			ws(c)
		}
	}
	ws(root)
	return probs
}

func allText(n *node) string {
	var b strings.Builder
	for _, t := range n.texts {
		b.WriteString(t.data)
	}
	return b.String()
}
