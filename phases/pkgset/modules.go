package pkgset

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
)

// This file gives the package set its module streams. A repository of
// pkgset_repos whose repodata carries modules.yaml provides modules the
// way a Koji module content tag does in Pungi: its modular packages (the
// artifacts its streams list) form one package set per stream and are kept
// out of the main set, so a variant without modules never receives a
// modular package and its dependencies resolve to non-modular ones.

// ModuleStream is a module stream of the package set for one tree arch.
type ModuleStream struct {
	// MD is the stream's modulemd as the input carries it (all artifacts,
	// whatever the set holds of them).
	MD *modulemd.Stream
	// Packages are the set's packages that are artifacts of the stream,
	// for the tree arch (its valid arches, noarch and src), in input order.
	Packages []*Package
	// Origin is the repository (or Koji content tag) it came from, for
	// messages.
	Origin string
	// KojiTag is the Koji content tag of a module build (modules.json's
	// koji_tag); "" for a stream from a repository's modules.yaml.
	KojiTag string
}

// NSVC is the stream's "name:stream:version:context".
func (m *ModuleStream) NSVC() string { return m.MD.NSVC() }

// moduleInput is what one repository's modules.yaml gives an arch.
type moduleInput struct {
	streams []*ModuleStream
	meta    *modulemd.Index // defaults, obsoletes, translations
}

// splitModular reads a repository's modules.yaml (if any) and returns its
// streams with their packages, plus the packages that are not artifacts of
// any stream. Artifact arches outside the tree arch are dropped.
func splitModular(r *repomd.Repo, loc, treeArch string, pkgs []*Package) (*moduleInput, []*Package, error) {
	idx, err := modulemd.ReadRepo(r)
	if err != nil {
		return nil, nil, fmt.Errorf("pkgset_repos: %w", err)
	}
	if idx == nil {
		return nil, pkgs, nil
	}
	byKey := map[string][]*ModuleStream{}
	in := &moduleInput{meta: modulemd.NewIndex()}
	in.meta.Defaults, in.meta.Obsoletes, in.meta.Translations = idx.Defaults, idx.Obsoletes, idx.Translations
	for _, s := range idx.Streams {
		ms := &ModuleStream{MD: s, Origin: loc}
		in.streams = append(in.streams, ms)
		for _, a := range s.RPMArtifacts() {
			if k := modulemd.NormalizeArtifact(a); k != "" {
				byKey[k] = append(byKey[k], ms)
			}
		}
	}
	ok := ArchesFor(treeArch)
	rest := pkgs[:0:0]
	for _, p := range pkgs {
		streams := byKey[modulemd.PackageKey(p.Package)]
		if len(streams) == 0 {
			rest = append(rest, p)
			continue
		}
		if !ok[p.Arch] {
			continue
		}
		for _, ms := range streams {
			ms.Packages = append(ms.Packages, p)
		}
	}
	return in, rest, nil
}

// addModules records an arch's module inputs on the set: streams by NSVC
// (a later repository's copy of the same NSVC replaces an earlier one, as
// in a libmodulemd index) and the merged defaults, obsoletes and
// translations.
func (s *Set) addModules(arch string, inputs []*moduleInput) error {
	if s.Modules == nil {
		s.Modules = map[string]map[string]*ModuleStream{}
		s.ModuleMeta = map[string]*modulemd.Index{}
	}
	streams := map[string]*ModuleStream{}
	merger := modulemd.NewMerger()
	for _, in := range inputs {
		for _, ms := range in.streams {
			streams[ms.NSVC()] = ms
		}
		merger.Associate(in.meta, 0)
	}
	meta, err := merger.Resolve(false)
	if err != nil {
		return fmt.Errorf("pkgset_repos: modules metadata of %s: %w", arch, err)
	}
	s.Modules[arch] = streams
	s.ModuleMeta[arch] = meta
	return nil
}

// ModuleSpec is a variant's <module> entry parsed as Pungi reads it:
// NAME:STREAM[:VERSION[:CONTEXT]], each part possibly a glob; "*" alone
// selects every module.
type ModuleSpec struct {
	Raw                            string
	Name, Stream, Version, Context string
}

// ParseModuleSpec parses a <module> entry. Pungi's old "name-stream"
// form is refused: it needs a Koji search to disambiguate.
func ParseModuleSpec(s string) (ModuleSpec, error) {
	if s == "*" {
		return ModuleSpec{Raw: s, Name: "*", Stream: "*"}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" || parts[1] == "" {
		return ModuleSpec{}, fmt.Errorf("module %q is not NAME:STREAM[:VERSION[:CONTEXT]]", s)
	}
	ms := ModuleSpec{Raw: s, Name: parts[0], Stream: parts[1]}
	if len(parts) > 2 {
		ms.Version = parts[2]
	}
	if len(parts) > 3 {
		ms.Context = parts[3]
	}
	return ms, nil
}

// fnmatch is Python's fnmatch, which Pungi matches module names with.
func fnmatch(pattern, s string) bool { return glob.Python(pattern, s) }

// Matches reports whether a stream matches the spec.
func (m ModuleSpec) Matches(s *modulemd.Stream) bool {
	return fnmatch(m.Name, s.Name) && fnmatch(m.Stream, s.Stream) &&
		(m.Version == "" || fnmatch(m.Version, strconv.FormatUint(s.Version, 10))) &&
		(m.Context == "" || fnmatch(m.Context, s.Context))
}

// FilteredModule reports whether filter_modules removes name:stream from a
// variant.arch: entries are "NAME[:STREAM]" globs (a missing stream is
// "*"), as Pungi's _is_filtered_out.
func FilteredModule(c *compose.Compose, uid, arch, name, stream string) bool {
	for _, f := range compose.AsStrings(c.Conf.ForVariantArch("filter_modules", uid, arch)) {
		nf, sf, ok := strings.Cut(f, ":")
		if !ok {
			sf = "*"
		}
		if fnmatch(nf, name) && fnmatch(sf, stream) {
			return true
		}
	}
	return false
}

// VariantStreams returns the module streams a variant ships on an arch, as
// Pungi selects module builds for a variant: each <module> entry matches
// streams of the set; without a version only the latest version of each
// name:stream counts (all its contexts); filter_modules removes streams.
// unmatched are the entries that match no stream on any arch of the
// variant: as Pungi warns for patterns that match no module in the
// configured module tags, the caller warns (the set has no such module).
//
// When the source chose the streams itself (set.VariantModules: Koji), the
// variant gets those, its warnings given by the pkgset phase already.
func VariantStreams(c *compose.Compose, set *Set, v *compose.Variant, arch string) (streams []*ModuleStream, unmatched []string, err error) {
	if set.VariantModules != nil {
		for _, nsvc := range set.VariantModules[v.UID][arch] {
			if ms := set.Modules[arch][nsvc]; ms != nil {
				streams = append(streams, ms)
			}
		}
		return streams, nil, nil
	}
	if len(v.Modules) == 0 {
		return nil, nil, nil
	}
	var out []*ModuleStream
	seen := map[string]bool{}
	for _, raw := range v.Modules {
		spec, err := ParseModuleSpec(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("variant %s: %w", v.UID, err)
		}
		var matched []*ModuleStream
		for _, ms := range set.Modules[arch] {
			if spec.Matches(ms.MD) {
				matched = append(matched, ms)
			}
		}
		if len(matched) == 0 && !anyArchHas(set, v, spec) {
			unmatched = append(unmatched, raw)
		}
		if spec.Version == "" {
			latest := map[string]uint64{}
			for _, ms := range matched {
				if ms.MD.Version > latest[ms.MD.NS()] {
					latest[ms.MD.NS()] = ms.MD.Version
				}
			}
			matched = slices.DeleteFunc(matched, func(ms *ModuleStream) bool { return ms.MD.Version != latest[ms.MD.NS()] })
		}
		for _, ms := range matched {
			if seen[ms.NSVC()] {
				continue
			}
			seen[ms.NSVC()] = true
			if FilteredModule(c, v.UID, arch, ms.MD.Name, ms.MD.Stream) {
				c.Log.Debugf("Module %s is filtered from %s.%s", ms.NSVC(), v.UID, arch)
				continue
			}
			out = append(out, ms)
		}
	}
	slices.SortFunc(out, func(a, b *ModuleStream) int { return strings.Compare(a.NSVC(), b.NSVC()) })
	return out, unmatched, nil
}

func anyArchHas(set *Set, v *compose.Variant, spec ModuleSpec) bool {
	for _, a := range v.Arches {
		for _, ms := range set.Modules[a] {
			if spec.Matches(ms.MD) {
				return true
			}
		}
	}
	return false
}
