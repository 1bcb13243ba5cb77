package rpmfile

import (
	"bufio"
	"fmt"
)

// Tags rpm-md metadata does not carry, read on demand by ReadArchTags.
const (
	tagExcludeArch   = 1059
	tagExclusiveArch = 1061
)

// ReadArchTags returns the ExclusiveArch and ExcludeArch lists of the
// package at path. Only the lead and headers are read, never the payload,
// so it stays cheap on large packages. Errors name the file.
func ReadArchTags(path string) (exclusive, exclude []string, err error) {
	f, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	p, err := readHeadersWanted(bufio.NewReaderSize(f, 64<<10), archTagWanted)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return p.hdr.strs(tagExclusiveArch), p.hdr.strs(tagExcludeArch), nil
}

func archTagWanted(t uint32) bool { return t == tagExclusiveArch || t == tagExcludeArch }
