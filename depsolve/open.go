package depsolve

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/internal/guard"
	"github.com/pungo/pungo/repomd"
)

// repoArg splits "[ID=]LOCATION"; without an ID the repository is named
// after the last path element of its location.
func repoArg(arg string) (id, loc string) {
	if i := strings.IndexByte(arg, '='); i > 0 && !strings.ContainsAny(arg[:i], "/:") {
		return arg[:i], arg[i+1:]
	}
	base := strings.TrimRight(arg, "/")
	base = strings.TrimSuffix(base, "/repodata")
	if j := strings.LastIndexAny(base, "/"); j >= 0 {
		base = base[j+1:]
	}
	if base == "" || base == "." {
		base = "repo"
	}
	return base, arg
}

// OpenRepos opens the lookaside and main repositories ("[ID=]DIR|URL"
// each, as the CLI takes them; without an ID a repository is named after
// the last element of its location) in parallel and
// orders them as Pungi's gather does: lookaside repositories first, then the
// main ones, each in the order given. Repository ids that would repeat get
// a "-2", "-3"… suffix.
func OpenRepos(main, lookaside []string) ([]*Repo, error) {
	return OpenReposContext(context.Background(), main, lookaside)
}

// OpenReposContext is OpenRepos whose loads stop when ctx ends and use
// ctx's record cache (repomd.WithCache), if any.
func OpenReposContext(ctx context.Context, main, lookaside []string) ([]*Repo, error) {
	type spec struct {
		id, loc   string
		lookaside bool
	}
	var specs []spec
	for _, a := range lookaside {
		id, loc := repoArg(a)
		specs = append(specs, spec{id, loc, true})
	}
	for _, a := range main {
		id, loc := repoArg(a)
		specs = append(specs, spec{id, loc, false})
	}
	used := map[string]int{}
	for i := range specs {
		used[specs[i].id]++
		if n := used[specs[i].id]; n > 1 {
			specs[i].id = fmt.Sprintf("%s-%d", specs[i].id, n)
		}
	}
	opened := make([]*repomd.Repo, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i := range specs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = guard.Call(func() (err error) {
				opened[i], err = repomd.OpenContext(ctx, specs[i].loc)
				return err
			})
			if _, ok := errs[i].(*guard.PanicError); ok {
				errs[i] = fmt.Errorf("%s: %w", specs[i].loc, errs[i])
			}
		}(i)
	}
	wg.Wait()
	repos := make([]*Repo, len(specs))
	for i, s := range specs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		repos[i] = RepoFrom(s.id, opened[i], s.lookaside)
	}
	return repos, nil
}

// RepoComps returns the comps of every repository's group metadata
// (group_gz preferred, as dnf), in pool order; repositories without any
// give none.
func RepoComps(repos []*Repo) ([]*comps.Comps, error) {
	var out []*comps.Comps
	for _, r := range repos {
		if r.Source == nil {
			continue
		}
		rc, typ, ok, err := r.Source.OpenGroup()
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		c, err := comps.Parse(rc, r.Source.Location+" ("+typ+")")
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
