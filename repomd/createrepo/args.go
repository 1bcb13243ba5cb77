package createrepo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/repomd/rpmfile"
)

// Command is a createrepo_c command line, parsed: the writer's options plus
// what only the command itself uses.
type Command struct {
	Options
	Dir      string   // the directory to index, --basedir applied
	Quiet    bool     // -q: print nothing on success
	Warnings []string // createrepo_c's fallbacks (out-of-range numbers, ignored flags)
}

// ErrHelp is returned by ParseArgs for -h/--help after the usage was
// written.
var ErrHelp = flag.ErrHelp

// UnsupportedFlagError names a createrepo_c flag pungo does not implement.
type UnsupportedFlagError struct{ Flag string }

func (e *UnsupportedFlagError) Error() string {
	return fmt.Sprintf("createrepo_c option %s is not supported by pungo createrepo", e.Flag)
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// ParseArgs reads a createrepo_c command line (without the program name):
// the flags `pungo createrepo` supports, before or after the directory, as
// createrepo_c takes them. The compose builds Pungi's get_createrepo_cmd
// line, createrepo_extra_args included, and parses it here, so the CLI and
// the compose accept exactly the same flags. A flag pungo does not
// implement is an *UnsupportedFlagError naming it; usage text and -h go
// to usage (nil: discarded).
func ParseArgs(args []string, usage io.Writer) (*Command, error) {
	if usage == nil {
		usage = io.Discard
	}
	fs := flag.NewFlagSet("createrepo", flag.ContinueOnError)
	fs.SetOutput(usage)
	cmd := &Command{}
	o := &cmd.Options
	var (
		noDB, uniqueMD, simpleMD, xzFlag bool
		general, compress                string
		workers, changelogLimit          int
		updatePaths, distro, content     stringList
		repo, exc, oldPkgDirs            stringList
		basedir                          string
		pretty, verbose                  bool
	)
	str := func(p *string, short, long, def, help string) {
		fs.StringVar(p, long, def, help)
		if short != "" {
			fs.StringVar(p, short, def, "shorthand for --"+long)
		}
	}
	boolean := func(p *bool, short, long string, def bool, help string) {
		fs.BoolVar(p, long, def, help)
		if short != "" {
			fs.BoolVar(p, short, def, "shorthand for --"+long)
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
	boolean(&o.Database, "d", "database", true, "generate sqlite databases")
	fs.BoolVar(&noDB, "no-database", false, "do not generate sqlite databases")
	fs.BoolVar(&uniqueMD, "unique-md-filenames", false, "prefix metadata file names with their checksum (the default)")
	fs.BoolVar(&simpleMD, "simple-md-filenames", false, "do not prefix metadata file names with their checksum")
	fs.IntVar(&workers, "workers", DefaultWorkers, "number of package readers (1 to 100)")
	fs.BoolVar(&xzFlag, "xz", false, "compress the sqlite databases and the group file copy with xz")
	fs.Var(&distro, "distro", "distro tag, \"cpeid,name\" or \"name\" (repeatable)")
	fs.Var(&content, "content", "content tag (repeatable)")
	fs.Var(&repo, "repo", "repo tag (repeatable)")
	fs.Var(&exc, "excludes", "glob of package file names, paths below DIR or directory names to leave out (repeatable)")
	fs.Var(&exc, "x", "shorthand for --excludes")
	fs.IntVar(&changelogLimit, "changelog-limit", rpmfile.DefaultChangelogLimit, "keep only the newest N changelog entries of each package (-1: all, 0: none)")
	fs.BoolVar(&o.Deltas, "deltas", false, "make delta RPMs (drpms/ and prestodelta) against the packages in --oldpackagedirs; needs makedeltarpm")
	fs.Var(&oldPkgDirs, "oldpackagedirs", "directory of older packages to make deltas from (repeatable; with --deltas)")
	fs.IntVar(&o.NumDeltas, "num-deltas", DefaultNumDeltas, "make deltas from this many older versions of each package")
	fs.Int64Var(&o.MaxDeltaRPMSize, "max-delta-rpm-size", DefaultMaxDeltaRPMSize, "make no deltas for packages larger than this many bytes")

	fs.BoolVar(&o.Zck, "zck", false, "also write zchunk copies of primary, filelists, other and the group file")
	fs.StringVar(&o.ZckDictDir, "zck-dict-dir", "", "directory of zchunk dictionaries (primary.xml.zdict, filelists.xml.zdict, other.xml.zdict)")
	fs.StringVar(&basedir, "basedir", "", "directory a relative DIR is taken from")
	boolean(&pretty, "p", "pretty", true, "accepted for compatibility: the XML is always pretty-printed")
	boolean(&verbose, "v", "verbose", false, "accepted for compatibility")
	boolean(&cmd.Quiet, "q", "quiet", false, "print nothing on success")
	fs.Usage = func() {
		fmt.Fprintf(usage, "usage: pungo createrepo [options] DIR\n\nOptions:\n")
		fs.PrintDefaults()
	}
	// Name an unsupported flag ourselves: the flag package's wording
	// ("flag provided but not defined") does not say which tool it means.
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, &UnsupportedFlagError{Flag: strings.SplitN(a, "=", 2)[0]}
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) {
			i++ // the next argument is this flag's value
		}
	}
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	if len(pos) != 1 {
		return nil, fmt.Errorf("want exactly one directory to index, got %d arguments", len(pos))
	}
	cmd.Dir = pos[0]
	if basedir != "" && !filepath.IsAbs(cmd.Dir) {
		cmd.Dir = filepath.Join(basedir, cmd.Dir)
	}
	if o.GroupFile != "" && !filepath.IsAbs(o.GroupFile) {
		// createrepo_c takes a relative group file from DIR, not from the
		// working directory.
		o.GroupFile = filepath.Join(cmd.Dir, o.GroupFile)
	}
	if noDB {
		o.Database = false
	}
	// With both, --simple-md-filenames wins, as in createrepo_c.
	o.SimpleMDFilenames = simpleMD
	// Out-of-range numbers fall back to the defaults with a warning, as in
	// createrepo_c.
	if workers < 1 || workers > 100 {
		cmd.Warnings = append(cmd.Warnings, fmt.Sprintf("wrong number of workers %d, using %d", workers, DefaultWorkers))
		workers = DefaultWorkers
	}
	o.Workers = workers
	switch {
	case changelogLimit < -1:
		cmd.Warnings = append(cmd.Warnings, fmt.Sprintf("wrong changelog limit %d, using %d", changelogLimit, rpmfile.DefaultChangelogLimit))
		o.ChangelogLimit = rpmfile.DefaultChangelogLimit
	case changelogLimit == 0:
		o.ChangelogLimit = NoChangelogs
	default:
		o.ChangelogLimit = changelogLimit
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
		return nil, fmt.Errorf("--num-deltas must be at least 1, got %d", o.NumDeltas)
	}
	if o.MaxDeltaRPMSize < 1 {
		return nil, fmt.Errorf("--max-delta-rpm-size must be positive, got %d", o.MaxDeltaRPMSize)
	}
	if len(updatePaths) > 0 && !o.Update {
		// createrepo_c warns and goes on without them.
		cmd.Warnings = append(cmd.Warnings, "--update-md-path has no effect without --update")
		o.UpdateMDPaths = nil
	}
	if o.ZckDictDir != "" && !o.Zck {
		cmd.Warnings = append(cmd.Warnings, "--zck-dict-dir has no effect without --zck")
	}
	return cmd, nil
}

// CheckArgs reports the first of args (createrepo_c flags, as in Pungi's
// createrepo_extra_args) that pungo cannot apply.
func CheckArgs(args []string) error {
	_, err := ParseArgs(append(append([]string(nil), args...), "--", "DIR"), nil)
	var u *UnsupportedFlagError
	if errors.As(err, &u) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%v", err)
	}
	return nil
}
