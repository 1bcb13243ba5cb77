package modulemd

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
)

// Index is the content of one or more modules.yaml streams, as
// libmodulemd's ModuleIndex holds it: streams (unique by NSVCA), at most one
// defaults document per module, obsoletes and translations.
type Index struct {
	Streams      []*Stream
	Defaults     map[string]*Defaults // by module name
	Obsoletes    []*Obsoletes
	Translations []*Translations
	PackagersV2  []*Stream
	PackagersV3  []*PackagerV3

	byNSVCA map[string]int // position in Streams, built as streams are added
	indexed int            // len(Streams) when byNSVCA was last brought up to date
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{Defaults: map[string]*Defaults{}} }

// NSVCA is "name:stream:version:context:arch", the identity of a stream
// in an index.
func (s *Stream) NSVCA() string {
	return s.Name + ":" + s.Stream + ":" + strconv.FormatUint(s.Version, 10) + ":" + s.Context + ":" + s.Arch
}

// NSVC is "name:stream:version:context", the form Pungi keys streams by.
func (s *Stream) NSVC() string {
	return s.Name + ":" + s.Stream + ":" + strconv.FormatUint(s.Version, 10) + ":" + s.Context
}

// NS is "name:stream".
func (s *Stream) NS() string { return s.Name + ":" + s.Stream }

// RPMArtifacts returns the stream's artifacts (nil when it has none).
func (s *Stream) RPMArtifacts() []string {
	if s.Artifacts == nil {
		return nil
	}
	return s.Artifacts.RPMs
}

// ProfileNames returns the stream's profile names, sorted.
func (s *Stream) ProfileNames() []string {
	names := slices.Sorted(maps.Keys(s.Profiles))
	return names
}

// AddStream adds a stream, replacing one with the same NSVCA as
// libmodulemd's add_module_stream does.
func (x *Index) AddStream(s *Stream) {
	if x.byNSVCA == nil || len(x.byNSVCA) > len(x.Streams) || x.indexed != len(x.Streams) {
		// first use, or Streams was changed directly
		x.byNSVCA = make(map[string]int, len(x.Streams))
		for i, o := range x.Streams {
			x.byNSVCA[o.NSVCA()] = i
		}
	}
	defer func() { x.indexed = len(x.Streams) }()
	key := s.NSVCA()
	if i, ok := x.byNSVCA[key]; ok {
		x.Streams[i] = s
		return
	}
	x.byNSVCA[key] = len(x.Streams)
	x.Streams = append(x.Streams, s)
}

// AddDefaults sets a module's defaults, replacing any it had.
func (x *Index) AddDefaults(d *Defaults) {
	if x.Defaults == nil {
		x.Defaults = map[string]*Defaults{}
	}
	x.Defaults[d.Module] = d
}

// AddObsoletes adds an obsoletes document, replacing one for the same
// module, stream, context and modified time.
func (x *Index) AddObsoletes(o *Obsoletes) {
	for i, e := range x.Obsoletes {
		if e.Module == o.Module && e.Stream == o.Stream && e.Context == o.Context && e.Modified == o.Modified {
			x.Obsoletes[i] = o
			return
		}
	}
	x.Obsoletes = append(x.Obsoletes, o)
}

// AddTranslations sets a stream's translations, replacing those of the
// same module and stream.
func (x *Index) AddTranslations(t *Translations) {
	for i, e := range x.Translations {
		if e.Module == t.Module && e.Stream == t.Stream {
			x.Translations[i] = t
			return
		}
	}
	x.Translations = append(x.Translations, t)
}

// ModuleNames returns every module the index knows (from streams,
// defaults, obsoletes or translations), sorted.
func (x *Index) ModuleNames() []string {
	seen := map[string]bool{}
	for _, s := range x.Streams {
		seen[s.Name] = true
	}
	for m := range x.Defaults {
		seen[m] = true
	}
	for _, o := range x.Obsoletes {
		seen[o.Module] = true
	}
	for _, t := range x.Translations {
		seen[t.Module] = true
	}
	names := slices.Sorted(maps.Keys(seen))
	return names
}

// DefaultStream is the module's default stream, "" when it has none.
func (x *Index) DefaultStream(module string) string {
	d := x.Defaults[module]
	if d == nil {
		return ""
	}
	return d.DefaultStream()
}

// DefaultStream is the default stream, "" when there is none (also after
// a merge found conflicting defaults).
func (d *Defaults) DefaultStream() string { return d.Stream }

// SortStreams orders streams by name, stream, version (newest first),
// context and arch, the order in which dnf lists them.
func SortStreams(streams []*Stream) {
	slices.SortStableFunc(streams, func(a, b *Stream) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Stream, b.Stream),
			cmp.Compare(b.Version, a.Version), cmp.Compare(a.Context, b.Context), cmp.Compare(a.Arch, b.Arch))
	})
}

// Filter returns a new index holding the streams keep accepts plus the
// defaults, obsoletes and translations of the modules those streams
// belong to. Documents are shared, not copied.
func (x *Index) Filter(keep func(*Stream) bool) *Index {
	out := NewIndex()
	mods := map[string]bool{}
	for _, s := range x.Streams {
		if keep(s) {
			out.Streams = append(out.Streams, s)
			mods[s.Name] = true
		}
	}
	for m, d := range x.Defaults {
		if mods[m] {
			out.Defaults[m] = d
		}
	}
	for _, o := range x.Obsoletes {
		if mods[o.Module] {
			out.Obsoletes = append(out.Obsoletes, o)
		}
	}
	for _, t := range x.Translations {
		if mods[t.Module] {
			out.Translations = append(out.Translations, t)
		}
	}
	return out
}

// Empty reports whether the index holds no document at all.
func (x *Index) Empty() bool {
	return len(x.Streams) == 0 && len(x.Defaults) == 0 && len(x.Obsoletes) == 0 &&
		len(x.Translations) == 0 && len(x.PackagersV2) == 0 && len(x.PackagersV3) == 0
}
