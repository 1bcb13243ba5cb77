package gather

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// LinkTypes are the values of link_type.
var LinkTypes = []string{"hardlink", "copy", "symlink", "hardlink-or-copy", "abspath-symlink"}

// linkFile puts src at dst the way Pungi's Linker does. An existing dst
// that is already the same file (or an identical copy) is left alone;
// anything else there is an error.
func linkFile(src, dst, linkType string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return linkInto(src, dst, linkType)
}

// linkInto is linkFile for a destination whose directory exists.
func linkInto(src, dst, linkType string) error {
	switch linkType {
	case "hardlink":
		return hardlink(src, dst)
	case "copy":
		return copyTo(src, dst)
	case "symlink", "abspath-symlink":
		if fi, err := os.Lstat(src); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return copyTo(src, dst)
		}
		return symlink(src, dst, linkType == "symlink")
	case "hardlink-or-copy":
		err := hardlink(src, dst)
		if err != nil && (errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EMLINK)) {
			return copyTo(src, dst)
		}
		return err
	}
	return fmt.Errorf("link_type %q is not one of %v", linkType, LinkTypes)
}

func hardlink(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil || !errors.Is(err, os.ErrExist) {
		return err
	}
	a, err1 := os.Stat(src)
	b, err2 := os.Stat(dst)
	if err1 == nil && err2 == nil && os.SameFile(a, b) {
		return nil
	}
	return fmt.Errorf("cannot link %s to %s: a different file exists there", src, dst)
}

func symlink(src, dst string, relative bool) error {
	target := src
	if relative {
		abs, err := filepath.Abs(src)
		if err != nil {
			return err
		}
		if target, err = filepath.Rel(filepath.Dir(dst), abs); err != nil {
			return err
		}
	}
	err := os.Symlink(target, dst)
	if err == nil || !errors.Is(err, os.ErrExist) {
		return err
	}
	if cur, err := os.Readlink(dst); err == nil && cur == target {
		return nil
	}
	return fmt.Errorf("cannot symlink %s to %s: something else exists there", src, dst)
}

// copyTo copies through a temporary file so an interrupted copy never
// leaves a truncated package behind.
func copyTo(src, dst string) error {
	if a, err := os.Stat(src); err == nil {
		if b, err := os.Stat(dst); err == nil {
			if os.SameFile(a, b) || (a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())) {
				return nil
			}
			return fmt.Errorf("cannot copy %s to %s: a different file exists there", src, dst)
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	os.Chmod(tmp.Name(), st.Mode().Perm())
	os.Chtimes(tmp.Name(), st.ModTime(), st.ModTime())
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
