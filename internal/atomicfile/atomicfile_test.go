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

func TestCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("content"), 0o750); err != nil {
		t.Fatal(err)
	}
	os.Chmod(src, 0o750) // whatever the umask
	for _, tc := range []struct {
		name     string
		dst      string
		mode     os.FileMode
		wantMode os.FileMode
	}{
		{"src's mode, parents created", filepath.Join(dir, "a", "b", "dst"), 0, 0o750},
		{"given mode, replacing", filepath.Join(dir, "a", "b", "dst"), 0o644, 0o644},
	} {
		if err := Copy(src, tc.dst, tc.mode); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := os.ReadFile(tc.dst)
		st, err := os.Stat(tc.dst)
		if err != nil || string(got) != "content" || st.Mode().Perm() != tc.wantMode {
			t.Errorf("%s: %q, mode %v (%v); want mode %v", tc.name, got, st.Mode().Perm(), err, tc.wantMode)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(tc.dst), ".dst.tmp-*")); len(left) != 0 {
			t.Errorf("%s: temporary files left: %v", tc.name, left)
		}
	}
	// A missing source is an error and leaves the target as it was.
	dst := filepath.Join(dir, "a", "b", "dst")
	if err := Copy(filepath.Join(dir, "missing"), dst, 0); err == nil {
		t.Error("no error for a missing source")
	}
	if got, _ := os.ReadFile(dst); string(got) != "content" {
		t.Errorf("target changed to %q", got)
	}
}
