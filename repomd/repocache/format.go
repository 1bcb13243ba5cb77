package repocache

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"math"
	"unsafe"

	"github.com/pungo/pungo/repomd"
)

// The file format. Every number is little-endian.
//
//	header (64 bytes)
//	  0  magic "pungorc\n"
//	  8  format version, uint32 (formatVersion)
//	 12  record kind, uint32 (kindPrimary, kindFilelists, kindOther)
//	 16  model fingerprint, uint64 (modelFingerprint: the Go types decoded into)
//	 24  SHA-256 of the repository's repomd.xml, 32 bytes
//	 56  payload length, uint64
//	payload
//	  string table: count, then each string's length (uvarints), then
//	    the bytes of all strings back to back; string 0 is ""
//	  EVR table: count, then each EVR's epoch, version and release by
//	    their string indexes; EVR 0 (not written) is the empty one
//	  the record's body (see encodePrimary, encodeFiles, encodeChangelogs):
//	    uvarints, strings by their index in the table
//	trailer: CRC-32C of header and payload, uint32
//
// A reader checks the length, the checksum, magic, version, kind,
// fingerprint and repomd.xml checksum before it decodes anything, and the
// decoder checks every count and index against what is left, so no input
// makes it panic or allocate much more than the file's size.

// formatVersion changes whenever the layout below changes. A change of the
// package model changes modelFingerprint by itself; TestEveryFieldEncoded
// fails until the encoder handles a new field.
const formatVersion = 2

const (
	kindPrimary   = 1
	kindFilelists = 2
	kindOther     = 3
)

const (
	headerSize  = 64
	trailerSize = 4
)

var magic = [8]byte{'p', 'u', 'n', 'g', 'o', 'r', 'c', '\n'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// errCorrupt marks an image whose bytes do not match its checksum or do
// not decode: unexpected, unlike a stale or foreign image, so reported.
var errCorrupt = errors.New("corrupt")

// errStale reports an image that is well formed but not for this
// repository state or this program: expected, and silently replaced.
type errStale struct{ why string }

func (e errStale) Error() string { return e.why }

// encoder builds a payload: the string table and the body.
type encoder struct {
	ids     idTable
	strs    []string
	blobLen int
	evrIDs  map[[3]uint32]uint32
	evrs    [][3]uint32 // evrs[0] stands for the empty EVR
	body    []byte

	memos     map[repomd.DepTable]*depMemo
	lastTable repomd.DepTable
	lastMemo  *depMemo

	prevText   [textKinds]pathID // the previous value of each kind of text
	prevFiles  []pathID          // the previous package's file list
	spareFiles []pathID          // the one before, its array reused
}

// Kinds of text that are stored without looking for an equal string in
// the whole table, only comparing with the previous value of the kind:
// they rarely repeat except in neighbours (a multilib pair, subpackages
// of one source), and hashing them costs more than the bytes saved.
const (
	textSummary = iota
	textDescription
	textURL
	textChangelog
	textKinds
)

// text adds s, of kind k, to the string table unless it equals the
// previous value of that kind, and writes its index.
func (e *encoder) text(k int, s string) {
	prev := &e.prevText[k]
	if s != prev.path || s == "" {
		*prev = pathID{s, e.rawID(s)}
	}
	e.uv(uint64(prev.id))
}

// raw writes the index of s, added to the string table without looking
// for an equal one: for values that are unique (checksums, locations).
func (e *encoder) raw(s string) { e.uv(uint64(e.rawID(s))) }

// rawID adds s to the string table as a new string and returns its index.
func (e *encoder) rawID(s string) uint32 {
	if s == "" {
		return 0
	}
	e.strs = append(e.strs, s)
	e.blobLen += len(s)
	return uint32(len(e.strs) - 1)
}

// newEncoder sizes its tables for sizeHint packages and about nstrs
// strings.
func newEncoder(sizeHint, nstrs int) *encoder {
	// The body takes about 250 bytes per package in real repositories;
	// the string table grows as it must.
	return &encoder{ids: newIDTable(sizeHint * 2), strs: append(make([]string, 0, nstrs+1), ""), evrIDs: map[[3]uint32]uint32{},
		evrs: [][3]uint32{{}}, body: make([]byte, 0, sizeHint*256), memos: map[repomd.DepTable]*depMemo{}}
}

// idTable gives each distinct string its index in the table: an
// open-addressed table of hashes and indexes (a Go map costs twice as much
// here, and encoding runs on every cold load). It serves the values that
// repeat across a repository (names, versions, licenses, dependency
// names); texts that repeat only in neighbours go through text, unique
// values through raw.
type idTable struct {
	seed  maphash.Seed
	slots []idSlot // power of two
	used  int
}

type idSlot struct {
	hash uint64 // 0: empty
	id   uint32
}

func newIDTable(hint int) idTable {
	n := 1 << 10
	for n < 2*hint {
		n <<= 1
	}
	return idTable{seed: maphash.MakeSeed(), slots: make([]idSlot, n)}
}

// id adds s to the string table, if new, and returns its index.
func (e *encoder) id(s string) uint32 {
	if s == "" {
		return 0
	}
	t := &e.ids
	h := maphash.String(t.seed, s) | 1
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.hash == h && e.strs[sl.id] == s {
			return sl.id
		}
		if sl.hash == 0 {
			id := uint32(len(e.strs))
			*sl = idSlot{hash: h, id: id}
			e.strs = append(e.strs, s)
			e.blobLen += len(s)
			if t.used++; t.used*2 > len(t.slots) {
				t.grow()
			}
			return id
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	t.slots = make([]idSlot, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.hash == 0 {
			continue
		}
		i := sl.hash & mask
		for t.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

func (e *encoder) uv(v uint64)  { e.body = binary.AppendUvarint(e.body, v) }
func (e *encoder) int(v int64)  { e.body = binary.AppendVarint(e.body, v) }
func (e *encoder) str(s string) { e.uv(uint64(e.id(s))) }
func (e *encoder) bool(b bool) {
	if b {
		e.body = append(e.body, 1)
	} else {
		e.body = append(e.body, 0)
	}
}

// file returns the whole cache file: header, payload, trailer.
func (e *encoder) file(kind uint32, repomdSHA256 [32]byte) []byte {
	var b bytes.Buffer
	e.writeTo(&b, kind, repomdSHA256) // a bytes.Buffer does not fail
	return b.Bytes()
}

// writeTo writes the cache file to w as it goes (the file is never whole
// in memory): the header, whose payload length is added up first, the
// string and EVR tables, the body, and the checksum of all of it.
func (e *encoder) writeTo(w io.Writer, kind uint32, repomdSHA256 [32]byte) error {
	n := uvarintLen(uint64(len(e.strs))) + e.blobLen + uvarintLen(uint64(len(e.evrs)-1)) + len(e.body)
	for _, s := range e.strs {
		n += uvarintLen(uint64(len(s)))
	}
	for _, v := range e.evrs[1:] {
		for _, id := range v {
			n += uvarintLen(uint64(id))
		}
	}
	crc := crcWriter{w: w}
	bw := bufio.NewWriterSize(&crc, 1<<20)
	var head [headerSize]byte
	copy(head[:], magic[:])
	binary.LittleEndian.PutUint32(head[8:], formatVersion)
	binary.LittleEndian.PutUint32(head[12:], kind)
	binary.LittleEndian.PutUint64(head[16:], modelFingerprint())
	copy(head[24:56], repomdSHA256[:])
	binary.LittleEndian.PutUint64(head[56:], uint64(n))
	bw.Write(head[:])
	var buf [binary.MaxVarintLen64]byte
	uv := func(v uint64) { bw.Write(binary.AppendUvarint(buf[:0], v)) }
	uv(uint64(len(e.strs)))
	for _, s := range e.strs {
		uv(uint64(len(s)))
	}
	for _, s := range e.strs {
		bw.WriteString(s)
	}
	uv(uint64(len(e.evrs) - 1))
	for _, v := range e.evrs[1:] {
		for _, id := range v {
			uv(uint64(id))
		}
	}
	bw.Write(e.body)
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.sum))
	return err
}

func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// crcWriter passes writes on and keeps the CRC-32C of what it passed.
type crcWriter struct {
	w   io.Writer
	sum uint32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.sum = crc32.Update(c.sum, castagnoli, p[:n])
	return n, err
}

// payloadOf checks a whole cache file and returns its payload.
func payloadOf(data []byte, kind uint32, repomdSHA256 [32]byte) ([]byte, error) {
	if len(data) < headerSize+trailerSize {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", errCorrupt, len(data))
	}
	if [8]byte(data[:8]) != magic {
		return nil, fmt.Errorf("%w: not a pungo cache file", errCorrupt)
	}
	// Version first: another format may lay out the rest differently.
	if v := binary.LittleEndian.Uint32(data[8:]); v != formatVersion {
		return nil, errStale{fmt.Sprintf("format version %d, this pungo reads %d", v, formatVersion)}
	}
	if n := binary.LittleEndian.Uint64(data[56:]); n != uint64(len(data)-headerSize-trailerSize) {
		return nil, fmt.Errorf("%w: payload of %d bytes announced, %d present", errCorrupt, n, len(data)-headerSize-trailerSize)
	}
	body := data[:len(data)-trailerSize]
	if crc32c(body) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	switch {
	case binary.LittleEndian.Uint32(data[12:]) != kind:
		return nil, fmt.Errorf("%w: record kind %d, want %d", errCorrupt, binary.LittleEndian.Uint32(data[12:]), kind)
	case binary.LittleEndian.Uint64(data[16:]) != modelFingerprint():
		return nil, errStale{"made by a pungo with another package model"}
	case [32]byte(data[24:56]) != repomdSHA256:
		return nil, errStale{"made from another repomd.xml"}
	}
	return body[headerSize:], nil
}

// decoder reads a payload. On malformed input it sets bad and returns
// zero values from then on; callers check bad once per package.
type decoder struct {
	b   []byte
	i   int
	bad bool
	// The string table: string k is blob[offs[k]:offs[k+1]], nstr of them.
	blob []byte
	offs []uint32
	nstr uint64
	evrs []uint32 // EVR k is the strings evrs[3k:3k+3]; EVR 0 the empty one
}

func (d *decoder) fail() {
	d.bad = true
	d.i = len(d.b)
}

func (d *decoder) uv() uint64 {
	if d.i < len(d.b) {
		if c := d.b[d.i]; c < 0x80 {
			d.i++
			return uint64(c)
		}
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) int() int64 {
	u := d.uv()
	return int64(u>>1) ^ -int64(u&1) // zigzag, as binary.AppendVarint writes
}

func (d *decoder) bool() bool {
	switch d.uv() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

func (d *decoder) str() string {
	id := d.uv()
	if id >= d.nstr {
		d.fail()
		return ""
	}
	return d.string(uint32(id))
}

// string returns string k of the table (k < nstr).
func (d *decoder) string(k uint32) string {
	o, e := d.offs[k], d.offs[k+1]
	if o == e {
		return ""
	}
	return unsafe.String(&d.blob[o], e-o)
}

// count reads a count that claims at least minBytes bytes per item of
// what is left, so a forged count cannot make the decoder allocate far
// beyond the file's size.
func (d *decoder) count(minBytes int) int {
	n := d.uv()
	if n > uint64((len(d.b)-d.i)/minBytes) {
		d.fail()
		return 0
	}
	return int(n)
}

// stringTable decodes the string table, then the EVR table. The strings
// are one byte array and their offsets (4 bytes per string, where string
// headers would take 16). With copyBlob the array is a copy, so that
// what the decoded packages keep does not hold the file's whole buffer
// (its numbers, once decoded, are garbage); else the strings point into
// the payload, for a decoder that copies what it keeps.
func (d *decoder) stringTable(copyBlob bool) {
	n := d.count(1)
	if n == 0 || d.bad {
		d.fail() // string 0 ("") is always there
		return
	}
	lens := d.i
	total := 0
	for range n {
		l := d.uv()
		if l > uint64(len(d.b)) {
			d.fail()
			return
		}
		total += int(l)
	}
	if d.bad || total > len(d.b)-d.i || total > math.MaxUint32 {
		d.fail()
		return
	}
	blob := d.b[d.i : d.i+total : d.i+total]
	if copyBlob {
		blob = append([]byte(nil), blob...)
	}
	d.i += total
	offs := make([]uint32, n+1)
	ld := decoder{b: d.b[lens:]}
	for k := range n {
		offs[k+1] = offs[k] + uint32(ld.uv())
	}
	if offs[1] != 0 {
		d.fail()
		return
	}
	d.blob, d.offs, d.nstr = blob, offs, uint64(n)
	// EVR k is strings evrs[3k:3k+3], epoch, version and release; EVR 0
	// (not written) the empty one.
	evrs := make([]uint32, 3*(1+d.count(3)))
	for k := 3; k < len(evrs) && !d.bad; k++ {
		id := d.uv()
		if id >= d.nstr {
			d.fail()
			return
		}
		evrs[k] = uint32(id)
	}
	d.evrs = evrs
}

// done reports whether the payload decoded cleanly and was used up.
func (d *decoder) done() error {
	if d.bad || d.i != len(d.b) {
		return fmt.Errorf("%w: payload does not decode", errCorrupt)
	}
	return nil
}

// slab hands out consecutive sub-slices of one array, each with its
// capacity clipped so that appending to one never writes into the next.
type slab[T any] struct{ buf []T }

func (s *slab[T]) take(d *decoder, n int) []T {
	if n == 0 {
		return nil
	}
	if n > len(s.buf) {
		d.fail()
		return nil
	}
	r := s.buf[:n:n]
	s.buf = s.buf[n:]
	return r
}

// Minimum encoded sizes, for count.
const (
	minPackageBytes   = 36 // 18 strings, 7 numbers, 10 list counts, one flag
	minDepBytes       = 3
	minFileBytes      = 1
	minChangelogBytes = 3
)
