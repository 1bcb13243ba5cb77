package depsolve

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pungo/pungo/repomd"
)

// PkgID is a package's index in its Pool: repositories in the order they
// were given, packages in each repository's primary.xml order. Every
// iteration over a set of packages walks ascending PkgIDs unless Pungi
// itself sorts, so results never depend on map or hash order.
type PkgID int32

// NameID is an interned string: a package name or a capability name.
type NameID int32

// Repo is one repository of a Pool.
type Repo struct {
	// ID names the repository in results ("test-repo", "lookaside", a
	// path…); unique within a pool.
	ID string
	// Lookaside repositories provide packages that dependencies may use but
	// that are not part of the result proper: Pungi flags them, never
	// resolves their requirements and never applies excludes to them.
	Lookaside bool
	// Packages in primary.xml order.
	Packages []*repomd.Package
	// LoadFiles fills every package's complete file list (filelists.xml).
	// Nil when Files are already complete or no filelists exist.
	LoadFiles func() error
	// LoadFilesFiltered, when set, fills every package's file list with
	// only the paths keep accepts (repomd.Repo.LoadFilelistsFiltered): what
	// a depsolve needs, at a fraction of the memory. Nil: LoadFiles serves.
	LoadFilesFiltered func(keep func(path string) bool) error
	// Source is the opened repository, when the packages came from one.
	Source *repomd.Repo
}

// RepoFrom wraps an opened rpm-md repository.
func RepoFrom(id string, r *repomd.Repo, lookaside bool) *Repo {
	repo := &Repo{ID: id, Lookaside: lookaside, Packages: r.Packages, Source: r}
	if _, ok := r.Record("filelists"); ok {
		repo.LoadFiles = r.LoadFilelists
		repo.LoadFilesFiltered = r.LoadFilelistsFiltered
	}
	return repo
}

// Pool holds the packages of several repositories with integer ids, the
// interned names and the whatprovides index over provides and file
// provides, in the manner of libsolv's pool.
type Pool struct {
	Repos []*Repo

	pkgs    []*repomd.Package
	repoOf  []int32
	pkgName []NameID

	strs  map[string]NameID
	names []string

	// The packages of name nid are byNameIDs[byNameStart[nid]:byNameStart[nid+1]]
	// (ascending ids): a counting sort over the interned names, where a map
	// of slices cost a lookup and a growing slice per package. pkgNames are
	// the distinct package names, in first-seen order.
	byNameStart []int32
	byNameIDs   []PkgID
	pkgNames    []NameID

	// prov is the whatprovides index over provides, built by the first
	// lookup (provOnce: Gather runs sharing the pool may race to it).
	prov     provIndex
	provOnce sync.Once

	// lazy guards what lookups fill in on demand (files, richCache, err),
	// so that Gather runs may share one pool (the gather phase runs a tree
	// arch's variants in parallel over one pool). Everything else is
	// read-only once NewPool and the module filtering are done.
	lazy sync.Mutex

	hidden    []bool           // by module filtering (modules.go)
	moduleOf  map[PkgID]string // active stream (NSVC) of each visible modular package
	hiddenBy  map[PkgID]string // why module filtering hid a package (modules.go)
	active    []string         // NAME:STREAMs active in the applied module view (modules.go)
	files     fileIndex
	richCache map[string]*repomd.Rich

	rankOnce sync.Once
	rank     []int32 // by NameID: position in byte order (nameRanks)

	// err is the first error of a lazy load (filelists); lookups cannot
	// return errors without burdening every caller, so it is checked at the
	// end of each public operation.
	err error
}

// NewPool builds a pool from repositories in the order given. Repository
// ids must be unique.
func NewPool(repos []*Repo) (*Pool, error) {
	seen := map[string]bool{}
	n := 0
	for _, r := range repos {
		if seen[r.ID] {
			return nil, fmt.Errorf("repository id %q given twice", r.ID)
		}
		seen[r.ID] = true
		n += len(r.Packages)
	}
	// Sized up front: growing tables of this size costs more than filling them.
	p := &Pool{
		Repos: repos,
		strs:  make(map[string]NameID, n),
	}
	p.pkgs = make([]*repomd.Package, 0, n)
	p.repoOf = make([]int32, 0, n)
	p.pkgName = make([]NameID, 0, n)
	for ri, r := range repos {
		for _, pkg := range r.Packages {
			p.pkgs = append(p.pkgs, pkg)
			p.repoOf = append(p.repoOf, int32(ri))
			nid := p.intern(pkg.Name)
			p.pkgName = append(p.pkgName, nid)
			if int(nid) == len(p.pkgNames) { // first package of this name
				p.pkgNames = append(p.pkgNames, nid)
			}
		}
	}
	p.byNameStart = make([]int32, len(p.names)+1)
	for _, nid := range p.pkgName {
		p.byNameStart[nid+1]++
	}
	for i := 1; i < len(p.byNameStart); i++ {
		p.byNameStart[i] += p.byNameStart[i-1]
	}
	p.byNameIDs = make([]PkgID, len(p.pkgName))
	next := slices.Clone(p.byNameStart[:len(p.names)])
	for id, nid := range p.pkgName {
		p.byNameIDs[next[nid]] = PkgID(id)
		next[nid]++
	}
	p.files.pool = p
	return p, nil
}

// indexAllProvides builds the whatprovides index. As libsolv's
// createwhatprovides it is a step of its own, taken at the first provides
// lookup (eachProvide): a query that never asks what provides something
// (repoquery --count, a name or a NEVRA query) does not pay for indexing
// every provide (60 ms of a 180 ms warm repoquery of 70,000 packages).
func (p *Pool) indexAllProvides() {
	nprov := 0
	for _, pkg := range p.pkgs {
		nprov += pkg.Provides.Len()
	}
	p.prov.init(nprov + len(p.pkgs))
	for id, pkg := range p.pkgs {
		p.indexProvides(PkgID(id), pkg)
	}
}

// indexProvides adds pkg's provides, and the "name = evr" provide that
// libsolv gives every binary package, to the whatprovides index. Source
// packages provide nothing, as in libsolv.
func (p *Pool) indexProvides(id PkgID, pkg *repomd.Package) {
	if pkg.IsSource() {
		return
	}
	self := false
	for i := range pkg.Provides.Len() {
		name := pkg.Provides.Name(i)
		p.prov.add(name, id, int32(i))
		if !self && name == pkg.Name {
			if d := pkg.Provides.At(i); d.Flags == repomd.DepEQ && repomd.CompareEVR(d.EVR, pkg.EVR) == 0 {
				self = true
			}
		}
	}
	if !self {
		p.prov.add(pkg.Name, id, -1)
	}
}

func (p *Pool) intern(s string) NameID {
	if id, ok := p.strs[s]; ok {
		return id
	}
	id := NameID(len(p.names))
	p.strs[s] = id
	p.names = append(p.names, s)
	return id
}

// lookup returns the id of s, or -1 when s was never interned.
func (p *Pool) lookup(s string) NameID {
	if id, ok := p.strs[s]; ok {
		return id
	}
	return -1
}

// Len is the number of packages.
func (p *Pool) Len() int { return len(p.pkgs) }

// Pkg returns the package with the given id.
func (p *Pool) Pkg(id PkgID) *repomd.Package { return p.pkgs[id] }

// RepoOf returns the repository of a package.
func (p *Pool) RepoOf(id PkgID) *Repo { return p.Repos[p.repoOf[id]] }

// IsLookaside reports whether a package comes from a lookaside repository.
func (p *Pool) IsLookaside(id PkgID) bool { return p.Repos[p.repoOf[id]].Lookaside }

// PackagesNamed returns the packages with exactly this name, ascending ids.
func (p *Pool) PackagesNamed(name string) []PkgID {
	nid := p.lookup(name)
	if nid < 0 {
		return nil
	}
	return p.packagesOf(nid)
}

// packagesOf returns the packages of an interned name, ascending ids.
func (p *Pool) packagesOf(nid NameID) []PkgID {
	return p.byNameIDs[p.byNameStart[nid]:p.byNameStart[nid+1]:p.byNameStart[nid+1]]
}

// Err returns the first error met while loading metadata lazily.
func (p *Pool) Err() error {
	p.lazy.Lock()
	defer p.lazy.Unlock()
	return p.err
}
