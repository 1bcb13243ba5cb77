package createrepo

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/repomd/rpmfile"
	"github.com/pungo/pungo/repomd/zck"
)

// zckFile writes one .zck metadata file: the zchunk writer spools the
// compressed chunks to a hidden file beside it and, on Close, writes
// header and body through a digest of the repository's checksum type.
type zckFile struct {
	path   string
	f      *os.File
	spool  *os.File
	buf    *bufio.Writer
	packed *hashCounter
	w      *zck.Writer
}

// zckDict reads createrepo_c's dictionary for the named metadata file
// ("primary.xml" → DIR/primary.xml.zdict). A missing dictionary is a
// warning, as with createrepo_c, and the file is written without one.
func zckDict(dir, name string) (dict []byte, warning string, err error) {
	if dir == "" {
		return nil, "", nil
	}
	p := filepath.Join(dir, name+".zdict")
	dict, err = os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Sprintf("zchunk dictionary %s does not exist: %s.zck is written without one", p, name), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("zchunk dictionary: %w", err)
	}
	return dict, "", nil
}

func createZck(path string, dict []byte, sum string) (*zckFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	spool, err := os.CreateTemp(filepath.Dir(path), ".zck-spool-*")
	if err != nil {
		f.Close()
		return nil, err
	}
	os.Remove(spool.Name()) // only this writer needs it, by descriptor
	z := &zckFile{path: path, f: f, spool: spool, buf: bufio.NewWriterSize(f, 256<<10)}
	h, _, err := rpmfile.NewHash(sum)
	if err != nil {
		z.Abort()
		return nil, err
	}
	z.packed = &hashCounter{h: h, w: z.buf}
	if z.w, err = zck.NewWriter(z.packed, zck.Options{Dict: dict, Spool: spool}); err != nil {
		z.Abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return z, nil
}

// Close writes the file and returns its record sums: the compressed
// checksum and size of the .zck file, and its zchunk header's checksum
// and size. The open (uncompressed) sums are the caller's to fill: the
// content is the plain XML's.
func (z *zckFile) Close() (Sums, zck.Header, error) {
	hdr, err := z.w.Close()
	if e := z.buf.Flush(); err == nil {
		err = e
	}
	if e := z.f.Close(); err == nil {
		err = e
	}
	z.spool.Close()
	if err != nil {
		return Sums{}, zck.Header{}, fmt.Errorf("%s: %w", z.path, err)
	}
	return Sums{Checksum: hex.EncodeToString(z.packed.h.Sum(nil)), Size: z.packed.n}, hdr, nil
}

// Abort closes the files after a failure; the caller removes the directory.
func (z *zckFile) Abort() {
	z.f.Close()
	z.spool.Close()
}

// zckPiece is one package's fragment for a .zck stream; newChunk ends the
// chunk before it.
type zckPiece struct {
	b        []byte
	newChunk bool
}

// compressZck writes a whole file as one .zck (for the group file): no
// chunk ends but libzck's 10 MiB maximum, and no dictionary, as
// createrepo_c's record compression does.
func compressZck(src, dst, sum string) (Sums, zck.Header, error) {
	in, err := os.Open(src)
	if err != nil {
		return Sums{}, zck.Header{}, err
	}
	defer in.Close()
	z, err := createZck(dst, nil, sum)
	if err != nil {
		return Sums{}, zck.Header{}, err
	}
	if _, err := io.Copy(z.w, in); err != nil {
		z.Abort()
		return Sums{}, zck.Header{}, fmt.Errorf("%s: %w", dst, err)
	}
	return z.Close()
}
