package repocache

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// copyRepo copies the repodata of the repository at src into a fresh
// directory and returns that repository's location.
func copyRepo(t *testing.T, src, dst string) string {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dst, "repodata")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dst, "repodata"), 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(src, "repodata"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, "repodata", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "repodata", e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

var demoRepo = filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms")
var demoLookaside = filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "lookaside")

// load opens loc (through c when not nil) with the records asked for.
func load(t *testing.T, c *Dir, loc string, records ...string) []*repomd.Package {
	t.Helper()
	ctx := context.Background()
	if c != nil {
		ctx = repomd.WithCache(ctx, c)
	}
	r, err := repomd.OpenContext(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range records {
		var err error
		switch rec {
		case "filelists":
			err = r.LoadFilelists()
		case "other":
			err = r.LoadOther()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return r.Packages
}

// recorder collects a cache's warnings.
type recorder struct {
	mu   sync.Mutex
	errs []error
}

func (w *recorder) warn(err error) {
	w.mu.Lock()
	w.errs = append(w.errs, err)
	w.mu.Unlock()
}

func samePackages(t *testing.T, what string, got, want []*repomd.Package) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d packages, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, gl := withoutDeps(got[i])
		w, wl := withoutDeps(want[i])
		if !reflect.DeepEqual(g, w) || !reflect.DeepEqual(gl, wl) {
			t.Fatalf("%s: package %d differs:\n got %+v %v\nwant %+v %v", what, i, g, gl, w, wl)
		}
	}
}

// withoutDeps splits p into its dependency lists as []Dep values and the
// rest: two equal DepLists may lie in differently shaped stores.
func withoutDeps(p *repomd.Package) (repomd.Package, [8][]repomd.Dep) {
	cp := *p
	var lists [8][]repomd.Dep
	for i, l := range depLists(&cp) {
		lists[i] = l.Slice()
		*l = repomd.DepList{}
	}
	return cp, lists
}

// TestWarmLoadEqualsParse: a load from images gives exactly the packages a
// parse gives, for every combination of records, and reads no XML.
func TestWarmLoadEqualsParse(t *testing.T) {
	repos := []struct{ name, loc string }{{"demo", demoRepo}}
	if toolcheck.Required() || dirExists(filepath.Join(toolcheck.ProjectRoot(), "..", "shared", "realdata")) {
		repos = append(repos, struct{ name, loc string }{"cs9-baseos", toolcheck.Shared(t, "realdata/cs9-baseos")})
	}
	for _, repo := range repos {
		for _, records := range [][]string{nil, {"filelists"}, {"other"}, {"filelists", "other"}} {
			if repo.name != "demo" && len(records) > 0 && records[len(records)-1] == "other" {
				continue // the real data has no other.xml
			}
			t.Run(repo.name+"+"+strings.Join(records, "+"), func(t *testing.T) {
				loc := copyRepo(t, repo.loc, t.TempDir())
				want := load(t, nil, loc, records...)
				w := &recorder{}
				c := &Dir{Path: filepath.Join(t.TempDir(), "cache"), Warn: w.warn}
				samePackages(t, "cold", load(t, c, loc, records...), want)
				for _, rec := range append([]string{"primary"}, records...) {
					if _, err := os.Stat(c.File(loc, rec)); err != nil {
						t.Fatalf("no image of %s written: %v", rec, err)
					}
				}
				// Without its XML the repository can only load from the images.
				removeRecords(t, loc)
				samePackages(t, "warm", load(t, c, loc, records...), want)
				if len(w.errs) > 0 {
					t.Errorf("warnings: %v", w.errs)
				}
			})
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// removeRecords deletes every metadata file but repomd.xml.
func removeRecords(t *testing.T, loc string) {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(loc, "repodata"))
	for _, e := range ents {
		if e.Name() != "repomd.xml" {
			if err := os.Remove(filepath.Join(loc, "repodata", e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestBadImagesIgnored: an image that is corrupt, truncated, stale,
// foreign or of another format version is never trusted: the load gives
// the parsed packages, and a valid image replaces the bad one. Each bad
// image is made to decode to wrong packages if it were trusted (it was made
// from another repository), or is damaged in its string table.
func TestBadImagesIgnored(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(img []byte, other []byte) []byte
		corrupt bool // expect a warning
	}{
		{"flipped byte in the strings", func(img, _ []byte) []byte {
			i := bytes.Index(img, []byte("demo-"))
			img[i] ^= 0x20
			return img
		}, true},
		{"truncated", func(img, _ []byte) []byte { return img[:len(img)/2] }, true},
		{"truncated to the header", func(img, _ []byte) []byte { return img[:headerSize-1] }, true},
		{"empty", func(img, _ []byte) []byte { return nil }, true},
		{"not an image", func(img, _ []byte) []byte { return []byte(strings.Repeat("garbage\n", 100)) }, true},
		{"stale: made from another repomd.xml", func(_, other []byte) []byte { return other }, false},
		{"another format version", func(_, other []byte) []byte {
			binary.LittleEndian.PutUint32(other[8:], formatVersion+1)
			return other
		}, false},
		{"another package model", func(img, _ []byte) []byte {
			binary.LittleEndian.PutUint64(img[16:], modelFingerprint()+1)
			return resum(img)
		}, false},
		{"valid checksum, garbage payload", func(img, _ []byte) []byte {
			for i := headerSize + 40; i < len(img)-trailerSize; i++ {
				img[i] = 0xff
			}
			return resum(img)
		}, true},
		{"valid checksum, payload cut short", func(img, _ []byte) []byte {
			img = append(img[:len(img)-trailerSize-7], 0, 0, 0, 0)
			binary.LittleEndian.PutUint64(img[56:], uint64(len(img)-headerSize-trailerSize))
			return resum(img)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			loc := copyRepo(t, demoRepo, filepath.Join(tmp, "repo"))
			w := &recorder{}
			c := &Dir{Path: filepath.Join(tmp, "cache"), Warn: w.warn}
			want := load(t, c, loc)
			good, err := os.ReadFile(c.File(loc, "primary"))
			if err != nil {
				t.Fatal(err)
			}
			// An image of another repository at the same location: the
			// lookaside's packages.
			copyRepo(t, demoLookaside, loc)
			load(t, c, loc)
			other, _ := os.ReadFile(c.File(loc, "primary"))
			copyRepo(t, demoRepo, loc)
			w.errs = nil

			bad := tc.damage(bytes.Clone(good), other)
			if err := os.WriteFile(c.File(loc, "primary"), bad, 0o644); err != nil {
				t.Fatal(err)
			}
			samePackages(t, "load over a bad image", load(t, c, loc), want)
			if got, _ := os.ReadFile(c.File(loc, "primary")); !bytes.Equal(got, good) {
				t.Errorf("the bad image was not replaced by a good one")
			}
			if (len(w.errs) > 0) != tc.corrupt {
				t.Errorf("warnings %v, want a warning: %v", w.errs, tc.corrupt)
			}
			// And the replaced image serves the next load.
			removeRecords(t, loc)
			samePackages(t, "warm load after the rewrite", load(t, c, loc), want)
		})
	}
}

// resum recomputes an image's trailer checksum after a test changed it.
func resum(img []byte) []byte {
	n := len(img) - trailerSize
	binary.LittleEndian.PutUint32(img[n:], crc32c(img[:n]))
	return img
}

// TestStaleFilelistsImage: a filelists image is applied only to the
// packages it was made for; after the repository changed, the primary and
// filelists images are both replaced.
func TestStaleFilelistsImage(t *testing.T) {
	tmp := t.TempDir()
	loc := copyRepo(t, demoRepo, filepath.Join(tmp, "repo"))
	c := &Dir{Path: filepath.Join(tmp, "cache")}
	load(t, c, loc, "filelists")
	copyRepo(t, demoLookaside, loc)
	want := load(t, nil, loc, "filelists")
	samePackages(t, "changed repository", load(t, c, loc, "filelists"), want)
	removeRecords(t, loc)
	samePackages(t, "changed repository, warm", load(t, c, loc, "filelists"), want)

	// An image for other packages (same repomd.xml, packages changed by
	// the caller) is not applied.
	copyRepo(t, demoRepo, loc)
	r, err := repomd.OpenContext(repomd.WithCache(context.Background(), c), loc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadFilelists(); err != nil {
		t.Fatal(err)
	}
	r2, err := repomd.OpenContext(repomd.WithCache(context.Background(), c), loc)
	if err != nil {
		t.Fatal(err)
	}
	r2.Packages = r2.Packages[1:]
	if c.Load(r2, "filelists") {
		t.Errorf("a filelists image was applied to other packages")
	}
	for _, p := range r2.Packages {
		if p.FilesComplete {
			t.Fatalf("%s: file list changed by a refused image", p.Name)
		}
	}
}

// TestConcurrentRuns: runs sharing a cache directory, all starting cold,
// all get the parsed packages, and what is left is one valid image per
// record and no temporary files.
func TestConcurrentRuns(t *testing.T) {
	tmp := t.TempDir()
	loc := copyRepo(t, demoRepo, filepath.Join(tmp, "repo"))
	want := load(t, nil, loc, "filelists")
	w := &recorder{}
	c := &Dir{Path: filepath.Join(tmp, "cache"), Warn: w.warn}
	var wg sync.WaitGroup
	results := make([][]*repomd.Package, 8)
	for i := range results {
		wg.Go(func() {
			cc := *c // as separate processes would
			ctx := repomd.WithCache(context.Background(), &cc)
			r, err := repomd.OpenContext(ctx, loc)
			if err == nil {
				err = r.LoadFilelists()
			}
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = r.Packages
		})
	}
	wg.Wait()
	for i, got := range results {
		samePackages(t, "run "+string(rune('0'+i)), got, want)
	}
	ents, _ := os.ReadDir(c.Path)
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("cache holds %v, want the primary and filelists images only", names)
	}
	if len(w.errs) > 0 {
		t.Errorf("warnings: %v", w.errs)
	}
	removeRecords(t, loc)
	samePackages(t, "warm", load(t, c, loc, "filelists"), want)
}

// TestUnwritableCacheWarns: a cache that cannot be written costs nothing
// but a warning; the load works.
func TestUnwritableCacheWarns(t *testing.T) {
	tmp := t.TempDir()
	blocker := filepath.Join(tmp, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w := &recorder{}
	c := &Dir{Path: filepath.Join(blocker, "cache"), Warn: w.warn}
	samePackages(t, "load", load(t, c, demoRepo), load(t, nil, demoRepo))
	if len(w.errs) != 1 || !strings.Contains(w.errs[0].Error(), blocker) {
		t.Errorf("warnings %v, want one naming %s", w.errs, blocker)
	}
}

// TestEveryFieldEncoded fills every field of a package (and of everything
// it holds) through reflection and checks that an image gives it back: a
// field added to the model and not to the encoder fails here. The
// fingerprint changes with the model, so old images are not read.
func TestEveryFieldEncoded(t *testing.T) {
	var pkgs []*repomd.Package
	for seed := 1; seed <= 3; seed++ {
		p := &repomd.Package{}
		fill(reflect.ValueOf(p).Elem(), &seed)
		p.Name, p.Arch = "pkg"+p.Name, "arch"+p.Arch
		pkgs = append(pkgs, p)
	}
	for _, kind := range []uint32{kindPrimary, kindFilelists, kindOther} {
		var sum [32]byte
		img := encode(kind, sum, pkgs)
		var r repomd.Repo
		if kind != kindPrimary {
			// Apply to copies that have everything but the record.
			for _, p := range pkgs {
				cp := *p
				cp.Files, cp.FilesComplete, cp.Changelogs = nil, false, nil
				if kind == kindFilelists {
					cp.Changelogs = p.Changelogs
				} else {
					cp.Files, cp.FilesComplete = p.Files, p.FilesComplete
				}
				r.Packages = append(r.Packages, &cp)
			}
		}
		if err := decode(img, kind, sum, &r); err != nil {
			t.Fatalf("kind %d: %v", kind, err)
		}
		samePackages(t, "round trip", r.Packages, pkgs)
	}
}

// fill sets every field reachable from v to a value derived from *seed
// (which it advances): no field stays zero, slices get two elements.
// Small unsigned integers (flags, file types) stay within their enums.
func fill(v reflect.Value, seed *int) {
	*seed++
	if v.Type() == reflect.TypeFor[repomd.DepList]() {
		var deps []repomd.Dep
		fill(reflect.ValueOf(&deps).Elem(), seed)
		v.Set(reflect.ValueOf(repomd.MakeDepList(deps)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strings.Repeat("x", *seed%5) + string(rune('A'+*seed%26)) + string(rune('a'+(*seed/26)%26)))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*seed) * 1_000_003)
	case reflect.Uint8:
		v.SetUint(uint64(1 + *seed%2))
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), seed)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), seed)
		}
		v.Set(s)
	default:
		panic("fill: no rule for " + v.Type().String())
	}
}

// TestFingerprintFollowsModel: the fingerprint describes the types'
// fields, so a changed model gives another one.
func TestFingerprintFollowsModel(t *testing.T) {
	var a, b strings.Builder
	describeType(&a, reflect.TypeFor[repomd.Package](), map[reflect.Type]bool{})
	describeType(&a, reflect.TypeFor[repomd.Dep](), map[reflect.Type]bool{})
	describeType(&b, reflect.TypeFor[struct {
		repomd.Package
		Extra int
	}](), map[reflect.Type]bool{})
	if a.String() == b.String() {
		t.Fatal("a struct with another field has the same description")
	}
	for _, want := range []string{"Provides", "Changelogs", "FilesComplete", "Pre"} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("description lacks field %s: %s", want, a.String())
		}
	}
}

func TestDecodeErrorsAreCorrupt(t *testing.T) {
	for _, payload := range [][]byte{nil, {0}, {1, 0, 5}, {2, 0, 3, 'a'}} {
		if _, err := decodePrimary(payload); !errors.Is(err, errCorrupt) {
			t.Errorf("decodePrimary(%v) = %v, want a corrupt error", payload, err)
		}
	}
}

// plainCache hides LoadFilteredFiles: a RecordCache without filtered
// loads, which LoadFilelistsFiltered serves by loading whole and filtering.
type plainCache struct{ repomd.RecordCache }

// TestFilteredFilelists: LoadFilelistsFiltered leaves each package that
// filelists lists exactly its complete list filtered (order and types
// kept, FilesComplete false), without a cache, writing one, from a warm
// image and through a cache that cannot filter; the image it leaves
// behind is complete; a later LoadFilelists completes the lists.
func TestFilteredFilelists(t *testing.T) {
	keep := func(path string) bool { return strings.Contains(path, "bin/") || strings.HasSuffix(path, ".spec") }
	full := load(t, nil, demoRepo, "filelists")
	dropped := 0
	want := make([][]repomd.File, len(full))
	for i, p := range full {
		if !p.FilesComplete {
			t.Fatalf("%s: not in filelists", p.NEVRA())
		}
		for _, f := range p.Files {
			if keep(f.Path) {
				want[i] = append(want[i], f)
			} else {
				dropped++
			}
		}
	}
	if dropped == 0 {
		t.Fatal("the filter drops nothing: the test proves nothing")
	}
	dir := t.TempDir()
	for _, mode := range []string{"no cache", "cold cache", "warm cache", "cache without filtering"} {
		ctx := context.Background()
		switch mode {
		case "cold cache", "warm cache":
			ctx = repomd.WithCache(ctx, New(dir))
		case "cache without filtering":
			ctx = repomd.WithCache(ctx, plainCache{New(t.TempDir())})
		}
		r, err := repomd.OpenContext(ctx, demoRepo)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LoadFilelistsFiltered(keep); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		for i, p := range r.Packages {
			if p.FilesComplete || !reflect.DeepEqual(p.Files, want[i]) && (len(p.Files) > 0 || len(want[i]) > 0) {
				t.Fatalf("%s: %s: files %v (complete %v), want %v", mode, p.NEVRA(), p.Files, p.FilesComplete, want[i])
			}
		}
		if err := r.LoadFilelists(); err != nil {
			t.Fatal(err)
		}
		samePackages(t, mode+", then whole", r.Packages, full)
	}
	// The image the cold load wrote holds the complete lists.
	samePackages(t, "warm whole load", load(t, New(dir), demoRepo, "filelists"), full)
}
