package images

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/imagemanifest"
	"github.com/pungo/pungo/phases/productmd"
)

// Image, Manifest and Entry are the compose's image manifest, which the
// compose holds (compose.Compose.Images, package imagemanifest).
type (
	Image    = imagemanifest.Image
	Manifest = imagemanifest.Manifest
	Entry    = imagemanifest.Entry
)

// Of returns the compose's manifest for an image phase to read or add to;
// images.json is written only when some phase asked for it.
func Of(c *compose.Compose) *Manifest { return c.Images.Use() }

// WriteManifest writes the compose's images.json when any image-producing
// phase ran (Pungi writes it only then); for the compose-metadata step.
func WriteManifest(c *compose.Compose) error {
	if !c.Images.Used() {
		return nil
	}
	return productmd.WriteJSON(c.Paths.Compose.Metadata("images.json"), c.Images.Document(c.Info.Compose))
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
