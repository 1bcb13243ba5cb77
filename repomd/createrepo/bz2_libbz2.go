//go:build cgo

package createrepo

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>

typedef int (*bz_buff_compress)(char *dest, unsigned int *destLen, char *source,
	unsigned int sourceLen, int blockSize100k, int verbosity, int workFactor);

static bz_buff_compress bz_compress_fn;

// bz_load finds libbz2 at run time: the runtime library is on every
// Debian and Fedora system (dpkg and rpm need it), its headers and
// unversioned .so are not, so linking against it would make them a build
// dependency of the whole project.
static int bz_load(void) {
	static const char *names[] = {"libbz2.so.1.0", "libbz2.so.1", "libbz2.so", NULL};
	for (int i = 0; names[i] != NULL; i++) {
		void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (h == NULL) continue;
		bz_compress_fn = (bz_buff_compress)dlsym(h, "BZ2_bzBuffToBuffCompress");
		if (bz_compress_fn != NULL) return 1;
		dlclose(h);
	}
	return 0;
}

static int bz_compress(char *dest, unsigned int *destLen, char *source, unsigned int sourceLen, int level) {
	return bz_compress_fn(dest, destLen, source, sourceLen, level, 0, 0);
}
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

const cgoEnabled = true

var libbz2 = sync.OnceValue(func() bool { return C.bz_load() == 1 })

// libbz2Chunk compresses data as one complete bzip2 stream at block size
// level with the system's libbz2, appending it to dst. ok is false when
// libbz2 could not be loaded.
func libbz2Chunk(dst, data []byte, level int) (out []byte, ok bool, err error) {
	if !libbz2() || len(data) == 0 {
		return dst, false, nil
	}
	// bzlib.h's documented bound: 1% larger plus 600 bytes.
	bound := len(data) + len(data)/100 + 600
	start := len(dst)
	if cap(dst)-start < bound {
		grown := make([]byte, start, start+bound)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:start+bound]
	n := C.uint(bound)
	rc := C.bz_compress((*C.char)(unsafe.Pointer(&dst[start])), &n, (*C.char)(unsafe.Pointer(&data[0])), C.uint(len(data)), C.int(level))
	if rc != 0 {
		return dst[:start], true, fmt.Errorf("bzip2: libbz2 error %d", int(rc))
	}
	return dst[:start+int(n)], true, nil
}
