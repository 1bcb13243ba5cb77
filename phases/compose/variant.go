package compose

import (
	"maps"
	"slices"
	"sort"

	"github.com/pungo/pungo/phases/variants"
)

// Variant is a variant of the compose: the model of phases/variants
// (UID, ID, Name, Type, Arches, Parent, Variants, IsEmpty, groups, …).
type Variant = variants.Variant

// GetVariants returns every variant of the compose, children included,
// sorted by UID as Pungi's get_variants does. A nil types means all types;
// arch "" means all arches.
func (c *Compose) GetVariants(types []string, arch string) []*Variant {
	var out []*Variant
	var walk func(vs []*Variant)
	walk = func(vs []*Variant) {
		for _, v := range vs {
			if (len(types) == 0 || slices.Contains(types, v.Type)) && (arch == "" || v.HasArch(arch)) {
				out = append(out, v)
			}
			walk(v.Variants)
		}
	}
	walk(c.Variants)
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out
}

// Variant returns the variant with the UID, or nil.
func (c *Compose) Variant(uid string) *Variant {
	for _, v := range c.GetVariants(nil, "") {
		if v.UID == uid {
			return v
		}
	}
	return nil
}

// Arches returns the sorted tree arches of all variants.
func (c *Compose) Arches() []string {
	set := map[string]bool{}
	for _, v := range c.GetVariants(nil, "") {
		for _, a := range v.Arches {
			set[a] = true
		}
	}
	out := slices.Sorted(maps.Keys(set))
	return out
}
