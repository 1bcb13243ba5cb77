package pkgset

import (
	"context"
	"strings"
	"sync"

	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// readArchTags reads ExclusiveArch and ExcludeArch of a package file. It
// is a variable so tests can feed tags rpmbuild never writes into a
// binary noarch header.
var readArchTags = rpmfile.ReadArchTags

type archTags struct{ exclusive, exclude []string }

// exclusion decides, as Pungi's package set merge does, whether a noarch
// package is kept out of a tree arch by ExclusiveArch/ExcludeArch. rpm-md
// metadata has no such fields, so the tags come from package headers.
type exclusion struct {
	considersNoarch bool
	// tags maps a noarch package's path to the tags that apply to it (its
	// own header's, or its source package's when inheriting). Packages
	// without any tag are absent.
	tags map[string]archTags
	log  *compose.Logger
}

// matchArches are the arches ExclusiveArch/ExcludeArch are compared with
// for a tree arch: its native arches only (multilib arches such as i686 on
// x86_64 do not count), with noarch unless
// pkgset_exclusive_arch_considers_noarch is False.
func (x *exclusion) matchArches(treeArch string) map[string]bool {
	native, _ := multilib.Arches(treeArch)
	m := map[string]bool{}
	for _, a := range native {
		if a != "noarch" || x.considersNoarch {
			m[a] = true
		}
	}
	return m
}

// excluded reports whether p must stay out of treeArch's package set.
func (x *exclusion) excluded(p *Package, treeArch string, match map[string]bool) bool {
	if x == nil || p.Arch != "noarch" {
		return false
	}
	t, ok := x.tags[p.Path]
	if !ok {
		return false
	}
	for _, a := range t.exclude {
		if match[a] {
			x.log.Debugf("Excluding (EXCLUDEARCH: %v) from %s: %s", t.exclude, treeArch, p.FileName())
			return true
		}
	}
	if len(t.exclusive) == 0 {
		return false
	}
	for _, a := range t.exclusive {
		if match[a] {
			return false
		}
	}
	x.log.Debugf("Excluding (EXCLUSIVEARCH: %v) from %s: %s", t.exclusive, treeArch, p.FileName())
	return true
}

// headerReaders is how many headers are read at once: the reads wait on
// the disk more than on the CPU.
const headerReaders = 8

// loadExclusion reads the ExclusiveArch/ExcludeArch tags that decide
// where the noarch packages of pkgs may go. With
// pkgset_inherit_exclusive_arch_to_noarch (default True) a noarch package
// takes its source package's tags, which replace its own (rpmbuild writes
// them into the source package only), so only source headers are read;
// a noarch package whose source package is not in the set falls back to
// its own header, as in Pungi. Without the option, each noarch package's
// own header decides. Every header is read once, in parallel, lead and
// headers only.
func loadExclusion(ctx context.Context, c *compose.Compose, pkgs []*Package) (*exclusion, error) {
	x := &exclusion{
		considersNoarch: c.Conf.Bool("pkgset_exclusive_arch_considers_noarch"),
		tags:            map[string]archTags{},
		log:             c.Log,
	}
	inherit := c.Conf.Bool("pkgset_inherit_exclusive_arch_to_noarch")
	srpms := map[string]*Package{}
	if inherit {
		for _, p := range pkgs {
			if p.IsSource() {
				// SourceRPM names the header's N-V-R.A, whatever
				// the file is called.
				srpms[p.NVR()+"."+p.Arch+".rpm"] = p
			}
		}
	}
	from := map[string]string{} // noarch path → path whose header applies
	var read []string
	seen := map[string]bool{}
	var noSRPM []string
	for _, p := range pkgs {
		if p.Arch != "noarch" || from[p.Path] != "" {
			continue
		}
		src := p.Path
		if inherit {
			if s, ok := srpms[p.SourceRPM]; ok {
				src = s.Path
			} else {
				noSRPM = append(noSRPM, p.FileName())
			}
		}
		if strings.Contains(src, "://") {
			c.Log.Warningf("pkgset: %s is remote: its ExclusiveArch/ExcludeArch are not read", src)
			continue
		}
		from[p.Path] = src
		if !seen[src] {
			seen[src] = true
			read = append(read, src)
		}
	}
	if len(noSRPM) > 0 {
		c.Log.Warningf("Can't find a SRPM for %d noarch packages (first: %s): their own ExclusiveArch/ExcludeArch apply",
			len(noSRPM), noSRPM[0])
	}
	byPath := make(map[string]archTags, len(read))
	var mu sync.Mutex
	tasks := make([]compose.Task, 0, len(read))
	for _, path := range read {
		tasks = append(tasks, compose.Task{Name: "arch tags " + path, Run: func(context.Context) error {
			exclusive, exclude, err := readArchTags(path)
			if err != nil {
				return err
			}
			if len(exclusive) > 0 || len(exclude) > 0 {
				mu.Lock()
				byPath[path] = archTags{exclusive, exclude}
				mu.Unlock()
			}
			return nil
		}})
	}
	if len(tasks) > 0 {
		if err := c.RunTasks(ctx, "pkgset", tasks, headerReaders); err != nil {
			return nil, err
		}
	}
	for p, src := range from {
		if t, ok := byPath[src]; ok {
			x.tags[p] = t
		}
	}
	return x, nil
}
