package imagetasks

import (
	"context"
	"fmt"
	"github.com/pungo/pungo/phases/config/pyre"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/phases/runroot"
	"github.com/pungo/pungo/repomd/atomicfile"
)

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, ",") == strings.Join(y, ",")
}

// LiveMedia is the live_media phase.
type LiveMedia struct{}

// Name implements compose.Phase.
func (*LiveMedia) Name() string { return "live_media" }

// Skip implements compose.Phase.
func (*LiveMedia) Skip(c *compose.Compose) bool { return !configured(c, "live_media") }

// Run implements compose.Phase.
func (*LiveMedia) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "live_media", v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			sub := subvariant(b, v)
			name := b.str("name")
			if name == "" {
				name = fmt.Sprintf("%s-%s-Live", c.Info.Release.Short, sub)
			}
			if b.str("kickstart") == "" {
				return fmt.Errorf("live_media %s for %s: kickstart is required", name, v.UID)
			}
			arches := Arches(b, v)
			if len(arches) == 0 {
				continue
			}
			target := configStr(c, "live_media", b, "target")
			if target == "" {
				return fmt.Errorf("live_media %s for %s: no target (target, live_media_target or global_target)", name, v.UID)
			}
			ksurl, err := KSURL(ctx, c, "live_media", b)
			if err != nil {
				return err
			}
			rel, err := Release(c, "live_media", b)
			if err != nil {
				return err
			}
			version, err := Version(c, "live_media", b)
			if err != nil {
				return err
			}
			// Pungi's _get_repos: the configured repos, then the variant's
			// own unless listed or empty.
			repos := b.strs("repo")
			if !v.IsEmpty && !contains(repos, v.UID) {
				repos = append(repos, v.UID)
			}
			urls, err := RepoURLs(c, repos, "$basearch")
			if err != nil {
				return err
			}
			tree, err := liveMediaInstallTree(c, b, v)
			if err != nil {
				return err
			}
			failableArches := FailableArches(b, arches)
			// Pungi's get_live_media_cmd: koji's spin-livemedia submits
			// buildImage(…, "livemedia", opts) and waits.
			args := []string{"spin-livemedia", name, version, target, strings.Join(arches, ","), b.str("kickstart"), "--install-tree=" + tree}
			for _, u := range urls {
				args = append(args, "--repo="+u)
			}
			if b.boolean("scratch") {
				args = append(args, "--scratch")
			}
			if b.boolean("skip_tag") {
				args = append(args, "--skip-tag")
			}
			if ksurl != "" {
				args = append(args, "--ksurl="+ksurl)
			}
			if rel != "" {
				args = append(args, "--release="+rel)
			}
			if len(failableArches) > 0 {
				args = append(args, "--can-fail="+strings.Join(failableArches, ","))
			}
			if b.boolean("nomacboot") {
				args = append(args, "--nomacboot")
			}
			args = append(args, "--wait")
			canFail := len(failableArches) > 0 && sameSet(failableArches, arches)
			scratch := b.boolean("scratch")
			tasks = append(tasks, compose.Task{Name: v.UID + " " + name, Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "live-media", sub, canFail, func() error {
					log := c.Paths.Log.LogFile(strings.Join(arches, "-"), fmt.Sprintf("livemedia-%s-%s", v.UID, sub))
					id, _, failed, err := runroot.KojiCLI(ctx, c, log, args...)
					if err != nil {
						return fmt.Errorf("Live media task failed: %w", err)
					}
					if failed != "" {
						return fmt.Errorf("Live media task failed: %d (%s). See %s for more details.", id, failed, log)
					}
					paths, err := ChildPaths(ctx, c, id, scratch, func(arch string) {
						c.FailDeliverable(v, arch, "live-media", sub)
						c.Log.Errorf("[FAIL] Live media (variant %s, arch %s, subvariant %s) failed, but going on anyway.", v.UID, arch, sub)
					})
					if err != nil {
						return err
					}
					n := 0
					for arch, ps := range paths {
						for _, p := range ps {
							if !strings.HasSuffix(p, ".iso") {
								continue
							}
							dir, err := createiso.ISODir(c, arch, v)
							if err != nil || dir == "" {
								return fmt.Errorf("live_media: no iso directory for %s.%s: %v", v.UID, arch, err)
							}
							if _, err := addImage(c, v, arch, p, dir, images.Image{Type: "live", Format: "iso", Bootable: true,
								Subvariant: sub, Deliverable: "live-media", CanFail: canFail}); err != nil {
								return err
							}
							n++
						}
					}
					if n < len(arches)-len(failableArches) {
						return fmt.Errorf("Image count mismatch in task %d: expected at least one image for each required arch (%d), got %d", id, len(arches)-len(failableArches), n)
					}
					return nil
				})
			}})
		}
	}
	return c.RunTasks(ctx, "live_media", tasks, 0)
}

// subvariant is the block's "subvariant", or the variant's UID when unset.
func subvariant(b Block, v *compose.Variant) string {
	if sub := b.str("subvariant"); sub != "" {
		return sub
	}
	return v.UID
}

// ownRepoFirst lists the repositories osbuild and kiwibuild hand to Koji:
// the variant's own (unless it is empty) before the configured "repo"
// entries. live_media orders them the other way round.
func ownRepoFirst(v *compose.Variant, b Block) []string {
	var repos []string
	if !v.IsEmpty {
		repos = append(repos, v.UID)
	}
	return append(repos, b.strs("repo")...)
}

// startAndWatchBuild runs a Koji task whose result names the build it made
// ({"koji": {"build": ID}}, as osbuildImage and kiwiBuild return) and
// returns that build's ID; what names the task in the error.
func startAndWatchBuild(ctx context.Context, c *compose.Compose, log, what, method string, args ...any) (int64, error) {
	_, res, err := StartAndWatch(ctx, c, log, method, args...)
	if err != nil {
		return 0, err
	}
	var r struct {
		Koji struct {
			Build int64 `koji:"build"`
		} `koji:"koji"`
	}
	if err := koji.Decode(res, &r); err != nil || r.Koji.Build == 0 {
		return 0, fmt.Errorf("%s task result has no koji build: %v", what, res)
	}
	return r.Koji.Build, nil
}

// buildArchives links the image archives of a Koji build into the compose.
func buildArchives(ctx context.Context, c *compose.Compose, v *compose.Variant, buildID int64, sub, deliverable, manifestType string, canFail bool) (int, error) {
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return 0, err
	}
	top, err := KojiTopDir(c)
	if err != nil {
		return 0, err
	}
	b, err := kc.GetBuild(ctx, buildID)
	if err != nil || b == nil {
		return 0, fmt.Errorf("koji build %d of the task: %v", buildID, err)
	}
	v2, err := kc.Call(ctx, "listArchives", koji.KW{"buildID": buildID, "type": "image"})
	if err != nil {
		return 0, err
	}
	var archives []struct {
		Filename string         `koji:"filename"`
		TypeName string         `koji:"type_name"`
		BType    string         `koji:"btype"`
		Extra    map[string]any `koji:"extra"`
	}
	if err := koji.Decode(v2, &archives); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range archives {
		if a.BType != "" && a.BType != "image" {
			continue
		}
		img, _ := a.Extra["image"].(map[string]any)
		arch, _ := img["arch"].(string)
		if arch == "" {
			return n, fmt.Errorf("archive %s of build %s has no image arch", a.Filename, b.NVR)
		}
		typ := manifestType
		if typ == "" {
			typ = a.TypeName
			if a.TypeName == "iso" {
				fn := strings.ToLower(a.Filename)
				switch {
				case strings.Contains(fn, "ostree"):
					typ = "dvd-ostree-osbuild"
				case strings.Contains(fn, "live"):
					typ = "live-osbuild"
				case strings.Contains(fn, "netinst") || strings.Contains(fn, "boot"):
					typ = "boot"
				default:
					typ = "dvd"
				}
			}
		}
		dir := c.Paths.Compose.ImageDir(arch, v)
		if a.TypeName == "iso" {
			if d, err := createiso.ISODir(c, arch, v); err == nil && d != "" {
				dir = d
			}
		}
		if dir == "" {
			return n, fmt.Errorf("%s: variant %s (%s) has no images directory", deliverable, v.UID, v.Type)
		}
		src := filepath.Join(top, "packages", b.Name, b.Version, b.Release, "images", a.Filename)
		if _, err := addImage(c, v, arch, src, dir, images.Image{Type: typ, Format: a.TypeName, Bootable: a.TypeName == "iso",
			Subvariant: sub, Deliverable: deliverable, CanFail: canFail}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// OSBuild is the osbuild phase.
type OSBuild struct{}

// Name implements compose.Phase.
func (*OSBuild) Name() string { return "osbuild" }

// Skip implements compose.Phase.
func (*OSBuild) Skip(c *compose.Compose) bool { return !configured(c, "osbuild") }

// Run implements compose.Phase.
func (*OSBuild) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "osbuild", v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			arches := Arches(b, v)
			if len(arches) == 0 {
				continue
			}
			name, distro := b.str("name"), b.str("distro")
			types := b.strs("image_types")
			if name == "" || distro == "" || len(types) == 0 {
				return fmt.Errorf("osbuild for %s: name, distro and image_types are required", v.UID)
			}
			target := configStr(c, "osbuild", b, "target")
			if target == "" {
				return fmt.Errorf("osbuild %s for %s: no target (target, osbuild_target or global_target)", name, v.UID)
			}
			version, err := Version(c, "osbuild", b)
			if err != nil {
				return err
			}
			rel, err := Release(c, "osbuild", b)
			if err != nil {
				return err
			}
			urls, err := RepoURLs(c, ownRepoFirst(v, b), "$arch")
			if err != nil {
				return err
			}
			opts := map[string]any{"repo": anyList(urls)}
			if rel != "" {
				opts["release"] = rel
			}
			for _, k := range []string{"ostree", "upload_options", "customizations"} {
				if x, ok := b[k]; ok {
					opts[k] = x
				}
			}
			failableArches := FailableArches(b, arches)
			canFail := len(failableArches) > 0 && sameSet(failableArches, arches)
			sub := subvariant(b, v)
			manifestType := b.str("manifest_type")
			tasks = append(tasks, compose.Task{Name: v.UID + " " + name, Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "osbuild", sub, canFail, func() error {
					log := c.Paths.Log.LogFile(strings.Join(arches, "-"), fmt.Sprintf("osbuild-%s-%s-%s", v.UID, sub, strings.Join(types, "-")))
					build, err := startAndWatchBuild(ctx, c, log, "osbuild", "osbuildImage", name, version, distro, anyList(types), target, anyList(arches), opts)
					if err != nil {
						return err
					}
					_, err = buildArchives(ctx, c, v, build, sub, "image-build", manifestType, canFail)
					return err
				})
			}})
		}
	}
	return c.RunTasks(ctx, "osbuild", tasks, 0)
}

// KiwiBuild is the kiwibuild phase.
type KiwiBuild struct{}

// Name implements compose.Phase.
func (*KiwiBuild) Name() string { return "kiwibuild" }

// Skip implements compose.Phase.
func (*KiwiBuild) Skip(c *compose.Compose) bool { return !configured(c, "kiwibuild") }

// Run implements compose.Phase.
func (*KiwiBuild) Run(ctx context.Context, c *compose.Compose) error {
	var tasks []compose.Task
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "kiwibuild", v)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			arches := Arches(b, v)
			if len(arches) == 0 {
				continue
			}
			scm := configStr(c, "kiwibuild", b, "description_scm")
			path := configStr(c, "kiwibuild", b, "description_path")
			if scm == "" || path == "" {
				return fmt.Errorf("kiwibuild for %s: description_scm and description_path are required", v.UID)
			}
			target := configStr(c, "kiwibuild", b, "target")
			if target == "" {
				return fmt.Errorf("kiwibuild for %s: no target (target, kiwibuild_target or global_target)", v.UID)
			}
			rel, err := Release(c, "kiwibuild", b)
			if err != nil {
				return err
			}
			urls, err := RepoURLs(c, ownRepoFirst(v, b), "$arch")
			if err != nil {
				return err
			}
			failableArches := FailableArches(b, arches)
			kw := koji.KW{"profile": b.str("kiwi_profile"), "release": rel, "repos": anyList(urls),
				"optional_arches": anyList(failableArches)}
			for _, k := range []string{"type", "type_attr", "bundle_name_format"} {
				if x, ok := config(c, "kiwibuild", b, k); ok {
					key := k
					if k == "bundle_name_format" {
						key = "result_bundle_name_format"
					}
					kw[key] = x
				}
			}
			if ver, ok := config(c, "kiwibuild", b, "version"); ok {
				s, _ := ver.(string)
				if kw["version"], err = images.VersionGenerator(c, s); err != nil {
					return err
				}
			}
			canFail := len(failableArches) > 0 && sameSet(failableArches, arches)
			sub := subvariant(b, v)
			tasks = append(tasks, compose.Task{Name: v.UID + " kiwi " + b.str("kiwi_profile"), Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "kiwibuild", sub, canFail, func() error {
					log := c.Paths.Log.LogFile(strings.Join(arches, "-"), fmt.Sprintf("kiwibuild-%s-%s", v.UID, sub))
					build, err := startAndWatchBuild(ctx, c, log, "kiwiBuild", "kiwiBuild", target, anyList(arches), scm, path, kw)
					if err != nil {
						return err
					}
					_, err = buildArchives(ctx, c, v, build, sub, "kiwibuild", b.str("manifest_type"), canFail)
					return err
				})
			}})
		}
	}
	return c.RunTasks(ctx, "kiwibuild", tasks, 0)
}

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
					return p.build(ctx, c, v, src, target, opts, "osbs")
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
	for _, r := range b.strs("repo") {
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
		content := fmt.Sprintf("[%s-%s]\nname=Compose %s (RPMs) - %s\nbaseurl=%s\nenabled=1\ngpgcheck=0\n", c.ID(), rv.UID, c.ID(), rv.UID, repoURL)
		if err := atomicfile.WriteFile(file, []byte(content), 0o644); err != nil {
			return nil, err
		}
		out = append(out, c.TranslatePath(file))
	}
	return out, nil
}

func (p *OSBS) build(ctx context.Context, c *compose.Compose, v *compose.Variant, src, target string, opts map[string]any, what string) error {
	log := c.Paths.Log.LogFile("", fmt.Sprintf("%s-%s", what, v.UID))
	id, res, err := StartAndWatch(ctx, c, log, "buildContainer", src, target, opts)
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
					return p.osbs.build(ctx, c, v, src, target, opts, "image-container")
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

// liveMediaInstallTree is LiveMediaPhase._get_install_tree: the os tree
// ("$basearch") of install_tree_from, a variant UID, or of the variant
// itself — unlike image_build, not its parent and no URL or path.
func liveMediaInstallTree(c *compose.Compose, b Block, v *compose.Variant) (string, error) {
	if from := b.str("install_tree_from"); from != "" {
		src := c.Variant(from)
		if src == nil {
			return "", fmt.Errorf("There is no variant %s to get repo from when building live media for %s.", from, v.UID)
		}
		v = src
	}
	return c.TranslatePath(filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree("$basearch", v))), nil
}
