package repomd

import "context"

// This file is the hook through which a record cache (repomd/repocache)
// takes part in loading: a cache attached to the context of an open serves
// the primary, filelists and other records of that repository from images
// it kept, and keeps an image of each record that had to be parsed.

// RecordCache keeps images of parsed metadata records between runs, so
// that reopening an unchanged repository skips decompressing and parsing
// its XML. Images are tied to the repository's RepomdChecksum.
type RecordCache interface {
	// Load fills r from a kept image of record typ ("primary",
	// "filelists" or "other") and reports whether it did. An image that
	// is missing, stale, corrupt or of another format leaves r as it was
	// and gives false.
	Load(r *Repo, typ string) bool
	// Save keeps an image of record typ of r, just parsed. Failing to
	// keep one is not an error of the load (the cache reports it its own
	// way).
	Save(r *Repo, typ string)
}

// FilteredCache is a RecordCache that can also apply a filelists image
// filtered (LoadFilelistsFiltered): only the paths keep accepts are kept,
// without materializing the complete lists.
type FilteredCache interface {
	RecordCache
	// LoadFilteredFiles fills r's packages from a kept filelists image
	// as LoadFilelistsFiltered describes, and reports whether it did;
	// like Load, a missing or unusable image leaves r as it was.
	LoadFilteredFiles(r *Repo, keep func(path string) bool) bool
}

type cacheKey struct{}

// WithCache returns a context whose repository opens (OpenContext and the
// records the opened repositories load later) use c.
func WithCache(ctx context.Context, c RecordCache) context.Context {
	return context.WithValue(ctx, cacheKey{}, c)
}

func cacheFrom(ctx context.Context) RecordCache {
	c, _ := ctx.Value(cacheKey{}).(RecordCache)
	return c
}

// cached loads record typ through the repository's cache, if it has one:
// from a kept image when there is a usable one, else with parse, after
// which the cache keeps an image.
func (r *Repo) cached(typ string, parse func() error) error {
	if r.cache == nil {
		return parse()
	}
	loaded := func() bool {
		defer relaxGC()()
		return r.cache.Load(r, typ)
	}()
	if loaded {
		return nil
	}
	// The parse pauses the collector itself; the image is encoded with it
	// running again, so the parse's garbage does not add to the peak.
	if err := parse(); err != nil {
		return err
	}
	r.cache.Save(r, typ)
	return nil
}
