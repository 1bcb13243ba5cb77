package images

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/productmd"
)

// Image is one productmd image entry.
type Image struct {
	Path       string // relative to compose/
	MTime      int64
	Size       int64
	VolumeID   string // "" is written as null
	Type       string // dvd, boot, live, qcow2, …
	Format     string // iso, qcow2, tar.gz, …
	Arch       string
	DiscNumber int
	DiscCount  int
	Checksums  map[string]string
	ImplantMD5 string // "" is written as null
	Bootable   bool
	Subvariant string
	// Unified and AdditionalVariants describe an extra ISO that carries
	// other variants' packages too.
	Unified            bool
	AdditionalVariants []string

	// Not written: the deliverable kind and whether it may fail, for the
	// test phase's failable checks.
	Deliverable string
	CanFail     bool
	// MaxSize overrides createiso_max_size for this image (extra_isos max_size).
	MaxSize int64
}

func (im *Image) json() map[string]any {
	m := map[string]any{
		"path": im.Path, "mtime": im.MTime, "size": im.Size, "type": im.Type, "format": im.Format,
		"arch": im.Arch, "disc_number": im.DiscNumber, "disc_count": im.DiscCount,
		"bootable": im.Bootable, "subvariant": im.Subvariant, "volume_id": nil, "implant_md5": nil,
		"checksums": map[string]string{},
	}
	if im.VolumeID != "" {
		m["volume_id"] = im.VolumeID
	}
	if im.ImplantMD5 != "" {
		m["implant_md5"] = im.ImplantMD5
	}
	if len(im.Checksums) > 0 {
		m["checksums"] = im.Checksums
	}
	// productmd writes both only for a unified image (additional_variants
	// without unified is invalid there), the list even when empty.
	if im.Unified {
		m["unified"] = true
		av := im.AdditionalVariants
		if av == nil {
			av = []string{}
		}
		m["additional_variants"] = av
	}
	return m
}

// Manifest is the compose's image manifest (Pungi's compose.im). It is
// safe for concurrent use by parallel image phases.
type Manifest struct {
	mu     sync.Mutex
	images map[string]map[string][]*Image // variant UID → arch → images
}

// NewManifest returns an empty manifest.
func NewManifest() *Manifest {
	return &Manifest{images: map[string]map[string][]*Image{}}
}

const manifestKey = "images.manifest"

// Of returns the compose's manifest, creating it on first use.
func Of(c *compose.Compose) *Manifest {
	// Set/Value are individually locked; a package-level lock makes the
	// create-once race-free.
	manifestMu.Lock()
	defer manifestMu.Unlock()
	if v, ok := c.Value(manifestKey); ok {
		return v.(*Manifest)
	}
	m := NewManifest()
	c.Set(manifestKey, m)
	return m
}

var manifestMu sync.Mutex

// Add records an image under a variant and arch. The same image may be
// added under several arches (a source ISO is listed under each binary
// arch); it is then one *Image and checksummed once.
func (m *Manifest) Add(variantUID, arch string, im *Image) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.images[variantUID] == nil {
		m.images[variantUID] = map[string][]*Image{}
	}
	for _, old := range m.images[variantUID][arch] {
		if old.Path == im.Path {
			return
		}
	}
	m.images[variantUID][arch] = append(m.images[variantUID][arch], im)
}

// Entry is one (variant, arch, image) of the manifest.
type Entry struct {
	Variant, Arch string
	Image         *Image
}

// All returns every entry, sorted by variant, arch and path.
func (m *Manifest) All() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for v, byArch := range m.images {
		for a, list := range byArch {
			for _, im := range list {
				out = append(out, Entry{v, a, im})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Variant != y.Variant {
			return x.Variant < y.Variant
		}
		if x.Arch != y.Arch {
			return x.Arch < y.Arch
		}
		return x.Image.Path < y.Image.Path
	})
	return out
}

// Len is the number of entries.
func (m *Manifest) Len() int { return len(m.All()) }

// Document renders images.json's content (productmd images 1.2).
func (m *Manifest) Document(c *compose.Compose) map[string]any {
	ci := c.Info.Compose
	comp := map[string]any{"id": ci.ID, "type": ci.Type, "date": ci.Date, "respin": ci.Respin}
	if ci.Label != "" {
		comp["label"] = ci.Label
		comp["final"] = ci.Final
	}
	imgs := map[string]any{}
	for _, e := range m.All() {
		byArch, _ := imgs[e.Variant].(map[string]any)
		if byArch == nil {
			byArch = map[string]any{}
			imgs[e.Variant] = byArch
		}
		list, _ := byArch[e.Arch].([]any)
		byArch[e.Arch] = append(list, e.Image.json())
	}
	return map[string]any{
		"header":  map[string]any{"type": "productmd.images", "version": productmd.FormatVersion},
		"payload": map[string]any{"compose": comp, "images": imgs},
	}
}

// Write writes compose/metadata/images.json atomically.
func (m *Manifest) Write(c *compose.Compose) error {
	return productmd.WriteJSON(c.Paths.Compose.Metadata("images.json"), m.Document(c))
}

// WriteManifest writes the compose's images.json when any image-producing
// phase ran (Pungi writes it only then); for the compose-metadata step.
func WriteManifest(c *compose.Compose) error {
	v, ok := c.Value(manifestKey)
	if !ok {
		return nil
	}
	return v.(*Manifest).Write(c)
}

// NewImage fills path, size and mtime of a file inside compose/.
func NewImage(c *compose.Compose, absPath string) (*Image, error) {
	st, err := os.Stat(absPath)
	if err != nil {
		return nil, err
	}
	top := filepath.Join(c.Topdir, "compose")
	rel, err := filepath.Rel(top, absPath)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("image %s is outside %s", absPath, top)
	}
	return &Image{Path: filepath.ToSlash(rel), Size: st.Size(), MTime: st.ModTime().Unix()}, nil
}
