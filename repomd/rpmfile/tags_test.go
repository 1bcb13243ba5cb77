package rpmfile

import (
	"encoding/binary"
	"strings"
	"testing"
)

// hdrEntry is one index entry of a test header: its tag, type, count and
// data bytes.
type hdrEntry struct {
	tag, typ, cnt uint32
	data          []byte
}

// buildHeader lays out a header structure (intro, index, data store).
func buildHeader(entries []hdrEntry) []byte {
	var store []byte
	h := append([]byte{}, headerMagic...)
	h = append(h, 0, 0, 0, 0)
	h = binary.BigEndian.AppendUint32(h, uint32(len(entries)))
	h = binary.BigEndian.AppendUint32(h, 0) // data length, set below
	for _, e := range entries {
		h = binary.BigEndian.AppendUint32(h, e.tag)
		h = binary.BigEndian.AppendUint32(h, e.typ)
		h = binary.BigEndian.AppendUint32(h, uint32(len(store)))
		h = binary.BigEndian.AppendUint32(h, e.cnt)
		store = append(store, e.data...)
	}
	binary.BigEndian.PutUint32(h[12:], uint32(len(store)))
	return append(h, store...)
}

func TestTagTable(t *testing.T) {
	strz := func(s ...string) []byte { return []byte(strings.Join(s, "\x00") + "\x00") }
	h := buildHeader([]hdrEntry{
		{tagName, typeString, 1, strz("first")},
		{tagName, typeString, 1, strz("second")}, // a repeated tag: the last entry counts, as in rpm
		{tagSummary, typeI18NString, 2, strz("C summary", "de Zusammenfassung")},
		{tagFileModes, typeInt16, 2, []byte{0x81, 0xa4, 0x41, 0xed}},
		{tagBuildTime, typeInt32, 1, []byte{0xff, 0xff, 0xff, 0xfe}}, // unsigned: after 2038
		{tagBaseNames, typeStringArray, 2, strz("a", "b")},
		{tagChangelogText, typeStringArray, 1, strz("- fixed")},
	})
	if err := checkIndex(h, "main"); err != nil {
		t.Fatal(err)
	}
	var tt tagTable
	if err := tt.load(h, "main", hdrTagWanted); err != nil {
		t.Fatal(err)
	}
	if got := tt.str(tagName); got != "second" {
		t.Errorf("name %q, want the last entry's", got)
	}
	if got := tt.strs(tagSummary); len(got) != 1 || got[0] != "C summary" {
		t.Errorf("summary %q, want only the C locale's", got)
	}
	if got := tt.ints(tagFileModes); len(got) != 2 || got[0] != 0o100644 || got[1] != 0o40755 {
		t.Errorf("modes %o", got)
	}
	if v, ok := tt.num(tagBuildTime); !ok || v != 0xfffffffe {
		t.Errorf("build time %d %v", v, ok)
	}
	if tt.ints(tagName) != nil || tt.strs(tagFileModes) != nil || tt.str(tagVersion) != "" {
		t.Error("a tag read as the wrong kind, or a missing one, has a value")
	}
	// Kept strings share the one store; the others are copies, so that a
	// kept package holds no changelog or base name bytes.
	if !strings.Contains(tt.store, "second") || strings.Contains(tt.store, "fixed") || strings.Contains(tt.store, "de Zusammenfassung") {
		t.Errorf("store %q", tt.store)
	}
	if got := tt.rawStrs(nil, tagBaseNames); len(got) != 2 || string(got[1]) != "b" {
		t.Errorf("base names %q", got)
	}
}

func TestTagTableRejectsUnterminatedString(t *testing.T) {
	h := buildHeader([]hdrEntry{{tagName, typeString, 1, []byte("no NUL")}})
	var tt tagTable
	err := tt.load(h, "main", hdrTagWanted)
	if err == nil || !strings.Contains(err.Error(), "tag 1000 runs past the data") {
		t.Fatalf("error %v", err)
	}
	// An unwanted tag is not read at all.
	if err := tt.load(h, "main", func(uint32) bool { return false }); err != nil {
		t.Fatal(err)
	}
}
