package depsolve

import (
	"strings"

	"github.com/pungo/pungo/multilib"
)

// fileIndex maps the paths that dependencies name to the packages that
// contain them. Like libsolv's addfileprovides it indexes only paths that
// something requires, never every packaged file, and it reads filelists only
// when a required path lies outside what primary.xml lists. Like libsolv's
// filtered file lists, that read keeps only the paths a depsolve can ask
// about (keepPath); a path outside them makes it read the lists whole.
type fileIndex struct {
	pool     *Pool
	complete bool               // every repository's filelists are loaded
	filtered bool               // the lists hold every keepPath path (loadFilesFiltered)
	paths    map[string][]PkgID // wanted path → containing packages
	ready    bool               // init has run (at the first file lookup or load)
}

// keepPath reports whether a filtered load keeps path: a path some
// package requires (the wanted ones, known when the pool was built), one
// primary.xml would list (so a list stays at least its primary subset)
// or one multilib's runtime test looks at (the gather's multilib step
// reads the candidates' lists). It is called from several goroutines
// while nothing changes f.paths.
func (f *fileIndex) keepPath(path string) bool {
	if _, ok := f.paths[path]; ok {
		return true
	}
	return primaryCovers(path) || multilib.RuntimePath(path)
}

// primaryCovers reports whether primary.xml lists every package's copy of
// path: createrepo puts files under /etc/, in any bin/ directory and
// /usr/lib/sendmail into primary, so for those paths primary is complete.
func primaryCovers(path string) bool {
	return strings.HasPrefix(path, "/etc/") || strings.Contains(path, "bin/") || path == "/usr/lib/sendmail"
}

// ensure initialises the index on first use, under the pool's lazy lock:
// collecting the required paths means walking every requirement of every
// package, which a query that never asks about files need not pay.
func (f *fileIndex) ensure() {
	if !f.ready {
		f.init()
		f.ready = true
	}
}

func (f *fileIndex) init() {
	p := f.pool
	f.paths = make(map[string][]PkgID)
	complete := true
	for _, pkg := range p.pkgs {
		if !pkg.FilesComplete {
			complete = false
		}
		for i := range pkg.Requires.Len() {
			if n := pkg.Requires.Name(i); len(n) > 0 && n[0] == '/' {
				f.paths[n] = nil
			}
		}
	}
	f.complete = complete
	f.scan()
}

// scan refills every wanted path from the packages' current file lists.
func (f *fileIndex) scan() {
	for k := range f.paths {
		f.paths[k] = nil
	}
	if len(f.paths) == 0 {
		return
	}
	for id, pkg := range f.pool.pkgs {
		if pkg.IsSource() {
			continue
		}
		for i := range pkg.Files {
			if ids, ok := f.paths[pkg.Files[i].Path]; ok {
				if n := len(ids); n == 0 || ids[n-1] != PkgID(id) {
					f.paths[pkg.Files[i].Path] = append(ids, PkgID(id))
				}
			}
		}
	}
}

// providers returns the packages containing path, ascending ids. The
// pool's lazy lock is held: the answer is cached, and the lists may be
// loaded, for every Gather sharing the pool.
func (f *fileIndex) providers(path string) []PkgID {
	f.pool.lazy.Lock()
	defer f.pool.lazy.Unlock()
	f.ensure()
	if !f.complete && !primaryCovers(path) {
		if _, wanted := f.paths[path]; wanted {
			f.pool.loadFilesFilteredLocked()
		} else {
			f.pool.loadFilesLocked()
		}
	}
	if ids, ok := f.paths[path]; ok {
		return ids
	}
	var ids []PkgID
	for id, pkg := range f.pool.pkgs {
		if pkg.IsSource() {
			continue
		}
		for i := range pkg.Files {
			if pkg.Files[i].Path == path {
				ids = append(ids, PkgID(id))
				break
			}
		}
	}
	f.paths[path] = ids
	return ids
}

// loadFiles reads the filelists of every repository (once) and re-indexes
// the wanted paths. A Gather sharing the pool that reads file lists
// itself (the multilib runtime test) calls it first, so the lists it reads
// were written before the lock was released.
func (p *Pool) loadFiles() {
	p.lazy.Lock()
	defer p.lazy.Unlock()
	p.loadFilesLocked()
}

func (p *Pool) loadFilesLocked() {
	p.files.ensure()
	if p.files.complete {
		return
	}
	p.files.complete = true
	for _, r := range p.Repos {
		if r.LoadFiles == nil {
			continue
		}
		if err := r.LoadFiles(); err != nil && p.err == nil {
			p.err = err
		}
	}
	p.files.scan()
}

// loadFilesFiltered reads the filelists of every repository (once)
// keeping only the paths keepPath accepts, where a repository can (else
// whole), and re-indexes the wanted paths. Like loadFiles, a Gather
// sharing the pool calls it before reading the lists itself.
func (p *Pool) loadFilesFiltered() {
	p.lazy.Lock()
	defer p.lazy.Unlock()
	p.loadFilesFilteredLocked()
}

func (p *Pool) loadFilesFilteredLocked() {
	p.files.ensure()
	if p.files.complete || p.files.filtered {
		return
	}
	p.files.filtered = true
	p.files.complete = true // unless a repository filters
	for _, r := range p.Repos {
		var err error
		switch {
		case r.LoadFilesFiltered != nil:
			p.files.complete = false
			err = r.LoadFilesFiltered(p.files.keepPath)
		case r.LoadFiles != nil:
			err = r.LoadFiles()
		}
		if err != nil && p.err == nil {
			p.err = err
		}
	}
	p.files.scan()
}

// LoadFiles makes every package's file list complete (filelists.xml), as
// the multilib runtime test needs.
func (p *Pool) LoadFiles() error {
	p.loadFiles()
	return p.Err()
}

// FileProviders returns the binary packages containing path, ascending
// ids, reading filelists first when primary.xml cannot be complete for
// path. Check Err afterwards.
func (p *Pool) FileProviders(path string) []PkgID { return p.files.providers(path) }
