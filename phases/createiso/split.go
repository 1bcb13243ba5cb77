package createiso

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// MediaSize converts iso_size / split_iso_reserve values ("4700000000",
// "4G", "500M", "64k", "123b", or a number) to bytes, as Pungi's
// convert_media_size; the result must be positive.
func MediaSize(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		n = int64(x)
	case string:
		units := map[byte]int64{'b': 1, 'k': 1024, 'M': 1024 * 1024, 'G': 1024 * 1024 * 1024}
		mul := int64(1)
		s := strings.TrimSpace(x)
		if s != "" {
			if m, ok := units[s[len(s)-1]]; ok {
				mul, s = m, s[:len(s)-1]
			}
		}
		num, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("media size %q: want a number with an optional b, k, M or G suffix", x)
		}
		n = num * mul
	default:
		return 0, fmt.Errorf("media size %v: want a number or a string", v)
	}
	if n <= 0 {
		return 0, fmt.Errorf("Media size must be a positive number: %v", v)
	}
	return n, nil
}

// blockSize rounds sizes as they take space on ISO 9660 media.
func blockSize(size int64) int64 {
	const b = 2048
	return (size + b - 1) / b * b
}

// Disc is one medium of a split.
type Disc struct {
	Size  int64
	Files []string
}

// Splitter is Pungi's MediaSplitter: files keep the order they were added
// in and fill discs one after the other; sticky files are on every disc.
// A zero MediaSize means no limit (everything on one disc).
type Splitter struct {
	MediaSize int64
	files     []string
	sizes     map[string]int64
	sticky    map[string]bool
}

// NewSplitter returns a splitter for media of the given size (0: no limit).
func NewSplitter(mediaSize int64) *Splitter {
	return &Splitter{MediaSize: mediaSize, sizes: map[string]int64{}, sticky: map[string]bool{}}
}

// Add adds a file. Adding the same file twice with another size, or a
// file larger than the medium, is an error.
func (s *Splitter) Add(name string, size int64, sticky bool) error {
	name = filepath.Clean(name)
	if old, ok := s.sizes[name]; ok && old != size {
		return fmt.Errorf("File size mismatch; file: %s; sizes: %d vs %d", name, old, size)
	}
	if s.MediaSize > 0 && size > s.MediaSize {
		return fmt.Errorf("File is larger than media size: %s (%d > %d bytes)", name, size, s.MediaSize)
	}
	if _, ok := s.sizes[name]; !ok {
		s.files = append(s.files, name)
	}
	s.sizes[name] = size
	if sticky {
		s.sticky[name] = true
	}
	return nil
}

// Split distributes the files over discs.
func (s *Splitter) Split() []Disc {
	var sticky, rest []string
	var stickySize int64
	for _, f := range s.files {
		if s.sticky[f] {
			sticky = append(sticky, f)
			stickySize += blockSize(s.sizes[f])
		} else {
			rest = append(rest, f)
		}
	}
	var discs []Disc
	for _, f := range rest {
		size := blockSize(s.sizes[f])
		if len(discs) == 0 || (s.MediaSize > 0 && discs[len(discs)-1].Size+size > s.MediaSize) {
			discs = append(discs, Disc{Size: stickySize, Files: append([]string(nil), sticky...)})
		}
		d := &discs[len(discs)-1]
		d.Files = append(d.Files, f)
		d.Size += size
	}
	return discs
}
