package rpmfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/cavaliergopher/rpm"

	"github.com/pungo/pungo/repomd"
)

// This file frames the lead and the two header structures and checks every
// size and offset in them before cavaliergopher/rpm decodes the tags: that
// parser allocates whatever an index entry claims (a corrupt count can ask
// for gigabytes, which is a crash, not an error), does not check the
// header magic, and indexes slices with unchecked offsets.

var headerMagic = []byte{0x8e, 0xad, 0xe8, 0x01}

const (
	leadSize = 96
	// rpm's own limits (hdrchkTags, hdrchkData).
	maxTags = 0xffff
	maxData = 256 << 20
)

type parsed struct {
	sig, hdr         *rpm.Header
	hdrStart, hdrEnd int64 // the main header's byte range in the file
	pkg              *repomd.Package
}

// sizes of the fixed-width rpm tag types; 0 marks the variable-width
// string types, whose every element takes at least one byte.
var typeSize = map[uint32]int64{0: 1, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 0, 7: 1, 8: 0, 9: 0}

// headerLen validates the 16-byte intro and index of a header structure
// at b[0:] (only the intro and index need to be present) and returns the
// structure's full length.
func headerLen(b []byte, what string) (int64, error) {
	if len(b) < 16 {
		return 0, fmt.Errorf("corrupt rpm header: file is truncated in the %s header", what)
	}
	if !bytes.Equal(b[:3], headerMagic[:3]) {
		return 0, fmt.Errorf("corrupt rpm header: bad %s header magic", what)
	}
	il := int64(binary.BigEndian.Uint32(b[8:]))
	dl := int64(binary.BigEndian.Uint32(b[12:]))
	if il < 1 || il > maxTags || dl > maxData {
		return 0, fmt.Errorf("corrupt rpm header: %s header claims %d tags and %d bytes", what, il, dl)
	}
	return 16 + il*16 + dl, nil
}

// checkIndex validates every index entry of the header structure h (its
// full bytes): a known type, an offset inside the data, and a count that
// fits the data.
func checkIndex(h []byte, what string) error {
	il := int64(binary.BigEndian.Uint32(h[8:]))
	dl := int64(binary.BigEndian.Uint32(h[12:]))
	for i := int64(0); i < il; i++ {
		e := h[16+i*16:]
		typ := binary.BigEndian.Uint32(e[4:])
		off := int64(binary.BigEndian.Uint32(e[8:]))
		cnt := int64(binary.BigEndian.Uint32(e[12:]))
		size, ok := typeSize[typ]
		if !ok {
			return fmt.Errorf("corrupt rpm header: %s header entry %d has unknown type %d", what, i, typ)
		}
		if size == 0 {
			size = 1
		}
		if cnt < 1 || off >= dl || off+cnt*size > dl {
			return fmt.Errorf("corrupt rpm header: %s header entry %d (tag %d) lies outside the header", what, i, binary.BigEndian.Uint32(e))
		}
	}
	return nil
}

// frame returns the length of the lead, signature (with padding) and main
// header at the start of b, reading more through more when b is short.
// more(n) must return the first n bytes of the file.
func frame(more func(n int64) ([]byte, error)) ([]byte, int64, error) {
	b, err := more(leadSize + 16)
	if err != nil {
		if len(b) < 4 {
			return nil, 0, fmt.Errorf("not an rpm file: %v", shortErr(err))
		}
	}
	if !bytes.Equal(b[:4], []byte{0xed, 0xab, 0xee, 0xdb}) {
		return nil, 0, fmt.Errorf("not an rpm file (bad lead magic)")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("corrupt rpm header: %v", shortErr(err))
	}
	sigLen, err := headerLen(b[leadSize:], "signature")
	if err != nil {
		return nil, 0, err
	}
	hdrStart := leadSize + sigLen + (8-sigLen%8)%8
	if b, err = more(hdrStart + 16); err != nil {
		return nil, 0, fmt.Errorf("corrupt rpm header: %v", shortErr(err))
	}
	hdrLen, err := headerLen(b[hdrStart:], "main")
	if err != nil {
		return nil, 0, err
	}
	if b, err = more(hdrStart + hdrLen); err != nil {
		return nil, 0, fmt.Errorf("corrupt rpm header: %v", shortErr(err))
	}
	if err := checkIndex(b[leadSize:], "signature"); err != nil {
		return nil, 0, err
	}
	if err := checkIndex(b[hdrStart:], "main"); err != nil {
		return nil, 0, err
	}
	return b[:hdrStart+hdrLen], hdrStart, nil
}

// parseHeaders decodes the headers of a file held whole in memory.
func parseHeaders(file []byte) (*parsed, error) {
	b, hdrStart, err := frame(func(n int64) ([]byte, error) {
		if n > int64(len(file)) {
			return file, io.ErrUnexpectedEOF
		}
		return file[:n], nil
	})
	if err != nil {
		return nil, err
	}
	return decode(b, hdrStart)
}

// readHeaders reads and decodes the headers from a stream, leaving it at
// the payload.
func readHeaders(r io.Reader) (*parsed, error) {
	var buf []byte
	b, hdrStart, err := frame(func(n int64) ([]byte, error) {
		if have := int64(len(buf)); n > have {
			buf = append(buf, make([]byte, n-have)...)
			m, err := io.ReadFull(r, buf[have:])
			buf = buf[:have+int64(m)]
			if err != nil {
				return buf, err
			}
		}
		return buf[:n], nil
	})
	if err != nil {
		return nil, err
	}
	return decode(b, hdrStart)
}

// decode hands the validated header bytes to cavaliergopher/rpm, keeping
// only the tags fill reads. That parser copies the whole data store and
// then every tag into fresh slices (file digests, users, groups, mtimes,
// signatures…); rebuilt with only the wanted entries and their data, each
// header costs it a fraction of the copying and allocation.
func decode(b []byte, hdrStart int64) (p *parsed, err error) {
	defer func() {
		// Belt and braces: the bytes are validated, but a decoding panic
		// must still be an error.
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("corrupt rpm header (%v)", v)
		}
	}()
	// cavaliergopher copies everything out of the rebuilt header, so its
	// buffer goes back to the pool as soon as rpm.Read returns.
	tp := trimPool.Get().(*[]byte)
	defer trimPool.Put(tp)
	trimmed := append((*tp)[:0], b[:leadSize]...)
	defer func() { *tp = trimmed[:0] }()
	if trimmed, err = appendWanted(trimmed, b[leadSize:hdrStart], "signature", sigTagWanted, true); err != nil {
		return nil, err
	}
	if trimmed, err = appendWanted(trimmed, b[hdrStart:], "main", hdrTagWanted, false); err != nil {
		return nil, err
	}
	pkg, err := rpm.Read(bytes.NewReader(trimmed))
	if err != nil {
		return nil, fmt.Errorf("corrupt rpm header: %v", shortErr(err))
	}
	return &parsed{sig: &pkg.Signature, hdr: &pkg.Header, hdrStart: hdrStart, hdrEnd: int64(len(b))}, nil
}

var trimPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendWanted appends a copy of the header structure h (validated by
// checkIndex) holding only the index entries whose tag wanted accepts and
// their values, re-laid out in a compact data store, padded to 8 bytes
// when pad is set, as the signature header is.
func appendWanted(dst, h []byte, what string, wanted func(uint32) bool, pad bool) ([]byte, error) {
	il := int(binary.BigEndian.Uint32(h[8:]))
	dl := int(binary.BigEndian.Uint32(h[12:]))
	store := h[16+il*16 : 16+il*16+dl]
	kept := 0
	for i := 0; i < il; i++ {
		if wanted(binary.BigEndian.Uint32(h[16+i*16:])) {
			kept++
		}
	}
	introAt := len(dst)
	dst = append(dst, h[:16]...)
	entryAt := len(dst)
	dst = append(dst, make([]byte, kept*16)...)
	storeAt := len(dst)
	for i := 0; i < il; i++ {
		e := h[16+i*16 : 32+i*16]
		tag := binary.BigEndian.Uint32(e)
		if !wanted(tag) {
			continue
		}
		typ := binary.BigEndian.Uint32(e[4:])
		off := int(binary.BigEndian.Uint32(e[8:]))
		cnt := int(binary.BigEndian.Uint32(e[12:]))
		end := off + cnt*int(typeSize[typ])
		if typ == 0 {
			end = off
		}
		if size := typeSize[typ]; size == 0 { // NUL-terminated strings
			end = off
			for k := 0; k < cnt; k++ {
				n := bytes.IndexByte(store[end:], 0)
				if n < 0 {
					return nil, fmt.Errorf("corrupt rpm header: %s header tag %d runs past the data", what, tag)
				}
				end += n + 1
			}
		}
		copy(dst[entryAt:], e[:8])
		binary.BigEndian.PutUint32(dst[entryAt+8:], uint32(len(dst)-storeAt))
		copy(dst[entryAt+12:], e[12:16])
		entryAt += 16
		dst = append(dst, store[off:end]...)
	}
	newDL := len(dst) - storeAt
	binary.BigEndian.PutUint32(dst[introAt+8:], uint32(kept))
	binary.BigEndian.PutUint32(dst[introAt+12:], uint32(newDL))
	if pad {
		dst = append(dst, make([]byte, (8-newDL%8)%8)...)
	}
	return dst, nil
}

func sigTagWanted(t uint32) bool { return t == tagLongArchiveSize || t == sigTagPayloadSize }

func hdrTagWanted(t uint32) bool {
	switch t {
	case tagName, tagVersion, tagRelease, tagEpoch, tagSummary, tagDescription, tagBuildTime,
		tagBuildHost, tagSize, tagVendor, tagLicense, tagPackager, tagGroup, tagURL, tagArch,
		tagOldFilenames, tagFileModes, tagFileFlags, tagSourceRPM, tagArchiveSize,
		tagProvideName, tagRequireFlags, tagRequireName, tagRequireVersion,
		tagConflictFlags, tagConflictName, tagConflictVer,
		tagChangelogTime, tagChangelogName, tagChangelogText,
		tagObsoleteName, tagSourcePackage, tagProvideFlags, tagProvideVersion,
		tagObsoleteFlags, tagObsoleteVer, tagDirIndexes, tagBaseNames, tagDirNames,
		tagOldSuggestName, tagOldSuggestVer, tagOldSuggestFlag,
		tagOldEnhanceName, tagOldEnhanceVer, tagOldEnhanceFlag, tagLongSize,
		tagRecommendName, tagRecommendVer, tagRecommendFlags,
		tagSuggestName, tagSuggestVer, tagSuggestFlags,
		tagSupplementName, tagSupplementVer, tagSupplementFlag,
		tagEnhanceName, tagEnhanceVer, tagEnhanceFlags, tagLongArchiveSize:
		return true
	}
	return false
}

func shortErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("file is truncated")
	}
	return err
}
