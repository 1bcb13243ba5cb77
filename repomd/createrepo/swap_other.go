//go:build !linux || !(amd64 || arm64)

package createrepo

// sysRenameat2 0: no atomic exchange here; swap uses two renames.
const sysRenameat2 = 0
