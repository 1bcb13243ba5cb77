package repomd

import (
	"fmt"
	"io"
)

// This file reads primary.xml: one <package> per package with its NEVRA,
// sizes, location, rpm header fields, dependency lists and the subset of
// files createrepo copies into primary.

func (r *Repo) loadPrimary() error {
	rc, err := r.OpenRecord("primary")
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("primary")
	if r.pool == nil {
		r.pool = newStrPool()
	}
	pkgs, err := parsePrimary(rc, r.src.name(rec.Href), r.pool)
	if err != nil {
		return err
	}
	r.Packages = pkgs
	return nil
}

// ParsePrimary reads a decompressed primary.xml stream; name is used in
// error messages.
func ParsePrimary(rd io.Reader, name string) ([]*Package, error) {
	return parsePrimary(rd, name, newStrPool())
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

func parsePrimary(rd io.Reader, name string, pool *strPool) ([]*Package, error) {
	s := newXMLScanner(rd, name)
	var (
		pkgs     []*Package
		pkgSlab  []Package
		p        *Package
		list     depList
		deps     []Dep
		files    []File
		depSlab  = slab[Dep]{size: 1 << 16}
		fileSlab = slab[File]{size: 1 << 14}
		sawRoot  bool
	)
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return nil, s.err
			}
			if !sawRoot {
				return nil, fmt.Errorf("%s: not a primary.xml (no <metadata> element)", name)
			}
			return pkgs, nil
		case tokStart:
			if p == nil {
				switch string(s.name) {
				case "metadata":
					sawRoot = true
				case "package":
					if len(pkgSlab) == cap(pkgSlab) {
						pkgSlab = make([]Package, 0, 1024)
					}
					pkgSlab = pkgSlab[:len(pkgSlab)+1]
					p = &pkgSlab[len(pkgSlab)-1]
					files = files[:0]
				}
				continue
			}
			switch string(s.name) {
			case "entry":
				if list == listNone {
					continue
				}
				var d Dep
				for _, a := range s.attrs {
					switch string(a.name) {
					case "name":
						d.Name = pool.intern(a.value)
					case "flags":
						f, ok := ParseDepFlag(string(a.value))
						if !ok {
							s.fail("unknown flags=%q", a.value)
						}
						d.Flags = f
					case "epoch":
						d.Epoch = pool.intern(a.value)
					case "ver":
						d.Version = pool.intern(a.value)
					case "rel":
						d.Release = pool.intern(a.value)
					case "pre":
						d.Pre = len(a.value) == 1 && a.value[0] == '1' || string(a.value) == "true"
					}
				}
				deps = append(deps, d)
			case "file":
				var ft FileType
				switch string(s.attr("type")) {
				case "dir":
					ft = FileDir
				case "ghost":
					ft = FileGhost
				}
				files = append(files, File{Path: pool.intern(s.elementText()), Type: ft})
			case "provides":
				list, deps = listProvides, deps[:0]
			case "requires":
				list, deps = listRequires, deps[:0]
			case "conflicts":
				list, deps = listConflicts, deps[:0]
			case "obsoletes":
				list, deps = listObsoletes, deps[:0]
			case "recommends":
				list, deps = listRecommends, deps[:0]
			case "suggests":
				list, deps = listSuggests, deps[:0]
			case "supplements":
				list, deps = listSupplements, deps[:0]
			case "enhances":
				list, deps = listEnhances, deps[:0]
			case "name":
				p.Name = pool.intern(s.elementText())
			case "arch":
				p.Arch = pool.intern(s.elementText())
			case "version":
				p.Epoch = pool.intern(s.attr("epoch"))
				p.Version = pool.intern(s.attr("ver"))
				p.Release = pool.intern(s.attr("rel"))
			case "checksum":
				p.Checksum.Type = pool.intern(s.attr("type"))
				p.Checksum.Value = pool.copy(s.elementText())
			case "summary":
				p.Summary = pool.copy(s.elementText())
			case "description":
				p.Description = pool.copy(s.elementText())
			case "packager":
				p.Packager = pool.intern(s.elementText())
			case "url":
				p.URL = pool.intern(s.elementText())
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
				p.License = pool.intern(s.elementText())
			case "vendor":
				p.Vendor = pool.intern(s.elementText())
			case "group":
				p.Group = pool.intern(s.elementText())
			case "buildhost":
				p.BuildHost = pool.intern(s.elementText())
			case "sourcerpm":
				p.SourceRPM = pool.intern(s.elementText())
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
				p.Files = fileSlab.take(files)
				pkgs = append(pkgs, p)
				p = nil
			case "provides", "requires", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances":
				kept := depSlab.take(deps)
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
