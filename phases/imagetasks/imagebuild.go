package imagetasks

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/runroot"
)

// Extensions maps image-build formats to the file name endings of their
// results (Pungi's EXTENSIONS).
var Extensions = map[string][]string{
	"docker":                {"tar.gz", "tar.xz"},
	"iso":                   {"iso"},
	"liveimg-squashfs":      {"liveimg.squashfs"},
	"qcow":                  {"qcow"},
	"qcow2":                 {"qcow2"},
	"raw":                   {"raw"},
	"raw-xz":                {"raw.xz"},
	"rhevm-ova":             {"rhevm.ova"},
	"tar-gz":                {"tar.gz"},
	"vagrant-hyperv":        {"vagrant-hyperv.box"},
	"vagrant-libvirt":       {"vagrant-libvirt.box", "vagrant.libvirt.box"},
	"vagrant-virtualbox":    {"vagrant-virtualbox.box", "vagrant.virtualbox.box"},
	"vagrant-vmware-fusion": {"vagrant-vmware-fusion.box"},
	"vdi":                   {"vdi"},
	"vmdk":                  {"vmdk"},
	"vpc":                   {"vhd", "vhdfixed"},
	"vhd-compressed":        {"vhd.gz", "vhd.xz"},
	"vsphere-ova":           {"vsphere.ova"},
}

// ImageBuild is the image_build phase.
type ImageBuild struct{}

// Name implements compose.Phase.
func (*ImageBuild) Name() string { return "image_build" }

// Skip implements compose.Phase.
func (*ImageBuild) Skip(c *compose.Compose) bool { return !configured(c, "image_build") }

// ImageBuildTask is one image-build task.
type ImageBuildTask struct {
	Variant     *compose.Variant
	Subvariant  string
	Name        string
	Version     string
	Target      string
	InstallTree string
	Arches      []string
	Formats     []string
	CanFail     []string
	Scratch     bool
	ConfFile    string
	INI         string
}

// PlanImageBuild works out the image-build tasks.
func PlanImageBuild(ctx context.Context, c *compose.Compose) ([]*ImageBuildTask, error) {
	var out []*ImageBuildTask
	for _, v := range c.GetVariants(nil, "") {
		blocks, err := Blocks(c, "image_build", v)
		if err != nil {
			return nil, err
		}
		for _, b := range blocks {
			raw, ok := b["image-build"].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("image_build for %s: a block needs an \"image-build\" section", v.UID)
			}
			ib := Block{}
			for k, x := range raw {
				ib[k] = x
			}
			t := &ImageBuildTask{Variant: v, Arches: Arches(ib, v)}
			if len(t.Arches) == 0 {
				continue
			}
			t.Name = ib.str("name")
			if t.Name == "" {
				return nil, fmt.Errorf("image_build for %s: name is required", v.UID)
			}
			t.Subvariant = ib.str("subvariant")
			if t.Subvariant == "" {
				t.Subvariant = v.UID
			}
			ksurl, err := KSURL(ctx, c, "image_build", ib)
			if err != nil {
				return nil, err
			}
			if t.InstallTree, err = InstallTree(c, ib, v); err != nil {
				return nil, err
			}
			rel, err := Release(c, "image_build", ib)
			if err != nil {
				return nil, err
			}
			if t.Version, err = Version(c, "image_build", ib); err != nil {
				return nil, err
			}
			t.Target = configStr(c, "image_build", ib, "target")
			if t.Target == "" {
				return nil, fmt.Errorf("image_build for %s: no target (image-build target, image_build_target or global_target)", v.UID)
			}
			for _, f := range compose.AsList(ib["format"]) {
				if l := compose.AsList(f); l != nil && len(l) > 0 {
					f = l[0]
				}
				t.Formats = append(t.Formats, fmt.Sprint(f))
			}
			if s, ok := ib["format"].(string); ok {
				t.Formats = []string{s}
			}
			for _, f := range t.Formats {
				if _, ok := Extensions[f]; !ok {
					return nil, fmt.Errorf("image_build for %s: unknown format %q", v.UID, f)
				}
			}
			repos, err := ib.repos("repo")
			if err != nil {
				return nil, err
			}
			if !v.IsEmpty && !slices.Contains(repos, v.UID) {
				repos = append(repos, v.UID)
			}
			urls, err := RepoURLs(c, repos, "$arch")
			if err != nil {
				return nil, err
			}
			t.CanFail = FailableArches(ib, t.Arches)
			t.Scratch = ib.boolean("scratch")
			// Pungi's get_image_build_cmd asserts these before writing
			// the file; koji would refuse the build without them.
			var missing []string
			for k, have := range map[string]bool{"kickstart": ib.str("kickstart") != "", "ksurl": ksurl != "", "distro": ib.str("distro") != ""} {
				if !have {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				return nil, fmt.Errorf("image_build %s for %s: image-build requires at least name, version, target, install_tree, arches, format, kickstart, ksurl, distro; missing %s", t.Name, v.UID, strings.Join(missing, ", "))
			}
			t.ConfFile = filepath.Join(c.Paths.Work.ImageBuildDir(v), fmt.Sprintf("%s-%s-%s.cfg", t.Name, strings.Join(t.Formats, "-"), strings.Join(t.Arches, "-")))
			t.INI = imageBuildINI(t, ib, urls, ksurl, rel, b)
			out = append(out, t)
		}
	}
	return out, nil
}

// imageBuildINI is the config file "koji image-build --config" reads, as
// Pungi writes it: every key of the block's image-build section (lists
// joined with commas) except failable and scratch, with the computed
// values in place of the configured ones, and the factory-parameters
// section when given. It is kept in work/image-build/ for reruns.
func imageBuildINI(t *ImageBuildTask, ib Block, urls []string, ksurl, rel string, b Block) string {
	sec := map[string]string{}
	for k, v := range ib {
		if k == "failable" || k == "scratch" || v == nil {
			continue
		}
		if l, ok := v.([]any); ok {
			sec[k] = strings.Join(compose.AsStrings(l), ",")
		} else {
			sec[k] = fmt.Sprint(v)
		}
	}
	set := func(k, v string) {
		if v != "" {
			sec[k] = v
		} else {
			delete(sec, k)
		}
	}
	set("name", t.Name)
	set("version", t.Version)
	set("target", t.Target)
	set("install_tree", t.InstallTree)
	set("arches", strings.Join(t.Arches, ","))
	set("format", strings.Join(t.Formats, ","))
	set("ksurl", ksurl)
	set("release", rel)
	set("repo", strings.Join(urls, ","))
	set("can_fail", strings.Join(t.CanFail, ","))
	set("variant", t.Variant.UID)
	var s strings.Builder
	writeSection := func(name string, m map[string]string) {
		fmt.Fprintf(&s, "[%s]\n", name)
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			fmt.Fprintf(&s, "%s = %s\n", k, m[k])
		}
	}
	writeSection("image-build", sec)
	if fp, ok := b["factory-parameters"].(map[string]any); ok {
		m := map[string]string{}
		for k, v := range fp {
			m[k] = fmt.Sprint(v)
		}
		s.WriteString("\n")
		writeSection("factory-parameters", m)
	}
	return s.String()
}

// Run implements compose.Phase.
func (*ImageBuild) Run(ctx context.Context, c *compose.Compose) error {
	tasks, err := PlanImageBuild(ctx, c)
	if err != nil {
		return err
	}
	ct := make([]compose.Task, len(tasks))
	for i, t := range tasks {
		ct[i] = compose.Task{Name: t.Variant.UID + " " + t.Name, Run: func(ctx context.Context) error {
			canFail := len(t.CanFail) > 0 && strings.Join(t.CanFail, ",") == strings.Join(t.Arches, ",")
			return failableRun(c, t.Variant, "*", "image-build", t.Subvariant, canFail, func() error {
				return runImageBuild(ctx, c, t, canFail)
			})
		}}
	}
	return c.RunTasks(ctx, "image_build", ct, 0)
}

func runImageBuild(ctx context.Context, c *compose.Compose, t *ImageBuildTask, canFail bool) error {
	if err := atomicfile.WriteFile(t.ConfFile, []byte(t.INI), 0o644); err != nil {
		return err
	}
	formats := strings.Join(t.Formats, "-")
	log := c.Paths.Log.LogFile(strings.Join(t.Arches, "-"), fmt.Sprintf("imagebuild-%s-%s-%s", t.Variant.UID, t.Subvariant, formats))
	// As Pungi: the koji client submits buildImageOz from the config file
	// and waits for it.
	args := []string{"image-build", "--config=" + t.ConfFile, "--wait"}
	if t.Scratch {
		args = append(args, "--scratch")
	}
	id, _, failed, err := runroot.KojiCLI(ctx, c, log, args...)
	if err != nil {
		return fmt.Errorf("ImageBuild task failed: %w", err)
	}
	if failed != "" {
		return fmt.Errorf("ImageBuild task failed: %d (%s). See %s for more details.", id, failed, log)
	}
	paths, err := ChildPaths(ctx, c, id, t.Scratch, func(arch string) {
		c.FailDeliverable(t.Variant, arch, "image-build", t.Subvariant)
		c.Log.Errorf("[FAIL] Image build (variant %s, arch %s, subvariant %s) failed, but going on anyway.", t.Variant.UID, arch, t.Subvariant)
	})
	if err != nil {
		return err
	}
	archList := slices.Sorted(maps.Keys(paths))
	for _, arch := range archList {
		dir := c.Paths.Compose.ImageDir(arch, t.Variant)
		if dir == "" {
			return fmt.Errorf("image_build: %s (%s) has no images directory", t.Variant.UID, t.Variant.Type)
		}
		for _, p := range paths[arch] {
			for _, f := range t.Formats {
				matched := false
				for _, suf := range Extensions[f] {
					if !strings.HasSuffix(p, suf) {
						continue
					}
					_, err := addImage(c, t.Variant, arch, p, dir, images.Image{Type: f, Format: suf, Arch: arch,
						Subvariant: t.Subvariant, Deliverable: "image-build", CanFail: canFail})
					if err != nil {
						return err
					}
					matched = true
					break
				}
				if matched {
					break
				}
			}
		}
	}
	c.Log.Infof("[DONE ] Creating image %s for %s (task id: %d)", t.Name, t.Variant.UID, id)
	return nil
}
