package images

import (
	"sync"

	"github.com/pungo/pungo/phases/compose"
)

// Buildinstall results are shared through the compose so createiso and
// the boot image tests need not import the buildinstall phase.

var biMu sync.Mutex

const biKey = "images.buildinstall"

func biKeyOf(v *compose.Variant, arch string) string {
	if v == nil {
		return "." + arch
	}
	return v.UID + "." + arch
}

// MarkBuildinstall records whether buildinstall succeeded for a variant
// (nil: the compose-wide run) and arch.
func MarkBuildinstall(c *compose.Compose, v *compose.Variant, arch string, ok bool) {
	biMu.Lock()
	defer biMu.Unlock()
	m, _ := c.Value(biKey)
	res, _ := m.(map[string]bool)
	if res == nil {
		res = map[string]bool{}
		c.Set(biKey, res)
	}
	res[biKeyOf(v, arch)] = ok
}

// BuildinstallSucceeded reports whether buildinstall produced boot media
// for the variant and arch (a per-variant result, else the compose-wide one).
func BuildinstallSucceeded(c *compose.Compose, v *compose.Variant, arch string) bool {
	biMu.Lock()
	defer biMu.Unlock()
	m, _ := c.Value(biKey)
	res, _ := m.(map[string]bool)
	if ok, found := res[biKeyOf(v, arch)]; found {
		return ok
	}
	return res[biKeyOf(nil, arch)]
}
