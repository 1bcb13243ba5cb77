package variants

import "encoding/json"

// The JSON shape of `pungo variants`: lists are always lists (empty, not
// null), unset values (modules of a non-modular variant, default,
// uservisible, display_order, a top-level parent) are null.
type jsonVariant struct {
	UID                  string            `json:"uid"`
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	Type                 string            `json:"type"`
	Arches               []string          `json:"arches"`
	Groups               []jsonGroup       `json:"groups"`
	Environments         []jsonEnvironment `json:"environments"`
	BuildInstallPackages []string          `json:"buildinstallpackages"`
	Modules              []string          `json:"modules"`
	IsEmpty              bool              `json:"is_empty"`
	Parent               *string           `json:"parent"`
	Variants             []jsonVariant     `json:"variants"`
}

type jsonGroup struct {
	Name        string `json:"name"`
	Glob        bool   `json:"glob"`
	Default     *bool  `json:"default"`
	UserVisible *bool  `json:"uservisible"`
}

type jsonEnvironment struct {
	Name         string `json:"name"`
	DisplayOrder *int   `json:"display_order"`
}

func toJSON(v *Variant) jsonVariant {
	j := jsonVariant{
		UID: v.UID, ID: v.ID, Name: v.Name, Type: v.Type,
		Arches:               nonNil(v.Arches),
		Groups:               []jsonGroup{},
		Environments:         []jsonEnvironment{},
		BuildInstallPackages: nonNil(v.BuildInstallPackages),
		Modules:              v.Modules,
		IsEmpty:              v.IsEmpty,
		Variants:             []jsonVariant{},
	}
	for _, g := range v.Groups {
		j.Groups = append(j.Groups, jsonGroup{g.Name, g.Glob, g.Default, g.UserVisible})
	}
	for _, e := range v.Environments {
		j.Environments = append(j.Environments, jsonEnvironment{e.Name, e.DisplayOrder})
	}
	if v.Parent != nil {
		p := v.Parent.UID
		j.Parent = &p
	}
	for _, c := range v.Variants {
		j.Variants = append(j.Variants, toJSON(c))
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MarshalJSON renders the tree as `pungo variants` prints it: a list of
// the top-level variants with their children nested.
func (vs *Variants) MarshalJSON() ([]byte, error) {
	out := make([]jsonVariant, 0, len(vs.Variants))
	for _, v := range vs.Variants {
		out = append(out, toJSON(v))
	}
	return json.Marshal(out)
}
