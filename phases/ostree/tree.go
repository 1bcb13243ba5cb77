package ostree

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

func configured(c *compose.Compose, name string) bool {
	v, ok := c.Conf.Get(name)
	if !ok || v == nil {
		return false
	}
	if l := compose.AsList(v); l != nil {
		return len(l) > 0
	}
	m, ok := v.(map[string]any)
	return !ok || len(m) > 0
}

func requireKeys(name string, items []Item, keys ...string) error {
	var errs []string
	for _, it := range items {
		for _, k := range keys {
			v, ok := it.Conf[k]
			if s, isStr := v.(string); !ok || v == nil || (isStr && s == "") {
				errs = append(errs, fmt.Sprintf("%s for %s.%s: %q is required", name, it.Variant.UID, it.Arch, k))
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// TreePhase is the ostree phase. It keeps the commit each block made.
type TreePhase struct {
	mu      sync.Mutex
	commits map[treeKey]TreeResult
}

type treeKey struct {
	variantUID, arch string
	num              int
}

// Commit returns what the num-th ostree block (counting from 1) made for the
// variant.arch in the last Run.
func (p *TreePhase) Commit(variantUID, arch string, num int) (TreeResult, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.commits[treeKey{variantUID, arch, num}]
	return r, ok
}

// Name implements compose.Phase.
func (*TreePhase) Name() string { return "ostree" }

// Skip implements compose.Phase: runs only when "ostree" is configured.
func (*TreePhase) Skip(c *compose.Compose) bool { return !configured(c, "ostree") }

// Validate implements compose.Validator.
func (*TreePhase) Validate(c *compose.Compose, f *compose.Findings) {
	items, err := Items(c, "ostree")
	if err == nil {
		err = requireKeys("ostree", items, "treefile", "config_url", "ostree_repo")
	}
	if err != nil {
		f.Errorf("ostree", "%v", err)
	}
}

// Run implements compose.Phase.
func (p *TreePhase) Run(ctx context.Context, c *compose.Compose) error {
	items, err := Items(c, "ostree")
	if err != nil {
		return err
	}
	if err := requireKeys("ostree", items, "treefile", "config_url", "ostree_repo"); err != nil {
		return err
	}
	rr := runroot.New(c, "ostree")
	p.mu.Lock()
	p.commits = map[treeKey]TreeResult{}
	p.mu.Unlock()
	return runItems(ctx, c, "ostree", "ostree", items, func(ctx context.Context, it Item) error {
		res, err := MakeTree(ctx, c, rr, it)
		if err == nil {
			p.mu.Lock()
			p.commits[treeKey{it.Variant.UID, it.Arch, it.Num}] = res
			p.mu.Unlock()
		}
		return err
	})
}

// runItems runs build for every item, one task each, under the phase's
// name. A required deliverable's failure fails the phase; one whose arch
// the block lists as failable is recorded under kind and swallowed.
func runItems(ctx context.Context, c *compose.Compose, phase, kind string, items []Item, build func(context.Context, Item) error) error {
	tasks := make([]compose.Task, len(items))
	for i, it := range items {
		tasks[i] = compose.Task{Name: it.Variant.UID + "." + it.Arch, Run: func(ctx context.Context) error {
			run := func() error { return build(ctx, it) }
			if CanArchFail(it.Conf, it.Arch) {
				return failable(c, it, kind, run)
			}
			c.RequireDeliverable(it.Variant, it.Arch, kind, "")
			return run()
		}}
	}
	return c.RunTasks(ctx, phase, tasks, 0)
}

// failable records and swallows the failure of a deliverable whose arch is
// listed in the block's "failable".
func failable(c *compose.Compose, it Item, kind string, fn func() error) error {
	c.AttemptDeliverable(it.Variant, it.Arch, kind, "")
	if err := fn(); err != nil {
		c.FailDeliverable(it.Variant, it.Arch, kind, "")
		c.Log.Errorf("[FAIL] %s (variant %s, arch %s) failed, but going on anyway.", kind, it.Variant.UID, it.Arch)
		c.Log.Errorf("%v", err)
	}
	return nil
}

// TreeResult is what MakeTree produced.
type TreeResult struct {
	Ref, CommitID string
}

// MakeTree composes one ostree commit and returns its ref and commit ID
// (no ID when nothing changed).
func MakeTree(ctx context.Context, c *compose.Compose, rr *runroot.Runner, it Item) (TreeResult, error) {
	msg := fmt.Sprintf("OSTree phase for variant %s, arch %s", it.Variant.UID, it.Arch)
	c.Log.Infof("[BEGIN] %s", msg)
	conf := it.Conf
	workdir := c.Paths.Work.Topdir(fmt.Sprintf("ostree-%d", it.Num))
	logdir := filepath.Join(c.Paths.Log.Topdir(it.Arch), it.Variant.UID, fmt.Sprintf("ostree-%d", it.Num))
	if err := os.MkdirAll(logdir, 0o755); err != nil {
		return TreeResult{}, err
	}
	repodir := filepath.Join(workdir, "config_repo")
	url, branch := conf.str("config_url", ""), conf.str("config_branch", "master")
	if err := CloneConfig(ctx, c, url, branch, repodir); err != nil {
		return TreeResult{}, fmt.Errorf("ostree %s.%s: %w", it.Variant.UID, it.Arch, err)
	}
	treefile := filepath.Join(repodir, conf.str("treefile", ""))
	if _, err := os.Stat(treefile); err != nil {
		return TreeResult{}, fmt.Errorf("ostree %s.%s: treefile %s does not exist in %s (branch %s)", it.Variant.UID, it.Arch, conf.str("treefile", ""), url, branch)
	}
	repoList := append(compose.AsList(conf["repo"]), PkgsetRepos(c)...)
	if conf["repo"] != nil && compose.AsList(conf["repo"]) == nil {
		repoList = append([]any{conf["repo"]}, PkgsetRepos(c)...)
	}
	if _, ok := c.Conf.Get("comps_file"); ok {
		repoList = append(repoList, compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "work", "$basearch", "comps_repo_"+it.Variant.UID)))
	}
	repos, err := RepoDicts(c, repoList)
	if err != nil {
		return TreeResult{}, err
	}
	extra := filepath.Join(workdir, "extra_config.json")
	if err := writeExtraConfig(extra, conf, repos, "ostree_repo", "treefile", "config_url", "config_branch", "failable", "version", "update_summary"); err != nil {
		return TreeResult{}, err
	}
	update := map[string]any{}
	if r := conf.str("ostree_ref", ""); r != "" {
		update["ref"] = r
	}
	plugin := c.Conf.Bool("ostree_use_koji_plugin")
	// Koji's pungi-ostree task tweaks the treefile itself from the extra
	// config and the ostree-ref argument.
	if !plugin {
		if err := TweakTreefile(treefile, repos, conf.boolean("keep_original_sources", false), update); err != nil {
			return TreeResult{}, err
		}
	}
	repo := conf.str("ostree_repo", "")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		return TreeResult{}, err
	}
	version, err := images.VersionGenerator(c.Info, conf.str("version", ""))
	if err != nil {
		return TreeResult{}, err
	}
	commitFile := filepath.Join(logdir, "commitid.log")
	// A stamp left by an earlier run must not pass for a new commit.
	os.Remove(commitFile)
	os.Remove(commitFile + ".stamp")
	cmd := []string{"rpm-ostree", "compose", "tree", "--repo=" + repo, "--write-commitid-to=" + commitFile,
		"--touch-if-changed=" + commitFile + ".stamp"}
	if conf.boolean("unified_core", false) {
		cmd = append(cmd, "--unified-core")
	}
	if version != "" {
		cmd = append(cmd, "--add-metadata-string=version="+version)
	}
	if conf.boolean("force_new_commit", false) {
		cmd = append(cmd, "--force-nocache")
	}
	cmd = append(cmd, treefile)
	packages := append([]string{"pungi", "ostree", "rpm-ostree"}, conf.strings("runroot_packages")...)
	if plugin {
		// Pungi's argument dict for pungi-make-ostree tree.
		args := []runroot.PluginArg{{Key: "repo", Value: repo}, {Key: "log-dir", Value: logdir}, {Key: "treefile", Value: treefile},
			{Key: "version", Value: version}, {Key: "extra-config", Value: extra},
			{Key: "update-summary", Value: conf.boolean("update_summary", false)}, {Key: "ostree-ref", Value: conf.str("ostree_ref", "")},
			{Key: "force-new-commit", Value: conf.boolean("force_new_commit", false)}, {Key: "unified-core", Value: conf.boolean("unified_core", false)}}
		_, err = rr.RunPlugin(ctx, runroot.PluginRequest{Task: "pungi-ostree", Arch: it.Arch, Args: args, Packages: packages,
			Mounts: []string{c.Topdir, repo}, LogFile: filepath.Join(logdir, "runroot.log")})
	} else {
		command := "umask 0002 && " + runroot.ShellJoin(cmd)
		// pungi-make-ostree updates the summary in the same runroot,
		// never on the compose host.
		if conf.boolean("update_summary", false) {
			command += " && " + runroot.ShellJoin([]string{"ostree", "summary", "-u", "--repo=" + repo}) +
				" > " + runroot.ShellQuote(filepath.Join(logdir, "ostree-summary.log")) + " 2>&1"
		}
		_, err = rr.Run(ctx, runroot.Request{Command: command,
			LogFile: filepath.Join(logdir, "runroot.log"), Arch: it.Arch, Packages: packages,
			Mounts: []string{c.Topdir, repo}, NewChroot: true})
	}
	if err != nil {
		return TreeResult{}, fmt.Errorf("ostree %s.%s: %w", it.Variant.UID, it.Arch, err)
	}
	ref, err := RefFromTreefile(treefile, it.Arch)
	if err != nil {
		return TreeResult{}, err
	}
	commit, err := CommitID(commitFile)
	if err != nil {
		return TreeResult{}, err
	}
	if conf.boolean("tag_ref", true) && ref != "" && commit != "" {
		heads := filepath.Join(repo, "refs", "heads")
		if _, err := os.Stat(heads); err != nil {
			return TreeResult{}, fmt.Errorf("ostree repo %s: refs/heads did not exist", repo)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(heads, ref)), 0o775); err != nil {
			return TreeResult{}, err
		}
		if err := os.WriteFile(filepath.Join(heads, ref), []byte(commit+"\n"), 0o664); err != nil {
			return TreeResult{}, err
		}
	}
	var commitField any
	if commit != "" {
		commitField = commit
	}
	c.Notifier.Send("ostree", map[string]any{"variant": it.Variant.UID, "arch": it.Arch, "ref": ref,
		"commitid": commitField, "repo_path": compose.TranslatePath(c.Conf, repo), "local_repo_path": repo})
	c.Log.Infof("[DONE ] %s", msg)
	return TreeResult{Ref: ref, CommitID: commit}, nil
}
