// Package fatimg reads and writes FAT12/FAT16 file system images such as
// lorax's images/efiboot.img, so buildinstall can rewrite the boot
// configuration inside it without mounting (no root, no mtools). Images
// are read completely (long file names included) and written anew with the
// same size and volume label.
package fatimg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/pungo/pungo/internal/atomicfile"
)

const sector = 512

// FS is the content of a FAT image: files by slash-separated path and
// the directories (including empty ones).
type FS struct {
	Label string
	Files map[string][]byte
	Dirs  map[string]bool
}

type geometry struct {
	bytesPerSec   int
	secPerClus    int
	reserved      int
	numFATs       int
	rootEntries   int
	totalSectors  int
	fatSize       int
	fat12         bool
	firstDataSec  int
	clusters      int
	rootDirSector int
}

func (g geometry) clusterBytes() int { return g.bytesPerSec * g.secPerClus }

func parseBPB(b []byte) (geometry, error) {
	var g geometry
	if len(b) < sector || b[510] != 0x55 || b[511] != 0xAA {
		return g, errors.New("no boot sector signature (not a FAT image)")
	}
	g.bytesPerSec = int(binary.LittleEndian.Uint16(b[11:]))
	g.secPerClus = int(b[13])
	g.reserved = int(binary.LittleEndian.Uint16(b[14:]))
	g.numFATs = int(b[16])
	g.rootEntries = int(binary.LittleEndian.Uint16(b[17:]))
	g.totalSectors = int(binary.LittleEndian.Uint16(b[19:]))
	if g.totalSectors == 0 {
		g.totalSectors = int(binary.LittleEndian.Uint32(b[32:]))
	}
	g.fatSize = int(binary.LittleEndian.Uint16(b[22:]))
	if g.bytesPerSec == 0 || g.secPerClus == 0 || g.fatSize == 0 {
		return g, errors.New("unsupported FAT variant (FAT32 or corrupt BPB)")
	}
	rootSecs := (g.rootEntries*32 + g.bytesPerSec - 1) / g.bytesPerSec
	g.rootDirSector = g.reserved + g.numFATs*g.fatSize
	g.firstDataSec = g.rootDirSector + rootSecs
	g.clusters = (g.totalSectors - g.firstDataSec) / g.secPerClus
	g.fat12 = g.clusters < 4085
	if g.clusters >= 65525 {
		return g, errors.New("FAT32 images are not supported")
	}
	return g, nil
}

func (g geometry) fatEntry(fat []byte, n int) int {
	if g.fat12 {
		off := n * 3 / 2
		v := int(binary.LittleEndian.Uint16(fat[off:]))
		if n%2 == 1 {
			return v >> 4
		}
		return v & 0xFFF
	}
	return int(binary.LittleEndian.Uint16(fat[n*2:]))
}

func (g geometry) isEOC(v int) bool {
	if g.fat12 {
		return v >= 0xFF8
	}
	return v >= 0xFFF8
}

// Read parses a FAT12/16 image.
func Read(img []byte) (*FS, error) {
	g, err := parseBPB(img)
	if err != nil {
		return nil, err
	}
	if g.totalSectors*g.bytesPerSec > len(img) {
		return nil, fmt.Errorf("image is %d bytes, boot sector says %d", len(img), g.totalSectors*g.bytesPerSec)
	}
	fat := img[g.reserved*g.bytesPerSec : (g.reserved+g.fatSize)*g.bytesPerSec]
	fs := &FS{Files: map[string][]byte{}, Dirs: map[string]bool{}}
	fs.Label = strings.TrimRight(string(img[43:54]), " ")
	chain := func(start int) ([]byte, error) {
		var out []byte
		seen := map[int]bool{}
		for c := start; c >= 2 && !g.isEOC(c); c = g.fatEntry(fat, c) {
			if seen[c] || c-2 >= g.clusters {
				return nil, fmt.Errorf("broken cluster chain at %d", c)
			}
			seen[c] = true
			off := (g.firstDataSec + (c-2)*g.secPerClus) * g.bytesPerSec
			out = append(out, img[off:off+g.clusterBytes()]...)
		}
		return out, nil
	}
	var walk func(dir []byte, prefix string, depth int) error
	walk = func(dir []byte, prefix string, depth int) error {
		if depth > 32 {
			return errors.New("directory tree too deep")
		}
		var lfn []uint16
		for i := 0; i+32 <= len(dir); i += 32 {
			e := dir[i : i+32]
			if e[0] == 0 {
				break
			}
			if e[0] == 0xE5 {
				lfn = nil
				continue
			}
			attr := e[11]
			if attr == 0x0F {
				seq := int(e[0] & 0x1F)
				var part []uint16
				for _, r := range [][2]int{{1, 11}, {14, 26}, {28, 32}} {
					for j := r[0]; j < r[1]; j += 2 {
						part = append(part, binary.LittleEndian.Uint16(e[j:]))
					}
				}
				if e[0]&0x40 != 0 {
					lfn = make([]uint16, seq*13)
				}
				if lfn != nil && seq >= 1 && seq*13 <= len(lfn) {
					copy(lfn[(seq-1)*13:], part)
				}
				continue
			}
			if attr&0x08 != 0 {
				if prefix == "" {
					fs.Label = strings.TrimRight(string(e[:11]), " ")
				}
				lfn = nil
				continue
			}
			name := shortName(e)
			if lfn != nil {
				n := 0
				for n < len(lfn) && lfn[n] != 0 && lfn[n] != 0xFFFF {
					n++
				}
				name = string(utf16.Decode(lfn[:n]))
				lfn = nil
			}
			if name == "." || name == ".." {
				continue
			}
			full := path.Join(prefix, name)
			start := int(binary.LittleEndian.Uint16(e[26:]))
			if attr&0x10 != 0 {
				fs.Dirs[full] = true
				sub, err := chain(start)
				if err != nil {
					return fmt.Errorf("%s: %w", full, err)
				}
				if err := walk(sub, full, depth+1); err != nil {
					return err
				}
				continue
			}
			size := int(binary.LittleEndian.Uint32(e[28:]))
			data, err := chain(start)
			if err != nil {
				return fmt.Errorf("%s: %w", full, err)
			}
			if size > len(data) {
				return fmt.Errorf("%s: size %d beyond its clusters", full, size)
			}
			fs.Files[full] = append([]byte(nil), data[:size]...)
		}
		return nil
	}
	rootOff := g.rootDirSector * g.bytesPerSec
	if err := walk(img[rootOff:rootOff+g.rootEntries*32], "", 0); err != nil {
		return nil, err
	}
	return fs, nil
}

func shortName(e []byte) string {
	base := strings.TrimRight(string(e[:8]), " ")
	ext := strings.TrimRight(string(e[8:11]), " ")
	if e[0] == 0x05 {
		base = "\xE5" + base[1:]
	}
	// NT case flags: 0x08 lower-case base, 0x10 lower-case extension.
	if e[12]&0x08 != 0 {
		base = strings.ToLower(base)
	}
	if e[12]&0x10 != 0 {
		ext = strings.ToLower(ext)
	}
	if ext == "" {
		return base
	}
	return base + "." + ext
}

// ReadFile reads an image file.
func ReadFile(p string) (*FS, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	fs, err := Read(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return fs, nil
}

func layout(totalSectors, rootEntries int) (geometry, error) {
	rootSecs := rootEntries * 32 / sector
	for spc := 1; spc <= 128; spc *= 2 {
		for _, fat12 := range []bool{true, false} {
			g := geometry{bytesPerSec: sector, secPerClus: spc, reserved: 1, numFATs: 2, rootEntries: rootEntries,
				totalSectors: totalSectors, fat12: fat12}
			g.fatSize = 1
			for i := 0; i < 8; i++ {
				data := totalSectors - g.reserved - rootSecs - 2*g.fatSize
				g.clusters = data / spc
				var bytes int
				if fat12 {
					bytes = ((g.clusters+2)*3 + 1) / 2
				} else {
					bytes = (g.clusters + 2) * 2
				}
				g.fatSize = (bytes + sector - 1) / sector
			}
			g.rootDirSector = g.reserved + 2*g.fatSize
			g.firstDataSec = g.rootDirSector + rootSecs
			g.clusters = (totalSectors - g.firstDataSec) / spc
			if g.clusters < 16 {
				continue
			}
			if fat12 && g.clusters < 4085 || !fat12 && g.clusters >= 4085 && g.clusters < 65525 {
				return g, nil
			}
		}
	}
	return geometry{}, fmt.Errorf("no FAT12/16 layout for %d sectors", totalSectors)
}

type dirEnt struct {
	name  string
	isDir bool
	data  []byte
	kids  []*dirEnt
	start int
	label string // root only: the volume label entry
}

// Build writes fs into a new image of size bytes.
func Build(fs *FS, size int64) ([]byte, error) {
	if size%sector != 0 || size < 64*sector {
		return nil, fmt.Errorf("image size %d is not a positive multiple of %d", size, sector)
	}
	g, err := layout(int(size/sector), 512)
	if err != nil {
		return nil, err
	}
	img := make([]byte, size)
	// Tree of entries.
	root := &dirEnt{isDir: true, label: fs.Label}
	nodes := map[string]*dirEnt{"": root}
	var ensure func(p string) *dirEnt
	ensure = func(p string) *dirEnt {
		if p == "." || p == "" || p == "/" {
			return root
		}
		if n, ok := nodes[p]; ok {
			return n
		}
		parent := ensure(path.Dir(p))
		n := &dirEnt{name: path.Base(p), isDir: true}
		parent.kids = append(parent.kids, n)
		nodes[p] = n
		return n
	}
	dirs := slices.Sorted(maps.Keys(fs.Dirs))
	for _, d := range dirs {
		ensure(d)
	}
	files := slices.Sorted(maps.Keys(fs.Files))
	for _, f := range files {
		parent := ensure(path.Dir(f))
		parent.kids = append(parent.kids, &dirEnt{name: path.Base(f), data: fs.Files[f]})
	}
	fat := make([]int, g.clusters+2)
	fat[0], fat[1] = 0xFFF8, 0xFFFF
	next := 2
	cb := g.clusterBytes()
	alloc := func(n int) (int, error) {
		if n == 0 {
			return 0, nil
		}
		if next+n > g.clusters+2 {
			return 0, errors.New("image is full")
		}
		start := next
		for i := 0; i < n; i++ {
			if i == n-1 {
				fat[next] = 0xFFFF
			} else {
				fat[next] = next + 1
			}
			next++
		}
		return start, nil
	}
	writeData := func(start int, data []byte) {
		off := (g.firstDataSec + (start-2)*g.secPerClus) * sector
		copy(img[off:], data)
	}
	var place func(d *dirEnt, parentStart int) error
	place = func(d *dirEnt, parentStart int) error {
		// Allocate children first so their entries know their clusters.
		for _, k := range d.kids {
			if k.isDir {
				continue
			}
			s, err := alloc((len(k.data) + cb - 1) / cb)
			if err != nil {
				return err
			}
			k.start = s
			writeData(s, k.data)
		}
		var subdirs []*dirEnt
		for _, k := range d.kids {
			if k.isDir {
				subdirs = append(subdirs, k)
			}
		}
		for _, k := range subdirs {
			ents := dirEntries(k, 1, 1) // for the size only
			s, err := alloc((len(ents) + cb - 1) / cb)
			if err != nil {
				return err
			}
			k.start = s
		}
		for _, k := range subdirs {
			if err := place(k, d.start); err != nil {
				return err
			}
		}
		ents := dirEntries(d, d.start, parentStart)
		if d == root {
			if len(ents) > g.rootEntries*32 {
				return errors.New("too many entries in the root directory")
			}
			copy(img[g.rootDirSector*sector:], ents)
		} else {
			writeData(d.start, ents)
		}
		return nil
	}
	if err := place(root, 0); err != nil {
		return nil, err
	}
	// Boot sector.
	b := img[:sector]
	copy(b, []byte{0xEB, 0x3C, 0x90})
	copy(b[3:], "pungo   ")
	binary.LittleEndian.PutUint16(b[11:], sector)
	b[13] = byte(g.secPerClus)
	binary.LittleEndian.PutUint16(b[14:], uint16(g.reserved))
	b[16] = 2
	binary.LittleEndian.PutUint16(b[17:], uint16(g.rootEntries))
	if g.totalSectors < 65536 {
		binary.LittleEndian.PutUint16(b[19:], uint16(g.totalSectors))
	} else {
		binary.LittleEndian.PutUint32(b[32:], uint32(g.totalSectors))
	}
	b[21] = 0xF8
	binary.LittleEndian.PutUint16(b[22:], uint16(g.fatSize))
	binary.LittleEndian.PutUint16(b[24:], 32)
	binary.LittleEndian.PutUint16(b[26:], 64)
	b[36] = 0x80
	b[38] = 0x29
	binary.LittleEndian.PutUint32(b[39:], 0x50554E47)
	label := fs.Label
	if label == "" {
		label = "NO NAME"
	}
	copy(b[43:54], fmt.Sprintf("%-11.11s", strings.ToUpper(label)))
	if g.fat12 {
		copy(b[54:62], "FAT12   ")
	} else {
		copy(b[54:62], "FAT16   ")
	}
	b[510], b[511] = 0x55, 0xAA
	// FATs.
	fatBytes := make([]byte, g.fatSize*sector)
	for n, v := range fat {
		if g.fat12 {
			v &= 0xFFF
			off := n * 3 / 2
			cur := binary.LittleEndian.Uint16(fatBytes[off:])
			if n%2 == 1 {
				cur = cur&0x000F | uint16(v)<<4
			} else {
				cur = cur&0xF000 | uint16(v)
			}
			binary.LittleEndian.PutUint16(fatBytes[off:], cur)
		} else {
			binary.LittleEndian.PutUint16(fatBytes[n*2:], uint16(v))
		}
	}
	if g.fat12 {
		fatBytes[0], fatBytes[1], fatBytes[2] = 0xF8, 0xFF, 0xFF
	} else {
		fatBytes[0], fatBytes[1] = 0xF8, 0xFF
	}
	for i := 0; i < 2; i++ {
		copy(img[(g.reserved+i*g.fatSize)*sector:], fatBytes)
	}
	// Volume label entry in the root directory is optional; the BPB has it.
	return img, nil
}

// dirEntries renders a directory's entries ("." and ".." for a
// subdirectory, long names where the 8.3 name cannot hold the name).
func dirEntries(d *dirEnt, self, parent int) []byte {
	var out []byte
	entry := func(short [11]byte, attr byte, start int, size int, ntCase byte) {
		e := make([]byte, 32)
		copy(e, short[:])
		e[11] = attr
		e[12] = ntCase
		// 1980-01-01 as creation, access and modification date.
		binary.LittleEndian.PutUint16(e[16:], 0x21)
		binary.LittleEndian.PutUint16(e[18:], 0x21)
		binary.LittleEndian.PutUint16(e[24:], 0x21)
		binary.LittleEndian.PutUint16(e[26:], uint16(start))
		binary.LittleEndian.PutUint32(e[28:], uint32(size))
		out = append(out, e...)
	}
	if d.label != "" {
		var l [11]byte
		copy(l[:], fmt.Sprintf("%-11.11s", strings.ToUpper(d.label)))
		entry(l, 0x08, 0, 0, 0)
	}
	if self != 0 {
		var dot, dotdot [11]byte
		copy(dot[:], ".          ")
		copy(dotdot[:], "..         ")
		entry(dot, 0x10, self, 0, 0)
		entry(dotdot, 0x10, parent, 0, 0)
	}
	used := map[string]bool{}
	for _, k := range d.kids {
		short, exact := makeShort(k.name, used)
		if !exact {
			out = append(out, lfnEntries(k.name, short)...)
		}
		attr := byte(0x20)
		size := len(k.data)
		if k.isDir {
			attr, size = 0x10, 0
		}
		entry(short, attr, k.start, size, 0)
	}
	return out
}

// makeShort returns an 8.3 name and whether it spells the name exactly
// (upper case, fits), in which case no long name entries are needed.
func makeShort(name string, used map[string]bool) ([11]byte, bool) {
	var s [11]byte
	for i := range s {
		s[i] = ' '
	}
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i+1:]
	}
	clean := func(x string) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(x) {
			if r > 127 || strings.ContainsRune(" .\"*+,/:;<=>?[\\]|", r) {
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	cb, ce := clean(base), clean(ext)
	exact := cb == base && ce == ext && len(cb) <= 8 && len(ce) <= 3 && cb != ""
	if len(ce) > 3 {
		ce = ce[:3]
	}
	if exact && !used[cb+"."+ce] {
		copy(s[:], cb)
		copy(s[8:], ce)
		used[cb+"."+ce] = true
		return s, true
	}
	for n := 1; ; n++ {
		tail := fmt.Sprintf("~%d", n)
		b := cb
		if len(b) > 8-len(tail) {
			b = b[:8-len(tail)]
		}
		b += tail
		if !used[b+"."+ce] {
			used[b+"."+ce] = true
			copy(s[:], b)
			copy(s[8:], ce)
			return s, false
		}
	}
}

func lfnEntries(name string, short [11]byte) []byte {
	var sum byte
	for _, c := range short {
		sum = (sum>>1 | sum<<7) + c
	}
	u := utf16.Encode([]rune(name))
	u = append(u, 0)
	for len(u)%13 != 0 {
		u = append(u, 0xFFFF)
	}
	n := len(u) / 13
	var out []byte
	for seq := n; seq >= 1; seq-- {
		e := make([]byte, 32)
		e[0] = byte(seq)
		if seq == n {
			e[0] |= 0x40
		}
		e[11], e[13] = 0x0F, sum
		part := u[(seq-1)*13 : seq*13]
		k := 0
		for _, r := range [][2]int{{1, 11}, {14, 26}, {28, 32}} {
			for j := r[0]; j < r[1]; j += 2 {
				binary.LittleEndian.PutUint16(e[j:], part[k])
				k++
			}
		}
		out = append(out, e...)
	}
	return out
}

// ReplaceFiles rewrites the image at p with the given files replaced
// (only files the image already has; it returns those replaced). The
// image keeps its size and label; it is written atomically.
func ReplaceFiles(p string, repl map[string][]byte) ([]string, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	fs, err := Read(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var done []string
	for name, data := range repl {
		for have := range fs.Files {
			if strings.EqualFold(have, name) {
				fs.Files[have] = data
				done = append(done, have)
			}
		}
	}
	sort.Strings(done)
	if len(done) == 0 {
		return nil, nil
	}
	img, err := Build(fs, int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	st, _ := os.Stat(p)
	mode := os.FileMode(0o644)
	if st != nil {
		mode = st.Mode().Perm()
	}
	return done, atomicfile.WriteFile(p, img, mode)
}

// WriteFile builds an image of size bytes at p.
func WriteFile(p string, fs *FS, size int64) error {
	img, err := Build(fs, size)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(p, img, 0o644)
}
