package repomd

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// scannerTokens renders the scanner's tokens as a comparable string, text
// runs merged.
func scannerTokens(data []byte) (string, error) {
	s := newXMLScanner(bytes.NewReader(data), "fuzz.xml")
	s.buf = make([]byte, 16) // force many refills
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "T%q ", text)
			text = text[:0]
		}
	}
	for {
		switch s.next() {
		case tokEOF:
			flush()
			return b.String(), s.err
		case tokText:
			text = append(text, s.text...)
		case tokStart:
			flush()
			fmt.Fprintf(&b, "S%s", s.name)
			for _, a := range s.attrs {
				fmt.Fprintf(&b, " %s=%q", a.name, a.value)
			}
			b.WriteString(" ")
		case tokEnd:
			flush()
			fmt.Fprintf(&b, "E%s ", s.name)
		}
	}
}

// stdTokens is the same rendering from encoding/xml in strict mode.
func stdTokens(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "T%q ", text)
			text = text[:0]
		}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			flush()
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			flush()
			fmt.Fprintf(&b, "S%s", t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s=%q", a.Name.Local, a.Value)
			}
			b.WriteString(" ")
		case xml.EndElement:
			flush()
			fmt.Fprintf(&b, "E%s ", t.Name.Local)
		}
	}
}

// FuzzXMLScanner checks the scanner against encoding/xml: on every
// document encoding/xml accepts, both must see the same tokens.
func FuzzXMLScanner(f *testing.F) {
	f.Add([]byte(testPrimary))
	f.Add([]byte(testFilelists))
	f.Add([]byte("<a x='1' y=\"&lt;&#65;\"><![CDATA[<b>]]>t&amp;<!-- c --><b/>\r\n</a>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, err := stdTokens(data)
		if err != nil || !wellFormedForUs(data) {
			scannerTokens(data) // must not panic
			return
		}
		got, err := scannerTokens(data)
		if err != nil {
			t.Fatalf("scanner rejects a document encoding/xml accepts: %v\n%q", err, data)
		}
		if got != want {
			t.Fatalf("tokens differ for %q\n got %s\nwant %s", data, got, want)
		}
	})
}

// wellFormedForUs excludes documents with declarations (<!DOCTYPE …>
// and the like): the scanner skips them without reading their insides,
// encoding/xml parses them, and rpm-md never contains them.
func wellFormedForUs(data []byte) bool {
	// The scanner refuses invalid UTF-8 and non-XML characters anywhere,
	// as dnf does; encoding/xml lets some through (in a processing
	// instruction, for one), so such documents are not compared.
	if !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	for rest := data; ; {
		k := bytes.Index(rest, []byte("<!"))
		if k < 0 {
			return true
		}
		rest = rest[k+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return false
		}
	}
}

func FuzzPrimary(f *testing.F) {
	f.Add([]byte(testPrimary))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := parsePrimary(bytes.NewReader(data), "primary.xml", 1)
		// Cut into tiny chunks, the document must parse the same.
		var chunked []*Package
		var cerr error
		withChunkSize(48, func() { chunked, cerr = parsePrimary(bytes.NewReader(data), "primary.xml", 3) })
		if (err == nil) != (cerr == nil) || describe(pkgs) != describe(chunked) {
			t.Fatalf("chunked parse differs: whole %v, chunked %v", err, cerr)
		}
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "primary.xml") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line naming the file", msg)
			}
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Arch == "" {
				t.Fatalf("package without name or arch accepted")
			}
		}
	})
}

func FuzzFilelists(f *testing.F) {
	f.Add([]byte(testFilelists))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs := []*Package{{Name: "foo", Arch: "x86_64", Checksum: Checksum{"sha256", "abc123"}}}
		err := ParseFilelists(bytes.NewReader(data), "filelists.xml", pkgs)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "filelists.xml") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line naming the file", msg)
			}
		}
	})
}

func FuzzRepomdXML(f *testing.F) {
	f.Add([]byte(`<repomd><revision>1</revision><data type="primary"><checksum type="sha256">ab</checksum><location href="repodata/p.xml.gz"/><size>3</size></data></repomd>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &Repo{}
		err := r.parseRepomd(bytes.NewReader(data), "repomd.xml")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "repomd.xml") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line naming the file", msg)
			}
			return
		}
		for _, rec := range r.Records {
			if rec.Href == "" {
				t.Fatalf("record without location accepted: %+v", rec)
			}
		}
	})
}
