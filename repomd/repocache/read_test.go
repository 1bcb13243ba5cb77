package repocache

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"github.com/pungo/pungo/repomd"
)

// strings calls fn with every string a package holds, dependency names
// and EVRs included.
func eachString(p *repomd.Package, fn func(string)) {
	for _, s := range []string{p.Name, p.Arch, p.Epoch, p.Version, p.Release, p.Checksum.Type, p.Checksum.Value,
		p.Summary, p.Description, p.Packager, p.URL, p.Location, p.LocationBase, p.License, p.Vendor, p.Group,
		p.BuildHost, p.SourceRPM} {
		fn(s)
	}
	for _, l := range depLists(p) {
		for _, d := range l.All() {
			fn(d.Name)
			fn(d.Epoch)
			fn(d.Version)
			fn(d.Release)
		}
	}
	for _, f := range p.Files {
		fn(f.Path)
	}
	for _, c := range p.Changelogs {
		fn(c.Author)
		fn(c.Text)
	}
}

// TestDecodedPackagesOutliveTheImage: what a warm load decodes from a
// mapped image keeps no pointer into the mapping (every string of every
// package lies outside it), so unmapping it right after the decode is
// safe; after the unmap the packages still read back equal to a parse
// (a string left in the mapping would fault here). Primary, whole and
// filtered filelists, and other images.
func TestDecodedPackagesOutliveTheImage(t *testing.T) {
	loc := copyRepo(t, demoRepo, t.TempDir())
	want := load(t, nil, loc, "filelists", "other")
	c := &Dir{Path: filepath.Join(t.TempDir(), "cache")}
	load(t, c, loc, "filelists", "other") // writes the images
	r, err := repomd.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := repomdSum(r)
	image := func(typ string) ([]byte, func()) {
		data, release, err := readImage(c.File(loc, typ))
		if err != nil {
			t.Fatal(err)
		}
		return data, release
	}
	outside := func(what string, pkgs []*repomd.Package, data []byte) {
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
		hi := lo + uintptr(len(data))
		n := 0
		for _, p := range pkgs {
			eachString(p, func(s string) {
				if s == "" {
					return
				}
				n++
				if a := uintptr(unsafe.Pointer(unsafe.StringData(s))); a >= lo && a < hi {
					t.Fatalf("%s: %s's string %q points into the image", what, p.Name, s)
				}
			})
		}
		if n == 0 {
			t.Fatalf("%s: no strings checked", what)
		}
	}
	data, release := image("primary")
	r.Packages = nil
	if err := applyImage(func(d []byte, k uint32, s [32]byte) error { return decode(d, k, s, r) }, data, kindPrimary, sum); err != nil {
		t.Fatal(err)
	}
	outside("primary", r.Packages, data)
	release()
	for _, rec := range []struct {
		typ  string
		kind uint32
		keep func(string) bool
	}{{"filelists", kindFilelists, nil}, {"filelists", kindFilelists, func(p string) bool { return len(p)%2 == 0 }}, {"other", kindOther, nil}} {
		data, release := image(rec.typ)
		apply := func(d []byte, k uint32, s [32]byte) error { return decode(d, k, s, r) }
		if rec.keep != nil {
			apply = func(d []byte, k uint32, s [32]byte) error {
				payload, err := payloadOf(d, k, s)
				if err != nil {
					return err
				}
				return decodeFilteredFiles(payload, r.Packages, rec.keep)
			}
		}
		if err := applyImage(apply, data, rec.kind, sum); err != nil {
			t.Fatal(err)
		}
		outside(rec.typ, r.Packages, data)
		release()
		if rec.keep != nil {
			// Back to the whole lists for the comparison below.
			data, release := image("filelists")
			if err := applyImage(func(d []byte, k uint32, s [32]byte) error { return decode(d, k, s, r) }, data, kindFilelists, sum); err != nil {
				t.Fatal(err)
			}
			release()
		}
	}
	runtime.GC()
	samePackages(t, "after unmapping", r.Packages, want)
}

// TestImageTruncatedWhileMapped: an image that shrinks while it is mapped
// (someone truncating the file) faults on read; the load reports it as
// corrupt instead of crashing, and the next load parses the XML again.
func TestImageTruncatedWhileMapped(t *testing.T) {
	loc := copyRepo(t, demoRepo, t.TempDir())
	want := load(t, nil, loc)
	w := &recorder{}
	c := &Dir{Path: filepath.Join(t.TempDir(), "cache"), Warn: w.warn}
	load(t, c, loc)
	path := c.File(loc, "primary")
	data, release, err := readImage(path)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if len(data) < 2*os.Getpagesize() {
		t.Skipf("image of %d bytes: too small to fault past its first page", len(data))
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	r, err := repomd.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := repomdSum(r)
	err = applyImage(func(d []byte, k uint32, s [32]byte) error { return decode(d, k, s, r) }, data, kindPrimary, sum)
	if !errors.Is(err, errCorrupt) {
		t.Fatalf("decode of a truncated mapping: %v, want a corrupt image", err)
	}
	// Other panics are not turned into errors.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a panic of the decoder was swallowed")
			}
		}()
		applyImage(func([]byte, uint32, [32]byte) error { panic("bug") }, data, kindPrimary, sum)
	}()
	samePackages(t, "after the truncated image", load(t, c, loc), want)
}
