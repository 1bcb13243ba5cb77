// Command synthrepo writes a synthetic Fedora-sized rpm-md repository (see
// package synth):
//
//	synthrepo --binary 70000 --source 30000 --out DIR [--source-out DIR] [--seed N] [--compress gz|zst|xz|none]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pungo/pungo/bench/synth"
)

func main() {
	fs := flag.NewFlagSet("synthrepo", flag.ContinueOnError)
	binary := fs.Int("binary", 70000, "binary packages")
	source := fs.Int("source", 30000, "source packages (0: none)")
	out := fs.String("out", "", "repository directory (required)")
	srcOut := fs.String("source-out", "", "write the source packages as a separate repository here")
	seed := fs.Int64("seed", 1, "random seed")
	compress := fs.String("compress", "gz", "compression: gz, zst, xz or none")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthrepo: --out is required")
		os.Exit(2)
	}
	src := *source
	if src == 0 {
		src = -1
	}
	start := time.Now()
	err := synth.Generate(*out, synth.Options{Binary: *binary, Source: src, Seed: *seed, SourceDir: *srcOut, Compress: *compress})
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthrepo:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "synthrepo: wrote %s in %.1fs\n", *out, time.Since(start).Seconds())
}
