package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// stringList is a repeatable string flag: each occurrence appends.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// parseInterspersed parses flags placed before and after positional
// arguments, as createrepo_c, modifyrepo_c and Python's argparse accept
// them (comps_filter FILE --arch=x86_64); it returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseFlags parses args with fs. A bad flag is one line on stderr naming
// the command and pointing at -h, instead of the flag package's error
// followed by the whole usage text (57 lines for compose, which scrolled
// the error out of sight); -h and --help still print the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(os.Stderr)
	fs.Usage = usage
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
	default:
		fmt.Fprintf(os.Stderr, "pungo %s: %v (pungo %s -h lists the options)\n", fs.Name(), err, fs.Name())
	}
	return err
}
