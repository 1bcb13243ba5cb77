package ini

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := `# comment
; another
[header]
type = productmd.treeinfo
version=1.2

[checksums]
images/boot.iso = sha256:abc
  [ images-x86_64 ]
kernel: images/pxeboot/vmlinuz
url = http://example.com:8080/x
a:b = c
[header]
version = 1.3
`
	f, err := Parse(strings.NewReader(in), "t.ini")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"header":        {"type": "productmd.treeinfo", "version": "1.3"},
		"checksums":     {"images/boot.iso": "sha256:abc"},
		"images-x86_64": {"kernel": "images/pxeboot/vmlinuz", "url": "http://example.com:8080/x", "a": "b = c"},
	}
	if got := f.Map(); !reflect.DeepEqual(got, want) {
		t.Errorf("Map() = %v\nwant %v", got, want)
	}
	if got := f.Section("header", false).Keys; !reflect.DeepEqual(got, []string{"type", "version"}) {
		t.Errorf("header keys %v", got)
	}
	if names := []string{f.Sections[0].Name, f.Sections[1].Name, f.Sections[2].Name}; !reflect.DeepEqual(names, []string{"header", "checksums", "images-x86_64"}) {
		t.Errorf("section order %v", names)
	}
	if f.Section("nosuch", false) != nil {
		t.Error("missing section found")
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"key = value\n":       "t.ini:1: not a key = value line in a section",
		"[a]\nno pair here\n": "t.ini:2: not a key = value line in a section",
		"[a]\n= no key\n":     "t.ini:2: not a key = value line in a section",
		"[a\nx = y\n":         "t.ini:1: bad section header",
		"[a]\nx = 1\n[]\n":    "t.ini:3: bad section header",
	} {
		_, err := Parse(strings.NewReader(in), "t.ini")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want %q…", in, err, want)
		}
	}
}

// With Options, a multi-config reads as RawConfigParser reads it
// (continuation lines, lower-cased keys) and writes back as its write().
func TestParseWithAndWrite(t *testing.T) {
	src := "[general]\nRelease = 1\n\n[Server]\nconfig = server.conf\nNotes: first\n  second\n\tthird\n# comment\n"
	f, err := ParseWith(strings.NewReader(src), "multi.conf", Options{Continuations: true, LowerKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Section("Server", false).Values["notes"]; got != "first\nsecond\nthird" {
		t.Errorf("continued value %q", got)
	}
	f.Section("Server", false).Set("config", "server.json")
	var b strings.Builder
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "[general]\nrelease = 1\n\n[Server]\nconfig = server.json\nnotes = first\n\tsecond\n\tthird\n\n"
	if b.String() != want {
		t.Errorf("written\n%q\nwant\n%q", b.String(), want)
	}
	// Without the option an indented line is refused, naming the line.
	if _, err := Parse(strings.NewReader(src), "multi.conf"); err == nil || !strings.Contains(err.Error(), "multi.conf:7:") {
		t.Errorf("continuation without the option: %v", err)
	}
}
