//go:build !linux

package repocache

// readImage reads the image at path onto the heap (read_linux.go maps it).
func readImage(path string) (data []byte, release func(), err error) { return readWhole(path) }
