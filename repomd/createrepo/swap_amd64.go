//go:build linux

package createrepo

// sysRenameat2 is renameat2's number on linux/amd64 (the frozen syscall
// package does not name it for this architecture).
const sysRenameat2 = 316
