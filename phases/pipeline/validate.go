package pipeline

import (
	"fmt"
	"path/filepath"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/variants"
)

// ValidateOptions carry what `pungo config validate` learns outside the
// config.
type ValidateOptions struct {
	// Variants are the top-level variants (children below them) the
	// phases' checks see; nil: the checks that need variants find none.
	Variants []*compose.Variant
	// OldComposes: the compose will run with --old-composes.
	OldComposes bool
}

// Validate is pungi-config-validate: the option schema, the option
// dependencies and conflicts (config.Check), and, when those pass,
// Pungi's skip-phase rules and the Validate of every phase that would
// run, the same methods a compose runs before its first phase, on a
// compose made by compose.ForValidation. The phases' host checks (tools
// on PATH) are left to the compose, so the answer is the same on any
// machine and never needs the network. An error is positioned at the
// option it names, its message prefixed with the phase in capitals.
func Validate(c *config.Config, opts ValidateOptions) *config.Result {
	r := config.Check(c, config.ValidateOptions{SchemaOnly: true})
	if len(r.Errors) > 0 {
		return r
	}
	r.Errors = append(r.Errors, config.SkipPhaseErrors(r.Config)...)
	vc := compose.ForValidation(r.Config, c.Path, opts.Variants, opts.OldComposes)
	f := compose.ValidatePhases(vc, New())
	for _, e := range f.Errors {
		r.Errors = append(r.Errors, r.Config.Diag(e.Option, e.String()))
	}
	for _, w := range f.Warnings {
		r.Warnings = append(r.Warnings, r.Config.Diag(w.Option, w.Msg))
	}
	return r
}

// LoadVariants reads the config's variants_file for validation when it is
// a local path (relative to the config's directory) or a "file" SCM dict,
// with tree_arches and tree_variants applied as Pungi does. It returns
// nil, nil when variants_file is missing or not of a shape the schema
// accepts (the schema check reports those), and a *variants.Error for a
// broken file.
func LoadVariants(c *config.Config) ([]*compose.Variant, error) {
	v, ok := c.Get("variants_file")
	if !ok {
		return nil, nil
	}
	var file string
	switch x := v.(type) {
	case string:
		// A plain path is relative to the config's directory.
		file = x
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(c.Path), file)
		}
	case map[string]any:
		// {"scm": "file", "file": PATH[, "repo": DIR]} is read in place
		// (relative to the working directory, as Pungi's file SCM does);
		// other SCMs would have to be fetched, which validation does not.
		scm, _ := x["scm"].(string)
		f, _ := x["file"].(string)
		if scm != "file" || f == "" {
			return nil, fmt.Errorf("variants_file is in %s SCM; not fetched", scm)
		}
		file = f
		if dir, ok := x["repo"].(string); ok && dir != "" && !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
	default:
		return nil, nil
	}
	d := c.WithDefaults()
	vs, err := variants.ParseFileFiltered(file, d.Strings("tree_arches"), d.Strings("tree_variants"))
	if err != nil {
		return nil, err
	}
	return vs.Variants, nil
}
