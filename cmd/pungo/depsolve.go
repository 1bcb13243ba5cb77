package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/depsolve/installcheck"
	"github.com/pungo/pungo/repomd/modulemd"
)

func init() {
	register(&command{
		name:    "depsolve",
		summary: "gather packages with Pungi's semantics (pungi-gather)",
		run:     runDepsolve,
	})
}

// depsolveArgs parses flags placed anywhere among the arguments. Input
// patterns may start with "-" (excludes), so after the first pattern only
// arguments starting with "--" are taken as flags; "--" ends the flags.
func depsolveArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var patterns []string
	rest := args
	for len(rest) > 0 {
		if err := parseFlags(fs, rest); err != nil {
			return nil, err
		}
		left := fs.Args()
		consumed := len(rest) - len(left)
		if consumed > 0 && rest[consumed-1] == "--" {
			return append(patterns, left...), nil
		}
		i := 0
		for i < len(left) && !strings.HasPrefix(left[i], "--") {
			patterns = append(patterns, left[i])
			i++
		}
		if i < len(left) && left[i] == "--" {
			return append(patterns, left[i+1:]...), nil
		}
		rest = left[i:]
	}
	return patterns, nil
}

// readComps returns the comps of the given file, or else of every
// repository's group metadata (depsolve.RepoComps).
func readComps(file string, repos []*depsolve.Repo) ([]*comps.Comps, error) {
	if file == "" {
		return depsolve.RepoComps(repos)
	}
	c, err := comps.ParseFile(file)
	if err != nil {
		return nil, err
	}
	return []*comps.Comps{c}, nil
}

// compsInputs returns the conditional packages of the named groups and the
// langpacks table, expanded by the same library code as the compose's
// gather phase (depsolve.ExpandGroups, depsolve.CompsLangpacks).
func compsInputs(cs []*comps.Comps, groups []string) ([]depsolve.Conditional, []depsolve.Langpack, error) {
	in := depsolve.ExpandGroups(cs, groups)
	if len(in.Missing) > 0 {
		return nil, nil, fmt.Errorf("group %q is not in the comps", in.Missing[0])
	}
	return in.Conditional, depsolve.CompsLangpacks(cs), nil
}

type depsolveJSONItem struct {
	NEVRA string   `json:"nevra"`
	File  string   `json:"file"`
	Flags []string `json:"flags"`
	Repo  string   `json:"repo"`
}

type depsolveJSON struct {
	RPM        []depsolveJSONItem `json:"rpm"`
	SRPM       []depsolveJSONItem `json:"srpm"`
	Debuginfo  []depsolveJSONItem `json:"debuginfo"`
	BrokenDeps []string           `json:"broken_deps"`
}

func depsolveItem(it depsolve.Item) depsolveJSONItem {
	return depsolveJSONItem{NEVRA: it.Pkg.NEVRA(), File: it.Pkg.FileName(), Flags: it.Flags.Names(), Repo: it.Repo.ID}
}

// writeDepsolveJSON writes res as a depsolveJSON document, exactly as
// json.Encoder with a two-space indent would, but one package at a time:
// encoding the whole document first held it twice in memory (compact,
// then indented), about 6 MB of the CentOS Stream 9 depsolve's peak RSS.
func writeDepsolveJSON(w io.Writer, res *depsolve.Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	broken := make([]string, len(res.Broken))
	for i, b := range res.Broken {
		broken[i] = b.String()
	}
	fields := []struct {
		key  string
		n    int
		elem func(i int) any
	}{
		{"rpm", len(res.RPM), func(i int) any { return depsolveItem(res.RPM[i]) }},
		{"srpm", len(res.SRPM), func(i int) any { return depsolveItem(res.SRPM[i]) }},
		{"debuginfo", len(res.Debuginfo), func(i int) any { return depsolveItem(res.Debuginfo[i]) }},
		{"broken_deps", len(broken), func(i int) any { return broken[i] }},
	}
	bw.WriteString("{\n")
	for f, field := range fields {
		bw.WriteString("  \"" + field.key + "\": [")
		for i := range field.n {
			b, err := json.MarshalIndent(field.elem(i), "    ", "  ")
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(b)
		}
		if field.n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteByte(']')
		if f < len(fields)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func runDepsolve(args []string) int {
	const name = "depsolve"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pungo depsolve --repo [ID=]DIR|URL [options] [--] PATTERN... [-EXCLUDE...]\n\n"+
			"Gathers packages as Pungi's gather does (pungi-gather). Patterns are package\n"+
			"name globs, NAME.ARCH, NAME.+ (multilib), debug names; -PATTERN excludes.\n"+
			"Lookaside repositories are loaded before the main ones.\n\n")
		fs.PrintDefaults()
	}
	var repos, lookaside, ftExcludes, methods, blacklist, whitelist, prepop, groups stringList
	fs.Var(&repos, "repo", "main repository `[ID=]DIR|URL` (repeatable)")
	fs.Var(&lookaside, "lookaside", "lookaside repository `[ID=]DIR|URL` (repeatable)")
	arch := fs.String("arch", "x86_64", "tree `ARCH`")
	greedy := fs.String("greedy", "none", "greedy `METHOD`: none, all or build")
	fulltree := fs.Bool("fulltree", false, "add all binaries built from the same source packages")
	fs.Var(&ftExcludes, "fulltree-exclude", "source package `NAME` fulltree leaves alone (repeatable)")
	selfhosting := fs.Bool("selfhosting", false, "resolve build requirements of source packages")
	nodeps := fs.Bool("nodeps", false, "do not resolve dependencies")
	fs.Var(&methods, "multilib", "multilib `METHOD`: none, all, runtime, devel, kernel, yaboot (repeatable)")
	fs.Var(&blacklist, "multilib-blacklist", "`GLOB` of packages never added as multilib (repeatable)")
	fs.Var(&whitelist, "multilib-whitelist", "`NAME` glob always added as multilib (repeatable)")
	fs.Var(&prepop, "prepopulate", "`NAME.ARCH` added at the start (repeatable)")
	excludeSource := fs.Bool("exclude-source", false, "no source packages")
	excludeDebug := fs.Bool("exclude-debug", false, "no debuginfo/debugsource packages")
	fs.Var(&groups, "group", "comps group `ID` whose conditional packages apply (repeatable)")
	langpacks := fs.Bool("langpacks", false, "add the comps langpacks of result packages")
	compsFile := fs.String("comps", "", "comps `FILE` (default: the repositories' group metadata)")
	asJSON := fs.Bool("json", false, "print JSON")
	why := fs.String("why", "", "print why `NAME` (name or NEVRA) is in the result, back to an input")
	checkInstall := fs.Bool("check-install", false, "check that the gathered binary packages install together")
	var cacheDir string
	cacheDirFlag(fs, &cacheDir)
	var modules stringList
	fs.Var(&modules, "module", "enable module stream `NAME:STREAM` and solve as the hybrid gather method does: the stream's artifacts are included and resolved with it active, the input patterns with only default streams active (repeatable; default: nothing hidden, as pungi-gather)")

	hybrid := fs.Bool("hybrid", false, "apply the hybrid method's rules to the packages of active module streams: no multilib, debuginfo or langpacks for them, excludes and '*' globs spare them (implied by --module)")
	activeModules := fs.String("active-modules", "", "hide by the repositories' module metadata with exactly the `LIST` of NAME:STREAMs active (comma-separated; empty: none): other streams' artifacts and bare packages named like an active stream's are hidden; pungo gather --json gives a variant's list")

	patterns, err := depsolveArgs(fs, args)
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		return 2
	}
	if len(repos) == 0 {
		return fail(name, fmt.Errorf("no --repo given"))
	}
	activeSet := false
	fs.Visit(func(f *flag.Flag) { activeSet = activeSet || f.Name == "active-modules" })
	if activeSet && len(modules) > 0 {
		return fail(name, fmt.Errorf("--module and --active-modules exclude each other"))
	}
	pool, err := loadPool(withCacheDir(context.Background(), name, cacheDir), repos, lookaside)
	if err != nil {
		return fail(name, err)
	}
	if activeSet {
		var list []string
		for _, ns := range strings.Split(*activeModules, ",") {
			if ns = strings.TrimSpace(ns); ns != "" {
				list = append(list, ns)
			}
		}
		if _, err := pool.ApplyActiveModules(list); err != nil {
			return fail(name, fmt.Errorf("--active-modules: %w", err))
		}
	}
	opts := depsolve.Options{
		Arch:              *arch,
		Greedy:            *greedy,
		Fulltree:          *fulltree,
		FulltreeExcludes:  ftExcludes,
		Selfhosting:       *selfhosting,
		NoDeps:            *nodeps,
		ExcludeSource:     *excludeSource,
		ExcludeDebug:      *excludeDebug,
		MultilibMethods:   methods,
		MultilibBlacklist: blacklist,
		MultilibWhitelist: whitelist,
		Prepopulate:       prepop,
		HybridModules:     *hybrid,
	}
	// A named --comps file is read even when nothing uses it: a bad one is
	// the user's mistake to hear about, not to have ignored.
	if len(groups) > 0 || *langpacks || *compsFile != "" {
		cs, err := readComps(*compsFile, pool.Repos)
		if err != nil {
			return fail(name, err)
		}
		conds, langs, err := compsInputs(cs, groups)
		if err != nil {
			return fail(name, err)
		}
		opts.Conditional = conds
		if *langpacks {
			opts.Langpacks = langs
		}
	}
	var res *depsolve.Result
	if len(modules) > 0 {
		var x *modulemd.Index
		if x, err = pool.ModuleIndex(); err == nil {
			res, err = depsolve.GatherHybrid(pool, x, modules, patterns, opts)
		}
	} else {
		res, err = depsolve.Gather(pool, patterns, opts)
	}
	if err != nil {
		return fail(name, err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(os.Stderr, "pungo depsolve: warning: %s\n", w)
	}
	for _, b := range res.Broken {
		fmt.Fprintf(os.Stderr, "pungo depsolve: warning: Unresolvable dependency %s in %s\n", b.Req, b.Package)
	}

	code := 0
	switch {
	case *why != "":
		found := printWhy(os.Stdout, res, *why)
		printHidden(os.Stdout, res, *why)
		if !found {
			fmt.Fprintf(os.Stderr, "pungo depsolve: %s is not in the result\n", *why)
			code = 1
		}
	case *asJSON:
		if err := writeDepsolveJSON(os.Stdout, res); err != nil {
			return fail(name, err)
		}
	default:
		printGatherLines(os.Stdout, res)
	}
	if *checkInstall {
		ok, err := checkInstallable(os.Stdout, res, *arch)
		if err != nil {
			return fail(name, err)
		}
		if !ok {
			code = 1
		}
	}
	return code
}

// loadPool opens the repositories (with ctx's record cache, if any) into
// one pool.
func loadPool(ctx context.Context, repos, lookaside []string) (*depsolve.Pool, error) {
	rs, err := depsolve.OpenReposContext(ctx, repos, lookaside)
	if err != nil {
		return nil, err
	}
	pool, err := depsolve.NewPool(rs)
	if err != nil {
		return nil, err
	}
	// Nothing is hidden by module metadata: Pungi's gather adds every
	// repository with module_hotfixes=True. Callers apply a module view.
	return pool, nil
}

// packageURL is where pungi-gather says a package is: the repository's
// base location joined with the package location.
func packageURL(it depsolve.Item) string {
	if it.Repo.Source != nil {
		return it.Repo.Source.PackagePath(it.Pkg)
	}
	return it.Pkg.Location
}

// printGatherLines prints pungi-gather's output: "RPM(flags): location",
// then DEBUGINFO and SRPM lines; one line per location, flags merged
// (flag names with dashes, sorted).
func printGatherLines(w io.Writer, res *depsolve.Result) {
	for _, part := range []struct {
		tag   string
		items []depsolve.Item
	}{{"RPM", res.RPM}, {"DEBUGINFO", res.Debuginfo}, {"SRPM", res.SRPM}} {
		var order []string
		flags := map[string]depsolve.Flags{}
		for _, it := range part.items {
			u := packageURL(it)
			if _, ok := flags[u]; !ok {
				order = append(order, u)
			}
			flags[u] |= it.Flags
		}
		for _, u := range order {
			names := flags[u].Names()
			for i := range names {
				names[i] = strings.ReplaceAll(names[i], "_", "-")
			}
			sort.Strings(names)
			fmt.Fprintf(w, "%s(%s): %s\n", part.tag, strings.Join(names, ","), u)
		}
	}
}

// printWhy prints, for each result package called name, the chain of
// packages that pulled it in. It reports whether name was found.
func printWhy(w io.Writer, res *depsolve.Result, name string) bool {
	chains := res.Why(name)
	for n, chain := range chains {
		if n > 0 {
			fmt.Fprintln(w)
		}
		for depth, it := range chain {
			r := it.Reason
			line := fmt.Sprintf("%s%s (%s): %s", strings.Repeat("  ", depth), it.Pkg.NEVRA(), it.Repo.ID, r.StepName())
			if r.Dep != "" {
				line += " (Requires: " + r.Dep + ")"
			}
			if r.By >= 0 {
				if by := res.Item(r.By); by != nil {
					line += " pulled by " + by.Pkg.NEVRA()
				}
			}
			if f := it.Flags.String(); f != "" {
				line += " [" + f + "]"
			}
			if nsvc := res.Pool().ModuleOf(it.ID); nsvc != "" {
				line += " (artifact of " + nsvc + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	return len(chains) > 0
}

// printHidden prints the packages called name that are not in the
// result because module filtering kept them out of the pool's view, with
// the reason.
func printHidden(w io.Writer, res *depsolve.Result, name string) {
	pool := res.Pool()
	for _, id := range pool.HiddenNamed(name) {
		if res.Item(id) == nil {
			fmt.Fprintf(w, "%s (%s): excluded by module metadata: %s\n", pool.Pkg(id).NEVRA(), pool.RepoOf(id).ID, pool.HiddenWhy(id))
		}
	}
}

// checkInstallable asks installcheck whether the gathered binary packages
// install together, other providers coming from the result and the
// lookaside repositories, in the pool they were gathered from.
func checkInstallable(w io.Writer, res *depsolve.Result, arch string) (bool, error) {
	pool := res.Pool()
	var install, available []depsolve.PkgID
	for _, it := range res.RPM {
		install = append(install, it.ID)
		available = append(available, it.ID)
	}
	for id := depsolve.PkgID(0); int(id) < pool.Len(); id++ {
		if pool.IsLookaside(id) {
			available = append(available, id)
		}
	}
	ir, err := installcheck.CheckPool(pool, install, available, arch, installcheck.Options{Multiversion: installcheck.DefaultMultiversion})
	if err != nil {
		return false, err
	}
	if ir.Installable {
		fmt.Fprintf(w, "check-install(%s): %d packages install together\n", arch, len(install))
		return true, nil
	}
	fmt.Fprintf(w, "check-install(%s): NOT installable, %d problem(s):\n", arch, len(ir.Problems))
	for _, p := range ir.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
	return false, nil
}
