// Package createrepo writes rpm-md repositories the way createrepo_c does:
// primary, filelists and other XML (streamed, compressed), the three sqlite
// databases with createrepo_c's exact schema, the group file, and
// repomd.xml with checksums, sizes, timestamps, revision and tags.
//
// Package headers are read and the files checksummed by Options.Workers
// goroutines; one writer goroutine emits the packages in createrepo_c's
// order (by file name, then path) and three more fill the databases, so
// nothing is ever held whole in memory. The new repodata is assembled in
// a hidden directory beside the old one and swapped in by rename: a failed
// or interrupted run leaves the previous repodata as it was.
package createrepo

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"os"
	"path/filepath"

	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/internal/guard"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// Options are createrepo_c's options of the same names.
type Options struct {
	OutputDir         string   // where repodata/ goes; default: the package directory
	PkgList           string   // file listing the packages (relative to the directory), one per line
	GroupFile         string   // comps file to add as group and group_<compression>
	Update            bool     // reuse metadata of unchanged packages
	UpdateMDPaths     []string // more repositories to reuse metadata from (with Update)
	SkipStat          bool     // with Update: same location means same package
	Database          bool     // also write the sqlite databases
	ChecksumType      string   // sha256 (default), sha512, sha1
	SimpleMDFilenames bool     // no checksum prefix in metadata file names
	Workers           int      // header readers; default 5 like createrepo_c
	CompressType      string   // --general-compress-type: all metadata; default gz for XML, bz2 for sqlite
	DBCompressType    string   // --compress-type (--xz: "xz"): sqlite and the group file copy, unless CompressType is set
	CacheDir          string   // checksum cache, keyed by file name, size and mtime
	Revision          string   // default: the current time
	Distro            []string // "cpeid,name" or "name"
	Content           []string
	Repo              []string
	Excludes          []string // GLib globs: in the walk on file names, directory names and paths below dir; with PkgList on the listed paths
	BaseURL           string   // xml:base of every package location
	// ChangelogLimit is how many of each package's newest changelog
	// entries are kept: 0 (the zero value) means createrepo_c's default
	// of 10, which is what Pungi's command line leaves in force; -1 keeps
	// all, NoChangelogs none.
	ChangelogLimit int

	// Zck also writes zchunk copies of primary, filelists and other (and
	// of the group file), chunked per source package as createrepo_c's
	// --zck does; ZckDictDir holds its per-type dictionaries
	// (primary.xml.zdict, ...), as --zck-dict-dir.
	Zck        bool
	ZckDictDir string

	// Delta RPMs (see deltas.go): --deltas, --oldpackagedirs, --num-deltas
	// (default 1) and --max-delta-rpm-size (default 100000000).
	Deltas          bool
	OldPackageDirs  []string
	NumDeltas       int
	MaxDeltaRPMSize int64

	// SkipBad leaves out a package that cannot be read (truncated, empty,
	// not an RPM, a symlink out of the tree), reporting it in
	// Result.Skipped, as createrepo_c does. Without it such a package
	// fails the run naming the file: a compose wants that.
	SkipBad bool

	// Now fixes the timestamps (tests); zero means time.Now().
	Now time.Time
	// Context, when set, cancels the run (on SIGINT, say): it then fails
	// like any other error, leaving the previous repodata as it was.
	Context context.Context
}

// NoChangelogs as Options.ChangelogLimit keeps no changelog entries
// (createrepo_c's --changelog-limit=0).
const NoChangelogs = -2

// changelogLimit is the number of entries rpmfile keeps for o's limit.
func (o *Options) changelogLimit() int {
	switch o.ChangelogLimit {
	case 0:
		return rpmfile.DefaultChangelogLimit
	case NoChangelogs:
		return 0
	}
	return o.ChangelogLimit
}

// Result tells what a run did.
type Result struct {
	Packages int      // packages in the new metadata
	Reused   int      // of those, taken from old metadata (--update)
	Records  []Record // the records written to repomd.xml
	Warnings []string // problems that did not stop the run
	Skipped  []string // with SkipBad: "path: why" of each package left out
}

// badPackages is write's report of unreadable packages under SkipBad.
type badPackages struct {
	jobs []int // indexes into the jobs
	errs []error
}

func (b *badPackages) Error() string { return fmt.Sprintf("%d unreadable packages", len(b.jobs)) }

// Record is one written <data> entry of repomd.xml.
type Record struct {
	Type      string
	Href      string
	Sums      Sums
	HasOpen   bool
	Timestamp int64
	DBVersion int
	// zchunk records: the zchunk header's SHA-256 and size.
	HeaderChecksum string
	HeaderSize     int64
}

type job struct {
	path string // on disk
	href string // location href
}

type result struct {
	pkg                       *repomd.Package
	primary, filelists, other []byte
	reused                    bool
	err                       error
}

// Run indexes the packages under dir and writes dir/repodata (or
// OutputDir/repodata).
func Run(dir string, opts Options) (*Result, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	if opts.Workers <= 0 {
		opts.Workers = 5
	}
	if opts.ChecksumType == "" {
		opts.ChecksumType = "sha256"
	}
	if _, canon, err := rpmfile.NewHash(opts.ChecksumType); err != nil {
		return nil, err
	} else {
		opts.ChecksumType = canon
	}
	// From here on ChangelogLimit is the plain count (-1: all).
	opts.ChangelogLimit = opts.changelogLimit()
	xmlComp, dbComp, groupComp, err := compressions(opts)
	if err != nil {
		return nil, err
	}
	out := opts.OutputDir
	if out == "" {
		out = dir
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	// Before anything reads the old repodata (--update): the lock, and
	// the repair of what a killed run left.
	unlock, err := lockOutput(out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if opts.CacheDir != "" {
		// As createrepo_c: a relative cache directory is below the output
		// directory, and it is created up front.
		if !filepath.IsAbs(opts.CacheDir) {
			opts.CacheDir = filepath.Join(out, opts.CacheDir)
		}
		if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("--cachedir: %w", err)
		}
	}
	if opts.GroupFile != "" {
		if _, err := os.Stat(opts.GroupFile); err != nil {
			return nil, err
		}
	}
	jobs, err := listPackages(dir, opts)
	if err != nil {
		return nil, err
	}
	var old map[string]*repomd.Package
	var own *repomd.Repo // the existing repodata in out, if any
	var warnings []string
	if opts.Update {
		if old, own, warnings, err = loadOld(out, opts.UpdateMDPaths); err != nil {
			return nil, err
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	tmp, err := os.MkdirTemp(out, ".repodata.tmp-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	var res *Result
	if !opts.Deltas {
		res, err = reuseUnchanged(tmp, own, jobs, old, opts, xmlComp, dbComp, groupComp, now)
	}
	var skipped []string
	if err == nil && res == nil {
		res, err = write(tmp, jobs, old, opts, xmlComp, dbComp, groupComp, now)
		var bad *badPackages
		if errors.As(err, &bad) {
			keep := jobs[:0:0]
			drop := map[int]bool{}
			for k, i := range bad.jobs {
				drop[i] = true
				skipped = append(skipped, bad.errs[k].Error())
			}
			for i, j := range jobs {
				if !drop[i] {
					keep = append(keep, j)
				}
			}
			jobs = keep
			// A clean directory: the first pass's files are gone or
			// half-removed.
			if err = os.RemoveAll(tmp); err == nil {
				err = os.Mkdir(tmp, 0o755)
			}
			if err == nil {
				res, err = write(tmp, jobs, old, opts, xmlComp, dbComp, groupComp, now)
			}
		}
	}
	if err == nil && opts.Deltas {
		err = addDeltas(tmp, out, jobs, opts, xmlComp, res, now)
	}
	if err == nil {
		err = swap(tmp, filepath.Join(out, "repodata"))
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	res.Warnings = append(warnings, res.Warnings...)
	res.Skipped = skipped
	return res, nil
}

// compressions applies createrepo_c's rules: the general type, when given,
// is used for everything; otherwise XML is gz, the databases bz2, the group
// file gz, and --compress-type (or --xz) changes the databases and the
// group file.
func compressions(opts Options) (xmlComp, dbComp, groupComp Compression, err error) {
	xmlComp, dbComp, groupComp = "gz", "bz2", "gz"
	if opts.DBCompressType != "" {
		if dbComp, err = ParseCompression(opts.DBCompressType); err != nil {
			return
		}
		groupComp = dbComp
	}
	if opts.CompressType != "" {
		if xmlComp, err = ParseCompression(opts.CompressType); err != nil {
			return
		}
		dbComp, groupComp = xmlComp, xmlComp
	}
	return
}

// listPackages finds the .rpm files to index, in createrepo_c's order: by
// file name, ties broken by the path.
func listPackages(dir string, opts Options) ([]job, error) {
	var rels []string
	if opts.PkgList != "" {
		f, err := os.Open(opts.PkgList)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			s := strings.TrimSpace(sc.Text())
			if s == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", opts.PkgList, line, err)
			}
			// createrepo_c matches a listed path against the excludes as
			// written (not its file name alone).
			if excludedPath(s, opts.Excludes) {
				continue
			}
			rels = append(rels, filepath.ToSlash(filepath.Clean(s)))
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", opts.PkgList, err)
		}
	} else {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				// Never index our own or createrepo_c's work directories.
				if p != dir && (name == "repodata" || strings.HasPrefix(name, ".repodata")) {
					return filepath.SkipDir
				}
				// createrepo_c (0.17) does not descend into a directory
				// whose name matches an exclude pattern.
				if p != dir && excludedPath(name, opts.Excludes) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(name, ".rpm") {
				return nil
			}
			if d.Type()&os.ModeSymlink != 0 {
				if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			// In the walk, the file name and the path below DIR are both
			// matched, as createrepo_c does.
			if excludedPath(name, opts.Excludes) || excludedPath(rel, opts.Excludes) {
				return nil
			}
			rels = append(rels, rel)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	jobs := make([]job, 0, len(rels))
	seen := map[string]bool{}
	for _, rel := range rels {
		if seen[rel] {
			continue
		}
		seen[rel] = true
		jobs = append(jobs, job{path: filepath.Join(dir, filepath.FromSlash(rel)), href: rel})
	}
	sort.Slice(jobs, func(i, j int) bool {
		bi, bj := baseName(jobs[i].href), baseName(jobs[j].href)
		if bi != bj {
			return bi < bj
		}
		return jobs[i].href < jobs[j].href
	})
	return jobs, nil
}

func baseName(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

// excludedPath reports whether s matches one of the --excludes patterns.
func excludedPath(s string, patterns []string) bool {
	for _, p := range patterns {
		if glob.GLib(p, s) { // createrepo_c's g_pattern_match
			return true
		}
	}
	return false
}

// loadOld reads the packages of the existing metadata in out/repodata and
// in the --update-md-path repositories, keyed by location href; the first
// repository listing a location wins.
//
// Unreadable existing repodata, in out or an --update-md-path repository,
// is only a warning, as with createrepo_c: the run then reads the packages
// it would have taken from there.
func loadOld(out string, extra []string) (map[string]*repomd.Package, *repomd.Repo, []string, error) {
	old := map[string]*repomd.Package{}
	var own *repomd.Repo
	var warnings []string
	for i, loc := range append([]string{out}, extra...) {
		if i == 0 {
			if _, err := os.Stat(filepath.Join(out, "repodata", "repomd.xml")); errors.Is(err, os.ErrNotExist) {
				continue // nothing to update from yet
			}
		}
		r, err := repomd.Open(loc)
		if err == nil {
			err = r.LoadFilelists()
		}
		if err == nil {
			err = r.LoadOther()
		}
		if err != nil && i == 0 {
			warnings = append(warnings, fmt.Sprintf("--update: ignoring the existing metadata: %v", err))
			continue
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("--update-md-path: ignoring %s: %v", loc, err))
			continue
		}
		if i == 0 {
			own = r
		}
		for _, p := range r.Packages {
			if _, dup := old[p.Location]; !dup {
				old[p.Location] = p
			}
		}
	}
	return old, own, warnings, nil
}

// write produces all metadata files and repomd.xml in dir.
func write(dir string, jobs []job, old map[string]*repomd.Package, opts Options, xmlComp, dbComp, groupComp Compression, now time.Time) (*Result, error) {
	names := []string{"primary", "filelists", "other"}
	var xml [3]*mdFile
	for i, n := range names {
		f, err := createMD(filepath.Join(dir, n+".xml"+xmlComp.Suffix()), xmlComp, opts.ChecksumType)
		if err != nil {
			for _, g := range xml[:i] {
				g.Abort()
			}
			return nil, err
		}
		xml[i] = f
	}
	// With --zck, each XML stream also goes to a .zck writer; its content
	// is the same bytes, cut into chunks per source package.
	var zf [3]*zckFile
	var zckWarnings []string
	abortXML := func() {
		for _, f := range xml {
			f.Abort()
		}
		for _, z := range zf {
			if z != nil {
				z.Abort()
			}
		}
	}
	if opts.Zck {
		for i, n := range names {
			dict, warning, err := zckDict(opts.ZckDictDir, n+".xml")
			if err == nil {
				zf[i], err = createZck(filepath.Join(dir, n+".xml.zck"), dict, opts.ChecksumType)
			}
			if err != nil {
				abortXML()
				return nil, err
			}
			if warning != "" {
				zckWarnings = append(zckWarnings, warning)
			}
		}
	}
	count := strconv.Itoa(len(jobs)) + "\">\n"
	heads := [3]string{primaryHead + count, filelistsHead + count, otherHead + count}
	for i, h := range heads {
		xml[i].WriteString(h)
		if zf[i] != nil {
			// createrepo_c ends the chunk after the XML head.
			zf[i].w.WriteString(h)
			zf[i].w.EndChunk()
		}
	}

	var dbs [3]*dbWriter
	var dbCh [3]chan *repomd.Package
	var dbErr [3]error
	var dbWG sync.WaitGroup
	if opts.Database {
		for i, n := range names {
			w, err := openDB(filepath.Join(dir, n+".sqlite"), dbKind(i))
			if err != nil {
				for _, d := range dbs[:i] {
					d.abort()
				}
				abortXML()
				return nil, err
			}
			dbs[i] = w
			dbCh[i] = make(chan *repomd.Package, 64)
			dbWG.Add(1)
			go func(i int) {
				defer dbWG.Done()
				for p := range dbCh[i] {
					if dbErr[i] == nil {
						dbErr[i] = guard.Call(func() error { return dbs[i].add(p) })
					}
				}
			}(i)
		}
	}
	closeDBs := func() {
		for _, c := range dbCh {
			if c != nil {
				close(c)
			}
		}
		dbWG.Wait()
	}

	// Each XML file is compressed by its own goroutine, so the three
	// streams compress in parallel and the collector only hands off slices.
	var xmlCh [3]chan []byte
	var xmlErr [3]error
	var xmlWG sync.WaitGroup
	for k := range xmlCh {
		xmlCh[k] = make(chan []byte, 64)
		xmlWG.Add(1)
		go func(k int) {
			defer xmlWG.Done()
			for b := range xmlCh[k] {
				if xmlErr[k] == nil {
					xmlErr[k] = guard.Call(func() error { _, err := xml[k].Write(b); return err })
				}
			}
		}(k)
	}
	// The .zck streams compress on goroutines of their own. A chunk ends
	// where the source package changes, as createrepo_c ends them: all
	// binary packages of one build share a chunk, and so do consecutive
	// source packages (they have no sourcerpm); the tail joins the last
	// chunk.
	var zckCh [3]chan zckPiece
	var zckErr [3]error
	if opts.Zck {
		for k := range zckCh {
			zckCh[k] = make(chan zckPiece, 64)
			xmlWG.Add(1)
			go func(k int) {
				defer xmlWG.Done()
				for p := range zckCh[k] {
					if zckErr[k] != nil {
						continue
					}
					zckErr[k] = guard.Call(func() error {
						if p.newChunk {
							if err := zf[k].w.EndChunk(); err != nil {
								return err
							}
						}
						_, err := zf[k].w.Write(p.b)
						return err
					})
				}
			}(k)
		}
	}
	closeXML := func() {
		for _, c := range xmlCh {
			close(c)
		}
		for _, c := range zckCh {
			if c != nil {
				close(c)
			}
		}
		xmlWG.Wait()
	}

	// Workers fill results[i]; ready[i] is closed when it is set. A
	// semaphore bounds how far ahead of the writer they may run.
	results := make([]result, len(jobs))
	ready := make([]chan struct{}, len(jobs))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	window := make(chan struct{}, opts.Workers*8)
	next := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	cache := newChecksumCache(opts.CacheDir, opts.ChecksumType)
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf [3][]byte
			for i := range next {
				results[i] = process(jobs[i], old, opts, cache, &buf)
				close(ready[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range jobs {
			select {
			case window <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	shutdown := func() {
		close(stop)
		// Drain so that blocked workers can finish.
		go func() {
			for range window {
			}
		}()
		wg.Wait()
		close(window)
	}

	res := &Result{Packages: len(jobs)}
	var firstErr error
	bad := &badPackages{}
	var done <-chan struct{}
	if opts.Context != nil {
		done = opts.Context.Done()
	}
	prevSource := "" // createrepo_c starts from "none", as source packages have
	for i := range jobs {
		select {
		case <-ready[i]:
		case <-done:
		}
		if opts.Context != nil && opts.Context.Err() != nil {
			firstErr = fmt.Errorf("interrupted: %w", opts.Context.Err())
			break
		}
		r := &results[i]
		if r.err != nil {
			if !opts.SkipBad {
				firstErr = r.err
				break
			}
			bad.jobs = append(bad.jobs, i)
			bad.errs = append(bad.errs, r.err)
			*r = result{}
			<-window
			continue
		}
		if r.reused {
			res.Reused++
		}
		xmlCh[0] <- r.primary
		xmlCh[1] <- r.filelists
		xmlCh[2] <- r.other
		if opts.Zck {
			newChunk := r.pkg.SourceRPM != prevSource
			prevSource = r.pkg.SourceRPM
			zckCh[0] <- zckPiece{r.primary, newChunk}
			zckCh[1] <- zckPiece{r.filelists, newChunk}
			zckCh[2] <- zckPiece{r.other, newChunk}
		}
		for k := range dbCh {
			if dbCh[k] != nil {
				dbCh[k] <- r.pkg
			}
		}
		*r = result{} // let the collector have it
		<-window
	}
	shutdown()
	closeDBs()
	closeXML()
	if firstErr == nil && len(bad.jobs) > 0 {
		// The heads already say len(jobs) packages: Run writes again
		// without the bad ones (createrepo_c recompresses likewise).
		firstErr = bad
	}
	if firstErr == nil {
		for k, e := range xmlErr {
			if e != nil {
				firstErr = fmt.Errorf("%s: %w", xml[k].path, e)
				break
			}
		}
		for k, e := range zckErr {
			if e != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", zf[k].path, e)
			}
		}
	}
	if firstErr == nil {
		for _, e := range dbErr {
			if e != nil {
				firstErr = e
				break
			}
		}
	}
	if firstErr != nil {
		abortXML()
		for _, d := range dbs {
			if d != nil {
				d.abort()
			}
		}
		return nil, firstErr
	}
	for i, t := range [3]string{primaryTail, filelistsTail, otherTail} {
		xml[i].WriteString(t)
		if zf[i] != nil {
			zf[i].w.WriteString(t)
		}
	}

	ts := now.Unix()
	var records []Record
	var xmlSums [3]Sums
	for i, n := range names {
		s, err := xml[i].Close()
		if err != nil {
			return nil, err
		}
		xmlSums[i] = s
		href, err := finalName(dir, xml[i].path, s.Checksum, opts)
		if err != nil {
			return nil, err
		}
		records = append(records, Record{Type: n, Href: href, Sums: s, HasOpen: true, Timestamp: ts})
	}
	if opts.Database {
		// Finish and compress the three databases concurrently.
		dbRecs := make([]Record, 3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i, n := range names {
			wg.Add(1)
			go func(i int, n string) {
				defer wg.Done()
				defer guard.Recover(&errs[i])
				if err := dbs[i].finish(xmlSums[i].Checksum); err != nil {
					errs[i] = err
					return
				}
				raw := dbs[i].path
				packed := raw + dbComp.Suffix()
				s, err := compressFile(raw, packed, dbComp, opts.ChecksumType)
				if err == nil && packed != raw {
					err = os.Remove(raw)
				}
				if err != nil {
					errs[i] = err
					return
				}
				href, err := finalName(dir, packed, s.Checksum, opts)
				errs[i] = err
				dbRecs[i] = Record{Type: n + "_db", Href: href, Sums: s, HasOpen: true, Timestamp: ts, DBVersion: dbVersion}
			}(i, n)
		}
		wg.Wait()
		for _, e := range errs {
			if e != nil {
				return nil, e
			}
		}
		records = append(records, dbRecs...)
	}
	if opts.Zck {
		for i, n := range names {
			s, hdr, err := zf[i].Close()
			if err != nil {
				return nil, err
			}
			s.OpenChecksum, s.OpenSize = xmlSums[i].OpenChecksum, xmlSums[i].OpenSize
			href, err := finalName(dir, zf[i].path, s.Checksum, opts)
			if err != nil {
				return nil, err
			}
			records = append(records, Record{Type: n + "_zck", Href: href, Sums: s, HasOpen: true, Timestamp: ts,
				HeaderChecksum: hex.EncodeToString(hdr.Checksum[:]), HeaderSize: hdr.Size})
		}
	}
	if opts.GroupFile != "" {
		recs, err := writeGroup(dir, opts.GroupFile, groupComp, opts, ts)
		if err != nil {
			return nil, err
		}
		records = append(records, recs...)
	}
	revision := opts.Revision
	if revision == "" {
		revision = strconv.FormatInt(ts, 10)
	}
	if err := writeRepomd(filepath.Join(dir, "repomd.xml"), revision, opts, records); err != nil {
		return nil, err
	}
	res.Records = records
	res.Warnings = append(res.Warnings, zckWarnings...)
	return res, nil
}

// process reads or reuses one package and renders its XML.
func process(j job, old map[string]*repomd.Package, opts Options, cache *checksumCache, buf *[3][]byte) (res result) {
	// A worker goroutine's panic could be caught nowhere else and would
	// end the process with a Go trace: a package that makes the reader
	// panic is a bad package like any other, named in the error.
	defer func() {
		if v := recover(); v != nil {
			res = result{err: fmt.Errorf("%s: internal error reading the package: %v", j.path, v)}
		}
	}()
	var p *repomd.Package
	reused := false
	if o := old[j.href]; o != nil && o.Checksum.Type == opts.ChecksumType {
		if opts.SkipStat {
			p, reused = o, true
		} else if st, err := os.Stat(j.path); err == nil && st.Size() == o.SizePackage && st.ModTime().Unix() == o.TimeFile {
			p, reused = o, true
		}
	}
	if p == nil {
		var err error
		p, err = readPackageFunc(j, opts, cache)
		if err != nil {
			return result{err: err}
		}
	} else {
		cp := *p
		p = &cp
		if !p.FilesComplete {
			return result{err: fmt.Errorf("%s: old metadata has no complete file list", j.path)}
		}
		p.Location = j.href
		p.LocationBase = opts.BaseURL
		p.Changelogs = limitChangelogs(p.Changelogs, opts.ChangelogLimit)
	}
	if err := controlChars(p); err != nil {
		return result{err: fmt.Errorf("%s: %w", j.path, err)}
	}
	r := result{pkg: p, reused: reused}
	// The fragments get one copy together: buf is reused by the next
	// package.
	buf[0] = appendPrimary(buf[0][:0], p)
	buf[1] = appendFilelists(buf[1][:0], p)
	buf[2] = appendOther(buf[2][:0], p)
	all := make([]byte, 0, len(buf[0])+len(buf[1])+len(buf[2]))
	all = append(append(append(all, buf[0]...), buf[1]...), buf[2]...)
	n0, n1 := len(buf[0]), len(buf[0])+len(buf[1])
	r.primary, r.filelists, r.other = all[:n0:n0], all[n0:n1:n1], all[n1:]
	return r
}

// limitChangelogs keeps the newest limit entries of an oldest-first list.
func limitChangelogs(c []repomd.Changelog, limit int) []repomd.Changelog {
	if limit >= 0 && len(c) > limit {
		return c[len(c)-limit:]
	}
	return c
}

// readPackageFunc is readPackage; a test replaces it to make it panic.
var readPackageFunc = readPackage

func readPackage(j job, opts Options, cache *checksumCache) (*repomd.Package, error) {
	ro := rpmfile.Options{ChecksumType: opts.ChecksumType, ChangelogLimit: opts.ChangelogLimit, Location: j.href, LocationBase: opts.BaseURL}
	if cache != nil {
		if p, ok, err := cache.read(j.path, ro); ok || err != nil {
			return p, err
		}
	}
	p, err := rpmfile.ReadFile(j.path, ro)
	if err != nil {
		return nil, err
	}
	if cache != nil {
		cache.store(j.path, p)
	}
	return p, nil
}

// finalName renames a finished metadata file to its published name and
// returns its href.
func finalName(dir, path, checksum string, opts Options) (string, error) {
	base := filepath.Base(path)
	if !opts.SimpleMDFilenames {
		nb := checksum + "-" + base
		if err := os.Rename(path, filepath.Join(dir, nb)); err != nil {
			return "", err
		}
		base = nb
	}
	return "repodata/" + base, nil
}

func writeGroup(dir, groupFile string, comp Compression, opts Options, ts int64) ([]Record, error) {
	base := filepath.Base(groupFile)
	plain := filepath.Join(dir, base)
	s, err := compressFile(groupFile, plain, "none", opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	href, err := finalName(dir, plain, s.Checksum, opts)
	if err != nil {
		return nil, err
	}
	recs := []Record{{Type: "group", Href: href, Sums: s, Timestamp: ts}}
	if comp == "none" {
		return recs, nil
	}
	packed := filepath.Join(dir, base+comp.Suffix())
	ps, err := compressFile(groupFile, packed, comp, opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	phref, err := finalName(dir, packed, ps.Checksum, opts)
	if err != nil {
		return nil, err
	}
	// With --zck, createrepo_c records the compressed group copy without
	// open-checksum and open-size (and gives its checksum and size to
	// group_zck as open ones).
	recs = append(recs, Record{Type: "group_" + strings.TrimPrefix(comp.Suffix(), "."), Href: phref, Sums: ps, HasOpen: !opts.Zck, Timestamp: ts})
	if opts.Zck {
		r, err := groupZck(dir, groupFile, ps, opts, ts)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// groupZck writes group_zck: the group file as one chunk (createrepo_c
// neither ends chunks in it nor uses a dictionary). Its open-checksum and
// open-size are, as createrepo_c records them, those of the compressed
// group copy it was made beside, not of the XML it holds.
func groupZck(dir, groupFile string, packed Sums, opts Options, ts int64) (Record, error) {
	path := filepath.Join(dir, filepath.Base(groupFile)+".zck")
	s, hdr, err := compressZck(groupFile, path, opts.ChecksumType)
	if err != nil {
		return Record{}, err
	}
	s.OpenChecksum, s.OpenSize = packed.Checksum, packed.Size
	href, err := finalName(dir, path, s.Checksum, opts)
	if err != nil {
		return Record{}, err
	}
	return Record{Type: "group_zck", Href: href, Sums: s, HasOpen: true, Timestamp: ts,
		HeaderChecksum: hex.EncodeToString(hdr.Checksum[:]), HeaderSize: hdr.Size}, nil
}

// DefaultWorkers is createrepo_c's default worker count.
const DefaultWorkers = 5
