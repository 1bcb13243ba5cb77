package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pungo/pungo/repomd/createrepo"
)

func init() {
	register(&command{name: "modifyrepo", summary: "add or remove a metadata file in repodata (modifyrepo_c compatible)", run: runModifyrepo})
}

func runModifyrepo(args []string) int {
	const name = "modifyrepo"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var o createrepo.ModifyOptions
	var remove, noCompress, compress, unique, simple bool
	fs.StringVar(&o.MDType, "mdtype", "", "record type (default: the file name up to its first '.')")
	fs.BoolVar(&remove, "remove", false, "remove the record of the given type: modifyrepo --remove TYPE REPODATA")
	fs.BoolVar(&compress, "compress", true, "compress the file before adding it (default)")
	fs.BoolVar(&noCompress, "no-compress", false, "add the file uncompressed")
	fs.StringVar(&o.CompressType, "compress-type", "gz", "compression: gz, xz, bz2 or zstd")
	fs.StringVar(&o.ChecksumType, "checksum", "sha256", "checksum type: sha256, sha512, sha384, sha224, sha1, sha or md5")
	fs.StringVar(&o.ChecksumType, "s", "sha256", "shorthand for --checksum")
	fs.BoolVar(&unique, "unique-md-filenames", false, "prefix the file name with its checksum (default)")
	fs.BoolVar(&simple, "simple-md-filenames", false, "do not prefix the file name with its checksum")
	fs.StringVar(&o.NewName, "new-name", "", "publish the file under this name")
	fs.BoolVar(&o.Zck, "zck", false, "also add a zchunk copy as TYPE_zck")
	fs.StringVar(&o.ZckDictDir, "zck-dict-dir", "", "directory of zchunk dictionaries (NAME.zdict for the file NAME)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pungo modifyrepo [options] FILE REPODATA\n       pungo modifyrepo --remove TYPE REPODATA\n\nOptions:\n")
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
		return fail(name, fmt.Errorf("want FILE REPODATA (or --remove TYPE REPODATA), got %d arguments (-h for help)", len(pos)))
	}
	if remove {
		if err := createrepo.RemoveMetadata(pos[0], pos[1]); err != nil {
			return fail(name, err)
		}
		return 0
	}
	o.Compress = compress && !noCompress
	o.SimpleMDFilenames = simple // with --unique-md-filenames too, as in modifyrepo_c
	if _, err := createrepo.AddMetadata(pos[0], pos[1], o); err != nil {
		return fail(name, err)
	}
	return 0
}
