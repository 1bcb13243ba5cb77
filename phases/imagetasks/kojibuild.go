package imagetasks

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
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
		// As Pungi: archives of types image-build does not know are not
		// compose images; the format is the type's file ending.
		suffixes, known := Extensions[a.TypeName]
		if !known {
			continue
		}
		format := ""
		for _, s := range suffixes {
			if strings.HasSuffix(a.Filename, s) {
				format = s
				break
			}
		}
		if format == "" {
			return n, fmt.Errorf("Failed to generate metadata. Format of %s doesn't match type %s", a.Filename, a.TypeName)
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
		if _, err := addImage(c, v, arch, src, dir, images.Image{Type: typ, Format: format, Bootable: a.TypeName == "iso",
			Subvariant: sub, Deliverable: deliverable, CanFail: canFail}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ConfiguredRepos is the _get_repo of Pungi's osbuild, kiwibuild and
// imagebuilder phases: the block's repositories (key "repo" or "repos")
// in their order, then the variant's own unless it is empty or already
// listed, each resolved as get_repo_url does with "$arch" in variant
// paths. A dict entry (osbuild's {"baseurl": …, "package_sets": […]})
// stays a dict — an XML-RPC struct on the wire — with its baseurl
// resolved; a dict without baseurl is an error, as in Pungi.
func ConfiguredRepos(c *compose.Compose, b Block, key string, v *compose.Variant) ([]any, error) {
	raw := compose.AsList(b[key])
	if raw == nil && b[key] != nil {
		raw = []any{b[key]}
	}
	listed := false
	for _, r := range raw {
		if s, ok := r.(string); ok && s == v.UID {
			listed = true
		}
	}
	if !v.IsEmpty && !listed {
		raw = append(append([]any(nil), raw...), v.UID)
	}
	out := make([]any, 0, len(raw))
	for _, r := range raw {
		switch x := r.(type) {
		case string:
			u, err := RepoURLs(c, []string{x}, "$arch")
			if err != nil {
				return nil, err
			}
			out = append(out, u[0])
		case map[string]any:
			base, ok := x["baseurl"].(string)
			if !ok {
				return nil, fmt.Errorf("`baseurl` is required in repo dict %s", pconfig.PyStr(x))
			}
			u, err := RepoURLs(c, []string{base}, "$arch")
			if err != nil {
				return nil, err
			}
			cp := make(map[string]any, len(x))
			for k, e := range x {
				cp[k] = e
			}
			cp["baseurl"] = u[0]
			out = append(out, cp)
		default:
			return nil, fmt.Errorf("%s for %s: a repository must be a string or a dict, got %T", key, v.UID, r)
		}
	}
	return out, nil
}

// failableOf is the block's "failable" as the image phases read it:
// ["*"] means the block's "arches" (all build arches when it has none).
func failableOf(b Block, arches []string) []string {
	f := b.strs("failable")
	if len(f) == 1 && f[0] == "*" {
		if a := b.strs("arches"); len(a) > 0 {
			return a
		}
		return append([]string(nil), arches...)
	}
	return f
}

// supersetOf says whether every arch is in failable: only then may the
// Koji task as a whole fail without failing the compose.
func supersetOf(failable, arches []string) bool {
	for _, a := range arches {
		if !slices.Contains(failable, a) {
			return false
		}
	}
	return true
}

// imageKind is one entry of a phase's table from result file endings to
// the productmd image type and format.
type imageKind struct {
	typ      string
	suffixes []string
	format   string
}

// builderKinds are the endings image-builder and kiwi give their results
// where they differ from image-build's (Pungi's IMAGEBUILDEREXTENSIONS,
// with kiwi's compressed VHD and filesystem images from productmd's
// table); they are tried before Extensions so that an OCI archive
// (.oci.tar.xz) is a container, not a docker tarball. An ISO's type is
// only a guess ("boot"): manifest_type sets the real one.
var builderKinds = []imageKind{
	{"vhd-compressed", []string{"vhdfixed.xz"}, "vhd.xz"},
	{"vagrant-libvirt", []string{"vagrant.libvirt.box"}, "vagrant-libvirt.box"},
	{"vagrant-virtualbox", []string{"vagrant.virtualbox.box"}, "vagrant-virtualbox.box"},
	{"container", []string{"oci.tar.xz"}, "tar.xz"},
	{"wsl2", []string{"wsl"}, "wsl"},
	{"fex", []string{"erofs.xz"}, "erofs.xz"},
	{"fex", []string{"erofs.gz"}, "erofs.gz"},
	{"fex", []string{"erofs"}, "erofs"},
	{"fex", []string{"squashfs.xz"}, "squashfs.xz"},
	{"fex", []string{"squashfs.gz"}, "squashfs.gz"},
	{"boot", []string{".iso"}, "iso"},
}

// findTypeAndFormat is _find_type_and_format: the image type and format
// of a result file, or "", "" for files that are not images (logs,
// package lists, checksums).
func findTypeAndFormat(path string) (string, string) {
	for _, k := range builderKinds {
		for _, s := range k.suffixes {
			if strings.HasSuffix(path, s) {
				return k.typ, k.format
			}
		}
	}
	types := slices.Sorted(maps.Keys(Extensions))
	for _, t := range types {
		for _, s := range Extensions[t] {
			if strings.HasSuffix(path, s) {
				return t, s
			}
		}
	}
	return "", ""
}

// collectTaskImages is the image collection of the kiwibuild and
// imagebuilder phases: every result file of the task's per-arch subtasks
// that is an image is linked into compose/<variant>/<arch>/images/ (ISOs
// into iso/) and recorded in the manifest with manifest_type (else the
// guessed type), bootable for ISOs, the subvariant, can_fail per arch and
// the deliverable name.
func collectTaskImages(ctx context.Context, c *compose.Compose, v *compose.Variant, id int64, b Block, scratch bool, deliverable string, failable []string) (int, error) {
	paths, err := ChildPaths(ctx, c, id, scratch, nil)
	if err != nil {
		return 0, err
	}
	archList := slices.Sorted(maps.Keys(paths))
	n := 0
	for _, arch := range archList {
		for _, p := range paths[arch] {
			typ, format := findTypeAndFormat(p)
			if format == "" {
				continue
			}
			if mt := b.str("manifest_type"); mt != "" {
				typ = mt
			}
			dir := c.Paths.Compose.ImageDir(arch, v)
			if format == "iso" {
				d, err := createiso.ISODir(c, arch, v)
				if err != nil {
					return n, err
				}
				dir = d
			}
			if dir == "" {
				return n, fmt.Errorf("%s: variant %s (%s) has no images directory", deliverable, v.UID, v.Type)
			}
			if _, err := addImage(c, v, arch, p, dir, images.Image{Type: typ, Format: format, Arch: arch, Bootable: format == "iso",
				Subvariant: subvariant(b, v), Deliverable: deliverable, CanFail: slices.Contains(failable, arch)}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// watchLog is where Pungi's kiwibuild and imagebuilder phases keep a
// task's watch output: logs/global/<dir>/<variant>-<num>-watch-task.log.
func watchLog(c *compose.Compose, dir string, v *compose.Variant, num int) string {
	return filepath.Join(c.Paths.Log.Topdir(""), dir, fmt.Sprintf("%s-%d-watch-task.log", v.UID, num))
}

// orNil is a Python None for an unset string.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
