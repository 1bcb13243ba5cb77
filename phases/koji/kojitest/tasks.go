package kojitest

import (
	"crypto/md5"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pungo/pungo/phases/koji"
)

// Outcome is what a task does. The zero Outcome succeeds at once with a nil
// result.
type Outcome struct {
	// Fail makes the task end FAILED with this message as its fault.
	Fail string
	// Hang keeps the task OPEN until cancelTask.
	Hang bool
	// Polls is how many getTaskInfo calls see the task OPEN before it ends.
	Polls int
	// Result is getTaskResult's answer for a successful task.
	Result any
	// Files are written to the task's work directory and listed by
	// listTaskOutput.
	Files map[string][]byte
	// Children become subtasks (image tasks have one per arch).
	Children []Child
}

// Child is a subtask of an image task.
type Child struct {
	Method string
	Arch   string
	Fail   string
	Result any
	Files  map[string][]byte
}

type task struct {
	id       int64
	method   string
	arch     string
	parent   *int64
	owner    string
	state    int
	polls    int
	hang     bool
	fail     string
	result   any
	files    []string
	children []int64
	optional map[string]bool // child arches whose failure the parent tolerates
	args     []any
	kw       map[string]any
}

// TaskDir is Koji's pathinfo.task(): work/tasks/ID%10000/ID under TopDir.
func (h *Hub) TaskDir(id int64) string {
	return filepath.Join(h.TopDir, "work", "tasks", fmt.Sprint(id%10000), fmt.Sprint(id))
}

// TaskState returns a task's state (for assertions: cancelled or not).
func (h *Hub) TaskState(id int64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.tasks[id]; t != nil {
		return t.state
	}
	return -1
}

// TaskArgs returns the positional and keyword arguments a task was created with.
func (h *Hub) TaskArgs(id int64) ([]any, map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.tasks[id]; t != nil {
		return t.args, t.kw
	}
	return nil, nil
}

var taskMethods = map[string]bool{
	"runroot": true, "buildImage": true, "buildImageOz": true, "buildImageIndirection": true,
	"spinLiveMedia": true, "spinLiveCD": true, "spinAppliance": true, "buildContainer": true,
	"osbuildImage": true, "kiwiBuild": true, "imageBuilderBuild": true,
}

func (h *Hub) taskMethod(s *session, method string, args []any, kw map[string]any) (any, *koji.Fault, bool) {
	switch {
	case taskMethods[method]:
		v, f := h.createTask(s, method, args, kw)
		return v, f, true
	case method == "listArchives":
		v, f := h.listArchives(args, kw)
		return v, f, true
	case method == "getTaskInfo":
		h.mu.Lock()
		defer h.mu.Unlock()
		id, _ := arg(args, kw, 0, "task_id").(int64)
		t := h.tasks[id]
		if t == nil {
			return nil, nil, true
		}
		if t.state == koji.TaskOpen && !t.hang {
			if t.polls > 0 {
				t.polls--
			} else {
				h.finish(t)
			}
		}
		info := t.info()
		if truthy(arg(args, kw, 1, "request")) {
			// Koji's request is the task's call parameters, keywords last.
			req := append([]any(nil), t.args...)
			if len(t.kw) > 0 {
				kwm := map[string]any{"__starstar": true}
				for k, v := range t.kw {
					kwm[k] = v
				}
				req = append(req, kwm)
			}
			info["request"] = req
		}
		return info, nil, true
	case method == "getTaskResult":
		h.mu.Lock()
		defer h.mu.Unlock()
		id, _ := arg(args, kw, 0, "taskId").(int64)
		t := h.tasks[id]
		if t == nil {
			return nil, faultf(koji.GenericError, "No such task: %d", id), true
		}
		switch t.state {
		case koji.TaskClosed:
			return t.result, nil, true
		case koji.TaskFailed:
			return nil, faultf(koji.GenericError, "%s", t.fail), true
		case koji.TaskCanceled:
			return nil, faultf(koji.GenericError, "Task %d is canceled", id), true
		}
		return nil, faultf(koji.GenericError, "Task %d is not finished", id), true
	case method == "getTaskChildren":
		h.mu.Lock()
		defer h.mu.Unlock()
		id, _ := arg(args, kw, 0, "task_id").(int64)
		out := []any{}
		if t := h.tasks[id]; t != nil {
			for _, c := range t.children {
				out = append(out, h.tasks[c].info())
			}
		}
		return out, nil, true
	case method == "listTaskOutput":
		h.mu.Lock()
		defer h.mu.Unlock()
		id, _ := arg(args, kw, 0, "taskID").(int64)
		if stat, _ := arg(args, kw, 1, "stat").(bool); stat {
			// As Koji: filename → the file's os.stat() times and its
			// size, which Koji sends as a string.
			out := map[string]any{}
			if t := h.tasks[id]; t != nil {
				for _, f := range t.files {
					if st, err := os.Stat(filepath.Join(h.TaskDir(id), f)); err == nil {
						mt := float64(st.ModTime().UnixNano()) / 1e9
						out[f] = map[string]any{"st_size": fmt.Sprint(st.Size()), "st_atime": mt, "st_mtime": mt, "st_ctime": mt}
					}
				}
			}
			return out, nil, true
		}
		out := []any{}
		if t := h.tasks[id]; t != nil {
			for _, f := range t.files {
				out = append(out, f)
			}
		}
		return out, nil, true
	case method == "cancelTask":
		h.mu.Lock()
		defer h.mu.Unlock()
		id, _ := arg(args, kw, 0, "task_id").(int64)
		t := h.tasks[id]
		if t == nil {
			return nil, faultf(koji.GenericError, "No such task: %d", id), true
		}
		if t.state == koji.TaskOpen || t.state == koji.TaskFree || t.state == koji.TaskAssigned {
			t.state = koji.TaskCanceled
			for _, c := range t.children {
				if ct := h.tasks[c]; ct.state == koji.TaskOpen {
					ct.state = koji.TaskCanceled
				}
			}
		}
		return nil, nil, true
	}
	return nil, nil, false
}

func (t *task) info() map[string]any {
	var parent any
	if t.parent != nil {
		parent = *t.parent
	}
	m := map[string]any{"id": t.id, "state": int64(t.state), "method": t.method, "arch": t.arch,
		"parent": parent, "owner": int64(1), "channel_id": int64(1), "priority": int64(20), "label": nil,
		"weight": 0.2, "waiting": nil, "awaited": nil}
	taskTimes(m, t)
	return m
}

func (h *Hub) createTask(s *session, method string, args []any, kw map[string]any) (any, *koji.Fault) {
	if f := checkPluginCall(method, args, kw); f != nil {
		return nil, f
	}
	var o Outcome
	if h.Tasks != nil {
		o = h.Tasks(method, args, kw)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextTask++
	t := &task{id: h.nextTask, method: method, arch: "noarch", owner: s.user, state: koji.TaskOpen,
		polls: o.Polls, hang: o.Hang, fail: o.Fail, result: o.Result, args: args, kw: kw}
	if method == "runroot" && len(args) > 1 {
		t.arch, _ = args[1].(string)
	}
	h.tasks[t.id] = t
	t.optional = optionalArches(args, kw)
	if err := h.writeFiles(t, o.Files); err != nil {
		return nil, faultf(koji.GenericError, "%v", err)
	}
	for _, c := range o.Children {
		h.nextTask++
		pid := t.id
		ct := &task{id: h.nextTask, method: c.Method, arch: c.Arch, parent: &pid, owner: s.user,
			state: koji.TaskOpen, fail: c.Fail, result: c.Result, hang: o.Hang}
		h.tasks[ct.id] = ct
		if err := h.writeFiles(ct, c.Files); err != nil {
			return nil, faultf(koji.GenericError, "%v", err)
		}
		if ct.result == nil {
			files := make([]any, len(ct.files))
			for i, f := range ct.files {
				files[i] = f
			}
			ct.result = map[string]any{"arch": c.Arch, "files": files, "rpmlist": []any{}, "logs": []any{}}
		}
		t.children = append(t.children, ct.id)
	}
	return t.id, nil
}

func (h *Hub) writeFiles(t *task, files map[string][]byte) error {
	names := slices.Sorted(maps.Keys(files))
	if len(names) == 0 {
		return nil
	}
	dir := h.TaskDir(t.id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	t.files = names
	return nil
}

// finish ends a task and its children: FAILED when it or a child fails.
func (h *Hub) finish(t *task) {
	failed := t.fail
	for _, c := range t.children {
		ct := h.tasks[c]
		if ct.state != koji.TaskOpen {
			continue
		}
		if ct.fail != "" {
			ct.state = koji.TaskFailed
			if failed == "" && !t.optional[ct.arch] {
				failed = fmt.Sprintf("%s (%s) subtask %d failed: %s", ct.method, ct.arch, ct.id, ct.fail)
			}
		} else {
			ct.state = koji.TaskClosed
		}
	}
	if failed != "" {
		t.state, t.fail = koji.TaskFailed, failed
		return
	}
	t.state = koji.TaskClosed
}

// ImageBuild is a build whose archives are images (image-build, livemedia,
// osbuild, kiwi, OSBS results).
type ImageBuild struct {
	Name, Version, Release string
	Archives               []Archive
}

// Archive is one file of an image build.
type Archive struct {
	Filename string
	Arch     string
	Type     string // archive type name: qcow2, iso, raw-xz, tar, …
	BType    string // build type, "image" by default
	Data     []byte
	Extra    map[string]any // merged into the archive's "extra"
}

type archiveEntry struct {
	id    int64
	build *build
	a     Archive
}

// NewImageBuild registers a COMPLETE build with image archives, writes
// them to packages/NAME/VERSION/RELEASE/images/ and returns the build ID.
// Call it from a Tasks function to make a task's result point at it.
func (h *Hub) NewImageBuild(ib ImageBuild) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := &build{id: int64(len(h.builds) + 1), name: ib.Name, version: ib.Version, release: ib.Release, state: koji.BuildComplete, event: h.newEvent(), btype: "image"}
	h.builds = append(h.builds, b)
	h.nvrs[b.nvr()] = b
	dir := filepath.Join(h.TopDir, "packages", ib.Name, ib.Version, ib.Release, "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for _, a := range ib.Archives {
		if err := os.WriteFile(filepath.Join(dir, a.Filename), a.Data, 0o644); err != nil {
			return 0, err
		}
		if a.BType == "" {
			a.BType = "image"
		}
		h.archives = append(h.archives, &archiveEntry{id: int64(len(h.archives) + 1), build: b, a: a})
	}
	return b.id, nil
}

func (h *Hub) listArchives(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	bid, _ := arg(args, kw, 0, "buildID").(int64)
	typ, _ := arg(args, kw, 3, "type").(string)
	out := []any{}
	for _, e := range h.archives {
		if e.build.id != bid || (typ != "" && typ != e.a.BType) {
			continue
		}
		extra := map[string]any{}
		if e.a.BType == "image" {
			extra["image"] = map[string]any{"arch": e.a.Arch}
		}
		for k, v := range e.a.Extra {
			extra[k] = v
		}
		out = append(out, map[string]any{"id": e.id, "build_id": bid, "filename": e.a.Filename, "type_name": e.a.Type,
			"btype": e.a.BType, "size": int64(len(e.a.Data)), "checksum": fmt.Sprintf("%x", md5.Sum(e.a.Data)),
			"checksum_type": int64(0), "extra": extra, "arch": e.a.Arch})
	}
	return out, nil
}

// optionalArches reads opts["optional_arches"] of an image task (the opts
// dict is the last positional argument or the "opts" keyword).
func optionalArches(args []any, kw map[string]any) map[string]bool {
	var opts map[string]any
	if o, ok := kw["opts"].(map[string]any); ok {
		opts = o
	} else if n := len(args); n > 0 {
		opts, _ = args[n-1].(map[string]any)
	}
	out := map[string]bool{}
	list, _ := opts["optional_arches"].([]any)
	for _, a := range list {
		if s, ok := a.(string); ok {
			out[s] = true
		}
	}
	return out
}
