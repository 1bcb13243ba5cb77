package main

import (
	"flag"
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
		if err := fs.Parse(args); err != nil {
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
