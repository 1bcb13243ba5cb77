package compose

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/repocache"
)

// RepoCacheDir is where a compose keeps binary images of the
// repositories it loads, unless told otherwise: work/global/pungi-cache,
// the directory Pungi gives its own solver caches.
func (c *Compose) RepoCacheDir() string {
	return filepath.Join(c.Paths.Work.Topdir(""), "pungi-cache")
}

// WithRepoCache returns ctx with a record cache in dir (RepoCacheDir when
// dir is ""), so that every repository the phases open under it is loaded
// from its images while its repomd.xml is unchanged. Images that cannot be
// written, or corrupt ones replaced, are logged as warnings. The
// repositories the compose writes itself (under its top directory) are
// read once and are left out: their images would only cost time.
func (c *Compose) WithRepoCache(ctx context.Context, dir string) context.Context {
	if dir == "" {
		dir = c.RepoCacheDir()
	}
	rc := repocache.New(dir)
	rc.Warn = func(err error) { c.Log.Warningf("%v", err) }
	top, _ := filepath.Abs(c.Paths.Topdir)
	rc.Skip = func(loc string) bool {
		abs, err := filepath.Abs(loc)
		return err == nil && (abs == top || strings.HasPrefix(abs, top+string(filepath.Separator)))
	}
	return repomd.WithCache(ctx, rc)
}
