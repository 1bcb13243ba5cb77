package kojitest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/phases/koji"
)

// This file gives the hub module builds as the Module Build Service
// imports them into Koji: a build named after the module, its version the
// stream (dashes made underscores) and its release VERSION.CONTEXT, with
// extra.typeinfo.module naming the stream and its content tag, and the
// modulemd files as "module" archives under
// packages/N/V/R/files/module/ (Koji's typedir for the module btype). The
// module's rpms are ordinary builds tagged into the content tag.

// ModuleBuild is a module build for AddModuleBuild.
type ModuleBuild struct {
	Name, Stream, Context string
	Version               uint64
	// ContentTag is extra.typeinfo.module.content_koji_tag: the tag holding
	// the module's rpm builds (created by the test with AddTag).
	ContentTag string
	// Archives maps archive file names (modulemd.txt, modulemd.x86_64.txt,
	// modulemd.src.txt) to their contents. MBS uploads the per-arch files
	// only for final builds; a build with only modulemd.txt is an old one.
	Archives map[string]string
	// State is the Koji build state; 0 means COMPLETE.
	State int
}

// NVR is the Koji NVR MBS gives the build.
func (m ModuleBuild) NVR() string {
	return fmt.Sprintf("%s-%s-%d.%s", m.Name, strings.ReplaceAll(m.Stream, "-", "_"), m.Version, m.Context)
}

// AddModuleBuild registers a module build with its archives, writing them
// under TopDir, and returns its NVR. Tag it into a module tag with
// TagBuild.
func (h *Hub) AddModuleBuild(m ModuleBuild) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	state := m.State
	if state == 0 {
		state = koji.BuildComplete
	}
	nvr := m.NVR()
	if h.nvrs[nvr] != nil {
		return "", fmt.Errorf("kojitest: build %s exists", nvr)
	}
	ver := strings.ReplaceAll(m.Stream, "-", "_")
	rel := fmt.Sprintf("%d.%s", m.Version, m.Context)
	info := map[string]any{"name": m.Name, "stream": m.Stream, "version": fmt.Sprint(m.Version), "context": m.Context,
		"content_koji_tag": m.ContentTag, "module_build_service_id": int64(len(h.builds) + 1)}
	if s, ok := m.Archives["modulemd.txt"]; ok {
		info["modulemd_str"] = s
	}
	b := &build{id: int64(len(h.builds) + 1), name: m.Name, version: ver, release: rel, state: state,
		event: h.newEvent(), btype: "module", extra: map[string]any{"typeinfo": map[string]any{"module": info}}}
	h.builds = append(h.builds, b)
	h.nvrs[nvr] = b
	dir := filepath.Join(h.TopDir, "packages", m.Name, ver, rel, "files", "module")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	names := slices.Sorted(maps.Keys(m.Archives))
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(m.Archives[n]), 0o644); err != nil {
			return "", err
		}
		arch := "noarch"
		if p := strings.Split(n, "."); len(p) == 3 {
			arch = p[1]
		}
		h.archives = append(h.archives, &archiveEntry{id: int64(len(h.archives) + 1), build: b,
			a: Archive{Filename: n, Arch: arch, Type: "txt", BType: "module", Data: []byte(m.Archives[n])}})
	}
	return nvr, nil
}

// search is Koji's search for builds: terms matched against build NVRs
// as matchType says (glob, regexp, exact); it answers [{id, name}].
func (h *Hub) search(args []any, kw map[string]any) (any, *koji.Fault) {
	terms, _ := arg(args, kw, 0, "terms").(string)
	typ, _ := arg(args, kw, 1, "type").(string)
	match, _ := arg(args, kw, 2, "matchType").(string)
	if typ != "build" {
		return nil, faultf(koji.GenericError, "search: the test hub searches builds only, not %q", typ)
	}
	var ok func(string) bool
	switch match {
	case "glob":
		ok = func(s string) bool { return glob.Python(terms, s) }
	case "regexp":
		re, err := regexp.Compile(terms)
		if err != nil {
			return nil, faultf(koji.GenericError, "search: %v", err)
		}
		ok = re.MatchString
	default:
		ok = func(s string) bool { return s == terms }
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []any{}
	for _, b := range h.builds {
		if ok(b.nvr()) {
			out = append(out, map[string]any{"id": b.id, "name": b.nvr()})
		}
	}
	return out, nil
}
