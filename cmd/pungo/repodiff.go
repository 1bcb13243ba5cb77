package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pungo/pungo/repomd/repodiff"
)

func init() {
	register(&command{name: "repodiff", summary: "compare two repositories package by package and field by field", run: runRepodiff})
}

func runRepodiff(args []string) int {
	const name = "repodiff"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	quiet := fs.Bool("q", false, "print nothing; only the exit code tells (0 same, 1 different)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo repodiff [-q] A B\n\nA and B are repository directories or URLs. Exit code 0: same content,\n1: differences (one per line on stdout), 2: error.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(pos) != 2 {
		return fail(name, fmt.Errorf("want two repositories A B, got %d arguments (-h for help)", len(pos)))
	}
	diffs, err := repodiff.Compare(pos[0], pos[1])
	if err != nil {
		return fail(name, err)
	}
	if !*quiet {
		for _, d := range diffs {
			fmt.Println(d)
		}
	}
	if len(diffs) > 0 {
		return 1
	}
	return 0
}
