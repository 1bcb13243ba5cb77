package createiso

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/bootmedia"
	"github.com/pungo/pungo/phases/compose"
)

// reuseMeta is what a createiso run records for the next compose to
// decide whether its ISO can be reused (Pungi's save_reuse_metadata).
type reuseMeta struct {
	Cmd struct {
		ISOPath   string `json:"iso_path"`
		Bootable  bool   `json:"bootable"`
		DiscNum   int    `json:"disc_num"`
		DiscCount int    `json:"disc_count"`
	} `json:"cmd"`
	Opts struct {
		VolID       string `json:"volid"`
		GraftPoints string `json:"graft_points"`
		OutputDir   string `json:"output_dir"`
		ISOName     string `json:"iso_name"`
		JigdoDir    string `json:"jigdo_dir"`
		Arch        string `json:"arch"`
	} `json:"opts"`
}

func reuseMetaPath(c *compose.Compose, arch string, v *compose.Variant, num, count int) string {
	return filepath.Join(c.Paths.Log.Topdir(arch), fmt.Sprintf("createiso-%s-%d-%d.%s.json", v.UID, num, count, arch))
}

func newReuseMeta(j *Job, o ScriptOpts) *reuseMeta {
	var m reuseMeta
	m.Cmd.ISOPath, m.Cmd.Bootable, m.Cmd.DiscNum, m.Cmd.DiscCount = j.ISOPath, j.Bootable, j.DiscNum, j.DiscCount
	m.Opts.VolID, m.Opts.GraftPoints, m.Opts.OutputDir, m.Opts.ISOName = o.VolID, o.GraftPoints, o.OutputDir, o.ISOName
	m.Opts.JigdoDir, m.Opts.Arch = o.JigdoDir, o.Arch
	return &m
}

func saveReuseMeta(c *compose.Compose, j *Job, o ScriptOpts) (*reuseMeta, error) {
	m := newReuseMeta(j, o)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return m, atomicfile.WriteFile(reuseMetaPath(c, j.Arch, j.Variant, j.DiscNum, j.DiscCount), data, 0o644)
}

// reuseIgnored are options that may differ between composes whose ISOs
// are the same (they only change which packages there are, compared
// directly).
var reuseIgnored = map[string]bool{
	"gather_lookaside_repos": true, "pkgset_koji_builds": true, "pkgset_koji_scratch_tasks": true,
	"pkgset_koji_module_builds": true, "osbs": true, "osbuild": true,
}

func readConfigDump(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// packagesOf reads the ISO paths of packages listed in a graft points file.
func packagesOf(gp string) (map[string]bool, error) {
	t, err := ReadGraftPoints(gp)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for k := range t {
		if strings.HasPrefix(k, "Packages/") || strings.Contains(k, "/Packages/") {
			out[k] = true
		}
	}
	return out, nil
}

// oldCompose is the newest reusable old compose and the mapping of a path
// of this compose to the same path in it ("" when there is none).
func oldCompose(c *compose.Compose) (string, func(string) string) {
	olds := compose.OldComposeDirs(c)
	if len(olds) == 0 {
		return "", nil
	}
	old := olds[0]
	return old, func(p string) string {
		rel, err := filepath.Rel(c.Topdir, p)
		if err != nil {
			return ""
		}
		return filepath.Join(old, rel)
	}
}

// sameConfig compares the configuration dumps of this compose and the old
// one, logging the first option that differs.
func sameConfig(c *compose.Compose, oldPath func(string) string, msg string) bool {
	curConf, err1 := readConfigDump(c.Paths.Log.LogFile("", "config-dump"))
	oldConf, err2 := readConfigDump(oldPath(c.Paths.Log.LogFile("", "config-dump")))
	if err1 != nil || err2 != nil {
		c.Log.Infof("%s - no config for old compose", msg)
		return false
	}
	for _, m := range []map[string]any{curConf, oldConf} {
		for k := range m {
			if !reuseIgnored[k] && !reflect.DeepEqual(curConf[k], oldConf[k]) {
				c.Log.Infof("%s - option %s differs", msg, k)
				return false
			}
		}
	}
	return true
}

// sameISOInput compares the volume ID and the packages of the graft points
// recorded by the old run with this one's (Pungi's compare_packages).
func sameISOInput(c *compose.Compose, prev, cur *reuseMeta, msg string) bool {
	if prev.Opts.VolID != cur.Opts.VolID {
		c.Log.Infof("%s - volume ID differs", msg)
		return false
	}
	a, err1 := packagesOf(prev.Opts.GraftPoints)
	b, err2 := packagesOf(cur.Opts.GraftPoints)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
		c.Log.Infof("%s - packages differ", msg)
		return false
	}
	return true
}

func loadReuseMeta(path string) (*reuseMeta, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m reuseMeta
	return &m, json.Unmarshal(raw, &m)
}

// linkOld hardlinks old files to new paths (Pungi's OldFileLinker): all of
// them or, after an error, none.
func linkOld(pairs [][2]string) error {
	var linked []string
	for _, p := range pairs {
		if err := os.Link(p[0], p[1]); err != nil {
			for _, f := range linked {
				os.Remove(f)
			}
			return err
		}
		linked = append(linked, p[1])
	}
	return nil
}

// isoFiles are the old and new paths of an ISO, its manifest, its log and
// its jigdo files.
func isoFiles(c *compose.Compose, oldPath func(string) string, prev *reuseMeta, o ScriptOpts, isoPath, logPrefix string) [][2]string {
	oldName := filepath.Base(prev.Cmd.ISOPath)
	oldISO := prev.Cmd.ISOPath
	if oldISO == "" {
		oldName = prev.Opts.ISOName
		oldISO = filepath.Join(prev.Opts.OutputDir, oldName)
	}
	arch := o.Arch
	out := [][2]string{{oldISO, isoPath}, {oldISO + ".manifest", isoPath + ".manifest"},
		{oldPath(c.Paths.Log.LogFile(arch, logPrefix+oldName)), c.Paths.Log.LogFile(arch, logPrefix+filepath.Base(isoPath))}}
	if o.JigdoDir != "" {
		for _, suf := range []string{".template", ".jigdo"} {
			out = append(out, [2]string{filepath.Join(prev.Opts.JigdoDir, oldName) + suf, filepath.Join(o.JigdoDir, filepath.Base(isoPath)) + suf})
		}
	}
	return out
}

// TryReuse is Pungi's try_reuse: with createiso_allow_reuse (default on)
// and an old compose from --old-composes whose configuration, volume ID
// and package list are the same, the old ISO (and manifest, log, jigdo
// files) is hardlinked instead of made again. A bootable ISO is only
// reused when buildinstall was.
func TryReuse(c *compose.Compose, j *Job, o ScriptOpts, boot *bootmedia.Result) bool {
	cur, err := saveReuseMeta(c, j, o)
	if err != nil {
		c.Log.Warningf("createiso reuse metadata: %v", err)
		return false
	}
	if !c.Conf.Bool("createiso_allow_reuse") {
		return false
	}
	msg := fmt.Sprintf("Cannot reuse ISO for %s.%s", j.Variant.UID, j.Arch)
	old, oldPath := oldCompose(c)
	if old == "" {
		return false
	}
	if j.Bootable && !boot.Reused(j.Variant.UID, j.Arch) {
		c.Log.Infof("%s - boot configuration changed", msg)
		return false
	}
	if !sameConfig(c, oldPath, msg) {
		return false
	}
	prev, err := loadReuseMeta(oldPath(reuseMetaPath(c, j.Arch, j.Variant, j.DiscNum, j.DiscCount)))
	if err != nil {
		c.Log.Infof("%s - no old metadata found", msg)
		return false
	}
	if !sameISOInput(c, prev, cur, msg) {
		return false
	}
	if err := linkOld(isoFiles(c, oldPath, prev, o, j.ISOPath, "createiso-")); err != nil {
		c.Log.Errorf("Error while reusing ISO for %s.%s: %v", j.Variant.UID, j.Arch, err)
		return false
	}
	c.Log.Infof("Reusing ISO %s from %s", filepath.Base(j.ISOPath), old)
	return true
}
