package query

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
)

// Format is a parsed dnf --queryformat.
type Format []formatPart

// formatPart is a literal or a %{tag} (lit then holds its width).
type formatPart struct {
	lit string
	tag string
}

// pkgRef is a package of a pool with its repository.
type pkgRef struct {
	*repomd.Package
	repo *repomd.Repo
}

func (p pkgRef) location() string {
	if p.repo == nil {
		return ""
	}
	return p.repo.Location
}

func (p pkgRef) path() string {
	if p.repo == nil {
		return p.Location
	}
	return p.repo.PackagePath(p.Package)
}

// tags are dnf's query tags (its Package attributes) and a few more
// (nevra, fullnevra, nvr, location, path, checksum, buildhost, vendor).
// Like dnf, an absent value prints as "(none)", a list as its sorted
// distinct entries one per line, and buildtime as a UTC date.
var tags = map[string]func(p pkgRef) string{
	"name":              func(p pkgRef) string { return p.Name },
	"epoch":             func(p pkgRef) string { return orZero(p.Epoch) },
	"version":           func(p pkgRef) string { return p.Version },
	"release":           func(p pkgRef) string { return p.Release },
	"arch":              func(p pkgRef) string { return p.Arch },
	"evr":               func(p pkgRef) string { return p.EVR.String() },
	"nevra":             func(p pkgRef) string { return p.NEVRA() },
	"fullnevra":         func(p pkgRef) string { return DNFNEVRA(p.Package) },
	"nvr":               func(p pkgRef) string { return p.NVR() },
	"sourcerpm":         func(p pkgRef) string { return orNone(p.SourceRPM) },
	"source_name":       func(p pkgRef) string { return orNone(p.SourceName()) },
	"debug_name":        func(p pkgRef) string { return debugName(p.Name) },
	"source_debug_name": func(p pkgRef) string { return sourceOrName(p) + "-debuginfo" },
	"debugsource_name":  func(p pkgRef) string { return sourceOrName(p) + "-debugsource" },
	"location":          func(p pkgRef) string { return p.Location },
	"summary":           func(p pkgRef) string { return p.Summary },
	"description":       func(p pkgRef) string { return p.Description },
	"url":               func(p pkgRef) string { return orNone(p.URL) },
	"license":           func(p pkgRef) string { return p.License },
	"packager":          func(p pkgRef) string { return orNone(p.Packager) },
	"vendor":            func(p pkgRef) string { return p.Vendor },
	"buildhost":         func(p pkgRef) string { return p.BuildHost },
	"size":              func(p pkgRef) string { return strconv.FormatInt(p.SizePackage, 10) },
	"downloadsize":      func(p pkgRef) string { return strconv.FormatInt(p.SizePackage, 10) },
	"installsize":       func(p pkgRef) string { return strconv.FormatInt(p.SizeInstalled, 10) },
	"buildtime":         func(p pkgRef) string { return dnfTime(p.TimeBuild) },
	"installtime":       func(p pkgRef) string { return "" }, // never installed
	"from_repo":         func(p pkgRef) string { return "" },
	"checksum":          func(p pkgRef) string { return p.Checksum.Value },
	"repoid":            pkgRef.location,
	"reponame":          pkgRef.location,
	"path":              pkgRef.path,
	"provides":          func(p pkgRef) string { return depLines(p.Provides) },
	"requires":          func(p pkgRef) string { return depLines(p.Requires) },
	"conflicts":         func(p pkgRef) string { return depLines(p.Conflicts) },
	"obsoletes":         func(p pkgRef) string { return depLines(p.Obsoletes) },
	"recommends":        func(p pkgRef) string { return depLines(p.Recommends) },
	"suggests":          func(p pkgRef) string { return depLines(p.Suggests) },
	"supplements":       func(p pkgRef) string { return depLines(p.Supplements) },
	"enhances":          func(p pkgRef) string { return depLines(p.Enhances) },
	"files":             fileLines,
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// debugName is dnf's Package.debug_name.
func debugName(name string) string {
	if strings.HasSuffix(name, "-debuginfo") {
		return name
	}
	return strings.TrimSuffix(name, "-debugsource") + "-debuginfo"
}

// sourceOrName is the source package's name, or for a source package its
// own (dnf's source_debug_name and debugsource_name).
func sourceOrName(p pkgRef) string {
	if n := p.SourceName(); n != "" {
		return n
	}
	return p.Name
}

// dnfTime renders a timestamp as dnf's query tags do.
func dnfTime(t int64) string {
	if t <= 0 {
		return ""
	}
	return time.Unix(t, 0).UTC().Format("2006-01-02 15:04")
}

func depLines(deps repomd.DepList) string { return sortedLines(DepStrings(deps)) }

func fileLines(p pkgRef) string {
	s := make([]string, 0, len(p.Files))
	for _, f := range p.Files {
		// libsolv roots the relative paths of source packages' files.
		if !strings.HasPrefix(f.Path, "/") {
			s = append(s, "/"+f.Path)
			continue
		}
		s = append(s, f.Path)
	}
	return sortedLines(s)
}

// DepStrings renders dependency entries as rpm prints them; an empty list
// gives an empty, non-nil slice.
func DepStrings(deps repomd.DepList) []string {
	s := make([]string, 0, deps.Len())
	for _, d := range deps.All() {
		s = append(s, d.String())
	}
	return s
}

// sortedLines joins the distinct strings, sorted, one per line.
func sortedLines(s []string) string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return strings.Join(out, "\n")
}

// ParseFormat reads dnf's query format: %{tag} or %N{tag} / %-N{tag}
// with a width (dnf pads N to the left of the value, -N to its right:
// the reverse of rpm), and the \n and \t escapes. A '%' not starting a
// tag is literal, as in dnf.
func ParseFormat(f string) (Format, error) {
	f = strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(f)
	var parts Format
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		j := i + 1
		if j < len(f) && f[j] == '-' {
			j++
		}
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		end := -1
		if j < len(f) && f[j] == '{' {
			end = strings.IndexByte(f[j:], '}')
		}
		if end < 0 {
			lit.WriteByte(c)
			continue
		}
		width := f[i+1 : j]
		tag := strings.ToLower(f[j+1 : j+end])
		if _, ok := tags[tag]; !ok {
			return nil, fmt.Errorf("--queryformat: unknown tag %%{%s}", tag)
		}
		if lit.Len() > 0 {
			parts = append(parts, formatPart{lit: lit.String()})
			lit.Reset()
		}
		parts = append(parts, formatPart{tag: tag, lit: width})
		i = j + end
	}
	if lit.Len() > 0 {
		parts = append(parts, formatPart{lit: lit.String()})
	}
	return parts, nil
}

// NeedsFiles reports whether the format prints file lists, which must be
// complete (filelists.xml) before it is rendered.
func (f Format) NeedsFiles() bool {
	for _, part := range f {
		if part.tag == "files" {
			return true
		}
	}
	return false
}

// Render formats package id of pool.
func (f Format) Render(pool *depsolve.Pool, id depsolve.PkgID) string {
	p := pkgRef{pool.Pkg(id), pool.RepoOf(id).Source}
	var b strings.Builder
	for _, part := range f {
		if part.tag == "" {
			b.WriteString(part.lit)
			continue
		}
		v := tags[part.tag](p)
		if n, err := strconv.Atoi(part.lit); err == nil && n != 0 {
			// dnf turns %N into Python's {:<N} and %-N into {:>N}.
			if n > 0 {
				v = fmt.Sprintf("%-*s", n, v)
			} else {
				v = fmt.Sprintf("%*s", -n, v)
			}
		}
		b.WriteString(v)
	}
	return b.String()
}
