package createrepo

import (
	"strconv"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
)

// writeRepomd writes repomd.xml laid out as createrepo_c writes it.
func writeRepomd(path, revision string, opts Options, records []Record) error {
	var b []byte
	b = append(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"...)
	b = elem(b, "  ", "revision", revision)
	if len(opts.Content)+len(opts.Repo)+len(opts.Distro) > 0 {
		b = append(b, "  <tags>\n"...)
		for _, c := range opts.Content {
			b = elem(b, "    ", "content", c)
		}
		for _, r := range opts.Repo {
			b = elem(b, "    ", "repo", r)
		}
		for _, d := range opts.Distro {
			cpe, name := "", d
			if i := strings.IndexByte(d, ','); i >= 0 {
				cpe, name = d[:i], d[i+1:]
			}
			b = append(b, "    <distro"...)
			if cpe != "" {
				b = attr(b, "cpeid", cpe)
			}
			b = append(b, '>')
			b = escText(b, name)
			b = append(b, "</distro>\n"...)
		}
		b = append(b, "  </tags>\n"...)
	}
	for _, r := range records {
		b = append(b, "  <data"...)
		b = attr(b, "type", r.Type)
		b = append(b, ">\n    <checksum"...)
		b = attr(b, "type", opts.ChecksumType)
		b = append(b, '>')
		b = append(b, r.Sums.Checksum...)
		b = append(b, "</checksum>\n"...)
		if r.HasOpen {
			b = append(b, "    <open-checksum"...)
			b = attr(b, "type", opts.ChecksumType)
			b = append(b, '>')
			b = append(b, r.Sums.OpenChecksum...)
			b = append(b, "</open-checksum>\n"...)
		}
		if r.HeaderChecksum != "" {
			// zchunk's header checksum is SHA-256 whatever the repository's type.
			b = append(b, "    <header-checksum type=\"sha256\">"...)
			b = append(b, r.HeaderChecksum...)
			b = append(b, "</header-checksum>\n"...)
		}
		b = append(b, "    <location"...)
		b = attr(b, "href", r.Href)
		b = append(b, "/>\n"...)
		b = elem(b, "    ", "timestamp", strconv.FormatInt(r.Timestamp, 10))
		b = elem(b, "    ", "size", strconv.FormatInt(r.Sums.Size, 10))
		if r.HasOpen {
			b = elem(b, "    ", "open-size", strconv.FormatInt(r.Sums.OpenSize, 10))
		}
		if r.HeaderSize != 0 {
			b = elem(b, "    ", "header-size", strconv.FormatInt(r.HeaderSize, 10))
		}
		if r.DBVersion != 0 {
			b = elem(b, "    ", "database_version", strconv.Itoa(r.DBVersion))
		}
		b = append(b, "  </data>\n"...)
	}
	b = append(b, "</repomd>\n"...)
	return atomicfile.WriteFile(path, b, 0o644)
}
