package zck

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"

	"github.com/klauspost/compress/zstd"
)

// Decode returns the content of a whole zchunk file after checking its
// header, data and chunk checksums. It reads the files Writer writes and
// what libzck writes without data streams or an uncompressed source
// (every rpm-md zchunk file); it is for tests and comparisons, which hold
// metadata files whole anyway.
func Decode(file []byte) ([]byte, error) {
	d := decoder{b: file}
	if !bytes.HasPrefix(file, leadID) {
		return nil, errors.New("zck: not a zchunk file")
	}
	d.off = len(leadID)
	sumType := d.ci()
	newHash, sumLen, err := checksumType(sumType, false)
	if err != nil {
		return nil, err
	}
	headerSize := d.ci()
	leadEnd := d.off
	headerSum := d.bytes(sumLen)
	restStart := d.off
	if d.err != nil || uint64(len(file)-restStart) < headerSize {
		return nil, errors.New("zck: truncated header")
	}
	h := newHash()
	h.Write(file[:leadEnd])
	h.Write(file[restStart : restStart+int(headerSize)])
	if !bytes.Equal(h.Sum(nil), headerSum) {
		return nil, errors.New("zck: header checksum mismatch")
	}
	dataSum := d.bytes(sumLen)
	if flags := d.ci(); flags != 0 {
		return nil, fmt.Errorf("zck: unsupported flags %#x", flags)
	}
	if c := d.ci(); c != compressionZstd && c != 0 {
		return nil, fmt.Errorf("zck: unknown compression type %d", c)
	} else if c == 0 {
		return nil, errors.New("zck: uncompressed zchunk files are not supported")
	}
	d.ci() // index size
	chunkHash, chunkLen, err := checksumType(d.ci(), true)
	if err != nil {
		return nil, err
	}
	count := d.ci()
	type entry struct {
		sum        []byte
		comp, size uint64
	}
	if count > uint64(len(file)) {
		return nil, errors.New("zck: bad chunk count")
	}
	entries := make([]entry, 0, count)
	for i := uint64(0); i < count && d.err == nil; i++ {
		e := entry{sum: d.bytes(chunkLen)}
		e.comp, e.size = d.ci(), d.ci()
		entries = append(entries, e)
	}
	for n := d.ci(); n > 0 && d.err == nil; n-- { // signatures: skipped
		d.ci()
		d.bytes(int(d.ci()))
	}
	if d.err != nil || d.off != restStart+int(headerSize) || len(entries) == 0 {
		return nil, errors.New("zck: malformed header")
	}
	body := file[d.off:]
	h = newHash()
	h.Write(body)
	if !bytes.Equal(h.Sum(nil), dataSum) {
		return nil, errors.New("zck: data checksum mismatch")
	}
	var dict []byte
	var out []byte
	var dec *zstd.Decoder
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	for i, e := range entries {
		if e.comp > uint64(len(body)) {
			return nil, errors.New("zck: chunk beyond the end of the file")
		}
		comp := body[:e.comp]
		body = body[e.comp:]
		if i == 0 && e.comp == 0 {
			continue // no dictionary
		}
		ch := chunkHash()
		ch.Write(comp)
		if !bytes.Equal(ch.Sum(nil)[:chunkLen], e.sum) {
			return nil, fmt.Errorf("zck: chunk %d checksum mismatch", i)
		}
		if i == 0 {
			plain, err := zstd.NewReader(nil)
			if err != nil {
				return nil, err
			}
			dict, err = plain.DecodeAll(comp, nil)
			plain.Close()
			if err != nil {
				return nil, fmt.Errorf("zck: dictionary: %w", err)
			}
			continue
		}
		if dec == nil {
			var opts []zstd.DOption
			if len(dict) >= 8 && dict[0] == 0x37 && dict[1] == 0xA4 && dict[2] == 0x30 && dict[3] == 0xEC {
				opts = append(opts, zstd.WithDecoderDicts(dict))
			} else if len(dict) > 0 {
				opts = append(opts, zstd.WithDecoderDictRaw(0, dict))
			}
			if dec, err = zstd.NewReader(nil, opts...); err != nil {
				return nil, err
			}
		}
		n := len(out)
		if out, err = dec.DecodeAll(comp, out); err != nil {
			return nil, fmt.Errorf("zck: chunk %d: %w", i, err)
		}
		if uint64(len(out)-n) != e.size {
			return nil, fmt.Errorf("zck: chunk %d is %d bytes, the index says %d", i, len(out)-n, e.size)
		}
	}
	return out, nil
}

// checksumType maps a zchunk checksum type to its hash and stored length.
func checksumType(t uint64, chunk bool) (func() hash.Hash, int, error) {
	switch {
	case t == 0:
		return sha1.New, sha1.Size, nil
	case t == 1:
		return sha256.New, sha256.Size, nil
	case t == 2 && chunk:
		return sha512.New, sha512.Size, nil
	case t == chunkSHA512_128 && chunk:
		return sha512.New, chunkChecksumSize, nil
	}
	return nil, 0, fmt.Errorf("zck: unknown checksum type %d", t)
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) ci() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if d.off >= len(d.b) || shift > 63 {
			d.err = errors.New("zck: bad integer")
			return 0
		}
		c := d.b[d.off]
		d.off++
		v |= uint64(c&0x7f) << shift
		if c&0x80 != 0 {
			return v
		}
	}
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || d.off+n > len(d.b) {
		d.err = errors.New("zck: truncated")
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}
