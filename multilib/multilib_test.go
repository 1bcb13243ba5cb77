package multilib

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

func pkg(name, arch string, provides []string, files ...string) *repomd.Package {
	p := &repomd.Package{Name: name, Arch: arch}
	for _, n := range provides {
		p.Provides = p.Provides.Append(repomd.Dep{Name: n})
	}
	for _, f := range files {
		typ := repomd.FileRegular
		if strings.HasSuffix(f, "/") {
			f, typ = strings.TrimSuffix(f, "/"), repomd.FileDir
		} else if strings.HasPrefix(f, "ghost:") {
			f, typ = strings.TrimPrefix(f, "ghost:"), repomd.FileGhost
		}
		p.Files = append(p.Files, repomd.File{Path: f, Type: typ})
	}
	return p
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"*.so.*", "libc.so.6", true},
		{"*.so.*", "libc.so", false},
		{"/usr/lib*/gtk-2.0/*/engines", "/usr/lib64/gtk-2.0/2.10.0/engines", true},
		{"/usr/lib*/gtk-2.0/*/engines", "/usr/lib64/gtk-2.0/a/b/engines", true}, // '*' crosses '/'
		{"/usr/lib*/qt*/plugins/*", "/usr/lib64/qt5/plugins/styles", true},
		{"/usr/lib*/qt*/plugins/*", "/usr/lib64/qt5/plugins", false},
		{"dummy-glibc*", "dummy-glibc-common", true},
		{"dummy-glibc*", "dummy-glib", false},
		{"foo?", "foo1", true},
		{"foo?", "foo", false},
		{"foo[0-9]", "foo7", true},
		{"foo[!0-9]", "foo7", false},
		{"foo[!0-9]", "fooa", true},
		{"foo[]]", "foo]", true},
		{"foo[", "foo[", true}, // unterminated class is a literal '['
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := glob.Python(tt.pat, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

func TestMethods(t *testing.T) {
	kernel := pkg("kernel", "x86_64", []string{"kernel", "kernel(x86-64)"})
	kernel32 := pkg("kernel", "i686", []string{"kernel"})
	kernelDevel := pkg("kernel-devel", "x86_64", []string{"kernel-devel"})
	kernelHeaders := pkg("kernel-headers", "i686", []string{"kernel-headers", "glibc-kernheaders-devel"})
	tests := []struct {
		method string
		p      *repomd.Package
		want   bool
		rule   string // substring of the rule
	}{
		{"none", pkg("foo", "i686", nil, "/usr/lib/libfoo.so.1"), false, "selects nothing"},
		{"all", pkg("foo", "i686", nil), true, "selects every package"},

		// runtime: file rules
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/libfoo.so.1"), true, "/usr/lib/libfoo.so.1: shared library"},
		{"runtime", pkg("foo", "i686", nil, "/lib/libc.so.6"), true, "shared library"},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/libfoo.so"), false, "no runtime library"},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/foo/libfoo.so.1"), false, ""},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/dri/"), false, ""},                           // a directory is judged by its own path
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/dri/sub/"), true, "module in /usr/lib/dri"},  // directories count (hawkey file lists)
		{"runtime", pkg("foo", "i686", nil, "ghost:/usr/lib/libfoo.so.1"), true, "shared library"}, // ghosts count too
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/dri/i915_dri.so"), true, "module in /usr/lib/dri"},
		{"runtime", pkg("pam_foo", "i686", nil, "/lib/security/pam_foo.so"), true, "module in /lib/security"},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/security/pam_foo.so"), false, ""},
		{"runtime", pkg("foo", "i686", nil, "/etc/lsb-release.d/core-4.1"), true, "lsb-release.d"},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/sasl2/libplain.so"), true, "sasl2"},
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/krb5/plugins/preauth/x.so"), false, ""}, // only the dir itself
		{"runtime", pkg("foo", "i686", nil, "/usr/lib/krb5/plugins/x.so"), true, "krb5/plugins"},
		{"runtime", pkg("mysql-libs", "i686", nil, "/etc/ld.so.conf.d/mysql-i386.conf"), true, "ld.so.conf.d"},
		{"runtime", pkg("foo", "i686", nil, "/etc/ld.so.conf.d/readme"), false, ""},
		{"runtime", pkg("nss-x", "i686", nil, "/lib/libnss_files.so"), true, "nss or db"},
		{"runtime", pkg("db", "i686", nil, "/lib/libdb-5.3.so"), true, "nss or db"},
		{"runtime", pkg("db", "i686", nil, "/usr/lib/libdb-5.3.so"), false, ""},
		{"runtime", pkg("gtk2-engines", "i686", nil, "/usr/lib/gtk-2.0/2.10.0/engines/libclearlooks.so"), true, "gtk2 engine"},
		{"runtime", pkg("gtkmod", "i686", nil, "/usr/lib/gtk-2.0/2.10.0/printbackends/libcups.so"), true, "print backend"},
		{"runtime", pkg("gtkmod", "i686", nil, "/usr/lib/gtk-2.0/modules/libfoo.so"), true, "module in /usr/lib/gtk-2.0/modules"},
		{"runtime", pkg("gtkmod", "i686", nil, "/usr/lib/gtk-2.0/2.10.0/themes/x.so"), false, ""},
		{"runtime", pkg("gst", "i686", nil, "/usr/lib/gstreamer-1.0/libgstcore.so"), true, "gstreamer"},
		{"runtime", pkg("qt", "i686", nil, "/usr/lib/qt5/plugins/styles/x.so"), true, "qt plugin"},
		{"runtime", pkg("qt", "i686", nil, "/usr/libexec/qt5/plugins/styles/x.so"), true, "qt plugin"}, // "/usr/lib" prefix quirk
		{"runtime", pkg("kde", "i686", nil, "/usr/lib/kde4/plugins/x/y.so"), true, "kde plugin"},
		{"runtime", pkg("qml", "i686", nil, "/usr/lib/qt5/qml/QtQuick/x.so"), true, "q"},
		{"runtime", pkg("pix", "i686", nil, "/usr/lib/gdk-pixbuf-2.0/2.10.0/loaders/png.so"), true, "gdk-pixbuf"},
		{"runtime", pkg("xine", "i686", nil, "/usr/lib/xine/plugins/2.1/x.so"), true, "xine"},
		{"runtime", pkg("op", "i686", nil, "/usr/lib/oprofile/libopagent.so.1"), true, "oprofile"},
		{"runtime", pkg("op", "i686", nil, "/usr/lib/oprofile/libopagent.so"), false, ""},
		{"runtime", pkg("wine-x", "i686", nil, "/usr/lib/wine/d3d9.so"), true, "wine module"},
		{"runtime", pkg("sane-backends", "i686", nil, "/usr/lib/sane/libsane-hp.so.1"), true, "sane driver"},
		{"runtime", pkg("sane-backends", "i686", nil, "/usr/lib/sane/other.so.1"), false, ""},
		{"runtime", pkg("foo", "i686", nil, "/usr/share/doc/foo/README", "/usr/bin/foo"), false, ""},
		// runtime: built-in lists (substring semantics of python-multilib)
		{"runtime", pkg("valgrind", "i686", nil), true, "[runtime] white"},
		{"runtime", pkg("perl", "i686", nil), true, "[runtime] white"},     // substring of perl-libs
		{"runtime", pkg("syslinux", "i686", nil), true, "[runtime] white"}, // substring of syslinux-nonlinux
		{"runtime", pkg("httpd", "i686", nil, "/usr/lib/libhttpd.so.1"), false, "[runtime] black"},
		{"runtime", pkg("php", "i686", nil, "/usr/lib/libphp.so.5"), false, "[runtime] black"},
		{"runtime", pkg("native", "i686", nil, "/usr/lib/libx.so.1"), false, "[runtime] black"}, // substring of tomcat-native
		{"runtime", pkg("httpd-tools", "i686", nil, "/usr/lib/libapr.so.1"), true, "shared library"},
		// runtime: the base method and kernels
		{"runtime", pkg("gdb", "x86_64", nil), true, "64-bit tool"},
		{"runtime", pkg("gdb", "i686", nil), false, ""},
		{"runtime", pkg("strace", "ppc64", nil), true, "64-bit tool"},
		{"runtime", kernel, true, "kernel on a 64-bit arch"},
		{"runtime", kernelDevel, true, "kernel on a 64-bit arch"},
		{"runtime", pkg("kernel", "i686", []string{"kernel"}, "/lib/modules/x/libfoo.so.1", "/lib/libk.so.1"), false, "kernel package"},

		// devel
		{"devel", pkg("foo-devel", "i686", nil), true, "name ends in -devel"},
		{"devel", pkg("foo-static", "i686", nil), true, "name ends in -static"},
		{"devel", pkg("foo", "i686", []string{"foo-devel"}), false, "not a -devel"}, // provides do not count
		{"devel", pkg("foo-libs", "i686", nil, "/usr/lib/libfoo.so.1"), true, "shared library"},
		{"devel", pkg("httpd-devel", "i686", nil), false, "[devel] black"},
		{"devel", pkg("java-1.8.0-openjdk-devel", "i686", nil), false, "[devel] black"},
		{"devel", pkg("php-dev", "i686", nil), false, "[devel] black"}, // substring of php-devel
		{"devel", pkg("tomcat-native", "i686", nil), false, "[runtime] black"},
		{"devel", pkg("ghc-foo-devel", "i686", nil), false, "ghc-"},
		{"devel", kernelHeaders, true, "provides glibc-kernheaders-devel"},
		{"devel", pkg("kernel-foo", "i686", []string{"kernel-devel", "x-devel"}), false, "kernel-devel"},
		{"devel", pkg("kernel-foo-devel", "i686", []string{"kernel-devel"}), false, "kernel-devel"},
		{"devel", kernel32, false, "kernel package"},
		{"devel", pkg("dummy-lvm2-devel", "i686", []string{"dummy-lvm2-devel", "dummy-lvm2-devel(x86-32)"}), true, "-devel"},

		// legacy
		{"kernel", kernel, true, "kernel on a 64-bit arch"},
		{"kernel", kernelDevel, true, "kernel"},
		{"kernel", kernel32, false, "not a kernel"},
		{"kernel", pkg("kernelshark", "x86_64", []string{"kernelshark"}), false, ""},
		{"yaboot", pkg("yaboot", "ppc", nil), true, "yaboot on ppc"},
		{"yaboot", pkg("yaboot", "ppc64", nil), false, ""},
	}
	for _, tt := range tests {
		c, err := New([]string{tt.method}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, rule := c.IsMultilib(tt.p)
		if got != tt.want || !strings.HasPrefix(rule, tt.method+": ") || !strings.Contains(rule, tt.rule) {
			t.Errorf("%s(%s.%s %v) = %v %q, want %v with rule containing %q",
				tt.method, tt.p.Name, tt.p.Arch, tt.p.Files, got, rule, tt.want, tt.rule)
		}
	}
}

func TestCheckerOrder(t *testing.T) {
	libs := pkg("libfoo-devel", "i686", nil, "/usr/lib/libfoo.so.1")
	tests := []struct {
		methods, black, white []string
		p                     *repomd.Package
		want                  bool
		rule                  string
	}{
		{[]string{"devel", "runtime"}, nil, nil, libs, true, "devel: /usr/lib/libfoo.so.1: shared library in a standard libdir"},
		{[]string{"runtime", "devel"}, nil, nil, libs, true, "runtime: /usr/lib/libfoo.so.1: shared library in a standard libdir"},
		{[]string{"runtime", "devel"}, nil, nil, pkg("x-devel", "i686", nil), true, "devel: name ends in -devel"},
		{[]string{"all"}, []string{"libfoo*"}, []string{"libfoo-devel"}, libs, false, "blacklist"},
		{[]string{"none"}, nil, []string{"libfoo-*"}, libs, true, "whitelist"},
		{nil, nil, nil, libs, false, "no multilib method configured"},
		{[]string{"none", "runtime"}, nil, nil, pkg("zz", "i686", nil), false, "none: method none selects nothing; runtime: no runtime library or plugin in files"},
	}
	for _, tt := range tests {
		c, err := New(tt.methods, tt.black, tt.white)
		if err != nil {
			t.Fatal(err)
		}
		got, rule := c.IsMultilib(tt.p)
		if got != tt.want || rule != tt.rule {
			t.Errorf("methods %v black %v white %v: got %v %q, want %v %q", tt.methods, tt.black, tt.white, got, rule, tt.want, tt.rule)
		}
	}
	if _, err := New([]string{"runtime", "bogus"}, nil, nil); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("unknown method: err = %v", err)
	}
	c, _ := New([]string{"devel", "devel", "runtime"}, nil, nil)
	if got := c.Methods(); !reflect.DeepEqual(got, []string{"devel", "runtime"}) {
		t.Errorf("Methods() = %v", got)
	}
}

func TestArches(t *testing.T) {
	tests := []struct {
		tree          string
		native, multi []string
		valid         []string
	}{
		{"x86_64", []string{"x86_64", "noarch"}, []string{"athlon", "i686", "i586", "i486", "i386"},
			[]string{"x86_64", "athlon", "i686", "i586", "i486", "i386", "noarch"}},
		{"i386", []string{"athlon", "i686", "i586", "i486", "i386", "noarch"}, nil, nil},
		{"i686", []string{"i686", "i586", "i486", "i386", "noarch"}, nil, nil},
		{"aarch64", []string{"aarch64", "noarch"}, nil, nil},
		{"ppc64le", []string{"ppc64le", "noarch"}, nil, nil},
		{"ppc64", []string{"ppc64p7", "ppc64", "noarch"}, []string{"ppc"}, []string{"ppc64p7", "ppc64", "ppc", "noarch"}},
		{"s390x", []string{"s390x", "noarch"}, []string{"s390"}, []string{"s390x", "s390", "noarch"}},
		{"armhfp", []string{"armv7hnl", "armv7hl", "armv6hl", "noarch"}, nil, nil},
		{"arm", []string{"armv7l", "armv6l", "armv5tejl", "armv5tel", "noarch"}, nil, nil},
		{"sparc", []string{"sparc64v", "sparc64", "noarch"}, []string{"sparcv9v", "sparcv9", "sparcv8", "sparc"}, nil},
		{"riscv64", []string{"riscv64", "noarch"}, nil, nil},
	}
	for _, tt := range tests {
		native, multi := Arches(tt.tree)
		if !reflect.DeepEqual(native, tt.native) || !reflect.DeepEqual(multi, tt.multi) {
			t.Errorf("Arches(%s) = %v %v, want %v %v", tt.tree, native, multi, tt.native, tt.multi)
		}
		if tt.valid != nil {
			if got := ValidArches(tt.tree); !reflect.DeepEqual(got, tt.valid) {
				t.Errorf("ValidArches(%s) = %v, want %v", tt.tree, got, tt.valid)
			}
		}
	}
	if !IsMultilibArch("x86_64", "i686") || IsMultilibArch("x86_64", "noarch") || IsMultilibArch("aarch64", "armv7hl") {
		t.Error("IsMultilibArch gives wrong answers")
	}
}

// The short name "x" is a substring of "syslinux-…" in the runtime white
// list, so python-multilib whitelists it: kept as a regression test of that
// faithful quirk.
func TestSubstringQuirk(t *testing.T) {
	c, _ := New([]string{"runtime"}, nil, nil)
	if ok, rule := c.IsMultilib(pkg("x", "i686", nil)); !ok || rule != "runtime: name in multilib.conf [runtime] white" {
		t.Errorf("x.i686 = %v %q", ok, rule)
	}
}

func TestKnownArches(t *testing.T) {
	for _, tt := range []struct {
		arch      string
		tree, pkg bool
	}{
		{"x86_64", true, true},
		{"i686", true, true},
		{"aarch64", true, true},
		{"ppc64le", true, true},
		{"s390x", true, true},
		{"armhfp", true, false},
		{"noarch", false, true},
		{"src", false, true},
		{"nosrc", false, true},
		{"x86-64", false, false},
		{"", false, false},
	} {
		if got := IsTreeArch(tt.arch); got != tt.tree {
			t.Errorf("IsTreeArch(%q) = %v, want %v", tt.arch, got, tt.tree)
		}
		if got := IsPackageArch(tt.arch); got != tt.pkg {
			t.Errorf("IsPackageArch(%q) = %v, want %v", tt.arch, got, tt.pkg)
		}
	}
}
