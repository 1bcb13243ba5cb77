package rpmfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
)

// tagTable reads the wanted tags of one header structure in place. The
// values a package keeps as they are (names, EVRs, summary, dependency
// names and versions...) are copied once into store, a single string per
// header, and handed out as substrings of it; the rest (file names, which
// are joined into paths, changelog entries past the limit, numbers) are
// read from the header bytes while the package is filled and never copied
// whole. A header used to cost one allocation per tag and per string.
//
// Like rpm's header reader, a tag that appears twice has the value of its
// last entry; a tag read with the wrong kind of accessor (strs on a number,
// ints on a string) has no value.
type tagTable struct {
	data  []byte // the structure's data store: the caller's bytes, valid while filling
	store string // the kept string values, NUL-terminated, one after another
	ent   [numSlots]tagEntry
}

type tagEntry struct {
	typ, cnt, off uint32 // off: into store when kept, else into data
	ok, kept      bool
}

// rpm tag value types (rpmtag.h).
const (
	typeInt16       = 3
	typeInt32       = 4
	typeInt64       = 5
	typeString      = 6
	typeStringArray = 8
	typeI18NString  = 9
)

func isStringType(t uint32) bool {
	return t == typeString || t == typeStringArray || t == typeI18NString
}

// Every tag this package reads has a slot in a tagTable; slotOf is 0 for
// the others.
const (
	maxSlotTag = 5060
	numSlots   = 72
)

var slotOf = func() (s [maxSlotTag]uint8) {
	n := 0
	for t := uint32(0); t < maxSlotTag; t++ {
		if hdrTagWanted(t) || sigTagWanted(t) || t == tagExcludeArch || t == tagExclusiveArch {
			n++
			s[t] = uint8(n)
		}
	}
	if n >= numSlots {
		panic("rpmfile: numSlots too small")
	}
	return s
}()

func slot(tag int) int {
	if tag < 0 || tag >= maxSlotTag {
		return 0
	}
	return int(slotOf[tag])
}

// keptTag reports whether a main header tag's strings end up in the
// package as they are.
func keptTag(t uint32) bool {
	switch t {
	case tagName, tagVersion, tagRelease, tagSummary, tagDescription, tagBuildHost, tagVendor,
		tagLicense, tagPackager, tagGroup, tagURL, tagArch, tagSourceRPM:
		return true
	}
	for _, d := range depTags {
		if int(t) == d.name || int(t) == d.versions {
			return true
		}
	}
	return false
}

var storePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// load reads the index of the header structure h (validated by checkIndex)
// keeping the entries wanted accepts; kept says whose strings are copied
// into the store (nil: none).
func (t *tagTable) load(h []byte, what string, wanted func(uint32) bool) error {
	il := int(binary.BigEndian.Uint32(h[8:]))
	dl := int(binary.BigEndian.Uint32(h[12:]))
	t.data = h[16+il*16 : 16+il*16+dl]
	anyKept := false
	for i := 0; i < il; i++ {
		e := h[16+i*16:]
		tag := binary.BigEndian.Uint32(e)
		s := 0
		if tag < maxSlotTag {
			s = int(slotOf[tag])
		}
		if s == 0 || !wanted(tag) {
			continue
		}
		ent := tagEntry{typ: binary.BigEndian.Uint32(e[4:]), off: binary.BigEndian.Uint32(e[8:]), cnt: binary.BigEndian.Uint32(e[12:]), ok: true}
		if isStringType(ent.typ) {
			// Every string must end inside the data.
			end := int(ent.off)
			for k := uint32(0); k < ent.cnt; k++ {
				n := bytes.IndexByte(t.data[end:], 0)
				if n < 0 {
					return fmt.Errorf("corrupt rpm header: %s header tag %d runs past the data", what, tag)
				}
				end += n + 1
			}
			ent.kept = what == "main" && keptTag(tag)
			anyKept = anyKept || ent.kept
		}
		t.ent[s] = ent
	}
	if !anyKept {
		return nil
	}
	bp := storePool.Get().(*[]byte)
	defer storePool.Put(bp)
	buf := (*bp)[:0]
	for s := range t.ent {
		ent := &t.ent[s]
		if !ent.ok || !ent.kept {
			continue
		}
		if ent.typ == typeI18NString {
			ent.cnt = 1 // the first (C locale) string is the only one read
		}
		end := int(ent.off)
		for k := uint32(0); k < ent.cnt; k++ {
			end += bytes.IndexByte(t.data[end:], 0) + 1
		}
		from := ent.off
		ent.off = uint32(len(buf))
		buf = append(buf, t.data[from:end]...)
	}
	t.store = string(buf)
	*bp = buf[:0]
	return nil
}

func (t *tagTable) entry(tag int) *tagEntry {
	e := &t.ent[slot(tag)]
	if !e.ok {
		return nil
	}
	return e
}

// strs returns a string tag's values: substrings of the store when the
// tag is kept, else copies.
func (t *tagTable) strs(tag int) []string {
	e := t.entry(tag)
	if e == nil || !isStringType(e.typ) {
		return nil
	}
	out := make([]string, e.cnt)
	if e.kept {
		at := int(e.off)
		for k := range out {
			n := at + stringsIndexNUL(t.store[at:])
			out[k] = t.store[at:n]
			at = n + 1
		}
		return out
	}
	at := int(e.off)
	for k := range out {
		n := at + bytes.IndexByte(t.data[at:], 0)
		out[k] = string(t.data[at:n])
		at = n + 1
	}
	return out
}

func stringsIndexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return len(s)
}

// rawStrs appends a string tag's values to dst as slices of the header
// bytes, valid only while the package is filled.
func (t *tagTable) rawStrs(dst [][]byte, tag int) [][]byte {
	e := t.entry(tag)
	if e == nil || !isStringType(e.typ) {
		return dst
	}
	if e.kept {
		// Kept tags are read through strs; this path serves the others.
		for _, s := range t.strs(tag) {
			dst = append(dst, []byte(s))
		}
		return dst
	}
	at := int(e.off)
	for k := uint32(0); k < e.cnt; k++ {
		n := at + bytes.IndexByte(t.data[at:], 0)
		dst = append(dst, t.data[at:n])
		at = n + 1
	}
	return dst
}

func (t *tagTable) str(tag int) string {
	e := t.entry(tag)
	if e == nil || !isStringType(e.typ) || e.cnt == 0 {
		return ""
	}
	if e.kept {
		at := int(e.off)
		return t.store[at : at+stringsIndexNUL(t.store[at:])]
	}
	at := int(e.off)
	return string(t.data[at : at+bytes.IndexByte(t.data[at:], 0)])
}

// ints returns a number tag's values; rpm's unsigned 16-, 32- and 64-bit
// integers, each as an int64.
func (t *tagTable) ints(tag int) []int64 {
	e := t.entry(tag)
	if e == nil {
		return nil
	}
	size := 0
	switch e.typ {
	case typeInt16:
		size = 2
	case typeInt32:
		size = 4
	case typeInt64:
		size = 8
	default:
		return nil
	}
	out := make([]int64, e.cnt)
	b := t.data[e.off:]
	for k := range out {
		switch size {
		case 2:
			out[k] = int64(binary.BigEndian.Uint16(b[k*2:]))
		case 4:
			out[k] = int64(binary.BigEndian.Uint32(b[k*4:]))
		default:
			out[k] = int64(binary.BigEndian.Uint64(b[k*8:]))
		}
	}
	return out
}

// num is a number tag's first value.
func (t *tagTable) num(tag int) (int64, bool) {
	e := t.entry(tag)
	if e == nil || e.cnt == 0 {
		return 0, false
	}
	b := t.data[e.off:]
	switch e.typ {
	case typeInt16:
		return int64(binary.BigEndian.Uint16(b)), true
	case typeInt32:
		return int64(binary.BigEndian.Uint32(b)), true
	case typeInt64:
		return int64(binary.BigEndian.Uint64(b)), true
	}
	return 0, false
}
