package repocache

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/pungo/pungo/repomd"
)

// payload strips an image's header and trailer.
func payload(img []byte) []byte { return img[headerSize : len(img)-trailerSize] }

// FuzzDecode feeds the decoders arbitrary payloads (past the checksum,
// which would turn nearly every mutation away): none may panic or
// allocate without bound; a primary payload that decodes re-encodes to
// one that decodes to the same packages; a filelists or other payload
// that fails leaves the packages it was applied to untouched; and the
// whole-file check never accepts the input as a file of another state.
func FuzzDecode(f *testing.F) {
	r, err := repomd.Open(demoRepo)
	if err != nil {
		f.Fatal(err)
	}
	if err := r.LoadFilelists(); err != nil {
		f.Fatal(err)
	}
	if err := r.LoadOther(); err != nil {
		f.Fatal(err)
	}
	var sum [32]byte
	for _, kind := range []uint32{kindPrimary, kindFilelists, kindOther} {
		img := encode(kind, sum, r.Packages)
		f.Add(payload(img))
		f.Add(img)
	}
	f.Add([]byte{})
	// Packages to apply filelists and other payloads to, fresh for each
	// input: decoded from the primary image (parsing XML per input would
	// be far slower).
	primary := payload(encode(kindPrimary, sum, r.Packages))
	fresh := func() []*repomd.Package {
		pkgs, err := decodePrimary(primary)
		if err != nil {
			f.Fatal(err)
		}
		return pkgs
	}
	bare := func() []*repomd.Package {
		pkgs := fresh()
		for _, p := range pkgs {
			p.Files, p.FilesComplete = nil, false
		}
		return pkgs
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if pkgs, err := decodePrimary(data); err == nil {
			again, err := decodePrimary(payload(encode(kindPrimary, sum, pkgs)))
			if err != nil {
				t.Fatalf("re-encoded image does not decode: %v", err)
			}
			// Compared as values, not stores: a fuzzed string table may
			// hold a string twice or unused, which re-encoding drops, so
			// equal lists can lie in differently shaped stores.
			samePackages(t, "re-encoded image", again, pkgs)
		}
		pkgs := fresh()
		before := lists(pkgs)
		if err := decodeFiles(data, pkgs); err != nil && !reflect.DeepEqual(lists(pkgs), before) {
			t.Fatalf("a filelists image that failed (%v) changed the packages", err)
		}
		// A filtered decode accepts exactly the images a whole one does
		// and keeps, of each list the image sets, the entries the filter
		// accepts; it leaves the others alone. Both start from packages
		// without lists, so that a set list is told by FilesComplete.
		whole, filtered := bare(), bare()
		errWhole := decodeFiles(data, whole)
		errFiltered := decodeFilteredFiles(data, filtered, fuzzKeep)
		switch {
		case (errWhole == nil) != (errFiltered == nil):
			t.Fatalf("whole decode: %v, filtered: %v", errWhole, errFiltered)
		case errFiltered != nil && !reflect.DeepEqual(lists(filtered), lists(bare())):
			t.Fatalf("a filelists image that failed filtered (%v) changed the packages", errFiltered)
		case errWhole == nil:
			for i, p := range whole {
				var want []repomd.File
				for _, f := range p.Files {
					if fuzzKeep(f.Path) {
						want = append(want, f)
					}
				}
				got := filtered[i]
				if got.FilesComplete || len(got.Files) != len(want) || len(want) > 0 && !reflect.DeepEqual(got.Files, want) {
					t.Fatalf("package %d: filtered files %v (complete %v), want %v", i, got.Files, got.FilesComplete, want)
				}
			}
		}
		before = lists(pkgs)
		if err := decodeChangelogs(data, pkgs); err != nil && !reflect.DeepEqual(lists(pkgs), before) {
			t.Fatalf("an other image that failed (%v) changed the packages", err)
		}
		var other [32]byte
		other[0] = 1
		if _, err := payloadOf(data, kindPrimary, other); err == nil {
			t.Fatal("an image made for another repomd.xml was accepted")
		}
	})
}

// fuzzKeep is the filter of FuzzDecode's filtered filelists decode.
func fuzzKeep(path string) bool { return len(path)%2 == 0 }

// listState is what applying a filelists or other image changes in a
// package: which file list and changelog slices it holds.
type listState struct {
	files    *repomd.File
	nfiles   int
	complete bool
	cls      *repomd.Changelog
	ncls     int
}

func lists(pkgs []*repomd.Package) []listState {
	out := make([]listState, len(pkgs))
	for i, p := range pkgs {
		out[i] = listState{unsafe.SliceData(p.Files), len(p.Files), p.FilesComplete, unsafe.SliceData(p.Changelogs), len(p.Changelogs)}
	}
	return out
}
