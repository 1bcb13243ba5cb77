package repomd

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// withChunkSize runs f with tiny chunks, so that documents are cut in many
// places and parsed by several workers.
func withChunkSize(n int, f func()) {
	old := chunkSize
	chunkSize = n
	defer func() { chunkSize = old }()
	f()
}

func describe(pkgs []*Package) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%s %q %v %v %v %v %v\n", p.NEVRA(), p.Description, p.Provides, p.Requires, p.Files, p.Recommends, p.Changelogs)
	}
	return b.String()
}

func TestChunkedParseMatchesWhole(t *testing.T) {
	// Many packages, a comment and a CDATA section straddling cut points.
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0"?>` + "\n" + `<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm">` + "\n")
	for i := 0; i < 300; i++ {
		desc := fmt.Sprintf("pkg %d &amp; more", i)
		if i%17 == 0 {
			desc = "<![CDATA[</package><package> inside CDATA]]>"
		}
		if i%29 == 0 {
			doc.WriteString("<!-- </package> in a comment -->\n")
		}
		fmt.Fprintf(&doc, `<package type="rpm"><name>p%d</name><arch>noarch</arch><version epoch="0" ver="1.%d" rel="1"/>`+
			`<description>%s</description><format><rpm:provides><rpm:entry name="p%d" flags="EQ" epoch="0" ver="1.%d" rel="1"/></rpm:provides>`+
			`<file>/usr/bin/p%d</file></format></package>`+"\n", i, i, desc, i, i, i)
	}
	doc.WriteString("</metadata>\n")
	data := []byte(doc.String())

	whole, err := parsePrimary(bytes.NewReader(data), "primary.xml", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != 300 || whole[17].Description != "</package><package> inside CDATA" {
		t.Fatalf("whole parse: %d packages, description %q", len(whole), whole[17].Description)
	}
	for _, size := range []int{64, 500, 4096} {
		withChunkSize(size, func() {
			got, err := parsePrimary(bytes.NewReader(data), "primary.xml", 3)
			if err != nil {
				t.Fatalf("chunk size %d: %v", size, err)
			}
			if describe(got) != describe(whole) {
				t.Errorf("chunk size %d: result differs from whole-document parse", size)
			}
		})
	}
	// Errors keep their line numbers across chunks.
	bad := bytes.Replace(data, []byte("<name>p250</name>"), []byte("<name>p250</nam>"), 1)
	line := bytes.Count(bad[:bytes.Index(bad, []byte("</nam>"))], []byte("\n")) + 1
	withChunkSize(256, func() {
		_, err := parsePrimary(bytes.NewReader(bad), "primary.xml", 2)
		if want := fmt.Sprintf("primary.xml:%d: invalid XML", line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	})
	// A document cut short in a middle chunk is still an error.
	withChunkSize(256, func() {
		_, err := parsePrimary(bytes.NewReader(data[:len(data)/2]), "primary.xml", 2)
		if err == nil || !strings.Contains(err.Error(), "end of file") {
			t.Errorf("truncated document: %v", err)
		}
	})
}

func TestChunkedParseRealData(t *testing.T) {
	dir := filepath.Join(toolcheck.Shared(t, "realdata"), "cs9-baseos")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("primary")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	seq, err := parsePrimary(bytes.NewReader(data), "primary.xml", 1)
	if err != nil {
		t.Fatal(err)
	}
	withChunkSize(100<<10, func() {
		par, err := parsePrimary(bytes.NewReader(data), "primary.xml", 4)
		if err != nil {
			t.Fatal(err)
		}
		if describe(par) != describe(seq) || len(par) != 1125 {
			t.Error("parallel parse of cs9-baseos differs from the sequential one")
		}
	})
}

func TestChunkedFilelists(t *testing.T) {
	var pkgs []*Package
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0"?>` + "\n" + `<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="200">` + "\n")
	for i := 0; i < 200; i++ {
		id := fmt.Sprintf("%064d", i)
		pkgs = append(pkgs, &Package{Name: fmt.Sprintf("p%d", i), Arch: "x86_64", Checksum: Checksum{"sha256", id}})
		fmt.Fprintf(&doc, `<package pkgid="%s" name="p%d" arch="x86_64"><version epoch="0" ver="1" rel="1"/>`, id, i)
		for j := 0; j < i%5; j++ {
			fmt.Fprintf(&doc, `<file>/usr/share/p%d/f%d &amp; x</file>`, i, j)
		}
		doc.WriteString("<file type=\"dir\">/usr/share/p" + fmt.Sprint(i) + "</file></package>\n")
	}
	doc.WriteString("</filelists>\n")
	withChunkSize(300, func() {
		if err := ParseFilelists(strings.NewReader(doc.String()), "filelists.xml", pkgs); err != nil {
			t.Fatal(err)
		}
	})
	for i, p := range pkgs {
		if !p.FilesComplete || len(p.Files) != i%5+1 || p.Files[len(p.Files)-1].Type != FileDir {
			t.Fatalf("%s: files %v complete %v", p.Name, p.Files, p.FilesComplete)
		}
		if i%5 > 0 && p.Files[0].Path != fmt.Sprintf("/usr/share/p%d/f0 & x", i) {
			t.Fatalf("%s: first file %q", p.Name, p.Files[0].Path)
		}
	}
}
