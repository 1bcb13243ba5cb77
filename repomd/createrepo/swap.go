package createrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// This file puts new repodata in place without a moment in which a reader
// finds none, keeps two writers of one directory apart, and cleans up
// after runs that were killed.
//
// The swap is renameat2(RENAME_EXCHANGE): one atomic step trades the new
// directory for the old. Where the kernel or file system lacks it, two
// renames do (old aside, new in); a kill between them leaves the old
// repodata under .repodata.old-*, which the next run, holding the lock,
// puts back before anything else. Temporary directories of dead runs
// (.repodata.tmp-*) are removed by the next run likewise: with the lock
// held, no live writer can own them.

// renameExchange swaps two paths atomically; errExchangeUnsupported when
// this kernel, architecture or file system cannot.
var renameExchange = func(a, b string) error {
	if sysRenameat2 == 0 {
		return errExchangeUnsupported
	}
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	const atFDCWD = -100
	const renameExchange = 1 << 1
	fd := atFDCWD
	_, _, e := syscall.Syscall6(sysRenameat2, uintptr(fd), uintptr(unsafe.Pointer(pa)), uintptr(fd), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	switch e {
	case 0:
		return nil
	case syscall.ENOSYS, syscall.EINVAL, syscall.EOPNOTSUPP:
		return errExchangeUnsupported
	}
	return &os.LinkError{Op: "renameat2", Old: a, New: b, Err: e}
}

var errExchangeUnsupported = errors.New("RENAME_EXCHANGE not supported")

// swap puts the finished tmp directory in place of repodata.
func swap(tmp, repodata string) error {
	if _, err := os.Lstat(repodata); err != nil {
		return os.Rename(tmp, repodata)
	}
	err := renameExchange(tmp, repodata)
	if err == nil {
		return os.RemoveAll(tmp) // now the old repodata
	}
	if !errors.Is(err, errExchangeUnsupported) {
		return err
	}
	aside := filepath.Join(filepath.Dir(repodata), fmt.Sprintf(".repodata.old-%d-%d", os.Getpid(), time.Now().UnixNano()))
	if err := os.Rename(repodata, aside); err != nil {
		return err
	}
	if err := os.Rename(tmp, repodata); err != nil {
		os.Rename(aside, repodata)
		return err
	}
	return os.RemoveAll(aside)
}

// lockOutput takes the writer's lock on out (flock on the directory
// itself: nothing is left in the repository, and the kernel drops the
// lock of a killed run), refuses to run beside createrepo_c (whose
// .repodata/ exists while it works), and repairs what killed runs left.
// The returned func releases the lock.
func lockOutput(out string) (func(), error) {
	d, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: another pungo createrepo is writing this repository (it holds the directory's lock); try again when it has finished", out)
		}
		return nil, fmt.Errorf("%s: cannot lock the directory: %w", out, err)
	}
	unlock := func() { d.Close() }
	if _, err := os.Lstat(filepath.Join(out, ".repodata")); err == nil {
		unlock()
		return nil, fmt.Errorf("%s: temporary repodata directory .repodata/ exists: createrepo_c is running here, or was killed (remove .repodata/ if no createrepo_c runs)", out)
	}
	if err := recoverOutput(out); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// recoverOutput restores repodata from .repodata.old-* when a run was
// killed between the two renames of the fallback swap, and removes the
// leftovers of killed runs. The caller holds the lock.
func recoverOutput(out string) error {
	ents, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	var olds []string
	for _, e := range ents {
		switch n := e.Name(); {
		case strings.HasPrefix(n, ".repodata.old-"):
			olds = append(olds, n)
		case strings.HasPrefix(n, ".repodata.tmp-"):
			if err := os.RemoveAll(filepath.Join(out, n)); err != nil {
				return fmt.Errorf("removing the leftover of a killed run: %w", err)
			}
		}
	}
	if len(olds) == 0 {
		return nil
	}
	// The newest aside copy is the last complete repodata.
	sort.Slice(olds, func(i, j int) bool { return asideTime(olds[i]) < asideTime(olds[j]) })
	repodata := filepath.Join(out, "repodata")
	if _, err := os.Lstat(repodata); errors.Is(err, os.ErrNotExist) {
		last := olds[len(olds)-1]
		if err := os.Rename(filepath.Join(out, last), repodata); err != nil {
			return fmt.Errorf("restoring repodata from %s: %w", last, err)
		}
		olds = olds[:len(olds)-1]
	}
	for _, n := range olds {
		if err := os.RemoveAll(filepath.Join(out, n)); err != nil {
			return fmt.Errorf("removing the leftover of a killed run: %w", err)
		}
	}
	return nil
}

// asideTime is the nanosecond stamp of ".repodata.old-PID-NANOS".
func asideTime(name string) int64 {
	var pid, ns int64
	fmt.Sscanf(strings.TrimPrefix(name, ".repodata.old-"), "%d-%d", &pid, &ns)
	return ns
}
