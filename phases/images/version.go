package images

import (
	"fmt"
	"strings"

	"github.com/pungo/pungo/phases/compose"
)

// VersionGenerator is Pungi's version_generator: the magic values
// "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN",
// "!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN", "!RELEASE_FROM_DATE_RESPIN",
// "!VERSION_FROM_VERSION_DATE_RESPIN" and "!VERSION_FROM_VERSION" are
// computed from the compose identity ci; other values are returned unchanged and an
// unknown "!…" is an error.
func VersionGenerator(ci *compose.Info, gen string) (string, error) {
	switch gen {
	case "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN":
		return compose.ImageVersion(ci) + "." + compose.ImageRelease(ci), nil
	case "!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN":
		return compose.ImageRelease(ci), nil
	case "!RELEASE_FROM_DATE_RESPIN":
		return fmt.Sprintf("%s.%d", ci.Compose.Date, ci.Compose.Respin), nil
	case "!VERSION_FROM_VERSION_DATE_RESPIN":
		return fmt.Sprintf("%s.%s.%d", ci.Release.Version, ci.Compose.Date, ci.Compose.Respin), nil
	case "!VERSION_FROM_VERSION":
		return ci.Release.Version, nil
	}
	if strings.HasPrefix(gen, "!") {
		return "", fmt.Errorf("Unknown version generator '%s'", gen)
	}
	return gen, nil
}
