package repomd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dbzip2 "github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pungo/pungo/repomd/toolcheck"
	"github.com/ulikunitz/xz"
)

const testPrimary = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>foo</name>
  <arch>x86_64</arch>
  <version epoch="1" ver="2.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">abc123</checksum>
  <summary>Foo &amp; bar &lt;tools&gt;</summary>
  <description><![CDATA[Raw <text> & more]]> and &#x263A; &#65;</description>
  <packager/>
  <url>https://example.org/?a=1&amp;b=2</url>
  <time file="1700000000" build="1690000000"/>
  <size package="1234" installed="5678" archive="6000"/>
  <location xml:base="https://mirror.example.org/os" href="Packages/f/foo-2.0-3.fc40.x86_64.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:vendor>Example</rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>builder</rpm:buildhost>
    <rpm:sourcerpm>foo-2.0-3.fc40.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="9000"/>
    <rpm:provides>
      <rpm:entry name="foo" flags="EQ" epoch="1" ver="2.0" rel="3.fc40"/>
      <rpm:entry name="libfoo.so.1()(64bit)"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="/bin/sh" pre="1"/>
      <rpm:entry name="(bar &gt;= 1.0 if baz)"/>
      <rpm:entry name='quoted "name"'/>
    </rpm:requires>
    <rpm:conflicts><rpm:entry name="old-foo" flags="LT" epoch="0" ver="1.0"/></rpm:conflicts>
    <rpm:obsoletes><rpm:entry name="foo-legacy" flags="LE" epoch="0" ver="1.9"/></rpm:obsoletes>
    <rpm:recommends><rpm:entry name="foo-doc"/></rpm:recommends>
    <rpm:suggests><rpm:entry name="foo-extras"/></rpm:suggests>
    <rpm:supplements><rpm:entry name="(foo-base and langpacks-en)"/></rpm:supplements>
    <rpm:enhances><rpm:entry name="bar"/></rpm:enhances>
    <file>/usr/bin/foo</file>
    <file type="dir">/etc/foo</file>
    <file type="ghost">/var/log/foo.log</file>
  </format>
</package>
<!-- a comment between packages -->
<package type="rpm">
  <name>foo</name>
  <arch>src</arch>
  <version epoch="1" ver="2.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">def456</checksum>
  <summary>Foo</summary>
  <description></description>
  <location href="Packages/f/foo-2.0-3.fc40.src.rpm"/>
  <format><rpm:sourcerpm/></format>
</package>
</metadata>
`

func compressWith(t testing.TB, kind string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch kind {
	case "", "plain":
		return data
	case "gz":
		w = gzip.NewWriter(&buf)
	case "xz":
		w, err = xz.NewWriter(&buf)
	case "zst":
		w, err = zstd.NewWriter(&buf)
	case "bz2":
		w, err = dbzip2.NewWriter(&buf, nil)
	default:
		t.Fatalf("unknown compression %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// testRecord is one metadata file for writeTestRepo.
type testRecord struct {
	typ, compress string
	content       []byte
	wrongSum      bool // write a checksum that does not match
	absent        bool // list it in repomd.xml without writing it
	mangle        func([]byte) []byte
}

// writeTestRepo writes dir/repodata with the records and a repomd.xml
// listing them.
func writeTestRepo(t testing.TB, dir string, recs ...testRecord) {
	t.Helper()
	rd := filepath.Join(dir, "repodata")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>42</revision>
  <tags><content>binary-x86_64</content><distro cpeid="cpe:/o:example:os:1">Example OS 1</distro></tags>
`)
	for _, r := range recs {
		data := compressWith(t, r.compress, r.content)
		if r.mangle != nil {
			data = r.mangle(data) // repomd.xml describes the mangled file
		}
		sum := sha256hex(data)
		if r.wrongSum {
			sum = strings.Repeat("0", 64)
		}
		name := r.typ + ".xml"
		if r.compress != "" && r.compress != "plain" {
			name += "." + r.compress
		}
		if !r.absent {
			if err := os.WriteFile(filepath.Join(rd, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&x, `  <data type="%s">
    <checksum type="sha256">%s</checksum>
    <open-checksum type="sha256">%s</open-checksum>
    <location href="repodata/%s"/>
    <timestamp>1700000000</timestamp>
    <size>%d</size>
    <open-size>%d</open-size>
  </data>
`, r.typ, sum, sha256hex(r.content), name, len(data), len(r.content))
	}
	x.WriteString("</repomd>\n")
	if err := os.WriteFile(filepath.Join(rd, "repomd.xml"), []byte(x.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCompressions(t *testing.T) {
	for _, c := range []string{"plain", "gz", "xz", "zst", "bz2"} {
		t.Run(c, func(t *testing.T) {
			dir := t.TempDir()
			writeTestRepo(t, dir, testRecord{typ: "primary", compress: c, content: []byte(testPrimary)},
				testRecord{typ: "other", compress: c, absent: true})
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkTestPrimary(t, r)
		})
	}
}

func checkTestPrimary(t *testing.T, r *Repo) {
	t.Helper()
	if len(r.Packages) != 2 || r.Revision != "42" {
		t.Fatalf("got %d packages, revision %q", len(r.Packages), r.Revision)
	}
	p := r.Packages[0]
	checks := []struct{ name, got, want string }{
		{"nevra", p.NEVRA(), "foo-1:2.0-3.fc40.x86_64"},
		{"summary", p.Summary, "Foo & bar <tools>"},
		{"description", p.Description, "Raw <text> & more and ☺ A"},
		{"url", p.URL, "https://example.org/?a=1&b=2"},
		{"location base", p.LocationBase, "https://mirror.example.org/os"},
		{"path", r.PackagePath(p), "https://mirror.example.org/os/Packages/f/foo-2.0-3.fc40.x86_64.rpm"},
		{"sourcerpm", p.SourceRPM, "foo-2.0-3.fc40.src.rpm"},
		{"checksum", p.Checksum.Type + ":" + p.Checksum.Value, "sha256:abc123"},
		{"license", p.License + "/" + p.Vendor + "/" + p.Group + "/" + p.BuildHost, "MIT/Example/Unspecified/builder"},
		{"provides", fmt.Sprint(p.Provides), "[foo = 1:2.0-3.fc40 libfoo.so.1()(64bit)]"},
		{"requires", fmt.Sprint(p.Requires), `[/bin/sh (bar >= 1.0 if baz) quoted "name"]`},
		{"conflicts", fmt.Sprint(p.Conflicts), "[old-foo < 1.0]"},
		{"obsoletes", fmt.Sprint(p.Obsoletes), "[foo-legacy <= 1.9]"},
		{"weak", fmt.Sprint(p.Recommends, p.Suggests, p.Supplements, p.Enhances), "[foo-doc] [foo-extras] [(foo-base and langpacks-en)] [bar]"},
		{"files", fmt.Sprint(p.Files), "[{/usr/bin/foo 0} {/etc/foo 1} {/var/log/foo.log 2}]"},
		{"nums", fmt.Sprint(p.TimeFile, p.TimeBuild, p.SizePackage, p.SizeInstalled, p.SizeArchive, p.HeaderStart, p.HeaderEnd),
			"1700000000 1690000000 1234 5678 6000 4504 9000"},
		{"src", r.Packages[1].NEVRA() + " " + r.Packages[1].SourceRPM, "foo-1:2.0-3.fc40.src "},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !p.Requires.At(0).Pre || p.Requires.At(1).Pre {
		t.Errorf("pre flags wrong: %+v", p.Requires)
	}
	if rec, ok := r.Record("primary"); !ok || rec.Timestamp != 1700000000 || rec.OpenSize != int64(len(testPrimary)) {
		t.Errorf("primary record = %+v", rec)
	}
	if len(r.DistroTags) != 1 || r.DistroTags[0].CPEID != "cpe:/o:example:os:1" || r.ContentTags[0] != "binary-x86_64" {
		t.Errorf("tags: %+v %+v", r.DistroTags, r.ContentTags)
	}
}

func TestOpenHTTP(t *testing.T) {
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", compress: "gz", content: []byte(testPrimary)})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	r, err := Open(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	checkTestPrimary(t, r)
	if got := r.PackagePath(r.Packages[1]); got != srv.URL+"/Packages/f/foo-2.0-3.fc40.src.rpm" {
		t.Errorf("PackagePath = %q", got)
	}
	_, err = Open(srv.URL + "/missing")
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/missing/repodata/repomd.xml: HTTP 404") {
		t.Errorf("missing repo over http: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	truncate := func(b []byte) []byte { return b[:len(b)*2/3] }
	cases := []struct {
		name string
		recs []testRecord
		want string // substring; the file name is checked too
		file string
	}{
		{"checksum mismatch", []testRecord{{typ: "primary", compress: "gz", content: []byte(testPrimary), wrongSum: true}},
			"checksum mismatch", "primary.xml.gz"},
		{"truncated gzip", []testRecord{{typ: "primary", compress: "gz", content: bytes.Repeat([]byte(testPrimary), 20), mangle: truncate}},
			"truncated file", "primary.xml.gz"},
		{"truncated xz", []testRecord{{typ: "primary", compress: "xz", content: bytes.Repeat([]byte(testPrimary), 20), mangle: truncate}},
			"truncated file", "primary.xml.xz"},
		{"truncated zstd", []testRecord{{typ: "primary", compress: "zst", content: bytes.Repeat([]byte(testPrimary), 20), mangle: truncate}},
			"truncated file", "primary.xml.zst"},
		{"missing primary", []testRecord{{typ: "primary", compress: "gz", content: []byte(testPrimary), absent: true}},
			"no such file", "primary.xml.gz"},
		{"invalid xml", []testRecord{{typ: "primary", compress: "gz", content: []byte(strings.Replace(testPrimary, "</name>", "</nam>", 1) + "")}},
			"invalid XML", "primary.xml.gz:"},
		{"bad entity", []testRecord{{typ: "primary", content: []byte(strings.Replace(testPrimary, "&amp; bar", "&bogus; bar", 1))}},
			`primary.xml:8: invalid XML: unknown entity "&bogus;"`, "primary.xml"},
		{"unclosed", []testRecord{{typ: "primary", content: []byte(strings.TrimSuffix(testPrimary, "</metadata>\n"))}},
			"unexpected end of file", "primary.xml"},
		{"not primary", []testRecord{{typ: "primary", content: []byte("<other/>")}},
			"not a primary.xml", "primary.xml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestRepo(t, dir, c.recs...)
			_, err := Open(dir)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, c.file) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line containing %q and %q", msg, c.want, c.file)
			}
		})
	}
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", content: []byte(testPrimary)})
	if _, err := Open(filepath.Join(dir, "repodata")); err == nil || !strings.Contains(err.Error(), "repodata directory") {
		t.Errorf("Open(repodata dir): %v", err)
	}
	if _, err := Open(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Open(missing dir): %v", err)
	}
	if r, err := Open("file://" + dir); err != nil || len(r.Packages) != 2 {
		t.Errorf("Open(file://): %v", err)
	}
}

func TestOpenRecord(t *testing.T) {
	dir := t.TempDir()
	comps := []byte("<comps><group><id>core</id></group></comps>\n")
	writeTestRepo(t, dir, testRecord{typ: "primary", content: []byte(testPrimary)},
		testRecord{typ: "group_gz", compress: "gz", content: comps},
		testRecord{typ: "group", content: comps, wrongSum: true})
	r, err := OpenMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("group_gz")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, comps) {
		t.Errorf("group_gz = %q, %v", got, err)
	}
	rc, err = r.OpenRecord("group")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("reading a record with a wrong checksum: %v", err)
	}
	if _, err := r.OpenRecord("modules"); err == nil || !strings.Contains(err.Error(), `no "modules" record`) {
		t.Errorf("OpenRecord(modules): %v", err)
	}
}

// TestSharedRepos loads the real and the conformance repositories.
func TestSharedRepos(t *testing.T) {
	real := toolcheck.Shared(t, "realdata")
	for _, c := range []struct {
		dir   string
		count int
	}{{"cs9-baseos", 1125}, {"cs9-appstream", 17649}} {
		r, err := Open(filepath.Join(real, c.dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Packages) != c.count {
			t.Errorf("%s: %d packages, want %d", c.dir, len(r.Packages), c.count)
		}
		rich := 0
		for _, p := range r.Packages {
			if p.Name == "" || p.Version == "" || p.Arch == "" || p.Location == "" {
				t.Fatalf("%s: incomplete package %+v", c.dir, p)
			}
			// Every rich dependency real packages carry must parse.
			for _, l := range []DepList{p.Requires, p.Recommends, p.Suggests, p.Supplements, p.Enhances, p.Conflicts} {
				for _, d := range l.All() {
					if d.IsRich() {
						rich++
						if _, err := ParseRich(d.Name); err != nil {
							t.Errorf("%s: %s: %v", c.dir, p.NEVRA(), err)
						}
					}
				}
			}
		}
		t.Logf("%s: %d rich dependencies parsed", c.dir, rich)
	}
	gather := toolcheck.Shared(t, "conformance/gather/fixtures")
	dirs, _ := filepath.Glob(filepath.Join(gather, "*"))
	for _, d := range dirs {
		r, err := Open(d)
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		if len(r.Packages) == 0 {
			t.Errorf("%s: no packages", d)
		}
	}
}
