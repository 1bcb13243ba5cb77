package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/gather"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
)

func init() {
	register(&command{name: "gather", summary: "preview a compose's package lists per variant and arch (init, pkgset, gather)", run: runGather})
}

func runGather(args []string) int {
	batchGC()
	fs := flag.NewFlagSet("gather", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pungo gather --config FILE [--variant UID] [--arch ARCH] [--json] [--diff OLD_COMPOSE] [--why NAME]\n\n"+
			"Runs the init, pkgset and gather phases of a compose in memory and prints\n"+
			"the packages each variant and arch would contain. Nothing is written into a\n"+
			"compose; scratch files live in a temporary directory removed at exit.\n\n")
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "", "Pungi config `FILE` (required)")
	variant := fs.String("variant", "", "only this variant `UID`")
	arch := fs.String("arch", "", "only this tree `ARCH`")
	asJSON := fs.Bool("json", false, "print JSON (packages, flags, and the depsolver inputs)")
	diff := fs.String("diff", "", "compare with an existing compose `DIR` (its compose/metadata/rpms.json)")
	why := fs.String("why", "", "print why package `NAME` (name or NEVRA) is in each variant.arch, back to an input")
	var cacheDir string
	cacheDirFlag(fs, &cacheDir)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *cfgPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	var old *productmd.Rpms
	if *diff != "" {
		p := filepath.Join(*diff, "compose", "metadata", "rpms.json")
		data, err := os.ReadFile(p)
		if err != nil {
			return fail("gather", fmt.Errorf("--diff: %w", err))
		}
		if old, err = productmd.ReadRpms(data, p); err != nil {
			return fail("gather", err)
		}
	}
	c, res, cleanup, err := planGather(withCacheDir(context.Background(), "gather", cacheDir), *cfgPath)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return fail("gather", err)
	}
	keys := selectedKeys(c, *variant, *arch)
	if len(keys) == 0 {
		return fail("gather", fmt.Errorf("no variant.arch matches --variant %q --arch %q", *variant, *arch))
	}
	switch {
	case *why != "":
		found := false
		for _, k := range keys {
			inKey := false
			for _, src := range []string{"module", "comps", "json"} {
				r := res.Depsolved[k.uid+"."+k.arch+"."+src]
				if r == nil {
					continue
				}
				var b strings.Builder
				in := printWhy(&b, r, *why)
				// Packages of the name the variant's module view kept out.
				printHidden(&b, r, *why)
				if b.Len() == 0 {
					continue
				}
				fmt.Printf("%s.%s (%s):\n%s", k.uid, k.arch, src, b.String())
				inKey = inKey || in
			}
			// A source gathered with the nodeps method (the module
			// source usually is) has no depsolver result: its entries
			// carry their reason.
			if !inKey {
				inKey = printEntryWhy(os.Stdout, k, res.Get(k.arch, k.uid), *why)
			}
			found = found || inKey
		}
		if !found {
			fmt.Fprintf(os.Stderr, "pungo gather: %s is not gathered in any selected variant.arch\n", *why)
			return 1
		}
		return 0
	case old != nil:
		changed := printDiff(os.Stdout, res, old, keys, *asJSON)
		if changed {
			return 1
		}
		return 0
	case *asJSON:
		return printGatherJSON(os.Stdout, res, keys)
	}
	for _, k := range keys {
		pm := res.Get(k.arch, k.uid)
		fmt.Printf("%s.%s:\n", k.uid, k.arch)
		for _, t := range gather.Types {
			fmt.Printf("  %s:\n", t)
			for _, e := range sortedEntries(pm[t]) {
				line := "    " + e.Pkg.NEVRA()
				if len(e.Flags) > 0 {
					line += " [" + strings.Join(e.Flags, ",") + "]"
				}
				fmt.Println(line)
			}
		}
	}
	return 0
}

type variantArch struct{ uid, arch string }

func selectedKeys(c *compose.Compose, uid, arch string) []variantArch {
	var out []variantArch
	for _, a := range c.Arches() {
		if arch != "" && a != arch {
			continue
		}
		for _, v := range c.GetVariants(nil, a) {
			if uid != "" && v.UID != uid {
				continue
			}
			out = append(out, variantArch{v.UID, a})
		}
	}
	return out
}

// planGather loads the config, builds a throw-away compose in a temporary
// directory and runs init, pkgset and gather's planning (no linking).
// Repositories load with ctx's record cache, if any (the throw-away
// compose's own work directory would not outlive the run).
func planGather(ctx context.Context, cfgPath string) (*compose.Compose, *gather.Result, func(), error) {
	abs, _ := filepath.Abs(cfgPath)
	loaded, err := config.Load(abs, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	conf := loaded.WithDefaults()
	if errs, _ := config.Validate(conf); len(errs) > 0 {
		var lines []string
		for _, e := range errs {
			lines = append(lines, e.String())
		}
		return nil, nil, nil, errors.New("config validation failed:\n" + strings.Join(lines, "\n"))
	}
	tmp, err := os.MkdirTemp("", "pungo-gather-")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	typ, _ := compose.StringOpt(conf, "compose_type")
	if typ == "" {
		typ = "test"
	}
	opts := compose.Options{Type: typ, ConfigPath: abs}
	dir, _, err := compose.CreateDir(tmp, conf, opts)
	if err != nil {
		return nil, nil, cleanup, err
	}
	c, err := compose.New(conf, dir, opts, nil, nil, nil)
	if err != nil {
		return nil, nil, cleanup, err
	}
	old := cleanup
	cleanup = func() { c.Log.Close(); old() }
	if err := initphase.ReadVariants(ctx, c); err != nil {
		return nil, nil, cleanup, err
	}
	ini := &initphase.Phase{}
	if err := ini.Run(ctx, c); err != nil {
		return nil, nil, cleanup, err
	}
	set, err := pkgset.Load(ctx, c)
	if err != nil {
		return nil, nil, cleanup, err
	}
	res, err := gather.Plan(ctx, c, set, ini.Comps())
	if err != nil {
		// Point at the log for the details the phase wrote there.
		return nil, nil, cleanup, err
	}
	return c, res, cleanup, nil
}

func sortedEntries(list []*gather.Entry) []*gather.Entry {
	out := append([]*gather.Entry(nil), list...)
	sort.Slice(out, func(i, j int) bool { return out[i].Pkg.NEVRA() < out[j].Pkg.NEVRA() })
	return out
}

type gatherJSONItem struct {
	NEVRA string   `json:"nevra"`
	File  string   `json:"file"`
	Flags []string `json:"flags"`
	Why   string   `json:"why,omitempty"`
}

type gatherJSONSource struct {
	Source    string   `json:"source"`
	Packages  []string `json:"packages"`
	Groups    []string `json:"groups"`
	Filter    []string `json:"filter_packages"`
	Patterns  []string `json:"depsolve_patterns,omitempty"`
	Lookaside []string `json:"lookaside,omitempty"`
	Options   any      `json:"depsolve_options,omitempty"`
	// Modules: the NAME:STREAMs active in the run's module view (absent:
	// none applied).
	Modules *[]string `json:"depsolve_active_modules,omitempty"`
	// Args replay the run with pungo depsolve against the package set's
	// repository (given as PKGSET_REPO); NoReplay says why they cannot.
	Args     []string `json:"depsolve_args,omitempty"`
	NoReplay string   `json:"depsolve_no_replay,omitempty"`
}

func printGatherJSON(w io.Writer, res *gather.Result, keys []variantArch) int {
	out := map[string]any{}
	for _, k := range keys {
		pm := res.Get(k.arch, k.uid)
		entry := map[string]any{}
		for _, t := range gather.Types {
			items := []gatherJSONItem{}
			for _, e := range sortedEntries(pm[t]) {
				flags := e.Flags
				if flags == nil {
					flags = []string{}
				}
				items = append(items, gatherJSONItem{NEVRA: e.Pkg.NEVRA(), File: e.Pkg.FileName(), Flags: flags, Why: e.Why})
			}
			entry[t] = items
		}
		var srcs []gatherJSONSource
		for _, in := range res.Inputs[k.uid+"."+k.arch] {
			s := gatherJSONSource{Source: in.Source, Packages: in.SortedPackages(), Groups: in.SortedGroups(), Filter: in.SortedFilter()}
			if di := res.Depsolve[k.uid+"."+k.arch+"."+in.Source]; di != nil {
				s.Patterns, s.Lookaside, s.Options = di.Patterns, di.Lookaside, di.Options
				if di.ModulesApplied {
					list := append([]string{}, di.Modules...)
					s.Modules = &list
				}
				if args, ok, why := di.DepsolveArgs(k.arch, "PKGSET_REPO"); ok {
					s.Args = args
				} else {
					s.NoReplay = why
				}
			}
			srcs = append(srcs, s)
		}
		entry["inputs"] = srcs
		out[k.uid+"."+k.arch] = entry
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fail("gather", err)
	}
	return 0
}

// printDiff compares the planned packages with an old compose's rpms.json
// by name.arch: added, removed, upgraded, downgraded. It reports whether
// anything differs.
func printDiff(w io.Writer, res *gather.Result, old *productmd.Rpms, keys []variantArch, asJSON bool) bool {
	type change struct {
		Added      []string `json:"added"`
		Removed    []string `json:"removed"`
		Upgraded   []string `json:"upgraded"`
		Downgraded []string `json:"downgraded"`
	}
	all := map[string]*change{}
	changed := false
	for _, k := range keys {
		oldPkgs := map[string]string{} // name.arch → nevra
		for _, pkgs := range old.Variants()[k.uid][k.arch] {
			for nevra := range pkgs {
				n, err := repomd.ParseNEVRA(nevra)
				if err != nil {
					continue
				}
				oldPkgs[n.Name+"."+n.Arch] = nevra
			}
		}
		newPkgs := map[string]*repomd.Package{}
		pm := res.Get(k.arch, k.uid)
		for _, t := range gather.Types {
			for _, e := range pm[t] {
				if !e.HasFlag("lookaside") {
					newPkgs[e.Pkg.Name+"."+e.Pkg.Arch] = e.Pkg
				}
			}
		}
		ch := &change{Added: []string{}, Removed: []string{}, Upgraded: []string{}, Downgraded: []string{}}
		for na, p := range newPkgs {
			o, ok := oldPkgs[na]
			if !ok {
				ch.Added = append(ch.Added, p.NEVRA())
				continue
			}
			on, _ := repomd.ParseNEVRA(o)
			switch c := repomd.CompareEVR(p.EVR, on.EVR); {
			case c > 0:
				ch.Upgraded = append(ch.Upgraded, on.String()+" -> "+p.NEVRA())
			case c < 0:
				ch.Downgraded = append(ch.Downgraded, on.String()+" -> "+p.NEVRA())
			}
		}
		for na, o := range oldPkgs {
			if _, ok := newPkgs[na]; !ok {
				on, _ := repomd.ParseNEVRA(o)
				ch.Removed = append(ch.Removed, on.String())
			}
		}
		for _, l := range [][]string{ch.Added, ch.Removed, ch.Upgraded, ch.Downgraded} {
			sort.Strings(l)
			changed = changed || len(l) > 0
		}
		all[k.uid+"."+k.arch] = ch
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(all)
		return changed
	}
	for _, k := range keys {
		ch := all[k.uid+"."+k.arch]
		fmt.Fprintf(w, "%s.%s:\n", k.uid, k.arch)
		if len(ch.Added)+len(ch.Removed)+len(ch.Upgraded)+len(ch.Downgraded) == 0 {
			fmt.Fprintln(w, "  no changes")
		}
		for _, l := range []struct {
			mark string
			list []string
		}{{"+", ch.Added}, {"-", ch.Removed}, {"^", ch.Upgraded}, {"v", ch.Downgraded}} {
			for _, x := range l.list {
				fmt.Fprintf(w, "  %s %s\n", l.mark, x)
			}
		}
	}
	return changed
}

// printEntryWhy prints the packages of a variant.arch result called name
// (or with that NEVRA) with the reason the gather recorded, for sources
// no depsolver ran for. It reports whether it printed any.
func printEntryWhy(w io.Writer, k variantArch, pm gather.PkgMap, name string) bool {
	var b strings.Builder
	for _, t := range gather.Types {
		for _, e := range pm[t] {
			if e.Pkg.Name != name && e.Pkg.NEVRA() != name {
				continue
			}
			fmt.Fprintf(&b, "%s: %s", e.Pkg.NEVRA(), e.Why)
			if len(e.Flags) > 0 {
				fmt.Fprintf(&b, " [%s]", strings.Join(e.Flags, ","))
			}
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		return false
	}
	fmt.Fprintf(w, "%s.%s (no depsolving):\n%s", k.uid, k.arch, b.String())
	return true
}
