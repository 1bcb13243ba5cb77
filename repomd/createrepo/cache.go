package createrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// checksumCache is --cachedir: it remembers the pkgid of a package file so
// that a rerun reads only the header instead of digesting the whole file.
// An entry is keyed by file name, size, mtime and checksum type, so a
// rebuilt package with the same name gets a fresh entry.
type checksumCache struct {
	dir, typ string
}

func newChecksumCache(dir, typ string) *checksumCache {
	if dir == "" {
		return nil
	}
	return &checksumCache{dir: dir, typ: typ}
}

func (c *checksumCache) key(path string, st os.FileInfo) string {
	return filepath.Join(c.dir, fmt.Sprintf("%s-%d-%d-%s", filepath.Base(path), st.Size(), st.ModTime().Unix(), c.typ))
}

// read returns the package when the cache knows its checksum.
func (c *checksumCache) read(path string, ro rpmfile.Options) (*repomd.Package, bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	b, err := os.ReadFile(c.key(path, st))
	if err != nil {
		return nil, false, nil
	}
	sum := strings.TrimSpace(string(b))
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	p, err := rpmfile.ReadHeader(f, ro)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	p.Checksum = repomd.Checksum{Type: c.typ, Value: sum}
	p.SizePackage = st.Size()
	p.TimeFile = st.ModTime().Unix()
	return p, true, nil
}

// store records a package's checksum; failures only cost a later re-read.
func (c *checksumCache) store(path string, p *repomd.Package) {
	st, err := os.Stat(path)
	if err != nil || st.Size() != p.SizePackage || st.ModTime().Unix() != p.TimeFile {
		return
	}
	if os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	atomicfile.WriteFile(c.key(path, st), []byte(p.Checksum.Value+"\n"), 0o644)
}
