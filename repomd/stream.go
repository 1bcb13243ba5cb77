package repomd

import (
	"bufio"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/pungo/pungo/internal/decompress"
	"github.com/pungo/pungo/internal/guard"
)

// This file turns a metadata file into a verified, decompressed stream:
// bytes are hashed as they are read, the compression is recognised by its
// magic bytes (internal/decompress), and decompression runs in its own
// goroutine a few blocks ahead of the parser so the two overlap.

// NewHash returns the hash for a checksum type name, matched without
// regard to case, and the name as createrepo_c writes it into metadata:
// lower case, "sha" kept as "sha" (it is SHA-1), "" meaning sha256.
func NewHash(typ string) (hash.Hash, string, error) {
	switch name := strings.ToLower(typ); name {
	case "", "sha256":
		return sha256.New(), "sha256", nil
	case "sha512":
		return sha512.New(), name, nil
	case "sha1", "sha":
		return sha1.New(), name, nil
	case "sha384":
		return sha512.New384(), name, nil
	case "sha224":
		return sha256.New224(), name, nil
	case "md5":
		return md5.New(), name, nil
	}
	return nil, "", fmt.Errorf("unknown checksum type %q (want sha256, sha512, sha384, sha224, sha1, sha or md5)", typ)
}

// verifier hashes what is read through it and, at end of file, turns io.EOF
// into an error when the digest is not the expected one.
type verifier struct {
	r    io.Reader
	h    hash.Hash
	want Checksum
	name string
	n    int64
	err  error
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	if n > 0 && v.h != nil {
		v.h.Write(p[:n])
	}
	v.n += int64(n)
	if err == io.EOF && v.h != nil {
		got := hex.EncodeToString(v.h.Sum(nil))
		if !strings.EqualFold(got, v.want.Value) {
			err = fmt.Errorf("%s: checksum mismatch: %s of the file is %s, repomd.xml says %s", v.name, v.want.Type, got, v.want.Value)
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

// prefetcher runs the decompression in a goroutine, handing filled blocks
// to the reader through a channel.
type prefetcher struct {
	blocks chan []byte
	free   chan []byte
	done   chan struct{}
	cur    []byte
	held   []byte
	err    error // set by the goroutine before it closes blocks
	closer func()
}

const prefetchBlock = 256 << 10

func newPrefetcher(r io.Reader, name string, closer func()) *prefetcher {
	p := &prefetcher{
		blocks: make(chan []byte, 4),
		free:   make(chan []byte, 6),
		done:   make(chan struct{}),
		closer: closer,
	}
	go p.run(r, name)
	return p
}

func (p *prefetcher) run(r io.Reader, name string) {
	defer close(p.blocks)
	for {
		var b []byte
		select {
		case b = <-p.free:
		default:
			b = make([]byte, prefetchBlock)
		}
		// The decompressors are other people's code: a panic in one,
		// on this goroutine, could be caught nowhere else.
		var n int
		err := guard.Call(func() (err error) {
			n, err = readFull(r, b[:cap(b)])
			return err
		})
		if n > 0 {
			select {
			case p.blocks <- b[:n]:
			case <-p.done:
				return
			}
		}
		if err != nil {
			p.err = describeReadErr(err, name)
			return
		}
	}
}

// readFull is io.ReadFull without its rewriting of io.EOF into
// io.ErrUnexpectedEOF, which would hide a truncated compressed stream.
func readFull(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// describeReadErr names the file in decompression errors.
func describeReadErr(err error, name string) error {
	if err == io.EOF {
		return err
	}
	if _, ok := err.(*guard.PanicError); ok {
		return fmt.Errorf("%s: %w", name, err)
	}
	if strings.HasPrefix(err.Error(), name+":") {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("%s: truncated file (unexpected end of compressed data)", name)
	}
	return fmt.Errorf("%s: %v", name, err)
}

func (p *prefetcher) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.held != nil {
			select {
			case p.free <- p.held[:cap(p.held)]:
			default:
			}
			p.held = nil
		}
		blk, ok := <-p.blocks
		if !ok {
			return 0, p.err
		}
		p.cur, p.held = blk, blk
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

func (p *prefetcher) Close() error {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	// Let the goroutine finish before the decompressor is released.
	for range p.blocks {
	}
	p.closer()
	return nil
}

// verifiedStream opens raw (named name) as a checksum-verified,
// decompressed stream, prefetched on its own goroutine when prefetch is
// set. An empty want.Type skips verification.
//
// openSize (repomd.xml's open-size, 0 when absent) bounds the decompressed
// bytes: a stream that decompresses to more is an error as soon as it does,
// so a decompression bomb or an endless body costs no memory.
func verifiedStream(raw io.ReadCloser, name string, want Checksum, openSize int64, prefetch bool) (io.ReadCloser, error) {
	v := &verifier{r: raw, want: want, name: name}
	if want.Type != "" && want.Value != "" {
		h, _, err := NewHash(want.Type)
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		v.h = h
	}
	dr, closeDec, err := decompress.Reader(v, name)
	if err != nil {
		raw.Close()
		if v.err != nil && v.err != io.EOF {
			return nil, v.err // a checksum mismatch explains the bad data
		}
		return nil, err
	}
	// After the decompressor ends, read on to the end of the raw file so
	// that trailing bytes are hashed too and the checksum is decided.
	// Bound what a decompressor makes; an unrecognised format (zchunk,
	// read raw) is bounded by its size already.
	if _, raw := dr.(*bufio.Reader); openSize > 0 && !raw {
		dr = &openLimit{r: dr, name: name, left: openSize}
	}
	tail := io.MultiReader(dr, drainReader{v})
	if !prefetch {
		return directStream{tail, name, func() { closeDec(); raw.Close() }}, nil
	}
	p := newPrefetcher(tail, name, func() { closeDec(); raw.Close() })
	return p, nil
}

// directStream is a verified stream read on the caller's goroutine, for
// readers that already overlap reading with their own work.
type directStream struct {
	r      io.Reader
	name   string
	closer func()
}

func (d directStream) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = describeReadErr(err, d.name)
	}
	return n, err
}

func (d directStream) Close() error { d.closer(); return nil }

// drainReader reads the rest of a verifier and reports only its error.
type drainReader struct{ v *verifier }

func (d drainReader) Read(p []byte) (int, error) {
	buf := make([]byte, 32<<10)
	for {
		_, err := d.v.Read(buf)
		if err != nil {
			return 0, err
		}
	}
}

// openLimit fails a decompressed stream that grows past its open-size.
type openLimit struct {
	r    io.Reader
	name string
	left int64
}

func (l *openLimit) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%s: decompresses to more than the open-size repomd.xml announces", l.name)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
