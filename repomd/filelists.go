package repomd

import (
	"fmt"
	"io"
)

// This file reads filelists.xml and other.xml into the packages already
// loaded from primary. Both files list packages by pkgid, name and arch in
// primary's order, so each entry is matched by position first and by pkgid
// only when the orders differ.

// LoadFilelists reads the filelists metadata and replaces every package's
// Files with its complete list (FilesComplete = true). A package missing
// from filelists keeps its primary subset and FilesComplete stays false.
func (r *Repo) LoadFilelists() error {
	defer relaxGC()()
	rc, err := r.OpenRecord("filelists")
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("filelists")
	if r.pool == nil {
		r.pool = newStrPool()
	}
	return parseFilelists(rc, r.src.name(rec.Href), r.Packages, r.pool)
}

// LoadOther reads the other metadata (changelogs) into the packages.
func (r *Repo) LoadOther() error {
	rc, err := r.OpenRecord("other")
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("other")
	if r.pool == nil {
		r.pool = newStrPool()
	}
	return parseOther(rc, r.src.name(rec.Href), r.Packages, r.pool)
}

// ParseFilelists fills pkgs' file lists from a decompressed filelists.xml.
func ParseFilelists(rd io.Reader, name string, pkgs []*Package) error {
	return parseFilelists(rd, name, pkgs, newStrPool())
}

// ParseOther fills pkgs' changelogs from a decompressed other.xml.
func ParseOther(rd io.Reader, name string, pkgs []*Package) error {
	return parseOther(rd, name, pkgs, newStrPool())
}

// pkgMatcher finds the primary package an extension-file entry is about.
type pkgMatcher struct {
	pkgs  []*Package
	next  int
	byID  map[string][]*Package
	taken map[*Package]bool
}

func (m *pkgMatcher) find(pkgid, name, arch []byte) *Package {
	if m.next < len(m.pkgs) {
		p := m.pkgs[m.next]
		if p.Checksum.Value == string(pkgid) && p.Name == string(name) && p.Arch == string(arch) {
			m.next++
			return p
		}
	}
	if m.byID == nil {
		m.byID = make(map[string][]*Package, len(m.pkgs))
		for _, p := range m.pkgs {
			m.byID[p.Checksum.Value] = append(m.byID[p.Checksum.Value], p)
		}
		m.taken = make(map[*Package]bool)
	}
	for _, p := range m.byID[string(pkgid)] {
		if p.Name == string(name) && p.Arch == string(arch) && !m.taken[p] {
			m.taken[p] = true
			return p
		}
	}
	return nil
}

func parseFilelists(rd io.Reader, name string, pkgs []*Package, pool *strPool) error {
	s := newXMLScanner(rd, name)
	m := pkgMatcher{pkgs: pkgs}
	fileSlab := slab[File]{size: 1 << 16}
	var (
		cur     *Package
		inPkg   bool
		sawRoot bool
	)
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return s.err
			}
			if !sawRoot {
				return fmt.Errorf("%s: not a filelists.xml (no <filelists> element)", name)
			}
			return nil
		case tokStart:
			switch string(s.name) {
			case "filelists":
				sawRoot = true
			case "package":
				cur = m.find(s.attr("pkgid"), s.attr("name"), s.attr("arch"))
				inPkg = true
				fileSlab.begin()
			case "file":
				if !inPkg {
					continue
				}
				var ft FileType
				switch string(s.attr("type")) {
				case "dir":
					ft = FileDir
				case "ghost":
					ft = FileGhost
				}
				text := s.elementText()
				if cur != nil {
					*fileSlab.add() = File{Path: pool.copy(text), Type: ft}
				}
			}
		case tokEnd:
			if string(s.name) == "package" && inPkg {
				if cur != nil {
					cur.Files = fileSlab.end()
					cur.FilesComplete = true
				}
				cur, inPkg = nil, false
			}
		}
	}
}

func parseOther(rd io.Reader, name string, pkgs []*Package, pool *strPool) error {
	s := newXMLScanner(rd, name)
	m := pkgMatcher{pkgs: pkgs}
	var (
		cur     *Package
		inPkg   bool
		logs    []Changelog
		sawRoot bool
	)
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return s.err
			}
			if !sawRoot {
				return fmt.Errorf("%s: not an other.xml (no <otherdata> element)", name)
			}
			return nil
		case tokStart:
			switch string(s.name) {
			case "otherdata":
				sawRoot = true
			case "package":
				cur = m.find(s.attr("pkgid"), s.attr("name"), s.attr("arch"))
				inPkg = true
				logs = logs[:0]
			case "changelog":
				if !inPkg {
					continue
				}
				author := pool.intern(s.attr("author"))
				date := s.intAttr("date")
				text := s.elementText()
				if cur != nil {
					logs = append(logs, Changelog{Author: author, Date: date, Text: pool.copy(text)})
				}
			}
		case tokEnd:
			if string(s.name) == "package" && inPkg {
				if cur != nil {
					cur.Changelogs = append([]Changelog(nil), logs...)
				}
				cur, inPkg = nil, false
			}
		}
	}
}
