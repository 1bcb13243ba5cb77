package config

// Node is one schema node, a small subset of JSON Schema draft 4 with
// Pungi's extensions: the types "regex" (a string that must compile) and
// "url" (a string), and the keywords deprecated, alias and append.
type Node struct {
	Types        []string // empty: any type
	Enum         []any
	Items        *Node   // every item of an array
	TupleItems   []*Node // positional items of an array
	NoExtraItems bool    // with TupleItems: no items beyond them
	MinItems     int
	MaxItems     int // 0: no limit
	Props        []Prop
	Patterns     []Prop // patternProperties: Name is a regex searched in the key
	NoExtraProps bool
	Required     []string
	AnyOf        []*Node
	OneOf        []*Node
	Default      any
	HasDefault   bool
	Deprecated   string   // the option was removed; the text says what to do
	Alias        string   // an old name whose value this property takes
	Append       []string // old names whose values are appended to this property

	variantKeys bool // object keys are variant regexes
	scmRef      bool // Pungi's str_or_scm_dict: a git dict gets a branch
}

// Prop is a named property (or a key pattern) with its schema.
type Prop struct {
	Name string
	Node *Node
}

// Option is one top-level Pungi option.
type Option struct {
	Name string
	*Node
}

func (o Option) defaultValue() any { return cloneValue(o.Node.Default) }

func cloneValue(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	}
	return v
}
