package config

import (
	"fmt"
)

// Diagnostic is one validation finding.
type Diagnostic struct {
	Pos    Pos    // where the option was assigned; zero when unknown
	Option string // the top-level option concerned, if any
	Msg    string
}

func (d Diagnostic) String() string {
	if d.Pos.File == "" {
		return d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// ValidateOptions tune Check.
type ValidateOptions struct {
	// SchemaOnly stops after the schema and dependency checks, as
	// pungi-config-dump does; otherwise skip_phases is checked against
	// Pungi's skip-phase rules too. The phases' own checks are their
	// Validate methods: `pungo config validate` runs them through
	// phases/pipeline.
	SchemaOnly bool
}

// Result is the outcome of Check.
type Result struct {
	Errors   []Diagnostic
	Warnings []Diagnostic
	// Config has defaults filled in (also inside nested objects) and
	// deprecated aliases resolved, as Pungi's validator leaves it.
	Config *Config
}

// Validate checks c like Pungi's checks.validate: the option schema and
// the option dependencies and conflicts. The phase checks (which need the
// variants and the command line) are Check's.
func Validate(c *Config) (errs []Diagnostic, warns []Diagnostic) {
	r := Check(c, ValidateOptions{SchemaOnly: true})
	return r.Errors, r.Warnings
}

// Check validates c and returns the findings and the normalized config.
func Check(c *Config, opts ValidateOptions) *Result {
	r := &Result{}
	filled := c.clone()
	filled.defaults = map[string]any{}

	// Top-level: unknown options, deprecated ones, then each option's
	// schema.
	suggested := 0
	for _, name := range c.Keys() {
		o, ok := LookupOption(name)
		if !ok {
			msg := fmt.Sprintf("Unrecognized config option: %s.", name)
			// A suggestion costs a pass over the schema: only the first
			// maxSuggestions unknown names get one, so validation stays
			// linear in the config's size.
			if suggested++; suggested > maxSuggestions {
				r.Warnings = append(r.Warnings, c.diag(name, msg))
				continue
			}
			if s := suggest(name); s != "" {
				msg = fmt.Sprintf("Unrecognized config option: %s. Did you mean %s?", name, s)
			}
			r.Warnings = append(r.Warnings, c.diag(name, msg))
			continue
		}
		v := &walker{order: filled.order}
		out := v.check(o.Node, gitBranch(o.Node, c.values[name]), []string{name})
		filled.values[name] = out
		for _, e := range v.errs {
			r.Errors = append(r.Errors, c.diagAt(e.path, e.String()))
		}
		for _, w := range v.warns {
			r.Warnings = append(r.Warnings, c.diagAt(w.path, w.msg))
		}
	}
	for _, name := range requiredOptions {
		if !c.IsSet(name) {
			r.Errors = append(r.Errors, Diagnostic{Pos: Pos{File: c.Path}, Option: name,
				Msg: fmt.Sprintf("Failed validation in : %s is a required property", pyRepr(name))})
		}
	}
	for _, o := range optionList {
		if _, set := filled.values[o.Name]; !set && o.HasDefault {
			filled.defaults[o.Name] = o.defaultValue()
		}
	}
	r.Errors = append(r.Errors, dependencyErrors(filled)...)
	if len(r.Errors) == 0 {
		// pungo's own: options it accepts without implementing, runroot.
		e, w := unimplementedDiagnostics(filled)
		r.Errors = append(r.Errors, e...)
		r.Warnings = append(append(r.Warnings, w...), runrootDiagnostics(filled)...)
	}
	if len(r.Errors) == 0 && !opts.SchemaOnly {
		r.Errors = append(r.Errors, SkipPhaseErrors(filled)...)
	}
	r.Config = filled
	return r
}

// gitBranch is what Pungi's validation does, offline, to a git scm dict
// in a str_or_scm_dict property (pungo never resolves references over the
// network): a dict with a repo and no branch (missing, null or empty) gets
// branch "HEAD". The dict is copied, not changed in place.
func gitBranch(n *Node, v any) any {
	m, ok := v.(map[string]any)
	if !n.scmRef || !ok || m["scm"] != "git" {
		return v
	}
	if _, ok := m["repo"]; !ok {
		return v
	}
	if b, _ := m["branch"].(string); b != "" {
		return v
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out["branch"] = "HEAD"
	return out
}

func (c *Config) clone() *Config {
	n := &Config{Path: c.Path, Files: c.Files, names: append([]string(nil), c.names...),
		values: map[string]any{}, pos: map[string]Pos{}, order: keyOrder{}, trees: c.trees}
	for id, keys := range c.order {
		n.order[id] = keys
	}
	for k, v := range c.values {
		n.values[k] = v
	}
	for k, p := range c.pos {
		n.pos[k] = p
	}
	if c.defaults != nil {
		n.defaults = map[string]any{}
		for k, v := range c.defaults {
			n.defaults[k] = v
		}
	}
	return n
}

// diagAt makes a diagnostic at the position of the part of an option's
// value that path names.
func (c *Config) diagAt(path []string, msg string) Diagnostic {
	p, ok := c.PosOf(path)
	if !ok {
		p = Pos{File: c.Path}
	}
	return Diagnostic{Pos: p, Option: path[0], Msg: msg}
}

// Diag makes a diagnostic about an option, at the position where the
// option was set (the config file when it has none, or option is "").
func (c *Config) Diag(option, msg string) Diagnostic { return c.diag(option, msg) }

// diag makes a diagnostic at an option's position (the config file when
// the option has none).
func (c *Config) diag(option, msg string) Diagnostic {
	p, ok := c.pos[option]
	if !ok {
		p = Pos{File: c.Path}
	}
	return Diagnostic{Pos: p, Option: option, Msg: msg}
}
