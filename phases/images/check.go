package images

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pungo/pungo/phases/compose"
)

// CheckPhase is Pungi's "test" phase: the sanity checks of every image in
// the manifest (CheckImages) and of images.json (CheckMetadata).
// Repoclosure, which Pungi's test phase also runs, is its own phase here
// (phases/repoclosure).
type CheckPhase struct{}

// Name implements compose.Phase.
func (*CheckPhase) Name() string { return "test" }

// Skip implements compose.Phase.
func (*CheckPhase) Skip(*compose.Compose) bool { return false }

// Run implements compose.Phase.
func (*CheckPhase) Run(ctx context.Context, c *compose.Compose) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckImages(c); err != nil {
		return err
	}
	return CheckMetadata(c)
}

func magicAt(r io.ReaderAt, off int64, want []byte) bool {
	buf := make([]byte, len(want))
	n, err := r.ReadAt(buf, off)
	return n == len(want) && (err == nil || err == io.EOF) && bytes.Equal(buf, want)
}

// IsISO reports an ISO 9660 primary volume descriptor at sector 16.
func IsISO(r io.ReaderAt) bool { return magicAt(r, 0x8001, []byte("CD001")) }

// HasMBR reports the 0x55AA boot signature of a master boot record.
func HasMBR(r io.ReaderAt) bool { return magicAt(r, 0x1FE, []byte{0x55, 0xAA}) }

// HasGPT reports a GPT header in LBA 1.
func HasGPT(r io.ReaderAt) bool { return magicAt(r, 0x200, []byte("EFI PART")) }

// HasElTorito reports an El Torito boot record volume descriptor at sector 17.
func HasElTorito(r io.ReaderAt) bool {
	return magicAt(r, 0x8801, []byte("CD001\x01EL TORITO SPECIFICATION"))
}

// CheckSanity is the test phase's check of one image file: an ISO must
// carry the ISO 9660 signature, and a bootable x86 image needs an MBR, a
// GPT or an El Torito boot record.
func CheckSanity(path string, im *Image) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	iso := IsISO(f)
	if im.Format == "iso" && !iso {
		return fmt.Errorf("%s does not look like an ISO file", path)
	}
	if (im.Arch == "x86_64" || im.Arch == "i386") && im.Bootable && !HasMBR(f) && !HasGPT(f) && !(iso && HasElTorito(f)) {
		return fmt.Errorf("%s is supposed to be bootable, but does not have MBR nor GPT nor is it a bootable ISO", path)
	}
	return nil
}

// CheckImages runs the test phase's image checks over the manifest:
// CheckSanity on every image (a failable deliverable's failure is recorded
// and does not stop the compose) and createiso_max_size, which only warns
// unless createiso_max_size_is_strict applies.
func CheckImages(c *compose.Compose) error {
	top := filepath.Join(c.Topdir, "compose")
	for _, e := range Of(c).All() {
		im := e.Image
		v := c.Variant(e.Variant)
		path := filepath.Join(top, filepath.FromSlash(im.Path))
		kind := im.Deliverable
		if kind == "" {
			kind = "image"
		}
		run := func() error { return CheckSanity(path, im) }
		var err error
		if im.CanFail {
			err = c.Failable(v, e.Arch, kind, im.Subvariant, run)
		} else {
			err = run()
		}
		if err != nil {
			return err
		}
		if err := checkSizeLimit(c, v, e.Arch, im); err != nil {
			return err
		}
	}
	return nil
}

func checkSizeLimit(c *compose.Compose, v *compose.Variant, arch string, im *Image) error {
	if im.Format != "iso" {
		return nil
	}
	uid := ""
	if v != nil {
		uid = v.UID
	}
	limit := im.MaxSize
	if limit == 0 {
		limits := c.Conf.ForVariantArch("createiso_max_size", uid, arch)
		if len(limits) == 0 {
			return nil
		}
		var ok bool
		if limit, ok = toInt(limits[0]); !ok {
			return nil
		}
	}
	if im.Size <= limit {
		return nil
	}
	msg := fmt.Sprintf("ISO %s is too big. Expected max %dB, got %dB", im.Path, limit, im.Size)
	for _, s := range c.Conf.ForVariantArch("createiso_max_size_is_strict", uid, arch) {
		if b, _ := s.(bool); b {
			return fmt.Errorf("%s", msg)
		}
	}
	c.Log.Warningf("%s", msg)
	return nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}

// CheckMetadata is Pungi's check_image_metadata: the written images.json
// must load back with productmd (images 1.2), so every entry passes
// productmd's validation, no image is listed under a source arch (source
// images go under each binary arch), no path appears twice for one
// variant and arch, and no two images share productmd's identifying
// attributes with different checksums.
func CheckMetadata(c *compose.Compose) error {
	if Of(c).Len() == 0 {
		return nil
	}
	path := c.Paths.Compose.Metadata("images.json")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var doc struct {
		Header struct {
			Type    string `json:"type"`
			Version string `json:"version"`
		} `json:"header"`
		Payload struct {
			Images map[string]map[string][]map[string]json.RawMessage `json:"images"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if doc.Header.Type != "productmd.images" {
		return fmt.Errorf("%s: header type %q, want productmd.images", path, doc.Header.Type)
	}
	type seenImage struct{ where, path, sums string }
	identities := map[string]seenImage{}
	for _, v := range sortedKeys(doc.Payload.Images) {
		byArch := doc.Payload.Images[v]
		for _, a := range sortedKeys(byArch) {
			if a == "src" || a == "nosrc" {
				return fmt.Errorf("%s: images listed under %s.%s: source images belong under each binary arch", path, v, a)
			}
			seen := map[string]bool{}
			for _, im := range byArch[a] {
				var p string
				json.Unmarshal(im["path"], &p)
				if p == "" {
					return fmt.Errorf("%s: image of %s.%s without path", path, v, a)
				}
				if seen[p] {
					return fmt.Errorf("%s: image %s listed twice for %s.%s", path, p, v, a)
				}
				seen[p] = true
				if err := validateEntry(im); err != nil {
					return fmt.Errorf("%s: image %s of %s.%s: %w", path, p, v, a, err)
				}
				id, sums := identity(im), checksumKey(im)
				if old, ok := identities[id]; ok && old.sums != sums {
					return fmt.Errorf("%s: image %s (%s.%s) shares subvariant, type, format, arch and disc number with %s (%s) but not its checksums", path, p, v, a, old.path, old.where)
				}
				identities[id] = seenImage{v + "." + a, p, sums}
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := slices.Sorted(maps.Keys(m))
	return ks
}
