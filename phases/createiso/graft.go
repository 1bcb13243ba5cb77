package createiso

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/glob"
)

// Tree maps a path on the ISO to the file (or, with a trailing "/", the
// directory) it comes from.
type Tree map[string]string

// ScanTree lists every file below dir, and every subdirectory as
// "sub/" so empty directories reach the ISO.
func ScanTree(dir string) (Tree, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	t := Tree{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if p != dir {
				t[filepath.ToSlash(rel)+"/"] = p + "/"
			}
			return nil
		}
		t[filepath.ToSlash(rel)] = p
		return nil
	})
	return t, err
}

// TreeFromList maps paths relative to root (a split disc's files) to
// their absolute location.
func TreeFromList(root string, files []string) Tree {
	root, _ = filepath.Abs(root)
	t := Tree{}
	for _, f := range files {
		abs := f
		if !filepath.IsAbs(f) {
			abs = filepath.Join(root, f)
		}
		abs = filepath.Clean(abs)
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			continue
		}
		t[filepath.ToSlash(rel)] = abs
	}
	return t
}

// mergeTrees lays hi over lo. With exclusive, any directory present in hi
// replaces lo's content of that directory entirely.
func mergeTrees(lo, hi Tree, exclusive bool) Tree {
	out := Tree{}
	for k, v := range hi {
		out[k] = v
	}
	dirs := map[string]bool{}
	for k := range out {
		if d := strings.TrimRight(pyDirname(k), "/"); pyDirname(k) != "" {
			dirs[d] = true
		}
	}
	for k, v := range lo {
		if exclusive {
			dn := pyDirname(k)
			skip := false
			for a := range dirs {
				if dn == a || strings.HasPrefix(dn, a+"/") {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
		}
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// pyDirname is os.path.dirname: everything before the last "/".
func pyDirname(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// GraftPoints merges trees in ascending priority (later trees win) as
// Pungi's get_graft_points; symlinks that point outside composeTop are
// resolved so the ISO gets the file, not the link.
func GraftPoints(composeTop string, trees []Tree) Tree {
	res := Tree{}
	for _, t := range trees {
		res = mergeTrees(res, t, false)
	}
	top := strings.TrimRight(composeTop, "/")
	for k, p := range res {
		if target, err := os.Readlink(p); err == nil {
			abs := target
			if !filepath.IsAbs(target) {
				abs = filepath.Join(filepath.Dir(p), target)
			}
			abs = filepath.Clean(abs)
			if !strings.HasPrefix(abs, top) {
				res[k] = abs
			}
		}
	}
	return res
}

func isImagePath(p string) bool {
	for _, pre := range []string{"images/", "isolinux/", "EFI/", "etc/", "ppc/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return strings.HasSuffix(p, ".img") || strings.HasSuffix(p, ".ins")
}

// graftRank puts boot files first (low LBAs for the boot loader), other
// files next, rpms last.
func graftRank(p string) int {
	switch {
	case isImagePath(p):
		return 0
	case strings.HasSuffix(p, ".rpm"):
		return 2
	}
	return 1
}

type rankedPath struct {
	rank int
	path string
}

// WriteGraftPoints writes the "iso/path=fs/path" list mkisofs reads with
// -path-list. Directory entries are kept only for directories that would
// otherwise be missing (empty ones); entries matching an exclude pattern
// are dropped.
func WriteGraftPoints(path string, t Tree, exclude []string) error {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	keep := make(map[string]string, len(t))
	seen := map[string]bool{}
	for _, k := range keys {
		dn := pyDirname(k)
		if !strings.HasSuffix(k, "/") {
			keep[k] = t[k]
			seen[dn] = true
			continue
		}
		found := false
		for s := range seen {
			if strings.HasPrefix(s, dn) {
				found = true
				break
			}
		}
		if !found {
			keep[k] = t[k]
		}
		seen[dn] = true
	}
	matchers := make([]func(string) bool, len(exclude))
	for i, e := range exclude {
		if rest := strings.TrimPrefix(e, "*"); rest != e && !strings.ContainsAny(rest, "*?[") {
			matchers[i] = func(k string) bool { return strings.HasSuffix(k, rest) }
		} else {
			pattern := e
			matchers[i] = func(k string) bool { return glob.Python(pattern, k) } // Pungi's fnmatch
		}
	}
	out := make([]string, 0, len(keep))
	for k := range keep {
		excluded := false
		for _, m := range matchers {
			if m(k) {
				excluded = true
				break
			}
		}
		if !excluded {
			out = append(out, k)
		}
	}
	ranked := make([]rankedPath, len(out))
	for i, k := range out {
		ranked[i] = rankedPath{graftRank(k), k}
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].rank != ranked[j].rank {
			return ranked[i].rank < ranked[j].rank
		}
		return ranked[i].path < ranked[j].path
	})
	for i := range ranked {
		out[i] = ranked[i].path
	}
	var b strings.Builder
	for _, k := range out {
		b.WriteString(k + "=" + keep[k] + "\n")
	}
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}

// ReadGraftPoints parses a graft points file.
func ReadGraftPoints(path string) (Tree, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := Tree{}
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			t[k] = v
		}
	}
	return t, nil
}
