package repocache

import (
	"fmt"
	"hash/crc32"
	"math"
	"unsafe"

	"github.com/pungo/pungo/repomd"
)

// This file encodes and decodes the three record images: primary (every
// field of every package, in primary.xml order), filelists (the complete
// file lists) and other (the changelogs). The filelists and other images
// apply to the packages of a primary load of the same repomd.xml, by
// position; a checksum over the packages' pkgids, names and arches makes
// sure the positions still mean the same packages.

// depLists are the dependency lists of a package, in encoding order.
func depLists(p *repomd.Package) [8]*repomd.DepList {
	return [8]*repomd.DepList{&p.Provides, &p.Requires, &p.Conflicts, &p.Obsoletes,
		&p.Recommends, &p.Suggests, &p.Supplements, &p.Enhances}
}

func encodePrimary(pkgs []*repomd.Package) *encoder {
	var nd, nf, nc int
	for _, p := range pkgs {
		for _, l := range depLists(p) {
			nd += l.Len()
		}
		nf += len(p.Files)
		nc += len(p.Changelogs)
	}
	// About: a few strings per package, one per provide and file.
	e := newEncoder(len(pkgs), 8*len(pkgs)+nd/2+nf+nc)
	e.uv(uint64(len(pkgs)))
	e.uv(uint64(nd))
	e.uv(uint64(nf))
	e.uv(uint64(nc))
	for _, p := range pkgs {
		e.pkg(p)
	}
	return e
}

// pkg writes every field of p; decoder.pkg reads them in the same order.
func (e *encoder) pkg(p *repomd.Package) {
	e.str(p.Name)
	e.str(p.Arch)
	e.str(p.Epoch)
	e.str(p.Version)
	e.str(p.Release)
	e.str(p.Checksum.Type)
	e.raw(p.Checksum.Value)
	e.text(textSummary, p.Summary)
	e.text(textDescription, p.Description)
	e.str(p.Packager)
	e.text(textURL, p.URL)
	e.int(p.TimeFile)
	e.int(p.TimeBuild)
	e.int(p.SizePackage)
	e.int(p.SizeInstalled)
	e.int(p.SizeArchive)
	e.raw(p.Location)
	e.str(p.LocationBase)
	e.str(p.License)
	e.str(p.Vendor)
	e.str(p.Group)
	e.str(p.BuildHost)
	e.str(p.SourceRPM)
	e.int(p.HeaderStart)
	e.int(p.HeaderEnd)
	for i, l := range depLists(p) {
		e.deps(*l, i == 0)
	}
	e.files(p.Files)
	e.bool(p.FilesComplete)
	e.changelogs(p.Changelogs)
}

// A dependency is three numbers: its operator shifted past the pre bit,
// its name's index in the string table and its EVR's in the EVR table (0:
// no version), as repomd.DepList holds them.
const (
	depPre   = 1
	depFlags = 1 // shift
)

// deps writes a dependency list. A name of provides that the load did not
// share with another entry is stored without looking for an equal one:
// most provides are unique to their package (sonames, config()).
func (e *encoder) deps(l repomd.DepList, provides bool) {
	e.uv(uint64(l.Len()))
	for i := range l.Len() {
		t, name, evr, flags, pre := l.Raw(i)
		h := uint64(flags) << depFlags
		if pre {
			h |= depPre
		}
		e.uv(h)
		m := e.memoOf(t)
		e.uv(uint64(m.get(&m.names, name, func() uint32 {
			if provides {
				return e.rawID(t.String(name))
			}
			return e.id(t.String(name))
		})))
		e.uv(uint64(m.get(&m.evrs, evr, func() uint32 { return e.evr(t.EVR(evr)) })))
	}
}

// depMemo maps the numbers of one repomd.DepTable to this image's string
// and EVR indexes (plus one; 0: not seen yet), so that a name required by
// thousands of packages is hashed once, not thousands of times.
type depMemo struct {
	names, evrs []uint32
}

func (m *depMemo) get(memo *[]uint32, n uint32, id func() uint32) uint32 {
	if int(n) >= len(*memo) {
		*memo = append(*memo, make([]uint32, max(int(n)+1-len(*memo), len(*memo)))...)
	}
	if v := (*memo)[n]; v != 0 {
		return v - 1
	}
	v := id()
	(*memo)[n] = v + 1
	return v
}

func (e *encoder) memoOf(t repomd.DepTable) *depMemo {
	if e.lastMemo != nil && e.lastTable == t {
		return e.lastMemo
	}
	m, ok := e.memos[t]
	if !ok {
		m = &depMemo{}
		e.memos[t] = m
	}
	e.lastTable, e.lastMemo = t, m
	return m
}

// evr adds v to the EVR table, if new, and returns its index (0 for the
// empty EVR).
func (e *encoder) evr(v repomd.EVR) uint32 {
	if v == (repomd.EVR{}) {
		return 0
	}
	k := [3]uint32{e.id(v.Epoch), e.id(v.Version), e.id(v.Release)}
	id, ok := e.evrIDs[k]
	if !ok {
		id = uint32(len(e.evrs))
		e.evrIDs[k] = id
		e.evrs = append(e.evrs, k)
	}
	return id
}

// A file is one number: its path's string index shifted past its type.
const fileTypeBits = 8

func (e *encoder) files(l []repomd.File) {
	e.uv(uint64(len(l)))
	// A multilib pair (foo.i686, foo.x86_64) lists the same paths one
	// package after the other: reuse those, store the rest as they come.
	prev := e.prevFiles
	e.prevFiles, e.spareFiles = e.spareFiles[:0], prev
	for i, f := range l {
		var id uint32
		if i < len(prev) && prev[i].path == f.Path {
			id = prev[i].id
		} else {
			id = e.rawID(f.Path)
		}
		e.prevFiles = append(e.prevFiles, pathID{f.Path, id})
		e.uv(uint64(id)<<fileTypeBits | uint64(f.Type))
	}
}

// pathID is a file path and its index in the string table.
type pathID struct {
	path string
	id   uint32
}

func (e *encoder) changelogs(l []repomd.Changelog) {
	e.uv(uint64(len(l)))
	for _, c := range l {
		e.str(c.Author)
		e.int(c.Date)
		e.text(textChangelog, c.Text)
	}
}

// slabs hold the arrays a primary image decodes into: one per kind of
// list, sized from the totals the image announces.
type slabs struct {
	deps  *repomd.DepArena
	files slab[repomd.File]
	cls   slab[repomd.Changelog]
}

func decodePrimary(payload []byte) ([]*repomd.Package, error) {
	d := &decoder{b: payload}
	d.stringTable(true)
	n := d.count(minPackageBytes)
	nd := d.count(minDepBytes)
	nf := d.count(minFileBytes)
	nc := d.count(minChangelogBytes)
	if d.bad {
		return nil, d.done()
	}
	deps := repomd.NewDepArena(d.blob, d.offs, d.evrs, nd)
	if deps == nil {
		d.fail() // the table decoded into one NewDepArena refuses
		return nil, d.done()
	}
	pkgs := make([]repomd.Package, n)
	ptrs := make([]*repomd.Package, n)
	s := &slabs{
		deps:  deps,
		files: slab[repomd.File]{make([]repomd.File, nf)},
		cls:   slab[repomd.Changelog]{make([]repomd.Changelog, nc)},
	}
	for i := range pkgs {
		p := &pkgs[i]
		d.pkg(p, s)
		if d.bad {
			break
		}
		if p.Name == "" || p.Arch == "" {
			d.fail() // the parser refuses such a package
			break
		}
		ptrs[i] = p
	}
	if !s.deps.Full() || len(s.files.buf)+len(s.cls.buf) != 0 {
		d.fail()
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return ptrs, nil
}

func (d *decoder) pkg(p *repomd.Package, s *slabs) {
	p.Name = d.str()
	p.Arch = d.str()
	p.Epoch = d.str()
	p.Version = d.str()
	p.Release = d.str()
	p.Checksum.Type = d.str()
	p.Checksum.Value = d.str()
	p.Summary = d.str()
	p.Description = d.str()
	p.Packager = d.str()
	p.URL = d.str()
	p.TimeFile = d.int()
	p.TimeBuild = d.int()
	p.SizePackage = d.int()
	p.SizeInstalled = d.int()
	p.SizeArchive = d.int()
	p.Location = d.str()
	p.LocationBase = d.str()
	p.License = d.str()
	p.Vendor = d.str()
	p.Group = d.str()
	p.BuildHost = d.str()
	p.SourceRPM = d.str()
	p.HeaderStart = d.int()
	p.HeaderEnd = d.int()
	for _, l := range depLists(p) {
		*l = d.deps(s)
	}
	p.Files = d.files(&s.files)
	p.FilesComplete = d.bool()
	p.Changelogs = d.changelogs(&s.cls)
}

func (d *decoder) deps(s *slabs) repomd.DepList {
	for range d.count(minDepBytes) {
		h, name, evr := d.uv(), d.uv(), d.uv()
		if h>>depFlags > uint64(repomd.DepGE) || name > math.MaxUint32 || evr > math.MaxUint32 ||
			!s.deps.Add(uint32(name), uint32(evr), repomd.DepFlag(h>>depFlags), h&depPre != 0) {
			d.fail()
			return repomd.DepList{}
		}
	}
	return s.deps.List()
}

func (d *decoder) files(s *slab[repomd.File]) []repomd.File {
	l := s.take(d, d.count(minFileBytes))
	for i := range l {
		v := d.uv()
		id, typ := v>>fileTypeBits, repomd.FileType(v&(1<<fileTypeBits-1))
		if id >= d.nstr || typ > repomd.FileGhost {
			d.fail()
			return nil
		}
		l[i] = repomd.File{Path: d.string(uint32(id)), Type: typ}
	}
	return l
}

func (d *decoder) changelogs(s *slab[repomd.Changelog]) []repomd.Changelog {
	l := s.take(d, d.count(minChangelogBytes))
	for i := range l {
		l[i] = repomd.Changelog{Author: d.str(), Date: d.int(), Text: d.str()}
	}
	return l
}

// identity is a checksum over what names each package (pkgid, name,
// arch), in order: a filelists or other image applies only to the same
// packages in the same order.
func identity(pkgs []*repomd.Package) uint32 {
	var crc uint32
	sep := []byte{0}
	for _, p := range pkgs {
		crc = crc32.Update(crc, castagnoli, bytesOf(p.Checksum.Value))
		crc = crc32.Update(crc, castagnoli, sep)
		crc = crc32.Update(crc, castagnoli, bytesOf(p.Name))
		crc = crc32.Update(crc, castagnoli, sep)
		crc = crc32.Update(crc, castagnoli, bytesOf(p.Arch))
		crc = crc32.Update(crc, castagnoli, sep)
	}
	return crc
}

// bytesOf returns s's bytes without copying them (a []byte(s) here cost
// three allocations per package on every filelists load), for reading
// only.
func bytesOf(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// encodeFiles keeps the complete file lists (packages that filelists did
// not list keep their primary subset and are marked so).
func encodeFiles(pkgs []*repomd.Package) *encoder {
	nf := 0
	for _, p := range pkgs {
		if p.FilesComplete {
			nf += len(p.Files)
		}
	}
	return encodeLists(pkgs, nf, func(e *encoder, p *repomd.Package) {
		e.bool(p.FilesComplete)
		if p.FilesComplete {
			e.files(p.Files)
		}
	})
}

// decodeFiles applies a filelists image to pkgs; on an error pkgs are
// left untouched.
func decodeFiles(payload []byte, pkgs []*repomd.Package) error {
	return decodeLists(payload, pkgs, minFileBytes,
		func(d *decoder, s *slab[repomd.File]) ([]repomd.File, bool) {
			if !d.bool() {
				return nil, false
			}
			return d.files(s), true
		},
		func(p *repomd.Package, l []repomd.File) { p.Files, p.FilesComplete = l, true })
}

// decodeFilteredFiles applies a filelists image to pkgs keeping only the
// paths keep accepts, as repomd.Repo.LoadFilelistsFiltered describes: the
// complete lists are never built, keep is asked once per distinct path,
// and the kept paths are copied out of the image so that its buffer is
// not held. On an error pkgs are left untouched.
func decodeFilteredFiles(payload []byte, pkgs []*repomd.Package, keep func(string) bool) error {
	d := &decoder{b: payload}
	d.stringTable(false)
	if err := d.samePackages(pkgs); err != nil {
		return err
	}
	total := d.count(minFileBytes)
	// By string index: 0 not asked yet, 1 dropped, k+2 kept as keptIDs[k].
	state := make([]uint32, d.nstr)
	var (
		keptIDs []uint32
		files   []repomd.File // kept entries of all packages, Path set at the end
		paths   []uint32      // each kept entry's index in keptIDs
		starts  = make([]int32, len(pkgs)+1)
		set     = make([]bool, len(pkgs))
		seen    int
	)
	for i := range pkgs {
		starts[i] = int32(len(files))
		if set[i] = d.bool(); set[i] {
			n := d.count(minFileBytes)
			seen += n
			for range n {
				v := d.uv()
				id, typ := v>>fileTypeBits, repomd.FileType(v&(1<<fileTypeBits-1))
				if id >= d.nstr || typ > repomd.FileGhost {
					d.fail()
					break
				}
				st := &state[id]
				if *st == 0 {
					*st = 1
					if keep(d.string(uint32(id))) {
						keptIDs = append(keptIDs, uint32(id))
						*st = uint32(len(keptIDs)) + 1
					}
				}
				if *st > 1 {
					files = append(files, repomd.File{Type: typ})
					paths = append(paths, *st-2)
				}
			}
		}
		if d.bad {
			break
		}
	}
	starts[len(pkgs)] = int32(len(files))
	if seen != total {
		d.fail()
	}
	if err := d.done(); err != nil {
		return err
	}
	n := 0
	for _, id := range keptIDs {
		n += int(d.offs[id+1] - d.offs[id])
	}
	arena := make([]byte, 0, n)
	kept := make([]string, len(keptIDs))
	for k, id := range keptIDs {
		start := len(arena)
		arena = append(arena, d.string(id)...)
		kept[k] = unsafe.String(unsafe.SliceData(arena[start:]), len(arena)-start)
	}
	for j := range files {
		files[j].Path = kept[paths[j]]
	}
	for i, p := range pkgs {
		if set[i] {
			p.Files, p.FilesComplete = files[starts[i]:starts[i+1]:starts[i+1]], false
		}
	}
	return nil
}

func encodeChangelogs(pkgs []*repomd.Package) *encoder {
	nc := 0
	for _, p := range pkgs {
		nc += len(p.Changelogs)
	}
	return encodeLists(pkgs, nc, func(e *encoder, p *repomd.Package) { e.changelogs(p.Changelogs) })
}

// decodeChangelogs applies an other image to pkgs; on an error pkgs are
// left untouched.
func decodeChangelogs(payload []byte, pkgs []*repomd.Package) error {
	return decodeLists(payload, pkgs, minChangelogBytes,
		func(d *decoder, s *slab[repomd.Changelog]) ([]repomd.Changelog, bool) { return d.changelogs(s), true },
		func(p *repomd.Package, l []repomd.Changelog) { p.Changelogs = l })
}

// encodeLists writes an image that adds one list to each of pkgs (a
// filelists or other image): the packages' count and identity, the total
// of list entries, then what write writes for each package.
func encodeLists(pkgs []*repomd.Package, total int, write func(e *encoder, p *repomd.Package)) *encoder {
	e := newEncoder(len(pkgs), total)
	e.uv(uint64(len(pkgs)))
	e.uv(uint64(identity(pkgs)))
	e.uv(uint64(total))
	for _, p := range pkgs {
		write(e, p)
	}
	return e
}

// decodeLists reads what encodeLists wrote: read decodes one package's
// list (false: the image leaves this package alone), apply sets it. The
// packages change only once the whole image has decoded.
func decodeLists[T any](payload []byte, pkgs []*repomd.Package, minBytes int,
	read func(d *decoder, s *slab[T]) ([]T, bool), apply func(p *repomd.Package, l []T)) error {
	d := &decoder{b: payload}
	d.stringTable(true)
	if err := d.samePackages(pkgs); err != nil {
		return err
	}
	s := slab[T]{make([]T, d.count(minBytes))}
	lists := make([][]T, len(pkgs))
	set := make([]bool, len(pkgs))
	for i := range pkgs {
		lists[i], set[i] = read(d, &s)
		if d.bad {
			break
		}
	}
	if len(s.buf) != 0 {
		d.fail()
	}
	if err := d.done(); err != nil {
		return err
	}
	for i, p := range pkgs {
		if set[i] {
			apply(p, lists[i])
		}
	}
	return nil
}

// samePackages reads an image's package count and identity and checks
// them against pkgs.
func (d *decoder) samePackages(pkgs []*repomd.Package) error {
	n, id := d.uv(), d.uv()
	if d.bad {
		return d.done()
	}
	if n != uint64(len(pkgs)) || id != uint64(identity(pkgs)) {
		return errStale{fmt.Sprintf("made for other packages (%d, this load has %d)", n, len(pkgs))}
	}
	return nil
}
