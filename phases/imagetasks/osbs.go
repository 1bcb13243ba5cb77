package imagetasks

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/phases/runroot"
)

// OSBS is the osbs phase: container images built by Koji from a git
// repository, recorded in compose/metadata/osbs.json.
type OSBS struct {
	mu         sync.Mutex
	meta       map[string]map[string][]any
	registries map[string]any // NVR → registry, for the push request
}

// Name implements compose.Phase.
func (*OSBS) Name() string { return "osbs" }

// Skip implements compose.Phase.
func (*OSBS) Skip(c *compose.Compose) bool { return !configured(c, "osbs") }

func (p *OSBS) record(v *compose.Variant, arch string, data map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.meta == nil {
		p.meta = map[string]map[string][]any{}
	}
	if p.meta[v.UID] == nil {
		p.meta[v.UID] = map[string][]any{}
	}
	p.meta[v.UID][arch] = append(p.meta[v.UID][arch], data)
}

// osbsOwnKeys are the block keys Pungi's osbs phase takes out of the
// block; every other key goes to buildContainer's opts as it is.
var osbsOwnKeys = map[string]bool{"url": true, "target": true, "priority": true, "gpgkey": true, "repo": true, "registry": true, "failable": true}

// Run implements compose.Phase.
func (p *OSBS) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	num := 0
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "osbs", v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			num++
			src, target := b.str("url"), b.str("target")
			if src == "" || target == "" {
				return fmt.Errorf("osbs for %s: url and target are required", v.UID)
			}
			opts := map[string]any{}
			for k, x := range b {
				if !osbsOwnKeys[k] {
					opts[k] = x
				}
			}
			repos, err := p.repoFiles(c, v, b, num)
			if err != nil {
				return err
			}
			opts["yum_repourls"] = anyList(repos)
			canFail := pconfig.Truthy(b["failable"])
			registry := b["registry"]
			tasks = append(tasks, compose.Task{Name: v.UID + " container", Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "osbs", "", canFail, func() error {
					nvr, err := p.build(ctx, c, v, src, target, opts, b["priority"], "osbs")
					if err != nil || nvr == "" {
						return err
					}
					p.recordRegistry(c, nvr, registry)
					return nil
				})
			}})
		}
	}
	if err := c.RunTasks(ctx, "osbs", tasks, 0); err != nil {
		return err
	}
	if err := p.Write(c); err != nil {
		return err
	}
	return p.requestPush(c)
}

// recordRegistry is Pungi's get_registry: the first osbs_registries entry
// whose NVR pattern (fnmatch) matches, else the block's deprecated
// "registry". Patterns are tried in sorted order (the config's dict order
// is not kept).
func (p *OSBS) recordRegistry(c *compose.Compose, nvr string, fallback any) {
	reg := fallback
	if raw, ok := c.Conf.Get("osbs_registries"); ok {
		m, _ := raw.(map[string]any)
		pats := slices.Sorted(maps.Keys(m))
		for _, pat := range pats {
			if glob.Python(pat, nvr) {
				reg = m[pat]
				break
			}
		}
	}
	if !pconfig.Truthy(reg) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registries == nil {
		p.registries = map[string]any{}
	}
	p.registries[nvr] = reg
}

// requestPush is Pungi's request_push: the registries of the built images
// go to logs/global/osbs-registries.json and to the notification
// "osbs-request-push" (config_location, config).
func (p *OSBS) requestPush(c *compose.Compose) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.registries) == 0 {
		return nil
	}
	file := filepath.Join(c.Paths.Log.Topdir(""), "osbs-registries.json")
	data, err := json.Marshal(p.registries)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	c.Notifier.Send("osbs-request-push", map[string]any{"config_location": compose.TranslatePath(c.Conf, file), "config": p.registries})
	return nil
}

// repoFiles is Pungi's _get_repo for the variant's own repository and
// then each "repo" entry: a URL stays as it is ($COMPOSE_ID replaced); a
// variant UID or an absolute path gets a .repo file
// (compose-rpms-<variant|local>-<num>.repo in the work tmp directory)
// whose URL is returned.
func (p *OSBS) repoFiles(c *compose.Compose, v *compose.Variant, b Block, num int) ([]string, error) {
	extra, err := b.repos("repo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range append([]string{v.UID}, extra...) {
		if strings.Contains(r, "://") {
			out = append(out, strings.ReplaceAll(r, "$COMPOSE_ID", c.ID()))
			continue
		}
		var name, path, dir string
		if strings.HasPrefix(r, "/") {
			name, path, dir = "local", r, c.Paths.Work.TmpDir("", nil)
		} else {
			rv := c.Variant(r)
			if rv == nil {
				return nil, fmt.Errorf("There is no variant %s to get repo from to pass to OSBS.", r)
			}
			name = rv.UID
			path = filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository("$basearch", rv))
			dir = c.Paths.Work.TmpDir("", rv)
		}
		file := filepath.Join(dir, fmt.Sprintf("compose-rpms-%s-%d.repo", name, num))
		content := fmt.Sprintf("[%s-%s-%d]\nname=Compose %s (RPMs) - %s\nbaseurl=%s\nenabled=1\n", c.ID(), name, num, c.ID(), name, compose.TranslatePath(c.Conf, path))
		// As Pungi: with the block's gpgkey the container build checks
		// the compose's signatures.
		if key := b.str("gpgkey"); key != "" {
			content += "gpgcheck=1\ngpgkey=" + key + "\n"
		} else {
			content += "gpgcheck=0\n"
		}
		if err := atomicfile.WriteFile(file, []byte(content), 0o644); err != nil {
			return nil, err
		}
		out = append(out, compose.TranslatePath(c.Conf, file))
	}
	return out, nil
}

// build runs buildContainer(source, target, opts, priority=…) as Pungi:
// the block's priority (None when unset) goes to Koji as a keyword.
func (p *OSBS) build(ctx context.Context, c *compose.Compose, v *compose.Variant, src, target string, opts map[string]any, priority any, what string) (string, error) {
	log := c.Paths.Log.LogFile("", fmt.Sprintf("%s-%s", what, v.UID))
	id, res, err := StartAndWatch(ctx, c, log, "buildContainer", src, target, opts, koji.KW{"priority": priority})
	if err != nil {
		return "", err
	}
	if pconfig.Truthy(opts["scratch"]) {
		c.Log.Infof("Scratch container build %d done; nothing to record", id)
		return "", nil
	}
	var r struct {
		KojiBuilds []int64 `koji:"koji_builds"`
	}
	if err := koji.Decode(res, &r); err != nil || len(r.KojiBuilds) == 0 {
		return "", fmt.Errorf("buildContainer task %d result has no koji build: %v", id, res)
	}
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return "", err
	}
	bi, err := kc.GetBuild(ctx, r.KojiBuilds[0])
	if err != nil || bi == nil {
		return "", fmt.Errorf("container build %d: %v", r.KojiBuilds[0], err)
	}
	arch, err := kc.Call(ctx, "listArchives", koji.KW{"buildID": bi.ID, "type": "image"})
	if err != nil {
		return "", err
	}
	for _, a := range compose.AsList(arch) {
		am, _ := a.(map[string]any)
		extra, _ := am["extra"].(map[string]any)
		img, _ := extra["image"].(map[string]any)
		archName, _ := img["arch"].(string)
		p.record(v, archName, map[string]any{"name": bi.Name, "version": bi.Version, "release": bi.Release,
			"nvr": bi.NVR, "creation_time": nil, "filename": am["filename"], "size": am["size"],
			"checksum": am["checksum"], "docker": extra["docker"]})
	}
	return bi.NVR, nil
}

// Write writes compose/metadata/osbs.json when any container was built.
func (p *OSBS) Write(c *compose.Compose) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.meta) == 0 {
		return nil
	}
	return productmd.WriteJSON(c.Paths.Compose.Metadata("osbs.json"), p.meta)
}
