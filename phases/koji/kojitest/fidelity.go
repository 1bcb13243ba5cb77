package kojitest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cavaliergopher/rpm"
	"github.com/pungo/pungo/phases/koji"
)

// This file holds the read-only calls the real koji CLI and library make
// that pungo itself does not need, answered with Koji's types and fields,
// so that the hub can be driven by Koji's own client (realclient_test.go)
// and cannot drift into a dialect only pungo speaks.

// KojiVersion is what getKojiVersion answers.
const KojiVersion = "1.35.0"

// authTypes are koji.AUTHTYPES: how a session logged in, as the integer
// getLoggedInUser reports.
var authTypes = map[string]int64{"password": 0, "kerberos": 1, "ssl": 2, "gssapi": 3}

// perms are the permissions a fresh Koji database has (schema.sql).
var perms = []struct{ name, desc string }{
	{"admin", "Full administrator access. Perform all actions."},
	{"appliance", "Create appliance images with Image Factory."},
	{"dist-repo", "Create a dist-repo."},
	{"host", "Add, remove, enable or disable hosts and channels."},
	{"image", "Start image tasks."},
	{"image-import", "Import image archives."},
	{"livecd", "Start livecd tasks."},
	{"maven-import", "Import maven archives."},
	{"repo", "Manage repos: newRepo, repoExpire, repoDelete, repoProblem."},
	{"sign", "Import RPM signatures and write signed RPMs."},
	{"tag", "Manage packages in tags: add, block, remove, and clone tags."},
	{"target", "Add, edit, and remove targets."},
	{"win-admin", "The default hub policy rule for 'vm' requires this permission to trigger Windows builds."},
	{"win-import", "Import win archives."},
}

// loggedInUser is getLoggedInUser's answer: getUser's fields plus the
// integer authtype; None when the session is anonymous.
func loggedInUser(s *session) any {
	if s == nil {
		return nil
	}
	var principal any
	principals := []any{}
	if s.authed == "gssapi" || s.authed == "kerberos" {
		principal = s.user
		principals = append(principals, s.user)
	}
	return map[string]any{"id": s.id, "name": s.user, "status": int64(0), "usertype": int64(0),
		"krb_principals": principals, "krb_principal": principal, "authtype": authTypes[s.authed]}
}

// taskTimes adds a task's timestamps, as Koji's getTaskInfo: time strings
// and epoch floats for creation, start (once a host took it) and
// completion (once it ended), and the host. The times are derived from
// the task ID so that answers are reproducible.
func taskTimes(m map[string]any, t *task) {
	created := time.Unix(1700000000+t.id, 0).UTC()
	stamp := func(name string, at time.Time, ok bool) {
		if !ok {
			m[name+"_time"], m[name+"_ts"] = nil, nil
			return
		}
		m[name+"_time"] = at.Format("2006-01-02 15:04:05.000000-07:00")
		m[name+"_ts"] = float64(at.Unix())
	}
	started := t.state != koji.TaskFree
	ended := t.state == koji.TaskClosed || t.state == koji.TaskFailed || t.state == koji.TaskCanceled
	stamp("create", created, true)
	stamp("start", created.Add(time.Second), started)
	stamp("completion", created.Add(2*time.Second), ended)
	m["host_id"] = nil
	if started {
		m["host_id"] = int64(1)
	}
}

// infoMethod answers the informational calls: getKojiVersion,
// getAllPerms, listTags, getLatestBuilds, getRPM.
func (h *Hub) infoMethod(method string, args []any, kw map[string]any) (any, *koji.Fault, bool) {
	switch method {
	case "getKojiVersion":
		return KojiVersion, nil, true
	case "getAllPerms":
		out := make([]any, len(perms))
		for i, p := range perms {
			out[i] = map[string]any{"id": int64(i + 1), "name": p.name, "description": p.desc}
		}
		return out, nil, true
	case "listTags":
		v, f := h.listTags(args, kw)
		return v, f, true
	case "getLatestBuilds":
		tag := arg(args, kw, 0, "tag")
		lkw := map[string]any{"event": arg(args, kw, 1, "event"), "inherit": true, "latest": true}
		if p, ok := arg(args, kw, 2, "package").(string); ok {
			lkw["package"] = p
		}
		builds, _, f := h.listTagged([]any{tag}, lkw, false)
		return builds, f, true
	case "getRPM":
		v, f := h.getRPM(args, kw)
		return v, f, true
	case "getRPMHeaders":
		v, f := h.getRPMHeaders(args, kw)
		return v, f, true
	}
	return nil, nil, false
}

// listTags is Koji's list_tags: every tag, or those a build is tagged in
// now, optionally filtered by a glob pattern; perms adds perm_id/perm.
func (h *Hub) listTags(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	bi, pkg := arg(args, kw, 0, "build"), arg(args, kw, 1, "package")
	if bi != nil && pkg != nil {
		return nil, faultf(koji.GenericError, "only one of build and package may be specified")
	}
	var b *build
	if bi != nil {
		if b = h.lookupBuild(bi); b == nil {
			return nil, faultf(koji.GenericError, "No such build: %v", bi)
		}
	}
	withPerms := true
	if v := arg(args, kw, 2, "perms"); v != nil {
		withPerms = truthy(v)
	}
	pattern, _ := arg(args, kw, 4, "pattern").(string)
	ids := make([]int64, 0, len(h.tags))
	for id := range h.tags {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := []any{}
	for _, id := range ids {
		t := h.tags[id]
		if pattern != "" {
			if ok, _ := path.Match(pattern, t.name); !ok {
				continue
			}
		}
		if b != nil {
			tagged := false
			for _, tg := range t.tagged {
				tagged = tagged || (tg.build == b && tg.revoked == 0)
			}
			if !tagged {
				continue
			}
		}
		if pkg != nil {
			// Package listings are not modelled: a tag "has" a package
			// when a build of it is tagged there now.
			has := false
			for _, tg := range t.tagged {
				has = has || (tg.revoked == 0 && (tg.build.name == fmt.Sprint(pkg) || tg.build.id == pkg))
			}
			if !has {
				continue
			}
		}
		m := map[string]any{"id": t.id, "name": t.name, "arches": t.arches, "locked": false,
			"maven_support": false, "maven_include_all": false}
		if withPerms {
			m["perm_id"], m["perm"] = nil, nil
		}
		if pkg != nil {
			m["owner_id"], m["owner_name"], m["blocked"], m["extra_arches"] = int64(1), "kojibuilder", false, ""
		}
		out = append(out, m)
	}
	return out, nil
}

// getRPM is Koji's get_rpm: by ID (int or digit string), "N-V-R.A" or a
// map with name, version, release and arch. With multi, a list.
func (h *Hub) getRPM(args []any, kw map[string]any) (any, *koji.Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ri := arg(args, kw, 0, "rpminfo")
	strict, multi := truthy(arg(args, kw, 1, "strict")), truthy(arg(args, kw, 2, "multi"))
	var match func(r *rpmEntry) bool
	switch x := ri.(type) {
	case int64:
		match = func(r *rpmEntry) bool { return r.id == x }
	case string:
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			match = func(r *rpmEntry) bool { return r.id == id }
			break
		}
		x = strings.TrimSuffix(x, ".rpm")
		dot := strings.LastIndex(x, ".")
		if dot < 0 {
			return nil, faultf(koji.GenericError, "invalid format: %s", x)
		}
		nvr, arch := x[:dot], x[dot+1:]
		match = func(r *rpmEntry) bool { return r.arch == arch && r.name+"-"+r.version+"-"+r.release == nvr }
	case map[string]any:
		match = func(r *rpmEntry) bool {
			return x["name"] == r.name && x["version"] == r.version && x["release"] == r.release && x["arch"] == r.arch
		}
	default:
		return nil, faultf(koji.GenericError, "Invalid type for rpminfo: %T", ri)
	}
	ids := make([]int64, 0, len(h.rpmByID))
	for id := range h.rpmByID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	found := []any{}
	for _, id := range ids {
		r := h.rpmByID[id]
		if match(r) {
			m := r.info()
			m["draft"] = false
			m["buildtime"] = int64(h.evTimes[r.build.event])
			found = append(found, m)
		}
	}
	if multi {
		return found, nil
	}
	if len(found) == 0 {
		if strict {
			return nil, faultf(koji.GenericError, "No such rpm: %v", ri)
		}
		return nil, nil
	}
	return found[0], nil
}

// getRPMHeaders answers header fields of an rpm (by rpmID) read from its
// unsigned copy under TopDir, as Koji's getRPMHeaders: lower-case tag
// names; fields the rpm lacks are left out.
func (h *Hub) getRPMHeaders(args []any, kw map[string]any) (any, *koji.Fault) {
	id, _ := arg(args, kw, 0, "rpmID").(int64)
	h.mu.Lock()
	r := h.rpmByID[id]
	h.mu.Unlock()
	if r == nil {
		return nil, faultf(koji.GenericError, "No such rpm: %d", id)
	}
	b := r.build
	p := filepath.Join(h.TopDir, "packages", b.name, b.version, b.release, r.arch, r.name+"-"+r.version+"-"+r.release+"."+r.arch+".rpm")
	f, err := os.Open(p)
	if err != nil {
		return map[string]any{}, nil
	}
	defer f.Close()
	pkg, err := rpm.Read(f)
	if err != nil {
		return nil, faultf(koji.GenericError, "%s: %v", p, err)
	}
	fields := map[string]string{"name": pkg.Name(), "version": pkg.Version(), "release": pkg.Release(), "arch": pkg.Architecture(),
		"license": pkg.License(), "summary": pkg.Summary(), "description": pkg.Description(), "url": pkg.URL(),
		"vendor": pkg.Vendor(), "buildhost": pkg.BuildHost(), "sourcerpm": pkg.SourceRPM(), "packager": pkg.Packager()}
	out := map[string]any{}
	want, _ := arg(args, kw, 3, "headers").([]any)
	for _, w := range want {
		name, _ := w.(string)
		if v, ok := fields[strings.ToLower(name)]; ok && v != "" {
			out[strings.ToLower(name)] = v
		}
	}
	return out, nil
}
