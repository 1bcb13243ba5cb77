package repomd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/repomd/fetch"
)

// This file opens repositories: it finds repomd.xml in a directory, file://
// or http(s):// location, reads the record list, and opens the records
// themselves (checksum-verified and decompressed) only when asked, so a
// repository whose repomd.xml lists files that are absent still loads as
// long as the job does not need them.

// Record is one <data> entry of repomd.xml.
type Record struct {
	Type            string
	Href            string
	Checksum        Checksum
	OpenChecksum    Checksum
	Size            int64
	OpenSize        int64
	Timestamp       int64
	DatabaseVersion int
}

// DistroTag is a <distro cpeid="…">name</distro> tag of repomd.xml.
type DistroTag struct {
	CPEID string
	Name  string
}

// Repo is a loaded repository: its repomd.xml records and the packages of
// its primary metadata, in file order.
type Repo struct {
	Location string // as given to Open
	Revision string
	Records  []Record
	Packages []*Package

	// AllowedRoots are directories outside the repository that package
	// locations (xml:base) may point into.
	AllowedRoots []string

	ContentTags []string
	RepoTags    []string
	DistroTags  []DistroTag

	// RepomdChecksum is the SHA-256 of repomd.xml as read: it names this
	// state of the repository (a record cache keys its images by it).
	RepomdChecksum string

	src   source
	cache RecordCache // nil: every record is parsed
}

// source fetches files of a repository by their href.
type source interface {
	// open returns the file's bytes, at most size of them when size > 0
	// (repomd.xml's size), else at most limit: more is an error, so a
	// hostile endless file cannot exhaust memory. Errors name the file.
	open(href string, size, limit int64) (io.ReadCloser, error)
	name(href string) string // path or URL for messages
}

// maxRepomdXML bounds repomd.xml itself, whose size nothing announces;
// real ones are a few kilobytes.
const maxRepomdXML = 16 << 20

// MaxUnknownSize bounds a metadata file whose size repomd.xml does not
// give.
var MaxUnknownSize int64 = 4 << 30

type dirSource struct{ dir string }

func (d dirSource) name(href string) string { return filepath.Join(d.dir, filepath.FromSlash(href)) }

func (d dirSource) open(href string, size, limit int64) (io.ReadCloser, error) {
	f, err := os.Open(d.name(href))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", d.name(href))
		}
		return nil, err // *PathError already names the file
	}
	if size > 0 {
		limit = size
	}
	return &boundedFile{f: f, name: d.name(href), left: limit, announced: size > 0}, nil
}

// boundedFile reads a local file (or FIFO, or device) up to a bound.
type boundedFile struct {
	f         *os.File
	name      string
	left      int64
	announced bool
}

func (b *boundedFile) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.f.Read(one[:]); n > 0 {
			if b.announced {
				return 0, fmt.Errorf("%s: larger than the size repomd.xml announces", b.name)
			}
			return 0, fmt.Errorf("%s: larger than the limit for a file of unknown size", b.name)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.f.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedFile) Close() error { return b.f.Close() }

type httpSource struct {
	ctx  context.Context
	base string // without trailing slash
}

func (h httpSource) name(href string) string { return h.base + "/" + href }

func (h httpSource) open(href string, size, limit int64) (io.ReadCloser, error) {
	return fetch.Default().Open(h.ctx, h.name(href), size, limit) // errors name the URL
}

func newSource(ctx context.Context, location string) (source, error) {
	switch {
	case strings.HasPrefix(location, "http://"), strings.HasPrefix(location, "https://"):
		return httpSource{ctx: ctx, base: strings.TrimRight(location, "/")}, nil
	case strings.HasPrefix(location, "file://"):
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", location, err)
		}
		location = u.Path
	case strings.Contains(location, "://"):
		return nil, fmt.Errorf("%s: unsupported URL scheme (want a directory, file://, http:// or https://)", location)
	}
	st, err := os.Stat(location)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such repository directory", location)
		}
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory (want the repository directory containing repodata/)", location)
	}
	if _, err := os.Stat(filepath.Join(location, "repomd.xml")); err == nil {
		return nil, fmt.Errorf("%s: this is a repodata directory; give the repository directory that contains it", location)
	}
	return dirSource{dir: location}, nil
}

// OpenMeta reads only repomd.xml of a repository, loading no packages.
func OpenMeta(location string) (*Repo, error) {
	return OpenMetaContext(context.Background(), location)
}

// OpenMetaContext is OpenMeta whose downloads stop when ctx ends.
func OpenMetaContext(ctx context.Context, location string) (*Repo, error) {
	src, err := newSource(ctx, location)
	if err != nil {
		return nil, err
	}
	r := &Repo{Location: location, src: src, cache: cacheFrom(ctx)}
	rc, err := src.open("repodata/repomd.xml", 0, maxRepomdXML)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h := sha256.New()
	if err := r.parseRepomd(io.TeeReader(rc, h), src.name("repodata/repomd.xml")); err != nil {
		return nil, err
	}
	r.RepomdChecksum = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// Open reads repomd.xml and the primary metadata of the repository at
// location: a directory containing repodata/, a file:// URL or an
// http(s):// URL. Checksums are verified.
func Open(location string) (*Repo, error) {
	return OpenContext(context.Background(), location)
}

// OpenContext is Open whose downloads stop when ctx ends (a compose's
// first SIGTERM) and whose records come through the context's record
// cache (WithCache), if any.
func OpenContext(ctx context.Context, location string) (*Repo, error) {
	r, err := OpenMetaContext(ctx, location)
	if err != nil {
		return nil, err
	}
	if err := r.cached("primary", r.loadPrimary); err != nil {
		return nil, err
	}
	return r, nil
}

// Record returns the record of the given type ("primary", "group_gz", …).
func (r *Repo) Record(typ string) (Record, bool) {
	for _, rec := range r.Records {
		if rec.Type == typ {
			return rec, true
		}
	}
	return Record{}, false
}

// RecordPath is the local path or URL of a record's file.
func (r *Repo) RecordPath(rec Record) string { return r.src.name(rec.Href) }

// OpenRecord returns the decompressed content of the record of the given
// type. Its checksum is verified as it is read: the stream's final Read
// fails on a mismatch, so read it to the end before trusting it.
func (r *Repo) OpenRecord(typ string) (io.ReadCloser, error) {
	return r.openRecord(typ, true)
}

// openRecord is OpenRecord with the prefetching goroutine optional: the
// chunked parsers read on a goroutine of their own already.
func (r *Repo) openRecord(typ string, prefetch bool) (io.ReadCloser, error) {
	rec, ok := r.Record(typ)
	if !ok {
		return nil, fmt.Errorf("%s: repomd.xml has no %q record", r.src.name("repodata/repomd.xml"), typ)
	}
	raw, err := r.src.open(rec.Href, rec.Size, MaxUnknownSize)
	if err != nil {
		return nil, fmt.Errorf("%w (the %s metadata listed in repomd.xml)", err, typ)
	}
	return verifiedStream(raw, r.src.name(rec.Href), rec.Checksum, rec.OpenSize, prefetch)
}

// CheckedPackagePath is PackagePath for anything that reads, links or
// ships the file: a location that resolves outside the repository is
// refused with an error naming the repository and the href. Outside means
// an href that is absolute or climbs out with "..", or an xml:base that
// names a local directory (a path or file:// URL) which is not the
// repository or under it, or under one of AllowedRoots (Pungi's package
// set repos point xml:base at the Koji volume); an http(s) repository may
// not point at local files at all. An http(s) xml:base is a download
// location and allowed.
func (r *Repo) CheckedPackagePath(p *Package) (string, error) {
	refuse := func(why string) (string, error) {
		if p.LocationBase != "" {
			return "", fmt.Errorf("repository %s: package %s: location xml:base=%q href=%q %s", r.Location, p.NEVRA(), p.LocationBase, p.Location, why)
		}
		return "", fmt.Errorf("repository %s: package %s: location href=%q %s", r.Location, p.NEVRA(), p.Location, why)
	}
	href := p.Location
	if href == "" || strings.HasSuffix(href, "/") {
		return refuse("names no file")
	}
	if strings.HasPrefix(href, "/") || strings.Contains(href, "://") {
		return refuse("is not relative to the repository")
	}
	if clean := path.Clean(href); clean == ".." || strings.HasPrefix(clean, "../") {
		return refuse("resolves outside the repository")
	}
	base := p.LocationBase
	if base == "" {
		return r.PackagePath(p), nil
	}
	if strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://") {
		return r.PackagePath(p), nil
	}
	if strings.Contains(base, "://") && !strings.HasPrefix(base, "file://") {
		return refuse("has an unsupported URL scheme")
	}
	if _, remote := r.src.(httpSource); remote {
		return refuse("points a remote repository at local files")
	}
	dir, _ := filepath.Abs(strings.TrimPrefix(base, "file://")) // as PackagePath joins it
	for _, root := range append([]string{r.src.name("")}, r.AllowedRoots...) {
		if root, err := filepath.Abs(root); err == nil && within(dir, root) {
			return r.PackagePath(p), nil
		}
	}
	return refuse("resolves outside the repository")
}

// within reports whether dir is root or under it, by path.
func within(dir, root string) bool {
	return dir == root || strings.HasPrefix(dir, strings.TrimSuffix(root, "/")+"/")
}

// PackagePath returns the local path or URL of a package's .rpm file,
// honouring its location xml:base, for display. Use CheckedPackagePath
// for a file that is read, linked or shipped.
func (r *Repo) PackagePath(p *Package) string {
	if p.LocationBase != "" {
		base := p.LocationBase
		if strings.HasPrefix(base, "file://") {
			base = strings.TrimPrefix(base, "file://")
			return filepath.Join(base, filepath.FromSlash(p.Location))
		}
		if strings.Contains(base, "://") {
			return strings.TrimRight(base, "/") + "/" + p.Location
		}
		return filepath.Join(base, filepath.FromSlash(p.Location))
	}
	return r.src.name(p.Location)
}

// parseRepomd reads repomd.xml.
func (r *Repo) parseRepomd(rd io.Reader, name string) error {
	s := newXMLScanner(rd, name)
	s.buf = make([]byte, 64<<10)
	var rec *Record
	sawRoot := false
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return s.err
			}
			if !sawRoot {
				return fmt.Errorf("%s: not a repomd.xml (no <repomd> element)", name)
			}
			return nil
		case tokEnd:
			if string(s.name) == "data" && rec != nil {
				if rec.Href == "" {
					return fmt.Errorf("%s:%d: <data type=%q> without a location", name, s.line(), rec.Type)
				}
				r.Records = append(r.Records, *rec)
				rec = nil
			}
		case tokStart:
			switch string(s.name) {
			case "repomd":
				sawRoot = true
			case "revision":
				r.Revision = string(s.elementText())
			case "content":
				r.ContentTags = append(r.ContentTags, string(s.elementText()))
			case "repo":
				r.RepoTags = append(r.RepoTags, string(s.elementText()))
			case "distro":
				cpe := string(s.attr("cpeid"))
				r.DistroTags = append(r.DistroTags, DistroTag{CPEID: cpe, Name: string(s.elementText())})
			case "data":
				rec = &Record{Type: string(s.attr("type"))}
			case "checksum", "open-checksum":
				if rec == nil {
					continue
				}
				c := Checksum{Type: string(s.attr("type"))}
				isOpen := string(s.name) == "open-checksum"
				c.Value = strings.TrimSpace(string(s.elementText()))
				if isOpen {
					rec.OpenChecksum = c
				} else {
					rec.Checksum = c
				}
			case "location":
				if rec != nil {
					rec.Href = string(s.attr("href"))
				}
			case "timestamp", "size", "open-size", "database_version":
				if rec == nil {
					continue
				}
				field := string(s.name)
				txt := strings.TrimSpace(string(s.elementText()))
				v, ok := parseInt([]byte(txt))
				if !ok {
					// Some producers write float timestamps.
					if f, _, found := strings.Cut(txt, "."); found && field == "timestamp" {
						v, ok = parseInt([]byte(f))
					}
				}
				if !ok {
					return fmt.Errorf("%s:%d: <%s> is not a number: %q", name, s.line(), field, txt)
				}
				switch field {
				case "timestamp":
					rec.Timestamp = v
				case "size":
					rec.Size = v
				case "open-size":
					rec.OpenSize = v
				case "database_version":
					rec.DatabaseVersion = int(v)
				}
			}
		}
	}
}
