package multilib

import "strings"

// The built-in lists of python-multilib's default /etc/multilib.conf.
//
// python-multilib reads each list with ConfigParser.get, which yields the
// continuation lines joined by "\n" as one string, and then tests
// membership with Python's "in" on that string: a substring test, not a
// list lookup. So "perl" counts as whitelisted because "perl-libs" is in the
// list, and "php-dev" as devel-blacklisted. The gather golden data were
// recorded with exactly that behaviour, so confList reproduces it.
type confList string

var (
	runtimeWhite confList = "libflashsupport\nlibgnat\nlmms-vst\nnspluginwrapper\nperl-libs\nredhat-lsb\nsyslinux-extlinux-nonlinux\nsyslinux-nonlinux\nsyslinux-tftpboot\nvalgrind\nwine\nyaboot"
	runtimeBlack confList = "httpd\nphp\ntomcat-native"
	develWhite   confList = ""
	develBlack   confList = "dmraid-devel\nhttpd-devel\nkdeutils-devel\nmkinitrd-devel\njava-1.5.0-gcj-devel\njava-1.6.0-openjdk-devel\njava-1.7.0-icedtea-devel\njava-1.7.0-openjdk-devel\njava-1.8.0-openjdk-devel\nphp-devel"
)

// has is Python's `name in list_string`.
func (l confList) has(name string) bool { return strings.Contains(string(l), name) }

// prefer64 are the packages python-multilib's base method selects on a
// 64-bit arch (a frozenset there: exact names).
var prefer64 = map[string]bool{
	"gdb": true, "frysk": true, "systemtap": true, "systemtap-runtime": true, "ltrace": true, "strace": true,
}
