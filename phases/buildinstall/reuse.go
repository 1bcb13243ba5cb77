package buildinstall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/runroot"
	"github.com/pungo/pungo/repomd"
)

// reuseMeta is logs/<arch>/buildinstall-<Variant>-logs/buildinstall.metadata:
// what the next compose compares to decide whether this lorax run can be
// reused (Pungi's buildinstall.metadata, as JSON instead of a pickle).
type reuseMeta struct {
	// Cmd is the lorax argument dict (the pungi-buildinstall task's
	// arguments) with paths inside the compose made relative to it, so
	// that they do not embed the compose ID.
	Cmd map[string]any `json:"cmd"`
	// BuildrootRPMs are the NVRAs of the runroot that ran lorax.
	BuildrootRPMs []string `json:"buildroot_rpms"`
	// InstalledRPMs are the NEVRAs, in the package set, of every package
	// lorax installed into the boot image (named by its pkglists/).
	InstalledRPMs []string `json:"installed_rpms"`
}

func metadataPath(c *compose.Compose, v *compose.Variant, arch string) string {
	return filepath.Join(LogDir(c, v, arch), "buildinstall.metadata")
}

// cmdDict turns the plugin argument list into the compared dict: values
// are normalised through JSON, and strings naming paths inside the compose
// become relative ("$TOPDIR/…"), because they embed the compose ID.
func cmdDict(c *compose.Compose, args []runroot.PluginArg) (map[string]any, error) {
	m := map[string]any{}
	for _, a := range args {
		m[a.Key] = a.Value
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	var rel func(v any) any
	rel = func(v any) any {
		switch x := v.(type) {
		case string:
			if x == c.Topdir || strings.HasPrefix(x, c.Topdir+"/") {
				return "$TOPDIR" + strings.TrimPrefix(x, c.Topdir)
			}
		case []any:
			for i := range x {
				x[i] = rel(x[i])
			}
		}
		return v
	}
	for k, v := range out {
		out[k] = rel(v)
	}
	return out, nil
}

// buildrootRPMs lists the packages of the runroot lorax runs in, as Pungi's
// get_buildroot_rpms does: `rpm -qa` here for the local method, the latest
// RPMs tagged into runroot_tag for koji. openssh buildroots are not listed
// (and so never reused).
func buildrootRPMs(ctx context.Context, c *compose.Compose) ([]string, error) {
	switch m := runroot.Method(c, "buildinstall"); m {
	case "local":
		out, err := exec.CommandContext(ctx, "rpm", "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n").Output()
		if err != nil {
			return nil, fmt.Errorf("rpm -qa: %w", err)
		}
		list := strings.Fields(string(out))
		sort.Strings(list)
		return list, nil
	case "koji":
		tag, _ := compose.StringOpt(c.Conf, "runroot_tag")
		kc, err := runroot.Client(ctx, c)
		if err != nil {
			return nil, err
		}
		rpms, _, err := kc.ListTaggedRPMs(ctx, tag, koji.ListTaggedOpts{Inherit: true, Latest: true})
		if err != nil {
			return nil, err
		}
		list := make([]string, 0, len(rpms))
		for _, r := range rpms {
			list = append(list, r.Name+"-"+r.Version+"-"+r.Release+"."+r.Arch)
		}
		sort.Strings(list)
		return list, nil
	default:
		return nil, fmt.Errorf("the packages of a %s runroot cannot be listed", m)
	}
}

// packageSet is the NEVRAs of the arch's package set (every package set
// repository), by name.
func packageSet(c *compose.Compose, arch string) (map[string][]string, error) {
	names := c.Paths.Work.PkgsetRepoNames(arch)
	if len(names) == 0 {
		return nil, fmt.Errorf("no package set repository in %s", c.Paths.Work.ArchRepo(arch))
	}
	out := map[string][]string{}
	for _, name := range names {
		r, err := repomd.Open(c.Paths.Work.PkgsetRepo(arch, name))
		if err != nil {
			return nil, err
		}
		for _, p := range r.Packages {
			out[p.Name] = append(out[p.Name], p.NEVRA())
		}
	}
	return out, nil
}

// installedRPMs resolves the names lorax logged in pkglists/ to every
// package of that name in the package set (Pungi checks all of them).
func installedRPMs(c *compose.Compose, v *compose.Variant, arch string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(LogDir(c, v, arch), "pkglists"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	set, err := packageSet(c, arch)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		out = append(out, set[e.Name()]...)
	}
	sort.Strings(out)
	return out, nil
}

// writeMetadata records a lorax run for the next compose (buildroot nil:
// list it now).
func writeMetadata(ctx context.Context, c *compose.Compose, t *Task, buildroot []string) error {
	if t.Args == nil {
		return nil
	}
	cmd, err := cmdDict(c, t.Args)
	if err != nil {
		return err
	}
	if buildroot == nil {
		if buildroot, err = buildrootRPMs(ctx, c); err != nil {
			return err
		}
	}
	inst, err := installedRPMs(c, t.Variant, t.Arch)
	if err != nil {
		return err
	}
	m := reuseMeta{Cmd: cmd, BuildrootRPMs: buildroot, InstalledRPMs: inst}
	if m.InstalledRPMs == nil {
		m.InstalledRPMs = []string{}
	}
	if err := atomicfile.WriteFile(c.Paths.Log.LogFile(t.Arch, "buildinstall-"+t.Variant.UID+"-RPMs"), []byte(strings.Join(buildroot, "\n")), 0o644); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(metadataPath(c, t.Variant, t.Arch), b, 0o644)
}

// tryReuse is Pungi's _reuse_old_buildinstall_result: with
// buildinstall_allow_reuse and the newest old compose's metadata for this
// variant.arch, the old lorax output and logs are copied when the lorax
// arguments (apart from outputdir and sources, which change every time;
// the sources' content is compared package by package) are the same,
// every package lorax installed is still in the package set with the same
// NEVRA, and every buildroot package is still there. It says why not in
// the log.
func tryReuse(ctx context.Context, c *compose.Compose, t *Task) bool {
	why := func(format string, a ...any) bool {
		c.Log.Infof("Cannot reuse old BUILDINSTALL phase results for %s.%s - %s", t.Variant.UID, t.Arch, fmt.Sprintf(format, a...))
		return false
	}
	if !c.Conf.Bool("buildinstall_allow_reuse") {
		return why("reuse of old buildinstall results is disabled.")
	}
	olds := compose.OldComposeDirs(c)
	if len(olds) == 0 || t.Args == nil {
		return why("no old BUILDINSTALL metadata.")
	}
	old := olds[0]
	oldPath := func(p string) string {
		rel, err := filepath.Rel(c.Topdir, p)
		if err != nil {
			return p
		}
		return filepath.Join(old, rel)
	}
	metaFile := oldPath(metadataPath(c, t.Variant, t.Arch))
	raw, err := os.ReadFile(metaFile)
	var prev reuseMeta
	if err != nil || json.Unmarshal(raw, &prev) != nil {
		return why("no old BUILDINSTALL metadata.")
	}
	c.Log.Infof("Loading old BUILDINSTALL phase metadata: %s", metaFile)
	cur, err := cmdDict(c, t.Args)
	if err != nil {
		return why("%v", err)
	}
	for _, k := range []string{"outputdir", "sources"} {
		delete(cur, k)
		delete(prev.Cmd, k)
	}
	if !reflect.DeepEqual(cur, prev.Cmd) {
		return why("lorax command line arguments differ.")
	}
	set, err := packageSet(c, t.Arch)
	if err != nil && len(prev.InstalledRPMs) > 0 {
		return why("package set: %v", err)
	}
	have := map[string]bool{}
	for _, l := range set {
		for _, n := range l {
			have[n] = true
		}
	}
	for _, n := range prev.InstalledRPMs {
		if !have[n] {
			return why("RPM %s does not exist in new compose.", n)
		}
	}
	br, err := buildrootRPMs(ctx, c)
	if err != nil {
		return why("%v", err)
	}
	inBR := map[string]bool{}
	for _, n := range br {
		inBR[n] = true
	}
	for _, n := range prev.BuildrootRPMs {
		if !inBR[n] {
			return why("RPM %s does not exist in new buildroot.", n)
		}
	}
	c.Log.Infof("Reusing old BUILDINSTALL phase output of %s.%s from %s", t.Variant.UID, t.Arch, old)
	if err := copyTree(oldPath(t.Output), t.Output); err != nil {
		os.RemoveAll(t.Output)
		return why("copying old output: %v", err)
	}
	if err := copyTree(oldPath(LogDir(c, t.Variant, t.Arch)), LogDir(c, t.Variant, t.Arch)); err != nil {
		os.RemoveAll(t.Output)
		return why("copying old logs: %v", err)
	}
	if err := writeMetadata(ctx, c, t, prev.BuildrootRPMs); err != nil {
		c.Log.Warningf("buildinstall reuse metadata: %v", err)
	}
	return true
}
