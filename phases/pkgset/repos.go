package pkgset

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd"
)

// reposFor returns pkgset_repos for a tree arch: a dict arch → list of
// repositories (paths relative to the config, or URLs). The "*" key lists
// repositories for every arch; as Pungi's source_repos does, they follow
// the arch's own.
func reposFor(c *compose.Compose, arch string) []string {
	raw, _ := c.Conf.Get("pkgset_repos")
	m, _ := raw.(map[string]any)
	return append(compose.AsStrings(m[arch]), compose.AsStrings(m["*"])...)
}

// loadRepos reads every repository of pkgset_repos once and takes, for
// each tree arch, the packages of that arch's repositories.
func loadRepos(ctx context.Context, c *compose.Compose) (*Set, error) {
	arches := c.Arches()
	locs := map[string]bool{}
	for _, a := range arches {
		if len(reposFor(c, a)) == 0 {
			return nil, fmt.Errorf("pkgset_repos has no repository for arch %s", a)
		}
		for _, r := range reposFor(c, a) {
			locs[compose.ResolvePath(c.ConfigPath, r)] = true
		}
	}
	roots, err := allowedRoots(c)
	if err != nil {
		return nil, err
	}
	repos := map[string]*repomd.Repo{}
	var mu sync.Mutex
	var tasks []compose.Task
	for loc := range locs {
		tasks = append(tasks, compose.Task{Name: loc, Run: func(ctx context.Context) error {
			r, err := repomd.OpenContext(ctx, loc)
			if err != nil {
				return fmt.Errorf("pkgset_repos: %w", err)
			}
			r.AllowedRoots = roots
			mu.Lock()
			repos[loc] = r
			mu.Unlock()
			return nil
		}})
	}
	if err := c.RunTasks(ctx, "pkgset", tasks, 0); err != nil {
		return nil, err
	}
	if len(c.OldComposes) > 0 {
		c.Log.Infof("pkgset: the repos source reads repository metadata directly; nothing of old composes to reuse")
	}
	set := &Set{ByArch: map[string][]*Package{}}
	perArch := map[string][]*Package{}
	var union []*Package
	for _, a := range arches {
		var all []*Package
		var mods []*moduleInput
		for _, r := range reposFor(c, a) {
			loc := compose.ResolvePath(c.ConfigPath, r)
			repo := repos[loc]
			set.Inputs = append(set.Inputs, a+" "+loc+" "+repo.Revision+" "+primaryChecksum(repo))
			var pkgs []*Package
			for _, p := range repo.Packages {
				path, err := repo.CheckedPackagePath(p)
				if err != nil {
					return nil, fmt.Errorf("pkgset_repos: %w", err)
				}
				pkgs = append(pkgs, &Package{Package: p, Path: path, Origin: loc})
			}
			// Modular packages leave the main set before keepLatest: the
			// streams of a module all have packages of the same names.
			in, rest, err := splitModular(repo, loc, a, pkgs)
			if err != nil {
				return nil, err
			}
			if in != nil {
				mods = append(mods, in)
			}
			all = append(all, rest...)
		}
		if len(mods) > 0 {
			if err := set.addModules(a, mods); err != nil {
				return nil, err
			}
		}
		perArch[a] = keepLatest(all)
		union = append(union, perArch[a]...)
	}
	// One header read per file however many arches list it. The streams'
	// packages too: Pungi subsets each module content tag's package set
	// by the same ExclusiveArch/ExcludeArch rules as the main one.
	for _, a := range arches {
		for _, ms := range set.Modules[a] {
			union = append(union, ms.Packages...)
		}
	}
	x, err := loadExclusion(ctx, c, union)
	if err != nil {
		return nil, err
	}
	for _, a := range arches {
		set.ByArch[a] = split(perArch[a], []string{a}, x)[a]
		for _, ms := range set.Modules[a] {
			ms.Packages = split(ms.Packages, []string{a}, x)[a]
		}
	}
	// Each repository's filelists are read once, when the first arch
	// listing it needs them; a repository of source packages only is
	// never read (a pool indexes no source package's files).
	type filelists struct {
		once sync.Once
		err  error
	}
	loaded := map[string]*filelists{}
	for loc := range repos {
		loaded[loc] = &filelists{}
	}
	set.LoadFiles = func(arch string) error {
		for _, r := range reposFor(c, arch) {
			loc := compose.ResolvePath(c.ConfigPath, r)
			repo, fl := repos[loc], loaded[loc]
			fl.once.Do(func() {
				if slices.ContainsFunc(repo.Packages, func(p *repomd.Package) bool { return !p.IsSource() }) {
					if err := repo.LoadFilelists(); err != nil {
						fl.err = fmt.Errorf("pkgset_repos: %w", err)
					}
				}
			})
			if fl.err != nil {
				return fl.err
			}
		}
		return nil
	}
	return set, nil
}

// allowedRoots are the directories of pkgset_repos_allowed_roots,
// resolved against the config file: where a repository's xml:base may
// point besides the repository itself (by default nowhere, so a package
// outside the repository is refused naming it). A URL is an error: an
// http(s) xml:base is always allowed, and a file:// one is a directory.
func allowedRoots(c *compose.Compose) ([]string, error) {
	var roots []string
	for _, r := range c.Conf.Strings("pkgset_repos_allowed_roots") {
		if r == "" || strings.Contains(r, "://") {
			return nil, fmt.Errorf("pkgset_repos_allowed_roots: %q is not a directory (give local paths; http(s) locations need no allowing)", r)
		}
		roots = append(roots, compose.ResolvePath(c.ConfigPath, r))
	}
	return roots, nil
}

func primaryChecksum(r *repomd.Repo) string {
	if rec, ok := r.Record("primary"); ok {
		return rec.Checksum.Value
	}
	return ""
}
