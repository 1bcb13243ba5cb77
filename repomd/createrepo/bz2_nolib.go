//go:build !cgo

package createrepo

// Without cgo there is no libbz2: every chunk goes to dsnet.
func libbz2Chunk(dst, data []byte, level int) ([]byte, bool, error) { return dst, false, nil }

const cgoEnabled = false

func libbz2() bool { return false }
