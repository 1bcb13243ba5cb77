package modulemd

import (
	"fmt"
	"maps"
	"slices"
	"sort"
)

// This file follows libmodulemd's ModuleIndexMerger: indexes are added at
// priorities; indexes of one priority are merged together without override
// (conflicting defaults are reconciled by their "modified" value; an
// unresolved conflict in the default stream leaves the module with no
// default, as libmodulemd reports it), then each priority level is merged over the lower ones with
// override (a higher level's defaults replace the lower's whole).

// Merger collects indexes at priorities and resolves them into one.
type Merger struct {
	levels map[int][]*Index
}

// NewMerger returns an empty merger.
func NewMerger() *Merger { return &Merger{levels: map[int][]*Index{}} }

// Associate adds an index at a priority (libmodulemd allows 0..1000;
// higher wins).
func (m *Merger) Associate(x *Index, priority int) {
	m.levels[priority] = append(m.levels[priority], x)
}

// Resolve merges the associated indexes. With strictDefaultStreams a
// conflicting default stream at one priority is an error instead of "no
// default".
func (m *Merger) Resolve(strictDefaultStreams bool) (*Index, error) {
	prios := slices.Sorted(maps.Keys(m.levels))
	final := NewIndex()
	for _, p := range prios {
		level := NewIndex()
		for _, x := range m.levels[p] {
			if err := Merge(x, level, false, strictDefaultStreams); err != nil {
				return nil, err
			}
		}
		if err := Merge(level, final, true, strictDefaultStreams); err != nil {
			return nil, err
		}
	}
	return final, nil
}

// Merge merges from into into as libmodulemd's module_index_merge: streams
// are added (same NSVCA replaces), defaults replace (override) or merge,
// translations keep the newer "modified", obsoletes are added (same module,
// stream, context and modified replaces).
func Merge(from, into *Index, override, strictDefaultStreams bool) error {
	for _, s := range from.Streams {
		into.AddStream(s)
	}
	for _, name := range slices.Sorted(maps.Keys(from.Defaults)) {
		d := from.Defaults[name]
		cur := into.Defaults[name]
		switch {
		case override || cur == nil:
			into.AddDefaults(d.clone())
		default:
			merged, err := mergeDefaults(d, cur, strictDefaultStreams)
			if err != nil {
				return err
			}
			into.AddDefaults(merged)
		}
	}
	for _, t := range from.Translations {
		replace := true
		for _, e := range into.Translations {
			if e.Module == t.Module && e.Stream == t.Stream && t.Modified <= e.Modified {
				replace = false
			}
		}
		if replace {
			into.AddTranslations(t)
		}
	}
	for _, o := range from.Obsoletes {
		into.AddObsoletes(o)
	}
	into.PackagersV2 = append(into.PackagersV2, from.PackagersV2...)
	into.PackagersV3 = append(into.PackagersV3, from.PackagersV3...)
	return nil
}

func (d *Defaults) clone() *Defaults {
	c := *d
	c.Profiles = cloneProfiles(d.Profiles)
	if d.Intents != nil {
		c.Intents = make(map[string]*Intent, len(d.Intents))
		for k, v := range d.Intents {
			c.Intents[k] = &Intent{Stream: v.Stream, Profiles: cloneProfiles(v.Profiles)}
		}
	}
	return &c
}

func cloneProfiles(p map[string][]string) map[string][]string {
	if p == nil {
		return nil
	}
	c := make(map[string][]string, len(p))
	for k, v := range p {
		c[k] = slices.Clone(v)
	}
	return c
}

// mergeDefaults merges from into a copy of into (modulemd_defaults_v1_merge).
func mergeDefaults(from, into *Defaults, strict bool) (*Defaults, error) {
	merged := into.clone()
	fm, im := from.Modified, into.Modified
	switch {
	case from.Stream == "":
	case merged.Stream == "":
		// Also after a conflict: libmodulemd's conflict marker does not
		// survive the copy it makes when it stores the merged defaults,
		// so a third document at the same level sets the stream again.
		merged.Stream = from.Stream
	case merged.Stream != from.Stream:
		if fm > im {
			merged.Stream = from.Stream
		} else if fm == im {
			if strict {
				return nil, fmt.Errorf("default stream mismatch in module %s: %s != %s", into.Module, into.Stream, from.Stream)
			}
			merged.Stream = "" // libmodulemd then reports no default stream

		}
	}
	var err error
	if merged.Profiles, err = mergeProfileDefaults(from.Profiles, merged.Profiles, fm, im); err != nil {
		return nil, err
	}
	for _, intent := range slices.Sorted(maps.Keys(from.Intents)) {
		fi := from.Intents[intent]
		if merged.Intents == nil {
			merged.Intents = map[string]*Intent{}
		}
		mi := merged.Intents[intent]
		if mi == nil {
			merged.Intents[intent] = &Intent{Stream: fi.Stream, Profiles: cloneProfiles(fi.Profiles)}
			continue
		}
		if fi.Stream != "" {
			switch {
			case mi.Stream == "":
				mi.Stream = fi.Stream
			case mi.Stream != fi.Stream && fm > im:
				mi.Stream = fi.Stream
			case mi.Stream != fi.Stream && fm == im:
				return nil, fmt.Errorf("profile default stream mismatch in intents: %s != %s", fi.Stream, mi.Stream)
			}
		}
		if mi.Profiles, err = mergeProfileDefaults(fi.Profiles, mi.Profiles, fm, im); err != nil {
			return nil, err
		}
	}
	if fm > im {
		merged.Modified = fm
	}
	return merged, nil
}

// mergeProfileDefaults adds from's per-stream default profiles to merged;
// differing sets are resolved by "modified", else they are a conflict.
func mergeProfileDefaults(from, merged map[string][]string, fm, im uint64) (map[string][]string, error) {
	for _, stream := range slices.Sorted(maps.Keys(from)) {
		fp := from[stream]
		if merged == nil {
			merged = map[string][]string{}
		}
		mp, ok := merged[stream]
		if !ok {
			merged[stream] = slices.Clone(fp)
			continue
		}
		if !sameSet(fp, mp) {
			switch {
			case fm > im:
				merged[stream] = slices.Clone(fp)
			case im > fm:
			default:
				return nil, fmt.Errorf("profile default mismatch in stream: %s", stream)
			}
		}
	}
	return merged, nil
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
