package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteWith(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "f")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fill    func(io.Writer) error
		want    string
		wantErr bool
	}{
		{"failure keeps old content", func(w io.Writer) error { w.Write([]byte("partial")); return errors.New("boom") }, "old", true},
		{"success replaces", func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }, "new", false},
	}
	for _, tc := range tests {
		err := WriteWith(target, 0o644, tc.fill)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: err = %v", tc.name, err)
		}
		got, _ := os.ReadFile(target)
		if string(got) != tc.want {
			t.Errorf("%s: content %q, want %q", tc.name, got, tc.want)
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".f.tmp-*"))
		if len(left) != 0 {
			t.Errorf("%s: temporary files left: %v", tc.name, left)
		}
	}
}

func TestCreateInMissingDir(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "f"), nil, 0o644)
	if err == nil {
		t.Fatal("expected an error for a missing directory")
	}
}
