package createrepo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/gather"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd/modulemd"
)

// This file adds module metadata to the variant repositories, as Pungi's
// createrepo phase does with modifyrepo_c --mdtype=modules: the modulemd
// the gather phase wrote for the variant.arch (its streams, defaults,
// obsoletes) plus the variant's createrepo_extra_modulemd files; and it
// writes compose/metadata/modules.json (productmd's Modules), which Pungi
// writes in every compose, empty when there are no modules.

// modulesMetadata collects modules.json entries from the repository tasks.
type modulesMetadata struct {
	mu      sync.Mutex
	entries map[string]map[string]map[string]moduleEntry // variant → arch → NSVC
}

// moduleEntry is one module of modules.json; maps keep the keys sorted as
// productmd writes them.
type moduleEntry struct {
	Metadata     map[string]string `json:"metadata"`
	ModulemdPath map[string]string `json:"modulemd_path"`
	RPMs         []string          `json:"rpms"`
}

func newModulesMetadata() *modulesMetadata {
	return &modulesMetadata{entries: map[string]map[string]map[string]moduleEntry{}}
}

// addModules adds the modules record to a variant's binary repository of
// an arch, when the variant ships module streams there or has
// createrepo_extra_modulemd, and notes its modules.json entries.
func (mm *modulesMetadata) addModules(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant, repoDir string) error {
	idx := modulemd.NewIndex()
	origin := map[string]string{}
	path := gather.ModulemdPath(c, arch, v)
	if _, err := os.Stat(path); err == nil {
		x, err := modulemd.ReadFile(path)
		if err != nil {
			return err
		}
		idx = x
	}
	// koji_tag: the content tag of Koji modules; "" for modules from
	// repositories (pkgset_repos), which have no Koji tag.
	if data, err := os.ReadFile(gather.KojiTagsPath(c, arch, v)); err == nil {
		if err := json.Unmarshal(data, &origin); err != nil {
			return fmt.Errorf("%s: %w", gather.KojiTagsPath(c, arch, v), err)
		}
	}
	extra, err := extraModulemd(ctx, c, arch, v)
	if err != nil {
		return err
	}
	for _, s := range extra {
		idx.AddStream(s)
		origin[s.NSVC()] = "DUMMY" // as Pungi: the Koji tag is unknown
	}
	if len(idx.Streams) == 0 && len(idx.Defaults) == 0 {
		return nil
	}
	tmp, err := c.Paths.Work.MkdirTemp(arch, v, "modules_")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rec, err := pkgset.AddModulesRecord(idx, repoDir, tmp, checksum(c))
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Join(c.Topdir, "compose"), filepath.Join(repoDir, filepath.FromSlash(rec.Href)))
	if err != nil {
		return err
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	for _, s := range idx.Streams {
		e := moduleEntry{ModulemdPath: map[string]string{"binary": filepath.ToSlash(rel)}, RPMs: slices.Clone(s.RPMArtifacts())}
		if e.RPMs == nil {
			e.RPMs = []string{}
		}
		e.Metadata = map[string]string{"uid": s.NSVC(), "name": s.Name, "stream": s.Stream,
			"version": fmt.Sprint(s.Version), "context": s.Context, "koji_tag": origin[s.NSVC()]}
		if mm.entries[v.UID] == nil {
			mm.entries[v.UID] = map[string]map[string]moduleEntry{}
		}
		if mm.entries[v.UID][arch] == nil {
			mm.entries[v.UID][arch] = map[string]moduleEntry{}
		}
		mm.entries[v.UID][arch][s.NSVC()] = e
	}
	c.Log.Infof("Added modules metadata to %s: %d streams", repoDir, len(idx.Streams))
	return nil
}

// extraModulemd reads createrepo_extra_modulemd for a variant: an SCM
// dict whose <arch>/*.yaml files each hold one module stream.
func extraModulemd(ctx context.Context, c *compose.Compose, arch string, v *compose.Variant) ([]*modulemd.Stream, error) {
	raw, _ := c.Conf.Get("createrepo_extra_modulemd")
	m, _ := raw.(map[string]any)
	spec, ok := m[v.UID]
	if !ok {
		return nil, nil
	}
	scm, err := compose.ParseSCM(spec)
	if err != nil {
		return nil, fmt.Errorf("createrepo_extra_modulemd: %w", err)
	}
	tmp, err := c.Paths.Work.MkdirTemp(arch, v, "extra_modulemd_")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if _, err := c.Fetch(ctx, scm, tmp); err != nil {
		return nil, fmt.Errorf("createrepo_extra_modulemd: %w", err)
	}
	files, _ := filepath.Glob(filepath.Join(tmp, arch, "*.yaml"))
	sort.Strings(files)
	var out []*modulemd.Stream
	for _, f := range files {
		x, err := modulemd.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("createrepo_extra_modulemd: %w", err)
		}
		if len(x.Streams) != 1 {
			return nil, fmt.Errorf("createrepo_extra_modulemd: %s holds %d module streams, want exactly one", filepath.Base(f), len(x.Streams))
		}
		out = append(out, x.Streams[0])
	}
	return out, nil
}

// write writes compose/metadata/modules.json.
func (mm *modulesMetadata) write(c *compose.Compose) error {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	for _, arches := range mm.entries {
		for _, uids := range arches {
			for k, e := range uids {
				e.RPMs = dedupSorted(e.RPMs)
				uids[k] = e
			}
		}
	}
	ci := c.Info.Compose
	doc := map[string]any{
		"header": productmd.Header{Type: "productmd.modules", Version: productmd.FormatVersion},
		"payload": map[string]any{
			"compose": map[string]any{"id": ci.ID, "type": ci.Type, "date": ci.Date, "respin": ci.Respin},
			"modules": mm.entries,
		},
	}
	path := c.Paths.Compose.Metadata("modules.json")
	c.Log.Infof("Writing modules metadata: %s", path)
	return productmd.WriteJSON(path, doc)
}

func dedupSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return slices.Compact(s)
}
