// Package imagetasks holds the phases that delegate image building to
// Koji: image_build (as Pungi, through Koji's client: "koji image-build
// --config=INI --wait", which submits buildImageOz), live_media
// ("koji spin-livemedia … --wait", which submits buildImage of type
// livemedia), osbuild
// (osbuildImage), kiwibuild (kiwiBuild), imagebuilder (imageBuilderBuild), osbs (buildContainer from a git
// repository) and image_container (buildContainer around a compose image).
// Options fall back from the block to <phase>_<option> and global_<option>
// (ksurl, target, version, release) as Pungi's ImageConfigMixin; the magic
// release/version values are Pungi's version generators. Tasks are
// recorded under logs/global/koji-tasks/ and cancelled when the compose is
// terminated; results are linked into compose/<variant>/<arch>/images/ (or
// iso/) and recorded in the image manifest; failable arches follow the
// block's "failable".
package imagetasks

import (
	"context"
	"fmt"
	"github.com/pungo/pungo/phases/config/pyre"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/runroot"
)

// Block is one configuration block.
type Block map[string]any

func (b Block) str(k string) string { s, _ := b[k].(string); return s }

func (b Block) strs(k string) []string { return compose.AsStrings(b[k]) }

func (b Block) boolean(k string) bool { x, _ := b[k].(bool); return x }

// repos are the block's repositories (one or a list) as Pungi's
// get_repo_url reads them: a string as it is, a repository dict
// ({"name", "baseurl", …}) as its baseurl — never Go's text of the dict.
func (b Block) repos(k string) ([]string, error) {
	raw := compose.AsList(b[k])
	if raw == nil && b[k] != nil {
		raw = []any{b[k]}
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		switch x := r.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			u, ok := x["baseurl"].(string)
			if !ok {
				return nil, fmt.Errorf("Baseurl is required in repo dict %v", x)
			}
			out = append(out, u)
		default:
			return nil, fmt.Errorf("%s: a repository must be a string or a dict, got %T", k, r)
		}
	}
	return out, nil
}

// config is Pungi's ImageConfigMixin.get_config: the block's value, else
// <phase>_<opt>, else global_<opt>.
func config(c *compose.Compose, phase string, b Block, opt string) (any, bool) {
	if v, ok := b[opt]; ok {
		return v, true
	}
	if v, ok := c.Conf.Get(phase + "_" + opt); ok {
		return v, true
	}
	if v, ok := c.Conf.Get("global_" + opt); ok {
		return v, true
	}
	return nil, false
}

func configStr(c *compose.Compose, phase string, b Block, opt string) string {
	v, _ := config(c, phase, b, opt)
	s, _ := v.(string)
	return s
}

// Release is ImageConfigMixin.get_release: a set release (block, phase or
// global) goes through the version generators, and an empty/None one
// becomes the compose's image release; "" when no release is configured.
func Release(c *compose.Compose, phase string, b Block) (string, error) {
	v, ok := config(c, phase, b, "release")
	if !ok {
		return "", nil
	}
	s, _ := v.(string)
	r, err := images.VersionGenerator(c.Info, s)
	if err != nil {
		return "", err
	}
	if r == "" {
		r = compose.ImageRelease(c.Info)
	}
	return r, nil
}

// Version is get_version: the generated version or the image version.
func Version(c *compose.Compose, phase string, b Block) (string, error) {
	v, err := images.VersionGenerator(c.Info, configStr(c, phase, b, "version"))
	if err != nil {
		return "", err
	}
	if v == "" {
		v = compose.ImageVersion(c.Info)
	}
	return v, nil
}

// KSURL is get_ksurl: a git URL whose ref is HEAD or origin/<branch> gets
// the commit hash instead, so every image uses the same kickstart.
func KSURL(ctx context.Context, c *compose.Compose, phase string, b Block) (string, error) {
	ks := configStr(c, phase, b, "ksurl")
	if ks == "" {
		return "", nil
	}
	return ResolveGitURL(ctx, ks)
}

// ResolveGitURL is Pungi's resolve_git_url.
func ResolveGitURL(ctx context.Context, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("git URL %q: %w", raw, err)
	}
	var ref string
	switch {
	case u.Fragment == "HEAD":
		ref = "HEAD"
	case strings.HasPrefix(u.Fragment, "origin/"):
		ref = "refs/heads/" + strings.TrimPrefix(u.Fragment, "origin/")
	default:
		return raw, nil
	}
	base := *u
	base.Scheme = strings.TrimPrefix(u.Scheme, "git+")
	base.Fragment, base.RawQuery = "", ""
	out, err := compose.GitCommand(ctx, "ls-remote", base.String(), ref).Output()
	if err != nil {
		return "", fmt.Errorf("Failed to resolve %s: git ls-remote: %v", raw, err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && (strings.Contains(l, "refs/heads/") || strings.Contains(l, "refs/tags/") || strings.Contains(l, "\tHEAD")) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("Failed to resolve %s: ref does not exist in remote repo", raw)
	}
	if len(lines) != 1 {
		return "", fmt.Errorf("Failed to resolve %q in %s", ref, raw)
	}
	res := *u
	res.Fragment = strings.Fields(lines[0])[0]
	return res.String(), nil
}

// Blocks returns the blocks of a {variant regex: block or [blocks]}
// option that apply to a variant, in pattern order.
func Blocks(c *compose.Compose, name string, v *compose.Variant) ([]Block, error) {
	raw, ok := c.Conf.Get(name)
	if !ok || raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a {variant regex: configuration} dict, got %T", name, raw)
	}
	pats := slices.Sorted(maps.Keys(m))
	var out []Block
	for _, p := range pats {
		re, err := pyre.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: bad variant pattern %q: %v", name, p, err)
		}
		if !re.MatchStart(v.UID) {
			continue
		}
		vals := compose.AsList(m[p])
		if vals == nil {
			vals = []any{m[p]}
		}
		for _, x := range vals {
			bm, ok := x.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: a configuration block for %s must be a dict, got %T", name, p, x)
			}
			cp := Block{}
			for k, v := range bm {
				cp[k] = v
			}
			out = append(out, cp)
		}
	}
	return out, nil
}

func configured(c *compose.Compose, name string) bool {
	v, ok := c.Conf.Get(name)
	if !ok || v == nil {
		return false
	}
	m, isMap := v.(map[string]any)
	return !isMap || len(m) > 0
}

// Arches is the block's "arches" intersected with the variant's (all the
// variant's when unset), sorted.
func Arches(b Block, v *compose.Variant) []string {
	want := b.strs("arches")
	var out []string
	for _, a := range v.Arches {
		if a == "src" {
			continue
		}
		if len(want) == 0 || slices.Contains(want, a) {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// FailableArches are the block's failable arches ("*" = all of arches).
func FailableArches(b Block, arches []string) []string {
	f := b.strs("failable")
	if len(f) == 1 && f[0] == "*" {
		return append([]string(nil), arches...)
	}
	sort.Strings(f)
	return f
}

// RepoURLs are get_repo_urls: URLs as they are, absolute paths translated,
// variant UIDs as that variant's repository with arch in the path.
func RepoURLs(c *compose.Compose, repos []string, arch string) ([]string, error) {
	var out []string
	for _, r := range repos {
		switch {
		case strings.Contains(r, "://"):
			out = append(out, r)
		case strings.HasPrefix(r, "/"):
			out = append(out, compose.TranslatePath(c.Conf, r))
		default:
			v := c.Variant(r)
			if v == nil {
				return nil, fmt.Errorf("There is no variant %s to get repo from.", r)
			}
			out = append(out, compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository(arch, v))))
		}
	}
	return out, nil
}

// InstallTree is _get_install_tree: install_tree_from (a URL, a path or a
// variant UID; default the variant, or its parent for nested variants) as
// the os tree with "$arch" in it.
func InstallTree(c *compose.Compose, b Block, v *compose.Variant) (string, error) {
	if v.Type != "variant" && v.Parent != nil {
		v = v.Parent
	}
	from := b.str("install_tree_from")
	if from == "" {
		from = v.UID
	}
	if strings.Contains(from, "://") {
		return from, nil
	}
	if strings.HasPrefix(from, "/") {
		return compose.TranslatePath(c.Conf, from), nil
	}
	src := c.Variant(from)
	if src == nil {
		return "", fmt.Errorf("There is no variant %s to get install tree from when building image for %s.", from, v.UID)
	}
	return compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree("$arch", src))), nil
}

// KojiTopDir is the local Koji topdir (packages/, work/): koji_profile's
// topdir.
func KojiTopDir(c *compose.Compose) (string, error) {
	name, _ := compose.StringOpt(c.Conf, "koji_profile")
	if name == "" {
		return "", fmt.Errorf("koji_profile is not set")
	}
	p, err := koji.LoadProfile(name)
	if err != nil {
		return "", err
	}
	if p.TopDir == "" {
		return "", fmt.Errorf("koji profile %s has no topdir (Koji's files must be mounted locally)", name)
	}
	return p.TopDir, nil
}

// TaskDir is Koji's pathinfo.task for an ID.
func TaskDir(top string, id int64) string {
	return filepath.Join(top, "work", "tasks", fmt.Sprint(id%10000), fmt.Sprint(id))
}

// StartAndWatch starts a Koji task, records it, waits for it and writes
// a log. It returns the task ID and result.
func StartAndWatch(ctx context.Context, c *compose.Compose, logFile, method string, args ...any) (int64, any, error) {
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", method, err)
	}
	id, err := kc.StartTask(ctx, method, args...)
	if err != nil {
		return 0, nil, err
	}
	runroot.TrackTask(c, kc, id)
	c.Log.Infof("Koji task %d (%s) started", id, method)
	res, err := kc.WatchTask(ctx, id, runroot.DefaultPoll)
	text := fmt.Sprintf("Koji task %d (%s)\n", id, method)
	if err != nil {
		text += err.Error() + "\n"
	} else {
		text += fmt.Sprintf("result: %v\n", res)
	}
	if logFile != "" {
		os.MkdirAll(filepath.Dir(logFile), 0o755)
		atomicfile.WriteFile(logFile, []byte(text), 0o644)
	}
	if err != nil {
		return id, nil, fmt.Errorf("%s task %d failed: %w. See %s for more details.", method, id, err, logFile)
	}
	return id, res, nil
}

// Link puts a Koji output file into the compose (hardlink, else copy).
func Link(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return atomicfile.Copy(src, dst, 0o644)
}

// imageSubtasks are the per-arch subtask methods whose results are image
// files: image-build, livemedia and appliance tasks, kiwi's
// createKiwiImage and image-builder's imageBuilderBuildArch.
var imageSubtasks = map[string]bool{
	"createImage": true, "createLiveMedia": true, "createAppliance": true,
	"createKiwiImage": true, "imageBuilderBuildArch": true,
}

// ChildPaths is KojiWrapper.get_image_paths: per arch, the files of the
// closed image subtasks; failed subtasks are reported through failed.
func ChildPaths(ctx context.Context, c *compose.Compose, id int64, scratch bool, failed func(arch string)) (map[string][]string, error) {
	kc, err := runroot.Client(ctx, c)
	if err != nil {
		return nil, err
	}
	top, err := KojiTopDir(c)
	if err != nil {
		return nil, err
	}
	kids, err := kc.GetTaskChildren(ctx, id)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, k := range kids {
		if !imageSubtasks[k.Method] {
			continue
		}
		if k.State != koji.TaskClosed {
			if failed != nil {
				failed(k.Arch)
			}
			continue
		}
		v, err := kc.GetTaskResult(ctx, k.ID)
		if err != nil {
			return nil, err
		}
		var res struct {
			Arch       string   `koji:"arch"`
			Files      []string `koji:"files"`
			KojiBuilds []int64  `koji:"koji_builds"`
			Name       string   `koji:"name"`
			Version    string   `koji:"version"`
			Release    string   `koji:"release"`
		}
		if err := koji.Decode(v, &res); err != nil {
			return nil, err
		}
		dir := TaskDir(top, k.ID)
		if !scratch && len(res.KojiBuilds) > 0 {
			b, err := kc.GetBuild(ctx, res.KojiBuilds[0])
			if err == nil && b != nil {
				dir = filepath.Join(top, "packages", b.Name, b.Version, b.Release, "images")
			}
		} else if !scratch && res.Name != "" && res.Version != "" && res.Release != "" {
			// pathinfo.imagebuild of the build the result names.
			dir = filepath.Join(top, "packages", res.Name, res.Version, res.Release, "images")
		}
		arch := res.Arch
		if arch == "" {
			arch = k.Arch
		}
		for _, f := range res.Files {
			out[arch] = append(out[arch], filepath.Join(dir, f))
		}
	}
	return out, nil
}

// failableRun is Pungi's failable(): with canFail a failure is recorded
// and logged and the compose goes on.
func failableRun(c *compose.Compose, v *compose.Variant, arch, kind, subvariant string, canFail bool, fn func() error) error {
	if !canFail {
		c.RequireDeliverable(v, arch, kind, subvariant)
		return fn()
	}
	c.AttemptDeliverable(v, arch, kind, subvariant)
	if err := fn(); err != nil {
		c.FailDeliverable(v, arch, kind, subvariant)
		c.Log.Errorf("[FAIL] %s (variant %s, arch %s, subvariant %s) failed, but going on anyway.", kind, v.UID, arch, subvariant)
		c.Log.Errorf("%v", err)
	}
	return nil
}

// addImage links a result file into dir and records it in the manifest.
func addImage(c *compose.Compose, v *compose.Variant, arch, src, dir string, im images.Image) (*images.Image, error) {
	dst := filepath.Join(dir, filepath.Base(src))
	if err := Link(src, dst); err != nil {
		return nil, err
	}
	got, err := images.NewImage(c, dst)
	if err != nil {
		return nil, err
	}
	im.Path, im.Size, im.MTime = got.Path, got.Size, got.MTime
	if im.Arch == "" {
		im.Arch = arch
	}
	if im.DiscNumber == 0 {
		im.DiscNumber, im.DiscCount = 1, 1
	}
	out := im
	images.Of(c).Add(v.UID, arch, &out)
	return &out, nil
}
