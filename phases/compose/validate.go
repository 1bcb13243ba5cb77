package compose

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/config"
)

// Validator is implemented by phases that check their configuration
// before anything runs (Pungi's phase.validate()). Validate reads only the
// configuration and the variants, never the host, the network or the
// compose directory: `pungo config validate` runs the very same method on
// a compose made by ForValidation, so the answer is the same on any
// machine. Checks of the host (tools on PATH) belong in HostChecker.
type Validator interface {
	Validate(c *Compose, f *Findings)
}

// HostChecker is implemented by phases that need something of the host
// they run on (a tool on PATH). Only the compose runs CheckHost, after
// Validate: `pungo config validate` stays offline and host-independent.
type HostChecker interface {
	CheckHost(c *Compose) error
}

// Finding is one problem a phase's Validate reports. Option is the
// top-level option it is about ("" for none), so `pungo config validate`
// can point at the line that set it.
type Finding struct {
	Phase  string // filled in by ValidatePhases
	Option string
	Msg    string
}

// Findings collects the errors and warnings of phase validation.
type Findings struct {
	Errors, Warnings []Finding
}

// Errorf records an error about option.
func (f *Findings) Errorf(option, format string, args ...any) {
	f.Errors = append(f.Errors, Finding{Option: option, Msg: fmt.Sprintf(format, args...)})
}

// Warnf records a warning about option.
func (f *Findings) Warnf(option, format string, args ...any) {
	f.Warnings = append(f.Warnings, Finding{Option: option, Msg: fmt.Sprintf(format, args...)})
}

// String is how a compose and `config validate` print an error: the
// phase name in capitals, then the message (Pungi's "PHASE: message").
// Warnings print their message alone, as Pungi logs them.
func (f Finding) String() string {
	if f.Phase == "" {
		return f.Msg
	}
	return strings.ToUpper(f.Phase) + ": " + f.Msg
}

// ValidatePhases runs the Validate of every phase that will run (not
// skipped by options nor by its own Skip), in name order, and returns
// their findings, each marked with its phase.
func ValidatePhases(c *Compose, phases map[string]Phase) Findings {
	var all Findings
	for _, n := range runningPhases(c, phases) {
		v, ok := phases[n].(Validator)
		if !ok {
			continue
		}
		var f Findings
		v.Validate(c, &f)
		for _, e := range f.Errors {
			e.Phase = n
			all.Errors = append(all.Errors, e)
		}
		for _, w := range f.Warnings {
			w.Phase = n
			all.Warnings = append(all.Warnings, w)
		}
	}
	return all
}

// runningPhases names the phases that will run, sorted.
func runningPhases(c *Compose, phases map[string]Phase) []string {
	names := make([]string, 0, len(phases))
	for n, p := range phases {
		if !c.SkippedByOptions(n) && !p.Skip(c) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Validate is what the compose checks before its first phase: every
// running phase's Validate (warnings are logged) and then, when those
// pass, its host checks. It returns all errors, one per line, each
// prefixed with the phase name in capitals.
func (r *Runner) Validate() error {
	f := ValidatePhases(r.C, r.Phases)
	for _, w := range f.Warnings {
		r.C.Log.Warningf("%s", w.Msg)
	}
	var errs []string
	for _, e := range f.Errors {
		errs = append(errs, e.String())
	}
	if len(errs) == 0 {
		for _, n := range runningPhases(r.C, r.Phases) {
			if h, ok := r.Phases[n].(HostChecker); ok {
				if err := h.CheckHost(r.C); err != nil {
					for _, line := range strings.Split(err.Error(), "\n") {
						errs = append(errs, strings.ToUpper(n)+": "+line)
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// ForValidation makes the compose `pungo config validate` hands to the
// phases' Validate: the configuration (with defaults), its path, the
// variants (top-level ones, children below them; nil when the variants
// file was not read) and whether old composes will be given. It has no
// directory and logs nowhere; it must not be run.
func ForValidation(conf *config.Config, configPath string, variants []*Variant, oldComposes bool) *Compose {
	logger, _ := NewLogger("", nil)
	c := &Compose{
		Conf: conf, ConfigPath: configPath, Info: &Info{}, Log: logger, Variants: variants,
		SkipPhases: StringsOpt(conf, "skip_phases"),
	}
	if oldComposes {
		// Validate only asks whether there are any.
		c.OldComposes = []string{"--old-composes"}
	}
	return c
}

// Err joins the errors' messages, one per line (nil when there are none).
func (f *Findings) Err() error {
	if len(f.Errors) == 0 {
		return nil
	}
	lines := make([]string, len(f.Errors))
	for i, e := range f.Errors {
		lines[i] = e.String()
	}
	return errors.New(strings.Join(lines, "\n"))
}

// ValidateConfig runs one phase's Validate and returns its errors (nil
// for none), for a phase's Run to refuse a configuration when it is run
// on its own, outside the Runner.
func ValidateConfig(c *Compose, v Validator) error {
	var f Findings
	v.Validate(c, &f)
	return f.Err()
}
