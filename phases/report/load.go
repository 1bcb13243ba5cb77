package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
)

// Compose is the published part of one finished compose.
type Compose struct {
	ID         string
	Release    string // short-version, e.g. "Fedora-40"
	ComposeDir string // the compose/ directory; rpms.json paths are relative to it

	// Rpms is rpms.json: variant → arch → source NEVRA → NEVRA → entry.
	Rpms map[string]map[string]map[string]map[string]productmd.RpmEntry
	// Images are images.json's entries (none when the file is absent).
	Images []Image

	repoPaths map[string]map[string]map[string]string // variant → path kind → arch → dir
	repos     map[string]*repoIndex                   // by directory
}

// Image is one images.json entry, as far as a comparison needs it.
type Image struct {
	Variant    string `json:"variant"`
	Arch       string `json:"arch"`
	Path       string `json:"path"`
	Type       string `json:"type"`
	Format     string `json:"format"`
	Subvariant string `json:"subvariant"`
	Size       int64  `json:"size"`
	Checksum   string `json:"checksum,omitempty"` // sha256 when present
}

// repoIndex is one variant repository: its packages by compose-relative
// path, and whether other.xml (changelogs) has been read.
type repoIndex struct {
	repo      *repomd.Repo
	byPath    map[string]*repomd.Package
	otherRead bool
	err       error
}

// Load reads a finished compose given as its top directory, its compose/
// directory or its compose/metadata directory.
func Load(path string) (*Compose, error) {
	meta, err := metadataDir(path)
	if err != nil {
		return nil, err
	}
	c := &Compose{ComposeDir: filepath.Dir(meta), repos: map[string]*repoIndex{}}
	if err := c.readComposeInfo(filepath.Join(meta, "composeinfo.json")); err != nil {
		return nil, err
	}
	rpmsPath := filepath.Join(meta, "rpms.json")
	data, err := os.ReadFile(rpmsPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Rpms = map[string]map[string]map[string]map[string]productmd.RpmEntry{}
	case err != nil:
		return nil, err
	default:
		r, err := productmd.ReadRpms(data, rpmsPath)
		if err != nil {
			return nil, err
		}
		c.Rpms = r.Variants()
	}
	if err := c.readImages(filepath.Join(meta, "images.json")); err != nil {
		return nil, err
	}
	return c, nil
}

// metadataDir finds compose/metadata from any of the accepted forms.
func metadataDir(path string) (string, error) {
	for _, cand := range []string{path, filepath.Join(path, "metadata"), filepath.Join(path, "compose", "metadata")} {
		if _, err := os.Stat(filepath.Join(cand, "composeinfo.json")); err == nil {
			return filepath.Abs(cand)
		}
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s: no such compose directory", path)
	}
	return "", fmt.Errorf("%s: not a compose (no composeinfo.json in it, in metadata/ or in compose/metadata/)", path)
}

func (c *Compose) readComposeInfo(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var doc struct {
		Header  productmd.Header `json:"header"`
		Payload struct {
			Compose struct {
				ID string `json:"id"`
			} `json:"compose"`
			Release struct {
				Short   string `json:"short"`
				Version string `json:"version"`
			} `json:"release"`
			Variants map[string]struct {
				Paths map[string]map[string]string `json:"paths"`
			} `json:"variants"`
		} `json:"payload"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if doc.Header.Type != "productmd.composeinfo" {
		return fmt.Errorf("%s: header type %q is not productmd.composeinfo", path, doc.Header.Type)
	}
	c.ID = doc.Payload.Compose.ID
	c.Release = doc.Payload.Release.Short + "-" + doc.Payload.Release.Version
	c.repoPaths = map[string]map[string]map[string]string{}
	for uid, v := range doc.Payload.Variants {
		c.repoPaths[uid] = v.Paths
	}
	return nil
}

func (c *Compose) readImages(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var doc struct {
		Header  productmd.Header `json:"header"`
		Payload struct {
			Images map[string]map[string][]struct {
				Path       string            `json:"path"`
				Type       string            `json:"type"`
				Format     string            `json:"format"`
				Subvariant string            `json:"subvariant"`
				Size       int64             `json:"size"`
				Checksums  map[string]string `json:"checksums"`
			} `json:"images"`
		} `json:"payload"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if doc.Header.Type != "productmd.images" {
		return fmt.Errorf("%s: header type %q is not productmd.images", path, doc.Header.Type)
	}
	for v, arches := range doc.Payload.Images {
		for a, list := range arches {
			for _, im := range list {
				c.Images = append(c.Images, Image{Variant: v, Arch: a, Path: im.Path, Type: im.Type, Format: im.Format,
					Subvariant: im.Subvariant, Size: im.Size, Checksum: im.Checksums["sha256"]})
			}
		}
	}
	return nil
}

// repoKind is the composeinfo path kind holding packages of a category.
func repoKind(category string) string {
	switch category {
	case "debug":
		return "debug_repository"
	case "source":
		return "source_repository"
	}
	return "repository"
}

// pkg returns the repository metadata of the package at a compose-relative
// path (nil when the repository cannot be read: a metadata-only copy),
// reading other.xml too when changelogs are wanted.
func (c *Compose) pkg(variant, arch, category, path string, changelogs bool) *repomd.Package {
	dir := c.repoPaths[variant][repoKind(category)][arch]
	if dir == "" {
		return nil
	}
	ri := c.repos[dir]
	if ri == nil {
		ri = &repoIndex{byPath: map[string]*repomd.Package{}}
		c.repos[dir] = ri
		ri.repo, ri.err = repomd.Open(filepath.Join(c.ComposeDir, dir))
		if ri.err == nil {
			for _, p := range ri.repo.Packages {
				ri.byPath[filepath.ToSlash(filepath.Join(dir, p.Location))] = p
			}
		}
	}
	if ri.err != nil {
		return nil
	}
	if changelogs && !ri.otherRead {
		ri.otherRead = true
		if _, ok := ri.repo.Record("other"); ok {
			if err := ri.repo.LoadOther(); err != nil {
				ri.err = err
				return nil
			}
		}
	}
	return ri.byPath[path]
}

// repoErrors lists the repositories that could not be read, so a report
// can say why sizes or changelogs are missing.
func (c *Compose) repoErrors() []string {
	var out []string
	for _, ri := range c.repos {
		if ri.err != nil {
			out = append(out, ri.err.Error())
		}
	}
	return out
}
