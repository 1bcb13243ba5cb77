// Package decompress owns recognising and undoing the compressions rpm-md
// tools use (gzip, xz, zstd, bzip2): by magic bytes for reading metadata
// and comps, by file name suffix where a tool (modifyrepo_c) decides by
// the name.
package decompress

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Magic bytes of the formats Reader recognises.
var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz   = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
	magicBz2  = []byte("BZh")
)

// Reader wraps r according to its first bytes: gzip, zstd, xz or bzip2 are
// decompressed, anything else is passed through. name is used in errors
// ("NAME: bad gzip data: …"; without a name "bad gzip data: …"). Call the returned func when done: it
// releases the decompressor.
func Reader(r io.Reader, name string) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(magic, magicGzip):
		z, err := gzip.NewReader(br)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, fmt.Errorf("%struncated file (the gzip header is incomplete)", prefix(name))
			}
			return nil, nil, fmt.Errorf("%sbad gzip data: %v", prefix(name), err)
		}
		return z, func() { z.Close() }, nil
	case bytes.HasPrefix(magic, magicZstd):
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(false))
		if err != nil {
			return nil, nil, fmt.Errorf("%sbad zstd data: %v", prefix(name), err)
		}
		return z, z.Close, nil
	case bytes.HasPrefix(magic, magicXz):
		z, err := xz.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%sbad xz data: %v", prefix(name), err)
		}
		return z, func() {}, nil
	case bytes.HasPrefix(magic, magicBz2):
		return bzip2.NewReader(br), func() {}, nil
	}
	return br, func() {}, nil
}

// suffixes are the compressed-file suffixes modifyrepo_c recognises.
var suffixes = []string{".gz", ".bz2", ".xz", ".zst"}

// CompressedSuffix returns the compression suffix name ends with (".gz",
// ".bz2", ".xz" or ".zst") as modifyrepo_c tells a compressed input by
// its name, or "" when there is none or nothing precedes it.
func CompressedSuffix(name string) string {
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return s
		}
	}
	return ""
}

func prefix(name string) string {
	if name == "" {
		return ""
	}
	return name + ": "
}
