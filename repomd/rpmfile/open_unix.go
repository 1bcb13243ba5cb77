//go:build unix

package rpmfile

import (
	"os"
	"syscall"
)

// openFile opens path for reading without registering it with the
// runtime's poller: os.Open tries epoll on every file and, refused for a
// regular file, switches it back to blocking mode, five wasted system
// calls per package (10,000 in a 2,000-package repository). os.NewFile
// on a blocking descriptor skips all that.
func openFile(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
