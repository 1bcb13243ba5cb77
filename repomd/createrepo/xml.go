package createrepo

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// The three per-package XML fragments are rendered by the workers into byte
// slices laid out exactly as createrepo_c lays them out, so that the single
// writer goroutine only copies bytes.

const (
	primaryHead   = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\""
	primaryTail   = "</metadata>"
	filelistsHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\""
	filelistsTail = "</filelists>"
	otherHead     = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\""
	otherTail     = "</otherdata>"
)

// clean makes a header string valid UTF-8 the way createrepo_c does
// (cr_latin1_to_utf8): a string that is not UTF-8 is taken as Latin-1,
// dropping control characters other than tab, newline and carriage return
// and the C1 range 0x80-0xBF, which is most likely misencoded CP-1252.
// Valid UTF-8 is kept as it is; controlChars rejects the packages whose
// strings hold control characters, as createrepo_c does.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
		case c < 0x80:
			out = append(out, c)
		case c < 0xc0:
		default:
			out = append(out, 0xc3, c&0x3f+0x80)
		}
	}
	return string(out)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
	}
	return false
}

// controlChars reports a package that createrepo_c refuses to dump because
// one of its strings holds a control character other than tab, newline
// and carriage return (XML 1.0 cannot carry them).
func controlChars(p *repomd.Package) error {
	for _, s := range []string{p.Name, p.Arch, p.Version, p.Epoch, p.Release, p.Summary, p.Description, p.URL,
		p.License, p.Vendor, p.Group, p.BuildHost, p.SourceRPM, p.Packager, p.Location, p.LocationBase} {
		if hasControl(s) {
			return fmt.Errorf("forbidden control characters in package metadata (%q)", s)
		}
	}
	for _, l := range []repomd.DepList{p.Requires, p.Provides, p.Conflicts, p.Obsoletes, p.Suggests, p.Enhances, p.Recommends, p.Supplements} {
		for _, d := range l.All() {
			if hasControl(d.Name) || hasControl(d.Epoch) || hasControl(d.Version) || hasControl(d.Release) {
				return fmt.Errorf("forbidden control characters in dependency %q", d.Name)
			}
		}
	}
	for _, f := range p.Files {
		if hasControl(f.Path) {
			return fmt.Errorf("forbidden control characters in file name %q", f.Path)
		}
	}
	for _, c := range p.Changelogs {
		if hasControl(c.Author) || hasControl(c.Text) {
			return fmt.Errorf("forbidden control characters in a changelog entry of %s", c.Author)
		}
	}
	return nil
}

// textEscapes and attrEscapes map the bytes XML needs replaced to their
// references; the rest map to "". An attribute value also escapes the
// quote, and tab and newline, which a parser would otherwise normalize to
// spaces; in text they stay as they are. \r is escaped in both because
// parsers fold it into \n.
var (
	textEscapes = [256]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '\r': "&#13;"}
	attrEscapes = [256]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '\r': "&#13;",
		'"': "&quot;", '\n': "&#10;", '\t': "&#9;"}
)

// escape appends s, made valid UTF-8, with the bytes table names replaced;
// runs of plain bytes are copied at once.
func escape(b []byte, s string, table *[256]string) []byte {
	s = clean(s)
	plain := 0
	for i := 0; i < len(s); i++ {
		if r := table[s[i]]; r != "" {
			b = append(b, s[plain:i]...)
			b = append(b, r...)
			plain = i + 1
		}
	}
	return append(b, s[plain:]...)
}

func escText(b []byte, s string) []byte { return escape(b, s, &textEscapes) }

func escAttr(b []byte, s string) []byte { return escape(b, s, &attrEscapes) }

func elem(b []byte, indent, name, text string) []byte {
	b = append(b, indent...)
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = escText(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, ">\n"...)
}

func attr(b []byte, name, val string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, "=\""...)
	b = escAttr(b, val)
	return append(b, '"')
}

func intAttr(b []byte, name string, v int64) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, "=\""...)
	b = strconv.AppendInt(b, v, 10)
	return append(b, '"')
}

func versionElem(b []byte, p *repomd.Package) []byte {
	b = append(b, "  <version"...)
	b = attr(b, "epoch", p.Epoch)
	b = attr(b, "ver", p.Version)
	b = attr(b, "rel", p.Release)
	return append(b, "/>\n"...)
}

func fileElem(b []byte, indent string, f repomd.File) []byte {
	b = append(b, indent...)
	b = append(b, "<file"...)
	switch f.Type {
	case repomd.FileDir:
		b = append(b, " type=\"dir\""...)
	case repomd.FileGhost:
		b = append(b, " type=\"ghost\""...)
	}
	b = append(b, '>')
	b = escText(b, f.Path)
	return append(b, "</file>\n"...)
}

func depList(b []byte, name string, deps repomd.DepList, requires bool) []byte {
	if deps.Len() == 0 {
		return b
	}
	b = append(b, "    <rpm:"...)
	b = append(b, name...)
	b = append(b, ">\n"...)
	for _, d := range deps.All() {
		b = append(b, "      <rpm:entry"...)
		b = attr(b, "name", d.Name)
		if d.Flags != repomd.DepAny {
			b = attr(b, "flags", d.Flags.XMLName())
			if d.Epoch != "" {
				b = attr(b, "epoch", d.Epoch)
			}
			if d.Version != "" {
				b = attr(b, "ver", d.Version)
			}
			if d.Release != "" {
				b = attr(b, "rel", d.Release)
			}
		}
		if requires && d.Pre {
			b = append(b, " pre=\"1\""...)
		}
		b = append(b, "/>\n"...)
	}
	b = append(b, "    </rpm:"...)
	b = append(b, name...)
	return append(b, ">\n"...)
}

// appendPrimary renders one <package> of primary.xml.
func appendPrimary(b []byte, p *repomd.Package) []byte {
	b = append(b, "<package type=\"rpm\">\n"...)
	b = elem(b, "  ", "name", p.Name)
	b = elem(b, "  ", "arch", p.Arch)
	b = versionElem(b, p)
	b = append(b, "  <checksum"...)
	b = attr(b, "type", p.Checksum.Type)
	b = append(b, " pkgid=\"YES\">"...)
	b = escText(b, p.Checksum.Value)
	b = append(b, "</checksum>\n"...)
	b = elem(b, "  ", "summary", p.Summary)
	b = elem(b, "  ", "description", p.Description)
	b = elem(b, "  ", "packager", p.Packager)
	b = elem(b, "  ", "url", p.URL)
	b = append(b, "  <time"...)
	b = intAttr(b, "file", p.TimeFile)
	b = intAttr(b, "build", p.TimeBuild)
	b = append(b, "/>\n  <size"...)
	b = intAttr(b, "package", p.SizePackage)
	b = intAttr(b, "installed", p.SizeInstalled)
	b = intAttr(b, "archive", p.SizeArchive)
	b = append(b, "/>\n  <location"...)
	if p.LocationBase != "" {
		b = attr(b, "xml:base", p.LocationBase)
	}
	b = attr(b, "href", p.Location)
	b = append(b, "/>\n  <format>\n"...)
	b = elem(b, "    ", "rpm:license", p.License)
	b = elem(b, "    ", "rpm:vendor", p.Vendor)
	b = elem(b, "    ", "rpm:group", p.Group)
	b = elem(b, "    ", "rpm:buildhost", p.BuildHost)
	b = elem(b, "    ", "rpm:sourcerpm", p.SourceRPM)
	b = append(b, "    <rpm:header-range"...)
	b = intAttr(b, "start", p.HeaderStart)
	b = intAttr(b, "end", p.HeaderEnd)
	b = append(b, "/>\n"...)
	b = depList(b, "provides", p.Provides, false)
	b = depList(b, "requires", p.Requires, true)
	b = depList(b, "conflicts", p.Conflicts, false)
	b = depList(b, "obsoletes", p.Obsoletes, false)
	b = depList(b, "suggests", p.Suggests, false)
	b = depList(b, "enhances", p.Enhances, false)
	b = depList(b, "recommends", p.Recommends, false)
	b = depList(b, "supplements", p.Supplements, false)
	for _, f := range p.Files {
		if rpmfile.IsPrimaryFile(f.Path) {
			b = fileElem(b, "    ", f)
		}
	}
	return append(b, "  </format>\n</package>\n"...)
}

func pkgOpen(b []byte, p *repomd.Package) []byte {
	b = append(b, "<package"...)
	b = attr(b, "pkgid", p.Checksum.Value)
	b = attr(b, "name", p.Name)
	b = attr(b, "arch", p.Arch)
	b = append(b, ">\n"...)
	return versionElem(b, p)
}

// appendFilelists renders one <package> of filelists.xml.
func appendFilelists(b []byte, p *repomd.Package) []byte {
	b = pkgOpen(b, p)
	for _, f := range p.Files {
		b = fileElem(b, "  ", f)
	}
	return append(b, "</package>\n"...)
}

// appendOther renders one <package> of other.xml.
func appendOther(b []byte, p *repomd.Package) []byte {
	b = pkgOpen(b, p)
	for _, c := range p.Changelogs {
		b = append(b, "  <changelog"...)
		b = attr(b, "author", c.Author)
		b = intAttr(b, "date", c.Date)
		b = append(b, '>')
		b = escText(b, c.Text)
		b = append(b, "</changelog>\n"...)
	}
	return append(b, "</package>\n"...)
}
