package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/depsolve/query"
	"github.com/pungo/pungo/repomd"
)

func init() {
	register(&command{name: "repoquery", summary: "query packages of rpm-md repositories (like dnf repoquery)", run: runRepoquery})
}

// quietGC turns the collector off for this short-lived process (repoquery,
// repoclosure): what a query loads stays live until exit, so collecting only costs time (the
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

type repoqueryOptions struct {
	repos, arches, whatProvides, whatRequires stringList
	latest, provides, requires, count, asJSON bool
	exactDeps, resolve                        bool
	cacheDir                                  string
	latestLimit                               int
	queryFormat                               string
	specs                                     []string
}

func runRepoquery(args []string) int {
	const name = "repoquery"
	var o repoqueryOptions
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Var(&o.repos, "repo", "repository directory or URL (repeatable)")
	cacheDirFlag(fs, &o.cacheDir)
	fs.Var(&o.arches, "arch", "only these architectures (comma list, repeatable)")
	fs.BoolVar(&o.latest, "latest", false, "only the latest version of each name.arch (--latest-limit 1)")
	fs.IntVar(&o.latestLimit, "latest-limit", 0, "only the N latest versions of each name.arch (N < 0: all but the N latest)")
	fs.BoolVar(&o.provides, "provides", false, "print the provides of the selected packages")
	fs.BoolVar(&o.requires, "requires", false, "print the requires of the selected packages")
	fs.Var(&o.whatProvides, "whatprovides", "packages providing CAP (\"foo\", \"foo >= 1.2\", a file path; a name or path with * ? [ is a glob); comma list, repeatable")
	fs.Var(&o.whatRequires, "whatrequires", "packages requiring CAP, or requiring what the packages CAP names provide (as dnf); comma list, repeatable")
	fs.BoolVar(&o.exactDeps, "exactdeps", false, "with --whatrequires, match the capabilities only, without resolving them as package specs")
	fs.BoolVar(&o.resolve, "resolve", false, "with --provides or --requires, print the packages providing those capabilities (the newest of each name.arch, as dnf) instead of the capabilities")
	fs.BoolVar(&o.count, "count", false, "print the number of selected packages alone")
	fs.BoolVar(&o.asJSON, "json", false, "print a JSON array of package objects")
	fs.StringVar(&o.queryFormat, "queryformat", "", "format each package as dnf does: %{name} %{epoch} %{version} %{release} %{arch} %{evr} %{sourcerpm} %{location} %{summary} %{size} %{provides} …")
	fs.StringVar(&o.queryFormat, "qf", "", "shorthand for --queryformat")
	// dnf accepts -a/--all for "every package", which is what no SPEC
	// selects anyway; accepted so dnf command lines work unchanged.
	var all bool
	fs.BoolVar(&all, "all", false, "query all packages (dnf's --all; the default without SPECs)")
	fs.BoolVar(&all, "a", false, "shorthand for --all")
	modules := fs.Bool("modules", false, "list the repositories' module streams as dnf module list does (with --json: name, stream, version, contexts, default, profiles)")
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
	if o.resolve && !o.provides && !o.requires {
		return fail(name, errors.New("--resolve needs --provides or --requires (the capabilities to resolve)"))
	}
	if *modules {
		if err := repoqueryModules(os.Stdout, o.repos, o.asJSON); err != nil {
			return fail(name, err)
		}
		return 0
	}
	if err := repoquery(os.Stdout, o); err != nil {
		return fail(name, err)
	}
	return 0
}

// repoquery loads the repositories into one pool, lets the query engine
// (depsolve/query) select packages and prints them.
func repoquery(w io.Writer, o repoqueryOptions) error {
	var format query.Format
	if o.queryFormat != "" {
		var err error
		if format, err = query.ParseFormat(o.queryFormat); err != nil {
			return err
		}
	}
	q, err := query.Compile(query.Options{
		Specs: o.specs, Arches: o.arches, WhatProvides: o.whatProvides, WhatRequires: o.whatRequires,
		ExactDeps: o.exactDeps, LatestLimit: o.latestLimit, LoadFiles: format.NeedsFiles(),
	})
	if err != nil {
		return err
	}
	pool, err := loadRepoqueryPool(withCacheDir(context.Background(), "repoquery", o.cacheDir), o.repos)
	if err != nil {
		return err
	}
	sel, err := q.Run(pool)
	if err != nil {
		return err
	}
	if o.resolve {
		// The selected packages' capabilities, resolved to the packages
		// providing them; those are printed as any selection is.
		var deps []repomd.Dep
		for _, id := range sel {
			p := pool.Pkg(id)
			if o.provides {
				deps = append(deps, p.Provides.Slice()...)
			}
			if o.requires {
				deps = append(deps, p.Requires.Slice()...)
			}
		}
		// dnf's default module view (default streams active) for the
		// providers, as dnf resolves in a module-filtered query.
		if _, err := pool.HideInactiveModules(); err != nil {
			return err
		}
		if sel, err = q.Resolve(pool, deps); err != nil {
			return err
		}
		o.provides, o.requires = false, false
	}
	switch {
	case o.count:
		// dnf prints the set of formatted packages: a package listed
		// twice in primary (libsolv keeps both solvables) or in two
		// repositories is one line, so it counts once here too.
		seen := map[string]bool{}
		for _, id := range sel {
			seen[query.DNFNEVRA(pool.Pkg(id))] = true
		}
		_, err := fmt.Fprintln(w, len(seen))
		return err
	case o.asJSON:
		return writeRepoqueryJSON(w, pool, sel, o)
	}
	var lines []string
	for _, id := range sel {
		p := pool.Pkg(id)
		switch {
		case o.provides || o.requires:
			if o.provides {
				lines = append(lines, query.DepStrings(p.Provides)...)
			}
			if o.requires {
				lines = append(lines, query.DepStrings(p.Requires)...)
			}
		case format != nil:
			lines = append(lines, format.Render(pool, id))
		default:
			lines = append(lines, query.DNFNEVRA(p))
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

// loadRepoqueryPool reads the repositories' primary metadata into one
// pool, in the order given (the same location may be given twice). Unlike
// depsolve and repoclosure, modular packages stay visible, as with dnf
// repoquery --disable-modular-filtering.
func loadRepoqueryPool(ctx context.Context, locations []string) (*depsolve.Pool, error) {
	repos := make([]*depsolve.Repo, 0, len(locations))
	for i, loc := range locations {
		r, err := repomd.OpenContext(ctx, loc)
		if err != nil {
			return nil, err
		}
		repos = append(repos, depsolve.RepoFrom(strconv.Itoa(i), r, false))
	}
	return depsolve.NewPool(repos)
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

func writeRepoqueryJSON(w io.Writer, pool *depsolve.Pool, sel []depsolve.PkgID, o repoqueryOptions) error {
	out := make([]rqJSON, 0, len(sel))
	for _, id := range sel {
		p := pool.Pkg(id)
		epoch := p.Epoch
		if epoch == "" {
			epoch = "0"
		}
		j := rqJSON{Name: p.Name, Epoch: epoch, Version: p.Version, Release: p.Release, Arch: p.Arch,
			NEVRA: p.NEVRA(), Repo: pool.RepoOf(id).Source.Location, Location: p.Location, SourceRPM: p.SourceRPM}
		if o.provides {
			l := query.DepStrings(p.Provides)
			j.Provides = &l
		}
		if o.requires {
			l := query.DepStrings(p.Requires)
			j.Requires = &l
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
