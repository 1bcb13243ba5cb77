package imagetasks

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

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
			repos, err := b.repos("repo")
			if err != nil {
				return err
			}
			if !v.IsEmpty && !slices.Contains(repos, v.UID) {
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
	return compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelOSTree("$basearch", v))), nil
}
