package multilib

import (
	"strings"

	"github.com/pungo/pungo/repomd"
)

// A method is one python-multilib selection method. It reports whether p
// should be shipped as multilib and the rule that decided (always set, so
// negative answers can be explained too).
type method func(p *repomd.Package) (bool, string)

// methodsByName are the methods Pungi's multilib option accepts.
var methodsByName = map[string]method{
	"none":    methodNone,
	"all":     methodAll,
	"runtime": methodRuntime,
	"devel":   methodDevel,
	"kernel":  methodKernel,
	"yaboot":  methodYaboot,
}

// Methods lists the accepted method names.
func Methods() []string { return []string{"none", "all", "runtime", "devel", "kernel", "yaboot"} }

func methodNone(*repomd.Package) (bool, string) { return false, "method none selects nothing" }

func methodAll(*repomd.Package) (bool, string) { return true, "method all selects every package" }

// providesName reports whether p provides a capability named exactly n.
func providesName(p *repomd.Package, n string) bool {
	for i := range p.Provides.Len() {
		if p.Provides.Name(i) == n {
			return true
		}
	}
	return false
}

// isKernelOn64 is python-multilib's kernel test: a kernel or kernel-devel
// package (by name prefix and provide) on an arch whose name contains "64".
func isKernelOn64(p *repomd.Package) bool {
	if !strings.Contains(p.Arch, "64") || !strings.HasPrefix(p.Name, "kernel") {
		return false
	}
	return providesName(p, "kernel") || providesName(p, "kernel-devel")
}

// baseSelect is python-multilib's MultilibMethod.select, shared by runtime
// and devel: debuggers/tracers and kernels on 64-bit arches.
func baseSelect(p *repomd.Package) (bool, string) {
	if strings.Contains(p.Arch, "64") && prefer64[p.Name] {
		return true, "64-bit tool always shipped for both arches (" + p.Name + ")"
	}
	if isKernelOn64(p) {
		return true, "kernel on a 64-bit arch"
	}
	return false, ""
}

func methodKernel(p *repomd.Package) (bool, string) {
	if isKernelOn64(p) {
		return true, "kernel on a 64-bit arch"
	}
	return false, "not a kernel package on a 64-bit arch"
}

func methodYaboot(p *repomd.Package) (bool, string) {
	if p.Arch == "ppc" && strings.HasPrefix(p.Name, "yaboot") {
		return true, "yaboot on ppc"
	}
	return false, "not yaboot on ppc"
}

func methodRuntime(p *repomd.Package) (bool, string) {
	if runtimeBlack.has(p.Name) {
		return false, "name in multilib.conf [runtime] black"
	}
	if runtimeWhite.has(p.Name) {
		return true, "name in multilib.conf [runtime] white"
	}
	if ok, rule := baseSelect(p); ok {
		return true, rule
	}
	if strings.HasPrefix(p.Name, "kernel") && providesName(p, "kernel") {
		return false, "kernel package"
	}
	if path, why := runtimeFile(p); path != "" {
		return true, path + ": " + why
	}
	return false, "no runtime library or plugin in files"
}

func methodDevel(p *repomd.Package) (bool, string) {
	if develBlack.has(p.Name) {
		return false, "name in multilib.conf [devel] black"
	}
	if develWhite.has(p.Name) {
		return true, "name in multilib.conf [devel] white"
	}
	ok, rule := methodRuntime(p)
	if ok {
		return true, rule
	}
	if strings.HasPrefix(p.Name, "ghc-") {
		return false, "ghc- package"
	}
	if strings.HasPrefix(p.Name, "kernel") {
		// First matching provide decides, as python-multilib walks them.
		for i := range p.Provides.Len() {
			n := p.Provides.Name(i)
			if n == "kernel-devel" {
				return false, "kernel-devel"
			}
			if strings.HasSuffix(n, "-devel") || strings.HasSuffix(n, "-static") {
				return true, "kernel package provides " + n
			}
		}
	}
	if strings.HasSuffix(p.Name, "-devel") {
		return true, "name ends in -devel"
	}
	if strings.HasSuffix(p.Name, "-static") {
		return true, "name ends in -static"
	}
	return false, "not a -devel/-static package; " + rule
}
