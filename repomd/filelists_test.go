package repomd

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// The src package comes first here, unlike primary, to exercise matching
// by pkgid.
const testFilelists = `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="def456" name="foo" arch="src">
  <version epoch="1" ver="2.0" rel="3.fc40"/>
  <file>foo.spec</file>
</package>
<package pkgid="abc123" name="foo" arch="x86_64">
  <version epoch="1" ver="2.0" rel="3.fc40"/>
  <file>/usr/bin/foo</file>
  <file type="dir">/etc/foo</file>
  <file>/etc/foo/a&amp;b.conf</file>
  <file>/usr/lib64/libfoo.so.1</file>
  <file type="ghost">/var/log/foo.log</file>
</package>
<package pkgid="zzz" name="unknown" arch="noarch"><file>/x</file></package>
</filelists>
`

const testOther = `<?xml version="1.0" encoding="UTF-8"?>
<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="2">
<package pkgid="abc123" name="foo" arch="x86_64">
  <version epoch="1" ver="2.0" rel="3.fc40"/>
  <changelog author="Jane Doe &lt;jane@example.org&gt; - 2.0-3" date="1690000000">- Fix &quot;things&quot;
- More</changelog>
  <changelog author="Jane Doe &lt;jane@example.org&gt; - 2.0-2" date="1680000000">- Older</changelog>
</package>
<package pkgid="def456" name="foo" arch="src"><version epoch="1" ver="2.0" rel="3.fc40"/></package>
</otherdata>
`

func TestLoadFilelistsAndOther(t *testing.T) {
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", compress: "gz", content: []byte(testPrimary)},
		testRecord{typ: "filelists", compress: "zst", content: []byte(testFilelists)},
		testRecord{typ: "other", compress: "xz", content: []byte(testOther)})
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Packages[0].FilesComplete {
		t.Fatal("FilesComplete before LoadFilelists")
	}
	if err := r.LoadFilelists(); err != nil {
		t.Fatal(err)
	}
	p, src := r.Packages[0], r.Packages[1]
	if got := fmt.Sprint(p.Files); got != "[{/usr/bin/foo 0} {/etc/foo 1} {/etc/foo/a&b.conf 0} {/usr/lib64/libfoo.so.1 0} {/var/log/foo.log 2}]" || !p.FilesComplete {
		t.Errorf("files = %s (complete %v)", got, p.FilesComplete)
	}
	if fmt.Sprint(src.Files) != "[{foo.spec 0}]" || !src.FilesComplete {
		t.Errorf("src files = %v", src.Files)
	}
	if err := r.LoadOther(); err != nil {
		t.Fatal(err)
	}
	if len(p.Changelogs) != 2 || p.Changelogs[0].Author != "Jane Doe <jane@example.org> - 2.0-3" ||
		p.Changelogs[0].Text != "- Fix \"things\"\n- More" || p.Changelogs[1].Date != 1680000000 {
		t.Errorf("changelogs = %+v", p.Changelogs)
	}
}

func TestLoadMissingExtension(t *testing.T) {
	dir := t.TempDir()
	writeTestRepo(t, dir, testRecord{typ: "primary", content: []byte(testPrimary)},
		testRecord{typ: "filelists", compress: "gz", content: []byte(testFilelists), absent: true})
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("Open must not need filelists: %v", err)
	}
	err = r.LoadFilelists()
	if err == nil || !strings.Contains(err.Error(), "filelists.xml.gz: no such file") {
		t.Errorf("LoadFilelists: %v", err)
	}
	if err := r.LoadOther(); err == nil || !strings.Contains(err.Error(), `no "other" record`) {
		t.Errorf("LoadOther: %v", err)
	}
}

func TestSharedFilelists(t *testing.T) {
	r, err := Open(filepath.Join(toolcheck.Shared(t, "realdata"), "cs9-baseos"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadFilelists(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range r.Packages {
		if !p.FilesComplete {
			t.Fatalf("%s: no filelists entry", p.NEVRA())
		}
		n += len(p.Files)
	}
	if n < 50000 {
		t.Errorf("only %d files in cs9-baseos", n)
	}
	// other.xml is listed in repomd.xml but absent: a clear error, only now.
	if err := r.LoadOther(); err == nil || !strings.Contains(err.Error(), "other.xml.gz: no such file") {
		t.Errorf("LoadOther: %v", err)
	}
}
