package rpmfile

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cavaliergopher/rpm"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
)

func read(t *testing.T, name string, opts Options) *repomd.Package {
	t.Helper()
	p, err := ReadFile(filepath.Join(rpmtest.Corpus(t), name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func depNames(ds repomd.DepList) []string {
	var s []string
	for _, d := range ds.All() {
		x := d.Name
		if d.Flags != repomd.DepAny {
			x += " " + d.Flags.XMLName() + " " + d.Epoch + ":" + d.Version
			if d.Release != "" {
				x += "-" + d.Release
			}
		}
		if d.Pre {
			x += " pre"
		}
		s = append(s, x)
	}
	return s
}

func TestAlphaFields(t *testing.T) {
	p := read(t, "alpha-1.0-1.noarch.rpm", Options{ChangelogLimit: DefaultChangelogLimit, Location: "alpha-1.0-1.noarch.rpm"})
	checks := []struct{ field, got, want string }{
		{"name", p.Name, "alpha"},
		{"arch", p.Arch, "noarch"},
		{"evr", p.Epoch + ":" + p.Version + "-" + p.Release, "2:1.0-1"},
		{"summary", p.Summary, "Alpha <test> package & friends"},
		{"license", p.License, "MIT"},
		{"vendor", p.Vendor, "Pungo Test Vendor"},
		{"group", p.Group, "Applications/System"},
		{"url", p.URL, "https://example.org/alpha"},
		{"packager", p.Packager, "Pungo Tester <tester@example.org>"},
		{"sourcerpm", p.SourceRPM, "alpha-1.0-1.src.rpm"},
		{"location", p.Location, "alpha-1.0-1.noarch.rpm"},
		// Requires: rpmlib() gone, the self-provided "alpha-api = 1.0" and
		// "config(alpha)" gone, the own primary file /usr/bin/alpha gone,
		// the own non-primary file /usr/share/alpha/data.txt kept; pre set
		// for Requires(pre) and Requires(post) only.
		{"requires", strings.Join(depNames(p.Requires), "|"),
			"((delta and epsilon) or zeta < 3)|(beta >= 1.0 if gamma)|/bin/sh|/usr/bin/beta-tool|/usr/share/alpha/data.txt|coreutils GE 0:8.0 pre|procps|shadow-utils pre"},
		{"provides", strings.Join(depNames(p.Provides), "|"), "alpha EQ 2:1.0-1|alpha(plugin)|alpha-api EQ 0:1.0|config(alpha) EQ 2:1.0-1"},
		{"conflicts", strings.Join(depNames(p.Conflicts), "|"), "oldalpha LT 0:1.0"},
		{"obsoletes", strings.Join(depNames(p.Obsoletes), "|"), "alpha-ancient|alpha-legacy LT 2:1.0-1"},
		{"recommends", strings.Join(depNames(p.Recommends), "|"), "(alpha-lang if langpacks-core)|alpha-doc EQ 2:1.0-1"},
		{"suggests", strings.Join(depNames(p.Suggests), "|"), "alpha-extras"},
		{"supplements", strings.Join(depNames(p.Supplements), "|"), "(alpha-base and langpacks-en)|alpha-core GE 0:1.0"},
		{"enhances", strings.Join(depNames(p.Enhances), "|"), "beta GE 0:0.5"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	types := map[string]repomd.FileType{}
	for _, f := range p.Files {
		types[f.Path] = f.Type
	}
	for path, want := range map[string]repomd.FileType{
		"/usr/share/alpha": repomd.FileDir, "/usr/share/alpha/empty": repomd.FileDir,
		"/var/log/alpha.log": repomd.FileGhost, "/usr/bin/alpha": repomd.FileRegular, "/etc/alpha.conf": repomd.FileRegular,
	} {
		if got, ok := types[path]; !ok || got != want {
			t.Errorf("file %s: type %v present %v, want %v", path, got, ok, want)
		}
	}
	if !p.FilesComplete || len(p.Files) != 6 {
		t.Errorf("files = %v (complete %v), want 6 entries", p.Files, p.FilesComplete)
	}
	data, err := os.ReadFile(filepath.Join(rpmtest.Corpus(t), "alpha-1.0-1.noarch.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x", sha256.Sum256(data)); p.Checksum != (repomd.Checksum{Type: "sha256", Value: want}) {
		t.Errorf("checksum = %v, want sha256 %s", p.Checksum, want)
	}
	if p.SizePackage != int64(len(data)) {
		t.Errorf("size package = %d, want %d", p.SizePackage, len(data))
	}
	// The main header starts right after the padded signature and ends
	// where the payload begins; both start with the header magic.
	if !bytes.HasPrefix(data[p.HeaderStart:], []byte{0x8e, 0xad, 0xe8, 0x01}) || p.HeaderEnd <= p.HeaderStart || p.HeaderEnd >= int64(len(data)) {
		t.Errorf("header range %d-%d does not frame the main header", p.HeaderStart, p.HeaderEnd)
	}
	if p.SizeInstalled != 42 || p.SizeArchive == 0 {
		t.Errorf("installed %d archive %d, want 42 and > 0", p.SizeInstalled, p.SizeArchive)
	}
}

func TestChangelogLimit(t *testing.T) {
	for _, c := range []struct {
		limit     int
		n         int
		firstText string
	}{
		{-1, 12, "- first entry, oldest, same day as the second"},
		{10, 10, "- third entry\n  with a continuation line & <markup>"},
		{2, 2, "- eleventh entry, same day as the twelfth"},
		{0, 0, ""},
	} {
		p := read(t, "alpha-1.0-1.noarch.rpm", Options{ChangelogLimit: c.limit})
		if len(p.Changelogs) != c.n {
			t.Errorf("limit %d: %d entries, want %d", c.limit, len(p.Changelogs), c.n)
			continue
		}
		if c.n == 0 {
			continue
		}
		if p.Changelogs[0].Text != c.firstText {
			t.Errorf("limit %d: oldest kept = %q, want %q", c.limit, p.Changelogs[0].Text, c.firstText)
		}
		last := p.Changelogs[len(p.Changelogs)-1]
		if last.Text != "- twelfth entry, newest" {
			t.Errorf("limit %d: newest = %q", c.limit, last.Text)
		}
		// Entries sharing a day: the newer one is one second later.
		if len(p.Changelogs) >= 2 {
			prev := p.Changelogs[len(p.Changelogs)-2]
			if last.Date != prev.Date+1 {
				t.Errorf("limit %d: same-day dates %d, %d: want the newer bumped by one second", c.limit, prev.Date, last.Date)
			}
		}
		for _, e := range p.Changelogs {
			if strings.HasSuffix(e.Author, " ") {
				t.Errorf("author %q keeps trailing spaces", e.Author)
			}
		}
	}
}

func TestKinds(t *testing.T) {
	for _, c := range []struct {
		file, arch, sourcerpm string
		check                 func(p *repomd.Package) string
	}{
		{"alpha-1.0-1.src.rpm", "src", "", nil},
		{"multi-0.9-1.i686.rpm", "i686", "multi-0.9-1.src.rpm", nil},
		{"libfoo-1.2.3-4.x86_64.rpm", "x86_64", "libfoo-1.2.3-4.src.rpm", func(p *repomd.Package) string {
			// Only the highest libc.so.6 require survives, and last.
			r := depNames(p.Requires)
			if len(r) == 0 || r[len(r)-1] != "libc.so.6(GLIBC_2.2.5)(64bit)" {
				return fmt.Sprintf("requires %v: want libc.so.6(GLIBC_2.2.5)(64bit) last", r)
			}
			for _, x := range r[:len(r)-1] {
				if strings.HasPrefix(x, "libc.so.6") {
					return fmt.Sprintf("requires %v: a lower libc.so.6 require is kept", r)
				}
			}
			if p.Epoch != "0" {
				return "epoch " + p.Epoch
			}
			return ""
		}},
	} {
		p := read(t, c.file, Options{})
		if p.Arch != c.arch || p.SourceRPM != c.sourcerpm {
			t.Errorf("%s: arch %q sourcerpm %q, want %q %q", c.file, p.Arch, p.SourceRPM, c.arch, c.sourcerpm)
		}
		if c.check != nil {
			if msg := c.check(p); msg != "" {
				t.Errorf("%s: %s", c.file, msg)
			}
		}
	}
}

func TestChecksumTypes(t *testing.T) {
	path := filepath.Join(rpmtest.Corpus(t), "multi-0.9-1.x86_64.rpm")
	data, _ := os.ReadFile(path)
	for _, c := range []struct{ in, typ, want string }{
		{"sha256", "sha256", fmt.Sprintf("%x", sha256.Sum256(data))},
		{"sha512", "sha512", fmt.Sprintf("%x", sha512.Sum512(data))},
		// createrepo_c keeps "sha" as the type name, and reads names in any case.
		{"sha", "sha", fmt.Sprintf("%x", sha1.Sum(data))},
		{"sha1", "sha1", fmt.Sprintf("%x", sha1.Sum(data))},
		{"SHA256", "sha256", fmt.Sprintf("%x", sha256.Sum256(data))},
		{"md5", "md5", fmt.Sprintf("%x", md5.Sum(data))},
	} {
		p, err := ReadFile(path, Options{ChecksumType: c.in})
		if err != nil {
			t.Fatal(err)
		}
		if p.Checksum.Type != c.typ || (c.want != "" && p.Checksum.Value != c.want) || len(p.Checksum.Value) == 0 {
			t.Errorf("%s: got %v", c.in, p.Checksum)
		}
	}
	if _, err := ReadFile(path, Options{ChecksumType: "md4"}); err == nil {
		t.Error("md4: no error")
	}
}

// The regression tests below pin the cavaliergopher/rpm v1.3.0 defects this
// package works around; each fails if the workaround is removed.

func TestRegressionSupplementsFlags(t *testing.T) {
	path := filepath.Join(rpmtest.Corpus(t), "alpha-1.0-1.noarch.rpm")
	lib, err := rpm.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// The library takes Supplements' flags from the Suggests tag, which has
	// fewer entries here, so it panics or reports the wrong operator.
	libFlags := func() (s string) {
		defer func() {
			if recover() != nil {
				s = "panic"
			}
		}()
		for _, d := range lib.Supplements() {
			if d.Name() == "alpha-core" {
				return fmt.Sprint(d.Flags() & 0xf)
			}
		}
		return "missing"
	}()
	if libFlags == fmt.Sprint(senseGreater|senseEqual) {
		t.Log("cavaliergopher/rpm reads Supplements flags correctly now; the raw-tag reader is still right")
	}
	p, err := ReadFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := depNames(p.Supplements)
	if len(got) != 2 || got[1] != "alpha-core GE 0:1.0" {
		t.Errorf("supplements = %v, want alpha-core GE 0:1.0 (library says flags %s)", got, libFlags)
	}
}

func TestRegressionChangelog(t *testing.T) {
	path := filepath.Join(rpmtest.Corpus(t), "alpha-1.0-1.noarch.rpm")
	lib, err := rpm.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.ChangeLog()); n != 0 {
		t.Logf("cavaliergopher/rpm ChangeLog returns %d entries now", n)
	}
	p, err := ReadFile(path, Options{ChangelogLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changelogs) != 12 || p.Changelogs[0].Author != "Pungo Tester <tester@example.org> - 2:1.0-1" {
		t.Errorf("changelogs = %d entries, first %+v", len(p.Changelogs), p.Changelogs)
	}
}

func TestRegressionShortReads(t *testing.T) {
	path := filepath.Join(rpmtest.Corpus(t), "libfoo-1.2.3-4.x86_64.rpm")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The library itself takes a short read for the whole structure.
	if _, err := rpm.Read(iotest.OneByteReader(bytes.NewReader(data))); err == nil {
		t.Log("cavaliergopher/rpm handles one-byte reads now")
	}
	for _, c := range []struct {
		name string
		r    io.Reader
	}{
		{"one byte", iotest.OneByteReader(bytes.NewReader(data))},
		{"half", iotest.HalfReader(bytes.NewReader(data))},
		{"data err", iotest.DataErrReader(bytes.NewReader(data))},
	} {
		name, r := c.name, c.r
		got, err := Read(r, Options{})
		if err != nil {
			t.Errorf("%s reader: %v", name, err)
			continue
		}
		got.TimeFile = want.TimeFile
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("%s reader: package differs from ReadFile's", name)
		}
	}
}

func TestCorruptFiles(t *testing.T) {
	src := filepath.Join(rpmtest.Corpus(t), "alpha-1.0-1.noarch.rpm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ReadFile(src, Options{})
	dir := t.TempDir()
	flip := func(at int64) []byte {
		b := bytes.Clone(data)
		b[at] ^= 0xff
		return b
	}
	for name, content := range map[string][]byte{
		"empty":            {},
		"lead only":        data[:96],
		"cut in signature": data[:200],
		"cut in header":    data[:p.HeaderStart+100],
		"cut in payload":   data[:p.HeaderEnd+10],
		"bad lead magic":   flip(0),
		"bad header magic": flip(p.HeaderStart),
		"bad index count":  flip(p.HeaderStart + 8),
		// An entry claiming 2^31 int32 values would make the parser
		// allocate 16 GB; it must be refused before.
		"huge entry count": func() []byte {
			b := bytes.Clone(data)
			for i := 0; i < 4; i++ {
				b[p.HeaderStart+16+12+int64(i)] = []byte{0x7f, 0xff, 0xff, 0xff}[i]
			}
			return b
		}(),
		"entry offset outside": func() []byte {
			b := bytes.Clone(data)
			b[p.HeaderStart+16+8] = 0x7f
			return b
		}(),
		"text file":         []byte("this is not an rpm\n"),
		"huge header sizes": append(bytes.Clone(data[:96]), 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".rpm")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path, Options{})
		if name == "cut in payload" {
			// The headers are intact; only the digest covers fewer bytes.
			if err != nil || got.SizePackage != p.HeaderEnd+10 {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q must be one line naming the file", name, msg)
		}
	}
}

func TestCompareLibc(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"libc.so.6()(64bit)", "libc.so.6(GLIBC_2.2.5)(64bit)", 2},
		{"libc.so.6(GLIBC_2.4)(64bit)", "libc.so.6(GLIBC_2.3.4)(64bit)", 1},
		{"libc.so.6(GLIBC_2.14)", "libc.so.6(GLIBC_2.4)", 1},
		{"libc.so.6", "libc.so.6", 0},
		{"libc.so.6", "libc.so.6(GLIBC_2.4)", 2},
		{"libc.so.6(GLIBC_PRIVATE)", "libc.so.6(GLIBC_2.4)", 2},
	} {
		if got := compareLibc(c.a, c.b); got != c.want {
			t.Errorf("compareLibc(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestParseEVR(t *testing.T) {
	for _, c := range []struct {
		in   string
		want repomd.EVR
	}{
		{"", repomd.EVR{}},
		{"1.0", repomd.EVR{Epoch: "0", Version: "1.0"}},
		{"2:1.0-1.fc40", repomd.EVR{Epoch: "2", Version: "1.0", Release: "1.fc40"}},
		{"1.0-", repomd.EVR{Epoch: "0", Version: "1.0"}},
		{"x:1.0", repomd.EVR{Epoch: "0", Version: "1.0"}},
	} {
		if got := parseEVR(c.in); got != c.want {
			t.Errorf("parseEVR(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestIsPrimaryFile(t *testing.T) {
	for path, want := range map[string]bool{
		"/etc/foo": true, "/usr/bin/x": true, "/opt/a/sbin/b": true, "/usr/lib/sendmail": true,
		"/usr/lib/sendmail2": false, "/usr/share/doc": false, "/etc": false, "/binary": false,
	} {
		if IsPrimaryFile(path) != want {
			t.Errorf("IsPrimaryFile(%q) = %v", path, !want)
		}
	}
}

// FuzzReadHeader feeds arbitrary bytes to the header reader: it must return
// a package or an error, never panic or hang.
func FuzzReadHeader(f *testing.F) {
	if dir, err := rpmtest.TryCorpus(); err == nil {
		for _, name := range []string{"multi-0.9-1.i686.rpm", "alpha-1.0-1.src.rpm"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte{0xed, 0xab, 0xee, 0xdb})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Digest checking reads any input without a panic or a hang.
		VerifyDigests(bytes.NewReader(data))
		p, err := parseBytes(data, Options{ChangelogLimit: -1})
		if err != nil {
			return
		}
		// What the in-memory path (files up to 4 MB) accepts, the
		// streaming path reads alike. (Only then: on garbage it would
		// first allocate the up to 32 MB the header sizes claim.)
		s, err := ReadHeader(bytes.NewReader(data), Options{ChangelogLimit: -1})
		if err != nil || s.NEVRA() != p.NEVRA() || len(s.Files) != len(p.Files) {
			t.Fatalf("streaming read differs: %v", err)
		}
		if p.HeaderEnd < p.HeaderStart || p.Name == "" {
			t.Fatalf("accepted package with header range %d-%d name %q", p.HeaderStart, p.HeaderEnd, p.Name)
		}
	})
}
