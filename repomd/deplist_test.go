package repomd

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"strings"
	"testing"
)

// TestDepListRoundTrip: every field of a Dep survives the compact form,
// whether the list was built from values or read from primary.xml, and
// the list formats, compares and gob-encodes as the []Dep it stands for.
func TestDepListRoundTrip(t *testing.T) {
	in := []Dep{
		{Name: "foo", Flags: DepEQ, EVR: EVR{Epoch: "1", Version: "2.0", Release: "3"}},
		{Name: "/bin/sh", Pre: true},
		{Name: "(a if b)"},
		{Name: "bar", Flags: DepGE, EVR: EVR{Epoch: "0", Version: "1.0"}},
		{Name: "bar", Flags: DepLT, EVR: EVR{Version: "1.0"}},
		{Name: "", Flags: DepLE, EVR: EVR{Release: "r"}, Pre: true},
	}
	fromXML := func() DepList {
		var b strings.Builder
		b.WriteString(`<metadata xmlns:rpm="x"><package><name>foo</name><arch>noarch</arch><version epoch="1" ver="2.0" rel="3"/><format><rpm:requires>`)
		for _, d := range in {
			fmt.Fprintf(&b, `<rpm:entry name="%s"`, d.Name)
			if d.Flags != DepAny {
				fmt.Fprintf(&b, ` flags="%s"`, d.Flags.XMLName())
				for _, a := range [][2]string{{"epoch", d.Epoch}, {"ver", d.Version}, {"rel", d.Release}} {
					if a[1] != "" {
						fmt.Fprintf(&b, ` %s="%s"`, a[0], a[1])
					}
				}
			}
			if d.Pre {
				b.WriteString(` pre="1"`)
			}
			b.WriteString("/>")
		}
		b.WriteString(`</rpm:requires></format></package></metadata>`)
		pkgs, err := ParsePrimary(strings.NewReader(b.String()), "test")
		if err != nil {
			t.Fatal(err)
		}
		return pkgs[0].Requires
	}
	for _, c := range []struct {
		name string
		list DepList
	}{
		{"MakeDepList", MakeDepList(in)},
		{"primary.xml", fromXML()},
		{"Append", MakeDepList(in[:2]).Append(in[2:]...)},
	} {
		l := c.list
		if l.Len() != len(in) {
			t.Fatalf("%s: Len = %d, want %d", c.name, l.Len(), len(in))
		}
		for i, want := range in {
			if got := l.At(i); got != want {
				t.Errorf("%s: At(%d) = %#v, want %#v", c.name, i, got, want)
			}
			if l.Name(i) != want.Name {
				t.Errorf("%s: Name(%d) = %q, want %q", c.name, i, l.Name(i), want.Name)
			}
		}
		if got, want := l.String(), fmt.Sprint(in); got != want {
			t.Errorf("%s: String = %q, want %q", c.name, got, want)
		}
		if !l.Equal(MakeDepList(in)) || l.Equal(MakeDepList(in[1:])) {
			t.Errorf("%s: Equal wrong", c.name)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(struct{ L DepList }{l}); err != nil {
			t.Fatal(err)
		}
		var back struct{ L DepList }
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatal(err)
		}
		if !back.L.Equal(l) {
			t.Errorf("%s: gob round trip = %v, want %v", c.name, back.L, l)
		}
	}
	var empty DepList
	if empty.Len() != 0 || empty.Slice() != nil || empty.String() != "[]" || !empty.Equal(MakeDepList(nil)) {
		t.Errorf("empty list misbehaves: %v", empty)
	}
}
