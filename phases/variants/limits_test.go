package variants

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNestingLimit: deeply nested elements are refused with a one-line
// error naming file, line and the limit.
func TestNestingLimit(t *testing.T) {
	doc := "<variants>" + strings.Repeat("<variant>", 100_000) + strings.Repeat("</variant>", 100_000) + "</variants>"
	_, err := Parse([]byte(doc), "deep.xml", nil, nil)
	if want := "deep.xml:1: elements nested deeper than the limit of 64"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// addon is a top-level addon with id, whose <variants> holds body.
func addon(id, body string) string {
	return fmt.Sprintf(`<variant id="%s" name="%s" type="addon"><arches><arch>x</arch></arches><variants>%s</variants></variant>`, id, id, body)
}

const server = `<variant id="S" name="S" type="variant"><arches><arch>x</arch></arches><variants><ref id="A0"/></variants></variant>`

// TestSizeLimits: a variants file over a size or count limit, or whose
// <ref>s form a cycle or multiply without end, is refused with a one-line
// error naming file, line and limit, and quickly; one at each limit reads.
func TestSizeLimits(t *testing.T) {
	// chain: A0 contains variants V0a and V0b, both referencing A1, and so
	// on: 2^n uses of the last addon.
	chain := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(addon(fmt.Sprintf("A%d", i), fmt.Sprintf(
				`<variant id="V%da" name="v" type="variant"><arches><arch>x</arch></arches><variants><ref id="A%d"/></variants></variant>`+
					`<variant id="V%db" name="v" type="variant"><arches><arch>x</arch></arches><variants><ref id="A%d"/></variants></variant>`, i, i+1, i, i+1)))
		}
		b.WriteString(addon(fmt.Sprintf("A%d", n), ""))
		return b.String()
	}
	// top is a variants file of n top-level variants.
	top := func(n int) string {
		var b strings.Builder
		b.WriteString("<variants>\n\n")
		for i := range n {
			fmt.Fprintf(&b, `<variant id="V%d" name="v" type="variant"><arches><arch>x</arch></arches></variant>`, i)
		}
		b.WriteString("</variants>")
		return b.String()
	}
	variant := func(attrs, arch string) string {
		return `<variants>` + "\n\n" + `<variant id="S" name="S" type="variant"` + attrs + `><arches><arch>` + arch + `</arch></arches></variant></variants>`
	}
	for _, tt := range []struct {
		name string
		doc  string
		want string // "" = reads; ending in a newline: the first of several lines
	}{
		{"self reference", "<variants>\n\n" + addon("A0", `<ref id="A0"/>`) + server + "</variants>",
			`big.xml:3: variant S-A0 references A0, which contains it (a cycle of <ref>s)`},
		{"cycle", "<variants>\n\n" + addon("A0", `<variant id="B" name="B" type="variant"><arches><arch>x</arch></arches><variants><ref id="A0"/></variants></variant>`) + server + "</variants>",
			"big.xml:3: variant S-A0-B references A0, which contains it (a cycle of <ref>s)\n"},
		// 2^10 uses are built and reported (an addon cannot contain
		// variants); the first problem:
		{"refs within the limit", "<variants>\n\n" + chain(10) + server + "</variants>",
			"big.xml:3: S-A0-V0a-A1-V1a-A2-V2a-A3-V3a-A4-V4a-A5-V5a-A6-V6a-A7-V7a-A8-V8a-A9: only a variant can contain other variants, not a addon (child V9a)\n"},
		{"refs multiplying", "<variants>\n\n" + chain(40) + server + "</variants>", "big.xml:3: more variants than the limit of 10000 (counting each use of a referenced variant)"},
		{"variants at the limit", top(maxVariants), ""},
		{"variants", top(maxVariants + 1), "big.xml:3: more variants than the limit of 10000 (counting each use of a referenced variant)"},
		{"elements", "<variants>\n\n" + `<variant id="S" name="S" type="variant"><arches>` + strings.Repeat("<arch>x</arch>", limits.Elements) + `</arches></variant></variants>`,
			"big.xml:3: more elements than the limit of 100000"},
		{"attribute value", variant(` x="`+strings.Repeat("v", limits.AttrValue+1)+`"`, "x"), "big.xml:3: <variant> attribute x is longer than the limit of 64 KiB"},
		{"attributes", variant(strings.Repeat(" a=\"\"", 1)+func() string {
			var b strings.Builder
			for i := range limits.Attrs {
				fmt.Fprintf(&b, ` b%d=""`, i)
			}
			return b.String()
		}(), "x"), "big.xml:3: <variant> has more attributes than the limit of 64"},
		{"text", variant("", strings.Repeat("x", limits.Text+1)), "big.xml:3: text in <arch> longer than the limit of 64 KiB"},
		// Many pieces of text between comments: refused, not joined piece
		// by piece in quadratic time.
		{"text in pieces", variant("", strings.Repeat("x<!---->", limits.Text+1)), "big.xml:3: text in <arch> longer than the limit of 64 KiB"},
		{"document", "<variants>" + strings.Repeat(" ", int(limits.Bytes)) + "</variants>", "big.xml: larger than the limit of 16 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse([]byte(tt.doc), "big.xml", nil, nil)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%v, want no error", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want && !(strings.HasSuffix(tt.want, "\n") && strings.HasPrefix(err.Error(), tt.want))):
				t.Errorf("%.300v, want %q", err, tt.want)
			}
			// A generous bound (the machine may be loaded): the cases
			// that used to recurse without end or multiply take
			// milliseconds.
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestLeadingTextPieces: text split by comments and CDATA still reads as
// one text, as lxml's .text.
func TestLeadingTextPieces(t *testing.T) {
	doc := `<variants><variant id="S" name="S" type="variant"><arches><arch>x<!-- c -->8<![CDATA[6]]>_64<!----></arch></arches></variant></variants>`
	vs, err := Parse([]byte(doc), "v.xml", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := vs.Variants[0].Arches; len(got) != 1 || got[0] != "x86_64" {
		t.Errorf("arches %q, want [x86_64]", got)
	}
}

// TestProblemsListed: a file with a problem per element lists the first
// hundred and counts the rest.
func TestProblemsListed(t *testing.T) {
	doc := "<variants>\n" + strings.Repeat("<bogus/>\n", 50_000) + "</variants>"
	_, err := Parse([]byte(doc), "bad.xml", nil, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxListedProblems+1 || !strings.HasPrefix(lines[0], "bad.xml:") ||
		lines[maxListedProblems] != fmt.Sprintf("bad.xml: %d more problems not listed", len(err.(*Error).Problems)-maxListedProblems) {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
