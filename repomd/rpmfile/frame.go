package rpmfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pungo/pungo/repomd"
)

// This file frames the lead and the two header structures and checks every
// size, offset and count in them before tags.go reads the tags in place: a
// corrupt count must be an error, never a huge allocation or an index out
// of range.

var headerMagic = []byte{0x8e, 0xad, 0xe8, 0x01}

const (
	leadSize = 96
	// rpm's own limits (hdrchkTags, hdrchkData).
	maxTags = 0xffff
	maxData = 256 << 20
)

type parsed struct {
	sig, hdr         tagTable
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
func readHeaders(r io.Reader) (*parsed, error) { return readHeadersWanted(r, hdrTagWanted) }

// readHeadersWanted is readHeaders keeping the main header tags wanted
// accepts.
func readHeadersWanted(r io.Reader, wanted func(uint32) bool) (*parsed, error) {
	b, hdrStart, err := frameStream(r)
	if err != nil {
		return nil, err
	}
	return decodeWanted(b, hdrStart, wanted)
}

// frameStream is frame over a stream, which it leaves at the payload.
func frameStream(r io.Reader) ([]byte, int64, error) {
	var buf []byte
	return frame(func(n int64) ([]byte, error) {
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
}

// decode reads the wanted tags of the validated header bytes in place
// (tags.go): only the string values the package keeps are copied, into one
// string per header.
func decode(b []byte, hdrStart int64) (*parsed, error) {
	return decodeWanted(b, hdrStart, hdrTagWanted)
}

// decodeWanted is decode with the main header's tags chosen by wanted.
func decodeWanted(b []byte, hdrStart int64, wanted func(uint32) bool) (*parsed, error) {
	if v := b[4]; v < 3 || v > 4 { // the lead's major version, as rpm checks it
		return nil, fmt.Errorf("corrupt rpm header: unsupported rpm version: %d", v)
	}
	p := &parsed{hdrStart: hdrStart, hdrEnd: int64(len(b))}
	if err := p.sig.load(b[leadSize:hdrStart], "signature", sigTagWanted); err != nil {
		return nil, err
	}
	if err := p.hdr.load(b[hdrStart:], "main", wanted); err != nil {
		return nil, err
	}
	return p, nil
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
