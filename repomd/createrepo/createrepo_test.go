package createrepo

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/repodiff"
	"github.com/pungo/pungo/repomd/rpmtest"
)

// copyCorpus copies the corpus RPMs into a fresh directory (with their
// mtimes) so a test may add, change and remove packages.
func copyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range rpmtest.Files(t, rpmtest.Corpus(t)) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(f)
		os.Chtimes(dst, st.ModTime(), st.ModTime())
	}
	return dir
}

func noDiff(t *testing.T, a, b string) {
	t.Helper()
	diffs, err := repodiff.Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("%s", d)
	}
}

func TestUpdateReusesUnchanged(t *testing.T) {
	dir := copyCorpus(t)
	opts := Options{Database: true, ChangelogLimit: 10}
	res, err := Run(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Packages
	// Change one package's mtime, remove one, and rerun with --update.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "multi-0.9-1.x86_64.rpm"), later, later)
	os.Remove(filepath.Join(dir, "libfoo-debuginfo-1.2.3-4.x86_64.rpm"))
	opts.Update = true
	res, err = Run(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Packages != n-1 || res.Reused != n-2 {
		t.Errorf("update: %d packages %d reused, want %d and %d", res.Packages, res.Reused, n-1, n-2)
	}
	fresh := t.TempDir()
	if _, err := Run(dir, Options{OutputDir: fresh, Database: true, ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	noDiff(t, fresh, dir)

	// --skip-stat trusts the name even though the file changed.
	os.Chtimes(filepath.Join(dir, "multi-0.9-1.i686.rpm"), later, later)
	opts.SkipStat = true
	if res, err = Run(dir, opts); err != nil || res.Reused != res.Packages {
		t.Errorf("skip-stat: %+v %v, want everything reused", res, err)
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Packages {
		if p.Location == "multi-0.9-1.i686.rpm" && p.TimeFile == later.Unix() {
			t.Error("skip-stat re-read a package whose name did not change")
		}
	}
}

func TestUpdateMDPath(t *testing.T) {
	dir := copyCorpus(t)
	other := t.TempDir()
	if _, err := Run(dir, Options{OutputDir: other, ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := Run(dir, Options{OutputDir: out, Update: true, UpdateMDPaths: []string{other}, ChangelogLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reused != res.Packages || res.Packages == 0 {
		t.Errorf("reused %d of %d from --update-md-path", res.Reused, res.Packages)
	}
	noDiff(t, other, out)
}

func TestCacheDir(t *testing.T) {
	dir := copyCorpus(t)
	cache := t.TempDir()
	a, b := t.TempDir(), t.TempDir()
	if _, err := Run(dir, Options{OutputDir: a, CacheDir: cache, ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != len(rpmtest.Files(t, dir)) {
		t.Errorf("cache holds %d entries, want one per package", len(entries))
	}
	if _, err := Run(dir, Options{OutputDir: b, CacheDir: cache, ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	noDiff(t, a, b)

	// A relative cache directory is below the output directory, as in
	// createrepo_c, and is created even when nothing is stored in it.
	c := t.TempDir()
	if _, err := Run(dir, Options{OutputDir: c, CacheDir: "cache", ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(filepath.Join(c, "cache")); err != nil || len(entries) != len(rpmtest.Files(t, dir)) {
		t.Errorf("relative cache dir: %d entries, %v", len(entries), err)
	}
	// A cache path that is a file is an error naming the option.
	if _, err := Run(dir, Options{OutputDir: c, CacheDir: filepath.Join(c, "repodata", "repomd.xml")}); err == nil || !strings.Contains(err.Error(), "--cachedir") {
		t.Errorf("cache dir is a file: %v", err)
	}
}

// TestFailedRunKeepsOldRepodata interrupts a run with a bad package that
// sorts last, after most metadata has been streamed: the old repodata must
// stay complete and no work directory may be left behind.
func TestFailedRunKeepsOldRepodata(t *testing.T) {
	dir := copyCorpus(t)
	if _, err := Run(dir, Options{Database: true}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	os.WriteFile(filepath.Join(dir, "zzz-broken-1-1.noarch.rpm"), []byte("\xed\xab\xee\xdbtruncated"), 0o644)
	_, err := Run(dir, Options{Database: true, Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "zzz-broken-1-1.noarch.rpm") {
		t.Fatalf("err = %v, want one naming the broken file", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if string(before) != string(after) {
		t.Error("repomd.xml changed")
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatalf("old repodata unreadable: %v", err)
	}
	if err := r.LoadFilelists(); err != nil {
		t.Fatalf("old filelists unreadable: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".repodata") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestPkgListExcludesBaseURL(t *testing.T) {
	dir := copyCorpus(t)
	list := filepath.Join(t.TempDir(), "list")
	os.WriteFile(list, []byte("alpha-2.0-1.noarch.rpm\n\nmulti-0.9-1.i686.rpm\nlibfoo-1.2.3-4.x86_64.rpm\n"), 0o644)
	res, err := Run(dir, Options{PkgList: list, Excludes: []string{"libfoo*"}, BaseURL: "http://mirror/x/", SimpleMDFilenames: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Packages != 2 {
		t.Errorf("%d packages, want 2", res.Packages)
	}
	for _, rec := range res.Records {
		if strings.Count(rec.Href, "-") > 0 {
			t.Errorf("simple md filenames: href %s", rec.Href)
		}
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, p := range r.Packages {
		locs = append(locs, p.LocationBase+p.Location)
	}
	if strings.Join(locs, " ") != "http://mirror/x/alpha-2.0-1.noarch.rpm http://mirror/x/multi-0.9-1.i686.rpm" {
		t.Errorf("locations %v", locs)
	}
}

func TestCompressions(t *testing.T) {
	dir := copyCorpus(t)
	ref := t.TempDir()
	if _, err := Run(dir, Options{OutputDir: ref, Database: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"gz", "xz", "bz2", "zstd", "none"} {
		out := t.TempDir()
		res, err := Run(dir, Options{OutputDir: out, CompressType: c, Database: true})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		for _, rec := range res.Records {
			if want := Compression(c).Suffix(); !strings.HasSuffix(rec.Href, want+"") || (want == "" && strings.Contains(filepath.Base(rec.Href), ".gz")) {
				t.Errorf("%s: record %s href %s", c, rec.Type, rec.Href)
			}
		}
		noDiff(t, ref, out)
	}
	if _, err := Run(dir, Options{OutputDir: t.TempDir(), CompressType: "lz4"}); err == nil {
		t.Error("lz4: no error")
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"*debuginfo*", "libfoo-debuginfo-1.rpm", true},
		{"*.src.rpm", "sub/dir/a-1-1.src.rpm", true},
		{"a?c", "abc", true},
		{"a?c", "abbc", false},
		{"sub/*", "sub/x/y.rpm", true},
		{"*.i686.rpm", "a.x86_64.rpm", false},
		{"", "", true},
	} {
		if got := glob.GLib(c.pat, c.s); got != c.want {
			t.Errorf("glob.GLib(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

func TestModifyRepo(t *testing.T) {
	dir := copyCorpus(t)
	if _, err := Run(dir, Options{Database: true}); err != nil {
		t.Fatal(err)
	}
	repodata := filepath.Join(dir, "repodata")
	src := filepath.Join(t.TempDir(), "modules.yaml")
	os.WriteFile(src, []byte("---\ndocument: modulemd\nversion: 2\n...\n"), 0o644)
	rec, err := AddMetadata(src, repodata, ModifyOptions{Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "modules" || !strings.HasSuffix(rec.Href, "-modules.yaml.gz") {
		t.Errorf("record %+v", rec)
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("modules")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	// Replacing drops the old file; the package records stay.
	os.WriteFile(src, []byte("---\ndocument: modulemd\nversion: 2\n# changed\n...\n"), 0o644)
	rec2, err := AddMetadata(src, repodata, ModifyOptions{Compress: true, CompressType: "xz", MDType: "modules"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, rec.Href)); !os.IsNotExist(err) {
		t.Errorf("replaced file %s still there", rec.Href)
	}
	r, err = repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, rr := range r.Records {
		types = append(types, rr.Type)
	}
	if strings.Join(types, ",") != "primary,filelists,other,primary_db,filelists_db,other_db,modules" {
		t.Errorf("records %v", types)
	}
	if err := RemoveMetadata("modules", repodata); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, rec2.Href)); !os.IsNotExist(err) {
		t.Errorf("removed file %s still there", rec2.Href)
	}
	if err := RemoveMetadata("modules", repodata); err == nil || !strings.Contains(err.Error(), "repomd.xml") {
		t.Errorf("removing twice: %v", err)
	}
	if _, err := AddMetadata(src, dir, ModifyOptions{}); err == nil || !strings.Contains(err.Error(), "repomd.xml") {
		t.Errorf("not a repodata dir: %v", err)
	}
	if _, err := AddMetadata("/nonexistent/productid", repodata, ModifyOptions{}); err == nil || !strings.Contains(err.Error(), "/nonexistent/productid") {
		t.Errorf("missing input: %v", err)
	}
}

// TestNoChangeUpdateReusesFiles: an --update rerun over unchanged packages
// links the existing metadata files instead of rebuilding them, and still
// rebuilds when an option changes what would be written.
func TestNoChangeUpdateReusesFiles(t *testing.T) {
	dir := copyCorpus(t)
	opts := Options{Database: true, ChangelogLimit: 10, Update: true}
	first, err := Run(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ino := func(href string) uint64 {
		st, err := os.Stat(filepath.Join(dir, href))
		if err != nil {
			t.Fatal(err)
		}
		return st.Sys().(*syscall.Stat_t).Ino
	}
	before := map[string]uint64{}
	for _, r := range first.Records {
		before[r.Type] = ino(r.Href)
	}
	again, err := Run(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Reused != again.Packages {
		t.Errorf("reused %d of %d", again.Reused, again.Packages)
	}
	for _, r := range again.Records {
		if before[r.Type] != ino(r.Href) {
			t.Errorf("%s was rewritten on a no-change update", r.Type)
		}
	}
	fresh := t.TempDir()
	if _, err := Run(dir, Options{OutputDir: fresh, Database: true, ChangelogLimit: 10}); err != nil {
		t.Fatal(err)
	}
	noDiff(t, fresh, dir)
	// A different changelog limit changes other.xml: everything is rebuilt.
	opts.ChangelogLimit = 1
	third, err := Run(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range third.Records {
		if r.Type == "other" && before["other"] == ino(r.Href) {
			t.Error("other.xml reused although the changelog limit changed")
		}
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadOther(); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Packages {
		if len(p.Changelogs) > 1 {
			t.Errorf("%s keeps %d changelog entries with limit 1", p.NEVRA(), len(p.Changelogs))
		}
	}
}

// TestCancelledRun: cancelling the context (pungo createrepo does on SIGINT
// and SIGTERM) fails the run and leaves the previous repodata in place.
func TestCancelledRun(t *testing.T) {
	dir := copyCorpus(t)
	if _, err := Run(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(dir, Options{Database: true, Context: ctx}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want interrupted", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if string(before) != string(after) {
		t.Error("repomd.xml changed")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".repodata") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

// TestUpdateOverBrokenRepodata: unreadable old metadata is a warning; the
// run reads every package and replaces it.
func TestUpdateOverBrokenRepodata(t *testing.T) {
	dir := copyCorpus(t)
	res, err := Run(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		if r.Type == "primary" {
			os.WriteFile(filepath.Join(dir, r.Href), []byte("garbage"), 0o644)
		}
	}
	res, err = Run(dir, Options{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reused != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "primary") {
		t.Errorf("reused %d, warnings %q", res.Reused, res.Warnings)
	}
	if _, err := repomd.Open(dir); err != nil {
		t.Errorf("new repodata: %v", err)
	}
	// An unreadable --update-md-path repository is a warning too, as in
	// createrepo_c.
	missing := filepath.Join(t.TempDir(), "none")
	res, err = Run(dir, Options{Update: true, UpdateMDPaths: []string{missing}})
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], missing) || res.Packages == 0 {
		t.Errorf("unreadable --update-md-path: %v, %+v", err, res)
	}
}

// TestModifyRepoCompressedInput: a compressed input is added by its
// content under its name without the compression suffix, as modifyrepo_c
// does; a truncated one is an error naming it.
func TestModifyRepoCompressedInput(t *testing.T) {
	dir := copyCorpus(t)
	if _, err := Run(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	repodata := filepath.Join(dir, "repodata")
	content := []byte("---\ndocument: modulemd\nversion: 2\n...\n")
	src := filepath.Join(t.TempDir(), "modules.yaml.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(content)
	zw.Close()
	os.WriteFile(src, b.Bytes(), 0o644)
	for _, c := range []struct {
		opts ModifyOptions
		name string
	}{
		{ModifyOptions{Compress: true, CompressType: "xz"}, "-modules.yaml.xz"},
		{ModifyOptions{}, "-modules.yaml"},
	} {
		rec, err := AddMetadata(src, repodata, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(rec.Href, c.name) || rec.Sums.OpenSize != int64(len(content)) && c.opts.Compress {
			t.Errorf("record %+v, want name ending %s holding %d bytes", rec, c.name, len(content))
		}
		r, err := repomd.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := r.OpenRecord("modules")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, content) {
			t.Errorf("%s holds %q", rec.Href, got)
		}
	}
	os.WriteFile(src, b.Bytes()[:b.Len()/2], 0o644)
	if _, err := AddMetadata(src, repodata, ModifyOptions{Compress: true}); err == nil || !strings.Contains(err.Error(), src) {
		t.Errorf("truncated input: %v", err)
	}
}
