// Package rpmfile reads the header of an .rpm file into a *repomd.Package,
// with exactly the values createrepo_c puts into primary, filelists and
// other metadata: the dependency filtering of its cr_package_from_header
// (rpmlib() requires dropped, requires met by the package's own provides or
// primary files dropped, duplicate requires dropped, only the highest
// libc.so.6 require kept, legacy weak dependencies mapped), file types,
// the changelog limit with its same-timestamp adjustment, the header byte
// range, sizes and the checksum of the whole file (the pkgid).
//
// The lead and both headers are framed and every size, offset and count in
// them checked here (frame.go); the tags are then read in place
// (tags.go): the strings a package keeps are copied once into one string
// per header, the rest never leave the header bytes.
// (github.com/cavaliergopher/rpm, used before, copied every tag and got
// several wrong: Supplements read the Suggests flags, ChangeLog an
// obsolete tag, and a short Read was taken for a whole structure; its
// tests here pin those defects.)
//
// Files up to 4 MB are read with one read, digested and parsed in memory;
// bigger ones and non-file readers are streamed through the digest.
package rpmfile

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/pungo/pungo/repomd"
)

// Options says how a package is read.
type Options struct {
	// ChecksumType is the digest of the whole file used as pkgid: "sha256"
	// (the default when empty), "sha512", "sha1" (also spelled "sha") or
	// "sha224"/"sha384".
	ChecksumType string
	// ChangelogLimit keeps only the newest N changelog entries; -1 keeps
	// all. createrepo_c's default is 10 (DefaultChangelogLimit); 0 keeps
	// none.
	ChangelogLimit int
	// Location and LocationBase become the package's location href and
	// xml:base.
	Location     string
	LocationBase string
}

// DefaultChangelogLimit is createrepo_c's default --changelog-limit.
const DefaultChangelogLimit = 10

// NewHash is repomd.NewHash: the hash for a checksum type name and the
// name as written into metadata.
func NewHash(typ string) (hash.Hash, string, error) { return repomd.NewHash(typ) }

// ReadFile reads the package at path. TimeFile and SizePackage come from
// the file's mtime and size. Errors are one line and name the file.
func ReadFile(path string, opts Options) (*repomd.Package, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	var p *repomd.Package
	switch {
	case st.Size() <= wholeFileLimit:
		p, err = readWhole(f, st.Size(), opts)
	default:
		p, err = Read(f, opts)
	}
	if err != nil {
		switch {
		case st.Size() == 0:
			return nil, fmt.Errorf("%s: empty file (0 bytes), not an RPM package", path)
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%s: truncated RPM package (the file ends after %d bytes, inside its headers or payload): %w", path, st.Size(), err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.SizePackage != st.Size() {
		return nil, fmt.Errorf("%s: file changed while being read (%d bytes read, size %d)", path, p.SizePackage, st.Size())
	}
	p.TimeFile = st.ModTime().Unix()
	return p, nil
}

// Files up to wholeFileLimit are read with one read into a pooled buffer,
// digested in one call and parsed in place; bigger ones are streamed.
const wholeFileLimit = 4 << 20

var wholePool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func parseBytes(buf []byte, opts Options) (*repomd.Package, error) {
	h, typ, err := NewHash(opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	p, err := parseHeaders(buf)
	if err != nil {
		return nil, err
	}
	if err := p.fill(opts); err != nil {
		return nil, err
	}
	h.Write(buf)
	p.pkg.Checksum = repomd.Checksum{Type: typ, Value: hex.EncodeToString(h.Sum(nil))}
	p.pkg.SizePackage = int64(len(buf))
	return p.pkg, nil
}

func readWhole(f *os.File, size int64, opts Options) (*repomd.Package, error) {
	bp := wholePool.Get().(*[]byte)
	defer wholePool.Put(bp)
	if int64(cap(*bp)) < size+1 {
		*bp = make([]byte, 0, size+1)
	}
	buf := (*bp)[:size+1]
	n, err := io.ReadFull(f, buf)
	if err != io.ErrUnexpectedEOF && err != nil {
		return nil, err
	}
	return parseBytes(buf[:n], opts) // n > size: the file grew; ReadFile reports it
}

// Read reads a package from any reader (a file, a pipe, an HTTP body),
// checksumming every byte; SizePackage is the number of bytes read and
// TimeFile is left 0. The error does not name the source; ReadFile's does.
//
// Every byte is read once, straight into the header buffer or a pooled
// chunk, and digested there: no bufio layer copies it a second time.
func Read(r io.Reader, opts Options) (*repomd.Package, error) {
	h, typ, err := NewHash(opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	hr := &hashingReader{r: r, h: h}
	p, err := readHeaders(hr)
	if err != nil {
		return nil, err
	}
	cp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(cp)
	for {
		_, err := hr.Read(*cp)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading payload: %w", err)
		}
	}
	if err := p.fill(opts); err != nil {
		return nil, err
	}
	p.pkg.Checksum = repomd.Checksum{Type: typ, Value: hex.EncodeToString(h.Sum(nil))}
	p.pkg.SizePackage = hr.n
	return p.pkg, nil
}

// chunkPool holds the payload read buffers: 256 KB reads cost the fewest
// system calls without leaving the CPU cache before they are digested.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// hashingReader digests and counts everything read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (t *hashingReader) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	t.h.Write(b[:n])
	t.n += int64(n)
	return n, err
}

// ReadHeader parses only the lead and headers of r, without checksumming,
// for callers that already know the pkgid (the --update and cache paths)
// and for the fuzz target.
func ReadHeader(r io.Reader, opts Options) (*repomd.Package, error) {
	p, err := readHeaders(bufio.NewReader(r))
	if err != nil {
		return nil, err
	}
	if err := p.fill(opts); err != nil {
		return nil, err
	}
	return p.pkg, nil
}

// rpm tag numbers (rpmtag.h).
const (
	tagName           = 1000
	tagVersion        = 1001
	tagRelease        = 1002
	tagEpoch          = 1003
	tagSummary        = 1004
	tagDescription    = 1005
	tagBuildTime      = 1006
	tagBuildHost      = 1007
	tagSize           = 1009
	tagVendor         = 1011
	tagLicense        = 1014
	tagPackager       = 1015
	tagGroup          = 1016
	tagURL            = 1020
	tagArch           = 1022
	tagOldFilenames   = 1027
	tagFileModes      = 1030
	tagFileFlags      = 1037
	tagSourceRPM      = 1044
	tagArchiveSize    = 1046
	tagProvideName    = 1047
	tagRequireFlags   = 1048
	tagRequireName    = 1049
	tagRequireVersion = 1050
	tagConflictFlags  = 1053
	tagConflictName   = 1054
	tagConflictVer    = 1055
	tagChangelogTime  = 1080
	tagChangelogName  = 1081
	tagChangelogText  = 1082
	tagObsoleteName   = 1090
	tagSourcePackage  = 1106
	tagProvideFlags   = 1112
	tagProvideVersion = 1113
	tagObsoleteFlags  = 1114
	tagObsoleteVer    = 1115
	tagDirIndexes     = 1116
	tagBaseNames      = 1117
	tagDirNames       = 1118
	tagOldSuggestName = 1156
	tagOldSuggestVer  = 1157
	tagOldSuggestFlag = 1158
	tagOldEnhanceName = 1159
	tagOldEnhanceVer  = 1160
	tagOldEnhanceFlag = 1161
	tagLongSize       = 5009
	tagRecommendName  = 5046
	tagRecommendVer   = 5047
	tagRecommendFlags = 5048
	tagSuggestName    = 5049
	tagSuggestVer     = 5050
	tagSuggestFlags   = 5051
	tagSupplementName = 5052
	tagSupplementVer  = 5053
	tagSupplementFlag = 5054
	tagEnhanceName    = 5055
	tagEnhanceVer     = 5056
	tagEnhanceFlags   = 5057

	// Tags numbered alike in the signature and the main header.
	tagLongArchiveSize = 271
	sigTagPayloadSize  = 1007
)

// rpm sense and file flag bits.
const (
	senseLess       = 1 << 1
	senseGreater    = 1 << 2
	senseEqual      = 1 << 3
	sensePrereq     = 1 << 6
	senseScriptPre  = 1 << 9
	senseScriptPost = 1 << 10
	senseMissingOK  = 1 << 19
	senseStrong     = 1 << 27

	fileGhost = 1 << 6
	modeType  = 0o170000
	modeDir   = 0o040000
)

func (p *parsed) fill(opts Options) error {
	h := &p.hdr
	name := h.str(tagName)
	if name == "" {
		return fmt.Errorf("corrupt rpm header: no package name")
	}
	pkg := &repomd.Package{Name: name}
	p.pkg = pkg
	if v, _ := h.num(tagSourcePackage); v != 0 {
		pkg.Arch = "src"
	} else {
		pkg.Arch = h.str(tagArch)
	}
	epoch, _ := h.num(tagEpoch)
	pkg.Epoch = strconv.FormatInt(epoch, 10)
	pkg.Version = h.str(tagVersion)
	pkg.Release = h.str(tagRelease)
	pkg.Summary = h.str(tagSummary)
	pkg.Description = h.str(tagDescription)
	pkg.URL = h.str(tagURL)
	pkg.TimeBuild, _ = h.num(tagBuildTime)
	pkg.License = h.str(tagLicense)
	pkg.Vendor = h.str(tagVendor)
	pkg.Group = h.str(tagGroup)
	pkg.BuildHost = h.str(tagBuildHost)
	pkg.SourceRPM = h.str(tagSourceRPM)
	pkg.Packager = h.str(tagPackager)
	pkg.HeaderStart = p.hdrStart
	pkg.HeaderEnd = p.hdrEnd
	if v, ok := h.num(tagLongSize); ok {
		pkg.SizeInstalled = v
	} else {
		pkg.SizeInstalled, _ = h.num(tagSize)
	}
	pkg.SizeArchive = archiveSize(&p.sig, h)
	pkg.Location = opts.Location
	pkg.LocationBase = opts.LocationBase

	files, fileSet := readFiles(h)
	pkg.Files = files
	pkg.FilesComplete = true
	if err := readDeps(pkg, h, fileSet); err != nil {
		return err
	}
	limit := opts.ChangelogLimit
	pkg.Changelogs = readChangelogs(h, limit)
	return nil
}

// archiveSize follows rpm, which copies the signature's payload size tags
// into the main header only when the header lacks them, and then
// createrepo_c, which asks for the 64-bit tag that rpm emulates from the
// 32-bit one.
func archiveSize(sig, h *tagTable) int64 {
	if v, ok := h.num(tagLongArchiveSize); ok {
		return v
	}
	if v, ok := h.num(tagArchiveSize); ok {
		return v
	}
	if v, ok := sig.num(tagLongArchiveSize); ok {
		return v
	}
	v, _ := sig.num(sigTagPayloadSize)
	return v
}

// readFiles returns the package's files in header order and the set of
// their full paths. Directory and base names are read in place: only the
// joined paths are allocated.
func readFiles(h *tagTable) ([]repomd.File, map[string]struct{}) {
	var nameBuf [2][][]byte
	base := h.rawStrs(nameBuf[0][:0], tagBaseNames)
	dirs := h.rawStrs(nameBuf[1][:0], tagDirNames)
	idx := h.ints(tagDirIndexes)
	if len(base) == 0 {
		// Packages older than rpm 4 store full paths only; rpm splits
		// them into directory and base name on read.
		base = base[:0]
		for _, full := range h.rawStrs(nil, tagOldFilenames) {
			i := bytes.LastIndexByte(full, '/')
			d, b := full[:i+1], full[i+1:]
			if len(dirs) == 0 || !bytes.Equal(dirs[len(dirs)-1], d) {
				dirs = append(dirs, d)
			}
			base = append(base, b)
			idx = append(idx, int64(len(dirs)-1))
		}
	}
	flags := h.ints(tagFileFlags)
	modes := h.ints(tagFileModes)
	n := min(len(base), len(idx), len(flags), len(modes))
	files := make([]repomd.File, 0, n)
	set := make(map[string]struct{}, n)
	var path []byte
	for i := 0; i < n; i++ {
		path = path[:0]
		if j := idx[i]; j >= 0 && j < int64(len(dirs)) {
			path = append(path, dirs[j]...)
		}
		full := string(append(path, base[i]...))
		t := repomd.FileRegular
		if modes[i]&modeType == modeDir {
			t = repomd.FileDir
		} else if flags[i]&fileGhost != 0 {
			t = repomd.FileGhost
		}
		files = append(files, repomd.File{Path: full, Type: t})
		set[full] = struct{}{}
	}
	return files, set
}

// IsPrimaryFile reports whether a path belongs to the file subset that
// primary metadata carries: anything under /etc/, any path containing
// "bin/", and /usr/lib/sendmail (createrepo_c's cr_is_primary).
func IsPrimaryFile(path string) bool {
	return strings.HasPrefix(path, "/etc/") || strings.Contains(path, "bin/") || path == "/usr/lib/sendmail"
}

func flagOf(sense int64) repomd.DepFlag {
	switch sense & 0xf {
	case senseLess:
		return repomd.DepLT
	case senseGreater:
		return repomd.DepGT
	case senseEqual:
		return repomd.DepEQ
	case senseLess | senseEqual:
		return repomd.DepLE
	case senseGreater | senseEqual:
		return repomd.DepGE
	}
	return repomd.DepAny
}

// parseEVR splits a dependency version the way createrepo_c's
// cr_str_to_evr does: a numeric epoch before ':' (else "0"), the version up
// to the first '-', the rest as release. An empty string gives no EVR.
func parseEVR(s string) repomd.EVR {
	if s == "" {
		return repomd.EVR{}
	}
	e := repomd.EVR{Epoch: "0"}
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if i > 0 && leadingInt(s) == i {
			e.Epoch = s[:i]
		}
		rest = s[i+1:]
	}
	if j := strings.IndexByte(rest, '-'); j >= 0 {
		e.Version, e.Release = rest[:j], rest[j+1:]
	} else {
		e.Version = rest
	}
	return e
}

// leadingInt is the length of the prefix strtol would consume.
func leadingInt(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0
	}
	return j
}

type depKind int

const (
	kProvides depKind = iota
	kConflicts
	kObsoletes
	kRequires
	kSuggests
	kEnhances
	kRecommends
	kSupplements
	kOldSuggests
	kOldEnhances
)

var depTags = []struct {
	kind                  depKind
	name, flags, versions int
}{
	{kProvides, tagProvideName, tagProvideFlags, tagProvideVersion},
	{kConflicts, tagConflictName, tagConflictFlags, tagConflictVer},
	{kObsoletes, tagObsoleteName, tagObsoleteFlags, tagObsoleteVer},
	{kRequires, tagRequireName, tagRequireFlags, tagRequireVersion},
	{kSuggests, tagSuggestName, tagSuggestFlags, tagSuggestVer},
	{kEnhances, tagEnhanceName, tagEnhanceFlags, tagEnhanceVer},
	{kRecommends, tagRecommendName, tagRecommendFlags, tagRecommendVer},
	{kSupplements, tagSupplementName, tagSupplementFlag, tagSupplementVer},
	{kOldSuggests, tagOldSuggestName, tagOldSuggestFlag, tagOldSuggestVer},
	{kOldEnhances, tagOldEnhanceName, tagOldEnhanceFlag, tagOldEnhanceVer},
}

// depKey identifies a dependency by name, flags and version (a struct
// key: a joined string cost one allocation per dependency).
type depKey struct {
	name  string
	flags repomd.DepFlag
	ver   string
}

type seenReq struct {
	flags   repomd.DepFlag
	version string
	pre     bool
}

// depSlices are a package's dependency lists while they are collected.
type depSlices struct {
	Provides, Requires, Conflicts, Obsoletes    []repomd.Dep
	Recommends, Suggests, Supplements, Enhances []repomd.Dep
}

func readDeps(pkg *repomd.Package, h *tagTable, files map[string]struct{}) error {
	var lists depSlices
	defer func() {
		var b repomd.DepListBuilder
		pkg.Provides, pkg.Requires, pkg.Conflicts, pkg.Obsoletes = b.List(lists.Provides), b.List(lists.Requires), b.List(lists.Conflicts), b.List(lists.Obsoletes)
		pkg.Recommends, pkg.Suggests, pkg.Supplements, pkg.Enhances = b.List(lists.Recommends), b.List(lists.Suggests), b.List(lists.Supplements), b.List(lists.Enhances)
	}()
	provided := map[depKey]struct{}{}
	seen := map[string]seenReq{}
	for _, dt := range depTags {
		names := h.strs(dt.name)
		flags := h.ints(dt.flags)
		vers := h.strs(dt.versions)
		if names == nil || flags == nil || vers == nil {
			continue
		}
		n := min(len(names), len(flags), len(vers))
		var libc *repomd.Dep
		for i := 0; i < n; i++ {
			name, sense, ver := names[i], flags[i], vers[i]
			fl := flagOf(sense)
			key := depKey{name, fl, ver}
			pre := false
			if dt.kind == kRequires {
				if strings.HasPrefix(name, "rpmlib(") {
					continue
				}
				if name != "" && name[0] == '/' && IsPrimaryFile(name) {
					if _, own := files[name]; own {
						continue
					}
				}
				if _, ok := provided[key]; ok {
					continue
				}
				pre = sense&(sensePrereq|senseScriptPre|senseScriptPost) != 0
				if s, ok := seen[name]; ok && s.flags == fl && s.version == ver && s.pre == pre {
					continue
				}
			}
			d := repomd.Dep{Name: name, Flags: fl, EVR: parseEVR(ver)}
			switch dt.kind {
			case kProvides:
				provided[key] = struct{}{}
				lists.Provides = append(lists.Provides, d)
			case kConflicts:
				lists.Conflicts = append(lists.Conflicts, d)
			case kObsoletes:
				lists.Obsoletes = append(lists.Obsoletes, d)
			case kRequires:
				if sense&senseMissingOK != 0 {
					// rpm < 4.12 spelled Recommends as a "missing ok" require.
					lists.Recommends = append(lists.Recommends, d)
					continue
				}
				d.Pre = pre
				if strings.HasPrefix(name, "libc.so.6") {
					// Only the highest libc.so.6 symbol version is kept.
					if libc == nil || compareLibc(libc.Name, name) == 2 {
						dd := d
						libc = &dd
					}
					continue
				}
				lists.Requires = append(lists.Requires, d)
				seen[name] = seenReq{fl, ver, pre}
			case kSuggests:
				lists.Suggests = append(lists.Suggests, d)
			case kEnhances:
				lists.Enhances = append(lists.Enhances, d)
			case kRecommends:
				lists.Recommends = append(lists.Recommends, d)
			case kSupplements:
				lists.Supplements = append(lists.Supplements, d)
			case kOldSuggests:
				if sense&senseStrong != 0 {
					lists.Recommends = append(lists.Recommends, d)
				} else {
					lists.Suggests = append(lists.Suggests, d)
				}
			case kOldEnhances:
				if sense&senseStrong != 0 {
					lists.Supplements = append(lists.Supplements, d)
				} else {
					lists.Enhances = append(lists.Enhances, d)
				}
			}
		}
		if libc != nil {
			lists.Requires = append(lists.Requires, *libc)
		}
	}
	return nil
}

// compareLibc orders two libc.so.6 requires by the version inside their
// first parentheses, as createrepo_c's cr_compare_dependency does: 0 same,
// 1 first is higher, 2 second is higher.
func compareLibc(a, b string) int {
	i1, i2 := strings.IndexByte(a, '('), strings.IndexByte(b, '(')
	switch {
	case i1 < 0 && i2 < 0:
		return 0
	case i1 < 0:
		return 2
	case i2 < 0:
		return 1
	}
	e1, e2 := strings.IndexByte(a[i1:], ')'), strings.IndexByte(b[i2:], ')')
	switch {
	case e1 < 0 && e2 < 0:
		return -1
	case e1 < 0:
		return 2
	case e2 < 0:
		return 1
	}
	e1 += i1
	e2 += i2
	v1, v2 := i1+1, i2+1
	switch {
	case v1 == e1 && v2 == e2:
		return 0
	case v1 == e1:
		return 2
	case v2 == e2:
		return 1
	}
	for v1 < len(a) && (a[v1] < '0' || a[v1] > '9') {
		v1++
	}
	for v2 < len(b) && (b[v2] < '0' || b[v2] > '9') {
		v2++
	}
	switch {
	case v1 > e1 && v2 > e2:
		return 0
	case v1 > e1:
		return 2
	case v2 > e2:
		return 1
	}
	switch repomd.Vercmp(a[v1:e1], b[v2:e2]) {
	case 0:
		return 0
	case 1:
		return 1
	}
	return 2
}

// readChangelogs takes the newest limit entries (all when limit is -1) and
// returns them oldest first, as other.xml lists them. Entries sharing a
// timestamp get the older ones' dates bumped by one second each, exactly as
// createrepo_c does so that the dates stay unique.
func readChangelogs(h *tagTable, limit int) []repomd.Changelog {
	times := h.ints(tagChangelogTime)
	names := h.rawStrs(nil, tagChangelogName)
	texts := h.rawStrs(nil, tagChangelogText)
	n := min(len(times), len(names), len(texts))
	if limit >= 0 && n > limit {
		n = limit
	}
	if n == 0 {
		return nil
	}
	// proc is in header order (newest first); createrepo_c prepends, so
	// its "previous" entries are proc[k-1], proc[k-2], …
	proc := make([]repomd.Changelog, n)
	var last int64
	for k := 0; k < n; k++ {
		t := times[k]
		author := names[k]
		// createrepo_c trims trailing spaces but never the first byte.
		end := len(author)
		for end > 1 && author[end-1] == ' ' {
			end--
		}
		proc[k] = repomd.Changelog{Author: string(author[:end]), Date: t, Text: string(texts[k])}
		if t == last {
			tmp := int64(int32(t))
			for j := k - 1; j >= 0 && proc[j].Date == tmp; j-- {
				proc[j].Date++
				tmp++
			}
		} else {
			last = t
		}
	}
	out := make([]repomd.Changelog, n)
	for i := range proc {
		out[n-1-i] = proc[i]
	}
	return out
}
