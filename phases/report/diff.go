package report

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/repomd"
)

// Diff is what changed between two composes.
type Diff struct {
	Old    ComposeRef  `json:"old"`
	New    ComposeRef  `json:"new"`
	Arches []*ArchDiff `json:"variants"` // one per variant and arch, sorted
	Images ImageDiff   `json:"images"`
	// Summary counts each source package change once, however many
	// variants it appears in (as compose-changelog's summary does).
	Summary Summary `json:"summary"`
	// Notes say what could not be read (a repository of a metadata-only
	// copy), so missing sizes or changelogs are explained.
	Notes []string `json:"notes,omitempty"`
}

// ComposeRef names one side of a comparison.
type ComposeRef struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// ArchDiff is the package change of one variant and arch. Packages are
// counted as source packages (what a changelog is about), RPMs as files.
type ArchDiff struct {
	Variant     string    `json:"variant"`
	Arch        string    `json:"arch"`
	OldPackages int       `json:"old_packages"`
	NewPackages int       `json:"new_packages"`
	OldRPMs     int       `json:"old_rpms"`
	NewRPMs     int       `json:"new_rpms"`
	OldSize     int64     `json:"old_size"`
	NewSize     int64     `json:"new_size"`
	Added       []*Change `json:"added"`
	Removed     []*Change `json:"removed"`
	Upgraded    []*Change `json:"upgraded"`
	Downgraded  []*Change `json:"downgraded"`
}

// Changed reports whether anything changed in this variant and arch.
func (a *ArchDiff) Changed() bool {
	return len(a.Added)+len(a.Removed)+len(a.Upgraded)+len(a.Downgraded) > 0 || a.OldSize != a.NewSize
}

// Changed reports whether any variant and arch changed.
func (d *Diff) Changed() bool {
	for _, a := range d.Arches {
		if a.Changed() {
			return true
		}
	}
	return false
}

// Change is one source package added, removed, upgraded or downgraded in
// a variant and arch. Old and New are source NEVRAs ("" on the side where
// the package is absent); RPMs are the compose's files built from it (the
// new ones, or the old ones for a removed package).
type Change struct {
	Name    string   `json:"name"`
	Old     string   `json:"old,omitempty"`
	New     string   `json:"new,omitempty"`
	Summary string   `json:"summary,omitempty"`
	RPMs    []string `json:"rpms"`
	OldSize int64    `json:"old_size"`
	NewSize int64    `json:"new_size"`
	// Changelog holds, newest first, the entries of the higher version
	// that the lower one does not have: for an upgrade what is new, for a
	// downgrade what is lost.
	Changelog []ChangelogEntry `json:"changelog,omitempty"`
}

// ChangelogEntry is one RPM changelog entry.
type ChangelogEntry struct {
	Author string `json:"author"`
	Date   int64  `json:"date"` // Unix seconds, the day the entry names
	Text   string `json:"text"`
}

// ImageDiff lists images added, removed and changed (same variant, arch,
// type, format and subvariant, different content).
type ImageDiff struct {
	Added   []Image       `json:"added"`
	Removed []Image       `json:"removed"`
	Changed []ImageChange `json:"changed"`
}

// ImageChange is one image present in both composes with other content.
type ImageChange struct {
	Old Image `json:"old"`
	New Image `json:"new"`
}

// Summary totals a Diff over unique source package changes.
type Summary struct {
	Added           int   `json:"added"`
	Removed         int   `json:"removed"`
	Upgraded        int   `json:"upgraded"`
	Downgraded      int   `json:"downgraded"`
	AddedSize       int64 `json:"added_size"`
	RemovedSize     int64 `json:"removed_size"`
	UpgradedDelta   int64 `json:"upgraded_size_change"`
	DowngradedDelta int64 `json:"downgraded_size_change"`
}

// source is one source package's files in a variant and arch.
type source struct {
	nevra string
	name  string
	evr   repomd.EVR
	rpms  []rpmRef
	size  int64
}

type rpmRef struct {
	nevra, path, category string
	size                  int64
}

// Compare computes the difference from old to new. With old nil (a
// first compose of a release) it only describes new: counts and sizes per
// variant and arch, no changes.
func Compare(old, new *Compose) *Diff {
	baseline := old == nil
	if baseline {
		old = &Compose{}
	}
	d := &Diff{Old: ComposeRef{old.ID, old.ComposeDir}, New: ComposeRef{new.ID, new.ComposeDir}}
	keys := map[[2]string]bool{}
	for _, c := range []*Compose{old, new} {
		for v, arches := range c.Rpms {
			for a := range arches {
				keys[[2]string{v, a}] = true
			}
		}
	}
	sorted := make([][2]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i][0] != sorted[j][0] {
			return sorted[i][0] < sorted[j][0]
		}
		return sorted[i][1] < sorted[j][1]
	})
	seen := map[string]bool{}
	for _, k := range sorted {
		ad := compareArch(old, new, k[0], k[1])
		d.Arches = append(d.Arches, ad)
		if baseline {
			ad.Added = nil
			continue
		}
		count := func(kind string, list []*Change, n *int, size *int64, delta bool) {
			for _, ch := range list {
				id := kind + "\x00" + ch.Name + "\x00" + ch.Old + "\x00" + ch.New
				if seen[id] {
					continue
				}
				seen[id] = true
				*n++
				switch {
				case delta:
					*size += ch.NewSize - ch.OldSize
				case kind == "removed":
					*size += ch.OldSize
				default:
					*size += ch.NewSize
				}
			}
		}
		s := &d.Summary
		count("added", ad.Added, &s.Added, &s.AddedSize, false)
		count("removed", ad.Removed, &s.Removed, &s.RemovedSize, false)
		count("upgraded", ad.Upgraded, &s.Upgraded, &s.UpgradedDelta, true)
		count("downgraded", ad.Downgraded, &s.Downgraded, &s.DowngradedDelta, true)
	}
	if !baseline {
		d.Images = compareImages(old.Images, new.Images)
	}
	d.Notes = append(old.repoErrors(), new.repoErrors()...)
	sort.Strings(d.Notes)
	return d
}

func compareArch(old, new *Compose, variant, arch string) *ArchDiff {
	ad := &ArchDiff{Variant: variant, Arch: arch}
	olds := sources(old, variant, arch)
	news := sources(new, variant, arch)
	for _, s := range olds {
		ad.OldPackages++
		ad.OldRPMs += len(s.rpms)
		ad.OldSize += s.size
	}
	for _, s := range news {
		ad.NewPackages++
		ad.NewRPMs += len(s.rpms)
		ad.NewSize += s.size
	}
	for name, n := range news {
		o := olds[name]
		if o == nil {
			ad.Added = append(ad.Added, &Change{Name: name, New: n.nevra, RPMs: n.names(), NewSize: n.size,
				Summary: summaryOf(new, variant, arch, n)})
			continue
		}
		cmp := repomd.CompareEVR(n.evr, o.evr)
		if cmp == 0 {
			continue
		}
		ch := &Change{Name: name, Old: o.nevra, New: n.nevra, RPMs: n.names(), OldSize: o.size, NewSize: n.size,
			Summary: summaryOf(new, variant, arch, n)}
		if cmp > 0 {
			ch.Changelog = changelogBetween(new, variant, arch, n, old, o)
			ad.Upgraded = append(ad.Upgraded, ch)
		} else {
			ch.Changelog = changelogBetween(old, variant, arch, o, new, n)
			ad.Downgraded = append(ad.Downgraded, ch)
		}
	}
	for name, o := range olds {
		if news[name] == nil {
			ad.Removed = append(ad.Removed, &Change{Name: name, Old: o.nevra, RPMs: o.names(), OldSize: o.size,
				Summary: summaryOf(old, variant, arch, o)})
		}
	}
	for _, l := range [][]*Change{ad.Added, ad.Removed, ad.Upgraded, ad.Downgraded} {
		sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
	}
	return ad
}

func (s *source) names() []string {
	out := make([]string, 0, len(s.rpms))
	for _, r := range s.rpms {
		out = append(out, r.nevra)
	}
	return out
}

// sources groups a variant and arch's RPMs by source package name. When a
// name appears with several versions, the highest stands for it.
func sources(c *Compose, variant, arch string) map[string]*source {
	out := map[string]*source{}
	for srpm, rpms := range c.Rpms[variant][arch] {
		n, err := repomd.ParseNEVRA(srpm)
		if err != nil {
			continue
		}
		s := &source{nevra: srpm, name: n.Name, evr: n.EVR}
		for nevra, e := range rpms {
			r := rpmRef{nevra: nevra, path: e.Path, category: e.Category}
			if st, err := os.Stat(filepath.Join(c.ComposeDir, filepath.FromSlash(e.Path))); err == nil {
				r.size = st.Size()
			} else if p := c.pkg(variant, arch, e.Category, e.Path, false); p != nil {
				r.size = p.SizePackage
			}
			s.size += r.size
			s.rpms = append(s.rpms, r)
		}
		sort.Slice(s.rpms, func(i, j int) bool { return s.rpms[i].nevra < s.rpms[j].nevra })
		if prev := out[n.Name]; prev == nil || repomd.CompareEVR(n.EVR, prev.evr) > 0 {
			out[n.Name] = s
		}
	}
	return out
}

// mainRPM is the RPM whose metadata speaks for a source package: the
// binary named like the source, else the first binary, else any.
func (s *source) mainRPM() *rpmRef {
	var first *rpmRef
	for i := range s.rpms {
		r := &s.rpms[i]
		if r.category != "binary" {
			continue
		}
		if n, err := repomd.ParseNEVRA(r.nevra); err == nil && n.Name == s.name {
			return r
		}
		if first == nil {
			first = r
		}
	}
	if first == nil && len(s.rpms) > 0 {
		first = &s.rpms[0]
	}
	return first
}

func summaryOf(c *Compose, variant, arch string, s *source) string {
	if r := s.mainRPM(); r != nil {
		if p := c.pkg(variant, arch, r.category, r.path, false); p != nil {
			return p.Summary
		}
	}
	return ""
}

// changelogBetween returns hi's changelog entries that lo's package does
// not have, newest first. Entries are compared whole (date, author, text);
// when lo's repository kept no changelog, only entries newer than lo's
// build are kept so that an old history is not reported as new.
func changelogBetween(hiC *Compose, variant, arch string, hi *source, loC *Compose, lo *source) []ChangelogEntry {
	hr := hi.mainRPM()
	if hr == nil {
		return nil
	}
	hp := hiC.pkg(variant, arch, hr.category, hr.path, true)
	if hp == nil {
		return nil
	}
	var lp *repomd.Package
	if lr := lo.mainRPM(); lr != nil {
		lp = loC.pkg(variant, arch, lr.category, lr.path, true)
	}
	return entriesBetween(hp.Changelogs, lp)
}

// entriesBetween is hi's entries that lo (nil: unknown) lacks, newest
// first.
func entriesBetween(hi []repomd.Changelog, lo *repomd.Package) []ChangelogEntry {
	have := map[repomd.Changelog]bool{}
	var newest int64
	if lo != nil {
		for _, e := range lo.Changelogs {
			have[e] = true
			newest = max(newest, e.Date)
		}
	}
	var out []ChangelogEntry
	for _, e := range hi {
		if have[e] {
			continue
		}
		if lo != nil && len(lo.Changelogs) == 0 && e.Date <= lo.TimeBuild {
			// lo's repository kept no changelog: only entries after its
			// build can be new.
			continue
		}
		if newest > 0 && e.Date < newest {
			// Older than everything lo has, yet not in lo: an entry that
			// fell off lo's kept window, not a change.
			continue
		}
		out = append(out, ChangelogEntry{Author: e.Author, Date: e.Date, Text: e.Text})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date > out[j].Date })
	return out
}

// imageKey identifies "the same image" across composes: file names carry
// the compose ID and change every time.
func imageKey(im Image) string {
	return strings.Join([]string{im.Variant, im.Arch, im.Type, im.Format, im.Subvariant}, "\x00")
}

func compareImages(old, new []Image) ImageDiff {
	group := func(list []Image) map[string][]Image {
		m := map[string][]Image{}
		for _, im := range list {
			m[imageKey(im)] = append(m[imageKey(im)], im)
		}
		for _, l := range m {
			sort.Slice(l, func(i, j int) bool { return l[i].Path < l[j].Path })
		}
		return m
	}
	og, ng := group(old), group(new)
	var d ImageDiff
	for k, nl := range ng {
		ol := og[k]
		for i, n := range nl {
			if i >= len(ol) {
				d.Added = append(d.Added, n)
				continue
			}
			o := ol[i]
			if o.Size != n.Size || (o.Checksum != "" && n.Checksum != "" && o.Checksum != n.Checksum) {
				d.Changed = append(d.Changed, ImageChange{Old: o, New: n})
			}
		}
	}
	for k, ol := range og {
		for i, o := range ol {
			if i >= len(ng[k]) {
				d.Removed = append(d.Removed, o)
			}
		}
	}
	byPath := func(l []Image) { sort.Slice(l, func(i, j int) bool { return l[i].Path < l[j].Path }) }
	byPath(d.Added)
	byPath(d.Removed)
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].New.Path < d.Changed[j].New.Path })
	return d
}
