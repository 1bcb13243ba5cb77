package createrepo

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pungo/pungo/internal/decompress"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// ModifyOptions are modifyrepo_c's options.
type ModifyOptions struct {
	MDType            string // record type; default: the file name up to its first '.'
	Compress          bool   // compress the file before adding it (modifyrepo_c's default)
	CompressType      string // gz (default), xz, bz2, zstd
	ChecksumType      string // sha256 (default)
	SimpleMDFilenames bool   // no checksum prefix
	NewName           string // publish under this file name instead of the input's
	// Zck also adds a TYPE_zck record: the content as one zchunk chunk,
	// compressed with ZckDictDir/NAME.zdict when that exists, as
	// modifyrepo_c --zck --zck-dict-dir does.
	Zck        bool
	ZckDictDir string
	Now        time.Time
}

// standardOrder ranks the record types createrepo_c writes first; other
// types follow in name order.
var standardOrder = map[string]int{
	"primary": 1, "filelists": 2, "other": 3, "primary_db": 4, "filelists_db": 5, "other_db": 6,
	"primary_zck": 7, "filelists_zck": 8, "other_zck": 9,
}

// AddMetadata adds (or replaces) the record for file in the repodata
// directory, as modifyrepo_c FILE REPODATA does. The file is written
// before repomd.xml is atomically replaced, and a replaced record's old
// file is removed only afterwards, so readers never see a record without
// its file.
func AddMetadata(file, repodata string, opts ModifyOptions) (*Record, error) {
	doc, repomdPath, err := readRepomd(repodata)
	if err != nil {
		return nil, err
	}
	if opts.ChecksumType == "" {
		opts.ChecksumType = "sha256"
	}
	if _, canon, err := rpmfile.NewHash(opts.ChecksumType); err != nil {
		return nil, err
	} else {
		opts.ChecksumType = canon
	}
	comp := Compression("none")
	if opts.Compress {
		c := opts.CompressType
		if c == "" {
			c = "gz"
		}
		if comp, err = ParseCompression(c); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(file); err != nil {
		return nil, err
	}
	base := filepath.Base(file)
	if opts.NewName != "" {
		base = opts.NewName
	}
	typ := opts.MDType
	if typ == "" {
		typ = base
		if i := strings.IndexByte(typ, '.'); i > 0 {
			typ = typ[:i]
		}
	}
	tmp, err := os.CreateTemp(repodata, ".modifyrepo-*")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	var z *zckFile
	var zckPath string
	sums, base, err := addFile(file, base, tmp.Name(), comp, opts.ChecksumType, func(base string) (io.Writer, error) {
		if !opts.Zck {
			return nil, nil
		}
		dict, _, err := zckDict(opts.ZckDictDir, base)
		if err != nil {
			return nil, err
		}
		zckPath = filepath.Join(repodata, ".modifyrepo-"+base+".zck")
		if z, err = createZck(zckPath, dict, opts.ChecksumType); err != nil {
			return nil, err
		}
		return z.w, nil
	})
	if zckPath != "" {
		defer os.Remove(zckPath)
	}
	if err != nil {
		if z != nil {
			z.Abort()
		}
		return nil, err
	}
	name := base + comp.Suffix()
	if !opts.SimpleMDFilenames {
		name = sums.Checksum + "-" + name
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(repodata, name)); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	rec := &Record{Type: typ, Href: "repodata/" + name, Sums: sums, HasOpen: comp != "none", Timestamp: now.Unix()}
	oldHref := removeRecord(doc, typ)
	doc.Root().AddChild(recordElement(rec, opts.ChecksumType))
	written := []string{name}
	var oldZckHref string
	if z != nil {
		zs, hdr, err := z.Close()
		if err != nil {
			os.Remove(filepath.Join(repodata, name))
			return nil, err
		}
		zs.OpenChecksum, zs.OpenSize = sums.OpenChecksum, sums.OpenSize
		zname := base + ".zck"
		if !opts.SimpleMDFilenames {
			zname = zs.Checksum + "-" + zname
		}
		if err := os.Rename(zckPath, filepath.Join(repodata, zname)); err != nil {
			os.Remove(filepath.Join(repodata, name))
			return nil, err
		}
		written = append(written, zname)
		zrec := &Record{Type: typ + "_zck", Href: "repodata/" + zname, Sums: zs, HasOpen: true, Timestamp: now.Unix(),
			HeaderChecksum: hex.EncodeToString(hdr.Checksum[:]), HeaderSize: hdr.Size}
		oldZckHref = removeRecord(doc, zrec.Type)
		doc.Root().AddChild(recordElement(zrec, opts.ChecksumType))
	}
	sortRecords(doc)
	if err := writeDoc(doc, repomdPath); err != nil {
		for _, n := range written {
			os.Remove(filepath.Join(repodata, n))
		}
		return nil, err
	}
	for _, old := range []string{oldHref, oldZckHref} {
		if old != "" && !slices.Contains(written, path.Base(old)) {
			os.Remove(filepath.Join(filepath.Dir(repodata), filepath.FromSlash(old)))
		}
	}
	return rec, nil
}

// addFile writes file to dst compressed with comp. As modifyrepo_c does, a
// compressed input (told by its suffix) is stored by its content: it is
// decompressed first and the suffix leaves its published name, so
// "comps.xml.xz" goes in as "comps.xml.gz". It returns the sums and the
// name to publish (before the new compression's suffix).
//
// also, when it returns a writer for the published name, gets the content
// (decompressed) too.
func addFile(file, base, dst string, comp Compression, sum string, also func(base string) (io.Writer, error)) (Sums, string, error) {
	in, err := os.Open(file)
	if err != nil {
		return Sums{}, "", err
	}
	defer in.Close()
	var r io.Reader = in
	if suf := decompress.CompressedSuffix(base); suf != "" {
		d, done, err := decompress.Reader(in, file)
		if err != nil {
			return Sums{}, "", err
		}
		defer done()
		r, base = d, strings.TrimSuffix(base, suf)
	}
	m, err := createMD(dst, comp, sum)
	if err != nil {
		return Sums{}, "", err
	}
	var w io.Writer = m
	if extra, err := also(base); err != nil {
		m.Abort()
		return Sums{}, "", err
	} else if extra != nil {
		w = io.MultiWriter(m, extra)
	}
	if _, err := io.Copy(w, r); err != nil {
		m.Abort()
		return Sums{}, "", fmt.Errorf("%s: %w", file, err)
	}
	s, err := m.Close()
	return s, base, err
}

// RemoveMetadata drops the record of type typ and its file, as
// modifyrepo_c --remove does.
func RemoveMetadata(typ, repodata string) error {
	doc, repomdPath, err := readRepomd(repodata)
	if err != nil {
		return err
	}
	href := removeRecord(doc, typ)
	if href == "" {
		return fmt.Errorf("%s: no record of type %q", repomdPath, typ)
	}
	if err := writeDoc(doc, repomdPath); err != nil {
		return err
	}
	os.Remove(filepath.Join(filepath.Dir(repodata), filepath.FromSlash(href)))
	return nil
}

func readRepomd(repodata string) (*etree.Document, string, error) {
	p := filepath.Join(repodata, "repomd.xml")
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(p); err != nil {
		if os.IsNotExist(err) {
			return nil, "", fmt.Errorf("%s: no repomd.xml (is %s a repodata directory?)", p, repodata)
		}
		return nil, "", fmt.Errorf("%s: %w", p, err)
	}
	if doc.Root() == nil || doc.Root().Tag != "repomd" {
		return nil, "", fmt.Errorf("%s: not a repomd.xml (root element is not <repomd>)", p)
	}
	return doc, p, nil
}

// removeRecord deletes the <data type=typ> element and returns its href.
func removeRecord(doc *etree.Document, typ string) string {
	href := ""
	for _, d := range doc.Root().SelectElements("data") {
		if d.SelectAttrValue("type", "") == typ {
			if loc := d.SelectElement("location"); loc != nil {
				href = loc.SelectAttrValue("href", "")
			}
			doc.Root().RemoveChild(d)
		}
	}
	return href
}

func recordElement(r *Record, sumType string) *etree.Element {
	d := etree.NewElement("data")
	d.CreateAttr("type", r.Type)
	c := d.CreateElement("checksum")
	c.CreateAttr("type", sumType)
	c.SetText(r.Sums.Checksum)
	if r.HasOpen {
		o := d.CreateElement("open-checksum")
		o.CreateAttr("type", sumType)
		o.SetText(r.Sums.OpenChecksum)
	}
	if r.HeaderChecksum != "" {
		h := d.CreateElement("header-checksum")
		h.CreateAttr("type", "sha256")
		h.SetText(r.HeaderChecksum)
	}
	d.CreateElement("location").CreateAttr("href", r.Href)
	d.CreateElement("timestamp").SetText(strconv.FormatInt(r.Timestamp, 10))
	d.CreateElement("size").SetText(strconv.FormatInt(r.Sums.Size, 10))
	if r.HasOpen {
		d.CreateElement("open-size").SetText(strconv.FormatInt(r.Sums.OpenSize, 10))
	}
	if r.HeaderSize != 0 {
		d.CreateElement("header-size").SetText(strconv.FormatInt(r.HeaderSize, 10))
	}
	return d
}

func sortRecords(doc *etree.Document) {
	root := doc.Root()
	data := root.SelectElements("data")
	for _, d := range data {
		root.RemoveChild(d)
	}
	rank := func(e *etree.Element) (int, string) {
		t := e.SelectAttrValue("type", "")
		if r, ok := standardOrder[t]; ok {
			return r, ""
		}
		return 100, t
	}
	sort.SliceStable(data, func(i, j int) bool {
		ri, ti := rank(data[i])
		rj, tj := rank(data[j])
		if ri != rj {
			return ri < rj
		}
		return ti < tj
	})
	for _, d := range data {
		root.AddChild(d)
	}
}

func writeDoc(doc *etree.Document, path string) error {
	doc.Indent(2)
	b, err := doc.WriteToBytes()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b, 0o644)
}
