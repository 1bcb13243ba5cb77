// Package createrepotest compares a repository pungo wrote with the one
// createrepo_c wrote for the same input, record by record, for the tests
// of `pungo createrepo`, `pungo modifyrepo` and the compose's createrepo
// phase: record types, file name form, checksum types, uncompressed
// content (database rows for sqlite records), open checksums, tags and,
// for zchunk records, the content unzck gives, the chunk layout
// zck_read_header verifies and the header values repomd.xml records. It
// also makes zchunk dictionaries the way Fedora does (zck_gen_zdict).
package createrepotest

import (
	"bytes"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // database records are compared row by row

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/repodiff"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// Option changes what Compare compares.
type Option func(*options)

type options struct {
	masks map[string]*regexp.Regexp
}

// MaskContent compares the content of the records of type typ (and
// typ_zck) with whatever pattern matches blanked out on both sides, and
// not their open checksums: for values that differ by tool and not by
// what they mean (the byte size and checksum of a delta RPM that
// makedeltarpm and createrepo_c's drpm library compress differently).
func MaskContent(typ, pattern string) Option {
	re := regexp.MustCompile(pattern)
	return func(o *options) {
		o.masks[typ], o.masks[typ+"_zck"] = re, re
	}
}

// Compare fails t for every difference between the repository at got
// (pungo's) and the one at want (createrepo_c's) that createrepo_c's
// users could see.
func Compare(t testing.TB, want, got string, opts ...Option) {
	t.Helper()
	o := options{masks: map[string]*regexp.Regexp{}}
	for _, f := range opts {
		f(&o)
	}
	diffs, err := repodiff.Compare(want, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		s := d.String()
		masked := false
		for typ := range o.masks {
			masked = masked || strings.Contains(s, "record "+typ+" content")
		}
		if !masked {
			t.Errorf("repodiff: %s", s)
		}
	}
	rw, err := repomd.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	rg, err := repomd.Open(got)
	if err != nil {
		t.Fatal(err)
	}
	if rw.Revision != rg.Revision && len(rw.Revision) < 9 {
		t.Errorf("revision %q, want %q", rg.Revision, rw.Revision)
	}
	zw, zg := zckHeaders(t, want), zckHeaders(t, got)
	var types []string
	for _, rec := range rw.Records {
		types = append(types, rec.Type)
		g, ok := rg.Record(rec.Type)
		if !ok {
			t.Errorf("record %s missing", rec.Type)
			continue
		}
		if filepath.Ext(g.Href) != filepath.Ext(rec.Href) || strings.Contains(rec.Href, "-"+filepath.Base(rec.Type)) != strings.Contains(g.Href, "-"+filepath.Base(rec.Type)) {
			t.Errorf("record %s: href %s, createrepo_c wrote %s", rec.Type, g.Href, rec.Href)
		}
		if g.Checksum.Type != rec.Checksum.Type || g.DatabaseVersion != rec.DatabaseVersion {
			t.Errorf("record %s: checksum type %s db version %d, want %s %d", rec.Type, g.Checksum.Type, g.DatabaseVersion, rec.Checksum.Type, rec.DatabaseVersion)
		}
		switch {
		case strings.HasSuffix(rec.Type, "_db"):
			a, b := dbRows(t, rw, rec.Type), dbRows(t, rg, rec.Type)
			if a != b {
				t.Errorf("%s rows differ:\ncreaterepo_c:\n%s\npungo:\n%s", rec.Type, a, b)
			}
		case strings.HasSuffix(rec.Type, "_zck"):
			compareZck(t, rg, rec.Type, filepath.Join(want, filepath.FromSlash(rec.Href)), filepath.Join(got, filepath.FromSlash(g.Href)), zw[rec.Type], zg[rec.Type], o.masks[rec.Type])
			if o.masks[rec.Type] != nil {
				continue
			}
			// group_zck's open sums are, in createrepo_c, another
			// record's (compressed) sums: then pungo's must be the same
			// record's in its repository.
			wantOpen, wantSize := rec.OpenChecksum, rec.OpenSize
			for _, o := range rw.Records {
				if o.Type != rec.Type && o.Checksum == rec.OpenChecksum {
					if og, ok := rg.Record(o.Type); ok {
						wantOpen, wantSize = og.Checksum, og.Size
					}
				}
			}
			if wantOpen != g.OpenChecksum || wantSize != g.OpenSize {
				t.Errorf("%s: open checksum/size %v/%d, want %v/%d", rec.Type, g.OpenChecksum, g.OpenSize, wantOpen, wantSize)
			}
		default:
			a, b := RecordBytes(t, rw, rec.Type), RecordBytes(t, rg, rec.Type)
			if m := o.masks[rec.Type]; m != nil {
				a, b = m.ReplaceAll(a, nil), m.ReplaceAll(b, nil)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s: uncompressed content differs (%d vs %d bytes)%s", rec.Type, len(a), len(b), firstDiff(a, b))
			}
			if o.masks[rec.Type] != nil {
				continue
			}
			if rec.OpenChecksum != g.OpenChecksum || rec.OpenSize != g.OpenSize {
				t.Errorf("%s: open checksum/size %v/%d, want %v/%d", rec.Type, g.OpenChecksum, g.OpenSize, rec.OpenChecksum, rec.OpenSize)
			}
		}
	}
	if len(rg.Records) != len(rw.Records) {
		var gotTypes []string
		for _, r := range rg.Records {
			gotTypes = append(gotTypes, r.Type)
		}
		t.Errorf("pungo wrote records %v, createrepo_c %v", gotTypes, types)
	}
	if fmt.Sprint(rw.ContentTags, rw.RepoTags, rw.DistroTags) != fmt.Sprint(rg.ContentTags, rg.RepoTags, rg.DistroTags) {
		t.Errorf("tags %v %v %v, want %v %v %v", rg.ContentTags, rg.RepoTags, rg.DistroTags, rw.ContentTags, rw.RepoTags, rw.DistroTags)
	}
}

// zckHeader is what repomd.xml says of a zchunk record's header.
type zckHeader struct {
	Checksum string
	Size     int64
}

// zckHeaders reads the header-checksum and header-size of every record
// (repomd.Record has no use for them outside tests).
func zckHeaders(t testing.TB, repo string) map[string]zckHeader {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Data []struct {
			Type           string `xml:"type,attr"`
			HeaderChecksum struct {
				Type  string `xml:"type,attr"`
				Value string `xml:",chardata"`
			} `xml:"header-checksum"`
			HeaderSize int64 `xml:"header-size"`
		} `xml:"data"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]zckHeader{}
	for _, d := range doc.Data {
		if d.HeaderChecksum.Value != "" && d.HeaderChecksum.Type != "sha256" {
			t.Errorf("%s: header-checksum type %q, want sha256", d.Type, d.HeaderChecksum.Type)
		}
		out[d.Type] = zckHeader{d.HeaderChecksum.Value, d.HeaderSize}
	}
	return out
}

// compareZck checks one zchunk record: both files verify in full, unzck
// gives the same content, equal to the plain record's in pungo's
// repository, the chunks have the same uncompressed sizes (createrepo_c's
// boundaries: one chunk per source package), and repomd.xml's header
// values are the file's.
func compareZck(t testing.TB, rg *repomd.Repo, typ, wantPath, gotPath string, wantHdr, gotHdr zckHeader, mask *regexp.Regexp) {
	t.Helper()
	toolcheck.Need(t, "unzck", "zck_read_header")
	wh, wantChunks := ReadZck(t, wantPath)
	gh, gotChunks := ReadZck(t, gotPath)
	if fmt.Sprint(wantChunks) != fmt.Sprint(gotChunks) {
		t.Errorf("%s: chunk sizes (dictionary first) %v, createrepo_c's %v", typ, gotChunks, wantChunks)
	}
	// createrepo_c records no header for some (prestodelta_zck): then
	// neither may pungo.
	switch {
	case wantHdr == (zckHeader{}):
		if gotHdr != (zckHeader{}) {
			t.Errorf("%s: repomd.xml records header %+v, createrepo_c none", typ, gotHdr)
		}
	case wh.Checksum != wantHdr.Checksum || wh.Size != wantHdr.Size:
		t.Errorf("%s: createrepo_c's repomd.xml header %+v, its file's %+v (comparison broken?)", typ, wantHdr, wh)
	case gh.Checksum != gotHdr.Checksum || gh.Size != gotHdr.Size:
		t.Errorf("%s: repomd.xml header %+v, the file's %+v", typ, gotHdr, gh)
	}
	a, b := Unzck(t, wantPath), Unzck(t, gotPath)
	plainB := b
	if mask != nil {
		a, b = mask.ReplaceAll(a, nil), mask.ReplaceAll(b, nil)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s: unzck content differs (%d vs %d bytes)%s", typ, len(a), len(b), firstDiff(a, b))
	}
	base := strings.TrimSuffix(typ, "_zck")
	if _, ok := rg.Record(base); ok {
		if plain := RecordBytes(t, rg, base); !bytes.Equal(plain, plainB) {
			t.Errorf("%s: unzck content is not the %s record's (%d vs %d bytes)", typ, base, len(b), len(plain))
		}
	}
}

// firstDiff shows the first line where b differs from a.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			got := ""
			if i < len(lb) {
				got = lb[i]
			}
			return fmt.Sprintf("; line %d: createrepo_c %q, pungo %q", i+1, la[i], got)
		}
	}
	return fmt.Sprintf("; pungo has %d more lines", len(lb)-len(la))
}

// ZckFile is what zck_read_header says of a verified zchunk file.
type ZckFile struct {
	Checksum string // header checksum
	Size     int64  // header size, lead included
}

var chunkRow = regexp.MustCompile(`^\s+(\d+)\s+([0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([+-])$`)

// ReadZck has zck_read_header verify the whole file (header, data and
// chunk checksums) and returns its header values and the uncompressed
// size of every chunk, the dictionary chunk first.
func ReadZck(t testing.TB, path string) (ZckFile, []int) {
	t.Helper()
	out, err := exec.Command("zck_read_header", "-f", "-c", path).CombinedOutput()
	if err != nil {
		t.Fatalf("zck_read_header -f -c %s: %v\n%s", path, err, out)
	}
	var h ZckFile
	var sizes []int
	for _, line := range strings.Split(string(out), "\n") {
		if m := chunkRow.FindStringSubmatch(line); m != nil {
			if m[6] != "+" {
				t.Errorf("%s: chunk %s fails verification", path, m[1])
			}
			n, _ := strconv.Atoi(m[5])
			sizes = append(sizes, n)
		} else if k, v, ok := strings.Cut(line, ": "); ok {
			switch k {
			case "Header checksum":
				h.Checksum = v
			case "Header size":
				h.Size, _ = strconv.ParseInt(v, 10, 64)
			}
		}
	}
	if len(sizes) == 0 {
		t.Errorf("%s: zck_read_header listed no chunks:\n%s", path, out)
	}
	return h, sizes
}

// Unzck returns a zchunk file's content as unzck decompresses it.
func Unzck(t testing.TB, path string) []byte {
	t.Helper()
	out, err := exec.Command("unzck", "-c", path).Output()
	if err != nil {
		t.Fatalf("unzck -c %s: %v", path, err)
	}
	return out
}

// RecordBytes returns a record's uncompressed content.
func RecordBytes(t testing.TB, r *repomd.Repo, typ string) []byte {
	t.Helper()
	rc, err := r.OpenRecord(typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Dicts makes zchunk dictionaries for primary, filelists and other from
// the packages in dir, as Fedora makes its fedora-repo-zdicts:
// createrepo_c --zck, then zck_gen_zdict over each file. It returns the
// dictionary directory (primary.xml.zdict, ...).
func Dicts(t testing.TB, dir string) string {
	t.Helper()
	toolcheck.Need(t, "createrepo_c", "zck_gen_zdict")
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	os.Mkdir(repo, 0o755)
	if out, err := exec.Command("createrepo_c", "-q", "--zck", "--no-database", "--simple-md-filenames", "--outputdir", repo, dir).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c --zck: %v\n%s", err, out)
	}
	dicts := filepath.Join(tmp, "dicts")
	os.Mkdir(dicts, 0o755)
	for _, n := range []string{"primary", "filelists", "other"} {
		work := filepath.Join(tmp, n)
		os.MkdirAll(filepath.Join(work, "chunks"), 0o755)
		cmd := exec.Command("zck_gen_zdict", "-d", "chunks", filepath.Join(repo, "repodata", n+".xml.zck"))
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("zck_gen_zdict %s: %v\n%s", n, err, out)
		}
		if err := os.Rename(filepath.Join(work, n+".xml.zdict"), filepath.Join(dicts, n+".xml.zdict")); err != nil {
			t.Fatal(err)
		}
	}
	return dicts
}

// dbRows dumps every table of a database record as sorted quoted rows; the
// db_info checksum (of the compressed XML, which differs by compressor) is
// left out.
func dbRows(t testing.TB, r *repomd.Repo, typ string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), typ+".sqlite")
	if err := os.WriteFile(path, RecordBytes(t, r, typ), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	rows, err := db.Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, tbl string
		var s sql.NullString
		rows.Scan(&typ, &name, &tbl, &s)
		out = append(out, fmt.Sprintf("schema %s %s %s %s", typ, name, tbl, s.String))
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, tb := range tables {
		q := "SELECT * FROM " + tb
		if tb == "db_info" {
			q = "SELECT dbversion FROM db_info"
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			var parts []string
			for _, v := range vals {
				switch x := v.(type) {
				case nil:
					parts = append(parts, "NULL")
				case []byte:
					parts = append(parts, fmt.Sprintf("%q", x))
				case string:
					parts = append(parts, fmt.Sprintf("%q", x))
				default:
					parts = append(parts, fmt.Sprint(x))
				}
			}
			lines = append(lines, tb+": "+strings.Join(parts, "|"))
		}
		rows.Close()
		sort.Strings(lines)
		out = append(out, lines...)
	}
	return strings.Join(out, "\n")
}
