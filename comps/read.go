package comps

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/beevik/etree"
	"github.com/pungo/pungo/internal/decompress"
	"github.com/pungo/pungo/internal/xmllimit"
)

// ParseError is a comps document that cannot be read, located by line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseFile reads a comps file, plain or compressed (gzip, xz, zstd, bzip2).
func ParseFile(path string) (*Comps, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A directory opens but cannot be read: an unreadable input, not a
	// document with errors (Parse would make it a ParseError).
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if st.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	return Parse(f, path)
}

// Parse reads a comps document, plain or compressed; name is used in
// messages.
func Parse(r io.Reader, name string) (*Comps, error) {
	data, err := readDecompressed(r)
	if err != nil {
		return nil, &ParseError{File: name, Msg: err.Error()}
	}
	return ParseBytes(data, name)
}

// ParseBytes reads an uncompressed comps document.
func ParseBytes(data []byte, name string) (*Comps, error) {
	if int64(len(data)) > limits.Bytes {
		return nil, &ParseError{File: name, Msg: (&xmllimit.TooLargeError{Max: limits.Bytes}).Error()}
	}
	root, lines, err := buildTree(data, name)
	if err != nil {
		return nil, err
	}
	p := &reader{file: name, line: lines}
	return p.comps(root)
}

func passCharset(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (comps must be UTF-8)", charset)
}

// limits bound what one comps document may hold, so that no input makes
// pungo build a tree much larger than a real one. Fedora's comps (the
// largest there is, translations included) is about 10 MiB with some
// 100,000 elements (the limit allows 500,000: about 200 MiB of tree); its
// longest text is a few hundred bytes. Depth: comps is four levels deep,
// and the tree is walked recursively afterwards.
var limits = xmllimit.Limits{
	Bytes:     64 << 20,
	Depth:     maxDepth,
	Elements:  500_000,
	Attrs:     64,
	AttrValue: 64 << 10,
	Name:      1 << 10,
	Text:      1 << 20,
}

const (
	maxDepth = 64
	// maxDefinitions bounds the groups, the categories and the
	// environments of one document (each; Fedora has about 300 groups).
	maxDefinitions = 20_000
	// maxEntries bounds one list: the packages of a group, the group ids
	// of a category or environment, langpacks, blacklist, whiteout.
	maxEntries = 100_000
)

// buildTree decodes data into an etree tree in one pass, recording the
// line of every element's start tag (etree's own reader keeps no
// positions), within limits.
func buildTree(data []byte, name string) (*etree.Element, map[*etree.Element]int, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = passCharset
	syntax := func(line int, msg string) error {
		return &ParseError{File: name, Line: line, Msg: "malformed XML: " + msg}
	}
	doc := etree.NewDocument()
	lines := map[*etree.Element]int{}
	var root *etree.Element
	var stack []*etree.Element
	count := xmllimit.Counter{L: limits}
	for {
		line, _ := dec.InputPos()
		// RawToken keeps prefixes as written (xml:lang stays "xml") and
		// skips namespace bookkeeping; tag matching is checked here.
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, nil, syntax(se.Line, se.Msg)
			}
			l, _ := dec.InputPos()
			return nil, nil, syntax(l, err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var e *etree.Element
			tag := t.Name.Local
			if t.Name.Space != "" {
				tag = t.Name.Space + ":" + tag
			}
			switch {
			case len(stack) > 0:
				e = stack[len(stack)-1].CreateElement(tag)
			case root == nil:
				e = doc.CreateElement(tag)
				root = e
			default:
				return nil, nil, syntax(line, "a second root element <"+tag+">")
			}
			for _, a := range t.Attr {
				key := a.Name.Local
				if a.Name.Space != "" {
					key = a.Name.Space + ":" + key
				}
				e.CreateAttr(key, a.Value)
			}
			lines[e] = line
			stack = append(stack, e)
			if msg := count.Start(t); msg != "" {
				return nil, nil, &ParseError{File: name, Line: line, Msg: msg}
			}
		case xml.EndElement:
			tag := t.Name.Local
			if t.Name.Space != "" {
				tag = t.Name.Space + ":" + tag
			}
			if len(stack) == 0 {
				return nil, nil, syntax(line, "unexpected end element </"+tag+">")
			}
			if open := stack[len(stack)-1]; open.FullTag() != tag {
				return nil, nil, syntax(line, "element <"+open.FullTag()+"> closed by </"+tag+">")
			}
			stack = stack[:len(stack)-1]
			count.End()
		case xml.CharData:
			if len(stack) > 0 {
				if msg := count.Text(stack[len(stack)-1].FullTag(), len(t)); msg != "" {
					return nil, nil, &ParseError{File: name, Line: line, Msg: msg}
				}
				stack[len(stack)-1].CreateText(string(t))
			} else if trimmed := bytes.TrimLeft(t, " \t\r\n"); len(trimmed) > 0 {
				at := line + bytes.Count(t[:len(t)-len(trimmed)], []byte("\n"))
				return nil, nil, syntax(at, "text outside the root element")
			}
		case xml.Comment:
			if len(stack) > 0 {
				// Comments are kept (and written back), so they count as text.
				if msg := count.Text(stack[len(stack)-1].FullTag(), len(t)); msg != "" {
					return nil, nil, &ParseError{File: name, Line: line, Msg: msg}
				}
				stack[len(stack)-1].CreateComment(string(t))
			}
		}
	}
	if len(stack) > 0 {
		l, _ := dec.InputPos()
		return nil, nil, syntax(l, "unexpected EOF: <"+stack[len(stack)-1].FullTag()+"> is not closed")
	}
	if root == nil {
		return nil, nil, &ParseError{File: name, Msg: "no root element (empty document?)"}
	}
	return root, lines, nil
}

// readDecompressed reads all of r, undoing the compression its magic bytes
// announce (internal/decompress). Errors do not name the file: Parse does.
func readDecompressed(r io.Reader) ([]byte, error) {
	src, done, err := decompress.Reader(r, "")
	if err != nil {
		return nil, err
	}
	defer done()
	data, err := xmllimit.ReadAll(src, limits.Bytes)
	var tooLarge *xmllimit.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("decompressed, %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading: %v", err)
	}
	return data, nil
}

type reader struct {
	file string
	line map[*etree.Element]int
	c    *Comps
}

func (p *reader) errf(e *etree.Element, format string, args ...any) error {
	return &ParseError{File: p.file, Line: p.line[e], Msg: fmt.Sprintf(format, args...)}
}

// overLimit is the error at the first element past a count limit.
func (p *reader) overLimit(e *etree.Element, what string, max int) error {
	return p.errf(e, "more %s than the limit of %d", what, max)
}

// entries checks the number of child elements of one list against
// maxEntries; owner names the list in the error.
func (p *reader) entries(list *etree.Element, owner string) error {
	n := 0
	for _, c := range list.Child {
		if e, ok := c.(*etree.Element); ok {
			if n++; n > maxEntries {
				return p.errf(e, "%s has more entries than the limit of %d", owner, maxEntries)
			}
		}
	}
	return nil
}

func (p *reader) warnf(e *etree.Element, format string, args ...any) {
	p.c.Warnings = append(p.c.Warnings, Diagnostic{File: p.file, Line: p.line[e], Msg: fmt.Sprintf(format, args...)})
}

func (p *reader) raw(e *etree.Element) Raw {
	d := etree.NewDocument()
	d.WriteSettings.CanonicalText = true
	d.WriteSettings.CanonicalAttrVal = true
	d.SetRoot(e.Copy())
	s, _ := d.WriteToString()
	return Raw{XML: s, Line: p.line[e]}
}

func (p *reader) comps(root *etree.Element) (*Comps, error) {
	p.c = &Comps{File: p.file}
	if root.Tag != "comps" {
		return nil, p.errf(root, "root element is <%s>, want <comps>", root.FullTag())
	}
	for _, e := range root.ChildElements() {
		switch e.FullTag() {
		case "group":
			if len(p.c.Groups) == maxDefinitions {
				return nil, p.overLimit(e, "groups", maxDefinitions)
			}
			g, err := p.group(e)
			if err != nil {
				return nil, err
			}
			p.c.Groups = append(p.c.Groups, g)
		case "category":
			if len(p.c.Categories) == maxDefinitions {
				return nil, p.overLimit(e, "categories", maxDefinitions)
			}
			c, err := p.category(e)
			if err != nil {
				return nil, err
			}
			p.c.Categories = append(p.c.Categories, c)
		case "environment":
			if len(p.c.Environments) == maxDefinitions {
				return nil, p.overLimit(e, "environments", maxDefinitions)
			}
			env, err := p.environment(e)
			if err != nil {
				return nil, err
			}
			p.c.Environments = append(p.c.Environments, env)
		case "langpacks":
			if err := p.entries(e, "<langpacks>"); err != nil {
				return nil, err
			}
			for _, m := range e.ChildElements() {
				if m.FullTag() != "match" {
					p.warnf(m, "unknown element <%s> in <langpacks> ignored", m.FullTag())
					continue
				}
				lp := Langpack{Name: attr(m, "name"), Install: attr(m, "install"), Line: p.line[m]}
				if lp.Name == "" || lp.Install == "" {
					return nil, p.errf(m, "<match> needs both name and install attributes")
				}
				p.c.Langpacks = append(p.c.Langpacks, lp)
			}
		case "blacklist":
			if err := p.entries(e, "<blacklist>"); err != nil {
				return nil, err
			}
			for _, m := range e.ChildElements() {
				if m.FullTag() != "package" {
					p.warnf(m, "unknown element <%s> in <blacklist> ignored", m.FullTag())
					continue
				}
				p.c.Blacklist = append(p.c.Blacklist, BlacklistEntry{Name: attr(m, "name"), Arch: attr(m, "arch"), Line: p.line[m]})
			}
		case "whiteout":
			if err := p.entries(e, "<whiteout>"); err != nil {
				return nil, err
			}
			for _, m := range e.ChildElements() {
				if m.FullTag() != "ignoredep" {
					p.warnf(m, "unknown element <%s> in <whiteout> ignored", m.FullTag())
					continue
				}
				p.c.Whiteout = append(p.c.Whiteout, IgnoreDep{Package: attr(m, "package"), Requires: attr(m, "requires"), Line: p.line[m]})
			}
		default:
			p.c.Other = append(p.c.Other, p.raw(e))
		}
	}
	return p.c, nil
}

func attr(e *etree.Element, key string) string {
	if a := e.SelectAttr(key); a != nil {
		return a.Value
	}
	return ""
}

func blanks(e *etree.Element) blankAttrs {
	a, v := e.SelectAttr("arch"), e.SelectAttr("variant")
	return blankAttrs{arch: a != nil && a.Value == "", variant: v != nil && v.Value == ""}
}

// langOf returns the xml:lang of a translated element.
func langOf(e *etree.Element) string {
	for _, a := range e.Attr {
		if a.Key == "lang" && a.Space == "xml" {
			return a.Value
		}
	}
	return ""
}

func (p *reader) boolText(e *etree.Element) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(e.Text())) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, p.errf(e, "<%s> must be true or false, not %q", e.Tag, e.Text())
}

// boolAttr reads a true/false attribute of e (absent is false). Unlike
// element text, attributes take only true/false/1/0, in any case; owner
// names the group, category or environment in the error.
func (p *reader) boolAttr(e *etree.Element, name, owner string) (bool, error) {
	switch v := attr(e, name); strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0", "":
		return false, nil
	default:
		return false, p.errf(e, "%s: %s must be true or false, not %q", owner, name, v)
	}
}

func (p *reader) intText(e *etree.Element) (*int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(e.Text()))
	if err != nil {
		return nil, p.errf(e, "<%s> must be an integer, not %q", e.Tag, e.Text())
	}
	return &n, nil
}

// common handles id, name and description with their translations; it
// reports whether e was one of them.
func (p *reader) common(e *etree.Element, id, name, desc *string, names, descs *[]Translation, hasDesc *bool) (bool, error) {
	switch e.FullTag() {
	case "id":
		if l := langOf(e); l != "" {
			return true, p.errf(e, "<id> cannot be translated (xml:lang=%q)", l)
		}
		*id = strings.TrimSpace(e.Text())
	case "name":
		if l := langOf(e); l != "" {
			*names = append(*names, Translation{Lang: l, Text: e.Text()})
		} else {
			*name = e.Text()
		}
	case "description":
		if l := langOf(e); l != "" {
			*descs = append(*descs, Translation{Lang: l, Text: e.Text()})
		} else {
			*desc = e.Text()
			*hasDesc = true
		}
	default:
		return false, nil
	}
	return true, nil
}

func (p *reader) group(e *etree.Element) (*Group, error) {
	g := &Group{UserVisible: true, Line: p.line[e], Arch: attr(e, "arch"), Variant: attr(e, "variant"), blank: blanks(e)}
	for _, c := range e.ChildElements() {
		ok, err := p.common(c, &g.ID, &g.Name, &g.Description, &g.NameByLang, &g.DescriptionByLang, &g.HasDescription)
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		switch c.FullTag() {
		case "default":
			g.Default, err = p.boolText(c)
		case "uservisible":
			g.UserVisible, err = p.boolText(c)
		case "biarchonly":
			g.BiarchOnly, err = p.boolText(c)
		case "langonly":
			g.LangOnly = strings.TrimSpace(c.Text())
		case "display_order":
			g.DisplayOrder, err = p.intText(c)
		case "packagelist":
			err = p.packagelist(c, g)
		default:
			g.Other = append(g.Other, p.raw(c))
		}
		if err != nil {
			return nil, err
		}
	}
	if g.ID == "" {
		return nil, p.errf(e, "<group> without an <id>")
	}
	return g, nil
}

func (p *reader) packagelist(e *etree.Element, g *Group) error {
	if err := p.entries(e, "group "+g.ID+" <packagelist>"); err != nil {
		return err
	}
	for _, c := range e.ChildElements() {
		if c.FullTag() != "packagereq" {
			p.warnf(c, "group %s: unknown element <%s> in <packagelist> ignored", g.ID, c.FullTag())
			continue
		}
		text := c.Text()
		req := PackageReq{
			Name:     strings.TrimSpace(text),
			Type:     attr(c, "type"),
			Requires: attr(c, "requires"),
			Arch:     attr(c, "arch"),
			Variant:  attr(c, "variant"),
			blank:    blanks(c),
			Line:     p.line[c],
		}
		if req.Name == "" {
			return p.errf(c, "group %s: empty <packagereq>", g.ID)
		}
		if req.Name != text {
			p.warnf(c, "package name %q in group %s has leading or trailing whitespace", req.Name, g.ID)
		}
		var err error
		if req.BaseArchOnly, err = p.boolAttr(c, "basearchonly", "group "+g.ID); err != nil {
			return err
		}
		g.Packages = append(g.Packages, req)
	}
	return nil
}

// appendGroupList appends the <groupid>s of a <grouplist> or <optionlist>
// to *out; owner names the category or environment in messages.
func (p *reader) appendGroupList(e *etree.Element, owner string, out *[]GroupRef) error {
	if err := p.entries(e, owner+" <"+e.Tag+">"); err != nil {
		return err
	}
	for _, c := range e.ChildElements() {
		if c.FullTag() != "groupid" {
			p.warnf(c, "%s: unknown element <%s> in <%s> ignored", owner, c.FullTag(), e.Tag)
			continue
		}
		ref := GroupRef{Name: strings.TrimSpace(c.Text()), Arch: attr(c, "arch"), Line: p.line[c]}
		if ref.Name == "" {
			return p.errf(c, "%s: empty <groupid>", owner)
		}
		var err error
		if ref.Default, err = p.boolAttr(c, "default", owner); err != nil {
			return err
		}
		*out = append(*out, ref)
	}
	return nil
}

func (p *reader) category(e *etree.Element) (*Category, error) {
	cat := &Category{Line: p.line[e]}
	for _, a := range e.Attr {
		cat.Attrs = append(cat.Attrs, Attr{Key: a.FullKey(), Value: a.Value})
	}
	for _, c := range e.ChildElements() {
		ok, err := p.common(c, &cat.ID, &cat.Name, &cat.Description, &cat.NameByLang, &cat.DescriptionByLang, &cat.HasDescription)
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		switch c.FullTag() {
		case "display_order":
			cat.DisplayOrder, err = p.intText(c)
		case "grouplist":
			err = p.appendGroupList(c, "category "+cat.ID, &cat.Groups)
		default:
			cat.Other = append(cat.Other, p.raw(c))
		}
		if err != nil {
			return nil, err
		}
	}
	if cat.ID == "" {
		return nil, p.errf(e, "<category> without an <id>")
	}
	return cat, nil
}

func (p *reader) environment(e *etree.Element) (*Environment, error) {
	env := &Environment{Line: p.line[e], Arch: attr(e, "arch"), Variant: attr(e, "variant"), blank: blanks(e)}
	for _, c := range e.ChildElements() {
		ok, err := p.common(c, &env.ID, &env.Name, &env.Description, &env.NameByLang, &env.DescriptionByLang, &env.HasDescription)
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		switch c.FullTag() {
		case "display_order":
			env.DisplayOrder, err = p.intText(c)
		case "grouplist":
			err = p.appendGroupList(c, "environment "+env.ID, &env.Groups)
		case "optionlist":
			env.HasOptionList = true
			err = p.appendGroupList(c, "environment "+env.ID, &env.Options)
		default:
			env.Other = append(env.Other, p.raw(c))
		}
		if err != nil {
			return nil, err
		}
	}
	if env.ID == "" {
		return nil, p.errf(e, "<environment> without an <id>")
	}
	return env, nil
}
