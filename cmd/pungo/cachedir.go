package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/repocache"
)

// cacheDirFlag adds --cachedir to a command that loads repositories.
func cacheDirFlag(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "cachedir", "", "keep binary images of the loaded repository metadata in `DIR`; a repository whose repomd.xml is unchanged loads from them (created if missing; safe to share between runs)")
}

// withCacheDir returns ctx with the record cache in dir attached, or ctx
// itself when dir is "". The cache's warnings (an image it cannot write, a
// corrupt one it replaced) go to stderr.
func withCacheDir(ctx context.Context, cmd, dir string) context.Context {
	if dir == "" {
		return ctx
	}
	c := repocache.New(dir)
	c.Warn = func(err error) { fmt.Fprintf(os.Stderr, "pungo %s: warning: %v\n", cmd, err) }
	return repomd.WithCache(ctx, c)
}
