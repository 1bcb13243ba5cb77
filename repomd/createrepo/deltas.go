package createrepo

// Delta RPMs (createrepo_c's --deltas): for each new binary package, the
// older builds of the same name and arch found in --oldpackagedirs get a
// .drpm made by deltarpm's makedeltarpm, written to drpms/ of the output
// directory, and a prestodelta record in repomd.xml describes them. The
// delta encoding itself is deltarpm's; pungo chooses the pairs, runs the
// tool in parallel and writes the metadata.

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pungo/pungo/internal/guard"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// Defaults of createrepo_c's --num-deltas and --max-delta-rpm-size.
const (
	DefaultNumDeltas       = 1
	DefaultMaxDeltaRPMSize = 100000000
)

// makedeltarpm is the deltarpm tool that encodes the deltas; a variable so
// tests can point it elsewhere.
var makedeltarpm = "makedeltarpm"

// deltaPkg is one package header seen for delta generation.
type deltaPkg struct {
	path string
	name string
	arch string
	evr  repomd.EVR
	size int64
}

// deltaPair is one .drpm to make.
type deltaPair struct {
	newPkg, oldPkg *deltaPkg
	file           string // below drpms/
}

// delta is a made .drpm as prestodelta.xml lists it.
type delta struct {
	pair     deltaPair
	sequence string
	size     int64
	checksum string
	sumType  string
}

// makeDeltas makes the delta RPMs for the packages of jobs and writes
// prestodelta.xml into the temporary repodata directory tmp, returning
// its repomd records (and prestodelta_zck's, with --zck).
func makeDeltas(tmp, out string, jobs []job, opts Options, xmlComp Compression, now time.Time) ([]Record, error) {
	tool, err := exec.LookPath(makedeltarpm)
	if err != nil {
		return nil, fmt.Errorf("--deltas needs makedeltarpm (package deltarpm), not found in PATH")
	}
	num := opts.NumDeltas
	if num <= 0 {
		num = DefaultNumDeltas
	}
	maxSize := opts.MaxDeltaRPMSize
	if maxSize <= 0 {
		maxSize = DefaultMaxDeltaRPMSize
	}
	olds, err := scanOldPackageDirs(opts.OldPackageDirs)
	if err != nil {
		return nil, err
	}
	news := make([]*deltaPkg, 0, len(jobs))
	for _, j := range jobs {
		p, err := readDeltaPkg(j.path)
		if err != nil {
			return nil, err
		}
		news = append(news, p)
	}
	pairs := chooseDeltas(news, olds, num, maxSize)
	// createrepo_c creates drpms/ even when there is nothing to put in it.
	drpmDir := filepath.Join(out, "drpms")
	if err := os.MkdirAll(drpmDir, 0o755); err != nil {
		return nil, err
	}
	made, err := runMakedeltarpm(opts.Context, tool, drpmDir, pairs, opts.Workers, opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	f, err := createMD(filepath.Join(tmp, "prestodelta.xml"+xmlComp.Suffix()), xmlComp, opts.ChecksumType)
	if err != nil {
		return nil, err
	}
	body := prestodeltaXML(made)
	if _, err := f.Write(body); err != nil {
		f.Abort()
		return nil, err
	}
	s, err := f.Close()
	if err != nil {
		return nil, err
	}
	href, err := finalName(tmp, f.path, s.Checksum, opts)
	if err != nil {
		return nil, err
	}
	recs := []Record{{Type: "prestodelta", Href: href, Sums: s, HasOpen: true, Timestamp: now.Unix()}}
	if opts.Zck {
		// prestodelta_zck: the same XML without a dictionary, in
		// createrepo_c's chunks: the head, each new package, the tail.
		z, err := createZck(filepath.Join(tmp, "prestodelta.xml.zck"), nil, opts.ChecksumType)
		if err != nil {
			return nil, err
		}
		for _, part := range prestodeltaChunks(body) {
			z.w.Write(part)
			if err := z.w.EndChunk(); err != nil {
				z.Abort()
				return nil, err
			}
		}
		zs, _, err := z.Close()
		if err != nil {
			return nil, err
		}
		zs.OpenChecksum, zs.OpenSize = s.OpenChecksum, s.OpenSize
		zhref, err := finalName(tmp, z.path, zs.Checksum, opts)
		if err != nil {
			return nil, err
		}
		// createrepo_c records no zchunk header for prestodelta_zck.
		recs = append(recs, Record{Type: "prestodelta_zck", Href: zhref, Sums: zs, HasOpen: true, Timestamp: now.Unix()})
	}
	return recs, nil
}

// readDeltaPkg reads the NEVRA of one package file from its header.
func readDeltaPkg(path string) (*deltaPkg, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	p, err := rpmfile.ReadHeader(f, rpmfile.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &deltaPkg{path: path, name: p.Name, arch: p.Arch, evr: p.EVR, size: st.Size()}, nil
}

// scanOldPackageDirs reads the binary .rpm files directly inside each
// directory (createrepo_c does not descend), one name index per
// directory. A missing directory is no error: there is simply nothing to
// make deltas from.
func scanOldPackageDirs(dirs []string) ([]map[string][]*deltaPkg, error) {
	var out []map[string][]*deltaPkg
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("--oldpackagedirs: %w", err)
		}
		olds := map[string][]*deltaPkg{}
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".rpm") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				continue
			}
			pkg, err := readDeltaPkg(p)
			if err != nil {
				return nil, err
			}
			if pkg.arch == "src" || pkg.arch == "nosrc" {
				continue
			}
			olds[pkg.name] = append(olds[pkg.name], pkg)
		}
		out = append(out, olds)
	}
	return out, nil
}

// chooseDeltas pairs every new binary package no larger than maxSize with
// older builds of the same name and arch: as createrepo_c does, up to num
// of them, newest first, from each old package directory separately. A
// delta whose file name is already taken (the same old build in two
// directories) is made once. The deltas of one new package are listed by
// file name.
func chooseDeltas(news []*deltaPkg, oldDirs []map[string][]*deltaPkg, num int, maxSize int64) []deltaPair {
	var pairs []deltaPair
	for _, n := range news {
		if n.arch == "src" || n.arch == "nosrc" || n.size > maxSize {
			continue
		}
		seen := map[string]bool{}
		first := len(pairs)
		for _, olds := range oldDirs {
			var cands []*deltaPkg
			for _, o := range olds[n.name] {
				if o.arch == n.arch && repomd.CompareEVR(o.evr, n.evr) < 0 {
					cands = append(cands, o)
				}
			}
			sort.SliceStable(cands, func(i, j int) bool { return repomd.CompareEVR(cands[i].evr, cands[j].evr) > 0 })
			if len(cands) > num {
				cands = cands[:num]
			}
			for _, o := range cands {
				file := drpmName(o, n)
				if seen[file] {
					continue
				}
				seen[file] = true
				pairs = append(pairs, deltaPair{newPkg: n, oldPkg: o, file: file})
			}
		}
		mine := pairs[first:]
		sort.Slice(mine, func(i, j int) bool { return mine[i].file < mine[j].file })
	}
	return pairs
}

// drpmName is createrepo_c's file name of a delta:
// name-oldver-oldrel_newver-newrel.arch.drpm.
func drpmName(o, n *deltaPkg) string {
	return fmt.Sprintf("%s-%s-%s_%s-%s.%s.drpm", n.name, o.evr.Version, o.evr.Release, n.evr.Version, n.evr.Release, n.arch)
}

// runMakedeltarpm encodes the pairs with workers parallel makedeltarpm
// processes. Each delta is written under a temporary name and renamed, so
// drpms/ never holds a half-written file.
func runMakedeltarpm(ctx context.Context, tool, dir string, pairs []deltaPair, workers int, sumType string) ([]delta, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if workers <= 0 {
		workers = DefaultWorkers
	}
	out := make([]delta, len(pairs))
	errs := make([]error, len(pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = guard.Call(func() (err error) {
					out[i], err = makeOne(ctx, tool, dir, pairs[i], sumType)
					return err
				})
				if _, ok := errs[i].(*guard.PanicError); ok {
					errs[i] = fmt.Errorf("%s: %w", pairs[i].newPkg.path, errs[i])
				}
			}
		}()
	}
	for i := range pairs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func makeOne(ctx context.Context, tool, dir string, p deltaPair, sumType string) (delta, error) {
	final := filepath.Join(dir, p.file)
	tmp, err := os.CreateTemp(dir, "."+p.file+".tmp-")
	if err != nil {
		return delta{}, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	seqFile := tmpName + ".seq"
	defer os.Remove(seqFile)
	cmd := exec.CommandContext(ctx, tool, "-s", seqFile, p.oldPkg.path, p.newPkg.path, tmpName)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmpName)
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return delta{}, fmt.Errorf("makedeltarpm %s %s: %v: %s", p.oldPkg.path, p.newPkg.path, err, msg)
	}
	seq, err := os.ReadFile(seqFile)
	if err != nil {
		os.Remove(tmpName)
		return delta{}, fmt.Errorf("makedeltarpm wrote no sequence for %s: %w", p.newPkg.path, err)
	}
	sum, size, err := fileSum(tmpName, sumType)
	if err == nil {
		err = os.Chmod(tmpName, 0o644)
	}
	if err == nil {
		err = os.Rename(tmpName, final)
	}
	if err != nil {
		os.Remove(tmpName)
		return delta{}, err
	}
	return delta{pair: p, sequence: strings.TrimSpace(string(seq)), size: size, checksum: sum, sumType: sumType}, nil
}

func fileSum(path, typ string) (string, int64, error) {
	h, _, err := rpmfile.NewHash(typ)
	if err != nil {
		return "", 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// prestodeltaXML renders the deltas as createrepo_c does: one newpackage
// element per new package (in the order the packages were indexed), its
// deltas newest old build first; epochs are written as numbers, 0 when
// unset.
func prestodeltaXML(ds []delta) []byte {
	b := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestodelta>\n")
	epoch := func(e string) string {
		if e == "" {
			return "0"
		}
		return e
	}
	for i := 0; i < len(ds); {
		n := ds[i].pair.newPkg
		b = append(b, "  <newpackage"...)
		b = attr(b, "name", n.name)
		b = attr(b, "epoch", epoch(n.evr.Epoch))
		b = attr(b, "version", n.evr.Version)
		b = attr(b, "release", n.evr.Release)
		b = attr(b, "arch", n.arch)
		b = append(b, ">\n"...)
		for ; i < len(ds) && ds[i].pair.newPkg == n; i++ {
			d := ds[i]
			o := d.pair.oldPkg
			b = append(b, "    <delta"...)
			b = attr(b, "oldepoch", epoch(o.evr.Epoch))
			b = attr(b, "oldversion", o.evr.Version)
			b = attr(b, "oldrelease", o.evr.Release)
			b = append(b, ">\n"...)
			b = elem(b, "      ", "filename", "drpms/"+d.pair.file)
			b = elem(b, "      ", "sequence", d.sequence)
			b = elem(b, "      ", "size", strconv.FormatInt(d.size, 10))
			b = append(b, "      <checksum"...)
			b = attr(b, "type", d.sumType)
			b = append(b, '>')
			b = append(b, d.checksum...)
			b = append(b, "</checksum>\n"...)
			b = append(b, "    </delta>\n"...)
		}
		b = append(b, "  </newpackage>\n"...)
	}
	return append(b, "</prestodelta>"...)
}

// prestodeltaChunks cuts prestodelta.xml where createrepo_c ends its
// zchunk chunks: after the head, after each newpackage element, and the
// tail alone.
func prestodeltaChunks(b []byte) [][]byte {
	var parts [][]byte
	cut := func(i int) {
		parts = append(parts, b[:i])
		b = b[i:]
	}
	if i := bytes.Index(b, []byte("<prestodelta>\n")); i >= 0 {
		cut(i + len("<prestodelta>\n"))
	}
	const end = "</newpackage>\n"
	for {
		i := bytes.Index(b, []byte(end))
		if i < 0 {
			break
		}
		cut(i + len(end))
	}
	return append(parts, b)
}

// addDeltas makes the deltas and rewrites repomd.xml in tmp with the
// prestodelta record after the others, where createrepo_c puts it.
func addDeltas(tmp, out string, jobs []job, opts Options, xmlComp Compression, res *Result, now time.Time) error {
	recs, err := makeDeltas(tmp, out, jobs, opts, xmlComp, now)
	if err != nil {
		return err
	}
	res.Records = append(res.Records, recs...)
	revision := opts.Revision
	if revision == "" {
		revision = strconv.FormatInt(now.Unix(), 10)
	}
	return writeRepomd(filepath.Join(tmp, "repomd.xml"), revision, opts, res.Records)
}
