//go:build linux

package repocache

import (
	"os"
	"syscall"
)

// readImage maps the image at path read-only instead of reading it onto
// the heap: a warm load then holds no copy of the file that the
// collector has to reclaim (the decoders copy out what the packages
// keep), and release unmaps it at once. Files too large to map, empty
// ones and filesystems that cannot map are read as usual.
//
// release must be called once the decoded packages no longer need data:
// the decoders copy every string they keep, so that is as soon as apply
// returns. A fault while reading the mapping (the file truncated by
// someone else meanwhile) is turned into errCorrupt by applyImage.
func readImage(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size <= 0 || size != int64(int(size)) || !fi.Mode().IsRegular() {
		return readWhole(path)
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return readWhole(path)
	}
	return data, func() { syscall.Munmap(data) }, nil
}
