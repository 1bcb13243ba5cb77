package comps

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// TestNestingLimit: deeply nested elements are refused with a one-line
// error naming file, line and the limit.
func TestNestingLimit(t *testing.T) {
	for _, tt := range []struct {
		depth int
		want  string // "" = parses
	}{
		{3, ""},
		{maxDepth + 1, "deep.xml:1: elements nested deeper than the limit of 64"},
		{1_000_000, "deep.xml:1: elements nested deeper than the limit of 64"},
	} {
		doc := "<comps>" + strings.Repeat("<x>", tt.depth-1) + strings.Repeat("</x>", tt.depth-1) + "</comps>"
		_, err := ParseBytes([]byte(doc), "deep.xml")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != tt.want) {
			t.Errorf("depth %d: %v, want %q", tt.depth, err, tt.want)
		}
	}
}

// repeat is n copies of the format printed with 0..n-1.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// TestSizeLimits: a document over any size or count limit is refused
// with a one-line error naming the file, the line of the element that
// crossed it and the limit; one just under each limit still reads.
func TestSizeLimits(t *testing.T) {
	group := func(body string) string {
		return "<comps>\n\n<group><id>g</id>" + body + "</group></comps>"
	}
	over := func(what string, n int) string { return fmt.Sprintf("big.xml:3: %s than the limit of %d", what, n) }
	for _, tt := range []struct {
		name string
		doc  string
		want string // "" = reads
	}{
		{"elements at the limit", "<comps>\n\n<x>" + strings.Repeat("<y/>", limits.Elements-2) + "</x></comps>", ""},
		{"elements", "<comps>\n\n<x>" + strings.Repeat("<y/>", limits.Elements-1) + "</x></comps>", over("more elements", limits.Elements)},
		{"attributes at the limit", group(`<x` + repeat(limits.Attrs, ` a%d=""`) + `/>`), ""},
		{"attributes", group(`<x` + repeat(limits.Attrs+1, ` a%d=""`) + `/>`), "big.xml:3: <x> has more attributes than the limit of 64"},
		{"attribute value", group(`<x a="` + strings.Repeat("v", limits.AttrValue+1) + `"/>`), "big.xml:3: <x> attribute a is longer than the limit of 64 KiB"},
		{"attribute name", group(`<x ` + strings.Repeat("a", limits.Name+1) + `="1"/>`), "big.xml:3: <x> has an attribute name longer than the limit of 1 KiB"},
		{"tag name", group(`<` + strings.Repeat("x", limits.Name+1) + `/>`), "big.xml:3: a tag name longer than the limit of 1 KiB"},
		{"text at the limit", group(`<description>` + strings.Repeat("d", limits.Text) + `</description>`), ""},
		{"text", group(`<description>` + strings.Repeat("d", limits.Text+1) + `</description>`), "big.xml:3: text in <description> longer than the limit of 1 MiB"},
		// Pieces of text between comments add up, comments included.
		{"text in pieces", group(`<description>` + strings.Repeat("dddddddd<!---->", limits.Text/8+1) + `</description>`), "big.xml:3: text in <description> longer than the limit of 1 MiB"},
		{"groups at the limit", "<comps>\n\n" + repeat(maxDefinitions, "<group><id>g%d</id></group>") + "</comps>", ""},
		{"groups", "<comps>\n\n" + repeat(maxDefinitions+1, "<group><id>g%d</id></group>") + "</comps>", over("more groups", maxDefinitions)},
		{"categories", "<comps>\n\n" + repeat(maxDefinitions+1, "<category><id>c%d</id></category>") + "</comps>", over("more categories", maxDefinitions)},
		{"environments", "<comps>\n\n" + repeat(maxDefinitions+1, "<environment><id>e%d</id></environment>") + "</comps>", over("more environments", maxDefinitions)},
		{"packages", group("<packagelist>" + repeat(maxEntries+1, "<packagereq>p%d</packagereq>") + "</packagelist>"), "big.xml:3: group g <packagelist> has more entries than the limit of 100000"},
		{"group ids", "<comps>\n\n<category><id>c</id><grouplist>" + repeat(maxEntries+1, "<groupid>g%d</groupid>") + "</grouplist></category></comps>", "big.xml:3: category c <grouplist> has more entries than the limit of 100000"},
		{"blacklist", "<comps>\n\n<blacklist>" + repeat(maxEntries+1, `<package name="p%d"/>`) + "</blacklist></comps>", "big.xml:3: <blacklist> has more entries than the limit of 100000"},
		{"document", "<comps>" + strings.Repeat(" ", int(limits.Bytes)) + "</comps>", "big.xml: larger than the limit of 64 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(tt.doc), "big.xml")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%v, want no error", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("%v, want %q", err, tt.want)
			}
		})
	}
}

// TestDecompressedSizeLimit: a small compressed comps file that expands
// past the document limit is refused without reading it all.
func TestDecompressedSizeLimit(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("<comps>"))
	w.Write(bytes.Repeat([]byte(" "), int(limits.Bytes)))
	w.Write([]byte("</comps>"))
	w.Close()
	_, err := Parse(&gz, "bomb.xml.gz")
	if want := "bomb.xml.gz: decompressed, larger than the limit of 64 MiB"; err == nil || err.Error() != want {
		t.Errorf("%v, want %q", err, want)
	}
}
