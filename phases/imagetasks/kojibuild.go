package imagetasks

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/runroot"
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
