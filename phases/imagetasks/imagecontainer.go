package imagetasks

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/config/pyre"
	"github.com/pungo/pungo/phases/images"
)

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
			canFail := pconfig.Truthy(b["failable"])
			tasks = append(tasks, compose.Task{Name: fmt.Sprintf("%s image container %d", v.UID, i+1), Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "image-container", "", canFail, func() error {
					// arch_override limits the search to those arches.
					im, err := FindImage(c, v, spec, strings.Fields(b.str("arch_override"))...)
					if err != nil {
						return err
					}
					dir := c.Paths.Work.TmpDir("", v)
					repo := filepath.Join(dir, fmt.Sprintf("image-container-%d.repo", i+1))
					loc := compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose", filepath.FromSlash(im.Path)))
					content := fmt.Sprintf("[image-to-include]\nname=Location of image to embed\nbaseurl=%s\nenabled=0\ngpgcheck=0\n", loc)
					if err := atomicfile.WriteFile(repo, []byte(content), 0o644); err != nil {
						return err
					}
					// As Pungi: the block's other keys pass through.
					opts := map[string]any{}
					for k, x := range b {
						switch k {
						case "url", "target", "priority", "failable", "image_spec":
						default:
							opts[k] = x
						}
					}
					opts["yum_repourls"] = []any{compose.TranslatePath(c.Conf, repo)}
					_, err = p.osbs.build(ctx, c, v, src, target, opts, b["priority"], "image-container")
					return err
				})
			}})
		}
	}
	if err := c.RunTasks(ctx, "image_container", tasks, 0); err != nil {
		return err
	}
	return p.osbs.Write(c)
}

// FindImage finds exactly one manifest image of the variant (of the given
// arches, when any) whose fields
// match every image_spec regex (type, format, arch, path, subvariant).
func FindImage(c *compose.Compose, v *compose.Variant, spec map[string]any, arches ...string) (*images.Image, error) {
	var found []*images.Image
	for _, e := range images.Of(c).All() {
		if e.Variant != v.UID || (len(arches) > 0 && !slices.Contains(arches, e.Image.Arch)) {
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
