// Package checksums is the image_checksum phase: every image in the
// compose's manifest is hashed once per configured algorithm
// (media_checksums), the digests go into the manifest, and checksum files
// are written beside the images in Pungi's BSD-style format —
// "# FILE: SIZE bytes" then "SHA256 (FILE) = HEX" — either one file per
// image and algorithm plus a per-directory SHA256SUM, or, with
// media_checksum_one_file, a single CHECKSUM per directory, prefixed by
// media_checksum_base_filename when set.
package checksums

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/checksum"
	"github.com/pungo/pungo/internal/guard"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
)

// Phase is the image_checksum phase.
type Phase struct{}

// Name implements compose.Phase.
func (*Phase) Name() string { return "image_checksum" }

// Skip is always false: with no images the phase does nothing, and
// images.json needs the checksums when there are some.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Options are the phase's settings.
type Options struct {
	Types        []string // md5, sha1, sha256, …
	OneFile      bool
	BaseFilename string // media_checksum_base_filename (a format string)
}

// OptionsOf reads the options with Pungi's defaults.
func OptionsOf(c *compose.Compose) Options {
	o := Options{Types: []string{"md5", "sha1", "sha256"}}
	if v, ok := c.Conf.Get("media_checksums"); ok && v != nil {
		o.Types = compose.AsStrings(v)
	}
	o.OneFile = c.Conf.Bool("media_checksum_one_file")
	o.BaseFilename, _ = compose.StringOpt(c.Conf, "media_checksum_base_filename")
	return o
}

// Validate implements compose.Validator.
func (*Phase) Validate(c *compose.Compose, f *compose.Findings) {
	o := OptionsOf(c)
	if o.OneFile && len(o.Types) != 1 {
		f.Errorf("media_checksum_one_file", `Config option "media_checksum_one_file" requires only one checksum to be configured in "media_checksums".`)
	}
	for _, t := range o.Types {
		if checksum.New(t) == nil {
			f.Errorf("media_checksums", "media_checksums: unsupported checksum type %q (md5, sha1, sha224, sha256, sha384, sha512)", t)
		}
	}
}

// Run implements compose.Phase: checksums every image, then writes the
// checksum files and images.json.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	if err := compose.ValidateConfig(c, p); err != nil {
		return err
	}
	o := OptionsOf(c)
	m := images.Of(c)
	base := func(variant, arch, dirname string) (string, error) {
		if o.BaseFilename == "" {
			return "", nil
		}
		s := images.BaseSubsts(c.Info)
		s["variant"], s["arch"] = variant, arch
		if dirname != "" {
			s["dirname"] = dirname
		}
		name, err := images.Format(o.BaseFilename, s)
		if err != nil {
			return "", fmt.Errorf("media_checksum_base_filename: %w", err)
		}
		return name + "-", nil
	}
	if err := Make(ctx, filepath.Join(c.Topdir, "compose"), m.All(), o, base); err != nil {
		return err
	}
	if m.Len() == 0 {
		return nil
	}
	return images.WriteManifest(c)
}

// FileDigests reads path once, feeding every algorithm, and returns
// algorithm → hex digest (checksum.File).
func FileDigests(ctx context.Context, path string, types []string) (map[string]string, error) {
	return checksum.File(ctx, path, types)
}

// line is one checksum file entry.
type line struct {
	file string
	size int64
	alg  string
	hex  string
}

// Make hashes every manifest entry's file once (a source ISO listed under
// several arches is read once), stores the digests in the images and
// writes the checksum files under topdir (the compose/ directory).
func Make(ctx context.Context, topdir string, entries []images.Entry, o Options, base func(variant, arch, dirname string) (string, error)) error {
	type job struct {
		path string
		im   []*images.Image
	}
	byPath := map[string]*job{}
	var order []string
	for _, e := range entries {
		p := filepath.Join(topdir, filepath.FromSlash(e.Image.Path))
		j := byPath[p]
		if j == nil {
			j = &job{path: p}
			byPath[p] = j
			order = append(order, p)
		}
		j.im = append(j.im, e.Image)
	}
	digests := make(map[string]map[string]string, len(order))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(order))
	sem := make(chan struct{}, 4)
	for i, p := range order {
		if _, err := os.Stat(p); err != nil {
			// Pungi skips images whose file is gone.
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var d map[string]string
			err := guard.Call(func() (err error) {
				d, err = digest(ctx, p, o.Types)
				return err
			})
			if err != nil {
				if _, ok := err.(*guard.PanicError); ok {
					err = fmt.Errorf("%s: %w", p, err)
				}
				errs[i] = err
				return
			}
			mu.Lock()
			digests[p] = d
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	files := map[string]map[line]bool{}
	add := func(file string, l line) {
		if files[file] == nil {
			files[file] = map[line]bool{}
		}
		files[file][l] = true
	}
	for _, e := range entries {
		p := filepath.Join(topdir, filepath.FromSlash(e.Image.Path))
		d, ok := digests[p]
		if !ok {
			continue
		}
		dir, name := filepath.Dir(p), filepath.Base(p)
		size := e.Image.Size
		if size == 0 {
			if st, err := os.Stat(p); err == nil {
				size = st.Size()
			}
		}
		if e.Image.Checksums == nil {
			e.Image.Checksums = map[string]string{}
		}
		for _, alg := range o.Types {
			hexd := d[alg]
			e.Image.Checksums[alg] = hexd
			l := line{name, size, alg, hexd}
			if o.OneFile {
				b, err := base(e.Variant, e.Arch, filepath.Base(dir))
				if err != nil {
					return err
				}
				add(filepath.Join(dir, b+"CHECKSUM"), l)
				continue
			}
			add(filepath.Join(dir, name+"."+strings.ToUpper(alg)+"SUM"), l)
			b, err := base(e.Variant, e.Arch, "")
			if err != nil {
				return err
			}
			add(filepath.Join(dir, b+strings.ToUpper(alg)+"SUM"), l)
		}
	}
	paths := slices.Sorted(maps.Keys(files))
	for _, p := range paths {
		if err := dump(p, files[p]); err != nil {
			return err
		}
	}
	return nil
}

func dump(path string, set map[line]bool) error {
	lines := make([]line, 0, len(set))
	for l := range set {
		lines = append(lines, l)
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.file != b.file {
			return a.file < b.file
		}
		if a.size != b.size {
			return a.size < b.size
		}
		if a.alg != b.alg {
			return a.alg < b.alg
		}
		return a.hex < b.hex
	})
	var sb strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&sb, "# %s: %d bytes\n", l.file, l.size)
		fmt.Fprintf(&sb, "%s (%s) = %s\n", strings.ToUpper(l.alg), l.file, l.hex)
	}
	return atomicfile.WriteFile(path, []byte(sb.String()), 0o644)
}

// digest is FileDigests; tests count calls through it.
var digest = FileDigests
