package pkgset

import (
	"context"
	"fmt"
	"os"
	"path"
	"strconv"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
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
			sizes, err := taskOutputSizes(ctx, client, cid)
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
				size, ok := sizes[path.Base(f)]
				if !ok {
					return nil, fmt.Errorf("pkgset_koji_scratch_tasks: task %d: %s is in the task's result but not in its output (listTaskOutput)", cid, path.Base(f))
				}
				r := koji.RPM{Name: n.Name, Version: n.Version, Release: n.Release, Arch: n.Arch}
				b := koji.Build{Name: n.Name, Version: n.Version, Release: n.Release}
				out = append(out, kojiRPM{rpm: r, build: b, origin: fmt.Sprintf("scratch task %d", id),
					taskPath: path.Join("work", path.Clean("/" + f)[1:]), taskSize: size})
			}
		}
	}
	c.Log.Infof("pkgset_koji_scratch_tasks: %d rpms from %d task(s)", len(out), len(raw))
	return out, nil
}

// taskOutputSizes asks Koji for the files of a task's output with their
// sizes (listTaskOutput with stat: Koji keeps no checksum of task output,
// only the files, whose os.stat() it reports).
func taskOutputSizes(ctx context.Context, client *koji.Client, task int64) (map[string]int64, error) {
	v, err := client.Call(ctx, "listTaskOutput", task, koji.KW{"stat": true})
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	out := make(map[string]int64, len(m))
	for name, st := range m {
		info, _ := st.(map[string]any)
		var size int64 = -1
		switch x := info["st_size"].(type) {
		case string: // as Koji sends it, for sizes beyond XML-RPC's int
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				size = n
			}
		case int64:
			size = x
		}
		if size < 0 {
			return nil, fmt.Errorf("listTaskOutput gives %s no size", name)
		}
		out[path.Base(name)] = size
	}
	return out, nil
}

// verifyScratch checks a scratch build's rpm file, local or downloaded,
// against what Koji reports: the size listTaskOutput gives, the package
// the task result names; and its own digests (rpm -K --nosignature), as
// Koji records no checksum of task output.
func (p kojiRPM) verifyScratch(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != p.taskSize {
		return fmt.Errorf("size %d, Koji's listTaskOutput says %d", st.Size(), p.taskSize)
	}
	if err := rpmfile.VerifyDigests(f); err != nil {
		return err
	}
	got, err := rpmfile.ReadFile(file, rpmfile.Options{})
	if err != nil {
		return err
	}
	if got.Name != p.rpm.Name || got.Version != p.rpm.Version || got.Release != p.rpm.Release || got.Arch != p.rpm.Arch {
		return fmt.Errorf("the rpm is %s-%s-%s.%s, Koji's task result names %s", got.Name, got.Version, got.Release, got.Arch, rpmFile(p.rpm))
	}
	return nil
}
