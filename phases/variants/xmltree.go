package variants

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pungo/pungo/internal/xmllimit"
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

// limits bound what one variants file may hold. Real ones are a few KiB
// with tens of variants, a few levels deep; the tree is walked
// recursively.
var limits = xmllimit.Limits{
	Bytes:     16 << 20,
	Depth:     maxDepth,
	Elements:  100_000,
	Attrs:     64,
	AttrValue: 64 << 10,
	Name:      1 << 10,
	Text:      64 << 10,
}

const maxDepth = 64

// readTree parses the whole document; syntax errors carry their line.
func readTree(data []byte, file string) (*node, error) {
	if int64(len(data)) > limits.Bytes {
		return nil, &Error{File: file, Problems: []Problem{{Msg: (&xmllimit.TooLargeError{Max: limits.Bytes}).Error()}}}
	}
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
	count := xmllimit.Counter{L: limits}
	// lead collects the open elements' leading text, which comments or
	// CDATA sections may split into many pieces (lxml's .text joins them);
	// it becomes the element's first text at its first child or its end.
	var lead [][]byte
	flush := func() {
		p := stack[len(stack)-1]
		if l := lead[len(lead)-1]; l != nil {
			p.texts[0].data = string(l)
			lead[len(lead)-1] = nil
		}
	}
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
				flush()
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
			lead = append(lead, nil)
			if msg := count.Start(t); msg != "" {
				return nil, &Error{File: file, Problems: []Problem{{Line: line, Msg: msg}}}
			}
		case xml.EndElement:
			flush()
			stack = stack[:len(stack)-1]
			lead = lead[:len(lead)-1]
			count.End()
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			p := stack[len(stack)-1]
			if msg := count.Text(p.tag, len(t)); msg != "" {
				return nil, &Error{File: file, Problems: []Problem{{Line: line, Msg: msg}}}
			}
			first := len(p.children) == 0
			if first && len(p.texts) > 0 {
				if lead[len(lead)-1] == nil {
					lead[len(lead)-1] = []byte(p.texts[0].data)
				}
				lead[len(lead)-1] = append(lead[len(lead)-1], t...)
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
