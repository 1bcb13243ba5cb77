package repomd

import (
	"fmt"
	"io"
	"sync"
	"unsafe"
)

// This file reads filelists.xml and other.xml into the packages already
// loaded from primary. Both files list packages by pkgid, name and arch in
// primary's order, so each entry is matched by position first and by pkgid
// only when the orders differ.

// LoadFilelists reads the filelists metadata and replaces every package's
// Files with its complete list (FilesComplete = true). A package missing
// from filelists keeps its primary subset and FilesComplete stays false.
func (r *Repo) LoadFilelists() error { return r.cached("filelists", r.loadFilelists) }

func (r *Repo) loadFilelists() error { return r.parseFilelistsRecord(nil) }

// LoadFilelistsFiltered is LoadFilelists for a job that needs only some
// paths, as libsolv loads "filtered" file lists for a solve: every
// package that filelists lists gets the entries keep accepts, in
// filelists order, and the rest are never kept. FilesComplete stays
// false (the lists are not complete); a later LoadFilelists replaces them
// with the complete ones. keep is called from several goroutines at once,
// with strings that are only valid during the call.
//
// The caller's filter must accept at least the paths primary.xml lists
// (createrepo's rule: /etc/, any bin/ directory, /usr/lib/sendmail) if
// the lists are later read as primary subsets (FilesComplete false).
//
// A record cache that can decode a filtered image does (FilteredCache);
// otherwise, with a cache, the complete lists are loaded (and kept as an
// image, for jobs that need them whole) and then filtered.
func (r *Repo) LoadFilelistsFiltered(keep func(path string) bool) error {
	if r.cache == nil {
		return r.parseFilelistsRecord(keep)
	}
	if fc, ok := r.cache.(FilteredCache); ok {
		loaded := func() bool {
			defer relaxGC()()
			return fc.LoadFilteredFiles(r, keep)
		}()
		if loaded {
			return nil
		}
		if err := r.loadFilelists(); err != nil {
			return err
		}
		r.cache.Save(r, "filelists")
	} else if err := r.LoadFilelists(); err != nil {
		return err
	}
	filterFiles(r.Packages, keep)
	return nil
}

// filterFiles keeps, of every package whose file list is complete, the
// entries keep accepts, and marks the list incomplete: what
// LoadFilelistsFiltered leaves. The kept paths are copied into one new
// arena, so the complete lists' memory is not held by a few of them.
func filterFiles(pkgs []*Package, keep func(path string) bool) {
	pool := newStrPool()
	out := slab[File]{size: 1 << 14}
	for _, p := range pkgs {
		if !p.FilesComplete {
			continue
		}
		out.begin()
		for _, f := range p.Files {
			if keep(f.Path) {
				*out.add() = File{Path: pool.copy(unsafe.Slice(unsafe.StringData(f.Path), len(f.Path))), Type: f.Type}
			}
		}
		p.Files, p.FilesComplete = out.end(), false
	}
}

// parseFilelistsRecord parses the filelists record into r's packages,
// keeping only the paths keep accepts when keep is not nil.
func (r *Repo) parseFilelistsRecord(keep func(string) bool) error {
	defer relaxGC()()
	rc, err := r.openRecord("filelists", false)
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("filelists")
	return parseFilelists(rc, r.src.name(rec.Href), r.Packages, keep)
}

// LoadOther reads the other metadata (changelogs) into the packages.
func (r *Repo) LoadOther() error { return r.cached("other", r.loadOther) }

func (r *Repo) loadOther() error {
	rc, err := r.OpenRecord("other")
	if err != nil {
		return err
	}
	defer rc.Close()
	rec, _ := r.Record("other")
	return parseOther(rc, r.src.name(rec.Href), r.Packages, newStrPool())
}

// ParseFilelists fills pkgs' file lists from a decompressed filelists.xml.
func ParseFilelists(rd io.Reader, name string, pkgs []*Package) error {
	return parseFilelists(rd, name, pkgs, nil)
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

func (m *pkgMatcher) find(pkgid, name, arch string) *Package {
	if m.next < len(m.pkgs) {
		p := m.pkgs[m.next]
		if p.Checksum.Value == pkgid && p.Name == name && p.Arch == arch {
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
	for _, p := range m.byID[pkgid] {
		if p.Name == name && p.Arch == arch && !m.taken[p] {
			m.taken[p] = true
			return p
		}
	}
	return nil
}

// flEntry is one <package> of filelists.xml before it is matched.
type flEntry struct {
	pkgid, name, arch string
	files             []File
}

// parseFilelists parses filelists on several goroutines (like primary)
// and then matches the entries to pkgs in order. With keep, only the
// paths it accepts are kept (and copied), and the lists are marked
// incomplete.
func parseFilelists(rd io.Reader, name string, pkgs []*Package, keep func(string) bool) error {
	workers := chunkWorkers()
	type state struct {
		pool  *strPool
		files slab[File]
	}
	states := make([]*state, workers)
	for i := range states {
		states[i] = &state{pool: newStrPool(), files: slab[File]{size: 1 << 16}}
	}
	var (
		mu      sync.Mutex
		results = map[int][]flEntry{}
		sawRoot bool
	)
	err := parseChunks(rd, name, workers, func(w int, c *chunk) error {
		st := states[w]
		s := c.scanner(name)
		s.dropSpace = true
		var (
			entries []flEntry
			cur     *flEntry
			root    bool
		)
		for {
			switch s.next() {
			case tokEOF:
				mu.Lock()
				results[c.index] = entries
				if c.first {
					sawRoot = root
				}
				mu.Unlock()
				return s.err
			case tokStart:
				switch string(s.name) {
				case "filelists":
					root = true
				case "package":
					entries = append(entries, flEntry{pkgid: st.pool.copy(s.attr("pkgid")),
						name: st.pool.copy(s.attr("name")), arch: st.pool.copy(s.attr("arch"))})
					cur = &entries[len(entries)-1]
					st.files.begin()
				case "file":
					if cur == nil {
						continue
					}
					var ft FileType
					switch string(s.attr("type")) {
					case "dir":
						ft = FileDir
					case "ghost":
						ft = FileGhost
					}
					path := s.elementText()
					if keep != nil && !keep(transientString(path)) {
						continue
					}
					*st.files.add() = File{Path: st.pool.copy(path), Type: ft}
				}
			case tokEnd:
				if string(s.name) == "package" && cur != nil {
					cur.files = st.files.end()
					cur = nil
				}
			}
		}
	})
	if err != nil {
		return err
	}
	if !sawRoot {
		return fmt.Errorf("%s: not a filelists.xml (no <filelists> element)", name)
	}
	m := pkgMatcher{pkgs: pkgs}
	for i := 0; i < len(results); i++ {
		for _, e := range results[i] {
			if p := m.find(e.pkgid, e.name, e.arch); p != nil {
				p.Files = e.files
				p.FilesComplete = keep == nil
			}
		}
	}
	return nil
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
				cur = m.find(string(s.attr("pkgid")), string(s.attr("name")), string(s.attr("arch")))
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

// transientString is b as a string without a copy, for a call that does
// not keep it (b's bytes are reused afterwards).
func transientString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
