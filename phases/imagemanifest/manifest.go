// Package imagemanifest owns a compose's image manifest (Pungi's
// compose.im, written as images.json): the images every image-producing
// phase made, per variant and arch. The compose holds one Manifest
// (compose.Compose.Images); package images hands it to the phases.
package imagemanifest

import (
	"sort"
	"sync"

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
// safe for concurrent use by parallel image phases. Its zero value is an
// empty manifest no phase has used yet.
type Manifest struct {
	mu     sync.Mutex
	used   bool
	images map[string]map[string][]*Image // variant UID → arch → images
}

// Use records that an image phase uses the manifest (images.json is
// written only then, as Pungi does) and returns it.
func (m *Manifest) Use() *Manifest {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used = true
	return m
}

// Used tells whether any phase used the manifest.
func (m *Manifest) Used() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

// Add records an image under a variant and arch. The same image may be
// added under several arches (a source ISO is listed under each binary
// arch); it is then one *Image and checksummed once.
func (m *Manifest) Add(variantUID, arch string, im *Image) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.images == nil {
		m.images = map[string]map[string][]*Image{}
	}
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
func (m *Manifest) Document(ci productmd.ComposeSection) map[string]any {
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
