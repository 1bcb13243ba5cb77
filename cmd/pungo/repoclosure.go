package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/pungo/pungo/depsolve"
)

func init() {
	register(&command{
		name:    "repoclosure",
		summary: "report unresolvable requirements in repositories (dnf repoclosure)",
		run:     runRepoclosure,
	})
}

type repoclosureJSON struct {
	NEVRA      string   `json:"nevra"`
	Repo       string   `json:"repo"`
	Unresolved []string `json:"unresolved"`
}

func runRepoclosure(args []string) int {
	const name = "repoclosure"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pungo repoclosure --repo [ID=]DIR|URL [--lookaside [ID=]DIR|URL] [--arch ARCH] [--check ID] [--module-hotfixes] [--json]\n\n"+
			"Reports every requirement no available package provides, as dnf repoclosure\n"+
			"does. The main repositories are checked (or those named by --check); lookaside\n"+
			"repositories only provide. Exit status 1 when something is unresolved.\n\n")
		fs.PrintDefaults()
	}
	var repos, lookaside, arches, check stringList
	fs.Var(&repos, "repo", "repository `[ID=]DIR|URL` to check (repeatable)")
	fs.Var(&lookaside, "lookaside", "repository `[ID=]DIR|URL` that only provides (repeatable)")
	fs.Var(&arches, "arch", "check only packages of `ARCH` (repeatable); the first one also decides which arches can provide")
	fs.Var(&check, "check", "check only repository `ID` (repeatable)")
	best := fs.Bool("best", false, "only the latest version of each name.arch provides (dnf with best=True)")
	asJSON := fs.Bool("json", false, "print JSON")
	var cacheDir string
	cacheDirFlag(fs, &cacheDir)
	hotfixes := fs.Bool("module-hotfixes", false, "see every package, as with module_hotfixes=True (default: dnf's view, where only default module streams are active)")
	if err := parseFlags(fs, args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		return fail(name, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if len(repos) == 0 {
		return fail(name, fmt.Errorf("no --repo given"))
	}
	quietGC() // short-lived as repoquery: what it loads stays live to the end
	pool, err := loadPool(withCacheDir(context.Background(), name, cacheDir), repos, lookaside)
	if err != nil {
		return fail(name, err)
	}
	if !*hotfixes {
		// dnf repoclosure sees modular packages as dnf does without module
		// state: the default streams are active.
		if _, err := pool.HideInactiveModules(); err != nil {
			return fail(name, err)
		}
	}
	rs := pool.Repos
	opts := depsolve.ClosureOptions{Arches: arches, Check: check, Best: *best}
	if len(check) == 0 {
		for _, r := range rs {
			if !r.Lookaside {
				opts.Check = append(opts.Check, r.ID)
			}
		}
	} else {
		known := map[string]bool{}
		for _, r := range rs {
			known[r.ID] = true
		}
		for _, c := range check {
			if !known[c] {
				return fail(name, fmt.Errorf("--check %s: no repository has that id", c))
			}
		}
	}
	unresolved, err := depsolve.Repoclosure(pool, opts)
	if err != nil {
		return fail(name, err)
	}
	if *asJSON {
		out := make([]repoclosureJSON, 0, len(unresolved))
		for _, u := range unresolved {
			out = append(out, repoclosureJSON{NEVRA: u.Pkg.NEVRA(), Repo: u.Repo.ID, Unresolved: u.Deps})
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(name, err)
		}
	} else {
		total := 0
		for _, u := range unresolved {
			fmt.Printf("package: %s from %s\n  unresolved deps (%d):\n", u.Pkg.NEVRA(), u.Repo.ID, len(u.Deps))
			for _, d := range u.Deps {
				fmt.Printf("    %s\n", d)
			}
			total += len(u.Deps)
		}
		if len(unresolved) > 0 {
			fmt.Fprintf(os.Stderr, "Repoclosure ended with unresolved dependencies (%d) across %d packages.\n", total, len(unresolved))
		}
	}
	if len(unresolved) > 0 {
		return 1
	}
	return 0
}
