// Package bootmedia owns the buildinstall phase's result: which
// variant.arch trees got installer boot media from lorax, which of them
// were taken over from an old compose, and where lorax's own .treeinfo
// lies. The buildinstall phase fills one Result per compose run; the
// phases that depend on it (createiso, extra_isos and the tree metadata
// step) are handed the same *Result when the run is wired, as Pungi
// hands its buildinstall phase object to CreateisoPhase and
// write_tree_info.
package bootmedia

import (
	"path/filepath"
	"sync"
)

// Result is what one compose's buildinstall phase produced. Its zero
// value is a buildinstall phase that has not run; a nil *Result stands for
// a compose without a buildinstall phase at all.
type Result struct {
	mu       sync.Mutex
	ran      bool
	method   string
	finished map[key]bool
	reused   map[key]bool
}

type key struct{ variantUID, arch string }

// Start records that the buildinstall phase runs, with buildinstall_method
// (lorax runs once per variant.arch, other methods once per arch).
func (r *Result) Start(method string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ran, r.method = true, method
}

func (r *Result) keyOf(variantUID, arch string) key {
	if r.method != "lorax" {
		variantUID = ""
	}
	return key{variantUID, arch}
}

// Finish records that buildinstall produced boot media for the
// variant.arch, reused from an old compose when reused is set.
func (r *Result) Finish(variantUID, arch string, reused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished == nil {
		r.finished, r.reused = map[key]bool{}, map[key]bool{}
	}
	k := r.keyOf(variantUID, arch)
	r.finished[k] = true
	if reused {
		r.reused[k] = true
	}
}

// Succeeded is Pungi's BuildinstallPhase.succeeded: buildinstall finished
// for the variant.arch, or did not run at all (skipped phase: whatever boot
// files the tree has are used, as in a debugging run of Pungi).
func (r *Result) Succeeded(variantUID, arch string) bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.ran || r.finished[r.keyOf(variantUID, arch)]
}

// Reused is Pungi's BuildinstallPhase.reused: the variant.arch's boot media
// come from an old compose, or buildinstall did not run.
func (r *Result) Reused(variantUID, arch string) bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.ran || r.reused[r.keyOf(variantUID, arch)]
}

// TreeinfoPath is lorax's .treeinfo for the variant.arch under the arch's
// buildinstall directory (work/<arch>/buildinstall): lorax writes one per
// variant, in the variant's subdirectory; other methods one per arch.
func TreeinfoPath(buildinstallDir, method, variantUID string) string {
	if method == "lorax" {
		return filepath.Join(buildinstallDir, variantUID, ".treeinfo")
	}
	return filepath.Join(buildinstallDir, ".treeinfo")
}
