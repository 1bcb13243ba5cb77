// Package kojitest is a Koji hub for tests: an httptest server speaking
// Koji's XML-RPC for the calls pungo makes (tags with inheritance and
// events, tagged builds and rpms, multicall, login by password, client
// certificate and Negotiate, runroot and image tasks that succeed, fail or
// hang until cancelled, module builds with their modulemd archives and
// search by NVR glob) over a directory laid out like Koji's topdir:
// packages/NAME/VERSION/RELEASE/ARCH/FILE.rpm with signed copies in
// packages/NAME/VERSION/RELEASE/data/signed/KEYID/ARCH/FILE.rpm, and task
// output in work/tasks/ID%10000/ID/.
package kojitest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cavaliergopher/rpm"
	"github.com/pungo/pungo/phases/koji"
)

// Hub is the test hub. Its exported fields may be set before the first call.
type Hub struct {
	Server *httptest.Server
	TopDir string

	// Users maps user names to passwords accepted by login.
	Users map[string]string
	// NegotiateToken is the SPNEGO token sslLogin accepts in an
	// "Authorization: Negotiate" header, logging in NegotiateUser.
	NegotiateToken, NegotiateUser string
	// Tasks decides what a task-creating call does; nil succeeds with
	// DefaultOutcome.
	Tasks func(method string, args []any, kw map[string]any) Outcome

	// CAFile, ClientCertFile are PEM files for TLS hubs (NewTLS).
	CAFile, ClientCertFile string

	files fileServer // GET /kojifiles/: TopDir as Koji's topurl (files.go)

	mu       sync.Mutex
	lastEv   int64
	evTimes  map[int64]float64
	tags     map[int64]*tag
	tagNames map[string]int64
	builds   []*build
	nvrs     map[string]*build
	rpmByID  map[int64]*rpmEntry
	tasks    map[int64]*task
	nextTask int64
	sessions map[int64]*session
	archives []*archiveEntry
	calls    []Call
}

// Call is one recorded request (multicall entries are recorded each).
type Call struct {
	Method  string
	Args    []any
	KW      map[string]any
	User    string // logged-in user, "" when anonymous
	Session int64
}

type tag struct {
	id      int64
	name    string
	arches  string
	created int64
	parents []*link
	tagged  []*tagging
}

type link struct {
	parent       int64
	priority     int
	maxdepth     *int
	intransitive bool
	noconfig     bool
	pkgFilter    string
	created      int64
	revoked      int64
}

type tagging struct {
	build   *build
	created int64
	revoked int64
}

type build struct {
	id      int64
	name    string
	version string
	release string
	epoch   *int64
	event   int64
	state   int
	rpms    []*rpmEntry
	btype   string         // Koji build type: "rpm" (ScanPackages), "image", "module"
	extra   map[string]any // the build's extra (module builds: typeinfo)
}

type rpmEntry struct {
	id                           int64
	build                        *build
	name, version, release, arch string
	epoch                        *int64
	size                         int64
	hash                         string
	sigkeys                      []string
}

type session struct {
	id      int64
	key     string
	user    string
	callnum int64
	authed  string
}

// New starts a plain-HTTP hub over topdir (which may not exist yet; builds
// are read by ScanPackages). It is closed when the test ends.
func New(t testing.TB, topdir string) *Hub {
	h := newHub(topdir)
	h.Server = httptest.NewServer(h)
	t.Cleanup(h.Server.Close)
	return h
}

func newHub(topdir string) *Hub {
	h := &Hub{
		TopDir:   topdir,
		Users:    map[string]string{},
		evTimes:  map[int64]float64{},
		tags:     map[int64]*tag{},
		tagNames: map[string]int64{},
		nvrs:     map[string]*build{},
		rpmByID:  map[int64]*rpmEntry{},
		tasks:    map[int64]*task{},
		nextTask: 10000,
		sessions: map[int64]*session{},
	}
	h.newEvent()
	return h
}

// URL is the hub's XML-RPC endpoint ("…/kojihub").
func (h *Hub) URL() string { return h.Server.URL + "/kojihub" }

// Calls returns the recorded calls so far.
func (h *Hub) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Call(nil), h.calls...)
}

// CallsTo returns the recorded calls of one method.
func (h *Hub) CallsTo(method string) []Call {
	var out []Call
	for _, c := range h.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// newEvent advances the hub's event counter; callers hold mu (or own h).
func (h *Hub) newEvent() int64 {
	h.lastEv++
	h.evTimes[h.lastEv] = float64(1700000000 + h.lastEv*60)
	return h.lastEv
}

// LastEvent is the newest event ID.
func (h *Hub) LastEvent() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastEv
}

// ScanPackages registers every build found under TopDir/packages as a
// COMPLETE build, with its rpms and the sigkeys of its signed copies.
// Builds are numbered in name/version/release order, one event each.
func (h *Hub) ScanPackages() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	root := filepath.Join(h.TopDir, "packages")
	dirs, err := filepath.Glob(filepath.Join(root, "*", "*", "*"))
	if err != nil {
		return err
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		rel, _ := filepath.Rel(root, d)
		p := strings.Split(rel, string(filepath.Separator))
		nvr := p[0] + "-" + p[1] + "-" + p[2]
		if _, ok := h.nvrs[nvr]; ok {
			continue
		}
		b := &build{id: int64(len(h.builds) + 1), name: p[0], version: p[1], release: p[2], state: koji.BuildComplete, event: h.newEvent(), btype: "rpm"}
		byFile := map[string]*rpmEntry{}
		var files []string
		unsigned, _ := filepath.Glob(filepath.Join(d, "*", "*.rpm"))
		signed, _ := filepath.Glob(filepath.Join(d, "data", "signed", "*", "*", "*.rpm"))
		files = append(files, unsigned...)
		files = append(files, signed...)
		for _, f := range files {
			base := filepath.Base(f)
			r := byFile[base]
			if r == nil {
				var err error
				r, err = readRPM(f)
				if err != nil {
					return fmt.Errorf("kojitest: %s: %w", f, err)
				}
				r.build = b
				r.id = int64(len(h.rpmByID) + 1)
				h.rpmByID[r.id] = r
				byFile[base] = r
				b.rpms = append(b.rpms, r)
				if r.name == b.name && r.epoch != nil {
					b.epoch = r.epoch
				}
			}
			relf, _ := filepath.Rel(d, f)
			if parts := strings.Split(relf, string(filepath.Separator)); len(parts) == 5 && parts[0] == "data" {
				r.sigkeys = append(r.sigkeys, parts[2])
			}
		}
		sort.Slice(b.rpms, func(i, j int) bool { return b.rpms[i].arch+b.rpms[i].name < b.rpms[j].arch+b.rpms[j].name })
		h.builds = append(h.builds, b)
		h.nvrs[nvr] = b
	}
	return nil
}

func readRPM(path string) (*rpmEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pkg, err := rpm.Read(f)
	if err != nil {
		return nil, err
	}
	st, _ := f.Stat()
	f.Seek(0, io.SeekStart)
	sum := md5.New()
	io.Copy(sum, f)
	r := &rpmEntry{name: pkg.Name(), version: pkg.Version(), release: pkg.Release(), size: st.Size(), hash: hex.EncodeToString(sum.Sum(nil))}
	// Koji's payloadhash is the header+payload MD5 of the signature header
	// (RPMSIGTAG_MD5), the same for every signed copy.
	if t := pkg.Signature.GetTag(1004); t != nil && len(t.Bytes()) == md5.Size {
		r.hash = hex.EncodeToString(t.Bytes())
	}
	r.arch = pkg.Architecture()
	if pkg.SourceRPM() == "" {
		r.arch = "src"
	}
	if e := pkg.Epoch(); e != 0 || hasEpoch(pkg) {
		v := int64(e)
		r.epoch = &v
	}
	return r, nil
}

func hasEpoch(p *rpm.Package) bool {
	return p.Header.GetTag(1003) != nil // RPMTAG_EPOCH present (epoch 0 explicitly)
}

// AddTag creates a tag and returns its ID.
func (h *Hub) AddTag(name string, arches ...string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := int64(len(h.tags) + 1)
	h.tags[id] = &tag{id: id, name: name, arches: strings.Join(arches, " "), created: h.newEvent()}
	h.tagNames[name] = id
	return id
}

// Inherit is an inheritance link's options.
type Inherit struct {
	Priority     int
	MaxDepth     *int
	Intransitive bool
	NoConfig     bool
	PkgFilter    string
}

// AddInheritance makes child inherit parent; it returns the event.
func (h *Hub) AddInheritance(child, parent string, o Inherit) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, p := h.tags[h.tagNames[child]], h.tags[h.tagNames[parent]]
	if c == nil || p == nil {
		panic("kojitest: AddInheritance: unknown tag " + child + " or " + parent)
	}
	ev := h.newEvent()
	c.parents = append(c.parents, &link{parent: p.id, priority: o.Priority, maxdepth: o.MaxDepth,
		intransitive: o.Intransitive, noconfig: o.NoConfig, pkgFilter: o.PkgFilter, created: ev})
	return ev
}

// TagBuild tags a scanned build (by NVR) into a tag; it returns the event.
func (h *Hub) TagBuild(tagName, nvr string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, b := h.tags[h.tagNames[tagName]], h.nvrs[nvr]
	if t == nil || b == nil {
		panic("kojitest: TagBuild: unknown tag " + tagName + " or build " + nvr)
	}
	ev := h.newEvent()
	t.tagged = append(t.tagged, &tagging{build: b, created: ev})
	return ev
}

// UntagBuild revokes the build's active tagging; it returns the event.
func (h *Hub) UntagBuild(tagName, nvr string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.tags[h.tagNames[tagName]]
	ev := h.newEvent()
	for _, tg := range t.tagged {
		if tg.build.nvr() == nvr && tg.revoked == 0 {
			tg.revoked = ev
		}
	}
	return ev
}

func (b *build) nvr() string { return b.name + "-" + b.version + "-" + b.release }

func active(created, revoked, event int64) bool {
	return created <= event && (revoked == 0 || revoked > event)
}

// ServeHTTP answers XML-RPC at /kojihub and sslLogin at /kojihub/ssllogin.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, filesPrefix) {
		h.serveFile(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "XML-RPC needs POST", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != "/kojihub" && r.URL.Path != "/kojihub/ssllogin" {
		http.NotFound(w, r)
		return
	}
	method, params, err := koji.DecodeCall(r.Body)
	if err != nil {
		writeFault(w, &koji.Fault{Code: koji.ParameterError, Message: err.Error()})
		return
	}
	sess, ferr := h.session(r, method)
	if ferr != nil {
		writeFault(w, ferr)
		return
	}
	var v any
	if method == "sslLogin" {
		v, ferr = h.sslLogin(r, params)
	} else {
		v, ferr = h.dispatch(sess, method, params)
	}
	if ferr != nil {
		writeFault(w, ferr)
		return
	}
	out, err := koji.EncodeResponse(v)
	if err != nil {
		writeFault(w, &koji.Fault{Code: koji.GenericError, Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Write(out)
}

func writeFault(w http.ResponseWriter, f *koji.Fault) {
	w.Header().Set("Content-Type", "text/xml")
	w.Write(koji.EncodeFault(f))
}

func faultf(code int, format string, a ...any) *koji.Fault {
	return &koji.Fault{Code: code, Message: fmt.Sprintf(format, a...)}
}

// session checks session credentials (headers or query) and the call
// sequence number, as Koji's auth module does.
func (h *Hub) session(r *http.Request, method string) (*session, *koji.Fault) {
	id, key, cn := r.Header.Get("Koji-Session-Id"), r.Header.Get("Koji-Session-Key"), r.Header.Get("Koji-Session-Callnum")
	if id == "" {
		q := r.URL.Query()
		id, key, cn = q.Get("session-id"), q.Get("session-key"), q.Get("callnum")
	}
	if id == "" {
		return nil, nil
	}
	var sid, num int64
	if _, err := fmt.Sscan(id, &sid); err != nil {
		return nil, faultf(koji.AuthError, "invalid session id %q", id)
	}
	fmt.Sscan(cn, &num)
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sessions[sid]
	if s == nil || s.key != key {
		return nil, faultf(koji.AuthExpired, "session %s has expired or is unknown", id)
	}
	if num < s.callnum {
		return nil, faultf(koji.SequenceError, "%d > %d (session %d)", s.callnum, num, sid)
	}
	s.callnum = num + 1
	return s, nil
}

func (h *Hub) newSession(user, how string) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := int64(len(h.sessions) + 100)
	key := fmt.Sprintf("%d-%x", id, md5.Sum([]byte(user+how+time.Now().String())))
	h.sessions[id] = &session{id: id, key: key, user: user, authed: how}
	return map[string]any{"session-id": id, "session-key": key}
}

func (h *Hub) sslLogin(r *http.Request, params []any) (any, *koji.Fault) {
	h.record(nil, "sslLogin", params)
	if r.URL.Path != "/kojihub/ssllogin" {
		return nil, faultf(koji.AuthError, "sslLogin must be sent to /ssllogin")
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Negotiate ") {
		if h.NegotiateToken == "" || strings.TrimPrefix(auth, "Negotiate ") != h.NegotiateToken {
			return nil, faultf(koji.AuthError, "GSSAPI authentication failed")
		}
		return h.newSession(h.NegotiateUser, "gssapi"), nil
	}
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return h.newSession(r.TLS.PeerCertificates[0].Subject.CommonName, "ssl"), nil
	}
	return nil, faultf(koji.AuthError, "could not authenticate: no client certificate or Negotiate header")
}

func (h *Hub) record(s *session, method string, params []any) {
	args, kw := koji.SplitKW(params)
	c := Call{Method: method, Args: args, KW: kw}
	if s != nil {
		c.User, c.Session = s.user, s.id
	}
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
}

var loginRequired = map[string]bool{
	"logout": true, "cancelTask": true, "runroot": true,
	"buildImage": true, "buildImageOz": true, "buildImageIndirection": true,
	"spinLiveMedia": true, "spinLiveCD": true, "spinAppliance": true,
	"buildContainer": true, "osbuildImage": true, "kiwiBuild": true, "imageBuilderBuild": true,
}

func (h *Hub) dispatch(s *session, method string, params []any) (any, *koji.Fault) {
	if method == "multiCall" {
		h.record(s, method, nil)
		return h.multiCall(s, params)
	}
	h.record(s, method, params)
	if loginRequired[method] && s == nil {
		return nil, faultf(koji.ActionNotAllowed, "%s: you must be logged in", method)
	}
	args, kw := koji.SplitKW(params)
	switch method {
	case "getAPIVersion":
		return int64(1), nil
	case "login":
		if len(args) < 2 {
			return nil, faultf(koji.ParameterError, "login needs user and password")
		}
		u, _ := args[0].(string)
		p, _ := args[1].(string)
		if want, ok := h.Users[u]; !ok || want != p {
			return nil, faultf(koji.AuthError, "invalid username or password")
		}
		return h.newSession(u, "password"), nil
	case "logout":
		h.mu.Lock()
		delete(h.sessions, s.id)
		h.mu.Unlock()
		return nil, nil
	case "getLoggedInUser":
		return loggedInUser(s), nil
	case "getLastEvent":
		h.mu.Lock()
		defer h.mu.Unlock()
		return map[string]any{"id": h.lastEv, "ts": h.evTimes[h.lastEv]}, nil
	case "getEvent":
		id, _ := arg(args, kw, 0, "id").(int64)
		h.mu.Lock()
		defer h.mu.Unlock()
		ts, ok := h.evTimes[id]
		if !ok {
			return nil, faultf(koji.GenericError, "No such event: %d", id)
		}
		return map[string]any{"id": id, "ts": ts}, nil
	case "getTag":
		return h.getTag(args, kw)
	case "getFullInheritance":
		return h.getFullInheritance(args, kw)
	case "listTagged":
		builds, _, f := h.listTagged(args, kw, false)
		return builds, f
	case "listTaggedRPMS":
		builds, rpms, f := h.listTagged(args, kw, true)
		if f != nil {
			return nil, f
		}
		return []any{rpms, builds}, nil
	case "listRPMs":
		return h.listRPMs(args, kw)
	case "getBuild":
		return h.getBuild(args, kw)
	case "search":
		return h.search(args, kw)
	}
	if v, f, ok := h.infoMethod(method, args, kw); ok {
		return v, f
	}
	if v, f, ok := h.fileMethod(method, args, kw); ok {
		return v, f
	}
	if v, f, ok := h.taskMethod(s, method, args, kw); ok {
		return v, f
	}
	return nil, faultf(koji.GenericError, "Invalid method: %s", method)
}

func (h *Hub) multiCall(s *session, params []any) (any, *koji.Fault) {
	if len(params) != 1 {
		return nil, faultf(koji.ParameterError, "multiCall takes one list of calls")
	}
	calls, ok := params[0].([]any)
	if !ok {
		return nil, faultf(koji.ParameterError, "multiCall: calls must be a list")
	}
	out := make([]any, 0, len(calls))
	for _, c := range calls {
		m, _ := c.(map[string]any)
		name, _ := m["methodName"].(string)
		p, _ := m["params"].([]any)
		if name == "multiCall" {
			out = append(out, map[string]any{"faultCode": int64(koji.GenericError), "faultString": "multicall cannot be nested"})
			continue
		}
		v, f := h.dispatch(s, name, p)
		if f != nil {
			out = append(out, map[string]any{"faultCode": int64(f.Code), "faultString": f.Message})
			continue
		}
		out = append(out, []any{v})
	}
	return out, nil
}

// arg returns positional argument i or keyword name.
func arg(args []any, kw map[string]any, i int, name string) any {
	if v, ok := kw[name]; ok {
		return v
	}
	if i < len(args) {
		return args[i]
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case string:
		return x != ""
	}
	return false
}

// eventArg is the event argument, or the last event when absent/nil.
func (h *Hub) eventArg(v any) (int64, *koji.Fault) {
	if v == nil {
		return h.lastEv, nil
	}
	ev, ok := v.(int64)
	if !ok {
		return 0, faultf(koji.ParameterError, "event must be an integer, got %T", v)
	}
	if _, known := h.evTimes[ev]; !known {
		return 0, faultf(koji.GenericError, "No such event: %d", ev)
	}
	return ev, nil
}

func (h *Hub) findTag(v any, event int64) *tag {
	var t *tag
	switch x := v.(type) {
	case string:
		t = h.tags[h.tagNames[x]]
	case int64:
		t = h.tags[x]
	case map[string]any:
		if id, ok := x["id"].(int64); ok {
			t = h.tags[id]
		} else if n, ok := x["name"].(string); ok {
			t = h.tags[h.tagNames[n]]
		}
	}
	if t == nil || t.created > event {
		return nil
	}
	return t
}

func (h *Hub) getTag(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev, f := h.eventArg(arg(args, kw, 3, "event"))
	if f != nil {
		return nil, f
	}
	ti := arg(args, kw, 0, "tagInfo")
	t := h.findTag(ti, ev)
	if t == nil {
		if truthy(arg(args, kw, 1, "strict")) {
			return nil, faultf(koji.GenericError, "No such tagInfo: %v", ti)
		}
		return nil, nil
	}
	return map[string]any{"id": t.id, "name": t.name, "arches": t.arches, "locked": false,
		"perm": nil, "perm_id": nil, "maven_support": false, "maven_include_all": false, "extra": map[string]any{}}, nil
}

type inhEntry struct {
	tag    *tag
	link   *link
	child  int64
	depth  int
	filter []string
}

// fullInheritance walks the ancestry depth first in priority order; each
// tag appears once, at its first (highest-priority) position. maxdepth and
// intransitive links limit how far the walk goes through them.
func (h *Hub) fullInheritance(t *tag, event int64) []inhEntry {
	var out []inhEntry
	seen := map[int64]bool{t.id: true}
	var walk func(cur *tag, depth int, limit int, filters []string)
	walk = func(cur *tag, depth int, limit int, filters []string) {
		links := make([]*link, 0, len(cur.parents))
		for _, l := range cur.parents {
			if active(l.created, l.revoked, event) {
				links = append(links, l)
			}
		}
		sort.SliceStable(links, func(i, j int) bool { return links[i].priority < links[j].priority })
		for _, l := range links {
			if limit >= 0 && depth > limit {
				return
			}
			if l.intransitive && depth > 1 {
				continue
			}
			p := h.tags[l.parent]
			if seen[p.id] {
				continue
			}
			seen[p.id] = true
			fs := filters
			if l.pkgFilter != "" {
				fs = append(append([]string(nil), filters...), l.pkgFilter)
			}
			out = append(out, inhEntry{tag: p, link: l, child: cur.id, depth: depth, filter: fs})
			next := limit
			if l.maxdepth != nil {
				m := depth + *l.maxdepth
				if next < 0 || m < next {
					next = m
				}
			}
			if l.intransitive {
				continue
			}
			walk(p, depth+1, next, fs)
		}
	}
	walk(t, 1, -1, nil)
	return out
}

func (h *Hub) getFullInheritance(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev, f := h.eventArg(arg(args, kw, 1, "event"))
	if f != nil {
		return nil, f
	}
	t := h.findTag(arg(args, kw, 0, "tag"), ev)
	if t == nil {
		return nil, faultf(koji.GenericError, "No such tag: %v", arg(args, kw, 0, "tag"))
	}
	out := []any{}
	for _, e := range h.fullInheritance(t, ev) {
		var md any
		if e.link.maxdepth != nil {
			md = int64(*e.link.maxdepth)
		}
		out = append(out, map[string]any{
			"child_id": e.child, "parent_id": e.tag.id, "tag_id": e.child, "name": e.tag.name,
			"priority": int64(e.link.priority), "maxdepth": md, "intransitive": e.link.intransitive,
			"noconfig": e.link.noconfig, "pkg_filter": e.link.pkgFilter, "currdepth": int64(e.depth),
			"filter": []any{},
		})
	}
	return out, nil
}

// info is the build as listTagged and getBuild describe it; the
// completion time is the time of the build's event. Callers hold mu.
func (h *Hub) buildInfo(b *build, t *tag) map[string]any {
	var epoch any
	if b.epoch != nil {
		epoch = *b.epoch
	}
	var extra any
	if b.extra != nil {
		extra = b.extra
	}
	ts := h.evTimes[b.event]
	m := map[string]any{
		"build_id": b.id, "id": b.id, "package_id": b.id, "package_name": b.name, "name": b.name,
		"version": b.version, "release": b.release, "epoch": epoch, "nvr": b.nvr(), "state": int64(b.state),
		"owner_id": int64(1), "owner_name": "kojibuilder", "volume_id": int64(0), "volume_name": "DEFAULT",
		"creation_event_id": b.event, "task_id": nil, "extra": extra,
		"completion_ts": ts, "completion_time": time.Unix(int64(ts), 0).UTC().Format("2006-01-02 15:04:05"),
	}
	if t != nil {
		m["tag_id"], m["tag_name"] = t.id, t.name
	}
	return m
}

func (r *rpmEntry) info() map[string]any {
	var epoch any
	if r.epoch != nil {
		epoch = *r.epoch
	}
	return map[string]any{
		"id": r.id, "build_id": r.build.id, "name": r.name, "version": r.version, "release": r.release,
		"epoch": epoch, "arch": r.arch, "size": r.size, "payloadhash": r.hash, "buildroot_id": nil,
		"external_repo_id": int64(0), "external_repo_name": "INTERNAL", "metadata_only": false, "extra": nil,
	}
}

func (h *Hub) listTagged(args []any, kw map[string]any, withRPMs bool) ([]any, []any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev, f := h.eventArg(arg(args, kw, 1, "event"))
	if f != nil {
		return nil, nil, f
	}
	t := h.findTag(arg(args, kw, 0, "tag"), ev)
	if t == nil {
		return nil, nil, faultf(koji.GenericError, "No such entry in table tag: %v", arg(args, kw, 0, "tag"))
	}
	inherit := truthy(arg(args, kw, 2, "inherit"))
	var latest bool
	var pkg, btype string
	if withRPMs {
		latest = truthy(arg(args, kw, 3, "latest"))
		pkg, _ = arg(args, kw, 4, "package").(string)
		btype, _ = arg(args, kw, 8, "type").(string)
	} else {
		latest = truthy(arg(args, kw, 4, "latest"))
		pkg, _ = arg(args, kw, 5, "package").(string)
		btype, _ = arg(args, kw, 7, "type").(string)
	}
	order := []inhEntry{{tag: t}}
	if inherit {
		order = append(order, h.fullInheritance(t, ev)...)
	}
	// Koji's readTaggedBuilds: the tag and its ancestors in inheritance
	// order, each newest tagging first; with latest only the first build
	// of each package counts.
	seenPkg := map[string]bool{}
	seenBuild := map[int64]bool{}
	builds := []any{}
	var chosen []*build
	for _, e := range order {
		tg := make([]*tagging, 0, len(e.tag.tagged))
		for _, x := range e.tag.tagged {
			if active(x.created, x.revoked, ev) {
				tg = append(tg, x)
			}
		}
		sort.SliceStable(tg, func(i, j int) bool { return tg[i].created > tg[j].created })
		for _, x := range tg {
			b := x.build
			if pkg != "" && b.name != pkg || btype != "" && b.btype != btype {
				continue
			}
			if !filterOK(e.filter, b.name) {
				continue
			}
			if latest && seenPkg[b.name] {
				continue
			}
			seenPkg[b.name] = true
			if seenBuild[b.id] {
				continue
			}
			seenBuild[b.id] = true
			builds = append(builds, h.buildInfo(b, e.tag))
			chosen = append(chosen, b)
		}
	}
	if !withRPMs {
		return builds, nil, nil
	}
	var arches map[string]bool
	if a, ok := arg(args, kw, 5, "arch").([]any); ok {
		arches = map[string]bool{}
		for _, x := range a {
			s, _ := x.(string)
			arches[s] = true
		}
	} else if s, ok := arg(args, kw, 5, "arch").(string); ok {
		arches = map[string]bool{s: true}
	}
	sigs := truthy(arg(args, kw, 6, "rpmsigs"))
	rpms := []any{}
	for _, b := range chosen {
		for _, r := range b.rpms {
			if arches != nil && !arches[r.arch] {
				continue
			}
			if !sigs {
				rpms = append(rpms, r.info())
				continue
			}
			keys := append([]string{""}, r.sigkeys...)
			for _, k := range keys {
				m := r.info()
				m["sigkey"] = k
				rpms = append(rpms, m)
			}
		}
	}
	return builds, rpms, nil
}

func filterOK(filters []string, name string) bool {
	for _, f := range filters {
		re, err := regexp.Compile(f)
		if err != nil || !re.MatchString(name) {
			return false
		}
	}
	return true
}

func (h *Hub) lookupBuild(v any) *build {
	switch x := v.(type) {
	case int64:
		if x >= 1 && int(x) <= len(h.builds) {
			return h.builds[x-1]
		}
	case string:
		return h.nvrs[x]
	case map[string]any:
		if id, ok := x["id"].(int64); ok {
			return h.lookupBuild(id)
		}
		n, _ := x["name"].(string)
		v, _ := x["version"].(string)
		r, _ := x["release"].(string)
		return h.nvrs[n+"-"+v+"-"+r]
	}
	return nil
}

func (h *Hub) getBuild(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	bi := arg(args, kw, 0, "buildInfo")
	b := h.lookupBuild(bi)
	if b == nil {
		if truthy(arg(args, kw, 1, "strict")) {
			return nil, faultf(koji.GenericError, "No such build: %v", bi)
		}
		return nil, nil
	}
	return h.buildInfo(b, nil), nil
}

func (h *Hub) listRPMs(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.lookupBuild(arg(args, kw, 0, "buildID"))
	if b == nil {
		return []any{}, nil
	}
	var arches map[string]bool
	if a, ok := arg(args, kw, 3, "arches").([]any); ok {
		arches = map[string]bool{}
		for _, x := range a {
			s, _ := x.(string)
			arches[s] = true
		}
	}
	out := []any{}
	for _, r := range b.rpms {
		if arches == nil || arches[r.arch] {
			out = append(out, r.info())
		}
	}
	return out, nil
}
