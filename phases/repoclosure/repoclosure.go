// Package repoclosure owns the repoclosure phase: every variant.arch
// repository of the compose is checked with pungo's native repoclosure
// (depsolve.Repoclosure) against itself, its parent variant's repository
// and its gather lookaside repositories, as Pungi's run_repoclosure.
// repoclosure_strictness decides per variant.arch: "lenient" (default)
// logs the broken dependencies, "fatal" fails the compose, "off" skips.
package repoclosure

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd"
)

// Phase is the repoclosure phase.
type Phase struct{}

// Name implements compose.Phase.
func (*Phase) Name() string { return "repoclosure" }

// Skip implements compose.Phase.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Validate checks repoclosure_strictness values.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	raw, _ := c.Conf.Get("repoclosure_strictness")
	for _, item := range compose.AsList(raw) {
		pair := compose.AsList(item)
		if len(pair) != 2 {
			continue
		}
		m, _ := pair[1].(map[string]any)
		for a, v := range m {
			if s, _ := v.(string); s != "off" && s != "lenient" && s != "fatal" {
				f.Errorf("repoclosure_strictness", "repoclosure_strictness for %v/%s: %v is not one of off, lenient, fatal", pair[0], a, v)
				return
			}
		}
	}
}

// Run checks every variant.arch.
func (*Phase) Run(ctx context.Context, c *compose.Compose) error {
	c.Log.Infof("[BEGIN] Running repoclosure")
	var tasks []compose.Task
	for _, arch := range c.Arches() {
		for _, v := range c.GetVariants(nil, arch) {
			if v.IsEmpty {
				continue
			}
			strict := "lenient"
			if conf := compose.AsStrings(c.Conf.ForVariantArch("repoclosure_strictness", v.UID, arch)); len(conf) > 0 {
				strict = conf[len(conf)-1]
			}
			if strict == "off" {
				continue
			}
			tasks = append(tasks, compose.Task{Name: v.UID + "." + arch, Run: func(ctx context.Context) error {
				problems, err := Check(ctx, c, arch, v)
				if err == nil && len(problems) > 0 {
					err = fmt.Errorf("Repoclosure failed for %s.%s: %d packages with unresolved dependencies, see %s:\n%s",
						v.UID, arch, len(problems), c.Paths.Log.LogFile(arch, "repoclosure-"+v.UID), strings.Join(problems, "\n"))
				}
				if err != nil {
					if strict == "fatal" {
						return err
					}
					c.Log.Warningf("%v", err)
				}
				return nil
			}})
		}
	}
	if err := c.RunTasks(ctx, "repoclosure", tasks, 0); err != nil {
		return err
	}
	c.Log.Infof("[DONE ] Running repoclosure")
	return nil
}

// Check runs repoclosure on one variant.arch repository and writes
// logs/<arch>/repoclosure-<Variant>.<arch>.log (lookaside repositories are
// downloaded under ctx); it returns one line per
// broken package ("nevra (repo): requirement, …").
func Check(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant) ([]string, error) {
	prefix := c.ID() + "-repoclosure"
	type loc struct{ id, path string }
	check := loc{fmt.Sprintf("%s-%s.%s", prefix, v.UID, arch), c.Paths.Compose.Repository(arch, v)}
	locs := []loc{check}
	if v.Parent != nil {
		locs = append(locs, loc{fmt.Sprintf("%s-%s.%s", prefix, v.Parent.UID, arch), c.Paths.Compose.Repository(arch, v.Parent)})
	}
	for i, l := range compose.AsStrings(c.Conf.ForVariantArch("gather_lookaside_repos", v.UID, arch)) {
		locs = append(locs, loc{fmt.Sprintf("%s-lookaside-%s.%s-%d", c.ID(), v.UID, arch, i), compose.ResolvePath(c.ConfigPath, l)})
	}
	var repos []*depsolve.Repo
	for _, l := range locs {
		r, err := repomd.OpenContext(ctx, l.path)
		if err != nil {
			return nil, fmt.Errorf("repoclosure %s.%s: %w", v.UID, arch, err)
		}
		repos = append(repos, depsolve.RepoFrom(l.id, r, false))
	}
	pool, err := depsolve.NewPool(repos)
	if err != nil {
		return nil, err
	}
	// A modular tree is seen as dnf sees it: default streams active, the
	// other streams' packages hidden.
	if _, err := pool.HideInactiveModules(); err != nil {
		return nil, fmt.Errorf("repoclosure %s.%s: %w", v.UID, arch, err)
	}
	arches := multilib.ValidArches(arch)
	res, err := depsolve.Repoclosure(pool, depsolve.ClosureOptions{Arches: arches, PoolArch: arch, Check: []string{check.id}})
	if err != nil {
		return nil, err
	}
	var lines []string
	var log strings.Builder
	fmt.Fprintf(&log, "repoclosure of %s (%s) with %d repositories\n", check.path, check.id, len(repos))
	for _, u := range res {
		line := fmt.Sprintf("%s (%s): %s", u.Pkg.NEVRA(), u.Repo.ID, strings.Join(u.Deps, ", "))
		lines = append(lines, line)
		fmt.Fprintf(&log, "package: %s from %s\n  unresolved deps:\n", u.Pkg.NEVRA(), u.Repo.ID)
		for _, d := range u.Deps {
			fmt.Fprintf(&log, "    %s\n", d)
		}
	}
	logFile := c.Paths.Log.LogFile(arch, "repoclosure-"+v.UID)
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(logFile, []byte(log.String()), 0o644); err != nil {
		return nil, err
	}
	return lines, nil
}
