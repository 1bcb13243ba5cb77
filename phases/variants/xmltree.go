package variants

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is an element of the variants file with the line of its start tag.
// Variants files are small, so a private tree keeps positions exactly where
// a general DOM would not.
type node struct {
	tag      string
	attrs    []xml.Attr
	children []*node
	texts    []text // character data directly inside the element
	line     int
}

type text struct {
	data string
	line int
	// first is true for the text before the first child element (lxml's
	// .text); the others are tails of children.
	first bool
}

func (n *node) attr(key string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == key {
			return a.Value, true
		}
	}
	return "", false
}

// content is the element's text, as lxml's .text gives it (the character
// data before the first child).
func (n *node) content() string {
	if len(n.texts) > 0 && n.texts[0].first {
		return n.texts[0].data
	}
	return ""
}

func (n *node) childrenNamed(tag string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.tag == tag {
			out = append(out, c)
		}
	}
	return out
}

// maxDepth bounds element nesting: the tree is walked recursively, and
// real variants files are a few levels deep.
const maxDepth = 64

// readTree parses the whole document; syntax errors carry their line.
func readTree(data []byte, file string) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q (variants files must be UTF-8)", charset)
	}
	var root *node
	var stack []*node
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Error{File: file, Problems: []Problem{{Line: se.Line, Msg: "malformed XML: " + se.Msg}}}
			}
			l, _ := dec.InputPos()
			return nil, &Error{File: file, Problems: []Problem{{Line: l, Msg: "malformed XML: " + err.Error()}}}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{tag: t.Name.Local, attrs: t.Attr, line: line}
			if t.Name.Space != "" {
				n.tag = t.Name.Space + ":" + t.Name.Local
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
			if len(stack) > maxDepth {
				return nil, &Error{File: file, Problems: []Problem{{Line: line, Msg: fmt.Sprintf("elements nested deeper than the limit of %d", maxDepth)}}}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			p := stack[len(stack)-1]
			first := len(p.children) == 0
			if first && len(p.texts) > 0 {
				// Text split around a comment or CDATA section is still
				// one text node (lxml's .text).
				p.texts[0].data += string(t)
				continue
			}
			p.texts = append(p.texts, text{data: string(t), line: line, first: first})
		}
	}
	if root == nil {
		return nil, &Error{File: file, Problems: []Problem{{Msg: "no root element (empty document?)"}}}
	}
	return root, nil
}
