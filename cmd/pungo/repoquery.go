package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

func init() {
	register(&command{name: "repoquery", summary: "query packages of rpm-md repositories (like dnf repoquery)", run: runRepoquery})
}

// quietGC turns the collector off for this short-lived process: what a
// query loads stays live until exit, so collecting only costs time (the
// collection that would follow the load is about a tenth of the run).
// Memory use reaching repoqueryMemoryLimit (or GOMEMLIMIT, if lower) runs
// it anyway. A GOGC set in the environment is left alone.
func quietGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(-1)
	if limit := debug.SetMemoryLimit(-1); limit > repoqueryMemoryLimit {
		debug.SetMemoryLimit(repoqueryMemoryLimit)
	}
}

const repoqueryMemoryLimit = 2 << 30

// rqPackage is a package with the repository it came from.
type rqPackage struct {
	*repomd.Package
	repo *repomd.Repo
}

type repoqueryOptions struct {
	repos, arches, whatProvides, whatRequires stringList
	latest, provides, requires, count, asJSON bool
	exactDeps                                 bool
	latestLimit                               int
	queryFormat                               string
	specs                                     []string
}

func runRepoquery(args []string) int {
	const name = "repoquery"
	var o repoqueryOptions
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Var(&o.repos, "repo", "repository directory or URL (repeatable)")
	fs.Var(&o.arches, "arch", "only these architectures (comma list, repeatable)")
	fs.BoolVar(&o.latest, "latest", false, "only the latest version of each name.arch (--latest-limit 1)")
	fs.IntVar(&o.latestLimit, "latest-limit", 0, "only the N latest versions of each name.arch (N < 0: all but the N latest)")
	fs.BoolVar(&o.provides, "provides", false, "print the provides of the selected packages")
	fs.BoolVar(&o.requires, "requires", false, "print the requires of the selected packages")
	fs.Var(&o.whatProvides, "whatprovides", "packages providing CAP (\"foo\", \"foo >= 1.2\", a file path; a name or path with * ? [ is a glob); comma list, repeatable")
	fs.Var(&o.whatRequires, "whatrequires", "packages requiring CAP, or requiring what the packages CAP names provide (as dnf); comma list, repeatable")
	fs.BoolVar(&o.exactDeps, "exactdeps", false, "with --whatrequires, match the capabilities only, without resolving them as package specs")
	fs.BoolVar(&o.count, "count", false, "print the number of selected packages alone")
	fs.BoolVar(&o.asJSON, "json", false, "print a JSON array of package objects")
	fs.StringVar(&o.queryFormat, "queryformat", "", "format each package as dnf does: %{name} %{epoch} %{version} %{release} %{arch} %{evr} %{sourcerpm} %{location} %{summary} %{size} %{provides} …")
	fs.StringVar(&o.queryFormat, "qf", "", "shorthand for --queryformat")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo repoquery --repo DIR|URL [--repo …] [options] [SPEC…]\n\n"+
			"SPEC selects packages by name, name.arch, name-version[-release[.arch]] or\n"+
			"name-epoch:version-release.arch, with shell globs, ignoring case; a SPEC\n"+
			"that names no package and starts with / or */ selects the packages holding\n"+
			"such files. Default output: one name-epoch:version-release.arch per line,\n"+
			"sorted. Answers are those of dnf repoquery --disable-modular-filtering.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	o.specs = pos
	if o.latest && o.latestLimit == 0 {
		o.latestLimit = 1
	}
	quietGC()
	if len(o.repos) == 0 {
		return fail(name, errors.New("at least one --repo is required"))
	}
	if err := repoquery(os.Stdout, o); err != nil {
		return fail(name, err)
	}
	return 0
}

// compiledQuery is a repoquery with its arguments parsed.
type compiledQuery struct {
	o             repoqueryOptions
	caps, reqCaps []repomd.Dep
	arches        map[string]bool
	format        []qfPart
	// loadFiles, until called, reads the file lists of the queried
	// repositories: only some questions need them.
	loadFiles func() error
}

func repoquery(w io.Writer, o repoqueryOptions) error {
	q, err := compileQuery(o)
	if err != nil {
		return err
	}
	repos, pkgs, err := loadRepoquery(o.repos)
	if err != nil {
		return err
	}
	q.loadFiles = func() error { return loadFilelists(repos) }
	return q.run(w, pkgs)
}

// splitCommas splits option values at commas, as dnf does for its
// --what* options.
func splitCommas(values []string) []string {
	var out []string
	for _, v := range values {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func compileQuery(o repoqueryOptions) (*compiledQuery, error) {
	q := &compiledQuery{o: o, arches: map[string]bool{}}
	for _, c := range splitCommas(o.whatProvides) {
		d, err := repomd.ParseDep(c)
		if err != nil {
			return nil, fmt.Errorf("--whatprovides: %v", err)
		}
		q.caps = append(q.caps, d)
	}
	for _, c := range splitCommas(o.whatRequires) {
		d, err := repomd.ParseDep(c)
		if err != nil {
			return nil, fmt.Errorf("--whatrequires: %v", err)
		}
		q.reqCaps = append(q.reqCaps, d)
	}
	for _, a := range splitCommas(o.arches) {
		q.arches[a] = true
	}
	if o.queryFormat != "" {
		var err error
		if q.format, err = parseQueryFormat(o.queryFormat); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// loadRepoquery reads the repositories' primary metadata.
func loadRepoquery(locations []string) ([]*repomd.Repo, []rqPackage, error) {
	var repos []*repomd.Repo
	var pkgs []rqPackage
	for _, loc := range locations {
		r, err := repomd.Open(loc)
		if err != nil {
			return nil, nil, err
		}
		repos = append(repos, r)
		for _, p := range r.Packages {
			pkgs = append(pkgs, rqPackage{p, r})
		}
	}
	return repos, pkgs, nil
}

// loadFilelists completes the packages' file lists; a repository without
// filelists answers from primary's files.
func loadFilelists(repos []*repomd.Repo) error {
	for _, r := range repos {
		if _, ok := r.Record("filelists"); ok {
			if err := r.LoadFilelists(); err != nil {
				return err
			}
		}
	}
	return nil
}

// needFiles loads the file lists once, when a question needs them.
func (q *compiledQuery) needFiles() error {
	if q.loadFiles == nil {
		return nil
	}
	load := q.loadFiles
	q.loadFiles = nil
	return load()
}

// run answers the query in dnf repoquery's order: package specs and
// --arch, then --whatprovides, --whatrequires, and the latest versions.
func (q *compiledQuery) run(w io.Writer, pkgs []rqPackage) error {
	o, format := q.o, q.format
	sel := pkgs[:0:0]
	for _, p := range pkgs {
		if len(q.arches) > 0 && !q.arches[p.Arch] {
			continue
		}
		sel = append(sel, p)
	}
	var err error
	for _, part := range format {
		if part.tag == "files" {
			if err := q.needFiles(); err != nil {
				return err
			}
		}
	}
	if len(o.specs) > 0 {
		if sel, err = q.selectSpecs(sel); err != nil {
			return err
		}
	}
	if len(q.caps) > 0 {
		if sel, err = q.selectWhatProvides(sel); err != nil {
			return err
		}
	}
	if len(q.reqCaps) > 0 {
		if sel, err = q.selectWhatRequires(sel); err != nil {
			return err
		}
	}
	if o.latestLimit != 0 {
		sel = latestPerNameArch(sel, o.latestLimit)
	}
	sort.SliceStable(sel, func(i, j int) bool { return lessPkg(sel[i].Package, sel[j].Package) })

	switch {
	case o.count:
		// dnf prints the set of formatted packages: a package listed
		// twice in primary (libsolv keeps both solvables) or in two
		// repositories is one line, so it counts once here too.
		seen := map[string]bool{}
		for _, p := range sel {
			seen[dnfNEVRA(p.Package)] = true
		}
		_, err := fmt.Fprintln(w, len(seen))
		return err
	case o.asJSON:
		return writeRepoqueryJSON(w, sel, o)
	}
	var lines []string
	for _, p := range sel {
		switch {
		case o.provides || o.requires:
			if o.provides {
				for _, d := range p.Provides {
					lines = append(lines, d.String())
				}
			}
			if o.requires {
				for _, d := range p.Requires {
					lines = append(lines, d.String())
				}
			}
		case format != nil:
			lines = append(lines, formatPackage(format, p))
		default:
			lines = append(lines, dnfNEVRA(p.Package))
		}
	}
	sort.Strings(lines)
	var prev string
	for i, l := range lines {
		if i > 0 && l == prev {
			continue
		}
		prev = l
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}

// selectSpecs keeps the packages a spec names. As dnf's subject query: a
// spec matches name, name.arch, name-[epoch:]version[-release[.arch]] with
// globs and without regard to case; a spec that matches no package that
// way and looks like a path ("/…" or "*/…") matches the packages holding
// such a file.
func (q *compiledQuery) selectSpecs(sel []rqPackage) ([]rqPackage, error) {
	keep := make([]bool, len(sel))
	for _, spec := range q.o.specs {
		low := strings.ToLower(spec)
		found := false
		for i, p := range sel {
			if matchesSpec(p.Package, low, true) {
				keep[i], found = true, true
			}
		}
		if found || !(strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "*/")) {
			continue
		}
		if err := q.needFiles(); err != nil {
			return nil, err
		}
		for i, p := range sel {
			if hasFile(p.Package, spec) {
				keep[i] = true
			}
		}
	}
	out := sel[:0:0]
	for i, p := range sel {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out, nil
}

// selectWhatProvides is dnf's --whatprovides: the packages providing a
// capability (as libsolv's whatprovides, which leaves source packages
// out), or, when none does, the packages holding a file the capabilities
// name (globs allowed).
func (q *compiledQuery) selectWhatProvides(sel []rqPackage) ([]rqPackage, error) {
	for _, c := range q.caps {
		if c.IsFileDep() {
			if err := q.needFiles(); err != nil {
				return nil, err
			}
			break
		}
	}
	out := sel[:0:0]
	for _, p := range sel {
		if !p.IsSource() && anyCap(q.caps, func(c repomd.Dep) bool { return providesCap(p.Package, c) }) {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if err := q.needFiles(); err != nil {
		return nil, err
	}
	for _, p := range sel {
		if anyCap(q.caps, func(c repomd.Dep) bool { return c.Flags == repomd.DepAny && hasFile(p.Package, c.Name) }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// selectWhatRequires is dnf's --whatrequires: the packages with a
// requirement that matches a capability (a name glob matching requirement
// names), plus, without --exactdeps, those requiring anything (a provide
// or a file) of the packages the arguments name as package specs. Like
// libsolv, it never lists source packages, nor a package for requiring
// its own provides.
func (q *compiledQuery) selectWhatRequires(sel []rqPackage) ([]rqPackage, error) {
	var names []string
	for _, c := range q.reqCaps {
		if c.Flags == repomd.DepAny {
			names = append(names, c.Name)
		}
	}
	idx := &providerIndex{provides: map[string][]ownedDep{}, files: map[string][]*repomd.Package{}}
	if q.o.exactDeps {
		names = nil
	}
	for _, p := range sel {
		for _, n := range names {
			if matchesSpec(p.Package, n, false) {
				idx.add(p.Package)
				break
			}
		}
	}
	if idx.n > 0 && anyFileRequire(sel) {
		if err := q.needFiles(); err != nil {
			return nil, err
		}
		idx.addFiles()
	}
	out := sel[:0:0]
	for _, p := range sel {
		if p.IsSource() {
			continue
		}
		if requiresCaps(p.Package, q.reqCaps) || (idx.n > 0 && idx.requiredBy(p.Package)) {
			out = append(out, p)
		}
	}
	return out, nil
}

func anyFileRequire(sel []rqPackage) bool {
	for _, p := range sel {
		for _, r := range p.Requires {
			if r.IsFileDep() {
				return true
			}
		}
	}
	return false
}

type ownedDep struct {
	dep   repomd.Dep
	owner *repomd.Package
}

// providerIndex holds the provides and files of the packages that
// --whatrequires arguments name, by name and path.
type providerIndex struct {
	pkgs     []*repomd.Package
	provides map[string][]ownedDep
	files    map[string][]*repomd.Package
	n        int
}

func (x *providerIndex) add(p *repomd.Package) {
	x.pkgs = append(x.pkgs, p)
	x.n++
	for _, d := range p.Provides {
		x.provides[d.Name] = append(x.provides[d.Name], ownedDep{d, p})
	}
}

func (x *providerIndex) addFiles() {
	for _, p := range x.pkgs {
		for _, f := range p.Files {
			x.files[f.Path] = append(x.files[f.Path], p)
		}
	}
}

// requiredBy reports whether p requires something another indexed
// package provides.
func (x *providerIndex) requiredBy(p *repomd.Package) bool {
	for _, r := range p.Requires {
		for _, name := range depNames(r) {
			for _, od := range x.provides[name] {
				if od.owner != p && repomd.DepMatches(r, od.dep) {
					return true
				}
			}
			if strings.HasPrefix(name, "/") {
				for _, owner := range x.files[name] {
					if owner != p && repomd.DepMatches(r, repomd.Dep{Name: name}) {
						return true
					}
				}
			}
		}
	}
	return false
}

// depNames lists the capability names an entry mentions: its own, or the
// leaves of a rich dependency.
func depNames(d repomd.Dep) []string {
	if !d.IsRich() {
		return []string{d.Name}
	}
	r, err := repomd.ParseRich(d.Name)
	if err != nil {
		return nil
	}
	var names []string
	var walk func(*repomd.Rich)
	walk = func(r *repomd.Rich) {
		if r.Op == repomd.RichLeaf {
			names = append(names, r.Dep.Name)
			return
		}
		for _, a := range r.Args {
			walk(a)
		}
	}
	walk(r)
	return names
}

// requiresCaps reports whether a requirement of p matches one of caps; a
// versionless capability with * ? or [ is a glob over requirement names.
func requiresCaps(p *repomd.Package, caps []repomd.Dep) bool {
	for _, r := range p.Requires {
		for _, c := range caps {
			if c.Flags != repomd.DepAny || !strings.ContainsAny(c.Name, "*?[") {
				if repomd.DepMatches(r, c) {
					return true
				}
				continue
			}
			for _, name := range depNames(r) {
				if glob.DNF(c.Name, name) && repomd.DepMatches(r, repomd.Dep{Name: name}) {
					return true
				}
			}
		}
	}
	return false
}

// hasFile reports whether p holds a file matching pattern (a glob). The
// relative paths of source packages' files are rooted, as libsolv does.
func hasFile(p *repomd.Package, pattern string) bool {
	for _, f := range p.Files {
		name := f.Path
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		if name == pattern || glob.DNF(pattern, name) {
			return true
		}
	}
	return false
}

func anyCap(caps []repomd.Dep, f func(repomd.Dep) bool) bool {
	for _, c := range caps {
		if f(c) {
			return true
		}
	}
	return false
}

// providesCap is Package.Satisfies, plus dnf's globs: a capability
// without a version whose name has *, ? or [ matches provide names and
// file paths by pattern.
func providesCap(p *repomd.Package, c repomd.Dep) bool {
	if c.Flags != repomd.DepAny || !strings.ContainsAny(c.Name, "*?[") {
		return p.Satisfies(c)
	}
	for _, d := range p.Provides {
		if glob.DNF(c.Name, d.Name) {
			return true
		}
	}
	return c.IsFileDep() && hasFile(p, c.Name)
}

// dnfNEVRA is dnf repoquery's default line: the epoch is always shown.
func dnfNEVRA(p *repomd.Package) string {
	e := p.Epoch
	if e == "" {
		e = "0"
	}
	return p.Name + "-" + e + ":" + p.Version + "-" + p.Release + "." + p.Arch
}

func lessPkg(a, b *repomd.Package) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if c := repomd.CompareEVR(a.EVR, b.EVR); c != 0 {
		return c < 0
	}
	return a.Arch < b.Arch
}

// latestPerNameArch keeps, of each name.arch, the packages with the n
// newest EVRs, or with n < 0 all but those, as dnf's --latest-limit.
func latestPerNameArch(pkgs []rqPackage, n int) []rqPackage {
	groups := map[string][]repomd.EVR{}
	for _, p := range pkgs {
		k := p.Name + "." + p.Arch
		groups[k] = append(groups[k], p.EVR)
	}
	for k, evrs := range groups {
		sort.Slice(evrs, func(i, j int) bool { return repomd.CompareEVR(evrs[i], evrs[j]) > 0 })
		uniq := evrs[:0]
		for i, e := range evrs {
			if i == 0 || repomd.CompareEVR(e, uniq[len(uniq)-1]) != 0 {
				uniq = append(uniq, e)
			}
		}
		groups[k] = uniq
	}
	out := pkgs[:0:0]
	for _, p := range pkgs {
		evrs := groups[p.Name+"."+p.Arch]
		rank := 0
		for rank < len(evrs) && repomd.CompareEVR(evrs[rank], p.EVR) != 0 {
			rank++
		}
		if (n > 0 && rank < n) || (n < 0 && rank >= -n) {
			out = append(out, p)
		}
	}
	return out
}

// matchesSpec applies one dnf package spec: name, name.arch, name-version,
// name-version-release, name-version-release.arch, each with or without
// "epoch:" before the version, with shell globs. With fold, spec must be
// lower case and the package is matched without regard to case.
func matchesSpec(p *repomd.Package, spec string, fold bool) bool {
	e := p.Epoch
	if e == "" {
		e = "0"
	}
	forms := [...]string{
		p.Name,
		p.Name + "." + p.Arch,
		p.Name + "-" + p.Version,
		p.Name + "-" + p.Version + "-" + p.Release,
		p.Name + "-" + p.Version + "-" + p.Release + "." + p.Arch,
		p.Name + "-" + e + ":" + p.Version,
		p.Name + "-" + e + ":" + p.Version + "-" + p.Release,
		p.Name + "-" + e + ":" + p.Version + "-" + p.Release + "." + p.Arch,
	}
	for _, f := range forms {
		if fold {
			f = strings.ToLower(f)
		}
		if f == spec {
			return true
		}
		if glob.DNF(spec, f) {
			return true
		}
	}
	return false
}

// qfPart is a literal or a %{tag} of a query format.
type qfPart struct {
	lit string
	tag string
}

// qfTags are dnf's query tags (its Package attributes) and a few more
// (nevra, fullnevra, nvr, location, path, checksum, buildhost, vendor).
// Like dnf, an absent value prints as "(none)", a list as its sorted
// distinct entries one per line, and buildtime as a UTC date.
var qfTags = map[string]func(p rqPackage) string{
	"name":              func(p rqPackage) string { return p.Name },
	"epoch":             func(p rqPackage) string { return orZero(p.Epoch) },
	"version":           func(p rqPackage) string { return p.Version },
	"release":           func(p rqPackage) string { return p.Release },
	"arch":              func(p rqPackage) string { return p.Arch },
	"evr":               func(p rqPackage) string { return p.EVR.String() },
	"nevra":             func(p rqPackage) string { return p.NEVRA() },
	"fullnevra":         func(p rqPackage) string { return dnfNEVRA(p.Package) },
	"nvr":               func(p rqPackage) string { return p.NVR() },
	"sourcerpm":         func(p rqPackage) string { return orNone(p.SourceRPM) },
	"source_name":       func(p rqPackage) string { return orNone(p.SourceName()) },
	"debug_name":        func(p rqPackage) string { return debugName(p.Name) },
	"source_debug_name": func(p rqPackage) string { return sourceOrName(p) + "-debuginfo" },
	"debugsource_name":  func(p rqPackage) string { return sourceOrName(p) + "-debugsource" },
	"location":          func(p rqPackage) string { return p.Location },
	"summary":           func(p rqPackage) string { return p.Summary },
	"description":       func(p rqPackage) string { return p.Description },
	"url":               func(p rqPackage) string { return orNone(p.URL) },
	"license":           func(p rqPackage) string { return p.License },
	"packager":          func(p rqPackage) string { return orNone(p.Packager) },
	"vendor":            func(p rqPackage) string { return p.Vendor },
	"buildhost":         func(p rqPackage) string { return p.BuildHost },
	"size":              func(p rqPackage) string { return strconv.FormatInt(p.SizePackage, 10) },
	"downloadsize":      func(p rqPackage) string { return strconv.FormatInt(p.SizePackage, 10) },
	"installsize":       func(p rqPackage) string { return strconv.FormatInt(p.SizeInstalled, 10) },
	"buildtime":         func(p rqPackage) string { return dnfTime(p.TimeBuild) },
	"installtime":       func(p rqPackage) string { return "" }, // never installed
	"from_repo":         func(p rqPackage) string { return "" },
	"checksum":          func(p rqPackage) string { return p.Checksum.Value },
	"repoid":            func(p rqPackage) string { return p.repo.Location },
	"reponame":          func(p rqPackage) string { return p.repo.Location },
	"path":              func(p rqPackage) string { return p.repo.PackagePath(p.Package) },
	"provides":          func(p rqPackage) string { return depLines(p.Provides) },
	"requires":          func(p rqPackage) string { return depLines(p.Requires) },
	"conflicts":         func(p rqPackage) string { return depLines(p.Conflicts) },
	"obsoletes":         func(p rqPackage) string { return depLines(p.Obsoletes) },
	"recommends":        func(p rqPackage) string { return depLines(p.Recommends) },
	"suggests":          func(p rqPackage) string { return depLines(p.Suggests) },
	"supplements":       func(p rqPackage) string { return depLines(p.Supplements) },
	"enhances":          func(p rqPackage) string { return depLines(p.Enhances) },
	"files":             fileLines,
}

func orZero(e string) string {
	if e == "" {
		return "0"
	}
	return e
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// debugName is dnf's Package.debug_name.
func debugName(name string) string {
	if strings.HasSuffix(name, "-debuginfo") {
		return name
	}
	return strings.TrimSuffix(name, "-debugsource") + "-debuginfo"
}

// sourceOrName is the source package's name, or for a source package its
// own (dnf's source_debug_name and debugsource_name).
func sourceOrName(p rqPackage) string {
	if n := p.SourceName(); n != "" {
		return n
	}
	return p.Name
}

// dnfTime renders a timestamp as dnf's query tags do.
func dnfTime(t int64) string {
	if t <= 0 {
		return ""
	}
	return time.Unix(t, 0).UTC().Format("2006-01-02 15:04")
}

func depLines(deps []repomd.Dep) string {
	s := make([]string, 0, len(deps))
	for _, d := range deps {
		s = append(s, d.String())
	}
	return sortedLines(s)
}

func fileLines(p rqPackage) string {
	s := make([]string, 0, len(p.Files))
	for _, f := range p.Files {
		// libsolv roots the relative paths of source packages' files.
		if !strings.HasPrefix(f.Path, "/") {
			s = append(s, "/"+f.Path)
			continue
		}
		s = append(s, f.Path)
	}
	return sortedLines(s)
}

// sortedLines joins the distinct strings, sorted, one per line.
func sortedLines(s []string) string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return strings.Join(out, "\n")
}

// parseQueryFormat reads dnf's query format: %{tag} or %N{tag} / %-N{tag}
// with a width (dnf pads N to the left of the value, -N to its right:
// the reverse of rpm), and the \n and \t escapes. A '%' not starting a
// tag is literal, as in dnf.
func parseQueryFormat(f string) ([]qfPart, error) {
	f = strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(f)
	var parts []qfPart
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		j := i + 1
		if j < len(f) && f[j] == '-' {
			j++
		}
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		end := -1
		if j < len(f) && f[j] == '{' {
			end = strings.IndexByte(f[j:], '}')
		}
		if end < 0 {
			lit.WriteByte(c)
			continue
		}
		width := f[i+1 : j]
		tag := strings.ToLower(f[j+1 : j+end])
		if _, ok := qfTags[tag]; !ok {
			return nil, fmt.Errorf("--queryformat: unknown tag %%{%s}", tag)
		}
		if lit.Len() > 0 {
			parts = append(parts, qfPart{lit: lit.String()})
			lit.Reset()
		}
		parts = append(parts, qfPart{tag: tag, lit: width})
		i = j + end
	}
	if lit.Len() > 0 {
		parts = append(parts, qfPart{lit: lit.String()})
	}
	return parts, nil
}

func formatPackage(parts []qfPart, p rqPackage) string {
	var b strings.Builder
	for _, part := range parts {
		if part.tag == "" {
			b.WriteString(part.lit)
			continue
		}
		v := qfTags[part.tag](p)
		if n, err := strconv.Atoi(part.lit); err == nil && n != 0 {
			// dnf turns %N into Python's {:<N} and %-N into {:>N}.
			if n > 0 {
				v = fmt.Sprintf("%-*s", n, v)
			} else {
				v = fmt.Sprintf("%*s", -n, v)
			}
		}
		b.WriteString(v)
	}
	return b.String()
}

type rqJSON struct {
	Name      string    `json:"name"`
	Epoch     string    `json:"epoch"`
	Version   string    `json:"version"`
	Release   string    `json:"release"`
	Arch      string    `json:"arch"`
	NEVRA     string    `json:"nevra"`
	Repo      string    `json:"repo"`
	Location  string    `json:"location"`
	SourceRPM string    `json:"sourcerpm"`
	Provides  *[]string `json:"provides,omitempty"` // present (maybe []) only when asked for
	Requires  *[]string `json:"requires,omitempty"`
}

func writeRepoqueryJSON(w io.Writer, sel []rqPackage, o repoqueryOptions) error {
	out := make([]rqJSON, 0, len(sel))
	for _, p := range sel {
		j := rqJSON{Name: p.Name, Epoch: orZero(p.Epoch), Version: p.Version, Release: p.Release, Arch: p.Arch,
			NEVRA: p.NEVRA(), Repo: p.repo.Location, Location: p.Location, SourceRPM: p.SourceRPM}
		if o.provides {
			l := depStrings(p.Provides)
			j.Provides = &l
		}
		if o.requires {
			l := depStrings(p.Requires)
			j.Requires = &l
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// depStrings renders entries; an asked-for empty list stays [] in JSON.
func depStrings(deps []repomd.Dep) []string {
	s := make([]string, 0, len(deps))
	for _, d := range deps {
		s = append(s, d.String())
	}
	return s
}
