package repomd

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// primaryWith returns testPrimary with extra text inserted before the
// first package's requires list ends.
func primaryWith(old, new string) []byte {
	return []byte(strings.Replace(testPrimary, old, new, 1))
}

// TestHostileMetadata: hostile or broken metadata gives a one-line error
// naming the file (and line) and the limit or cause, never a crash, a
// bare "EOF" or a silent load.
func TestHostileMetadata(t *testing.T) {
	deepRich := strings.Repeat("(", 1_000_000) + "a" + strings.Repeat(")", 1_000_000)
	deepXML := strings.Repeat("<x>", 100_000) + strings.Repeat("</x>", 100_000)
	cases := []struct {
		name string
		rec  testRecord
		want string
	}{
		{"rich dependency nested 1e6 deep",
			testRecord{typ: "primary", compress: "gz", content: primaryWith(`<rpm:entry name="/bin/sh" pre="1"/>`, `<rpm:entry name="`+deepRich+`"/>`)},
			"primary.xml.gz:27: rich dependency nested deeper than the limit of 64 levels"},
		{"elements nested 1e5 deep",
			testRecord{typ: "primary", compress: "gz", content: primaryWith(`<file>/usr/bin/foo</file>`, deepXML)},
			"primary.xml.gz:37: invalid XML: elements nested deeper than the limit of 256"},
		{"gzip cut to three bytes",
			testRecord{typ: "primary", compress: "gz", content: []byte(testPrimary), mangle: func(b []byte) []byte { return b[:3] }},
			"primary.xml.gz: truncated file (the gzip header is incomplete)"},
		{"gzip cut to ten bytes",
			testRecord{typ: "primary", compress: "gz", content: []byte(testPrimary), mangle: func(b []byte) []byte { return b[:10] }},
			"primary.xml.gz: truncated file"},
		{"NUL byte",
			testRecord{typ: "primary", compress: "gz", content: primaryWith("<summary>Foo", "<summary>F\x00oo")},
			"primary.xml.gz:8: invalid XML: NUL byte (dnf refuses the repository)"},
		{"invalid UTF-8",
			testRecord{typ: "primary", content: primaryWith("<packager/>", "<packager>\xff\xfe</packager>")},
			"primary.xml:10: invalid XML: invalid UTF-8"},
		{"control character",
			testRecord{typ: "primary", content: primaryWith("<url>", "<url>\x1b")},
			"primary.xml:11: invalid XML: control character 0x1b"},
		{"character reference to NUL's neighbour",
			testRecord{typ: "primary", content: primaryWith("<url>", "<url>&#1;")},
			`primary.xml:11: invalid XML: bad character reference "&#1;"`},
		{"negative epoch",
			testRecord{typ: "primary", content: primaryWith(`epoch="1" ver="2.0" rel="3.fc40"/>`, `epoch="-1" ver="2.0" rel="3.fc40"/>`)},
			`primary.xml:6: package foo: negative epoch "-1"`},
		{"epoch not a number",
			testRecord{typ: "primary", content: primaryWith(`epoch="1" ver="2.0" rel="3.fc40"/>`, `epoch="x" ver="2.0" rel="3.fc40"/>`)},
			`primary.xml:6: package foo: epoch "x" is not a number`},
		{"empty primary",
			testRecord{typ: "primary", compress: "plain", content: nil},
			"primary.xml: not a primary.xml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestRepo(t, dir, c.rec)
			_, err := Open(dir)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if len(msg) > 400 {
				t.Errorf("error is %d bytes long", len(msg))
			}
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %.300q: want one line containing %q", msg, c.want)
			}
		})
	}
}

func TestParseRichDepthLimit(t *testing.T) {
	for _, tt := range []struct {
		depth int
		ok    bool
	}{{1, true}, {MaxRichDepth, true}, {MaxRichDepth + 1, false}, {1_000_000, false}} {
		s := strings.Repeat("(", tt.depth) + "a or b" + strings.Repeat(")", tt.depth)
		_, err := ParseRich(s)
		if (err == nil) != tt.ok || err != nil && (!strings.Contains(err.Error(), "limit of 64") || len(err.Error()) > 200) {
			t.Errorf("depth %d: %.200v", tt.depth, err)
		}
	}
}

// TestEndlessMetadata: a primary that never ends (an endless HTTP body, a
// FIFO of zeros) is cut off at repomd.xml's size, and a gz that inflates
// past its open-size at the open-size, with an error naming the file.
func TestEndlessMetadata(t *testing.T) {
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", compress: "gz", content: []byte(testPrimary)})
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("/repodata/primary.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		zeros := make([]byte, 64<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(zeros); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	_, err := Open(srv.URL)
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/repodata/primary.xml.gz: larger than expected: more than the") {
		t.Errorf("endless HTTP body: %v", err)
	}

	// A FIFO of zeros in place of primary.xml.gz.
	fifo := filepath.Join(dir, "repodata", "primary.xml.gz")
	os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		zeros := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := f.Write(zeros); err != nil {
				return
			}
		}
	}()
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), fifo+": larger than the size repomd.xml announces") {
		t.Errorf("FIFO of zeros: %v", err)
	}

	// A bomb: the gz inflates beyond the open-size repomd.xml gives.
	bomb := t.TempDir()
	big := []byte(strings.Replace(testPrimary, "<description></description>", "<description>"+strings.Repeat("x", 10<<20)+"</description>", 1))
	writeTestRepo(t, bomb, testRecord{typ: "primary", compress: "gz", content: big})
	rd := filepath.Join(bomb, "repodata", "repomd.xml")
	x, _ := os.ReadFile(rd)
	os.WriteFile(rd, []byte(strings.Replace(string(x), fmt.Sprintf("<open-size>%d<", len(big)), "<open-size>1000<", 1)), 0o644)
	_, err = Open(bomb)
	if err == nil || !strings.Contains(err.Error(), "primary.xml.gz: decompresses to more than the open-size repomd.xml announces") {
		t.Errorf("bomb: %v", err)
	}
}

// TestCheckedPackagePath: a location resolving outside the repository is
// refused naming the repository and the href.
func TestCheckedPackagePath(t *testing.T) {
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", content: []byte(testPrimary)})
	local, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	local.AllowedRoots = []string{"/mnt/koji"}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	remote, err := Open(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		remote     bool
		base, href string
		want       string // path, or the error's ending
	}{
		{false, "", "Packages/a-1-1.noarch.rpm", dir + "/Packages/a-1-1.noarch.rpm"},
		{false, "", "a/../b.rpm", dir + "/b.rpm"},
		{false, "", "../outside.rpm", `location href="../outside.rpm" resolves outside the repository`},
		{false, "", "Packages/../../../outside-secret.txt", "resolves outside the repository"},
		{false, "", "/etc/passwd", "is not relative to the repository"},
		{false, "", "", "names no file"},
		{false, "", "Packages/", "names no file"},
		{false, "file:///etc", "passwd", `location xml:base="file:///etc" href="passwd" resolves outside the repository`},
		{false, "/", "etc/passwd", "resolves outside the repository"},
		{false, "file://" + dir + "/..", "x.rpm", "resolves outside the repository"},
		{false, "file://" + dir + "/sub", "x.rpm", dir + "/sub/x.rpm"},
		{false, "file:///mnt/koji/packages", "x.rpm", "/mnt/koji/packages/x.rpm"},
		{false, "file:///mnt/kojix", "x.rpm", "resolves outside the repository"},
		{false, "https://mirror.example.org/os", "x.rpm", "https://mirror.example.org/os/x.rpm"},
		{false, "ftp://x/", "x.rpm", "unsupported URL scheme"},
		{true, "", "Packages/x.rpm", srv.URL + "/Packages/x.rpm"},
		{true, "", "../x.rpm", "resolves outside the repository"},
		{true, "file:///", "etc/passwd", "points a remote repository at local files"},
		{true, "/tmp", "x.rpm", "points a remote repository at local files"},
	} {
		r := local
		if tt.remote {
			r = remote
		}
		p := &Package{Name: "a", EVR: EVR{Version: "1", Release: "1"}, Arch: "noarch", Location: tt.href, LocationBase: tt.base}
		got, err := r.CheckedPackagePath(p)
		switch {
		case err == nil && got != tt.want:
			t.Errorf("%q %q: %q, want %q", tt.base, tt.href, got, tt.want)
		case err != nil && (!strings.HasSuffix(err.Error(), tt.want) || !strings.Contains(err.Error(), "repository "+r.Location+": package a-1-1.noarch: location")):
			t.Errorf("%q %q: %v, want …%q", tt.base, tt.href, err, tt.want)
		}
	}
}

// TestHugeDescriptionMemory: one package whose description is 32 MiB
// (issue 10: a 100 MB one needed 1.07 GB) loads allocating a small
// multiple of its size. The chunk splitter grows its buffer
// geometrically; grown by a chunk at a time it copied the package once
// per 512 KiB it spans (over 1 GiB allocated here).
func TestHugeDescriptionMemory(t *testing.T) {
	const size = 32 << 20
	dir := t.TempDir()
	big := []byte(strings.Replace(testPrimary, "<description></description>", "<description>"+strings.Repeat("x", size)+"</description>", 1))
	writeTestRepo(t, dir, testRecord{typ: "primary", compress: "gz", content: big})
	big = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := Open(dir)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, p := range r.Packages {
		longest = max(longest, len(p.Description))
	}
	if longest != size {
		t.Fatalf("longest description %d bytes, want %d", longest, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*size {
		t.Errorf("loading allocated %d MiB for a %d MiB description", alloc>>20, size>>20)
	}
}
