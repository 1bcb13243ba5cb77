package createrepo

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestChooseDeltas(t *testing.T) {
	pkg := func(name, arch, epoch, ver string, size int64) *deltaPkg {
		return &deltaPkg{name: name, arch: arch, evr: repomd.EVR{Epoch: epoch, Version: ver, Release: "1"}, size: size}
	}
	newA := pkg("a", "x86_64", "", "3", 10)
	newSrc := pkg("a", "src", "", "3", 10)
	newBig := pkg("b", "noarch", "", "2", 500)
	dirs := []map[string][]*deltaPkg{
		{"a": {pkg("a", "x86_64", "", "1", 1), pkg("a", "x86_64", "", "2", 1), pkg("a", "i686", "", "2", 1), pkg("a", "x86_64", "", "3", 1), pkg("a", "x86_64", "", "4", 1)},
			"b": {pkg("b", "noarch", "", "1", 1)}},
		{"a": {pkg("a", "x86_64", "", "1", 1), pkg("a", "x86_64", "", "1.5", 1)}},
	}
	tests := []struct {
		name    string
		news    []*deltaPkg
		dirs    []map[string][]*deltaPkg
		num     int
		maxSize int64
		want    []string
	}{
		{"newest older build per directory", []*deltaPkg{newA}, dirs[:1], 1, 100, []string{"a-2-1_3-1.x86_64.drpm"}},
		{"two per directory, listed by file name", []*deltaPkg{newA}, dirs[:1], 2, 100, []string{"a-1-1_3-1.x86_64.drpm", "a-2-1_3-1.x86_64.drpm"}},
		{"each directory counts separately", []*deltaPkg{newA}, dirs, 1, 100, []string{"a-1.5-1_3-1.x86_64.drpm", "a-2-1_3-1.x86_64.drpm"}},
		{"same old build in two directories made once", []*deltaPkg{newA}, dirs, 3, 100, []string{"a-1-1_3-1.x86_64.drpm", "a-1.5-1_3-1.x86_64.drpm", "a-2-1_3-1.x86_64.drpm"}},
		{"source packages get none", []*deltaPkg{newSrc}, dirs, 3, 100, nil},
		{"larger than the limit", []*deltaPkg{newBig}, dirs, 3, 100, nil},
		{"within the limit", []*deltaPkg{newBig}, dirs, 3, 500, []string{"b-1-1_2-1.noarch.drpm"}},
		{"no old directories", []*deltaPkg{newA}, nil, 3, 100, nil},
		{"epoch counts: 1:1 is newer than 3", []*deltaPkg{newA}, []map[string][]*deltaPkg{{"a": {pkg("a", "x86_64", "1", "1", 1)}}}, 1, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range chooseDeltas(tt.news, tt.dirs, tt.num, tt.maxSize) {
				got = append(got, p.file)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

var (
	alpha15Once sync.Once
	alpha15     string
	alpha15Err  error
)

// alpha15RPM builds a third version of the corpus' alpha, between its 1.0
// and 2.0, so that --num-deltas has a choice to make.
func alpha15RPM(t *testing.T) string {
	t.Helper()
	alpha15Once.Do(func() {
		top, err := os.MkdirTemp("", "pungo-alpha15-")
		if err != nil {
			alpha15Err = err
			return
		}
		out, err := exec.Command("rpmbuild", "--nodeps", "--define", "_topdir "+top, "--define", "ver 1.5", "-bb",
			filepath.Join(rpmtest.SpecDir(), "alpha.spec")).CombinedOutput()
		if err != nil {
			alpha15Err = err
			t.Logf("%s", out)
			return
		}
		alpha15 = filepath.Join(top, "RPMS", "noarch", "alpha-1.5-1.noarch.rpm")
	})
	if alpha15Err != nil {
		t.Fatalf("building alpha 1.5: %v", alpha15Err)
	}
	return alpha15
}

func copyTo(t *testing.T, dir string, files ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readPrestodelta(t *testing.T, repo string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(repo, "repodata", "*prestodelta.xml.gz"))
	if len(m) != 1 {
		t.Fatalf("%s: want one prestodelta.xml.gz, found %v", repo, m)
	}
	f, err := os.Open(m[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := repomd.Open(repo); err != nil {
		t.Fatal(err)
	} else if _, ok := r.Record("prestodelta"); !ok {
		t.Errorf("%s: repomd.xml has no prestodelta record", repo)
	}
	return string(data)
}

var (
	sizeRE = regexp.MustCompile(`<size>(\d+)</size>`)
	sumRE  = regexp.MustCompile(`<checksum type="sha256">([0-9a-f]+)</checksum>`)
	fileRE = regexp.MustCompile(`<filename>([^<]+)</filename>`)

	newpkgRE = regexp.MustCompile(`(?s)<newpackage .*?</newpackage>`)
	deltaRE  = regexp.MustCompile(`(?s)<delta .*?</delta>`)
)

// TestDeltasAgainstCreaterepoC runs pungo's and createrepo_c's --deltas
// over the same packages: prestodelta.xml must agree except for the size
// and checksum of each .drpm (makedeltarpm and createrepo_c's libdrpm
// compress differently), those must describe pungo's own files, and each
// of pungo's deltas must rebuild the new package exactly.
func TestDeltasAgainstCreaterepoC(t *testing.T) {
	toolcheck.Need(t, "createrepo_c", "makedeltarpm", "applydeltarpm")
	corpus := rpmtest.Corpus(t)
	c := func(name string) string { return filepath.Join(corpus, name) }
	a15 := alpha15RPM(t)
	base := t.TempDir()
	oldA := filepath.Join(base, "oldA")
	oldB := filepath.Join(base, "oldB")
	copyTo(t, oldA, c("alpha-1.0-1.noarch.rpm"), c("multi-0.9-1.x86_64.rpm"), c("alpha-1.0-1.src.rpm"))
	copyTo(t, oldB, a15, c("alpha-1.0-1.noarch.rpm"))
	newPkgs := []string{c("alpha-2.0-1.noarch.rpm"), c("multi-0.9-1.i686.rpm"), c("libfoo-1.2.3-4.x86_64.rpm")}
	tests := []struct {
		name      string
		dirs      []string
		num       int
		maxSize   int64
		wantFiles int
	}{
		{"one old directory", []string{oldA}, 1, DefaultMaxDeltaRPMSize, 1},
		{"newest of two", []string{oldB}, 1, DefaultMaxDeltaRPMSize, 1},
		{"two of two", []string{oldB}, 2, DefaultMaxDeltaRPMSize, 2},
		{"per directory", []string{oldA, oldB}, 1, DefaultMaxDeltaRPMSize, 2},
		{"size limit", []string{oldA, oldB}, 3, 100, 0},
		{"missing directory", []string{filepath.Join(base, "none")}, 1, DefaultMaxDeltaRPMSize, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := filepath.Join(base, "ours"+strconv.Itoa(i))
			theirs := filepath.Join(base, "theirs"+strconv.Itoa(i))
			copyTo(t, ours, newPkgs...)
			copyTo(t, theirs, newPkgs...)
			args := []string{"-q", "--deltas", "--num-deltas", strconv.Itoa(tt.num), "--max-delta-rpm-size", strconv.FormatInt(tt.maxSize, 10)}
			for _, d := range tt.dirs {
				args = append(args, "--oldpackagedirs", d)
			}
			if out, err := exec.Command("createrepo_c", append(args, theirs)...).CombinedOutput(); err != nil {
				t.Fatalf("createrepo_c: %v\n%s", err, out)
			}
			if _, err := Run(ours, Options{Deltas: true, OldPackageDirs: tt.dirs, NumDeltas: tt.num, MaxDeltaRPMSize: tt.maxSize, Workers: 2}); err != nil {
				t.Fatal(err)
			}
			got, want := readPrestodelta(t, ours), readPrestodelta(t, theirs)
			// createrepo_c lists a package's deltas in the order it reads
			// drpms/ back (directory order), so they are compared as a set.
			norm := func(s string) string {
				s = sizeRE.ReplaceAllString(s, "<size>N</size>")
				s = sumRE.ReplaceAllString(s, `<checksum type="sha256">X</checksum>`)
				return newpkgRE.ReplaceAllStringFunc(s, func(block string) string {
					ds := deltaRE.FindAllString(block, -1)
					sort.Strings(ds)
					return deltaRE.ReplaceAllString(block, "<delta/>") + strings.Join(ds, "")
				})
			}
			if norm(got) != norm(want) {
				t.Errorf("prestodelta differs from createrepo_c's\npungo:\n%s\ncreaterepo_c:\n%s", got, want)
			}
			files := fileRE.FindAllStringSubmatch(got, -1)
			sizes := sizeRE.FindAllStringSubmatch(got, -1)
			sums := sumRE.FindAllStringSubmatch(got, -1)
			if len(files) != tt.wantFiles || len(sizes) != len(files) || len(sums) != len(files) {
				t.Fatalf("%d deltas (%d sizes, %d checksums), want %d", len(files), len(sizes), len(sums), tt.wantFiles)
			}
			for k, f := range files {
				drpm := filepath.Join(ours, f[1])
				sum, size, err := fileSum(drpm, "sha256")
				if err != nil {
					t.Fatal(err)
				}
				if strconv.FormatInt(size, 10) != sizes[k][1] || sum != sums[k][1] {
					t.Errorf("%s: listed size %s checksum %s, file has %d %s", f[1], sizes[k][1], sums[k][1], size, sum)
				}
				oldRPM := oldFor(t, f[1], tt.dirs)
				rebuilt := filepath.Join(t.TempDir(), "rebuilt.rpm")
				if out, err := exec.Command("applydeltarpm", "-r", oldRPM, drpm, rebuilt).CombinedOutput(); err != nil {
					t.Fatalf("applydeltarpm %s: %v\n%s", f[1], err, out)
				}
				a, _ := os.ReadFile(rebuilt)
				b, _ := os.ReadFile(c("alpha-2.0-1.noarch.rpm"))
				if !bytes.Equal(a, b) {
					t.Errorf("%s does not rebuild alpha-2.0-1.noarch.rpm", f[1])
				}
			}
		})
	}
}

// oldFor finds the old package a delta of alpha was made from.
func oldFor(t *testing.T, drpm string, dirs []string) string {
	t.Helper()
	old := strings.SplitN(strings.TrimPrefix(drpm, "drpms/"), "_", 2)[0] + ".noarch.rpm"
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, old)); err == nil {
			return filepath.Join(d, old)
		}
	}
	t.Fatalf("no old package %s for %s", old, drpm)
	return ""
}

func TestDeltasNeedMakedeltarpm(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	dir := t.TempDir()
	copyTo(t, dir, filepath.Join(corpus, "alpha-2.0-1.noarch.rpm"))
	saved := makedeltarpm
	makedeltarpm = "pungo-no-such-makedeltarpm"
	defer func() { makedeltarpm = saved }()
	_, err := Run(dir, Options{Deltas: true, OldPackageDirs: []string{corpus}})
	if err == nil || !strings.Contains(err.Error(), "makedeltarpm") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("want a one-line error naming makedeltarpm, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "repodata")); !os.IsNotExist(err) {
		t.Errorf("repodata written although the run failed: %v", err)
	}
}
