// Package atomicfile writes files so that readers only ever see the old
// content or the complete new content: data goes to a temporary file in the
// same directory, is synced, and is renamed over the target. A failed or
// interrupted write leaves the previous file untouched.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is a pending replacement of a path. Write to it, then Commit; Abort
// (safe after Commit) removes the temporary file.
type File struct {
	*os.File
	target string
	done   bool
}

// Create starts writing a replacement for path with the given mode.
func Create(path string, mode os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{File: f, target: path}, nil
}

// Commit flushes the data and renames it over the target.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already committed or aborted", f.target)
	}
	f.done = true
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		os.Remove(f.File.Name())
		return fmt.Errorf("%s: %w", f.target, err)
	}
	if err := f.File.Close(); err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("%s: %w", f.target, err)
	}
	if err := os.Rename(f.File.Name(), f.target); err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("%s: %w", f.target, err)
	}
	return nil
}

// Abort discards the pending data. It does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// WriteFile atomically replaces path with data.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	return WriteWith(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith atomically replaces path with what fill writes; when fill fails
// the target is left as it was.
func WriteWith(path string, mode os.FileMode, fill func(w io.Writer) error) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// Copy copies the file src to dst as WriteWith writes (a temporary file
// in dst's directory, synced and renamed into place, so dst is never seen
// partly written), creating dst's missing parent directories. mode 0
// gives dst src's permission bits.
func Copy(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if mode == 0 {
		st, err := in.Stat()
		if err != nil {
			return err
		}
		mode = st.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return WriteWith(dst, mode, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
