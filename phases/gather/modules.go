package gather

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
)

// This file is the module side of gather: the "module" source (Pungi's
// source_module.py: every artifact of the variant's streams for the arch
// and its compatible arches), the depsolver's view of a modular variant
// (its streams' packages added to the package set, non-modular packages of
// the same names hidden, as Pungi's fus solver runs the hybrid method; the
// deps method gets the same view, where Pungi's pungi-gather in a Koji
// compose could pick a non-modular package over a stream's), and the
// per-variant modulemd the createrepo phase adds to each repository.

// streams returns (and caches) the module streams a variant ships on an
// arch (pkgset.VariantStreams).
func (g *gatherer) streams(arch string, v *compose.Variant) ([]*pkgset.ModuleStream, error) {
	key := arch + "\x00" + v.UID
	g.mu.Lock()
	s, ok := g.modStreams[key]
	g.mu.Unlock()
	if ok {
		return s, nil
	}
	s, unmatched, err := pkgset.VariantStreams(g.c, g.set, v, arch)
	if err != nil {
		return nil, err
	}
	if len(unmatched) > 0 {
		g.c.Log.Warningf("Variant %s.%s lists modules (%s) that match no module stream of the package set", v.UID, arch, strings.Join(unmatched, ", "))
	}
	g.mu.Lock()
	g.modStreams[key] = s
	g.mu.Unlock()
	return s, nil
}

// moduleInputs is the module source: the binary artifacts of the variant's
// streams (debug and source packages follow their binaries) as name.arch.
func (g *gatherer) moduleInputs(arch string, v *compose.Variant) (map[Spec]bool, error) {
	out := map[Spec]bool{}
	streams, err := g.streams(arch, v)
	if err != nil {
		return nil, err
	}
	for _, ms := range streams {
		maps.Copy(out, streamSpecs(ms))
	}
	return out, nil
}

// streamSpecs are the input specs of a stream's binary artifacts.
func streamSpecs(ms *pkgset.ModuleStream) map[Spec]bool {
	out := map[Spec]bool{}
	for _, p := range ms.Packages {
		switch {
		case p.IsSource() || isDebug(p.Package):
		case p.Arch == "noarch":
			out[Spec{Name: p.Name}] = true // the depsolver takes no ".noarch" pattern
		default:
			out[Spec{p.Name, p.Arch}] = true
		}
	}
	return out
}

// moduleNodeps is the nodeps method for the module source: exactly the
// artifacts (by NEVRA, as Pungi matches module packages), the source
// packages of those included, and their debuginfo.
func (g *gatherer) moduleNodeps(arch string, v *compose.Variant) (PkgMap, error) {
	streams, err := g.streams(arch, v)
	if err != nil {
		return nil, err
	}
	return streamPackages(streams, ""), nil
}

// streamPackages are the streams' binary artifacts, the source packages
// of those, and their debuginfo, as they are (no dependencies); why
// follows each reason.
func streamPackages(streams []*pkgset.ModuleStream, why string) PkgMap {
	pm := newPkgMap()
	srpms := map[string]bool{}
	seen := map[*pkgset.Package]bool{}
	add := func(t string, p *pkgset.Package, reason string) {
		if !seen[p] {
			seen[p] = true
			pm[t] = append(pm[t], &Entry{Pkg: p.Package, Path: p.Path, Sigkey: p.Sigkey, Flags: []string{"input"}, Why: reason + why})
		}
	}
	for _, ms := range streams {
		for _, p := range ms.Packages {
			if !p.IsSource() && !isDebug(p.Package) {
				add(TypeRPM, p, "artifact of "+ms.NSVC())
				srpms[p.SourceRPM] = true
			}
		}
	}
	for _, ms := range streams {
		for _, p := range ms.Packages {
			switch {
			case p.IsSource() && srpms[p.FileName()]:
				add(TypeSRPM, p, "srpm of artifacts of "+ms.NSVC())
			case isDebug(p.Package) && srpms[p.SourceRPM]:
				add(TypeDebug, p, "debuginfo of artifacts of "+ms.NSVC())
			}
		}
	}
	return pm
}

// mergePkgMaps is a's entries plus those of b whose package a lacks.
func mergePkgMaps(a, b PkgMap) PkgMap {
	for _, t := range Types {
		have := map[*repomd.Package]bool{}
		for _, e := range a[t] {
			have[e.Pkg] = true
		}
		for _, e := range b[t] {
			if !have[e.Pkg] {
				a[t] = append(a[t], e)
			}
		}
	}
	return a
}

// Module views of the depsolver's pool for a variant with streams.
const (
	// viewStreams: the variant's streams are active, their artifacts
	// visible and non-modular packages of the same names hidden. Used by
	// the deps method for every source.
	viewStreams = "streams"
	// viewHybrid: viewStreams for the hybrid method's module source, plus
	// the modulemd of the variants used as lookaside, whose default
	// streams are active and whose other streams' packages are hidden (fus
	// reads the modules record Pungi writes into a variant's lookaside
	// repository).
	viewHybrid = "hybrid"
	// viewDefaults: only the variant's streams that are their module's
	// default stream are active; the others are hidden and shadow nothing.
	// The hybrid method resolves non-modular inputs in this view, as fus
	// does: while it installs a non-modular package it disables every
	// module that is not a default one (disable_module) and masks only the
	// bare RPMs named like an available modular package (mask_bare_rpms),
	// so a non-default stream's packages never satisfy a non-modular
	// package's dependencies.
	viewDefaults = "defaults"
)

// moduleRepo returns the depsolve repository of a variant's stream
// packages and the metadata to apply for a view: the streams with the
// defaults of their modules. Nil when the variant has no streams on the
// arch.
func (g *gatherer) moduleRepo(arch string, v *compose.Variant) (*depsolve.Repo, *modulemd.Index, []string, error) {
	streams, err := g.streams(arch, v)
	if err != nil || len(streams) == 0 {
		return nil, nil, nil, err
	}
	r := &depsolve.Repo{ID: "modules-" + arch}
	idx := modulemd.NewIndex()
	var enable []string
	seen := map[*pkgset.Package]bool{}
	for _, ms := range streams {
		idx.AddStream(ms.MD)
		if !slices.Contains(enable, ms.MD.NS()) {
			enable = append(enable, ms.MD.NS())
		}
		for _, p := range ms.Packages {
			if !seen[p] {
				seen[p] = true
				r.Packages = append(r.Packages, p.Package)
			}
		}
	}
	if meta := g.set.ModuleMeta[arch]; meta != nil {
		for _, ms := range streams {
			if d := meta.Defaults[ms.MD.Name]; d != nil && idx.Defaults[ms.MD.Name] == nil {
				idx.AddDefaults(d)
			}
		}
	}
	return r, idx, enable, nil
}

// lookasideModules adds to idx (nil: a new index) the streams and
// defaults of the variants used as lookaside (variant_as_lookaside), as
// the modules record of Pungi's variant lookaside repository carries
// them. idx is returned unchanged when they ship no stream.
func (g *gatherer) lookasideModules(arch string, lvs []string, idx *modulemd.Index) (*modulemd.Index, error) {
	for _, uid := range lvs {
		lv := g.c.Variant(uid)
		if lv == nil {
			continue
		}
		streams, err := g.streams(arch, lv)
		if err != nil {
			return nil, err
		}
		for _, ms := range streams {
			if idx == nil {
				idx = modulemd.NewIndex()
			}
			if !slices.ContainsFunc(idx.Streams, func(s *modulemd.Stream) bool { return s.NSVC() == ms.NSVC() }) {
				idx.AddStream(ms.MD)
			}
			if meta := g.set.ModuleMeta[arch]; meta != nil && meta.Defaults[ms.MD.Name] != nil && idx.Defaults[ms.MD.Name] == nil {
				idx.AddDefaults(meta.Defaults[ms.MD.Name])
			}
		}
	}
	return idx, nil
}

// lookasideRepoModules adds to idx (nil: a new index) the streams and
// defaults of the gather_lookaside_repos that carry a modules record: fus
// loads them with the repositories, so their default streams are active
// and their other streams' packages hidden in the hybrid method's views.
func lookasideRepoModules(repos []*depsolve.Repo, idx *modulemd.Index) (*modulemd.Index, error) {
	for _, r := range repos {
		if !r.Lookaside || r.Source == nil {
			continue
		}
		x, err := modulemd.ReadRepo(r.Source)
		if err != nil {
			return nil, fmt.Errorf("gather_lookaside_repos: %w", err)
		}
		if x == nil {
			continue
		}
		if idx == nil {
			idx = modulemd.NewIndex()
		}
		for _, s := range x.Streams {
			if !slices.ContainsFunc(idx.Streams, func(o *modulemd.Stream) bool { return o.NSVC() == s.NSVC() }) {
				idx.AddStream(s)
			}
		}
		for name, d := range x.Defaults {
			if idx.Defaults[name] == nil {
				idx.AddDefaults(d)
			}
		}
	}
	return idx, nil
}

// applyView applies a module view to a variant's pool.
func applyView(p *depsolve.Pool, idx *modulemd.Index, enable []string, view string) error {
	var err error
	switch view {
	case viewDefaults:
		_, err = p.ApplyModules(idx, nil, true)
	case viewHybrid:
		_, err = p.ApplyModules(idx, enable, true)
	default:
		_, err = p.ApplyModules(idx, enable, false)
	}
	return err
}

// streamKey identifies a variant's module view in the pool cache. The
// deps method's view of a variant without streams is the plain package
// set; the hybrid views also apply lookaside repositories' modules.
func (g *gatherer) streamKey(arch string, v *compose.Variant, view string) (string, error) {
	streams, err := g.streams(arch, v)
	if err != nil {
		return "", err
	}
	if len(streams) == 0 {
		if view == viewStreams {
			return "", nil
		}
		return "\x00" + view, nil
	}
	var b strings.Builder
	for _, ms := range streams {
		b.WriteString("\x00" + ms.NSVC())
	}
	b.WriteString("\x00" + view)
	return b.String(), nil
}

// moduleDebug returns the debuginfo and debugsource artifacts of a
// variant's streams: the hybrid method takes them as they are (fus puts
// every artifact of an enabled stream into its result; Pungi adds no
// debuginfo for modular packages itself).
func (g *gatherer) moduleDebug(arch string, v *compose.Variant) ([]*Entry, error) {
	streams, err := g.streams(arch, v)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	seen := map[*pkgset.Package]bool{}
	for _, ms := range streams {
		for _, p := range ms.Packages {
			if isDebug(p.Package) && !p.IsSource() && !seen[p] {
				seen[p] = true
				out = append(out, &Entry{Pkg: p.Package, Path: p.Path, Sigkey: p.Sigkey, Flags: []string{"input"}, Why: "artifact of " + ms.NSVC()})
			}
		}
	}
	return out, nil
}

// hybridPlatform is Pungi's get_platform for the hybrid method: the
// platform streams the modules of the variant's lookaside repositories
// and the streams of every variant on the arch require at run time. More
// than one is an error, as in Pungi; "" when no module names one. Pungi
// hands it to fus (--platform) as the installed platform module every
// stream's dependencies resolve against. The lookaside repositories'
// streams are returned too.
func (g *gatherer) hybridPlatform(arch string, v *compose.Variant) (string, []*modulemd.Stream, error) {
	platforms := map[string][]string{} // stream → who asks for it
	lookaside, locs, err := g.lookasideRepoStreams(arch, v)
	if err != nil {
		return "", nil, err
	}
	for i, s := range lookaside {
		for _, p := range depsolve.RuntimePlatforms(s) {
			platforms[p] = append(platforms[p], s.NSVC()+" in "+locs[i])
		}
	}
	for _, other := range g.c.GetVariants(nil, arch) {
		streams, err := g.streams(arch, other)
		if err != nil {
			return "", nil, err
		}
		for _, ms := range streams {
			for _, p := range depsolve.RuntimePlatforms(ms.MD) {
				platforms[p] = append(platforms[p], ms.NSVC()+" of "+other.UID)
			}
		}
	}
	if len(platforms) > 1 {
		var parts []string
		for _, p := range slices.Sorted(maps.Keys(platforms)) {
			parts = append(parts, fmt.Sprintf("platform:%s (%s)", p, strings.Join(platforms[p], ", ")))
		}
		return "", nil, fmt.Errorf("There are conflicting requests for platform on %s: %s", arch, strings.Join(parts, "; "))
	}
	for p := range platforms {
		return p, lookaside, nil
	}
	return "", lookaside, nil
}

// lookasideRepoStreams are the streams of a variant.arch's
// gather_lookaside_repos, each with its repository's location.
func (g *gatherer) lookasideRepoStreams(arch string, v *compose.Variant) ([]*modulemd.Stream, []string, error) {
	var streams []*modulemd.Stream
	var locs []string
	for _, l := range compose.AsStrings(g.c.Conf.ForVariantArch("gather_lookaside_repos", v.UID, arch)) {
		loc := compose.ResolvePath(g.c.ConfigPath, l)
		r, err := repomd.OpenMetaContext(g.ctx, loc)
		if err != nil {
			return nil, nil, fmt.Errorf("gather_lookaside_repos: %w", err)
		}
		x, err := modulemd.ReadRepo(r)
		if err != nil {
			return nil, nil, fmt.Errorf("gather_lookaside_repos: %w", err)
		}
		if x == nil {
			continue
		}
		for _, s := range x.Streams {
			streams = append(streams, s)
			locs = append(locs, loc)
		}
	}
	return streams, locs, nil
}

// checkModuleDeps warns of the streams a variant ships, when its module
// source is not gathered with the hybrid method (which warns itself),
// whose module dependencies no stream of the compose on the arch (any
// variant's) nor of the variant's lookaside repositories meets: Pungi
// ships them without a word, and dnf cannot enable them from the
// compose. Platform requirements count as met (the installed system
// gives the platform).
func (g *gatherer) checkModuleDeps() error {
	for _, arch := range g.c.Arches() {
		var all []*modulemd.Stream
		for _, v := range g.c.GetVariants(nil, arch) {
			streams, err := g.streams(arch, v)
			if err != nil {
				return err
			}
			for _, ms := range streams {
				all = append(all, ms.MD)
			}
		}
		if len(all) == 0 {
			continue
		}
		for _, v := range g.c.GetVariants(nil, arch) {
			streams, err := g.streams(arch, v)
			if err != nil || len(streams) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			if m, err := gatherMethod(g.c, v, "module"); err != nil || m == "hybrid" {
				continue
			}
			lookaside, _, err := g.lookasideRepoStreams(arch, v)
			if err != nil {
				return err
			}
			avail := append(slices.Clone(all), lookaside...)
			for _, ms := range streams {
				if d := depsolve.ResolveModuleDeps(ms.MD, avail, depsolve.AnyPlatform); d.Unmet != "" {
					g.c.Log.Warningf("%s.%s: module %s requires %s, which no variant of the compose on %s nor a lookaside repository ships: dnf cannot enable it from the compose", v.UID, arch, ms.NSVC(), d.Unmet, arch)
				}
			}
		}
	}
	return nil
}

// variantModules builds the modulemd a variant's repository of an arch
// gets: its streams with their artifacts limited to the packages gathered
// for the variant.arch, plus the defaults, obsoletes and translations of
// those modules (the inputs' merged with the configured directories).
// Nil when the variant ships no stream there.
func variantModules(c *compose.Compose, set *pkgset.Set, v *compose.Variant, arch string, pm PkgMap, meta *modulemd.Index) (*modulemd.Index, error) {
	streams, _, err := pkgset.VariantStreams(c, set, v, arch)
	if err != nil || len(streams) == 0 {
		return nil, err
	}
	have := map[string]bool{}
	for _, t := range Types {
		for _, e := range pm[t] {
			have[modulemd.PackageKey(e.Pkg)] = true
		}
	}
	idx := modulemd.NewIndex()
	mods := map[string]bool{}
	for _, ms := range streams {
		cp := *ms.MD
		cp.Artifacts = limitArtifacts(ms.MD.Artifacts, have)
		idx.AddStream(&cp)
		mods[cp.Name] = true
	}
	if meta != nil {
		for m := range mods {
			if d := meta.Defaults[m]; d != nil {
				idx.AddDefaults(d)
			}
		}
		for _, o := range meta.Obsoletes {
			if mods[o.Module] {
				idx.AddObsoletes(o)
			}
		}
		for _, t := range meta.Translations {
			if mods[t.Module] {
				idx.AddTranslations(t)
			}
		}
	}
	return idx, nil
}

func limitArtifacts(a *modulemd.Artifacts, have map[string]bool) *modulemd.Artifacts {
	if a == nil {
		return nil
	}
	out := &modulemd.Artifacts{}
	for _, r := range a.RPMs {
		if have[modulemd.NormalizeArtifact(r)] {
			out.RPMs = append(out.RPMs, r)
		}
	}
	for digest, m := range a.RPMMap {
		for sum, e := range m {
			if have[modulemd.ArtifactKey(e.Name, fmt.Sprint(e.Epoch), e.Version, e.Release, e.Arch)] {
				if out.RPMMap == nil {
					out.RPMMap = map[string]map[string]*modulemd.RPMMapEntry{}
				}
				if out.RPMMap[digest] == nil {
					out.RPMMap[digest] = map[string]*modulemd.RPMMapEntry{}
				}
				out.RPMMap[digest][sum] = e
			}
		}
	}
	return out
}

// ModulemdPath is where the gather phase keeps the modulemd of a
// variant.arch for the createrepo phase: work/<arch>/modulemd/<Variant>.<arch>.modules.yaml.
func ModulemdPath(c *compose.Compose, arch string, v *compose.Variant) string {
	return filepath.Join(c.Paths.Work.Topdir(arch), "modulemd", v.UID+"."+arch+".modules.yaml")
}

// writeVariantModules writes ModulemdPath for every variant.arch that
// ships module streams.
func writeVariantModules(c *compose.Compose, set *pkgset.Set, res *Result) error {
	if len(set.Modules) == 0 {
		return nil
	}
	for _, arch := range c.Arches() {
		meta := set.ModuleMeta[arch]
		for _, v := range c.GetVariants(nil, arch) {
			if v.IsEmpty {
				continue
			}
			idx, err := variantModules(c, set, v, arch, res.Get(arch, v.UID), meta)
			if err != nil {
				return err
			}
			if idx == nil {
				continue
			}
			for _, s := range idx.Streams {
				c.Log.Infof("Module %s in variant %s.%s: %d artifacts", s.NSVC(), v.UID, arch, len(s.RPMArtifacts()))
			}
			path := ModulemdPath(c, arch, v)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := atomicfile.WriteWith(path, 0o644, func(w io.Writer) error { return idx.Write(w) }); err != nil {
				return err
			}
			if err := writeKojiTags(c, set, v, arch); err != nil {
				return err
			}
		}
	}
	return nil
}

// KojiTagsPath is where the gather phase keeps, beside ModulemdPath, the
// Koji content tag of each Koji module stream of a variant.arch (a JSON
// object NSVC → tag) for modules.json's koji_tag, as Pungi keeps
// variant.module_uid_to_koji_tag. Absent when no stream came from Koji.
func KojiTagsPath(c *compose.Compose, arch string, v *compose.Variant) string {
	return filepath.Join(c.Paths.Work.Topdir(arch), "modulemd", v.UID+"."+arch+".koji_tags.json")
}

func writeKojiTags(c *compose.Compose, set *pkgset.Set, v *compose.Variant, arch string) error {
	streams, _, err := pkgset.VariantStreams(c, set, v, arch)
	if err != nil {
		return err
	}
	tags := map[string]string{}
	for _, ms := range streams {
		if ms.KojiTag != "" {
			tags[ms.NSVC()] = ms.KojiTag
		}
	}
	if len(tags) == 0 {
		return nil
	}
	data, err := json.MarshalIndent(tags, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(KojiTagsPath(c, arch, v), append(data, '\n'), 0o644)
}
