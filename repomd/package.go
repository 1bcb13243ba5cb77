// Package repomd owns the RPM package model shared by the whole project
// (NEVRA, EVR ordering, dependency entries, rich dependencies, file lists)
// and the reading and writing of rpm-md repositories (repomd.xml and the
// primary, filelists and other metadata).
//
// Strings read from metadata are interned per load, so the many repeated
// names, versions and dependency strings share memory; the depsolver builds
// its own integer ids on top of these values.
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

	Provides    []Dep
	Requires    []Dep
	Conflicts   []Dep
	Obsoletes   []Dep
	Recommends  []Dep
	Suggests    []Dep
	Supplements []Dep
	Enhances    []Dep

	// Files holds the primary-metadata file subset after reading primary and
	// the complete list once filelists is loaded (FilesComplete).
	Files         []File
	FilesComplete bool

	Changelogs []Changelog // filled from other.xml or the rpm header
}

// IsSource reports whether p is a source (or nosrc) package.
func (p *Package) IsSource() bool { return p.Arch == "src" || p.Arch == "nosrc" }
