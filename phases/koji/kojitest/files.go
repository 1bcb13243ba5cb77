package kojitest

import (
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/checksum"
	"github.com/pungo/pungo/phases/koji"
)

// filesPrefix is where the hub serves TopDir, as Koji's topurl.
const filesPrefix = "/kojifiles/"

// fileServer records the downloads from the hub's topurl and lets a test
// break some of them.
type fileServer struct {
	mu        sync.Mutex
	downloads []string // topdir-relative paths of successful GETs (200 or 206)
	// fail, when set, is asked before each GET of rel (n: how many GETs of
	// it came before): a status ≥ 400 answers it, 0 serves normally and -1
	// sends half the file and then breaks the connection.
	fail  func(rel string, n int) int
	tries map[string]int
}

// TopURL is the hub's topurl: TopDir served over HTTP with Range support.
func (h *Hub) TopURL() string { return h.Server.URL + strings.TrimSuffix(filesPrefix, "/") }

// Downloads lists the topdir-relative paths fetched from TopURL so far.
func (h *Hub) Downloads() []string {
	h.files.mu.Lock()
	defer h.files.mu.Unlock()
	return append([]string(nil), h.files.downloads...)
}

// BreakDownloads installs fail (see fileServer.fail); nil restores normal
// service.
func (h *Hub) BreakDownloads(fail func(rel string, n int) int) {
	h.files.mu.Lock()
	defer h.files.mu.Unlock()
	h.files.fail = fail
}

func (h *Hub) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	rel := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(r.URL.Path, filesPrefix)), "/")
	full := filepath.Join(h.TopDir, filepath.FromSlash(rel))
	st, err := os.Stat(full)
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	fs := &h.files
	fs.mu.Lock()
	if fs.tries == nil {
		fs.tries = map[string]int{}
	}
	n := fs.tries[rel]
	fs.tries[rel]++
	fail := fs.fail
	fs.mu.Unlock()
	action := 0
	if fail != nil {
		action = fail(rel, n)
	}
	if action >= 400 {
		http.Error(w, http.StatusText(action), action)
		return
	}
	f, err := os.Open(full)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if action < 0 {
		// Promise the whole file, send half, then drop the connection.
		w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		w.WriteHeader(http.StatusOK)
		io.CopyN(w, f, st.Size()/2)
		if hj, ok := w.(http.Hijacker); ok {
			w.(http.Flusher).Flush()
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	}
	fs.mu.Lock()
	fs.downloads = append(fs.downloads, rel)
	fs.mu.Unlock()
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

// fileMethod answers the calls about files: getRPMChecksums.
func (h *Hub) fileMethod(method string, args []any, kw map[string]any) (any, *koji.Fault, bool) {
	switch method {
	case "getRPMChecksums":
		v, f := h.getRPMChecksums(args, kw)
		return v, f, true
	}
	return nil, nil, false
}

// getRPMChecksums is Koji's: sigkey ("" for the copy as built) →
// checksum type → hex digest, for every copy of the rpm that exists;
// checksum_types defaults to sha256 and must be a list.
func (h *Hub) getRPMChecksums(args []any, kw map[string]any) (any, *koji.Fault) {
	id, ok := arg(args, kw, 0, "rpm_id").(int64)
	if !ok {
		return nil, faultf(koji.GenericError, "rpm_id must be an integer")
	}
	types := []string{"sha256"}
	if v := arg(args, kw, 1, "checksum_types"); v != nil {
		list, ok := v.([]any)
		if !ok {
			return nil, faultf(koji.GenericError, "checksum_type must be a list")
		}
		types = types[:0]
		for _, x := range list {
			s, _ := x.(string)
			if checksum.New(s) == nil {
				return nil, faultf(koji.GenericError, "Checksum_type %s isn't supported", s)
			}
			types = append(types, s)
		}
	}
	h.mu.Lock()
	r := h.rpmByID[id]
	h.mu.Unlock()
	if r == nil {
		return nil, faultf(koji.GenericError, "No such rpm: %d", id)
	}
	b := r.build
	dir := filepath.Join(h.TopDir, "packages", b.name, b.version, b.release)
	file := r.name + "-" + r.version + "-" + r.release + "." + r.arch + ".rpm"
	out := map[string]any{}
	copies := map[string]string{"": filepath.Join(dir, r.arch, file)}
	for _, k := range r.sigkeys {
		copies[k] = filepath.Join(dir, "data", "signed", k, r.arch, file)
	}
	for key, p := range copies {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		hs := make([]hash.Hash, len(types))
		ws := make([]io.Writer, len(types))
		for i, t := range types {
			hs[i] = checksum.New(t)
			ws[i] = hs[i]
		}
		_, err = io.Copy(io.MultiWriter(ws...), f)
		f.Close()
		if err != nil {
			return nil, faultf(koji.GenericError, "%s: %v", p, err)
		}
		sums := map[string]any{}
		for i, t := range types {
			sums[t] = hex.EncodeToString(hs[i].Sum(nil))
		}
		out[key] = sums
	}
	return out, nil
}

// AddScratchTask records a finished scratch build: a closed "build" task
// with one closed "buildArch" child whose result lists the given rpm files,
// copied into the child's work directory (work/tasks/ID%10000/ID/) as
// Koji keeps them. It returns the parent task's ID, the value of
// pkgset_koji_scratch_tasks.
func (h *Hub) AddScratchTask(rpmFiles ...string) (int64, error) {
	h.mu.Lock()
	h.nextTask++
	parent := &task{id: h.nextTask, method: "build", arch: "noarch", owner: "kojibuilder", state: koji.TaskClosed}
	h.nextTask++
	pid := parent.id
	child := &task{id: h.nextTask, method: "buildArch", arch: "x86_64", parent: &pid, owner: "kojibuilder", state: koji.TaskClosed}
	parent.children = []int64{child.id}
	h.tasks[parent.id], h.tasks[child.id] = parent, child
	h.mu.Unlock()
	dir := h.TaskDir(child.id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	rel, _ := filepath.Rel(filepath.Join(h.TopDir, "work"), dir)
	rpms, srpms := []any{}, []any{}
	for _, f := range rpmFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			return 0, err
		}
		p := filepath.ToSlash(filepath.Join(rel, filepath.Base(f)))
		if strings.HasSuffix(f, ".src.rpm") {
			srpms = append(srpms, p)
		} else {
			rpms = append(rpms, p)
		}
		child.files = append(child.files, filepath.Base(f))
	}
	h.mu.Lock()
	child.result = map[string]any{"rpms": rpms, "srpms": srpms, "logs": []any{}, "brootid": int64(1)}
	parent.result = map[string]any{}
	h.mu.Unlock()
	return parent.id, nil
}
