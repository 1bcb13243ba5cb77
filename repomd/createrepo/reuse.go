package createrepo

import (
	"encoding/hex"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// reuseUnchanged is the no-change --update path. When every package is
// unchanged and the metadata it would render is, byte for byte, what the
// existing primary, filelists and other files hold (same open checksums),
// the existing compressed files and databases are linked into the new
// repodata instead of being compressed and built again; only repomd.xml
// (and the group file) are written anew. It returns nil, nil when the
// shortcut does not apply, and the caller builds everything.
func reuseUnchanged(dir string, own *repomd.Repo, jobs []job, old map[string]*repomd.Package, opts Options, xmlComp, dbComp, groupComp Compression, now time.Time) (*Result, error) {
	if own == nil || len(own.Packages) != len(jobs) || opts.Zck {
		// zchunk files are always written anew.
		return nil, nil
	}
	names := []string{"primary", "filelists", "other"}
	types := names
	if opts.Database {
		types = append(types, "primary_db", "filelists_db", "other_db")
	}
	recs := map[string]repomd.Record{}
	for _, t := range types {
		r, ok := own.Record(t)
		if !ok || r.Checksum.Type != opts.ChecksumType || r.OpenChecksum.Type != opts.ChecksumType {
			return nil, nil
		}
		comp := xmlComp
		if strings.HasSuffix(t, "_db") {
			comp = dbComp
		}
		base := path.Base(r.Href)
		want := t + ".xml" + comp.Suffix()
		if strings.HasSuffix(t, "_db") {
			want = strings.TrimSuffix(t, "_db") + ".sqlite" + comp.Suffix()
		}
		if !opts.SimpleMDFilenames {
			want = r.Checksum.Value + "-" + want
		}
		if base != want {
			return nil, nil // other compression or naming: rebuild
		}
		recs[t] = r
	}
	// Render what a full run would write, digesting only.
	var hs [3]*hashCounter
	for i := range hs {
		h, _, err := rpmfile.NewHash(opts.ChecksumType)
		if err != nil {
			return nil, err
		}
		hs[i] = &hashCounter{h: h, w: io.Discard}
	}
	count := strconv.Itoa(len(jobs)) + "\">\n"
	io.WriteString(hs[0], primaryHead+count)
	io.WriteString(hs[1], filelistsHead+count)
	io.WriteString(hs[2], otherHead+count)
	var buf []byte
	for _, j := range jobs {
		o := old[j.href]
		if o == nil || o.Checksum.Type != opts.ChecksumType || !o.FilesComplete {
			return nil, nil
		}
		if !opts.SkipStat {
			st, err := os.Stat(j.path)
			if err != nil || st.Size() != o.SizePackage || st.ModTime().Unix() != o.TimeFile {
				return nil, nil
			}
		}
		p := *o
		p.Location, p.LocationBase = j.href, opts.BaseURL
		p.Changelogs = limitChangelogs(p.Changelogs, opts.ChangelogLimit)
		buf = appendPrimary(buf[:0], &p)
		hs[0].Write(buf)
		buf = appendFilelists(buf[:0], &p)
		hs[1].Write(buf)
		buf = appendOther(buf[:0], &p)
		hs[2].Write(buf)
	}
	io.WriteString(hs[0], primaryTail)
	io.WriteString(hs[1], filelistsTail)
	io.WriteString(hs[2], otherTail)
	for i, n := range names {
		r := recs[n]
		if hex.EncodeToString(hs[i].h.Sum(nil)) != r.OpenChecksum.Value || hs[i].n != r.OpenSize {
			return nil, nil
		}
	}
	ts := now.Unix()
	var records []Record
	for _, t := range types {
		r := recs[t]
		src := own.RecordPath(r)
		dst := filepath.Join(dir, path.Base(r.Href))
		if err := linkOrCopy(src, dst); err != nil {
			return nil, err
		}
		rec := Record{Type: t, Href: "repodata/" + path.Base(r.Href), HasOpen: true, Timestamp: ts,
			Sums: Sums{Checksum: r.Checksum.Value, OpenChecksum: r.OpenChecksum.Value, Size: r.Size, OpenSize: r.OpenSize}}
		if strings.HasSuffix(t, "_db") {
			rec.DBVersion = dbVersion
		}
		records = append(records, rec)
	}
	if opts.GroupFile != "" {
		g, err := writeGroup(dir, opts.GroupFile, groupComp, opts, ts)
		if err != nil {
			return nil, err
		}
		records = append(records, g...)
	}
	revision := opts.Revision
	if revision == "" {
		revision = strconv.FormatInt(ts, 10)
	}
	if err := writeRepomd(filepath.Join(dir, "repomd.xml"), revision, opts, records); err != nil {
		return nil, err
	}
	return &Result{Packages: len(jobs), Reused: len(jobs), Records: records}, nil
}

// linkOrCopy hard-links src to dst, copying when the file system refuses.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return atomicfile.Copy(src, dst, 0o644)
}
