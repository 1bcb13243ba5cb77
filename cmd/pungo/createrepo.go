package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pungo/pungo/repomd/createrepo"
)

func init() {
	register(&command{name: "createrepo", summary: "create rpm-md repository metadata (createrepo_c compatible)", run: runCreaterepo})
}

func runCreaterepo(args []string) int {
	const name = "createrepo"
	// --strict is pungo's own flag (createrepo_c has none): without it an
	// unreadable package is reported and left out, as createrepo_c does;
	// with it the run fails. The compose parses createrepo_c lines with
	// ParseArgs and never skips.
	strict := false
	var rest []string
	for i, a := range args {
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if a == "--strict" {
			strict = true
			continue
		}
		rest = append(rest, a)
	}
	cmd, err := createrepo.ParseArgs(rest, os.Stderr)
	if err != nil {
		if errors.Is(err, createrepo.ErrHelp) {
			return 0
		}
		return fail(name, fmt.Errorf("%v (-h for help)", err))
	}
	for _, w := range cmd.Warnings {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := cmd.Options
	o.Context = ctx
	o.SkipBad = !strict
	res, err := createrepo.Run(cmd.Dir, o)
	if err != nil {
		return fail(name, err)
	}
	for _, bad := range res.Skipped {
		fmt.Fprintf(os.Stderr, "pungo %s: skipped: %s\n", name, printable(bad))
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, w)
	}
	if !cmd.Quiet {
		out := o.OutputDir
		if out == "" {
			out = cmd.Dir
		}
		fmt.Printf("%d packages (%d reused) indexed into %s/repodata\n", res.Packages, res.Reused, strings.TrimRight(out, "/"))
	}
	return 0
}
