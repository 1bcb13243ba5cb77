package modulemd

import (
	"strconv"
	"strings"

	"github.com/pungo/pungo/repomd"
)

// ArtifactKey is the form in which modulemd lists artifacts and Pungi
// compares packages with them: "name-epoch:version-release.arch" with the
// epoch always present (0 when the package has none).
func ArtifactKey(name, epoch, version, release, arch string) string {
	if n, err := strconv.ParseUint(epoch, 10, 64); err == nil {
		epoch = strconv.FormatUint(n, 10)
	} else if epoch == "" {
		epoch = "0"
	}
	return name + "-" + epoch + ":" + version + "-" + release + "." + arch
}

// PackageKey is ArtifactKey of a package.
func PackageKey(p *repomd.Package) string {
	return ArtifactKey(p.Name, p.Epoch, p.Version, p.Release, p.Arch)
}

// ParseArtifact splits an artifact "name-[epoch:]version-release.arch".
// ok is false for a string that is not of that shape.
func ParseArtifact(a string) (n repomd.NEVRA, ok bool) {
	n, err := repomd.ParseNEVRA(strings.TrimSpace(a))
	if err != nil || n.Name == "" || n.Arch == "" {
		return repomd.NEVRA{}, false
	}
	return n, true
}

// NormalizeArtifact returns the ArtifactKey form of an artifact string
// (adding epoch 0 when it lacks one), or "" when it does not parse.
func NormalizeArtifact(a string) string {
	n, ok := ParseArtifact(a)
	if !ok {
		return ""
	}
	return ArtifactKey(n.Name, n.Epoch, n.Version, n.Release, n.Arch)
}

// validArtifact is libmodulemd's check of an artifact: it parses as
// N-E:V-R.A with an explicit epoch.
func validArtifact(a string) bool {
	n, ok := ParseArtifact(a)
	return ok && n.Epoch != "" && n.Version != "" && n.Release != ""
}
