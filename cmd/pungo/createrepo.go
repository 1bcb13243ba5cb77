package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/rpmfile"
)

func init() {
	register(&command{name: "createrepo", summary: "create rpm-md repository metadata (createrepo_c compatible)", run: runCreaterepo})
}

func runCreaterepo(args []string) int {
	const name = "createrepo"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var o createrepo.Options
	var (
		noDB, uniqueMD, simpleMD, xzFlag, quiet bool
		general, compress                       string
		workers                                 int
		updatePaths, distro, content, repo, exc stringList
		oldPkgDirs                              stringList
	)
	str := func(p *string, short, long, def, usage string) {
		fs.StringVar(p, long, def, usage)
		if short != "" {
			fs.StringVar(p, short, def, "shorthand for --"+long)
		}
	}
	str(&o.OutputDir, "o", "outputdir", "", "write repodata/ here instead of into DIR")
	str(&o.PkgList, "i", "pkglist", "", "file listing the packages to include, one path (relative to DIR) per line")
	str(&o.GroupFile, "g", "groupfile", "", "comps file to include as group metadata (a relative path is taken from DIR)")
	str(&o.ChecksumType, "s", "checksum", "sha256", "checksum type: sha256, sha512, sha384, sha224, sha1, sha or md5")
	str(&o.CacheDir, "c", "cachedir", "", "cache package checksums in this directory")
	str(&o.BaseURL, "u", "baseurl", "", "base URL (xml:base) for all package locations")
	fs.StringVar(&o.Revision, "revision", "", "repository revision (default: the current time)")
	fs.StringVar(&general, "general-compress-type", "", "compression of all metadata: gz, xz, bz2 or zstd (default gz, sqlite bz2)")
	fs.StringVar(&compress, "compress-type", "", "compression of the sqlite databases and the group file copy")
	fs.BoolVar(&o.Update, "update", false, "reuse metadata of unchanged packages from the existing repodata")
	fs.Var(&updatePaths, "update-md-path", "also reuse metadata from this repository (repeatable; with --update)")
	fs.BoolVar(&o.SkipStat, "skip-stat", false, "with --update, take a package with the same location as unchanged")
	fs.BoolVar(&o.Database, "database", true, "generate sqlite databases")
	fs.BoolVar(&o.Database, "d", true, "shorthand for --database")
	fs.BoolVar(&noDB, "no-database", false, "do not generate sqlite databases")
	fs.BoolVar(&uniqueMD, "unique-md-filenames", false, "prefix metadata file names with their checksum (the default)")
	fs.BoolVar(&simpleMD, "simple-md-filenames", false, "do not prefix metadata file names with their checksum")
	fs.IntVar(&workers, "workers", createrepo.DefaultWorkers, "number of package readers (1 to 100)")
	fs.BoolVar(&xzFlag, "xz", false, "compress the sqlite databases with xz")
	fs.Var(&distro, "distro", "distro tag, \"cpeid,name\" or \"name\" (repeatable)")
	fs.Var(&content, "content", "content tag (repeatable)")
	fs.Var(&repo, "repo", "repo tag (repeatable)")
	fs.Var(&exc, "excludes", "glob of package file names, paths below DIR or directory names to leave out (repeatable)")
	fs.Var(&exc, "x", "shorthand for --excludes")
	fs.IntVar(&o.ChangelogLimit, "changelog-limit", rpmfile.DefaultChangelogLimit, "keep only the newest N changelog entries of each package (-1: all)")
	fs.BoolVar(&o.Deltas, "deltas", false, "make delta RPMs (drpms/ and prestodelta) against the packages in --oldpackagedirs; needs makedeltarpm")
	fs.Var(&oldPkgDirs, "oldpackagedirs", "directory of older packages to make deltas from (repeatable; with --deltas)")
	fs.IntVar(&o.NumDeltas, "num-deltas", createrepo.DefaultNumDeltas, "make deltas from this many older versions of each package")
	fs.Int64Var(&o.MaxDeltaRPMSize, "max-delta-rpm-size", createrepo.DefaultMaxDeltaRPMSize, "make no deltas for packages larger than this many bytes")
	var basedir string
	var pretty, verbose bool
	fs.StringVar(&basedir, "basedir", "", "directory a relative DIR is taken from")
	fs.BoolVar(&pretty, "pretty", true, "accepted for compatibility: the XML is always pretty-printed")
	fs.BoolVar(&pretty, "p", true, "shorthand for --pretty")
	fs.BoolVar(&verbose, "verbose", false, "accepted for compatibility")
	fs.BoolVar(&verbose, "v", false, "shorthand for --verbose")
	fs.BoolVar(&quiet, "q", false, "print nothing on success")
	fs.BoolVar(&quiet, "quiet", false, "print nothing on success")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo createrepo [options] DIR\n\nOptions:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		return fail(name, fmt.Errorf("want exactly one directory to index, got %d arguments (-h for help)", len(pos)))
	}
	dir := pos[0]
	if basedir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(basedir, dir)
	}
	if o.GroupFile != "" && !filepath.IsAbs(o.GroupFile) {
		// createrepo_c takes a relative group file from DIR, not from the
		// working directory.
		o.GroupFile = filepath.Join(dir, o.GroupFile)
	}
	if noDB {
		o.Database = false
	}
	// With both, --simple-md-filenames wins, as in createrepo_c.
	o.SimpleMDFilenames = simpleMD
	// Out-of-range numbers fall back to the defaults with a warning, as in
	// createrepo_c.
	if workers < 1 || workers > 100 {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: wrong number of workers %d, using %d\n", name, workers, createrepo.DefaultWorkers)
		workers = createrepo.DefaultWorkers
	}
	o.Workers = workers
	if o.ChangelogLimit < -1 {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: wrong changelog limit %d, using %d\n", name, o.ChangelogLimit, rpmfile.DefaultChangelogLimit)
		o.ChangelogLimit = rpmfile.DefaultChangelogLimit
	}
	o.CompressType = general
	if xzFlag {
		o.DBCompressType = "xz"
	}
	if compress != "" {
		o.DBCompressType = compress
	}
	o.UpdateMDPaths, o.Distro, o.Content, o.Repo, o.Excludes = updatePaths, distro, content, repo, exc
	o.OldPackageDirs = oldPkgDirs
	if o.NumDeltas < 1 {
		return fail(name, fmt.Errorf("--num-deltas must be at least 1, got %d", o.NumDeltas))
	}
	if o.MaxDeltaRPMSize < 1 {
		return fail(name, fmt.Errorf("--max-delta-rpm-size must be positive, got %d", o.MaxDeltaRPMSize))
	}
	if len(updatePaths) > 0 && !o.Update {
		// createrepo_c warns and goes on without them.
		fmt.Fprintf(os.Stderr, "pungo %s: warning: --update-md-path has no effect without --update\n", name)
		o.UpdateMDPaths = nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Context = ctx
	res, err := createrepo.Run(dir, o)
	if err != nil {
		return fail(name, err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(os.Stderr, "pungo %s: warning: %s\n", name, w)
	}
	if !quiet {
		out := o.OutputDir
		if out == "" {
			out = dir
		}
		fmt.Printf("%d packages (%d reused) indexed into %s/repodata\n", res.Packages, res.Reused, strings.TrimRight(out, "/"))
	}
	return 0
}
