// Package repocache keeps binary images of loaded rpm-md records between
// runs, as libsolv's .solv files and dnf's solv cache do: reopening an
// unchanged repository reads one compact file instead of decompressing
// and parsing its XML.
//
// An image holds one record of one repository (primary, filelists or
// other) and is valid for one state of it: it carries the SHA-256 of the
// repomd.xml it was made from, a format version, a fingerprint of the
// package model it decodes into, and a CRC-32C over all of it. An image
// that is missing, truncated, corrupt, stale (another repomd.xml) or of
// another format or model is ignored, the record is parsed from the XML,
// and a new image replaces the old one. Images are written to a temporary
// file and renamed into place (internal/atomicfile), so concurrent runs
// sharing a directory only ever read complete images.
//
// The package owns the file format and the on-disk directory; repomd owns
// when records are loaded and calls in through repomd.RecordCache.
package repocache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/repomd"
)

// Dir is a cache directory. It implements repomd.RecordCache.
type Dir struct {
	// Path is the directory; it is created when the first image is
	// written.
	Path string
	// Warn, when set, hears about images that could not be written and
	// about corrupt ones that were ignored (stale images are replaced
	// without a word). Nil: nothing is reported.
	Warn func(error)
	// Skip, when set, names repository locations the cache leaves alone:
	// their records are parsed and no image is kept (a compose's own
	// output repositories, which are read once).
	Skip func(location string) bool
}

// New returns the cache in directory path.
func New(path string) *Dir { return &Dir{Path: path} }

var _ repomd.RecordCache = (*Dir)(nil)

func kindOf(typ string) uint32 {
	switch typ {
	case "primary":
		return kindPrimary
	case "filelists":
		return kindFilelists
	case "other":
		return kindOther
	}
	return 0
}

// File is the image of record typ of the repository at location. One
// file per repository and record, named after the repository's last path
// element and a hash of its absolute location, so a changed repository
// replaces its images instead of piling up new ones.
func (c *Dir) File(location, typ string) string {
	loc := location
	if u, err := url.Parse(location); err == nil && u.Scheme == "file" {
		loc = u.Path
	}
	if !strings.Contains(loc, "://") {
		if abs, err := filepath.Abs(loc); err == nil {
			loc = abs
		}
	}
	sum := sha256.Sum256([]byte(loc))
	base := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, filepath.Base(strings.TrimRight(loc, "/")))
	if len(base) > 64 {
		base = base[:64]
	}
	return filepath.Join(c.Path, base+"-"+hex.EncodeToString(sum[:8])+"."+typ+".pungocache")
}

func repomdSum(r *repomd.Repo) ([32]byte, bool) {
	var sum [32]byte
	b, err := hex.DecodeString(r.RepomdChecksum)
	if err != nil || len(b) != len(sum) {
		return sum, false
	}
	copy(sum[:], b)
	return sum, true
}

var _ repomd.FilteredCache = (*Dir)(nil)

// Load implements repomd.RecordCache.
func (c *Dir) Load(r *repomd.Repo, typ string) bool {
	return c.load(r, typ, func(data []byte, kind uint32, sum [32]byte) error { return decode(data, kind, sum, r) })
}

// LoadFilteredFiles implements repomd.FilteredCache.
func (c *Dir) LoadFilteredFiles(r *repomd.Repo, keep func(path string) bool) bool {
	return c.load(r, "filelists", func(data []byte, kind uint32, sum [32]byte) error {
		payload, err := payloadOf(data, kind, sum)
		if err != nil {
			return err
		}
		return decodeFilteredFiles(payload, r.Packages, keep)
	})
}

// load reads the image of record typ of r and applies it with apply,
// reporting whether that worked.
func (c *Dir) load(r *repomd.Repo, typ string, apply func(data []byte, kind uint32, sum [32]byte) error) bool {
	kind := kindOf(typ)
	sum, ok := repomdSum(r)
	if kind == 0 || !ok || (kind != kindPrimary && r.Packages == nil) || c.skip(r) {
		return false
	}
	path := c.File(r.Location, typ)
	data, release, err := readImage(path)
	if err != nil {
		// Missing, or unreadable: the image is rewritten after the
		// parse, and that write reports a directory it cannot use.
		return false
	}
	err = applyImage(apply, data, kind, sum)
	release()
	if errors.Is(err, errCorrupt) {
		c.warn(fmt.Errorf("cache %s: %w; ignored, it will be rewritten", path, err))
	}
	return err == nil
}

// readWhole reads the image at path onto the heap; release does nothing.
func readWhole(path string) ([]byte, func(), error) {
	data, err := os.ReadFile(path)
	return data, func() {}, err
}

// applyImage runs apply on data, turning a memory fault while it reads a
// mapped image (the file shrank under the mapping: SIGBUS) into
// errCorrupt instead of a crash. Other panics are not ours to hide.
func applyImage(apply func(data []byte, kind uint32, sum [32]byte) error, data []byte, kind uint32, sum [32]byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(interface{ Addr() uintptr }); ok {
				err = fmt.Errorf("%w: the file changed while it was read", errCorrupt)
				return
			}
			panic(v)
		}
	}()
	return apply(data, kind, sum)
}

// decode checks a whole image and applies it to r.
func decode(data []byte, kind uint32, sum [32]byte, r *repomd.Repo) error {
	payload, err := payloadOf(data, kind, sum)
	if err != nil {
		return err
	}
	switch kind {
	case kindPrimary:
		pkgs, err := decodePrimary(payload)
		if err != nil {
			return err
		}
		r.Packages = pkgs
		return nil
	case kindFilelists:
		return decodeFiles(payload, r.Packages)
	default:
		return decodeChangelogs(payload, r.Packages)
	}
}

// Save implements repomd.RecordCache.
func (c *Dir) Save(r *repomd.Repo, typ string) {
	kind := kindOf(typ)
	sum, ok := repomdSum(r)
	if kind == 0 || !ok || c.skip(r) {
		return
	}
	e := encoderFor(kind, r.Packages)
	path := c.File(r.Location, typ)
	if err := os.MkdirAll(c.Path, 0o755); err != nil {
		c.warn(fmt.Errorf("cache: %w", err))
		return
	}
	err := atomicfile.WriteWith(path, 0o644, func(w io.Writer) error { return e.writeTo(w, kind, sum) })
	if err != nil {
		c.warn(fmt.Errorf("cache: %w", err))
	}
}

// encoderFor encodes record kind of pkgs.
func encoderFor(kind uint32, pkgs []*repomd.Package) *encoder {
	switch kind {
	case kindPrimary:
		return encodePrimary(pkgs)
	case kindFilelists:
		return encodeFiles(pkgs)
	}
	return encodeChangelogs(pkgs)
}

// encode returns the whole image of record kind for pkgs.
func encode(kind uint32, sum [32]byte, pkgs []*repomd.Package) []byte {
	return encoderFor(kind, pkgs).file(kind, sum)
}

func (c *Dir) skip(r *repomd.Repo) bool { return c.Skip != nil && c.Skip(r.Location) }

func (c *Dir) warn(err error) {
	if c.Warn != nil {
		c.Warn(err)
	}
}
