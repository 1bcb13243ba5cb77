// Package xmllimit owns the size and count limits of the small XML
// documents pungo builds whole trees from (comps, variants.xml): how big
// the document, how deep and how many its elements, how many and how long
// their attributes, how long a tag name and an element's text. The rpm-md
// readers stream instead and have their own limits (repomd/xmlscan.go).
//
// A Counter follows one document's tokens as a tree builder reads them
// and returns the first limit crossed as a message ("… than the limit of
// N"); the builder adds file and line.
package xmllimit

import (
	"encoding/xml"
	"fmt"
	"io"
)

// Limits bounds one document. A zero field is not checked.
type Limits struct {
	Bytes     int64 // the (decompressed) document
	Depth     int   // nesting of elements
	Elements  int   // elements in the document
	Attrs     int   // attributes of one element
	AttrValue int   // bytes of one attribute value
	Name      int   // bytes of one tag or attribute name, prefix included
	Text      int   // bytes of character data directly inside one element
}

// Counter checks the tokens of one document against L.
type Counter struct {
	L        Limits
	elements int
	text     []int // character data so far of each open element
}

// Start accounts for a start tag; the message is "" within the limits.
func (c *Counter) Start(t xml.StartElement) string {
	c.elements++
	c.text = append(c.text, 0)
	switch {
	case c.L.Depth > 0 && len(c.text) > c.L.Depth:
		return fmt.Sprintf("elements nested deeper than the limit of %d", c.L.Depth)
	case c.L.Elements > 0 && c.elements > c.L.Elements:
		return fmt.Sprintf("more elements than the limit of %d", c.L.Elements)
	case c.L.Attrs > 0 && len(t.Attr) > c.L.Attrs:
		return fmt.Sprintf("<%s> has more attributes than the limit of %d", t.Name.Local, c.L.Attrs)
	case c.L.Name > 0 && nameLen(t.Name) > c.L.Name:
		return fmt.Sprintf("a tag name longer than the limit of %s", Size(c.L.Name))
	}
	for _, a := range t.Attr {
		switch {
		case c.L.Name > 0 && nameLen(a.Name) > c.L.Name:
			return fmt.Sprintf("<%s> has an attribute name longer than the limit of %s", t.Name.Local, Size(c.L.Name))
		case c.L.AttrValue > 0 && len(a.Value) > c.L.AttrValue:
			return fmt.Sprintf("<%s> attribute %s is longer than the limit of %s", t.Name.Local, a.Name.Local, Size(c.L.AttrValue))
		}
	}
	return ""
}

// End accounts for an end tag.
func (c *Counter) End() {
	if len(c.text) > 0 {
		c.text = c.text[:len(c.text)-1]
	}
}

// Text accounts for n bytes of character data (text, CDATA) in the
// innermost open element; pieces split by comments or CDATA sections add
// up.
func (c *Counter) Text(tag string, n int) string {
	if len(c.text) == 0 || c.L.Text == 0 {
		return ""
	}
	c.text[len(c.text)-1] += n
	if c.text[len(c.text)-1] > c.L.Text {
		return fmt.Sprintf("text in <%s> longer than the limit of %s", tag, Size(c.L.Text))
	}
	return ""
}

func nameLen(n xml.Name) int {
	if n.Space == "" {
		return len(n.Local)
	}
	return len(n.Space) + 1 + len(n.Local)
}

// ReadAll reads r to the end, or fails with a message naming the limit
// once it gives more than max bytes (max <= 0: no limit). Read errors are
// returned as they are.
func ReadAll(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Max: max}
	}
	return data, nil
}

// TooLargeError is a document over Max bytes.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string {
	return "larger than the limit of " + Size(int(e.Max))
}

// Size prints a limit in bytes, KiB or MiB, whichever is exact.
func Size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
