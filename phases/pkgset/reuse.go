package pkgset

import (
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd"
)

// headerCache keeps the package metadata read from .rpm headers (Koji
// source), keyed by file path with its size and mtime, in
// work/global/pkgset-headers.gob, so a later compose given --old-composes
// does not read unchanged files again.
type headerCache struct {
	Entries map[string]cachedHeader
}

type cachedHeader struct {
	Size, MTime int64
	Pkg         *repomd.Package
}

func headerCacheFile(dir string) string {
	return filepath.Join(dir, "work", "global", "pkgset-headers.gob")
}

func fileKey(path string) (int64, int64, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, false
	}
	return st.Size(), st.ModTime().UnixNano(), true
}

// loadOldHeaders reads the header cache of the newest old compose that
// has one, unless pkgset_allow_reuse is off.
func loadOldHeaders(c *compose.Compose) (*headerCache, string) {
	if !c.Conf.Bool("pkgset_allow_reuse") {
		if len(c.OldComposes) > 0 {
			c.Log.Infof("pkgset: not reusing old composes: pkgset_allow_reuse is False")
		}
		return nil, ""
	}
	for _, old := range compose.OldComposeDirs(c) {
		f, err := os.Open(headerCacheFile(old))
		if err != nil {
			continue
		}
		var hc headerCache
		err = gob.NewDecoder(f).Decode(&hc)
		f.Close()
		if err != nil {
			c.Log.Warningf("pkgset: ignoring unreadable header cache of %s: %v", old, err)
			continue
		}
		return &hc, old
	}
	return nil, ""
}

// lookup returns the cached package of an unchanged file.
func (hc *headerCache) lookup(path string) *repomd.Package {
	if hc == nil {
		return nil
	}
	e, ok := hc.Entries[path]
	if !ok {
		return nil
	}
	size, mtime, ok := fileKey(path)
	if !ok || size != e.Size || mtime != e.MTime {
		return nil
	}
	cp := *e.Pkg
	return &cp
}

// saveHeaders writes the cache of this compose's package set.
func saveHeaders(c *compose.Compose, pkgs []*Package) error {
	hc := headerCache{Entries: make(map[string]cachedHeader, len(pkgs))}
	for _, p := range pkgs {
		if size, mtime, ok := fileKey(p.Path); ok {
			hc.Entries[p.Path] = cachedHeader{Size: size, MTime: mtime, Pkg: p.Package}
		}
	}
	f, err := atomicfile.Create(headerCacheFile(c.Topdir), 0o644)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(&hc); err != nil {
		f.Abort()
		return fmt.Errorf("pkgset header cache: %w", err)
	}
	return f.Commit()
}
