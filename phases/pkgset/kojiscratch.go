package pkgset

import (
	"context"
	"fmt"
	"path"
	"strconv"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/repomd"
)

// scratchTaskRPMs returns the rpms of the scratch builds named by
// pkgset_koji_scratch_tasks (test composes only: the CLI refuses them for
// other compose types), as Pungi's get_extra_rpms_from_tasks: the children
// of each task, their results' rpms and srpms, found under Koji's work/
// directory.
func scratchTaskRPMs(ctx context.Context, c *compose.Compose, client *koji.Client, valid map[string]bool) ([]kojiRPM, error) {
	raw := compose.StringsOpt(c.Conf, "pkgset_koji_scratch_tasks")
	if len(raw) == 0 {
		return nil, nil
	}
	var out []kojiRPM
	for _, s := range raw {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("pkgset_koji_scratch_tasks: %q is not a task ID", s)
		}
		v, err := client.Call(ctx, "getTaskChildren", id)
		if err != nil {
			return nil, fmt.Errorf("pkgset_koji_scratch_tasks: task %d: %w", id, err)
		}
		children, _ := v.([]any)
		if len(children) == 0 {
			return nil, fmt.Errorf("pkgset_koji_scratch_tasks: task %d has no child tasks with rpms", id)
		}
		for _, ch := range children {
			info, _ := ch.(map[string]any)
			cid, _ := info["id"].(int64)
			res, err := client.Call(ctx, "getTaskResult", cid)
			if err != nil {
				return nil, fmt.Errorf("pkgset_koji_scratch_tasks: task %d (child of %d): %w", cid, id, err)
			}
			m, _ := res.(map[string]any)
			var files []string
			for _, k := range []string{"rpms", "srpms"} {
				list, _ := m[k].([]any)
				for _, f := range list {
					if s, ok := f.(string); ok {
						files = append(files, s)
					}
				}
			}
			for _, f := range files {
				n, err := repomd.ParseFileName(f)
				if err != nil {
					return nil, fmt.Errorf("pkgset_koji_scratch_tasks: task %d: %v", cid, err)
				}
				if !valid[n.Arch] && n.Arch != "src" && n.Arch != "nosrc" {
					continue
				}
				r := koji.RPM{Name: n.Name, Version: n.Version, Release: n.Release, Arch: n.Arch}
				b := koji.Build{Name: n.Name, Version: n.Version, Release: n.Release}
				out = append(out, kojiRPM{rpm: r, build: b, origin: fmt.Sprintf("scratch task %d", id),
					taskPath: path.Join("work", path.Clean("/" + f)[1:])})
			}
		}
	}
	c.Log.Infof("pkgset_koji_scratch_tasks: %d rpms from %d task(s)", len(out), len(raw))
	return out, nil
}
