//go:build linux

package createrepo

const sysRenameat2 = 276
