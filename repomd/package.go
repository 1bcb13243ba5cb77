// Package repomd owns the RPM package model shared by the whole project
// (NEVRA, EVR ordering, dependency entries, rich dependencies, file lists)
// and the reading and writing of rpm-md repositories (repomd.xml and the
// primary, filelists and other metadata).
//
// # In-memory layout of a loaded repository
//
// A load (Open, ParsePrimary) parses primary.xml on a few workers
// (chunk.go); each worker owns one store and one set of slabs, and every
// package it reads points into them:
//
//   - Package structs are allocated 1,024 at a time (a slab); Repo.Packages
//     holds pointers into those slabs, in file order.
//   - Strings (names, versions, dependency names, summaries, …) are copied
//     into 4–256 KiB byte chunks; repeated ones (names, versions, arches,
//     licenses, most dependency names) are interned, so equal strings of
//     one worker share their bytes.
//   - Each dependency list (Package.Provides, .Requires, …) is a DepList:
//     a pointer to the worker's depStore and the first record and count
//     of its run in a shared []depRec slab (24 bytes per list). A depRec is 12 bytes without pointers: the number of
//     its name in depStore.strs, the number of its EVR in depStore.evrs (0:
//     no version) and the operator with the pre bit (DepFlag | 0x8).
//     depStore.strs and .evrs are append-only tables in 4,096-entry chunks;
//     string 0 is "" and EVR 0 is the empty EVR. A Dep value exists only
//     when asked for (DepList.At, All, Slice).
//   - File lists (Package.Files) are sub-slices of a shared []File slab.
//
// Packages built elsewhere (rpm headers, tests) get their lists from
// MakeDepList or a DepListBuilder, with a small store of their own. A
// cache that writes a repository out can walk each package's DepLists
// (Len, At) or, inside this package, serialize the stores and record
// slabs as they are: they hold only numbers and strings.
//
// The depsolver builds its own integer ids (depsolve.Pool) on top of
// these values.
package repomd

// EVR is an epoch:version-release triple as rpm stores it. An empty Epoch
// means epoch 0; an empty Release in a dependency means "any release".
type EVR struct {
	Epoch   string
	Version string
	Release string
}

// DepFlag is the comparison operator of a dependency entry.
type DepFlag uint8

const (
	DepAny DepFlag = iota // no version: "foo"
	DepEQ                 // "foo = 1.0"
	DepLT                 // "foo < 1.0"
	DepLE                 // "foo <= 1.0"
	DepGT                 // "foo > 1.0"
	DepGE                 // "foo >= 1.0"
)

// Dep is one provides/requires/conflicts/obsoletes/weak-dependency entry.
// A rich (boolean) dependency keeps its whole expression, parentheses
// included, in Name with Flags DepAny; ParseRich turns it into a tree.
type Dep struct {
	Name  string
	Flags DepFlag
	EVR
	Pre bool // requires(pre) / requires(post) etc.: rpm's "pre" attribute
}

// FileType says what kind of entry a packaged path is, as filelists does.
type FileType uint8

const (
	FileRegular FileType = iota
	FileDir
	FileGhost
)

// File is one packaged path.
type File struct {
	Path string
	Type FileType
}

// Changelog is one changelog entry as written to other.xml.
type Changelog struct {
	Author string
	Date   int64
	Text   string
}

// Checksum is a typed digest, e.g. {"sha256", "ab12…"}.
type Checksum struct {
	Type  string
	Value string
}

// Package is one binary or source package as rpm-md describes it. Arch is
// "src" for source packages (and for nosrc ones, whose file name ends in
// .nosrc.rpm).
type Package struct {
	Name string
	Arch string
	EVR

	Checksum    Checksum // pkgid: digest of the whole .rpm file
	Summary     string
	Description string
	Packager    string
	URL         string
	TimeFile    int64
	TimeBuild   int64

	SizePackage   int64
	SizeInstalled int64
	SizeArchive   int64

	Location     string // location href, relative to the repository (or LocationBase)
	LocationBase string // location xml:base, "" when absent

	License     string
	Vendor      string
	Group       string
	BuildHost   string
	SourceRPM   string // "" for source packages
	HeaderStart int64
	HeaderEnd   int64

	Provides    DepList
	Requires    DepList
	Conflicts   DepList
	Obsoletes   DepList
	Recommends  DepList
	Suggests    DepList
	Supplements DepList
	Enhances    DepList

	// Files holds the primary-metadata file subset after reading primary and
	// the complete list once filelists is loaded (FilesComplete).
	Files         []File
	FilesComplete bool

	Changelogs []Changelog // filled from other.xml or the rpm header
}

// IsSource reports whether p is a source (or nosrc) package.
func (p *Package) IsSource() bool { return p.Arch == "src" || p.Arch == "nosrc" }
