package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/pungo/pungo/phases/variants"
)

func init() {
	register(&command{
		name:    "variants",
		summary: "check a variants.xml and print its variant tree as JSON",
		run:     runVariants,
	})
}

func runVariants(args []string) int {
	const name = "variants"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pungo variants FILE [--arch A …] [--variant UID …]\n\n"+
			"Prints the variant tree as JSON. Exit status: 0 valid, 1 the file breaks the DTD or\n"+
			"Pungi's rules (each problem printed as FILE:LINE: message), 2 unreadable input.")
		fs.PrintDefaults()
	}
	var arches, uids stringList
	fs.Var(&arches, "arch", "keep only this tree arch (repeatable; Pungi's tree_arches)")
	fs.Var(&uids, "variant", "keep only this variant UID (repeatable; Pungi's tree_variants)")
	verbose := fs.Bool("v", false, "also print which variants the filters excluded (to stderr)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		return fail(name, errors.New("please specify exactly one variants file"))
	}
	vs, err := variants.ParseFileFiltered(pos[0], arches, uids)
	if err != nil {
		var ve *variants.Error
		if errors.As(err, &ve) {
			fmt.Fprintln(os.Stderr, printable(err.Error()))
			return 1
		}
		return fail(name, err)
	}
	if *verbose {
		for _, n := range vs.Notes {
			fmt.Fprintln(os.Stderr, n)
		}
	}
	out, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		return fail(name, err)
	}
	os.Stdout.Write(append(out, '\n'))
	return 0
}
