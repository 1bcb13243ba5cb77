package imagetasks

import (
	"context"
	"fmt"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
)

// KiwiBuild is the kiwibuild phase: one kiwiBuild task (Koji's kiwi
// plugin) per configuration block, its per-arch image files collected
// into the compose.
type KiwiBuild struct{}

// Name implements compose.Phase.
func (*KiwiBuild) Name() string { return "kiwibuild" }

// Skip implements compose.Phase.
func (*KiwiBuild) Skip(c *compose.Compose) bool { return !configured(c, "kiwibuild") }

// kiwiTask is one kiwiBuild call as Pungi's kiwibuild phase makes it.
type kiwiTask struct {
	variant  *compose.Variant
	block    Block
	arches   []string
	failable []string
	// args are the positional arguments (target, arches, description
	// SCM URL and path), kw the keyword ones.
	args []any
	kw   koji.KW
}

// planKiwi works out the kiwiBuild calls. Every per-image key falls back
// to kiwibuild_<key> and then global_<key> (description_scm,
// description_path, target, release, version, type, type_attr,
// bundle_name_format, repo_releasever); kiwi_profile is per image only.
// Every keyword is sent, None when unset, as Pungi does; the version is
// the image version when none is configured.
func planKiwi(c *compose.Compose) ([]*kiwiTask, error) {
	var out []*kiwiTask
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "kiwibuild", v)
		if err != nil {
			return nil, err
		}
		for _, b := range blocks {
			arches := Arches(b, v)
			if len(arches) == 0 {
				continue
			}
			scm := configStr(c, "kiwibuild", b, "description_scm")
			path := configStr(c, "kiwibuild", b, "description_path")
			if scm == "" || path == "" {
				return nil, fmt.Errorf("kiwibuild for %s: description_scm and description_path are required (per image or as kiwibuild_description_scm/_path)", v.UID)
			}
			target := configStr(c, "kiwibuild", b, "target")
			if target == "" {
				return nil, fmt.Errorf("kiwibuild for %s: no target (target, kiwibuild_target or global_target)", v.UID)
			}
			rel, err := Release(c, "kiwibuild", b)
			if err != nil {
				return nil, err
			}
			version, err := Version(c, "kiwibuild", b)
			if err != nil {
				return nil, err
			}
			repos, err := ConfiguredRepos(c, b, "repos", v)
			if err != nil {
				return nil, err
			}
			failable := failableOf(b, arches)
			typeAttr := any(nil)
			if x, ok := config(c, "kiwibuild", b, "type_attr"); ok && x != nil {
				typeAttr = anyList(compose.AsStrings(x))
			}
			kw := koji.KW{
				"profile":                   orNil(b.str("kiwi_profile")),
				"release":                   orNil(rel),
				"repos":                     repos,
				"type":                      orNil(configStr(c, "kiwibuild", b, "type")),
				"type_attr":                 typeAttr,
				"result_bundle_name_format": orNil(configStr(c, "kiwibuild", b, "bundle_name_format")),
				// Koji lets the task go on when only these arches fail.
				"optional_arches": anyList(failable),
				"version":         orNil(version),
				"repo_releasever": orNil(configStr(c, "kiwibuild", b, "repo_releasever")),
			}
			out = append(out, &kiwiTask{variant: v, block: b, arches: arches, failable: failable,
				args: []any{target, anyList(arches), scm, path}, kw: kw})
		}
	}
	return out, nil
}

// Run implements compose.Phase.
func (*KiwiBuild) Run(ctx context.Context, c *compose.Compose) error {
	plan, err := planKiwi(c)
	if err != nil {
		return err
	}
	tasks := make([]compose.Task, len(plan))
	for i, t := range plan {
		num := i + 1
		tasks[i] = compose.Task{Name: fmt.Sprintf("%s kiwi %s", t.variant.UID, t.block.str("kiwi_profile")), Run: func(ctx context.Context) error {
			// The task as a whole may fail only when every arch may.
			canFail := supersetOf(t.failable, t.arches)
			return failableRun(c, t.variant, "*", "kiwibuild", subvariant(t.block, t.variant), canFail, func() error {
				c.Log.Infof("[BEGIN] kiwibuild task for variant %s", t.variant.UID)
				log := watchLog(c, "kiwibuild", t.variant, num)
				id, _, err := StartAndWatch(ctx, c, log, "kiwiBuild", append(t.args, t.kw)...)
				if err != nil {
					return fmt.Errorf("kiwiBuild: %w", err)
				}
				if _, err := collectTaskImages(ctx, c, t.variant, id, t.block, false, "kiwibuild", t.failable); err != nil {
					return err
				}
				c.Log.Infof("[DONE ] kiwibuild task for variant %s (task id: %d)", t.variant.UID, id)
				return nil
			})
		}}
	}
	return c.RunTasks(ctx, "kiwibuild", tasks, 0)
}
