package multilib

import (
	"strings"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

// Directories of python-multilib's runtime method. libDirs hold shared
// libraries; pluginDirs hold modules loaded into a process (alsa, dri, gtk2
// accessibility and input methods, krb5 and sasl plugins, vdpau, pam) or
// lsb drop-ins, so the whole directory counts.
var (
	rootLibDirs = map[string]bool{"/lib": true, "/lib64": true}
	libDirs     = map[string]bool{"/lib": true, "/lib64": true, "/usr/lib": true, "/usr/lib64": true}
	pluginDirs  = func() map[string]bool {
		m := map[string]bool{"/lib/security": true, "/lib64/security": true, "/etc/lsb-release.d": true}
		for _, d := range []string{"alsa-lib", "dri", "gtk-2.0/modules", "gtk-2.0/immodules", "krb5/plugins", "sasl2", "vdpau"} {
			m["/usr/lib/"+d] = true
			m["/usr/lib64/"+d] = true
		}
		return m
	}()
)

// usrLibGlobs are the /usr/lib* directory patterns whose files are loaded
// into processes, in python-multilib's order (after the gtk-2.0 ones).
var usrLibGlobs = []struct{ glob, why string }{
	{"/usr/lib*/qt*/plugins/*", "qt plugin"},
	{"/usr/lib*/kde*/plugins/*", "kde plugin"},
	{"/usr/lib*/qt5/qml/*", "qml module"},
	{"/usr/lib*/gdk-pixbuf-2.0/*/loaders", "gdk-pixbuf loader"},
	{"/usr/lib*/xine/plugins/*", "xine plugin"},
}

var gtk2Globs = []struct{ glob, why string }{
	{"/usr/lib*/gtk-2.0/*/engines", "gtk2 engine"},
	{"/usr/lib*/gtk-2.0/*/modules", "gtk2 module"},
	{"/usr/lib*/gtk-2.0/*/immodules", "gtk2 input method"},
	{"/usr/lib*/gtk-2.0/*/loaders", "gtk2 loader"},
	{"/usr/lib*/gtk-2.0/*/printbackends", "gtk2 print backend"},
	{"/usr/lib*/gtk-2.0/*/filesystems", "gtk2 filesystem module"},
}

// runtimeFile returns the first packaged file that makes p a runtime
// multilib package, and why; "" when none does.
//
// Every entry counts, directories and ghosts included: Pungi hands
// python-multilib hawkey packages, whose file list is the whole filelists
// entry (the recorded gathers select dummy-glibc.i686 for its ghost
// /lib/libc.so.6). Files are those of p.Files, so callers load filelists
// first for a complete answer.
func runtimeFile(p *repomd.Package) (path, why string) {
	for i := range p.Files {
		f := &p.Files[i]
		if why := runtimeFileRule(f.Path); why != "" {
			return f.Path, why
		}
	}
	return "", ""
}

// RuntimePath reports whether the runtime method's file test accepts
// path, so a loader that keeps only some paths of each package's list
// (depsolve's filtered file lists) can keep every one the method reads.
func RuntimePath(path string) bool { return runtimeFileRule(path) != "" }

// runtimeFileRule applies python-multilib's per-file tests to one path.
func runtimeFileRule(path string) string {
	slash := strings.LastIndexByte(path, '/')
	if slash < 0 {
		return "" // python-multilib would fail to split it; nothing to match
	}
	dir, base := path[:slash], path[slash+1:]
	// Every test below wants a directory under /lib, /usr/lib or /etc:
	// answer the rest (most paths) without a map lookup or a match.
	if !strings.HasPrefix(dir, "/lib") && !strings.HasPrefix(dir, "/usr/lib") && !strings.HasPrefix(dir, "/etc/") {
		return ""
	}

	// "*.so.*" as fnmatch reads it: ".so." anywhere in the name.
	if libDirs[dir] && strings.Contains(base, ".so.") {
		return "shared library in a standard libdir"
	}
	if pluginDirs[dir] {
		return "module in " + dir
	}
	if dir == "/etc/ld.so.conf.d" && strings.HasSuffix(base, ".conf") {
		return "ld.so.conf.d drop-in"
	}
	if rootLibDirs[dir] && (strings.HasPrefix(base, "libnss_") || strings.HasPrefix(base, "libdb-")) {
		return "nss or db module in " + dir
	}
	// Everything below concerns /usr/lib and /usr/lib64 (python-multilib
	// tests the prefix "/usr/lib", so /usr/libexec passes this gate too).
	if !strings.HasPrefix(dir, "/usr/lib") {
		return ""
	}
	if strings.HasPrefix(dir, "/usr/lib/gtk-2.0") || strings.HasPrefix(dir, "/usr/lib64/gtk-2.0") {
		for _, g := range gtk2Globs {
			if glob.Python(g.glob, dir) {
				return g.why
			}
		}
		return ""
	}
	if strings.HasPrefix(dir, "/usr/lib/gstreamer-") || strings.HasPrefix(dir, "/usr/lib64/gstreamer-") {
		return "gstreamer plugin"
	}
	// Every usrLibGlobs pattern needs one of these in the directory; most
	// /usr/lib paths have none, and matching the patterns costs far more
	// than looking (a filtered file list load asks about every path).
	if strings.Contains(dir, "/plugins/") || strings.Contains(dir, "/qt5/qml/") || strings.Contains(dir, "/gdk-pixbuf-2.0/") {
		for _, g := range usrLibGlobs {
			if glob.Python(g.glob, dir) {
				return g.why
			}
		}
	}
	if (dir == "/usr/lib/oprofile" || dir == "/usr/lib64/oprofile") && glob.Python("*.so.*", base) {
		return "oprofile library"
	}
	if (dir == "/usr/lib/wine" || dir == "/usr/lib64/wine") && strings.HasSuffix(base, ".so") {
		return "wine module"
	}
	if (dir == "/usr/lib/sane" || dir == "/usr/lib64/sane") && strings.HasPrefix(base, "libsane-") {
		return "sane driver"
	}
	return ""
}
