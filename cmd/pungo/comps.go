package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/phases/variants"
)

func init() {
	register(&command{
		name:    "comps",
		summary: "filter (like Pungi's comps_filter), validate, or cut a variant's comps from a comps file",
		run:     runComps,
	})
}

const compsUsage = `usage: pungo comps filter|validate|variant [options] FILE

  filter    Pungi's comps_filter: arch and variant filtering, cleanup, removals
  validate  report problems (undefined groups, bad values) as FILE:LINE
  variant   one variant.arch's comps as Pungi's init phase writes it

Run 'pungo comps SUBCOMMAND -h' for its options.`

func runComps(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, compsUsage)
		return 2
	}
	switch args[0] {
	case "filter":
		return runCompsFilter(args[1:])
	case "validate":
		return runCompsValidate(args[1:])
	case "variant":
		return runCompsVariant(args[1:])
	case "-h", "--help", "help":
		fmt.Println(compsUsage)
		return 0
	}
	return fail("comps", fmt.Errorf("unknown subcommand %q (want filter, validate or variant)", args[0]))
}

func runCompsFilter(args []string) int {
	const name = "comps filter"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pungo comps filter --arch ARCH [options] COMPS_FILE")
		fs.PrintDefaults()
	}
	var o comps.FilterOptions
	var keep, lookaside stringList
	output := fs.String("output", "", "write the result to this file (atomically) instead of stdout")
	fs.StringVar(&o.Arch, "arch", "", "filter groups, packages and environments according to an arch (required)")
	fs.StringVar(&o.Variant, "variant", "", "filter groups, packages and environments according to a variant UID")
	fs.BoolVar(&o.ArchOnlyGroups, "arch-only-groups", false, "keep only arch groups, remove the rest")
	fs.BoolVar(&o.ArchOnlyPackages, "arch-only-packages", false, "keep only arch packages, remove the rest")
	fs.BoolVar(&o.ArchOnlyEnvironments, "arch-only-environments", false, "keep only arch environments, remove the rest")
	fs.BoolVar(&o.RemoveCategories, "remove-categories", false, "remove all categories")
	fs.BoolVar(&o.RemoveLangpacks, "remove-langpacks", false, "remove the langpacks section")
	fs.BoolVar(&o.RemoveTranslations, "remove-translations", false, "remove all translations")
	fs.BoolVar(&o.RemoveEnvironments, "remove-environments", false, "remove all environment sections")
	fs.Var(&keep, "keep-empty-group", "keep groups matching this fnmatch pattern even if they are empty (repeatable)")
	fs.Var(&lookaside, "lookaside-group", "keep this group in environments even if the comps does not define it (repeatable)")
	fs.BoolVar(&o.NoCleanup, "no-cleanup", false, "don't remove empty groups, categories and environments")
	fs.Bool("no-reindent", false, "accepted for compatibility; the output is always re-indented")
	quiet := fs.Bool("quiet", false, "do not report references to undefined groups removed by the cleanup")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		return fail(name, errors.New("please specify exactly one comps file"))
	}
	if o.Arch == "" {
		return fail(name, errors.New("--arch is required"))
	}
	o.KeepEmptyGroups, o.LookasideGroups = keep, lookaside
	c, err := comps.ParseFile(pos[0])
	if err != nil {
		return fail(name, err)
	}
	diags := c.Filter(o)
	if !*quiet {
		for _, d := range diags {
			fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, d)
		}
	}
	if *output != "" {
		err = c.WriteFile(*output)
	} else {
		err = c.Write(os.Stdout)
	}
	if err != nil {
		return fail(name, err)
	}
	return 0
}

func runCompsValidate(args []string) int {
	const name = "comps validate"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pungo comps validate [options] COMPS_FILE…\n\nExit status: 0 valid, 1 errors found, 2 unreadable input.")
		fs.PrintDefaults()
	}
	noWarn := fs.Bool("no-warnings", false, "print only errors")
	strict := fs.Bool("strict", false, "treat warnings as errors")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) == 0 {
		return fail(name, errors.New("no comps file given"))
	}
	bad := false
	for _, f := range files {
		c, err := comps.ParseFile(f)
		if err != nil {
			var pe *comps.ParseError
			if !errors.As(err, &pe) {
				return fail(name, err)
			}
			fmt.Fprintf(os.Stdout, "error: %s\n", printable(err.Error()))
			bad = true
			continue
		}
		errs, warns := c.Validate()
		printDiags(os.Stdout, "error", errs)
		if !*noWarn {
			printDiags(os.Stdout, "warning", warns)
		}
		if len(errs) > 0 || (*strict && len(warns) > 0) {
			bad = true
		}
	}
	if bad {
		return 1
	}
	return 0
}

func printDiags(w io.Writer, kind string, ds []comps.Diagnostic) {
	for _, d := range ds {
		fmt.Fprintf(w, "%s: %s\n", kind, d)
	}
}

// runCompsVariant writes one variant.arch's comps as Pungi's init phase
// does (comps.FilterForVariant).
func runCompsVariant(args []string) int {
	const name = "comps variant"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pungo comps variant --variants-file FILE --variant UID --arch ARCH [options] COMPS_FILE\n\n"+
			"Writes the comps of one variant and arch as Pungi's init phase does: comps_filter for the\n"+
			"arch and variant (keeping conflicts groups, with the parent's groups as lookaside), then\n"+
			"only the variant's groups and environments, sorted.")
		fs.PrintDefaults()
	}
	var lookaside stringList
	variantsFile := fs.String("variants-file", "", "the compose's variants.xml (required)")
	uid := fs.String("variant", "", "variant UID (required)")
	arch := fs.String("arch", "", "tree arch (required)")
	output := fs.String("output", "", "write the result to this file (atomically) instead of stdout")
	noEnvFilter := fs.Bool("no-filter-environments", false, "keep all environments (comps_filter_environments = False)")
	fs.Var(&lookaside, "lookaside-variant", "UID of a variant used as lookaside (variant_as_lookaside; repeatable)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		return fail(name, errors.New("please specify exactly one comps file"))
	}
	if *variantsFile == "" || *uid == "" || *arch == "" {
		return fail(name, errors.New("--variants-file, --variant and --arch are required"))
	}
	vs, err := variants.ParseFile(*variantsFile)
	if err != nil {
		return fail(name, err)
	}
	v := vs.Lookup(*uid)
	if v == nil {
		return fail(name, fmt.Errorf("%s defines no variant %s", *variantsFile, *uid))
	}
	if !v.HasArch(*arch) {
		return fail(name, fmt.Errorf("variant %s is not built for %s (arches: %s)", *uid, *arch, strings.Join(v.Arches, " ")))
	}
	var extra []*variants.Variant
	for _, l := range lookaside {
		lv := vs.Lookup(l)
		if lv == nil {
			return fail(name, fmt.Errorf("%s defines no variant %s", *variantsFile, l))
		}
		extra = append(extra, lv)
	}
	global, err := comps.ParseFile(pos[0])
	if err != nil {
		return fail(name, err)
	}
	c, res := comps.FilterForVariant(global, v.CompsFilter(*arch, !*noEnvFilter, extra...))
	for _, d := range res.Diagnostics {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, d)
	}
	for _, m := range res.UnmatchedMessages(v.UID, *arch) {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, m)
	}
	if *output != "" {
		err = c.WriteFile(*output)
	} else {
		err = c.Write(os.Stdout)
	}
	if err != nil {
		return fail(name, err)
	}
	return 0
}
