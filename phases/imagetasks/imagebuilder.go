package imagetasks

import (
	"context"
	"fmt"

	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/koji"
)

// ImageBuilder is the imagebuilder phase: one imageBuilderBuild task
// (Koji's image-builder plugin) per configuration block, its per-arch
// image files (imageBuilderBuildArch subtasks) collected into the compose.
type ImageBuilder struct{}

// Name implements compose.Phase.
func (*ImageBuilder) Name() string { return "imagebuilder" }

// Skip implements compose.Phase.
func (*ImageBuilder) Skip(c *compose.Compose) bool { return !configured(c, "imagebuilder") }

// imageBuilderTask is one imageBuilderBuild call.
type imageBuilderTask struct {
	variant *compose.Variant
	block   Block
	scratch bool
	args    []any
	kw      koji.KW
}

// planImageBuilder works out the imageBuilderBuild calls as Pungi's
// imagebuilder phase: target, types, seed and scratch fall back to
// imagebuilder_<key> and global_<key>, release and version through the
// version generators (version defaulting to the image version); opts
// carries repos (the block's, then the variant's own), and release,
// seed, scratch, ostree and blueprint when set.
//
// Pungi's phase reads "failable" but then treats every arch as required
// (its worker resets the failable list), so a failed task fails the
// compose and no optional_arches reach Koji; pungo does the same, and
// `config validate` says so.
func planImageBuilder(c *compose.Compose) ([]*imageBuilderTask, error) {
	var out []*imageBuilderTask
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "imagebuilder", v)
		if err != nil {
			return nil, err
		}
		for _, b := range blocks {
			arches := Arches(b, v)
			if len(arches) == 0 {
				continue
			}
			name := b.str("name")
			if name == "" {
				return nil, fmt.Errorf("imagebuilder for %s: name is required", v.UID)
			}
			target := configStr(c, "imagebuilder", b, "target")
			if target == "" {
				return nil, fmt.Errorf("imagebuilder %s for %s: no target (target, imagebuilder_target or global_target)", name, v.UID)
			}
			typesRaw, _ := config(c, "imagebuilder", b, "types")
			types := compose.AsStrings(typesRaw)
			if len(types) == 0 {
				return nil, fmt.Errorf("imagebuilder %s for %s: no image types (types or imagebuilder_types)", name, v.UID)
			}
			rel, err := Release(c, "imagebuilder", b)
			if err != nil {
				return nil, err
			}
			version, err := Version(c, "imagebuilder", b)
			if err != nil {
				return nil, err
			}
			repos, err := ConfiguredRepos(c, b, "repos", v)
			if err != nil {
				return nil, err
			}
			opts := map[string]any{"repos": repos}
			if rel != "" {
				opts["release"] = rel
			}
			if seed, ok := config(c, "imagebuilder", b, "seed"); ok && pconfig.Truthy(seed) {
				opts["seed"] = seed
			}
			scratch, _ := config(c, "imagebuilder", b, "scratch")
			if pconfig.Truthy(scratch) {
				opts["scratch"] = scratch
			}
			for _, k := range []string{"ostree", "blueprint"} {
				if x, ok := b[k]; ok && pconfig.Truthy(x) {
					opts[k] = x
				}
			}
			out = append(out, &imageBuilderTask{variant: v, block: b, scratch: pconfig.Truthy(scratch), args: []any{target, anyList(arches)},
				kw: koji.KW{"types": anyList(types), "name": name, "version": version, "opts": opts}})
		}
	}
	return out, nil
}

// Run implements compose.Phase.
func (*ImageBuilder) Run(ctx context.Context, c *compose.Compose) error {
	plan, err := planImageBuilder(c)
	if err != nil {
		return err
	}
	tasks := make([]compose.Task, len(plan))
	for i, t := range plan {
		num := i + 1
		tasks[i] = compose.Task{Name: fmt.Sprintf("%s imagebuilder %s", t.variant.UID, t.block.str("name")), Run: func(ctx context.Context) error {
			return failableRun(c, t.variant, "*", "imageBuilderBuild", subvariant(t.block, t.variant), false, func() error {
				c.Log.Infof("[BEGIN] imageBuilderBuild task for variant %s", t.variant.UID)
				log := watchLog(c, "imageBuilderBuild", t.variant, num)
				id, _, err := StartAndWatch(ctx, c, log, "imageBuilderBuild", append(t.args, t.kw)...)
				if err != nil {
					return fmt.Errorf("imageBuilderBuild: %w", err)
				}
				if _, err := collectTaskImages(ctx, c, t.variant, id, t.block, t.scratch, "imageBuilderBuild", nil); err != nil {
					return err
				}
				c.Log.Infof("[DONE ] imageBuilderBuild task for variant %s (task id: %d)", t.variant.UID, id)
				return nil
			})
		}}
	}
	return c.RunTasks(ctx, "imagebuilder", tasks, 0)
}
