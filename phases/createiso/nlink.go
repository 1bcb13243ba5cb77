package createiso

import (
	"os"
	"syscall"
)

// nlink is the file's hard link count (1 where the platform hides it).
func nlink(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Nlink)
	}
	return 1
}
