package imagetasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/koji"
)

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
			// Configured repositories first, then the variant's own; a
			// {"baseurl", "package_sets"} entry goes to Koji as a struct.
			repos, err := ConfiguredRepos(c, b, "repo", v)
			if err != nil {
				return err
			}
			opts := map[string]any{"repo": repos}
			// Koji's osbuild plugin takes the ostree settings as one
			// struct (IoT and edge images).
			ostree := map[string]any{}
			for _, k := range [][2]string{{"ostree_url", "url"}, {"ostree_ref", "ref"}, {"ostree_parent", "parent"}} {
				if x := b.str(k[0]); x != "" {
					ostree[k[1]] = x
				}
			}
			if len(ostree) > 0 {
				opts["ostree"] = ostree
			}
			for _, k := range []string{"upload_options", "customizations"} {
				if x, ok := b[k]; ok && pconfig.Truthy(x) {
					opts[k] = x
				}
			}
			if rel != "" {
				opts["release"] = rel
			}
			// As Pungi: any failable arch lets the whole task fail.
			canFail := len(failableOf(b, arches)) > 0
			sub := subvariant(b, v)
			manifestType := b.str("manifest_type")
			tasks = append(tasks, compose.Task{Name: v.UID + " " + name, Run: func(ctx context.Context) error {
				return failableRun(c, v, "*", "osbuild", sub, canFail, func() error {
					log := c.Paths.Log.LogFile(strings.Join(arches, "-"), fmt.Sprintf("osbuild-%s-%s-%s", v.UID, sub, strings.Join(types, "-")))
					build, err := startAndWatchBuild(ctx, c, log, "osbuild", "osbuildImage", name, version, distro, anyList(types), target, anyList(arches), koji.KW{"opts": opts})
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
