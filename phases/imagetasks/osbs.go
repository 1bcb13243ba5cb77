package imagetasks

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config/pyre"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/phases/runroot"
)

// OSBS is the osbs phase: container images built by Koji from a git
// repository, recorded in compose/metadata/osbs.json.
type OSBS struct {
	mu   sync.Mutex
	meta map[string]map[string][]any
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

// Run implements compose.Phase.
func (p *OSBS) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "osbs", v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			src, target := b.str("url"), b.str("target")
			if src == "" || target == "" {
				return fmt.Errorf("osbs for %s: url and target are required", v.UID)
			}
			opts := map[string]any{"scratch": b.boolean("scratch")}
			if br := b.str("git_branch"); br != "" {
				opts["git_branch"] = br
			}
			repos, err := p.repoFiles(c, v, b)
			if err != nil {
				return err
			}
			if len(repos) > 0 {
				opts["yum_repourls"] = anyList(repos)
			}
			canFail := len(b.strs("failable")) > 0
			tasks = append(tasks, compose.Task{Name: v.UID + " container", Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "osbs", "", canFail, func() error {
					return p.build(ctx, c, v, src, target, opts, b["priority"], "osbs")
				})
			}})
		}
	}
	if err := c.RunTasks(ctx, "osbs", tasks, 0); err != nil {
		return err
	}
	return p.Write(c)
}

// repoFiles writes a .repo file per variant repository the container
// build may use (the variant's own and "repo" entries) and returns their URLs.
func (p *OSBS) repoFiles(c *compose.Compose, v *compose.Variant, b Block) ([]string, error) {
	var out []string
	repos, err := b.repos("repo")
	if err != nil {
		return nil, err
	}
	for _, r := range repos {
		if strings.Contains(r, "://") {
			out = append(out, r)
			continue
		}
		rv := c.Variant(r)
		if rv == nil {
			return nil, fmt.Errorf("osbs for %s: There is no variant %s to get repo from.", v.UID, r)
		}
		dir := c.Paths.Work.TmpDir("", v)
		file := filepath.Join(dir, fmt.Sprintf("compose-%s.repo", rv.UID))
		repoURL := c.TranslatePath(filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository("$basearch", rv)))
		content := fmt.Sprintf("[%s-%s]\nname=Compose %s (RPMs) - %s\nbaseurl=%s\nenabled=1\n", c.ID(), rv.UID, c.ID(), rv.UID, repoURL)
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
		out = append(out, c.TranslatePath(file))
	}
	return out, nil
}

// build runs buildContainer(source, target, opts, priority=…) as Pungi:
// the block's priority (None when unset) goes to Koji as a keyword.
func (p *OSBS) build(ctx context.Context, c *compose.Compose, v *compose.Variant, src, target string, opts map[string]any, priority any, what string) error {
	log := c.Paths.Log.LogFile("", fmt.Sprintf("%s-%s", what, v.UID))
	id, res, err := StartAndWatch(ctx, c, log, "buildContainer", src, target, opts, koji.KW{"priority": priority})
	if err != nil {
		return err
	}
	if s, _ := opts["scratch"].(bool); s {
		c.Log.Infof("Scratch container build %d done; nothing to record", id)
		return nil
	}
	var r struct {
		KojiBuilds []int64 `koji:"koji_builds"`
	}
	if err := koji.Decode(res, &r); err != nil || len(r.KojiBuilds) == 0 {
		return fmt.Errorf("buildContainer task %d result has no koji build: %v", id, res)
	}
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return err
	}
	bi, err := kc.GetBuild(ctx, r.KojiBuilds[0])
	if err != nil || bi == nil {
		return fmt.Errorf("container build %d: %v", r.KojiBuilds[0], err)
	}
	arch, err := kc.Call(ctx, "listArchives", koji.KW{"buildID": bi.ID, "type": "image"})
	if err != nil {
		return err
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
	return nil
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

// ImageContainer is the image_container phase: a container wrapping an
// image this compose made (chosen by image_spec) built with buildContainer.
type ImageContainer struct{ osbs OSBS }

// Name implements compose.Phase.
func (*ImageContainer) Name() string { return "image_container" }

// Skip implements compose.Phase.
func (*ImageContainer) Skip(c *compose.Compose) bool { return !configured(c, "image_container") }

// Run implements compose.Phase.
func (p *ImageContainer) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "image_container", v)
		if err != nil {
			return err
		}
		for i, b := range blocks {
			src, target := b.str("url"), b.str("target")
			spec, _ := b["image_spec"].(map[string]any)
			if src == "" || target == "" || len(spec) == 0 {
				return fmt.Errorf("image_container for %s: url, target and image_spec are required", v.UID)
			}
			canFail := len(b.strs("failable")) > 0
			tasks = append(tasks, compose.Task{Name: fmt.Sprintf("%s image container %d", v.UID, i+1), Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "image-container", "", canFail, func() error {
					im, err := FindImage(c, v, spec)
					if err != nil {
						return err
					}
					dir := c.Paths.Work.TmpDir("", v)
					repo := filepath.Join(dir, fmt.Sprintf("image-container-%d.repo", i+1))
					loc := c.TranslatePath(filepath.Join(c.Topdir, "compose", filepath.FromSlash(im.Path)))
					content := fmt.Sprintf("[image-to-include]\nname=Location of image to embed\nbaseurl=%s\nenabled=0\ngpgcheck=0\n", loc)
					if err := atomicfile.WriteFile(repo, []byte(content), 0o644); err != nil {
						return err
					}
					opts := map[string]any{"scratch": b.boolean("scratch"), "yum_repourls": []any{c.TranslatePath(repo)}}
					if br := b.str("git_branch"); br != "" {
						opts["git_branch"] = br
					}
					return p.osbs.build(ctx, c, v, src, target, opts, b["priority"], "image-container")
				})
			}})
		}
	}
	if err := c.RunTasks(ctx, "image_container", tasks, 0); err != nil {
		return err
	}
	return p.osbs.Write(c)
}

// FindImage finds exactly one manifest image of the variant whose fields
// match every image_spec regex (type, format, arch, path, subvariant).
func FindImage(c *compose.Compose, v *compose.Variant, spec map[string]any) (*images.Image, error) {
	var found []*images.Image
	for _, e := range images.Of(c).All() {
		if e.Variant != v.UID {
			continue
		}
		fields := map[string]string{"type": e.Image.Type, "format": e.Image.Format, "arch": e.Image.Arch,
			"path": e.Image.Path, "subvariant": e.Image.Subvariant}
		ok := true
		for k, pat := range spec {
			re, err := pyre.Compile(fmt.Sprint(pat))
			if err != nil {
				return nil, fmt.Errorf("image_spec %s: %v", k, err)
			}
			if !re.MatchStart(fields[k]) {
				ok = false
				break
			}
		}
		if ok {
			found = append(found, e.Image)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("image_container for %s: image_spec %v matches %d images, want exactly 1", v.UID, spec, len(found))
	}
	return found[0], nil
}
