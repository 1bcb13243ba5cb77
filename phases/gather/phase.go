package gather

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/guard"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
)

// Phase is the gather phase.
type Phase struct {
	// Pkgset is the run's pkgset phase, whose package set is gathered from.
	Pkgset *pkgset.Phase
	// Comps is the init phase's filtered comps of each variant.arch (nil:
	// read from work/<arch>/comps/).
	Comps *initphase.VariantComps

	result *Result
	rpms   *productmd.Rpms
}

// Name implements compose.Phase.
func (*Phase) Name() string { return "gather" }

// Skip implements compose.Phase.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Validate checks gather options: link_type, and as Pungi's validate,
// that variant_as_lookaside names existing variants whose arches cover
// the requiring variant's.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	if lt, ok := compose.StringOpt(c.Conf, "link_type"); ok && !slices.Contains(LinkTypes, lt) {
		f.Errorf("link_type", "link_type %q is not one of %s", lt, strings.Join(LinkTypes, ", "))
	}
	raw, _ := c.Conf.Get("variant_as_lookaside")
	for _, item := range compose.AsList(raw) {
		pair := compose.AsStrings(item)
		if len(pair) != 2 {
			continue
		}
		requiring, required := c.Variant(pair[0]), c.Variant(pair[1])
		switch {
		case requiring != nil && required == nil:
			f.Errorf("variant_as_lookaside", "variant_as_lookaside: variant %s doesn't exist but is required by %s", config.PyRepr(pair[1]), config.PyRepr(pair[0]))
		case requiring != nil && !subset(requiring.Arches, required.Arches):
			f.Errorf("variant_as_lookaside", "variant_as_lookaside: architectures of variant '%s' aren't subset of architectures of variant '%s'", pair[0], pair[1])
		}
	}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Result returns the gather result (nil before Run).
func (p *Phase) Result() *Result { return p.result }

// Run gathers, links the packages into the trees and writes rpms.json.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	set, err := p.Pkgset.Loaded(c)
	if err != nil {
		return err
	}
	start := time.Now()
	fp, err := fingerprint(c, set)
	if err != nil {
		return err
	}
	var res *Result
	var old string
	switch {
	case len(c.OldComposes) == 0:
	case !c.Conf.Bool("gather_allow_reuse"):
		// Pungi's default: gather results are reused only when asked.
		c.Log.Infof("Not reusing old gather results: gather_allow_reuse is not set")
	default:
		res, old = tryReuse(c, set, fp)
	}
	links := newLinker(ctx, c)
	if res != nil {
		c.Log.Infof("Reusing the gather result of old compose %s (inputs unchanged)", old)
	} else {
		// A variant.arch whose list is final once gathered is linked
		// while the others are still gathering.
		if res, err = plan(links.ctx, c, set, p.Comps, links.start); err != nil {
			return links.fail(err)
		}
	}
	c.Log.Debugf("gather: planned in %.3fs", time.Since(start).Seconds())
	p.result = res
	if err := writeVariantModules(c, set, res); err != nil {
		return links.fail(err)
	}
	// The reuse data and package lists do not depend on the links: write
	// them while linking.
	side := make(chan error, 1)
	guard.Go(func() error {
		if err := saveReuse(c, fp, res); err != nil {
			return err
		}
		return writePackageLists(c, res)
	}, func(err error) { side <- err })
	err = links.rest(res)
	if serr := <-side; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	c.Log.Debugf("gather: linked at %.3fs", time.Since(start).Seconds())
	p.rpms = links.rpms
	path := c.Paths.Compose.Metadata("rpms.json")
	c.Log.Infof("Writing RPM manifest: %s", path)
	return productmd.WriteJSON(path, links.rpms)
}

// writePackageLists writes work/<arch>/package_list/<Variant>.<arch>.<type>.conf.
func writePackageLists(c *compose.Compose, res *Result) error {
	for _, arch := range c.Arches() {
		for _, v := range c.GetVariants(nil, arch) {
			pm := res.Get(arch, v.UID)
			for _, t := range Types {
				err := atomicfile.WriteWith(c.Paths.Work.PackageList(arch, v, t), 0o644, func(w io.Writer) error {
					bw := bufio.NewWriter(w)
					for _, e := range pm[t] {
						fmt.Fprintln(bw, e.Path)
					}
					return bw.Flush()
				})
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// linkWorkers is the number of concurrent links per variant.arch.
const linkWorkers = 8

// packagePath is Pungi's _get_package_path: the file name, under its
// lowercased first letter with hashed_directories.
// A location href without a file name (empty, or ending in '/') is
// refused: it names no package file.
func packagePath(p *repomd.Package, hashed bool) (string, error) {
	file := p.FileName()
	if file == "" || file == "." || file == ".." {
		return "", fmt.Errorf("package %s: location href %q names no file", p.NEVRA(), p.Location)
	}
	if hashed {
		return filepath.Join(strings.ToLower(file[:1]), file), nil
	}
	return file, nil
}

// Link links every non-lookaside package of every variant.arch into the
// compose trees and returns the rpms.json manifest.
func Link(ctx context.Context, c *compose.Compose, res *Result) (*productmd.Rpms, error) {
	l := newLinker(ctx, c)
	if err := l.rest(res); err != nil {
		return nil, err
	}
	return l.rpms, nil
}

// linker links variant.arch package lists into the compose trees: some
// as soon as the gather has them final (start), the rest at the end
// (rest), all into one rpms.json manifest.
type linker struct {
	ctx      context.Context
	cancel   context.CancelFunc
	c        *compose.Compose
	linkType string
	hashed   bool
	rpms     *productmd.Rpms

	mu      sync.Mutex
	started map[string]bool // "arch\x00uid"
	running sync.WaitGroup
	err     error // the first error of a started link
	// hold, when set (tests), makes started links wait until it is closed.
	hold chan struct{}
}

func newLinker(ctx context.Context, c *compose.Compose) *linker {
	linkType, ok := compose.StringOpt(c.Conf, "link_type")
	if !ok || linkType == "" {
		linkType = "hardlink-or-copy"
	}
	ctx, cancel := context.WithCancel(ctx)
	return &linker{ctx: ctx, cancel: cancel, c: c, linkType: linkType, hashed: c.Conf.Bool("hashed_directories"),
		rpms: &productmd.Rpms{Compose: c.Info.Compose}, started: map[string]bool{}}
}

// task is the link task of a variant.arch.
func (l *linker) task(arch string, v *compose.Variant, pm PkgMap) compose.Task {
	return compose.Task{Name: v.UID + "." + arch, Run: func(ctx context.Context) error {
		return linkVariant(ctx, l.c, arch, v, pm, l.linkType, l.hashed, l.rpms)
	}}
}

// start links a variant.arch in the background.
func (l *linker) start(arch string, v *compose.Variant, pm PkgMap) {
	if v.IsEmpty || pm == nil {
		return
	}
	l.mu.Lock()
	l.started[arch+"\x00"+v.UID] = true
	l.mu.Unlock()
	l.running.Add(1)
	go func() {
		defer l.running.Done()
		if l.hold != nil {
			<-l.hold
		}
		if err := l.c.RunTasks(l.ctx, "gather", []compose.Task{l.task(arch, v, pm)}, 1); err != nil {
			l.mu.Lock()
			l.err = causeOf(l.err, err)
			l.mu.Unlock()
			l.cancel()
		}
	}()
}

// fail stops the links started, waits for them and returns the first
// link error (which stopped the gather), or else err.
func (l *linker) fail(err error) error {
	l.cancel()
	l.running.Wait()
	return causeOf(l.err, err)
}

// causeOf returns the error that stopped the links: a started link that
// only saw the cancellation another failure caused ("context canceled")
// must not hide that failure (a full disk was reported as "context
// canceled" when a started link recorded its cancellation first). The
// earlier error wins otherwise.
func causeOf(earlier, later error) error {
	if earlier == nil || errors.Is(earlier, context.Canceled) && later != nil && !errors.Is(later, context.Canceled) {
		return later
	}
	return earlier
}

// rest links the variant.arches not started yet and waits for all.
func (l *linker) rest(res *Result) error {
	var tasks []compose.Task
	for _, v := range l.c.GetVariants(nil, "") {
		if v.IsEmpty {
			continue
		}
		for _, arch := range v.Arches {
			l.mu.Lock()
			started := l.started[arch+"\x00"+v.UID]
			l.mu.Unlock()
			if pm := res.Get(arch, v.UID); pm != nil && !started {
				tasks = append(tasks, l.task(arch, v, pm))
			}
		}
	}
	if err := l.c.RunTasks(l.ctx, "gather", tasks, 0); err != nil {
		return l.fail(err)
	}
	l.running.Wait()
	l.cancel()
	return l.err
}

func linkVariant(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant, pm PkgMap, linkType string, hashed bool, rpms *productmd.Rpms) error {
	c.Log.Infof("[BEGIN] Linking packages (arch: %s, variant: %s)", arch, v.UID)
	srpmNEVRA := map[string]string{} // source rpm file name → NEVRA
	for _, e := range pm[TypeSRPM] {
		srpmNEVRA[e.Pkg.FileName()] = nevraOf(e)
	}
	type dest struct {
		dir, rel, category string
	}
	dests := map[string]dest{
		TypeSRPM: {c.Paths.Compose.Packages("src", v), c.Paths.Compose.RelPackages("src", v), "source"},
		TypeRPM:  {c.Paths.Compose.Packages(arch, v), c.Paths.Compose.RelPackages(arch, v), "binary"},
		// Made even when the variant ships no debug packages, as Pungi's
		// link_files does (…/debug/tree/Packages/ stays empty then).
		TypeDebug: {c.Paths.Compose.DebugPackages(arch, v), c.Paths.Compose.RelDebugPackages(arch, v), "debug"},
	}
	// Linking is I/O: a pool of linkers as Pungi's (10 workers) keeps the
	// disk busy; the manifest is filled in order afterwards.
	type job struct{ src, dst string }
	jobs := make(chan job)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range linkWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := guard.Call(func() error { return linkInto(j.src, j.dst, linkType) }); err != nil {
					select {
					case errc <- fmt.Errorf("linking %s: %w", filepath.Base(j.src), err):
					default:
					}
				}
			}
		}()
	}
	var linkErr error
	made := map[string]bool{}
	func() {
		defer func() { close(jobs); wg.Wait() }()
		for _, t := range []string{TypeSRPM, TypeRPM, TypeDebug} {
			d := dests[t]
			for _, e := range pm[t] {
				if e.HasFlag("lookaside") {
					continue
				}
				if e.Path == "" || strings.Contains(e.Path, "://") {
					linkErr = fmt.Errorf("%s: package %s has no local file to link (%q)", v.UID, e.Pkg.NEVRA(), e.Path)
					return
				}
				pp, err := packagePath(e.Pkg, hashed)
				if err != nil {
					linkErr = fmt.Errorf("%s: %w", v.UID, err)
					return
				}
				dst := filepath.Join(d.dir, pp)
				if dir := filepath.Dir(dst); !made[dir] {
					if linkErr = os.MkdirAll(dir, 0o755); linkErr != nil {
						return
					}
					made[dir] = true
				}
				select {
				case jobs <- job{e.Path, dst}:
				case err := <-errc:
					linkErr = err
					return
				case <-ctx.Done():
					linkErr = ctx.Err()
					return
				}
			}
		}
	}()
	if linkErr == nil {
		select {
		case linkErr = <-errc:
		default:
		}
	}
	if linkErr != nil {
		return linkErr
	}
	for _, t := range []string{TypeSRPM, TypeRPM, TypeDebug} {
		d := dests[t]
		for _, e := range pm[t] {
			if e.HasFlag("lookaside") {
				continue
			}
			pp, err := packagePath(e.Pkg, hashed)
			if err != nil {
				return fmt.Errorf("%s: %w", v.UID, err)
			}
			src := ""
			if t != TypeSRPM {
				src = srpmNEVRA[e.Pkg.SourceRPM]
				if src == "" {
					n := srpmFromFileName(e.Pkg.SourceRPM)
					if n == "" {
						return fmt.Errorf("%s: cannot tell the source package of %s (sourcerpm %q)", v.UID, e.Pkg.NEVRA(), e.Pkg.SourceRPM)
					}
					src = n
				}
			}
			if err := rpms.Add(v.UID, arch, nevraOf(e), filepath.ToSlash(filepath.Join(d.rel, pp)), e.Sigkey, d.category, src); err != nil {
				return err
			}
		}
	}
	c.Log.Infof("[DONE ] Linking packages (arch: %s, variant: %s)", arch, v.UID)
	return nil
}

func nevraOf(e *Entry) string {
	p := e.Pkg
	return productmd.NormalizeNEVRA(p.Name, p.Epoch, p.Version, p.Release, p.Arch)
}

// srpmFromFileName turns "bash-5.1-2.src.rpm" into "bash-0:5.1-2.src" for
// packages whose source package is not in the compose.
func srpmFromFileName(file string) string {
	n, err := repomd.ParseFileName(file)
	if err != nil {
		return ""
	}
	return productmd.NormalizeNEVRA(n.Name, n.Epoch, n.Version, n.Release, n.Arch)
}
