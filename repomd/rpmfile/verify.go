package rpmfile

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// Digest tags: the signature header's SHA-256 of the main header
// (RPMSIGTAG_SHA256) and MD5 of main header and payload (RPMSIGTAG_MD5),
// the main header's digest of the compressed payload
// (RPMTAG_PAYLOADDIGEST) and its algorithm (RPMTAG_PAYLOADDIGESTALGO).
const (
	sigTagSHA256         = 273
	sigTagMD5            = 1004
	tagPayloadDigest     = 5092
	tagPayloadDigestAlgo = 5093
)

// payloadHashes are rpm's PGP hash algorithm numbers.
var payloadHashes = map[int64]func() hash.Hash{1: md5.New, 2: sha1.New, 8: sha256.New, 9: sha512.New384, 10: sha512.New, 11: sha256.New224}

// VerifyDigests checks the digests an rpm carries, as `rpm -K
// --nosignature` does: the SHA-256 of the main header and the digest of
// the payload, or for an rpm without those, the MD5 of both. A file that
// carries none of them, or whose contents do not match, is an error
// (without the file's name: the caller adds it). Signatures are not
// checked.
func VerifyDigests(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	b, hdrStart, err := frameStream(br)
	if err != nil {
		return err
	}
	sig, hdr := b[leadSize:], b[hdrStart:]
	hdrSHA256, _ := rawTag(sig, sigTagSHA256)
	md5Sum, _ := rawTag(sig, sigTagMD5)
	payloadDigest, _ := rawTag(hdr, tagPayloadDigest)
	algo := int64(8) // SHA-256, rpm's default
	if v, ok := rawTag(hdr, tagPayloadDigestAlgo); ok && len(v) >= 4 {
		algo = int64(binary.BigEndian.Uint32(v))
	}
	newPayload := payloadHashes[algo]
	if payloadDigest != nil && newPayload == nil {
		return fmt.Errorf("rpm payload digest of unknown algorithm %d", algo)
	}
	if hdrSHA256 == nil && md5Sum == nil && payloadDigest == nil {
		return fmt.Errorf("rpm carries no digest to verify")
	}
	whole := md5.New()
	whole.Write(hdr)
	var payload hash.Hash = sha256.New()
	if newPayload != nil {
		payload = newPayload()
	}
	if _, err := io.Copy(io.MultiWriter(whole, payload), br); err != nil {
		return err
	}
	if hdrSHA256 != nil {
		sum := sha256.Sum256(hdr)
		if got, want := hex.EncodeToString(sum[:]), cString(hdrSHA256); got != want {
			return fmt.Errorf("rpm header SHA-256 digest mismatch (%s, the rpm says %s)", got, want)
		}
	}
	if payloadDigest != nil {
		if got, want := hex.EncodeToString(payload.Sum(nil)), cString(payloadDigest); got != want {
			return fmt.Errorf("rpm payload digest mismatch (%s, the rpm says %s)", got, want)
		}
	}
	if md5Sum != nil && len(md5Sum) >= md5.Size && (payloadDigest == nil || hdrSHA256 == nil) {
		if got := whole.Sum(nil); !bytes.Equal(got, md5Sum[:md5.Size]) {
			return fmt.Errorf("rpm MD5 digest mismatch (%x, the rpm says %x)", got, md5Sum[:md5.Size])
		}
	}
	return nil
}

// rawTag returns the data of tag in the header structure h (validated by
// frame), from its offset to the end of the data store.
func rawTag(h []byte, tag uint32) ([]byte, bool) {
	il := int64(binary.BigEndian.Uint32(h[8:]))
	dl := int64(binary.BigEndian.Uint32(h[12:]))
	data := h[16+il*16 : 16+il*16+dl]
	for i := int64(0); i < il; i++ {
		e := h[16+i*16:]
		if binary.BigEndian.Uint32(e) == tag {
			return data[binary.BigEndian.Uint32(e[8:]):], true
		}
	}
	return nil, false
}

// cString is the NUL-terminated string at the start of b.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
