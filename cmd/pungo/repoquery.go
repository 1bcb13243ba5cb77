package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

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
	queryFormat                               string
	specs                                     []string
}

func runRepoquery(args []string) int {
	const name = "repoquery"
	var o repoqueryOptions
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Var(&o.repos, "repo", "repository directory or URL (repeatable)")
	fs.Var(&o.arches, "arch", "only these architectures (comma list, repeatable)")
	fs.BoolVar(&o.latest, "latest", false, "only the latest version of each name.arch")
	fs.BoolVar(&o.provides, "provides", false, "print the provides of the selected packages")
	fs.BoolVar(&o.requires, "requires", false, "print the requires of the selected packages")
	fs.Var(&o.whatProvides, "whatprovides", "packages providing CAP (\"foo\", \"foo >= 1.2\", a file path; a name or path with * ? [ is a glob); repeatable")
	fs.Var(&o.whatRequires, "whatrequires", "packages requiring CAP; repeatable")
	fs.BoolVar(&o.count, "count", false, "print the number of selected packages alone")
	fs.BoolVar(&o.asJSON, "json", false, "print a JSON array of package objects")
	fs.StringVar(&o.queryFormat, "queryformat", "", "format each package with %{name} %{epoch} %{version} %{release} %{arch} %{nevra} %{sourcerpm} %{location} %{summary} %{size} …")
	fs.StringVar(&o.queryFormat, "qf", "", "shorthand for --queryformat")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo repoquery --repo DIR|URL [--repo …] [options] [SPEC…]\n\n"+
			"SPEC selects packages by name, name.arch, name-version[-release[.arch]] or\n"+
			"name-epoch:version-release.arch, with shell globs. Default output: one\n"+
			"name-epoch:version-release.arch per line, sorted, as dnf repoquery prints.\n\nOptions:\n")
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
	needFiles     bool
}

func repoquery(w io.Writer, o repoqueryOptions) error {
	q, err := compileQuery(o)
	if err != nil {
		return err
	}
	pkgs, err := loadRepoquery(o.repos, q.needFiles)
	if err != nil {
		return err
	}
	return q.run(w, pkgs)
}

func compileQuery(o repoqueryOptions) (*compiledQuery, error) {
	q := &compiledQuery{o: o, arches: map[string]bool{}}
	for _, c := range o.whatProvides {
		d, err := repomd.ParseDep(c)
		if err != nil {
			return nil, fmt.Errorf("--whatprovides: %v", err)
		}
		if d.IsFileDep() {
			q.needFiles = true
		}
		q.caps = append(q.caps, d)
	}
	for _, c := range o.whatRequires {
		d, err := repomd.ParseDep(c)
		if err != nil {
			return nil, fmt.Errorf("--whatrequires: %v", err)
		}
		q.reqCaps = append(q.reqCaps, d)
	}
	for _, a := range o.arches {
		for _, x := range strings.Split(a, ",") {
			if x = strings.TrimSpace(x); x != "" {
				q.arches[x] = true
			}
		}
	}
	if o.queryFormat != "" {
		var err error
		if q.format, err = parseQueryFormat(o.queryFormat); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// loadRepoquery reads the repositories' primary metadata, and filelists
// when file paths are asked about.
func loadRepoquery(locations []string, needFiles bool) ([]rqPackage, error) {
	var pkgs []rqPackage
	for _, loc := range locations {
		r, err := repomd.Open(loc)
		if err != nil {
			return nil, err
		}
		if needFiles {
			// A repository without filelists answers from primary's files.
			if _, ok := r.Record("filelists"); ok {
				if err := r.LoadFilelists(); err != nil {
					return nil, err
				}
			}
		}
		for _, p := range r.Packages {
			pkgs = append(pkgs, rqPackage{p, r})
		}
	}
	return pkgs, nil
}

func (q *compiledQuery) run(w io.Writer, pkgs []rqPackage) error {
	o, caps, reqCaps, arches, format := q.o, q.caps, q.reqCaps, q.arches, q.format
	sel := pkgs[:0:0]
	for _, p := range pkgs {
		if len(arches) > 0 && !arches[p.Arch] {
			continue
		}
		if len(o.specs) > 0 && !matchesAnySpec(p.Package, o.specs) {
			continue
		}
		if len(caps) > 0 && !anyCap(caps, func(c repomd.Dep) bool { return providesCap(p.Package, c) }) {
			continue
		}
		if len(reqCaps) > 0 && !requiresAny(p.Package, reqCaps) {
			continue
		}
		sel = append(sel, p)
	}
	if o.latest {
		sel = latestPerNameArch(sel)
	}
	sort.SliceStable(sel, func(i, j int) bool { return lessPkg(sel[i].Package, sel[j].Package) })

	switch {
	case o.count:
		_, err := fmt.Fprintln(w, len(sel))
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
		if ok, _ := path.Match(c.Name, d.Name); ok {
			return true
		}
	}
	if c.IsFileDep() {
		for _, f := range p.Files {
			if ok, _ := path.Match(c.Name, f.Path); ok {
				return true
			}
		}
	}
	return false
}

func requiresAny(p *repomd.Package, caps []repomd.Dep) bool {
	for _, r := range p.Requires {
		for _, c := range caps {
			if repomd.DepMatches(r, c) {
				return true
			}
		}
	}
	return false
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

func latestPerNameArch(pkgs []rqPackage) []rqPackage {
	best := map[string]int{}
	var order []string
	for i, p := range pkgs {
		k := p.Name + "." + p.Arch
		j, ok := best[k]
		if !ok {
			best[k] = i
			order = append(order, k)
			continue
		}
		if repomd.CompareEVR(p.EVR, pkgs[j].EVR) > 0 {
			best[k] = i
		}
	}
	out := make([]rqPackage, 0, len(order))
	for _, k := range order {
		out = append(out, pkgs[best[k]])
	}
	return out
}

// matchesAnySpec applies dnf's package spec forms with globs: name,
// name.arch, name-version, name-version-release, name-version-release.arch,
// with or without "epoch:" before the version.
func matchesAnySpec(p *repomd.Package, specs []string) bool {
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
	for _, s := range specs {
		for _, f := range forms {
			if ok, _ := path.Match(s, f); ok {
				return true
			}
		}
	}
	return false
}

// qfPart is a literal or a %{tag} of a query format.
type qfPart struct {
	lit string
	tag string
}

var qfTags = map[string]func(p rqPackage) string{
	"name":        func(p rqPackage) string { return p.Name },
	"epoch":       func(p rqPackage) string { return orZero(p.Epoch) },
	"version":     func(p rqPackage) string { return p.Version },
	"release":     func(p rqPackage) string { return p.Release },
	"arch":        func(p rqPackage) string { return p.Arch },
	"evr":         func(p rqPackage) string { return p.EVR.String() },
	"nevra":       func(p rqPackage) string { return p.NEVRA() },
	"fullnevra":   func(p rqPackage) string { return dnfNEVRA(p.Package) },
	"nvr":         func(p rqPackage) string { return p.NVR() },
	"sourcerpm":   func(p rqPackage) string { return p.SourceRPM },
	"source_name": func(p rqPackage) string { return p.SourceName() },
	"location":    func(p rqPackage) string { return p.Location },
	"summary":     func(p rqPackage) string { return p.Summary },
	"description": func(p rqPackage) string { return p.Description },
	"url":         func(p rqPackage) string { return p.URL },
	"license":     func(p rqPackage) string { return p.License },
	"packager":    func(p rqPackage) string { return p.Packager },
	"vendor":      func(p rqPackage) string { return p.Vendor },
	"buildhost":   func(p rqPackage) string { return p.BuildHost },
	"size":        func(p rqPackage) string { return strconv.FormatInt(p.SizePackage, 10) },
	"installsize": func(p rqPackage) string { return strconv.FormatInt(p.SizeInstalled, 10) },
	"buildtime":   func(p rqPackage) string { return strconv.FormatInt(p.TimeBuild, 10) },
	"checksum":    func(p rqPackage) string { return p.Checksum.Value },
	"repoid":      func(p rqPackage) string { return p.repo.Location },
	"reponame":    func(p rqPackage) string { return p.repo.Location },
	"path":        func(p rqPackage) string { return p.repo.PackagePath(p.Package) },
}

func orZero(e string) string {
	if e == "" {
		return "0"
	}
	return e
}

// parseQueryFormat reads %{tag} references (an optional "-N" or "N" width
// as in rpm, e.g. %-20{name}, is accepted) and the \n, \t and \\ escapes.
func parseQueryFormat(f string) ([]qfPart, error) {
	var parts []qfPart
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '\\' && i+1 < len(f):
			i++
			switch f[i] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			case '\\':
				lit.WriteByte('\\')
			default:
				lit.WriteByte('\\')
				lit.WriteByte(f[i])
			}
		case c == '%' && i+1 < len(f) && f[i+1] == '%':
			lit.WriteByte('%')
			i++
		case c == '%':
			j := i + 1
			for j < len(f) && (f[j] == '-' || (f[j] >= '0' && f[j] <= '9')) {
				j++
			}
			if j >= len(f) || f[j] != '{' {
				return nil, fmt.Errorf("--queryformat %q: '%%' at offset %d is not followed by {tag}", f, i)
			}
			end := strings.IndexByte(f[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("--queryformat %q: unterminated %%{", f)
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
		default:
			lit.WriteByte(c)
		}
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
		if part.lit != "" {
			if n, err := strconv.Atoi(part.lit); err == nil {
				if n < 0 {
					v = fmt.Sprintf("%-*s", -n, v)
				} else {
					v = fmt.Sprintf("%*s", n, v)
				}
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
