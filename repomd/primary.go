package repomd

import (
	"fmt"
	"io"
	"sync"
)

// This file reads primary.xml: one <package> per package with its NEVRA,
// sizes, location, rpm header fields, dependency lists and the subset of
// files createrepo copies into primary.

func (r *Repo) loadPrimary() error {
	defer relaxGC()()
	rc, err := r.openRecord("primary", false)
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("primary")
	pkgs, err := parsePrimary(rc, r.src.name(rec.Href), chunkWorkers())
	if err != nil {
		return err
	}
	r.Packages = pkgs
	return nil
}

// ParsePrimary reads a decompressed primary.xml stream; name is used in
// error messages.
func ParsePrimary(rd io.Reader, name string) ([]*Package, error) {
	return parsePrimary(rd, name, chunkWorkers())
}

// parsePrimary parses on several goroutines, each with its own string
// pool and slabs (a string may then be stored once per worker, which costs
// less than sharing one pool). The pools' hash tables are dropped at the
// end; the packages keep only the stores and slabs.
func parsePrimary(rd io.Reader, name string, workers int) ([]*Package, error) {
	parsers := make([]*primaryParser, workers)
	for i := range parsers {
		parsers[i] = newPrimaryParser()
	}
	var (
		mu      sync.Mutex
		results = map[int][]*Package{}
		sawRoot bool
	)
	err := parseChunks(rd, name, workers, func(w int, c *chunk) error {
		s := c.scanner(name)
		pkgs, root, err := parsers[w].parse(s)
		mu.Lock()
		results[c.index] = pkgs
		if c.first {
			sawRoot = root
		}
		mu.Unlock()
		return err
	})
	if err != nil {
		return nil, err
	}
	if !sawRoot {
		return nil, fmt.Errorf("%s: not a primary.xml (no <metadata> element)", name)
	}
	n := 0
	for _, r := range results {
		n += len(r)
	}
	all := make([]*Package, 0, n)
	for i := 0; i < len(results); i++ {
		all = append(all, results[i]...)
	}
	return all, nil
}

type depList uint8

const (
	listNone depList = iota
	listProvides
	listRequires
	listConflicts
	listObsoletes
	listRecommends
	listSuggests
	listSupplements
	listEnhances
)

// primaryParser holds one goroutine's pools; it parses chunk after chunk.
// Every package it reads shares its store (pool.store) for the strings and
// EVRs of their dependency records.
type primaryParser struct {
	pool     *strPool
	pkgSlab  []Package
	depSlab  slab[depRec]
	fileSlab slab[File]

	// evrIDs numbers the distinct EVRs of dependency entries by the
	// numbers of their epoch, version and release strings.
	evrIDs map[[3]uint32]uint32
	zeroID uint32 // number of the string "0"

	// The previous package's values: neighbours in primary mostly share
	// them, and comparing is cheaper than hashing.
	lastArch, lastPackager, lastLicense, lastVendor string
	lastGroup, lastBuildHost, lastSourceRPM         string
}

// last interns b, trying the previous value of the same field first.
func (pp *primaryParser) last(prev *string, b []byte) string {
	if string(b) == *prev {
		return *prev
	}
	*prev = pp.pool.intern(b)
	return *prev
}

func newPrimaryParser() *primaryParser {
	pp := &primaryParser{pool: newStrPool(), depSlab: slab[depRec]{size: 1 << 16}, fileSlab: slab[File]{size: 1 << 14},
		evrIDs: map[[3]uint32]uint32{}}
	pp.zeroID = pp.pool.internID([]byte("0"))
	return pp
}

// evrID returns the number of the EVR with the given string numbers.
func (pp *primaryParser) evrID(key [3]uint32) uint32 {
	if key == [3]uint32{} {
		return 0
	}
	if id, ok := pp.evrIDs[key]; ok {
		return id
	}
	st := pp.pool.store
	id := st.evrs.add(EVR{Epoch: *st.strs.at(key[0]), Version: *st.strs.at(key[1]), Release: *st.strs.at(key[2])})
	pp.evrIDs[key] = id
	return id
}

// parse reads the packages of one chunk (or a whole document) and reports
// whether the root element was seen.
func (pp *primaryParser) parse(s *xmlScanner) ([]*Package, bool, error) {
	s.dropSpace = true
	pool := pp.pool
	store := pool.store
	var (
		pkgs    []*Package
		p       *Package
		list    depList
		sawRoot bool
		// The current package's own name and EVR by number: most
		// versioned entries carry the package's EVR.
		pkgName uint32
		pkgEVR  [3]uint32
		selfEVR uint32 // 0: not numbered yet
	)
	pkgSlab := pp.pkgSlab
	depSlab, fileSlab := &pp.depSlab, &pp.fileSlab
	defer func() { pp.pkgSlab = pkgSlab }()
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return nil, sawRoot, s.err
			}
			return pkgs, sawRoot, nil
		case tokStart:
			if p == nil {
				switch string(s.name) {
				case "metadata":
					sawRoot = true
				case "package":
					if len(pkgSlab) == cap(pkgSlab) {
						// Slabs double from 32 packages up to 1,024, so
						// a worker's last, partly used slab is small for
						// a small input.
						pkgSlab = make([]Package, 0, min(1024, max(32, 2*cap(pkgSlab))))
					}
					pkgSlab = pkgSlab[:len(pkgSlab)+1]
					p = &pkgSlab[len(pkgSlab)-1]
					fileSlab.begin()
					pkgName, pkgEVR, selfEVR = 0, [3]uint32{}, 0
				}
				continue
			}
			switch string(s.name) {
			case "entry":
				if list == listNone {
					continue
				}
				d := depSlab.add()
				var evr [3]uint32
				for _, a := range s.attrs {
					switch string(a.name) {
					case "name":
						// Every list repeats names across packages:
						// provides too, between the versions and arches
						// of one package (CentOS Stream 9: 279k provides,
						// 92k distinct names).
						if len(a.value) > 0 && a.value[0] == '(' && parenDepth(a.value) > MaxRichDepth {
							s.reject("rich dependency nested deeper than the limit of %d levels", MaxRichDepth)
							continue
						}
						switch {
						case string(a.value) == p.Name:
							d.name = pkgName
						default:
							d.name = pool.internID(a.value)
						}
					case "flags":
						f, ok := ParseDepFlag(string(a.value))
						if !ok {
							s.fail("unknown flags=%q", a.value)
						}
						d.flags |= uint8(f)
					// Most versioned entries carry the package's own EVR.
					case "epoch":
						if len(a.value) == 1 && a.value[0] == '0' {
							evr[0] = pp.zeroID
						} else if string(a.value) == p.Epoch {
							evr[0] = pkgEVR[0]
						} else {
							evr[0] = pool.internID(a.value)
						}
					case "ver":
						if string(a.value) == p.Version {
							evr[1] = pkgEVR[1]
						} else {
							evr[1] = pool.internID(a.value)
						}
					case "rel":
						if string(a.value) == p.Release {
							evr[2] = pkgEVR[2]
						} else {
							evr[2] = pool.internID(a.value)
						}
					case "pre":
						if len(a.value) == 1 && a.value[0] == '1' || string(a.value) == "true" {
							d.flags |= depPre
						}
					}
				}
				if evr == pkgEVR && evr != ([3]uint32{}) {
					if selfEVR == 0 {
						selfEVR = pp.evrID(evr)
					}
					d.evr = selfEVR
				} else {
					d.evr = pp.evrID(evr)
				}
			case "file":
				var ft FileType
				switch string(s.attr("type")) {
				case "dir":
					ft = FileDir
				case "ghost":
					ft = FileGhost
				}
				*fileSlab.add() = File{Path: pool.copy(s.elementText()), Type: ft}
			case "provides":
				list = listProvides
				depSlab.begin()
			case "requires":
				list = listRequires
				depSlab.begin()
			case "conflicts":
				list = listConflicts
				depSlab.begin()
			case "obsoletes":
				list = listObsoletes
				depSlab.begin()
			case "recommends":
				list = listRecommends
				depSlab.begin()
			case "suggests":
				list = listSuggests
				depSlab.begin()
			case "supplements":
				list = listSupplements
				depSlab.begin()
			case "enhances":
				list = listEnhances
				depSlab.begin()
			case "name":
				pkgName = pool.internID(s.elementText())
				p.Name = *store.strs.at(pkgName)
			case "arch":
				p.Arch = pp.last(&pp.lastArch, s.elementText())
			case "version":
				if e := s.attr("epoch"); !digitsOnly(e) {
					// rpm stores the epoch unsigned, so it writes neither
					// "-1" (libsolv reads it as garbage) nor "x" (dnf
					// aborts: an assertion in libdnf's pool_get_epoch).
					// Refuse rather than compare it.
					if e[0] == '-' {
						s.reject("package %s: negative epoch %q", p.Name, e)
					} else {
						s.reject("package %s: epoch %q is not a number", p.Name, e)
					}
					continue
				}
				pkgEVR = [3]uint32{pool.internID(s.attr("epoch")), pool.internID(s.attr("ver")), pool.internID(s.attr("rel"))}
				selfEVR = 0
				p.Epoch, p.Version, p.Release = *store.strs.at(pkgEVR[0]), *store.strs.at(pkgEVR[1]), *store.strs.at(pkgEVR[2])
			case "checksum":
				p.Checksum.Type = pool.intern(s.attr("type"))
				p.Checksum.Value = pool.copy(s.elementText())
			case "summary":
				p.Summary = pool.copy(s.elementText())
			case "description":
				p.Description = pool.copy(s.elementText())
			case "packager":
				p.Packager = pp.last(&pp.lastPackager, s.elementText())
			case "url":
				p.URL = pool.copy(s.elementText())
			case "time":
				p.TimeFile = s.intAttr("file")
				p.TimeBuild = s.intAttr("build")
			case "size":
				p.SizePackage = s.intAttr("package")
				p.SizeInstalled = s.intAttr("installed")
				p.SizeArchive = s.intAttr("archive")
			case "location":
				p.Location = pool.copy(s.attr("href"))
				p.LocationBase = pool.intern(s.attr("base"))
			case "license":
				p.License = pp.last(&pp.lastLicense, s.elementText())
			case "vendor":
				p.Vendor = pp.last(&pp.lastVendor, s.elementText())
			case "group":
				p.Group = pp.last(&pp.lastGroup, s.elementText())
			case "buildhost":
				p.BuildHost = pp.last(&pp.lastBuildHost, s.elementText())
			case "sourcerpm":
				p.SourceRPM = pp.last(&pp.lastSourceRPM, s.elementText())
			case "header-range":
				p.HeaderStart = s.intAttr("start")
				p.HeaderEnd = s.intAttr("end")
			}
		case tokEnd:
			if p == nil {
				continue
			}
			switch string(s.name) {
			case "package":
				if p.Name == "" || p.Arch == "" {
					s.fail("package without name or arch")
					continue
				}
				p.Files = fileSlab.end()
				pkgs = append(pkgs, p)
				p = nil
			case "provides", "requires", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances":
				kept := listOf(store, depSlab.end())
				switch list {
				case listProvides:
					p.Provides = kept
				case listRequires:
					p.Requires = kept
				case listConflicts:
					p.Conflicts = kept
				case listObsoletes:
					p.Obsoletes = kept
				case listRecommends:
					p.Recommends = kept
				case listSuggests:
					p.Suggests = kept
				case listSupplements:
					p.Supplements = kept
				case listEnhances:
					p.Enhances = kept
				}
				list = listNone
			}
		}
	}
}

// intAttr reads a numeric attribute, failing the scan on garbage.
func (s *xmlScanner) intAttr(name string) int64 {
	v, ok := parseInt(s.attr(name))
	if !ok {
		s.fail("attribute %s=%q is not a number", name, s.attr(name))
	}
	return v
}

// parenDepth is the deepest parenthesis nesting in b: the nesting of a
// rich dependency, checked while loading so that no later evaluation
// meets one deeper than ParseRich accepts.
func parenDepth(b []byte) int {
	d, deepest := 0, 0
	for _, c := range b {
		switch c {
		case '(':
			d++
			deepest = max(deepest, d)
		case ')':
			d--
		}
	}
	return deepest
}

// digitsOnly reports whether b is empty or all ASCII digits (allDigits
// for bytes, without a string copy per package).
func digitsOnly(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
