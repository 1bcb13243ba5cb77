package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/pipeline"
	"github.com/pungo/pungo/phases/variants"
)

func init() {
	register(&command{
		name:    "config",
		summary: "validate or dump a Pungi config (kobo .conf or .json)",
		run:     runConfig,
	})
}

const configUsage = `usage: pungo config validate [-e KEY=VALUE]... [--old-composes] [--offline] [--no-variants] FILE
       pungo config validate --dump-schema
       pungo config dump [-e KEY=VALUE]... [--raw] [--freeze-event ID|COMPOSE] SOURCE...
       pungo config dump [-e KEY=VALUE]... [--raw] [--freeze-event ID|COMPOSE] --multi DIR MULTI.conf

validate prints errors and warnings as FILE:LINE:COL: error|warning: MESSAGE and
exits 0 when there are no errors (warnings allowed), 1 when there are errors,
2 when the config cannot be read at all (syntax error, missing import, ...).

--dump-schema prints Pungi's option schema as JSON Schema and exits.

dump prints the config as JSON with sorted keys: with defaults filled in and
validated (exit 1 on validation errors), or with --raw (--just-dump) the
variables exactly as parsed (tuples as arrays), without validation. A SOURCE is
a config file or a compose directory (its logs/global/config-dump.global.log);
several sources are merged, later ones winning. --freeze-event pins the Koji
event (an ID, or a compose whose work/global/koji-event holds one) as
koji_event, so a compose from the dump sees Koji as it was then. --multi DIR
clones a pungi-orchestrate multi-config: each part dumped to DIR/NAME.json with
its local comps and variants files, and the INI rewritten to point at them.

-e KEY=VALUE defines KEY as the string VALUE (taken as written, not parsed)
before the file is read, as pungi-config-validate and pungi-config-dump do:
the file can use KEY, and the file's own assignment of KEY wins. Defined
names that are not Pungi options are dropped after reading.`

func runConfig(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, configUsage)
		return 2
	}
	switch args[0] {
	case "validate":
		return runConfigValidate(args[1:])
	case "dump":
		return runConfigDump(args[1:])
	case "-h", "--help", "help":
		fmt.Println(configUsage)
		return 0
	}
	return fail("config", fmt.Errorf("unknown subcommand %q (want validate or dump)", args[0]))
}

func runConfigValidate(args []string) int {
	flags := flag.NewFlagSet("config validate", flag.ContinueOnError)
	var defines stringList
	flags.Var(&defines, "e", "define a string variable before the file is read: KEY=VALUE (repeatable)")
	flags.Var(&defines, "define", "same as -e")
	oldComposes := flags.Bool("old-composes", false, "the compose will run with old composes (allows createrepo_deltas)")
	noVariants := flags.Bool("no-variants", false, "do not read variants_file for the phase checks")
	dumpSchema := flags.Bool("dump-schema", false, "print the option schema as JSON Schema and exit")
	flags.Bool("offline", true, "accepted for pungi-config-validate compatibility; validation never goes online")
	flags.Usage = func() { fmt.Fprintln(os.Stderr, configUsage) }
	pos, err := parseInterspersed(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *dumpSchema {
		if err := config.WriteJSON(os.Stdout, config.SchemaJSON()); err != nil {
			return fail("config validate", err)
		}
		return 0
	}
	if len(pos) != 1 {
		return fail("config validate", fmt.Errorf("want exactly one config file, got %d arguments (see pungo config -h)", len(pos)))
	}
	path := pos[0]
	opts := config.LoadOptions{Overrides: defines}
	// Like pungi-config-validate, a .pungi-config-validate.json next to the
	// config supplies values for template variables.
	defaultsFile := filepath.Join(filepath.Dir(path), ".pungi-config-validate.json")
	if d, err := config.ReadJSONValues(defaultsFile); err == nil {
		opts.Defaults = d
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail("config validate", err)
	}
	c, err := config.LoadWith(path, opts)
	if err != nil {
		return fail("config validate", err)
	}
	vopts := pipeline.ValidateOptions{OldComposes: *oldComposes}
	var notes []string
	var verr *variants.Error
	if !*noVariants {
		vs, err := pipeline.LoadVariants(c)
		switch {
		case err == nil:
			vopts.Variants = vs
		case errors.As(err, &verr):
			// pungi-config-validate reports a broken variants file as
			// errors and stops there.
			for _, p := range verr.Problems {
				if p.Line > 0 {
					fmt.Printf("%s:%d: error: %s\n", verr.File, p.Line, p.Msg)
				} else {
					fmt.Printf("%s: error: %s\n", verr.File, p.Msg)
				}
			}
			return 1
		default:
			notes = append(notes, fmt.Sprintf("Failed to load variants: %v", err))
		}
	}
	r := pipeline.Validate(c, vopts)
	for _, d := range r.Errors {
		printDiag(d, "error")
	}
	for _, d := range r.Warnings {
		printDiag(d, "warning")
	}
	for _, n := range notes {
		fmt.Printf("%s: warning: %s\n", path, n)
	}
	if len(r.Errors) > 0 {
		return 1
	}
	return 0
}

func printDiag(d config.Diagnostic, kind string) {
	lines := splitLines(d.Msg)
	where := d.Pos.String()
	fmt.Printf("%s: %s: %s\n", where, kind, lines[0])
	for _, l := range lines[1:] {
		fmt.Println(l)
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func runConfigDump(args []string) int {
	flags := flag.NewFlagSet("config dump", flag.ContinueOnError)
	var defines stringList
	flags.Var(&defines, "e", "define a string variable before the file is read: KEY=VALUE (repeatable)")
	flags.Var(&defines, "define", "same as -e")
	raw := flags.Bool("raw", false, "print the variables as parsed, without defaults or validation")
	flags.BoolVar(raw, "just-dump", false, "same as --raw (pungi-config-dump's name)")
	freeze := flags.String("freeze-event", "", "write koji_event = `ID` (or the event of a compose directory) into the dump")
	multi := flags.String("multi", "", "dump a pungi-orchestrate multi-config and its parts into `DIR`")
	flags.Bool("offline", true, "accepted for pungi-config-dump compatibility; git references are never resolved")
	flags.Usage = func() { fmt.Fprintln(os.Stderr, configUsage) }
	pos, err := parseInterspersed(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) == 0 {
		return fail("config dump", fmt.Errorf("want a config file or compose directory (see pungo config -h)"))
	}
	event, err := parseKojiEvent(*freeze)
	if err != nil {
		return fail("config dump", fmt.Errorf("--freeze-event %s: neither an event ID nor a compose with a readable work/global/koji-event", *freeze))
	}
	opts := config.DumpOptions{Defines: defines, Raw: *raw, Event: event}
	if *multi != "" {
		if len(pos) != 1 {
			return fail("config dump", fmt.Errorf("--multi takes exactly one multi-config, got %d", len(pos)))
		}
		err = config.DumpMulti(pos[0], *multi, opts)
	} else {
		err = config.DumpSources(os.Stdout, pos, opts, nil)
	}
	var derr *config.DumpError
	if errors.As(err, &derr) {
		fmt.Fprintln(os.Stderr, derr.Error())
		return 1
	}
	if err != nil {
		return fail("config dump", err)
	}
	return 0
}
