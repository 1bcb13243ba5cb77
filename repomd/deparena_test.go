package repomd

import (
	"reflect"
	"testing"
)

// TestDepArena: lists built over a packed string table and EVRs given by
// string numbers read back as the entries added (names, operators, pre
// bits and EVRs), and NewDepArena refuses tables that do not describe
// what they claim.
func TestDepArena(t *testing.T) {
	// Strings: 0 "", 1 "foo", 2 "1", 3 "2.0", 4 "3.el9", 5 "bar".
	blob := []byte("foo12.03.el9bar")
	offs := []uint32{0, 0, 3, 4, 7, 12, 15}
	evrs := []uint32{0, 0, 0, 2, 3, 4, 0, 3, 0} // EVR 1 = 1:2.0-3.el9, EVR 2 = 2.0
	a := NewDepArena(blob, offs, evrs, 3)
	if a == nil {
		t.Fatal("a valid table refused")
	}
	for _, e := range []struct {
		name, evr uint32
		flags     DepFlag
		pre       bool
	}{{1, 1, DepGE, false}, {5, 0, DepAny, true}, {5, 2, DepLT, false}} {
		if !a.Add(e.name, e.evr, e.flags, e.pre) {
			t.Fatalf("Add(%v) refused", e)
		}
	}
	if a.Add(1, 0, DepAny, false) {
		t.Error("Add past the arena's size accepted")
	}
	l := a.List()
	want := []Dep{
		{Name: "foo", Flags: DepGE, EVR: EVR{Epoch: "1", Version: "2.0", Release: "3.el9"}},
		{Name: "bar", Pre: true},
		{Name: "bar", Flags: DepLT, EVR: EVR{Version: "2.0"}},
	}
	if got := l.Slice(); !reflect.DeepEqual(got, want) {
		t.Errorf("list %v, want %v", got, want)
	}
	if tab, _, evr, _, _ := l.Raw(0); tab.EVR(evr) != want[0].EVR || tab.EVR(0) != (EVR{}) {
		t.Errorf("DepTable.EVR: %v, %v", tab.EVR(evr), tab.EVR(0))
	}
	b := NewDepArena(blob, offs, evrs, 1)
	for _, bad := range []struct {
		name, evr uint32
	}{{6, 0}, {1, 3}} {
		if b.Add(bad.name, bad.evr, DepAny, false) {
			t.Errorf("Add(name %d, evr %d) out of range accepted", bad.name, bad.evr)
		}
	}
	for _, c := range []struct {
		name string
		offs []uint32
		evrs []uint32
	}{
		{"EVR string out of range", offs, []uint32{0, 0, 0, 1, 6, 0}},
		{"partial EVR", offs, []uint32{0, 0, 0, 1}},
		{"no EVR 0", offs, nil},
		{"EVR 0 not empty", offs, []uint32{1, 0, 0}},
		{"string 0 not empty", []uint32{0, 3, 4}, evrs[:3]},
		{"offsets decrease", []uint32{0, 0, 4, 3}, evrs[:3]},
		{"offset past the blob", []uint32{0, 0, 16}, evrs[:3]},
	} {
		if NewDepArena(blob, c.offs, c.evrs, 1) != nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}
