package multilib

import "slices"

// archParent is yum's rpmUtils arch table as Pungi copies it
// (pungi/arch_utils.py): each arch maps to the next-best compatible one.
var archParent = map[string]string{
	"athlon": "i686", "i686": "i586", "geode": "i586", "i586": "i486", "i486": "i386", "i386": "noarch",
	"x86_64": "athlon", "amd64": "x86_64", "ia32e": "x86_64",
	"ppc64le": "noarch",
	"ppc64p7": "ppc64", "ppc64pseries": "ppc64", "ppc64iseries": "ppc64", "ppc64": "ppc", "ppc": "noarch",
	"s390x": "s390", "s390": "noarch",
	"sparc64v": "sparcv9v", "sparc64": "sparcv9", "sparcv9v": "sparcv9", "sparcv9": "sparcv8", "sparcv8": "sparc", "sparc": "noarch",
	"alphaev7": "alphaev68", "alphaev68": "alphaev67", "alphaev67": "alphaev6", "alphaev6": "alphapca56",
	"alphapca56": "alphaev56", "alphaev56": "alphaev5", "alphaev5": "alphaev45", "alphaev45": "alphaev4",
	"alphaev4": "alpha", "alpha": "noarch",
	"armv7l": "armv6l", "armv6l": "armv5tejl", "armv5tejl": "armv5tel", "armv5tel": "noarch",
	"armv7hnl": "armv7hl", "armv7hl": "armv6hl", "armv6hl": "noarch",
	"arm64": "noarch", "aarch64": "noarch",
	"sh4a": "sh4", "sh4": "noarch", "sh3": "noarch",
	"ia64": "noarch",
}

// multilibCompat maps a biarch arch to its compat (32-bit) arch; ppc64 is
// native-is-best as Pungi patches it, which does not change this column.
var multilibCompat = map[string]string{
	"x86_64": "athlon", "sparc64v": "sparcv9v", "sparc64": "sparcv9", "ppc64": "ppc", "s390x": "s390",
}

// treeToYumArch is Pungi's TREE_ARCH_YUM_ARCH_MAP: the best arch a tree
// arch stands for.
var treeToYumArch = map[string]string{
	"i386": "athlon", "ppc64": "ppc64p7", "sparc": "sparc64v", "arm": "armv7l", "armhfp": "armv7hnl",
}

// archList is yum's getArchList: arch and every arch it can run, best
// first, ending in noarch.
func archList(arch string) []string {
	list := []string{arch}
	for a := arch; ; {
		next, ok := archParent[a]
		if !ok {
			break
		}
		list = append(list, next)
		a = next
	}
	if list[0] == "sparc64v" {
		list = append([]string{"sparc64v", "sparc64"}, list[1:]...)
	}
	if len(list) == 1 {
		list = append(list, "noarch") // an arch yum does not know
	}
	return list
}

// compatArch is yum's getMultiArchInfo(arch)[0]: the multilib arch of arch
// or of the first arch it falls back to that has one.
func compatArch(arch string) string {
	for a := arch; a != "noarch"; {
		if c, ok := multilibCompat[a]; ok {
			return c
		}
		next, ok := archParent[a]
		if !ok {
			return ""
		}
		a = next
	}
	return ""
}

// MultilibArches is Pungi's get_valid_multilib_arches: the compat arches of
// a tree arch, best first (empty when the tree arch has none).
func MultilibArches(treeArch string) []string {
	yum := yumArch(treeArch)
	c := compatArch(yum)
	if c == "" {
		return nil
	}
	var out []string
	for _, a := range archList(c) {
		if a != "noarch" && a != "src" {
			out = append(out, a)
		}
	}
	return out
}

// ValidArches is Pungi's get_valid_arches(tree_arch) with multilib: every
// binary arch of the tree, best first, noarch last.
func ValidArches(treeArch string) []string {
	var out []string
	for _, a := range archList(yumArch(treeArch)) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if !slices.Contains(out, "noarch") {
		out = append(out, "noarch")
	}
	return out
}

// Arches splits a tree arch's arches into native ones (with noarch) and
// multilib ones, each in preference order: x86_64 gives [x86_64 noarch] and
// [athlon i686 i586 i486 i386].
func Arches(treeArch string) (native, multi []string) {
	multi = MultilibArches(treeArch)
	for _, a := range ValidArches(treeArch) {
		if !slices.Contains(multi, a) {
			native = append(native, a)
		}
	}
	return native, multi
}

// IsMultilibArch reports whether arch is one of treeArch's multilib arches.
func IsMultilibArch(treeArch, arch string) bool {
	return slices.Contains(MultilibArches(treeArch), arch)
}

// IsTreeArch reports whether a is an arch a tree (compose, gather) can be
// made for: one yum's arch table knows, or one of Pungi's tree arch names.
func IsTreeArch(a string) bool {
	if _, ok := treeToYumArch[a]; ok {
		return true
	}
	_, ok := archParent[a]
	return ok
}

// IsPackageArch reports whether a is an arch a package can carry: one of
// yum's arch table, noarch, or a source arch (not a tree name like armhfp).
func IsPackageArch(a string) bool {
	_, ok := archParent[a]
	return ok || a == "noarch" || a == "src" || a == "nosrc"
}

func yumArch(treeArch string) string {
	if y, ok := treeToYumArch[treeArch]; ok {
		return y
	}
	return treeArch
}
