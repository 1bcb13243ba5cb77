package depsolve

import (
	"strings"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/repomd"
)

// Package classes, computed once per Gather. Pungi keeps them as dnf
// queries (q_binary_packages, q_native_binary_packages, …); here each is a
// predicate over these bits.
const (
	cSource   uint8 = 1 << iota // src or nosrc
	cArchOK                     // a binary arch of the tree (native, multilib or noarch)
	cDebug                      // name matches a debug pattern
	cNative                     // native arch or noarch
	cMulti                      // multilib arch or noarch (Pungi counts noarch in both)
	cNoarch                     // noarch
	cExcluded                   // removed by an exclude pattern or the multilib blacklist
)

// patternArches are the arch names an input "name.arch" may use (the keys of
// Pungi's arch_utils.arches); noarch and src are not among them.
var patternArches = map[string]bool{
	"athlon": true, "i686": true, "geode": true, "i586": true, "i486": true, "i386": true,
	"x86_64": true, "amd64": true, "ia32e": true, "ppc64le": true,
	"ppc64p7": true, "ppc64pseries": true, "ppc64iseries": true, "ppc64": true, "ppc": true,
	"s390x": true, "s390": true,
	"sparc64v": true, "sparc64": true, "sparcv9v": true, "sparcv9": true, "sparcv8": true, "sparc": true,
	"alphaev7": true, "alphaev68": true, "alphaev67": true, "alphaev6": true, "alphapca56": true,
	"alphaev56": true, "alphaev5": true, "alphaev45": true, "alphaev4": true, "alpha": true,
	"armv7l": true, "armv6l": true, "armv5tejl": true, "armv5tel": true,
	"armv7hnl": true, "armv7hl": true, "armv6hl": true,
	"arm64": true, "aarch64": true, "sh4a": true, "sh4": true, "sh3": true, "ia64": true,
}

// baseArch maps an arch to the tree arch dnf's basearch gives it (i686 →
// i386); other arches are their own base.
func baseArch(arch string) string {
	switch arch {
	case "i386", "i486", "i586", "i686", "athlon", "geode":
		return "i386"
	case "amd64", "ia32e":
		return "x86_64"
	}
	return arch
}

// arches holds a tree arch's arch universe.
type arches struct {
	rank   map[string]int  // all arches, best first (Pungi's all_arches order)
	native map[string]bool // native arches and noarch
	multi  map[string]bool // multilib arches
}

func newArches(arch string) arches {
	base := baseArch(arch)
	native, multi := multilib.Arches(base)
	a := arches{rank: map[string]int{}, native: map[string]bool{}, multi: map[string]bool{}}
	for i, x := range multilib.ValidArches(base) {
		a.rank[x] = i
	}
	for _, x := range native {
		a.native[x] = true
	}
	for _, x := range multi {
		a.multi[x] = true
	}
	return a
}

func (a arches) classify(p *repomd.Package) uint8 {
	if p.IsSource() {
		return cSource
	}
	if _, ok := a.rank[p.Arch]; !ok {
		return 0
	}
	c := cArchOK
	if isDebugName(p.Name) {
		c |= cDebug
	}
	if p.Arch == "noarch" {
		c |= cNoarch | cNative | cMulti
	} else if a.native[p.Arch] {
		c |= cNative
	} else {
		c |= cMulti
	}
	return c
}

// isDebugName reports whether name matches one of Pungi's DEBUG_PATTERNS
// ("*-debuginfo", "*-debuginfo-*", "*-debugsource") as a whole.
func isDebugName(name string) bool {
	return strings.HasSuffix(name, "-debuginfo") || strings.Contains(name, "-debuginfo-") ||
		strings.HasSuffix(name, "-debugsource")
}

// isDebugInput is Pungi's test on input patterns: the debug patterns with
// "*" read as the regular expression ".+" and matched at the start only, so
// any pattern with "-debuginfo" or "-debugsource" after its first byte.
func isDebugInput(pattern string) bool {
	if len(pattern) < 2 {
		return false
	}
	rest := pattern[1:]
	return strings.Contains(rest, "-debuginfo") || strings.Contains(rest, "-debugsource")
}

// sourceName is Pungi's get_source_name: the sourcerpm with its last two
// dash-separated fields removed.
func sourceName(sourcerpm string) string {
	s := sourcerpm
	for k := 0; k < 2; k++ {
		i := strings.LastIndexByte(s, '-')
		if i < 0 {
			return s
		}
		s = s[:i]
	}
	return s
}

// nvr is a (name, version, release) key.
type nvr struct{ name, version, release string }

// parseSourceNVR is kobo's parse_nvra on a sourcerpm file name, keeping
// name, version and release.
func parseSourceNVR(sourcerpm string) nvr {
	s := strings.TrimSuffix(sourcerpm, ".rpm")
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[:i] // arch
	}
	var k nvr
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		k.release = s[i+1:]
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		k.version = s[i+1:]
		s = s[:i]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 { // "epoch:name" form
		s = s[i+1:]
	}
	k.name = s
	return k
}
