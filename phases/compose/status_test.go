package compose

import (
	"path/filepath"
	"slices"
	"testing"
)

// NextStatus is Pungi's write_status rule, decided without a compose.
func TestNextStatus(t *testing.T) {
	tests := []struct {
		old, status string
		failed      int
		next        string
		change, err bool
	}{
		{"", StatusStarted, 0, StatusStarted, true, false},
		{StatusStarted, StatusStarted, 0, StatusStarted, false, false},
		{StatusStarted, StatusFinished, 0, StatusFinished, true, false},
		{StatusStarted, StatusFinished, 2, StatusFinishedIncomplete, true, false},
		{StatusStarted, StatusDoomed, 2, StatusDoomed, true, false},
		{StatusFinished, StatusDoomed, 0, StatusFinished, false, true},
		{StatusFinished, StatusFinished, 0, StatusFinished, false, false},
		{StatusFinishedIncomplete, StatusTerminated, 1, StatusTerminated, true, false},
	}
	for _, tt := range tests {
		next, change, err := NextStatus(tt.old, tt.status, tt.failed)
		if next != tt.next || change != tt.change || (err != nil) != tt.err {
			t.Errorf("NextStatus(%q, %q, %d) = %q, %v, %v; want %q, %v, error %v", tt.old, tt.status, tt.failed, next, change, err, tt.next, tt.change, tt.err)
		}
	}
}

// The STATUS file and the Koji task records work on a plain directory.
func TestStatusFileAndKojiTaskRecords(t *testing.T) {
	dir := t.TempDir()
	f := NewStatusFile(dir)
	if s := f.Read(); s != "" {
		t.Errorf("empty STATUS read %q", s)
	}
	if err := f.Write(StatusDoomed); err != nil {
		t.Fatal(err)
	}
	if s := f.Read(); s != StatusDoomed {
		t.Errorf("STATUS %q", s)
	}
	r := KojiTaskRecords{Dir: filepath.Join(dir, "logs", "koji-tasks")}
	if ids := r.IDs(); len(ids) != 0 {
		t.Errorf("no records yet, got %v", ids)
	}
	for _, id := range []int{12, 7, 12} {
		if err := r.Record(id); err != nil {
			t.Fatal(err)
		}
	}
	if ids := r.IDs(); !slices.Equal(ids, []int{12, 7}) && !slices.Equal(ids, []int{7, 12}) {
		t.Errorf("IDs %v, want 7 and 12", ids)
	}
}
