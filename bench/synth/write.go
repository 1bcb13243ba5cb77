package synth

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/ulikunitz/xz"
)

// Generate writes a synthetic repository into dir (dir/repodata/…), and
// the source packages into opts.SourceDir when that is set.
func Generate(dir string, opts Options) error {
	opts.defaults()
	switch opts.Compress {
	case "gz", "zst", "xz", "none":
	default:
		return fmt.Errorf("synth: unknown compression %q (want gz, zst, xz or none)", opts.Compress)
	}
	m := newModel(opts)
	if opts.SourceDir == "" {
		all := append(append([]*pkg(nil), m.binaries...), m.sources...)
		sortPkgs(all)
		return writeRepo(dir, all, opts)
	}
	if err := writeRepo(dir, m.binaries, opts); err != nil {
		return err
	}
	return writeRepo(opts.SourceDir, m.sources, opts)
}

type record struct {
	typ, href      string
	sum, openSum   string
	size, openSize int64
}

func writeRepo(dir string, pkgs []*pkg, o Options) error {
	rd := filepath.Join(dir, "repodata")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		return err
	}
	kinds := []string{"primary", "filelists", "other"}
	recs := make([]record, len(kinds))
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, k := range kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i], errs[i] = writeXML(rd, k, pkgs, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>%d</revision>\n", o.Timestamp)
	for _, r := range recs {
		fmt.Fprintf(&b, "  <data type=\"%s\">\n    <checksum type=\"sha256\">%s</checksum>\n    <open-checksum type=\"sha256\">%s</open-checksum>\n    <location href=\"%s\"/>\n    <timestamp>%d</timestamp>\n    <size>%d</size>\n    <open-size>%d</open-size>\n  </data>\n",
			r.typ, r.sum, r.openSum, r.href, o.Timestamp, r.size, r.openSize)
	}
	b.WriteString("</repomd>\n")
	if err := atomicfile.WriteFile(filepath.Join(rd, "repomd.xml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	// Drop metadata of an earlier run that repomd.xml no longer lists.
	keep := map[string]bool{"repomd.xml": true}
	for _, r := range recs {
		keep[filepath.Base(r.href)] = true
	}
	entries, err := os.ReadDir(rd)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !keep[e.Name()] && !e.IsDir() && (strings.Contains(e.Name(), "-primary.xml") ||
			strings.Contains(e.Name(), "-filelists.xml") || strings.Contains(e.Name(), "-other.xml")) {
			os.Remove(filepath.Join(rd, e.Name()))
		}
	}
	return nil
}

// countingHash hashes and counts what is written through it.
type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}

func writeXML(rd, kind string, pkgs []*pkg, o Options) (record, error) {
	ext := map[string]string{"gz": ".gz", "zst": ".zst", "xz": ".xz", "none": ""}[o.Compress]
	tmp := filepath.Join(rd, ".tmp-"+kind+".xml"+ext)
	f, err := os.Create(tmp)
	if err != nil {
		return record{}, err
	}
	defer os.Remove(tmp)
	outer := &countingHash{h: sha256.New()}
	raw := bufio.NewWriterSize(io.MultiWriter(f, outer), 1<<20)
	var comp io.WriteCloser
	switch o.Compress {
	case "gz":
		comp, err = gzip.NewWriterLevel(raw, gzip.DefaultCompression)
	case "zst":
		comp, err = zstd.NewWriter(raw, zstd.WithEncoderConcurrency(1))
	case "xz":
		comp, err = xz.NewWriter(raw)
	default:
		comp = nopCloser{raw}
	}
	if err != nil {
		f.Close()
		return record{}, err
	}
	inner := &countingHash{h: sha256.New()}
	w := bufio.NewWriterSize(io.MultiWriter(comp, inner), 1<<20)
	switch kind {
	case "primary":
		writePrimary(w, pkgs, o)
	case "filelists":
		writeFilelists(w, pkgs)
	case "other":
		writeOther(w, pkgs, o)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return record{}, err
	}
	if err := comp.Close(); err != nil {
		f.Close()
		return record{}, err
	}
	if err := raw.Flush(); err != nil {
		f.Close()
		return record{}, err
	}
	if err := f.Close(); err != nil {
		return record{}, err
	}
	sum := hex.EncodeToString(outer.h.Sum(nil))
	name := sum + "-" + kind + ".xml" + ext
	if err := os.Rename(tmp, filepath.Join(rd, name)); err != nil {
		return record{}, err
	}
	return record{typ: kind, href: "repodata/" + name, sum: sum, openSum: hex.EncodeToString(inner.h.Sum(nil)),
		size: outer.n, openSize: inner.n}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;")

func esc(s string) string {
	if strings.ContainsAny(s, "&<>\"") {
		return xmlEscaper.Replace(s)
	}
	return s
}

func pkgid(p *pkg) string {
	s := sha256.Sum256([]byte(p.nevra()))
	return hex.EncodeToString(s[:])
}

// isPrimaryFile is createrepo's rule for the files copied into primary.
func isPrimaryFile(path string) bool {
	return strings.HasPrefix(path, "/etc/") || strings.Contains(path, "bin/") || path == "/usr/lib/sendmail"
}

func writePrimary(w *bufio.Writer, pkgs []*pkg, o Options) {
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"%d\">\n", len(pkgs))
	for _, p := range pkgs {
		w.WriteString("<package type=\"rpm\">\n  <name>")
		w.WriteString(p.name)
		w.WriteString("</name>\n  <arch>")
		w.WriteString(p.arch)
		fmt.Fprintf(w, "</arch>\n  <version epoch=\"%s\" ver=\"%s\" rel=\"%s\"/>\n", p.epoch, p.ver, p.rel)
		fmt.Fprintf(w, "  <checksum type=\"sha256\" pkgid=\"YES\">%s</checksum>\n", pkgid(p))
		fmt.Fprintf(w, "  <summary>%s</summary>\n  <description>%s</description>\n", esc(p.summary), esc(p.description))
		w.WriteString("  <packager>Synthetic Project</packager>\n")
		fmt.Fprintf(w, "  <url>https://example.org/%s</url>\n", p.name)
		fmt.Fprintf(w, "  <time file=\"%d\" build=\"%d\"/>\n", o.Timestamp, o.Timestamp-int64(p.seq%100000))
		fmt.Fprintf(w, "  <size package=\"%d\" installed=\"%d\" archive=\"%d\"/>\n", p.size, p.size*3, p.size*3+1024)
		dir := strings.ToLower(p.name[:1])
		fmt.Fprintf(w, "  <location href=\"Packages/%s/%s\"/>\n  <format>\n", dir, p.fileName())
		w.WriteString("    <rpm:license>MIT AND GPL-2.0-or-later</rpm:license>\n    <rpm:vendor>Synthetic</rpm:vendor>\n    <rpm:group>Unspecified</rpm:group>\n")
		fmt.Fprintf(w, "    <rpm:buildhost>buildhw-x86-%02d.example.org</rpm:buildhost>\n", p.seq%40)
		if p.arch == "src" {
			w.WriteString("    <rpm:sourcerpm/>\n")
		} else {
			fmt.Fprintf(w, "    <rpm:sourcerpm>%s</rpm:sourcerpm>\n", p.sourcerpm)
		}
		fmt.Fprintf(w, "    <rpm:header-range start=\"4504\" end=\"%d\"/>\n", 4504+2000+p.seq%50000)
		writeDeps(w, "provides", p.provides)
		writeDeps(w, "requires", p.requires)
		writeDeps(w, "conflicts", p.conflicts)
		writeDeps(w, "obsoletes", p.obsoletes)
		writeDeps(w, "recommends", p.recommends)
		writeDeps(w, "supplements", p.supplements)
		if p.arch != "src" {
			for _, f := range p.files {
				if isPrimaryFile(f.path) {
					writeFile(w, f)
				}
			}
		}
		w.WriteString("  </format>\n</package>\n")
	}
	w.WriteString("</metadata>\n")
}

func writeFile(w *bufio.Writer, f file) {
	if f.typ != "" {
		fmt.Fprintf(w, "    <file type=\"%s\">%s</file>\n", f.typ, esc(f.path))
		return
	}
	w.WriteString("    <file>")
	w.WriteString(esc(f.path))
	w.WriteString("</file>\n")
}

func writeDeps(w *bufio.Writer, tag string, deps []dep) {
	if len(deps) == 0 {
		return
	}
	w.WriteString("    <rpm:" + tag + ">\n")
	for _, d := range deps {
		w.WriteString("      <rpm:entry name=\"")
		w.WriteString(esc(d.name))
		w.WriteByte('"')
		if d.flags != "" {
			fmt.Fprintf(w, " flags=\"%s\" epoch=\"%s\" ver=\"%s\"", d.flags, orZero(d.epoch), d.ver)
			if d.rel != "" {
				fmt.Fprintf(w, " rel=\"%s\"", d.rel)
			}
		}
		if d.pre {
			w.WriteString(" pre=\"1\"")
		}
		w.WriteString("/>\n")
	}
	w.WriteString("    </rpm:" + tag + ">\n")
}

func orZero(e string) string {
	if e == "" {
		return "0"
	}
	return e
}

func writeFilelists(w *bufio.Writer, pkgs []*pkg) {
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"%d\">\n", len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(w, "<package pkgid=\"%s\" name=\"%s\" arch=\"%s\">\n  <version epoch=\"%s\" ver=\"%s\" rel=\"%s\"/>\n", pkgid(p), p.name, p.arch, p.epoch, p.ver, p.rel)
		for _, f := range p.files {
			writeFile(w, f)
		}
		w.WriteString("</package>\n")
	}
	w.WriteString("</filelists>\n")
}

func writeOther(w *bufio.Writer, pkgs []*pkg, o Options) {
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\"%d\">\n", len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(w, "<package pkgid=\"%s\" name=\"%s\" arch=\"%s\">\n  <version epoch=\"%s\" ver=\"%s\" rel=\"%s\"/>\n", pkgid(p), p.name, p.arch, p.epoch, p.ver, p.rel)
		for i := 0; i < p.changelogs; i++ {
			date := o.Timestamp - int64(i+1)*86400*30
			fmt.Fprintf(w, "  <changelog author=\"Packager &lt;pkg@example.org&gt; - %s-%s\" date=\"%d\">- Rebuilt (%d)\n- Update to %s</changelog>\n",
				p.ver, p.rel, date, i, strconv.Quote(p.ver))
		}
		w.WriteString("</package>\n")
	}
	w.WriteString("</otherdata>\n")
}
