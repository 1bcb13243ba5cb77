package config

// SchemaJSON returns the option schema as a JSON Schema (draft 4) document,
// like pungi-config-validate --dump-schema, with Pungi's named definitions
// written out in place.
func SchemaJSON() map[string]any {
	props := map[string]any{}
	for _, o := range optionList {
		props[o.Name] = nodeJSON(o.Node)
	}
	req := make([]any, len(requiredOptions))
	for i, r := range requiredOptions {
		req[i] = r
	}
	return map[string]any{
		"$schema":              "http://json-schema.org/draft-04/schema#",
		"title":                "Pungi Configuration",
		"type":                 "object",
		"properties":           props,
		"required":             req,
		"additionalProperties": false,
	}
}

func nodeJSON(n *Node) map[string]any {
	m := map[string]any{}
	switch len(n.Types) {
	case 0:
	case 1:
		m["type"] = n.Types[0]
	default:
		ts := make([]any, len(n.Types))
		for i, t := range n.Types {
			ts[i] = t
		}
		m["type"] = ts
	}
	if n.Enum != nil {
		m["enum"] = append([]any(nil), n.Enum...)
	}
	if n.Items != nil {
		m["items"] = nodeJSON(n.Items)
	}
	if n.TupleItems != nil {
		items := make([]any, len(n.TupleItems))
		for i, it := range n.TupleItems {
			items[i] = nodeJSON(it)
		}
		m["items"] = items
		if n.NoExtraItems {
			m["additionalItems"] = false
		}
	}
	if n.MinItems > 0 {
		m["minItems"] = int64(n.MinItems)
	}
	if n.MaxItems > 0 {
		m["maxItems"] = int64(n.MaxItems)
	}
	if n.Props != nil {
		props := map[string]any{}
		for _, p := range n.Props {
			props[p.Name] = nodeJSON(p.Node)
		}
		m["properties"] = props
	}
	if n.Patterns != nil {
		pats := map[string]any{}
		for _, p := range n.Patterns {
			pats[p.Name] = nodeJSON(p.Node)
		}
		m["patternProperties"] = pats
	}
	if n.NoExtraProps {
		m["additionalProperties"] = false
	}
	if n.Required != nil {
		req := make([]any, len(n.Required))
		for i, r := range n.Required {
			req[i] = r
		}
		m["required"] = req
	}
	for key, alts := range map[string][]*Node{"anyOf": n.AnyOf, "oneOf": n.OneOf} {
		if alts == nil {
			continue
		}
		l := make([]any, len(alts))
		for i, a := range alts {
			l[i] = nodeJSON(a)
		}
		m[key] = l
	}
	if n.HasDefault {
		m["default"] = cloneValue(n.Default)
	}
	if n.Deprecated != "" {
		m["deprecated"] = n.Deprecated
	}
	if n.Alias != "" {
		m["alias"] = n.Alias
	}
	if len(n.Append) > 0 {
		l := make([]any, len(n.Append))
		for i, a := range n.Append {
			l[i] = a
		}
		m["append"] = l
	}
	return m
}
