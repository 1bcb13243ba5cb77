package imagetasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji"
)

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
