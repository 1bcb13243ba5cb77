package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/report"
)

func init() {
	register(&command{name: "compose-diff", summary: "what changed between two finished composes (text, --json, --html)", run: runComposeDiff})
}

func runComposeDiff(args []string) int {
	const name = "compose-diff"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the difference as JSON")
	htmlOut := fs.String("html", "", "also write a self-contained HTML page to `FILE`")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo compose-diff [--json] [--html FILE] OLD NEW\n\n"+
			"OLD and NEW are compose directories (or their compose/ or compose/metadata\n"+
			"directories). Prints per variant and arch the packages added, dropped,\n"+
			"upgraded and downgraded with the changelog entries in between, size\n"+
			"changes and image changes. Exit code 0 on success, 2 on error.\n\nOptions:\n")
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
		return fail(name, fmt.Errorf("want two composes OLD NEW, got %d arguments (-h for help)", len(pos)))
	}
	old, err := report.Load(pos[0])
	if err != nil {
		return fail(name, err)
	}
	cur, err := report.Load(pos[1])
	if err != nil {
		return fail(name, err)
	}
	d := report.Compare(old, cur)
	if *htmlOut != "" {
		err := atomicfile.WriteWith(*htmlOut, 0o644, func(w io.Writer) error {
			return report.WriteHTML(w, report.Page{Title: "Changes from " + d.Old.ID + " to " + d.New.ID, Diff: d})
		})
		if err != nil {
			return fail(name, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return fail(name, err)
		}
		return 0
	}
	if err := d.WriteText(os.Stdout); err != nil {
		return fail(name, err)
	}
	return 0
}
